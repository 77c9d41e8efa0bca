"""Datasets: description, numpy-style reads and writes, conversion, resize, direct transfers."""

import numpy as np
import pytest

import h5mf


@pytest.fixture
def grid(mfile):
    """A (6, 8) int32 dataset holding 0..47, and the same as a numpy array."""
    expected = np.arange(48, dtype='i4').reshape(6, 8)
    dset = mfile.create_dataset('grid', data=expected)
    return dset, expected


def test_description(mfile):
    d = mfile.create_dataset('g/x', (4, 5), dtype='<u2', maxshape=(None, 5), chunks=(2, 5), fillvalue=9)
    assert d.name == '/g/x'
    assert d.shape == (4, 5) and d.ndim == 2 and d.size == 20 and d.nbytes == 40
    assert d.dtype == np.dtype('<u2')
    assert d.maxshape == (None, 5) and d.chunks == (2, 5)
    assert d.fillvalue == 9 and isinstance(d.fillvalue, np.uint16)
    assert len(d) == 4 and d.len() == 4
    assert d.parent.name == '/g' and d.file is mfile
    assert repr(d) == '<h5mf dataset "/g/x": shape (4, 5), type "<u2">'
    assert bool(d)


@pytest.mark.parametrize('key', [
    (), Ellipsis, 0, -1, 3, slice(None), slice(1, 4), slice(None, None, 2), slice(1, None, 3), slice(-3, None),
    (2, 5), (-1, -8), (slice(1, 5, 2), slice(0, 8, 3)), (Ellipsis, 3), (1, Ellipsis), (slice(2, 3), 4),
    (slice(None), slice(7, 100)), (Ellipsis, slice(None, None, 5)), (slice(4, 2),), (slice(10, 20), 1),
])
def test_read_like_numpy(grid, key):
    dset, expected = grid
    got = dset[key]
    want = expected[key]
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == np.int32
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    else:  # integer indices on every axis: a numpy scalar, as h5py gives
        assert isinstance(got, np.int32) and got == want


@pytest.mark.parametrize('key', [
    (), 2, -2, (1, 3), slice(1, 5, 2), (slice(None, None, 3), slice(2, 7, 2)), (Ellipsis, 0), (slice(3, 3),),
])
def test_write_like_numpy(grid, key, rng):
    dset, expected = grid
    shape = expected[key].shape
    value = rng.integers(-100, 100, size=shape).astype('i4')
    dset[key] = value
    expected[key] = value
    np.testing.assert_array_equal(dset[...], expected)


def test_scalars_broadcast(grid):
    dset, expected = grid
    dset[2:5] = 7
    dset[0, ::2] = -1
    dset[:, 7] = np.int16(3)
    dset[5] = np.arange(8)[np.newaxis, :]  # (1, 8) into a row: same elements, length-1 axis dropped
    dset[1:3, 1:3] = [10, 20]  # a row broadcast over two rows
    expected[2:5] = 7
    expected[0, ::2] = -1
    expected[:, 7] = 3
    expected[5] = np.arange(8)
    expected[1:3, 1:3] = [10, 20]
    np.testing.assert_array_equal(dset[...], expected)
    with pytest.raises(TypeError, match="Can't broadcast"):
        dset[0] = np.arange(3)


def test_non_contiguous_arrays(grid):
    dset, expected = grid
    strided = np.arange(16 * 24, dtype='i8').reshape(16, 24)[1:13:2, ::3]  # (6, 8), not contiguous
    assert not strided.flags.c_contiguous
    dset[...] = strided  # made contiguous first
    np.testing.assert_array_equal(dset[...], strided)
    transposed = np.arange(48, dtype='i4').reshape(8, 6).T
    dset[...] = transposed
    np.testing.assert_array_equal(dset[...], transposed)
    dset[1:3, ::2] = transposed[4:6, 1::2]
    expected = transposed.copy()
    expected[1:3, ::2] = transposed[4:6, 1::2]
    np.testing.assert_array_equal(dset[...], expected)
    fortran = np.asfortranarray(np.arange(48, dtype='f8').reshape(6, 8))
    dset[...] = fortran
    np.testing.assert_array_equal(dset[...], fortran.astype('i4'))


