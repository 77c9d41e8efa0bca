"""Groups: creation, lookup by path, the mapping interface, create/require_dataset arguments."""

import numpy as np
import pytest

import h5mf


def test_create_and_lookup(mfile):
    a = mfile.create_group('a')
    b = a.create_group('b')
    c = mfile.create_group('x/y/z')  # intermediate groups are created, as in h5py
    assert (a.name, b.name, c.name) == ('/a', '/a/b', '/x/y/z')
    assert isinstance(mfile['a/b'], h5mf.Group)
    assert mfile['/a/b'].name == '/a/b'
    assert a['b'].name == '/a/b'
    assert b['/x/y'].name == '/x/y'  # absolute paths start at the root
    assert mfile['x']['y/z'] == c
    assert b.parent == a and a.parent == mfile['/']
    assert b.file is mfile


def test_mapping_interface(mfile):
    for name in ('b', 'a', 'c'):
        mfile.create_group(name)
    mfile.create_dataset('d', (1,), dtype='i1')
    assert list(mfile) == ['a', 'b', 'c', 'd']  # sorted by name, as HDF5 lists them
    assert list(mfile.keys()) == ['a', 'b', 'c', 'd']
    assert len(mfile) == 4
    assert 'a' in mfile and '/a' in mfile and 'q' not in mfile and 'a/q' not in mfile and 3 not in mfile
    assert 'd/x' not in mfile  # a dataset in the middle of a path
    assert [v.name for v in mfile.values()] == ['/a', '/b', '/c', '/d']
    items = dict(mfile.items())
    assert isinstance(items['d'], h5mf.Dataset) and isinstance(items['a'], h5mf.Group)
    assert mfile.get('q') is None and mfile.get('q', 5) == 5 and mfile.get('a').name == '/a'


def test_missing_objects_raise_key_error(mfile):
    mfile.create_group('a')
    with pytest.raises(KeyError, match="'/a/nope' not found"):
        mfile['a/nope']
    with pytest.raises(KeyError):
        mfile['nope/deeper']


def test_existing_names_raise_value_error(mfile):
    mfile.create_group('a')
    mfile.create_dataset('d', (1,), dtype='f4')
    with pytest.raises(ValueError, match='already exists'):
        mfile.create_group('a')
    with pytest.raises(ValueError, match='already exists'):
        mfile.create_dataset('a', (1,), dtype='f4')
    with pytest.raises(ValueError, match='is a dataset, not a group'):
        mfile.create_group('d/x')


def test_require_group(mfile):
    a = mfile.require_group('a/b')
    assert a.name == '/a/b'
    assert mfile.require_group('a/b') == a
    mfile.create_dataset('d', (1,), dtype='f4')
    with pytest.raises(TypeError, match=r'Incompatible object \(Dataset\) already exists'):  # as h5py
        mfile.require_group('d')


def test_delete_unlinks(mfile):
    mfile.create_group('a/b')
    del mfile['a']
    assert 'a' not in mfile and list(mfile) == []
    with pytest.raises(KeyError):
        del mfile['a']


def test_setitem_creates_a_dataset(mfile):
    mfile['data'] = np.arange(6, dtype='u2').reshape(2, 3)
    mfile['g/list'] = [1.5, 2.5]
    assert mfile['data'].dtype == np.dtype('<u2') and mfile['data'].shape == (2, 3)
    assert mfile['data'][...].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert mfile['g/list'].dtype == np.float64 and mfile['g/list'][...].tolist() == [1.5, 2.5]


def test_visit(mfile):
    mfile.create_group('a/b')
    mfile.create_dataset('a/d', (1,), dtype='f4')
    mfile.create_group('c')
    names = []
    assert mfile.visit(names.append) is None
    assert names == ['a', 'a/b', 'a/d', 'c']
    found = mfile.visititems(lambda name, obj: name if isinstance(obj, h5mf.Dataset) else None)
    assert found == 'a/d'


