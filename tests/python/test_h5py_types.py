"""Issue 18, types: complex, float16, long double and aligned compounds as h5py 3.7 stores them. The same calls
run through h5py on a plain file and through h5mf (multifile: the session, direct reads of the
container, the merged file and the view; sec2: the file itself); dtypes, values and the HDF5 types
in the files (h5py's low-level TypeID, compared with H5Tequal, and h5dump) are the same."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import h5mf

ALIGNED = np.dtype([('a', 'u1'), ('b', '<f8'), ('c', '<i2')], align=True)
OFFSETS = np.dtype({'names': ['x', 'y'], 'formats': ['<i4', '<f4'], 'offsets': [8, 0], 'itemsize': 16})
MIXED = np.dtype([('z', '<c8'), ('h', '<f2'), ('v', ALIGNED)], align=True)
HALVES = np.array([0.5, -1.5, 65504, 6.1e-5, 0, np.inf], '<f2')
# numpy's longdouble (h5py: H5T_NATIVE_LDOUBLE), with values a double cannot hold.
THIRD = np.longdouble(1) / 3
LONGS = np.array([1.5, THIRD, np.longdouble('1e-4000'), np.longdouble('1e4000')], np.longdouble)


def populate(f):
    """The calls, through h5py or h5mf (`f`: an open file of either)."""
    f['c8'] = np.array([1 + 2j, -3.5j, 4], '<c8')
    f['c16be'] = np.array([[1.25 - 1j, 2], [0, 1e300j]], '>c16')
    d = f.create_dataset('c16fill', (4,), dtype='c16', fillvalue=1 + 2j)
    d[1:3] = [5 - 6j, 7]
    f['f2'] = HALVES
    d = f.create_dataset('f2fill', (5,), dtype=np.float16, fillvalue=np.float16(2.5))
    d[0] = 0.25
    f['f2be'] = HALVES.astype('>f2')
    a = np.zeros(3, ALIGNED)
    a['a'], a['b'], a['c'] = [1, 2, 3], [0.5, 1.5, 2.5], [-1, -2, -3]
    f['aligned'] = a
    d = f.create_dataset('alignedfill', (3,), dtype=ALIGNED, fillvalue=np.array((9, 9.5, -9), ALIGNED)[()])
    d[2] = a[0]
    o = np.zeros(2, OFFSETS)
    o['x'], o['y'] = [10, 20], [0.25, 0.75]
    f['offsets'] = o
    m = np.zeros(2, MIXED)
    m['z'], m['h'], m['v'] = [1j, 2], [0.5, 1.5], a[:2]
    f['mixed'] = m
    f.attrs['c'] = np.complex64(1 + 2j)
    f.attrs['pc'] = 3 - 4j  # a Python complex: complex128
    f.attrs['carr'] = np.array([1j, 2, 3 + 3j], '<c16')
    f.attrs['h'] = np.float16(1.5)
    f.attrs['harr'] = HALVES[:3]
    f['c8'].attrs['aligned'] = a
    f['c8'].attrs['one'] = a[1]
    f['g16'] = LONGS
    d = f.create_dataset('g16fill', (3,), dtype=np.longdouble, fillvalue=THIRD)
    d[0] = LONGS[2]
    f['c32'] = np.array([1 + 2j, THIRD * 1j], np.clongdouble)
    d = f.create_dataset('c32fill', (2,), dtype=np.clongdouble, fillvalue=np.clongdouble(THIRD - 1j))
    d[1] = 5
    f.attrs['g'] = THIRD
    f.attrs['garr'] = LONGS
    f.attrs['c32'] = np.clongdouble(THIRD + 2j)


def reads(f):
    """What a reader sees, as comparable values (`f`: an open file of h5py or h5mf)."""
    out = {}
    for name in ('c8', 'c16be', 'c16fill', 'f2', 'f2fill', 'f2be', 'aligned', 'alignedfill', 'offsets', 'mixed',
                 'g16', 'g16fill', 'c32', 'c32fill'):
        d = f[name]
        v = d[...]
        out[name] = (d.dtype, d.shape, v.dtype, v.tolist(), d[1:2].tolist())
        if d.dtype.names is None:
            out[name + ' fillvalue'] = (type(d.fillvalue), d.fillvalue.tolist())
    out['mixed z'] = f['mixed']['z'].tolist(), f['mixed']['z'].dtype
    for obj, key in [(f, 'c'), (f, 'pc'), (f, 'carr'), (f, 'h'), (f, 'harr'), (f['c8'], 'aligned'),
                     (f['c8'], 'one'), (f, 'g'), (f, 'garr'), (f, 'c32')]:
        v = obj.attrs[key]
        out['attr ' + key] = (type(v), v.dtype, np.shape(v), v.tolist())
    return out


def same(a, b):
    """Equal as h5py's reads compare: dtypes equal (h5py's metadata too), values equal (NaN too)."""
    if isinstance(b, np.dtype):
        return isinstance(a, np.dtype) and a == b and (a.metadata or None) == (b.metadata or None)
    if isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


def assert_same_reads(mine, ref):
    assert list(mine) == list(ref)
    for key in ref:
        assert same(mine[key], ref[key]), (key, mine[key], ref[key])


def hdf5_types(path):
    """Every dataset's and attribute's HDF5 type in the file at `path`, read by h5py."""
    import h5py
    out = {}
    with h5py.File(path, 'r') as f:
        for name in list(f) + ['c8']:
            out[name] = f[name].id.get_type()
        for obj in (f, f['c8']):
            for key in obj.attrs:
                out[obj.name + ' attr ' + key] = obj.attrs.get_id(key).get_type()
    return out


def describe(t):
    """A TypeID's class, size, byte order and, for compounds, members (name, offset, type)."""
    import h5py
    if t.get_class() == h5py.h5t.COMPOUND:
        return ('compound', t.get_size(), [(t.get_member_name(i), t.get_member_offset(i),
                                            describe(t.get_member_type(i))) for i in range(t.get_nmembers())])
    if t.get_class() == h5py.h5t.FLOAT:
        return ('float', t.get_size(), t.get_order(), t.get_fields(), t.get_ebias(), t.get_precision())
    return (t.get_class(), t.get_size())


