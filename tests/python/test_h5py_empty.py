"""Issue 18: h5py.Empty (HDF5's null dataspace) for datasets and attributes. The same calls run
through h5py 3.7 on a plain file and through h5mf (multifile with writers=1, and sec2) give the
same values, dtypes, shapes and exceptions; after the merge (and in the view) h5py reads h5mf's
file as it reads its own, and h5diff finds no difference."""

import os
import shutil
import subprocess
import warnings

import h5py
import numpy as np
import pytest

import h5mf
from conftest import assert_dump_as_h5dump
from parity import Recorder, assert_same_files, assert_same_outcomes

COMPOUND = np.dtype([('x', '<i4'), ('y', '<f8')])


def test_empty_is_h5pys_value():
    e = h5mf.Empty('f4')
    assert e.dtype == np.dtype('f4')
    assert e == h5mf.Empty(np.float32) and e == h5py.Empty('f4') and h5py.Empty('f4') == h5py.Empty('f4')
    assert e != h5mf.Empty('i8') and e != 0 and e != np.empty(0, 'f4')
    assert repr(e) == repr(h5py.Empty('f4'))


def describe(d):
    return (d.shape, d.size, d.ndim, d.dtype, d.maxshape, d.chunks, d.nbytes, d.fillvalue, d.compression)


def create(h, f, record):
    """The creations h5py accepts and refuses, datasets and attributes."""
    E = h.Empty
    record('from Empty', lambda: describe(f.create_dataset('b', data=E('i8'))))
    record('of a dtype alone', lambda: describe(f.create_dataset('a', dtype='f4')))
    record('shape=None, fill', lambda: describe(f.create_dataset('n', shape=None, dtype='u2', fillvalue=7)))
    record('dtype over the Empty', lambda: describe(f.create_dataset('o', dtype='i4', data=E('f4'))))
    record('compound', lambda: describe(f.create_dataset('c', data=E(COMPOUND))))
    record('string', lambda: f.create_dataset('s', data=E(h.string_dtype())).dtype)
    record('bytes', lambda: describe(f.create_dataset('s5', data=E('S5'))))
    record('chunks=False', lambda: describe(f.create_dataset('cf', data=E('f4'), chunks=False)))
    record('maxshape=()', lambda: describe(f.create_dataset('m0', data=E('f4'), maxshape=())))
    record('track_times', lambda: describe(f.create_dataset('tt', data=E('f4'), track_times=False)))
    record('chunks=True', lambda: f.create_dataset('x1', data=E('f4'), chunks=True))
    record('gzip', lambda: f.create_dataset('x2', data=E('f4'), compression='gzip'))
    record('shuffle', lambda: f.create_dataset('x3', data=E('f4'), shuffle=True))
    record('maxshape', lambda: f.create_dataset('x4', data=E('f4'), maxshape=(None,)))
    record('shape and Empty', lambda: f.create_dataset('x5', shape=(3,), data=E('f4')))
    record('nothing at all', lambda: f.create_dataset('x6'))
    record('like', lambda: describe(f.create_dataset_like('l', f['n'])))
    record('require', lambda: describe(f.require_dataset('b', shape=None, dtype='i8')))
    record('require scalar', lambda: f.require_dataset('b', shape=(), dtype='i8'))
    record('require of a scalar', lambda: f.require_dataset('sc', shape=(), dtype='i8').shape)
    record('require Empty of a scalar', lambda: f.require_dataset('sc', shape=None, dtype='i8'))
    f['g'] = E('i2')  # (group[name] = Empty: a dataset)

    for target in (f, f['b']):
        a = target.attrs
        a['e'] = E('i4')
        a.create('f', E('f8'))
        a.create('i', E('f4'), dtype='i8')
        a['s'] = E(h.string_dtype())
        a['cp'] = E(COMPOUND)
        a['S'] = E('S3')
        a['x'] = 3
        record('attribute with a shape', lambda: a.create('h', E('f4'), shape=(2,)))
        record('modify an Empty', lambda: a.modify('e', 1))
        record('modify to an Empty', lambda: a.modify('x', E('f4')))
        record('modify a new name', lambda: a.modify('new', E('u8')))
        a['gone'] = E('i4')
        del a['gone']
        a['over'] = np.arange(3)
        a['over'] = E('f4')  # (an Empty replaces a value)


def read(f, record):
    """What h5py tells and does with what create() made."""
    for name in ('a', 'b', 'n', 'o', 'c', 's', 's5', 'cf', 'm0', 'tt', 'l', 'g'):
        record(f'{name} [()]', lambda: f[name][()])
    record('s dtype', lambda: f['s'].dtype)
    d = f['b']
    record('[...]', lambda: d[...])
    record('astype', lambda: d.astype('f8')[()])
    record('len', lambda: len(d))
    record('[0]', lambda: d[0])
    record('[:]', lambda: d[:])
    record('field', lambda: d['x'])
    record('[0, 0]', lambda: d[0, 0])
    record('array', lambda: _quiet(np.array, d))
    record('iterate', lambda: list(d))
    record('read_direct', lambda: d.read_direct(np.empty(0, 'i8')))
    record('resize', lambda: d.resize((3,)))
    record('keys', lambda: sorted(f.keys()))
    for target in (f, d):
        record('attribute names', lambda: sorted(target.attrs))
        record('items', lambda: sorted(target.attrs.items(), key=lambda kv: kv[0]))
        record('get', lambda: target.attrs.get('e'))


