"""Variable-length strings and sequences as dataset elements, checked against what the installed h5py
does with the same calls (h5py 3: reads give object arrays of bytes, asstr() gives str)."""

import os

import h5py
import numpy as np
import pytest

import h5mf

from conftest import h5dump

LONG = 'λ' * 50000


def fill(f):
    """The same program for h5mf and h5py files: 1-D and 2-D, contiguous and chunked, later wins."""
    a = f.create_dataset('a', (6,), dtype=f.string_dtype())
    a[0] = 'héllo'
    a[1] = b'bytes'
    a[2:4] = ['x', '']
    a[3] = LONG  # overwrites ''
    a[1:3] = np.array(['u1', 'u2'])  # numpy str arrays are accepted too
    g = f.create_dataset('g', (3, 4), dtype=f.string_dtype('ascii'), chunks=(2, 2))
    g[0] = [b'r0a', 'r0b', b'', 'r0d']
    g[1:, 1:3] = np.array([['p', 'q'], ['r', 's']], dtype=object)
    g[2, 1] = 'later'
    f.create_dataset('from_list', data=['α', 'bc'])
    f.create_dataset('from_bytes', data=[b'a', b'bc'])
    s = f.create_dataset('scalar', (), dtype=f.string_dtype())
    s[()] = 'only one'


class _H5pyFile(h5py.File):
    string_dtype = staticmethod(h5py.string_dtype)


def _h5mf_file(path, mode, driver):
    f = h5mf.File(path, mode, driver=driver)
    f.string_dtype = h5mf.string_dtype
    return f


def snapshot(f):
    """Everything the h5py API shows of the datasets: dtype (with metadata), values, asstr()."""
    out = {}
    for name in ('a', 'g', 'from_list', 'from_bytes', 'scalar'):
        d = f[name]
        values = d[()]
        out[name] = (d.dtype, d.dtype.metadata, d.shape,
                     values.tolist() if isinstance(values, np.ndarray) else values,
                     type(values), (values.dtype if isinstance(values, np.ndarray) else None),
                     np.asarray(d.asstr()[()]).tolist(), h5py.check_string_dtype(d.dtype))
    out['a[0]'] = (f['a'][0], type(f['a'][0]), f['a'].asstr()[0], f['a'][-2:].tolist())
    out['g[1:, 2]'] = f['g'][1:, 2].tolist()
    return out


@pytest.fixture
def reference(tmp_path):
    path = str(tmp_path / 'reference.h5')
    with _H5pyFile(path, 'w') as f:
        fill(f)
    with h5py.File(path, 'r') as f:
        yield path, snapshot(f)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_same_as_h5py_direct_and_merged(driver, tmp_path, reference):
    ref_path, want = reference
    path = str(tmp_path / 'test.h5')
    with _h5mf_file(path, 'w', driver) as f:
        fill(f)
        assert snapshot(f) == want  # reading back while writing
    with h5mf.File(path, 'r') as f:
        assert snapshot(f) == want
    if driver == 'multifile':
        h5mf.merge(path)
    assert os.path.isfile(path)
    with h5py.File(path, 'r') as f:
        assert snapshot(f) == want
    # h5dump shows the same types and strings (NULL for unwritten elements, "" for written empty).
    assert h5dump(path).split('\n', 1)[1] == h5dump(ref_path).split('\n', 1)[1]


def test_string_dtype_mirrors_h5py():
    for args in [(), ('ascii',), ('utf-8', 5), ('ascii', 3)]:
        assert h5mf.string_dtype(*args) == h5py.string_dtype(*args)
        assert h5mf.string_dtype(*args).metadata == h5py.string_dtype(*args).metadata
        assert h5mf.check_string_dtype(h5mf.string_dtype(*args)) == h5py.check_string_dtype(h5py.string_dtype(*args))
    assert h5mf.check_string_dtype(np.dtype('i4')) is None
    with pytest.raises(ValueError):
        h5mf.string_dtype('latin-1')


def test_unwritten_and_refusals(mfile):
    d = mfile.create_dataset('d', (3,), dtype=h5mf.string_dtype())
    d[1] = 'one'
    assert d[...].tolist() == [b'', b'one', b'']
    assert d.fillvalue == b''
    assert d.asstr()[...].tolist() == ['', 'one', '']
    assert d.asstr()[...].dtype == object and len(d.asstr()) == 3
    with pytest.raises(TypeError, match='non-string'):
        d[0] = 5
    with pytest.raises(TypeError, match='non-string'):
        d[0:2] = np.array([None, 'x'], dtype=object)
    a = mfile.create_dataset('ascii', (1,), dtype=h5mf.string_dtype('ascii'))
    with pytest.raises(UnicodeEncodeError):
        a[0] = 'é'
    with pytest.raises(TypeError):  # as h5py: numpy str arrays do not pick a string type
        mfile.create_dataset('u', data=np.array(['a', 'bc']))
    f = mfile.create_dataset('f', (2,), dtype=h5mf.string_dtype(), fillvalue='z')  # (test_h5py_vlen_fill.py)
    assert f[...].tolist() == [b'z', b'z'] and f.fillvalue == b'z'
    with pytest.raises(TypeError, match='asstr'):
        mfile.create_dataset('n', (1,), dtype='i4').asstr()
    # dtype=str (which h5py refuses) is taken as string_dtype().
    s = mfile.create_dataset('s', (2,), dtype=str)
    assert s.dtype.metadata == {'vlen': str}
    s[...] = ['ok', 'é']
    assert s[...].tolist() == [b'ok', 'é'.encode()]