def assert_same_types(path, ref_path):
    mine, ref = hdf5_types(path), hdf5_types(ref_path)
    assert sorted(mine) == sorted(ref)
    for key in ref:
        assert describe(mine[key]) == describe(ref[key]), key
        assert mine[key] == ref[key], key  # H5Tequal


@pytest.fixture
def h5py_ref(tmp_path):
    """h5py's file (h5py_ref/f.h5) and what it reads."""
    h5py = pytest.importorskip('h5py')
    os.mkdir(tmp_path / 'h5py_ref')
    path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(path, 'w') as f:
        populate(f)
    with h5py.File(path, 'r') as f:
        return path, reads(f)


def test_h5py_stores_them_so(h5py_ref):
    """(What the comparisons rely on: h5py's own file holds compounds r/i, half floats and padding.)"""
    import h5py
    path, _ = h5py_ref
    with h5py.File(path, 'r') as f:
        assert f['c8'].id.get_type().get_class() == h5py.h5t.COMPOUND
        assert f['f2'].id.get_type().get_size() == 2
        assert f['aligned'].id.get_type().get_size() == ALIGNED.itemsize == 24
        assert f['g16'].id.get_type() == h5py.h5t.NATIVE_LDOUBLE and f['g16'].dtype == np.longdouble
        assert f['c32'].dtype == np.clongdouble and f['c32'].id.get_type().get_class() == h5py.h5t.COMPOUND