def _quiet(call, *args):
    """h5py 3.7 warns (numpy's deprecation of None shapes) before it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        return call(*args)


def write(f, record):
    d = f['b']
    record('[()] = 1', lambda: d.__setitem__((), 1))
    record('[...] = array', lambda: d.__setitem__(Ellipsis, np.arange(2)))
    record('[:] = 1', lambda: d.__setitem__(slice(None), 1))
    record('write_direct', lambda: d.write_direct(np.empty(0, 'i8')))


def portable(outcomes):
    return [(label, how, value) for label, how, value in outcomes]


def run(h, path, **kwargs):
    """The calls through `h` (h5py or h5mf) on a new file at `path`: outcomes of creation and
    writing, then of reading after a reopen."""
    made, reread = Recorder(), Recorder()
    with h.File(path, 'w', **kwargs) as f:
        create(h, f, made)
        write(f, made)
        read(f, made)
    with h.File(path, 'r', **({} if h is h5py else {'driver': kwargs['driver']})) as f:
        read(f, reread)
    return made.outcomes, reread.outcomes


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_empty_as_h5py(tmp_path, driver):
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / f'{driver}.h5')
    ref = run(h5py, ref_path)
    mine = run(h5mf, path, driver=driver, **({'writers': 1} if driver == 'multifile' else {}))
    assert_same_outcomes(mine[0], ref[0])
    assert_same_outcomes(mine[1], ref[1])
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if cli:  # `h5mf dump` (of the container, before the merge) prints what h5dump prints of h5py's file
        expected = assert_dump_as_h5dump(path, ref_path)
        assert 'DATASPACE  NULL' in expected
    if driver == 'multifile':
        report = h5mf.verify(path)
        assert report.exit_code == 0, report
        h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
        assert_same_files(a, b)
        for name in ('a', 'b', 'n', 's', 'g'):
            assert a[name].shape is None and a[name].id.get_space().get_simple_extent_type() == h5py.h5s.NULL
        assert a['n'].fillvalue == 7 and a.attrs['s'] == h5py.Empty(h5py.string_dtype())
    subprocess.run(['h5diff', path, ref_path], check=True)


def test_view_shows_empty(tmp_path):
    """In the view, a null dataset is a plain dataset with a null dataspace (not virtual)."""
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile', writers=1) as f:
        f.create_dataset('e', data=h5mf.Empty('f4'))
        f.create_dataset('v', data=np.arange(4))
        f['v'].attrs['e'] = h5mf.Empty('i8')
    h5mf.view(path, str(tmp_path / 'view.h5'))
    with h5py.File(str(tmp_path / 'view.h5'), 'r') as v:
        assert v['e'].shape is None and v['e'][()] == h5py.Empty('f4') and not v['e'].is_virtual
        assert v['v'][()].tolist() == [0, 1, 2, 3] and v['v'].attrs['e'] == h5py.Empty('i8')


@pytest.mark.parametrize('driver', ['sec2', 'multifile'])
def test_reading_h5pys_empty(tmp_path, driver):
    """h5mf reads h5py's file: sec2 directly, multifile as the base of a container (its null
    dataspaces imported, and kept by the merge)."""
    path = str(tmp_path / 'h5py.h5')
    with h5py.File(path, 'w') as f:
        f.create_dataset('e', data=h5py.Empty('f4'))
        f.attrs['a'] = h5py.Empty('i4')
        f['e'].attrs['s'] = h5py.Empty(h5py.string_dtype())
    with h5mf.File(path, 'r' if driver == 'sec2' else 'a', driver=driver) as f:
        assert f['e'].shape is None and f['e'].size is None and f['e'][()] == h5py.Empty('f4')
        assert f.attrs['a'] == h5mf.Empty('i4') and f['e'].attrs['s'] == h5py.Empty(h5py.string_dtype())
        if driver == 'multifile':  # (h5py's Empty values are accepted as h5mf's)
            f.create_dataset('new', data=h5py.Empty('u1'))
            f['new'].attrs.create('b', h5py.Empty('f2'))
            assert f['new'].shape is None and f['new'].attrs['b'] == h5mf.Empty('f2')
    if driver == 'multifile':
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert f['e'][()] == h5py.Empty('f4') and f['new'][()] == h5py.Empty('u1')
            assert f.attrs['a'] == h5py.Empty('i4') and f['new'].attrs['b'] == h5py.Empty('f2')