# ---- variable-length sequences (h5py.vlen_dtype)

def fill_sequences(f, vlen_dtype):
    v = f.create_dataset('v', (5,), dtype=vlen_dtype(np.int32))
    v[0] = [1, 2, 3]
    v[1] = np.arange(2, dtype='f8')  # converted to the base type
    v[2:4] = [[5], []]
    v[0:1] = [np.arange(100000)]  # later wins, long
    g = f.create_dataset('g', (2, 3), dtype=vlen_dtype('f8'), chunks=(1, 2))
    g[0, 1] = [1.5]
    g[1, 1:] = [[2.5, 3.5], [4.5]]


def sequences_of(f):
    out = {}
    for name in ('v', 'g'):
        d = f[name]
        values = d[()]
        out[name] = (d.dtype, d.dtype.metadata, values.shape, values.dtype,
                     [(a.dtype, a.tolist()) for a in values.ravel()])
    out['v[1]'] = (f['v'][1].dtype, f['v'][1].tolist())
    return out


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_sequences_same_as_h5py(driver, tmp_path):
    ref_path = str(tmp_path / 'reference.h5')
    with h5py.File(ref_path, 'w') as f:
        fill_sequences(f, h5py.vlen_dtype)
    with h5py.File(ref_path, 'r') as f:
        want = sequences_of(f)
    path = str(tmp_path / 'test.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        fill_sequences(f, h5mf.vlen_dtype)
        assert sequences_of(f) == want
        with pytest.raises(TypeError):
            f['v'][0] = 'abc'
        with pytest.raises(TypeError, match='asstr'):
            f['v'].asstr()
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert sequences_of(f) == want
    assert h5dump(path).split('\n', 1)[1] == h5dump(ref_path).split('\n', 1)[1]


def test_vlen_dtype_mirrors_h5py():
    for base in (np.int32, 'f8', np.dtype('u2')):
        assert h5mf.vlen_dtype(base) == h5py.vlen_dtype(base)
        assert h5mf.vlen_dtype(base).metadata == h5py.vlen_dtype(base).metadata
        assert h5mf.check_vlen_dtype(h5mf.vlen_dtype(base)) == h5py.check_vlen_dtype(h5py.vlen_dtype(base))
    assert h5mf.check_vlen_dtype(h5mf.string_dtype()) == h5py.check_vlen_dtype(h5py.string_dtype())
    assert h5mf.check_vlen_dtype(np.dtype('i4')) is None


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_beside_structured_enum_and_compressed(driver, tmp_path):
    """Variable-length data beside the fixed-size types in one file, the strings compressed: the
    merge writes each through its own path; h5py reads the same values and filters."""
    point = np.dtype([('x', 'f8'), ('id', 'i4'), ('ok', '?')])
    color = h5mf.enum_dtype({'RED': 0, 'GREEN': 1}, basetype='i1')
    records = np.array([(0.5, 1, True), (1.5, 2, False), (2.5, 3, True)], dtype=point)
    path = str(tmp_path / 'mixed.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        f.create_dataset('points', data=records)
        f.create_dataset('colors', data=np.array([1, 0, 1], dtype=color))
        s = f.create_dataset('labels', (5,), dtype=h5mf.string_dtype(), compression='gzip', shuffle=True)
        s[0:3] = ['α', 'beta', '']
        s[4] = 'last'
        v = f.create_dataset('runs', (3,), dtype=h5mf.vlen_dtype('i2'), compression=6, chunks=(2,))
        v[0:2] = [[1, 2, 3], []]
        v[2] = np.arange(40, dtype='i2')
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert f['points'][()].tolist() == records.tolist()
        assert f['points'].dtype.names == ('x', 'id', 'ok')
        assert h5py.check_enum_dtype(f['colors'].dtype) == {'RED': 0, 'GREEN': 1}
        assert f['colors'][()].tolist() == [1, 0, 1]
        assert f['labels'].compression == 'gzip' and f['labels'].shuffle
        assert f['labels'].asstr()[()].tolist() == ['α', 'beta', '', '', 'last']
        assert f['runs'].compression == 'gzip' and f['runs'].compression_opts == 6
        assert [r.tolist() for r in f['runs'][()]] == [[1, 2, 3], [], list(range(40))]
