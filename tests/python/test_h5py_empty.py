"""Issue 18: h5py.Empty (HDF5's null dataspace). h5mf.Empty is h5py's value (dtype, equality);
storing one is not supported yet, so every driver refuses it with NotImplementedError naming it
and stores nothing else instead (no scalar, no object array)."""

import h5py
import numpy as np
import pytest

import h5mf


def test_empty_is_h5pys_value():
    e = h5mf.Empty('f4')
    assert e.dtype == np.dtype('f4')
    assert e == h5mf.Empty(np.float32) and e == h5py.Empty('f4') and h5py.Empty('f4') == h5py.Empty('f4')
    assert e != h5mf.Empty('i8') and e != 0 and e != np.empty(0, 'f4')
    assert repr(e) == repr(h5py.Empty('f4'))


def _calls(f, empty):
    return [
        ('dataset from Empty', lambda: f.create_dataset('b', data=empty('i8')), 'b'),
        ('dataset of a dtype alone', lambda: f.create_dataset('a', dtype='f4'), 'a'),
        ('attribute', lambda: f.attrs.__setitem__('c', empty('i8')), None),
        ('attrs.create', lambda: f.attrs.create('d', empty('f4')), None),
    ]


def test_h5py_makes_empty(tmp_path):
    """The yardstick: h5py 3.7 stores each of them with a null dataspace."""
    with h5py.File(tmp_path / 'plain.h5', 'w') as f:
        for _, call, _ in _calls(f, h5py.Empty):
            call()
        assert f['a'].shape is None and f['b'][()] == h5py.Empty('i8') and f.attrs['c'] == h5py.Empty('i8')


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_empty_refused(tmp_path, driver):
    path = str(tmp_path / f'{driver}.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        for empty in (h5mf.Empty, h5py.Empty):
            for label, call, name in _calls(f, empty):
                with pytest.raises(NotImplementedError, match='null dataspace'):
                    call()
                if name is not None:
                    assert name not in f, label
        assert list(f.attrs) == [] and list(f) == []
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert list(f) == [] and list(f.attrs) == []
