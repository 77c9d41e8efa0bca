"""Attributes: dict-like, numpy values and strings."""

import numpy as np
import pytest

import h5mf


@pytest.fixture(params=['file', 'group', 'dataset'])
def owner(request, mfile):
    if request.param == 'file':
        return mfile
    if request.param == 'group':
        return mfile.create_group('g')
    return mfile.create_dataset('d', (2,), dtype='f4')


def test_values_round_trip(owner):
    attrs = owner.attrs
    attrs['x'] = 5
    attrs['f'] = 2.5
    attrs['s'] = 'text'
    attrs['u'] = 'ünïcødé'
    attrs['v'] = np.arange(3)
    attrs['m'] = np.arange(6, dtype='u2').reshape(2, 3)
    attrs['i8'] = np.int8(-3)
    attrs['f4'] = np.float32(0.5)
    attrs['list'] = [1.0, 2.0]
    attrs['strings'] = ['a', 'bc']
    attrs['strarray'] = np.array([['x', 'y'], ['z', 'w']])
    attrs['bytes'] = b'raw'
    attrs['empty'] = ''

    assert attrs['x'] == 5 and isinstance(attrs['x'], np.int64)
    assert attrs['f'] == 2.5 and isinstance(attrs['f'], np.float64)
    assert attrs['s'] == 'text' and isinstance(attrs['s'], str)
    assert attrs['u'] == 'ünïcødé'
    np.testing.assert_array_equal(attrs['v'], [0, 1, 2])
    assert attrs['v'].dtype == np.int64
    np.testing.assert_array_equal(attrs['m'], np.arange(6).reshape(2, 3))
    assert attrs['m'].dtype == np.uint16
    assert attrs['i8'] == -3 and isinstance(attrs['i8'], np.int8)
    assert attrs['f4'] == 0.5 and isinstance(attrs['f4'], np.float32)
    assert attrs['list'].tolist() == [1.0, 2.0]
    assert attrs['strings'].tolist() == ['a', 'bc'] and attrs['strings'].dtype == object
    assert attrs['strarray'].tolist() == [['x', 'y'], ['z', 'w']]
    assert attrs['bytes'] == 'raw' and isinstance(attrs['bytes'], str)  # as h5py 3 reads bytes
    assert attrs['empty'] == ''


def test_mapping_interface(owner):
    attrs = owner.attrs
    attrs['b'] = 1
    attrs['a'] = 'x'
    attrs['c'] = np.zeros(2)
    assert 'a' in attrs and 'q' not in attrs and 1 not in attrs
    assert list(attrs) == ['a', 'b', 'c'] and list(attrs.keys()) == ['a', 'b', 'c']
    assert len(attrs) == 3
    items = dict(attrs.items())
    assert items['a'] == 'x' and items['b'] == 1
    assert attrs.get('q', 7) == 7 and attrs.get('b') == 1
    del attrs['b']
    assert 'b' not in attrs and list(attrs) == ['a', 'c']
    with pytest.raises(KeyError, match="attribute 'b' not found"):
        attrs['b']
    with pytest.raises(KeyError):
        del attrs['b']
    attrs['a'] = 3  # replaces, with another type
    assert attrs['a'] == 3
    attrs.create('made', [1, 2, 3, 4], shape=(2, 2), dtype='i2')
    assert attrs['made'].tolist() == [[1, 2], [3, 4]] and attrs['made'].dtype == np.int16


def test_attributes_survive_reopen_and_merge(container):
    import h5py
    with h5mf.File(container, 'w', driver='multifile') as f:
        f.attrs['title'] = 'run 1'
        f.create_dataset('d', (1,), dtype='i4').attrs['units'] = np.array([1.5, 2.5], dtype='f4')
    with h5mf.File(container, 'r') as f:
        assert f.attrs['title'] == 'run 1'
        assert f['d'].attrs['units'].tolist() == [1.5, 2.5]
    h5mf.merge(container)
    with h5py.File(container, 'r') as f:
        assert f.attrs['title'] == 'run 1'
        assert f['d'].attrs['units'].dtype == np.float32
        assert f['d'].attrs['units'].tolist() == [1.5, 2.5]


@pytest.mark.parametrize('value', [np.zeros(1, 'V4'), np.zeros(1, [('v', 'V4')]), {'a': 1}, object()])
def test_unsupported_values(mfile, value):
    with pytest.raises(TypeError):
        mfile.attrs['x'] = value
    assert 'x' not in mfile.attrs


def test_bad_names(mfile):
    with pytest.raises(ValueError, match='invalid attribute name'):
        mfile.attrs['a/b'] = 1
    with pytest.raises(ValueError, match='invalid attribute name'):
        mfile.attrs[''] = 1