@pytest.mark.parametrize('dtype', ['i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f4', 'f8', '>i4', '>f8', '>u2'])
def test_every_numeric_dtype_round_trips(mfile, dtype):
    data = (np.arange(12) * 3 + 1).reshape(3, 4).astype(dtype)
    d = mfile.create_dataset('x', data=data)
    # Stored in the byte order asked for, as h5py does ('>i4' stays big-endian; native is LE here).
    assert d.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(d[...], data)
    # Writes in every memory type convert into the file type (HDF5's conversions, as in h5py).
    for other in ['i2', 'u4', 'f8', '>i8', '<f4']:
        d[1] = np.array([5, 6, 7, 8], dtype=other)
        assert d[1].tolist() == [5, 6, 7, 8]


def test_conversions_on_write_and_read(mfile):
    d = mfile.create_dataset('x', (4,), dtype='i2')
    d[...] = np.array([1.9, -1.9, 40000.0, 2.0])  # HDF5 truncates and clips to the file type
    assert d[...].tolist() == [1, -1, 32767, 2]
    d[...] = [True, False, True, False]  # numpy bools become the dataset's type
    assert d[...].tolist() == [1, 0, 1, 0]
    out = np.zeros(4, dtype='f8')
    d.read_direct(out)  # read in another memory type
    assert out.tolist() == [1.0, 0.0, 1.0, 0.0]
    as_array = np.asarray(d, dtype='f4')
    assert as_array.dtype == np.float32 and as_array.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_negative_steps_and_bad_indices(grid):
    dset, _ = grid
    with pytest.raises(ValueError, match='Step must be >= 1'):
        dset[::-1]
    with pytest.raises(ValueError, match='Step must be >= 1'):
        dset[0, 5:1:-2] = 1
    with pytest.raises(IndexError, match='out of range'):
        dset[6]
    with pytest.raises(IndexError, match='out of range'):
        dset[0, -9]
    with pytest.raises(ValueError, match='3 indexing arguments for 2 dimensions'):  # as h5py
        dset[1, 2, 3]
    with pytest.raises(ValueError, match='Only one ellipsis'):
        dset[..., 1, ...]
    with pytest.raises(ValueError, match='Field names only allowed for compound types'):  # as h5py
        dset['name']
    with pytest.raises(TypeError):
        dset[None]
    with pytest.raises(TypeError):
        dset[1.5]


def test_fancy_indexing_with_increasing_lists(grid):
    dset, expected = grid
    np.testing.assert_array_equal(dset[[0, 2, 5]], expected[[0, 2, 5]])
    np.testing.assert_array_equal(dset[1:5, [1, 3, 7]], expected[1:5, [1, 3, 7]])
    np.testing.assert_array_equal(dset[3, np.array([0, 6])], expected[3, [0, 6]])
    np.testing.assert_array_equal(dset[:, [-1]], expected[:, [-1]])
    dset[[1, 4], 2:4] = [[100, 101], [102, 103]]
    expected[[1, 4], 2:4] = [[100, 101], [102, 103]]
    np.testing.assert_array_equal(dset[...], expected)
    assert dset[[], 1].shape == (0,)
    with pytest.raises(TypeError, match='increasing order'):
        dset[[2, 1]]
    with pytest.raises(TypeError, match='increasing order'):
        dset[[1, 1]]
    with pytest.raises(TypeError, match='Only one indexing vector'):
        dset[[0, 1], [0, 1]]


def test_boolean_masks(grid):
    dset, expected = grid
    mask = expected % 5 == 0
    np.testing.assert_array_equal(dset[mask], expected[mask])
    dset[mask] = -7
    expected[mask] = -7
    np.testing.assert_array_equal(dset[...], expected)
    row = np.array([True, False] * 4)
    np.testing.assert_array_equal(dset[2, row], expected[2, row])


def test_empty_selections(grid):
    dset, expected = grid
    assert dset[3:3].shape == (0, 8)
    assert dset[2:2, 1].shape == (0,)
    dset[3:3] = 5
    dset[3:3] = np.zeros((0, 8))
    np.testing.assert_array_equal(dset[...], expected)


def test_unwritten_regions_read_as_fill_value(mfile):
    d = mfile.create_dataset('x', (10,), dtype='f8', fillvalue=np.nan)
    d[2:4] = 1.0
    np.testing.assert_array_equal(d[...], [np.nan, np.nan, 1, 1] + [np.nan] * 6)
    z = mfile.create_dataset('z', (3,), dtype='u1')
    assert z.fillvalue == 0 and z[...].tolist() == [0, 0, 0]