def h5dump(directory, tool=None):
    command = [tool, 'dump'] if tool else ['h5dump']
    return subprocess.run([*command, 'f.h5'], cwd=directory, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_types_as_h5py(tmp_path, h5py_ref, driver):
    import h5py
    ref_path, ref = h5py_ref
    os.mkdir(tmp_path / 'h5mf')
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        populate(f)
        assert_same_reads(reads(f), ref)  # in the session
    with h5mf.File(path, 'r') as f:
        assert_same_reads(reads(f), ref)  # reopened: direct reads of the container (or the sec2 file)
    if driver == 'multifile':
        h5mf.view(path, str(tmp_path / 'view.h5'))
        assert_same_types(str(tmp_path / 'view.h5'), ref_path)
        with h5py.File(str(tmp_path / 'view.h5'), 'r') as f:
            assert_same_reads(reads(f), ref)
        h5mf.merge(path)
    assert_same_types(path, ref_path)
    with h5py.File(path, 'r') as f:
        assert_same_reads(reads(f), ref)
    with h5mf.File(path, 'r') as f:
        assert_same_reads(reads(f), ref)
    assert h5dump(tmp_path / 'h5mf') == h5dump(tmp_path / 'h5py_ref')


def test_dump_of_a_container_as_h5dump(tmp_path, h5py_ref):
    """h5mf dump prints the container as h5dump prints h5py's file (float16 and long double too)."""
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if cli is None:
        pytest.skip('no h5mf tool (H5MF_CLI) in this environment')
    os.mkdir(tmp_path / 'h5mf')
    with h5mf.File(str(tmp_path / 'h5mf' / 'f.h5'), 'w', driver='multifile') as f:
        populate(f)
    assert h5dump(tmp_path / 'h5mf', tool=cli) == h5dump(tmp_path / 'h5py_ref')


def test_types_of_h5py_files_read_as_h5py(h5py_ref):
    """h5mf opening h5py's file (a base file) reads it as h5py does."""
    path, ref = h5py_ref
    with h5mf.File(path, 'r') as f:
        assert_same_reads(reads(f), ref)


@pytest.mark.parametrize('dtype', ['c8', '>c16', 'f2', np.longdouble, np.clongdouble, [('a', 'i4'), ('b', 'c32')],
                                   ALIGNED, OFFSETS, MIXED])
def test_dtypes_kept(mfile, dtype):
    d = mfile.create_dataset('d', (2,), dtype=dtype)
    assert d.dtype == np.dtype(dtype)
    assert d[...].dtype == np.dtype(dtype)


def test_attributes_of_compounds_with_variable_length_members(mfile, tmp_path):
    """(Datasets of them: test_h5py_vlen_compound.py; attributes in depth: test_h5py_vlen_attrs.py.)
    Stored and read back as h5py stores and reads them."""
    dt = np.dtype([('n', 'i4'), ('s', h5mf.string_dtype())])
    value = np.array([(1, 'a'), (2, 'bc')], dt)
    mfile.attrs['v'] = value
    import h5py
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as h:
        h.attrs['v'] = value
        ref = h.attrs['v']
    got = mfile.attrs['v']
    assert got.dtype == ref.dtype and got.tolist() == ref.tolist() == [(1, b'a'), (2, b'bc')]


def named(h, f):
    """Named datatypes through h5py or h5mf (`h` the module)."""
    f['t'] = np.dtype('<i4')
    f.create_group('g')
    f['g/c'] = np.dtype('c8')
    f['g/a'] = ALIGNED
    f['d'] = np.arange(3)
    return sorted(f.keys()), [(type(v).__name__, v.name, v.dtype) for v in f['g'].values()], \
        [(k, type(v).__name__) for k, v in f.items()], f.get('t', getclass=True).__name__, \
        [f['t'].dtype, f['t'].name, 't' in f, isinstance(f['t'], h.Datatype)]


def visited(f):
    out = []
    f.visititems(lambda name, obj: out.append((name, type(obj).__name__)))
    return out


def assert_same_named_types(path, ref_path):
    import h5py
    with h5py.File(path, 'r') as f, h5py.File(ref_path, 'r') as g:
        for name in ('t', 'g/c', 'g/a'):
            assert isinstance(f[name], h5py.Datatype) and f[name].dtype == g[name].dtype, name
            assert f[name].id == g[name].id, name  # H5Tequal


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_named_datatypes_as_h5py(tmp_path, driver):
    import h5py
    os.mkdir(tmp_path / 'h5py_ref')
    os.mkdir(tmp_path / 'h5mf')
    ref_path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(ref_path, 'w') as f:
        ref = named(h5py, f)
        ref_visited = visited(f)
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        assert same(named(h5mf, f), ref)
        assert visited(f) == ref_visited
        with pytest.raises(TypeError):  # as h5py: "Unable to commit datatype (name already exists)"
            f['t'] = np.dtype('i8')
    with h5mf.File(path, 'r') as f:  # reopened: direct reads of the container (or the sec2 file)
        assert [(k, type(v).__name__) for k, v in f.items()] == ref[2]
        assert f['g/a'].dtype == ALIGNED and f['g/c'].dtype == np.complex64
        assert visited(f) == ref_visited
    if driver == 'multifile':
        h5mf.view(path, str(tmp_path / 'view.h5'))
        assert_same_named_types(str(tmp_path / 'view.h5'), ref_path)
        h5mf.merge(path)
    assert_same_named_types(path, ref_path)
    assert h5dump(tmp_path / 'h5mf') == h5dump(tmp_path / 'h5py_ref')


def test_named_datatypes_of_h5py_files_listed_and_read(tmp_path):
    """A plain file h5py wrote: values() and items() give h5mf.Datatype for its named types."""
    import h5py
    path = str(tmp_path / 'f.h5')
    with h5py.File(path, 'w') as f:
        ref = named(h5py, f)
    with h5mf.File(path, 'r') as f:
        assert [type(v).__name__ for v in f.values()] == [n for _, n in ref[2]]
        assert isinstance(f['t'], h5mf.Datatype) and f['t'].dtype == np.dtype('<i4') and f['t'].name == '/t'
        assert f.get('g/c', getclass=True) is h5mf.Datatype and f['g/c'].parent == f['g']


def test_named_datatypes_deleted_and_moved_in_a_container(tmp_path):
    import h5py
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f['t'] = np.dtype('c8')
        f['u'] = np.dtype('f2')
        f.move('u', 'v')
        f['w'] = f['v']  # one more name (tests/python/test_h5py_named_types.py)
        del f['t']
        del f['v']
        assert list(f) == ['w'] and f['w'].dtype == np.float16
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert list(f) == ['w'] and isinstance(f['w'], h5py.Datatype) and f['w'].dtype == np.float16