def test_create_dataset_arguments(mfile):
    d = mfile.create_dataset('default', (3,))
    assert d.dtype == np.float32 and d.shape == (3,) and d.chunks is None and d.maxshape == (3,)
    d = mfile.create_dataset('intshape', 4, dtype='i')
    assert d.shape == (4,) and d.dtype == np.int32
    d = mfile.create_dataset('fromdata', data=[[1, 2], [3, 4]], dtype='i8')
    assert d.shape == (2, 2) and d.dtype == np.int64 and d[...].tolist() == [[1, 2], [3, 4]]
    d = mfile.create_dataset('reshaped', (4,), data=np.arange(4).reshape(2, 2))
    assert d[...].tolist() == [0, 1, 2, 3]
    d = mfile.create_dataset('chunked', (100, 10), dtype='f8', chunks=(10, 5))
    assert d.chunks == (10, 5)
    d = mfile.create_dataset('autochunk', (100, 10), dtype='f8', chunks=True)
    assert d.chunks is not None and len(d.chunks) == 2
    d = mfile.create_dataset('unlimited', (2, 3), maxshape=(None, 3), dtype='i2')
    assert d.maxshape == (None, 3) and d.chunks is not None and d.chunks[1] == 3
    d = mfile.create_dataset('appendable', (0,), maxshape=(None,), dtype='f8')
    assert d.chunks == (1024,)  # h5py's guess
    d = mfile.create_dataset('bounded', (2,), maxshape=(100,), dtype='f8')
    assert d.chunks == (2,)  # h5py's guess: from the shape, not maxshape
    d = mfile.create_dataset('fill', (3,), dtype='f4', fillvalue=2.5)
    assert d.fillvalue == 2.5 and d[...].tolist() == [2.5, 2.5, 2.5]
    d = mfile.create_dataset('scalar', data=7.0)
    assert d.shape == () and d[()] == 7.0
    d = mfile.create_dataset('bytes', data=np.array([b'ab', b'cde']))
    assert d.dtype == np.dtype('S3') and d[...].tolist() == [b'ab', b'cde']
    with pytest.raises(ValueError, match='incompatible'):
        mfile.create_dataset('bad', (5,), data=np.arange(4))
    with pytest.raises(TypeError, match='shape or data'):
        mfile.create_dataset('noshape')
    with pytest.raises(ValueError, match='Maxdims is smaller than dims'):
        mfile.create_dataset('badmax', (5,), maxshape=(4,), dtype='f4')


@pytest.mark.parametrize('dtype', ['U3', 'O', 'V4', [('a', 'i4'), ('b', 'V2')], ('V2', (3,))])
def test_unsupported_dtypes(mfile, dtype):
    with pytest.raises(TypeError, match='cannot create datasets of dtype'):
        mfile.create_dataset('x', (2,), dtype=dtype)


def test_require_dataset(mfile):
    d = mfile.require_dataset('x', (3,), 'i4')
    d[...] = [1, 2, 3]
    again = mfile.require_dataset('x', (3,), 'i4')
    assert again.name == '/x' and again[...].tolist() == [1, 2, 3]
    assert mfile.require_dataset('x', (3,), 'i2')[0] == 1  # i2 casts safely to i4
    with pytest.raises(TypeError, match='Shapes do not match'):
        mfile.require_dataset('x', (4,), 'i4')
    with pytest.raises(TypeError, match='exactly'):
        mfile.require_dataset('x', (3,), 'i2', exact=True)
    with pytest.raises(TypeError, match='safely'):
        mfile.require_dataset('x', (3,), 'f8')
    mfile.create_group('g')
    with pytest.raises(TypeError, match='Incompatible object'):
        mfile.require_dataset('g', (3,), 'i4')
    d = mfile.require_dataset('new', (2, 2), 'f8', fillvalue=1.0)
    assert d[...].tolist() == [[1.0, 1.0], [1.0, 1.0]]