def test_later_writes_win(mfile):
    d = mfile.create_dataset('x', (6,), dtype='i4')
    d[...] = 1
    d[2:5] = 2
    d[4:] = 3
    assert d[...].tolist() == [1, 1, 2, 2, 3, 3]


def test_scalar_dataset(mfile):
    d = mfile.create_dataset('s', (), dtype='f8')
    assert d.shape == () and d.ndim == 0 and d.size == 1
    d[()] = 3.25
    assert d[()] == 3.25 and d[...] == 3.25 and isinstance(d[()], np.float64)
    d[...] = 4
    assert d[()] == 4.0
    with pytest.raises(TypeError, match='len'):
        len(d)
    with pytest.raises(ValueError, match='Illegal slicing'):
        d[0]


def test_resize(mfile):
    d = mfile.create_dataset('x', (2, 3), maxshape=(None, 6), dtype='i4', fillvalue=-1)
    d[...] = [[1, 2, 3], [4, 5, 6]]
    d.resize((4, 3))
    assert d.shape == (4, 3)
    d.resize(5, axis=1)
    assert d.shape == (4, 5)
    d[3] = 9
    assert d[...].tolist() == [[1, 2, 3, -1, -1], [4, 5, 6, -1, -1], [-1] * 5, [9] * 5]
    with pytest.raises(ValueError, match='exceeds maxshape'):
        d.resize((4, 7))
    with pytest.raises(RuntimeError, match='exceeds maxshape'):  # (h5py's type, and a ValueError)
        d.resize((4, 7))
    with pytest.raises(TypeError, match=r'New shape length \(1\) must match dataset rank \(2\)'):
        d.resize((4,))
    with pytest.raises(ValueError, match='Invalid axis'):
        d.resize(3, axis=2)
    fixed = mfile.create_dataset('fixed', (3,), dtype='i4')
    with pytest.raises(TypeError, match='Only chunked datasets can be resized'):
        fixed.resize((4,))


def test_iteration(grid):
    dset, expected = grid
    rows = list(dset)
    assert len(rows) == 6
    np.testing.assert_array_equal(np.array(rows), expected)


def test_read_direct(grid):
    dset, expected = grid
    out = np.zeros((6, 8), dtype='i4')
    dset.read_direct(out)
    np.testing.assert_array_equal(out, expected)
    out = np.zeros((2, 8), dtype='f8')
    dset.read_direct(out, np.s_[1:3])
    np.testing.assert_array_equal(out, expected[1:3])
    out = np.zeros((5, 10), dtype='i8')
    dset.read_direct(out, np.s_[0:2, 0:3], np.s_[1:3, 4:7])
    np.testing.assert_array_equal(out[1:3, 4:7], expected[0:2, 0:3])
    assert out.sum() == expected[0:2, 0:3].sum()
    with pytest.raises(TypeError, match='C-contiguous'):
        dset.read_direct(np.zeros((8, 6), dtype='i4').T)
    with pytest.raises(TypeError, match="Can't read"):
        dset.read_direct(np.zeros(5, dtype='i4'))


def test_write_direct(grid):
    dset, expected = grid
    source = np.arange(100, 148, dtype='i4').reshape(6, 8)
    dset.write_direct(source)
    np.testing.assert_array_equal(dset[...], source)
    dset.write_direct(source * 2, np.s_[0:2, 0:2], np.s_[4:6, 6:8])
    source[4:6, 6:8] = (source * 2)[0:2, 0:2]
    np.testing.assert_array_equal(dset[...], source)
    with pytest.raises(TypeError):
        dset.write_direct([1, 2, 3])


def test_collective_context_manager(grid):
    dset, expected = grid
    with dset.collective:  # multifile has no collective transfers: accepted, no effect
        dset[0] = 5
    expected[0] = 5
    np.testing.assert_array_equal(dset[...], expected)


def test_fixed_length_bytes(mfile):
    d = mfile.create_dataset('names', (3,), dtype='S4')
    d[...] = [b'ab', b'cdef', b'g']
    d[1] = b'xy'
    assert d[...].tolist() == [b'ab', b'xy', b'g']


def test_unsupported_memory_dtype_is_converted(mfile):
    d = mfile.create_dataset('x', (2,), dtype='f8')
    d[...] = np.array([1.5, 2.5], dtype='f2')  # HDF5 converts
    assert d[...].tolist() == [1.5, 2.5]
    with pytest.raises(TypeError):
        d[...] = np.array([1 + 2j, 3j])
