"""Filters through h5py's create_dataset arguments, over the multifile and sec2 drivers; the merged
file read with h5py and h5dump -p."""

import numpy as np
import pytest

import h5mf
from conftest import h5dump


def test_gzip_shuffle_fletcher32(mfile):
    data = np.arange(50 * 40, dtype='<i4').reshape(50, 40) % 97
    d = mfile.create_dataset('x', data=data, chunks=(16, 16), compression='gzip', compression_opts=5,
                             shuffle=True, fletcher32=True)
    assert d.chunks == (16, 16)
    assert (d.compression, d.compression_opts, d.shuffle, d.fletcher32, d.scaleoffset) == ('gzip', 5, True, True, None)
    np.testing.assert_array_equal(d[...], data)
    plain = mfile.create_dataset('plain', (4,), dtype='f8')
    assert (plain.compression, plain.compression_opts, plain.shuffle, plain.fletcher32) == (None, None, False, False)


def test_integer_compression_is_a_gzip_level_and_chunks_are_guessed_like_h5py(mfile):
    from h5py._hl.filters import guess_chunk
    d = mfile.create_dataset('x', (100, 200), dtype='f8', compression=7)
    assert (d.compression, d.compression_opts) == ('gzip', 7)
    assert d.chunks == guess_chunk((100, 200), (100, 200), 8)
    e = mfile.create_dataset('y', (300, 7), dtype='u2', chunks=True, compression='gzip')
    assert e.compression_opts == 4 and e.chunks == guess_chunk((300, 7), (300, 7), 2)


def test_scaleoffset(mfile):
    ints = np.arange(-500, 500, dtype='i4')
    floats = np.sin(np.arange(1000)) * 10
    i = mfile.create_dataset('i', data=ints, scaleoffset=True)
    f = mfile.create_dataset('f', data=floats, scaleoffset=3)
    assert i.scaleoffset == 0 and f.scaleoffset == 3
    np.testing.assert_array_equal(i[...], ints)  # the container (or sec2) holds what was written
    np.testing.assert_allclose(f[...], floats, atol=1e-3)


@pytest.mark.parametrize('kwds, error, match', [
    (dict(compression='lzf'), ValueError, "h5py's own filter"),
    (dict(compression='gzip', chunks=False), ValueError, 'Chunked format required'),
    (dict(compression='gzip', compression_opts=10), ValueError, 'GZIP setting'),
    (dict(compression='bogus'), ValueError, 'unavailable'),
    (dict(scaleoffset=2, fletcher32=True), ValueError, 'lossy'),
    (dict(compression=32001), NotImplementedError, 'not available in this libhdf5'),
    (dict(compression_opts=4), TypeError, 'without compression'),
])
def test_what_cannot_work_is_refused(mfile, kwds, error, match):
    with pytest.raises(error, match=match):
        mfile.create_dataset('x', (10,), dtype='f4', **kwds)
    assert 'x' not in mfile


def test_scaleoffset_refuses_strings(mfile):
    with pytest.raises(TypeError, match='scale/offset'):
        mfile.create_dataset('s', (4,), dtype='S3', scaleoffset=True)


def test_merged_file_has_the_filters(container, tmp_path):
    import h5py
    data = (np.arange(37 * 23 * 5, dtype='f8').reshape(37, 23, 5) / 7)
    ints = np.arange(1000, dtype='<i8') * 3
    with h5mf.File(container, 'w', driver='multifile') as f:
        a = f.create_dataset('a', data.shape, dtype='f8', chunks=(8, 8, 5), compression='gzip', compression_opts=9,
                             shuffle=True, fletcher32=True, fillvalue=-2.0)
        a[:20, 3:, :] = data[:20, 3:, :]  # partial: chunks nobody touched stay unallocated
        f.create_dataset('i', data=ints, scaleoffset=0, compression='gzip')
    out = str(tmp_path / 'out.h5')
    report = h5mf.merge(container, output=out)
    assert report.chunks_written > 0 and 0 < report.chunk_bytes_stored < report.chunk_bytes_raw
    expected = np.full(data.shape, -2.0)
    expected[:20, 3:, :] = data[:20, 3:, :]
    with h5py.File(out, 'r') as h:
        assert (h['a'].compression, h['a'].compression_opts, h['a'].shuffle, h['a'].fletcher32) == ('gzip', 9, True,
                                                                                                   True)
        assert h['a'].chunks == (8, 8, 5)
        np.testing.assert_array_equal(h['a'][...], expected)
        assert h['a'].id.get_num_chunks() == 3 * 3  # grid rows 0..2 by columns 0..2
        assert h['i'].scaleoffset == 0 and h['i'].compression == 'gzip'
        np.testing.assert_array_equal(h['i'][...], ints)
    dump = h5dump('-p', '-H', out)
    for needle in ('DEFLATE', 'LEVEL 9', 'SHUFFLE', 'CHECKSUM FLETCHER32', 'SCALEOFFSET'):
        assert needle in dump, needle
