"""Issue 18, named datatypes as h5py 3.7 links them: a dataset made with `dtype=f['t']` shares the
committed type (HDF5's shared datatype message; h5dump prints `DATATYPE "/t"`). The same calls run
through h5py on a plain file and through h5mf (multifile: the session, direct reads of the
container, the view and the merged file; sec2: the file itself); h5py reads the same and h5dump
prints the same."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import h5mf

PAIR = np.dtype([('a', '<i2'), ('b', '<f8')])


def linked(f):
    """The calls, through h5py or h5mf (`f`: an open file of either)."""
    f['t'] = np.dtype('<i4')
    f.create_group('g')
    f['g/p'] = PAIR
    d = f.create_dataset('d', (4,), dtype=f['t'])
    d[1:3] = [5, -6]
    f.create_dataset('g/e', data=np.array([(1, 0.5), (-2, 2.5)], PAIR), dtype=f['g/p'])
    f.create_dataset('fill', (3,), dtype=f['t'], fillvalue=7)
    f.create_dataset('chunked', (2, 3), dtype=f['t'], maxshape=(None, 3), chunks=(1, 3))[1] = [1, 2, 3]
    f.create_dataset('null', dtype=f['t'])  # HDF5's null dataspace, of the named type
    f.create_dataset('own', (2,), dtype='<i4')  # an equal type of its own: not linked
    f.attrs.create('a', 3, dtype=f['t'])  # attributes share it too
    f['g/e'].attrs.create('p', np.array([(1, 0.5)], PAIR), dtype=f['g/p'])
    f.attrs.create('empty', h5py_empty(f)('<i4'), dtype=f['t'])
    f.attrs['plain'] = np.int32(4)


def h5py_empty(f):
    if isinstance(f, h5mf.File):
        return h5mf.Empty
    import h5py
    return h5py.Empty


def reads(f):
    out = {'attrs': (f.attrs['a'], f.attrs['a'].dtype, f['g/e'].attrs['p'].tolist(), f.attrs['empty'].dtype,
                     f.attrs['plain'])}
    for name in ('d', 'g/e', 'fill', 'chunked', 'own'):
        out[name] = (f[name].dtype, f[name][()].tolist())
    out['null'] = f['null'].dtype
    return out


def committed(f):
    """Which datasets share a named datatype (h5py: the dataset's type is committed)."""
    names = ('d', 'g/e', 'fill', 'chunked', 'null', 'own')
    if isinstance(f, h5mf.File):
        return {n: f[n].type_committed for n in names}
    out = {n: f[n].id.get_type().committed() for n in names}
    assert f.attrs.get_id('a').get_type() == f['t'].id and f.attrs.get_id('a').get_type().committed()
    assert f['g/e'].attrs.get_id('p').get_type().committed() and f.attrs.get_id('empty').get_type().committed()
    assert not f.attrs.get_id('plain').get_type().committed()
    return out


def h5dump(directory, *args, tool=('h5dump',)):
    return subprocess.run([*tool, *args, 'f.h5'], cwd=directory, check=True, capture_output=True, text=True).stdout


def cli():
    tool = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if tool is None:
        pytest.skip('no h5mf tool (H5MF_CLI) in this environment')
    return tool


@pytest.fixture
def h5py_ref(tmp_path):
    import h5py
    os.mkdir(tmp_path / 'h5py_ref')
    path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(path, 'w') as f:
        linked(f)
        return path, reads(f), committed(f)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_datasets_made_with_a_named_type_share_it(tmp_path, h5py_ref, driver):
    import h5py
    ref_path, ref, ref_committed = h5py_ref
    assert ref_committed == {'d': True, 'g/e': True, 'fill': True, 'chunked': True, 'null': True, 'own': False}
    os.mkdir(tmp_path / 'h5mf')
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        linked(f)
        assert reads(f) == ref and committed(f) == ref_committed  # in the session
    with h5mf.File(path, 'r') as f:  # reopened: direct reads of the container (or the sec2 file)
        assert reads(f) == ref and committed(f) == ref_committed
    if driver == 'multifile':  # h5mf dump prints the container as h5dump prints h5py's file
        assert h5dump(tmp_path / 'h5mf', tool=(cli(), 'dump')) == h5dump(tmp_path / 'h5py_ref')
        h5mf.view(path, str(tmp_path / 'view.h5'))
        with h5py.File(str(tmp_path / 'view.h5'), 'r') as f:
            assert committed(f) == ref_committed
            assert f['d'].id.get_type() == f['t'].id and f['g/e'].id.get_type() == f['g/p'].id
            assert reads(f) == ref
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert reads(f) == ref and committed(f) == ref_committed
    assert h5dump(tmp_path / 'h5mf') == h5dump(tmp_path / 'h5py_ref')
    assert 'DATATYPE  "/t"' in h5dump(tmp_path / 'h5mf')


def test_a_named_type_moved_or_unlinked_stays_shared(tmp_path):
    """As in HDF5: the dataset names the type object, not its name; an unlinked named datatype
    stays while a dataset shares it."""
    import h5py
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f['t'] = np.dtype('<f2')
        f['u'] = np.dtype('<c8')
        f.create_dataset('a', data=np.array([1.5, 2], '<f2'), dtype=f['t'])
        f.create_dataset('b', (2,), dtype=f['u'])
        f.move('t', 'moved')
        del f['u']
        f.create_dataset('c', (1,), dtype=f['moved'])
        assert f['a'].type_committed and f['b'].type_committed and f['c'].type_committed
    with h5mf.File(path, 'r') as f:
        assert sorted(f) == ['a', 'b', 'c', 'moved'] and f['b'].dtype == np.complex64 and f['b'].type_committed
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert sorted(f) == ['a', 'b', 'c', 'moved']
        assert f['a'].id.get_type() == f['moved'].id and f['c'].id.get_type() == f['moved'].id
        assert f['b'].id.get_type().committed() and f['b'].dtype == np.complex64
        assert f['a'][()].tolist() == [1.5, 2]


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_data_of_another_dtype_is_converted_to_the_named_type(tmp_path, driver):
    with h5mf.File(str(tmp_path / 'c.h5'), 'w', driver=driver) as f:
        f['t'] = np.dtype('<i4')
        d = f.create_dataset('d', data=np.arange(3.5, dtype='f8'), dtype=f['t'])  # h5py converts the data
        assert d.type_committed and d.dtype == np.dtype('<i4') and d[()].tolist() == [0, 1, 2, 3]


def attributed(h, f):
    """Attributes on named datatypes, through h5py or h5mf (`h` the module)."""
    f['t'] = np.dtype('<i4')
    f.create_group('g')
    f['g/p'] = PAIR
    t = f['t']
    t.attrs['x'] = 1
    t.attrs['units'] = 'm'
    t.attrs['arr'] = np.arange(3.0)
    t.attrs['gone'] = 2
    f['g/p'].attrs['e'] = h.Empty('<f4')
    f['g/p'].attrs['pair'] = np.array([(1, 0.5)], PAIR)
    del f['t'].attrs['gone']
    f['t'].attrs['x'] = np.int16(-3)  # replaced
    f.create_dataset('d', (2,), dtype=f['t'])


def attribute_reads(f):
    out = {}
    for name in ('t', 'g/p'):
        attrs = f[name].attrs
        out[name] = sorted((k, ('Empty', attrs[k].dtype) if k == 'e' else attrs[k].tolist()
                            if hasattr(attrs[k], 'tolist') else attrs[k]) for k in attrs)
    out['t x dtype'] = f['t'].attrs['x'].dtype
    out['in'] = ['x' in f['t'].attrs, 'gone' in f['t'].attrs, len(f['g/p'].attrs)]
    return out


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_attributes_of_named_types_as_h5py(tmp_path, driver):
    import h5py
    os.mkdir(tmp_path / 'h5py_ref')
    os.mkdir(tmp_path / 'h5mf')
    with h5py.File(str(tmp_path / 'h5py_ref' / 'f.h5'), 'w') as f:
        attributed(h5py, f)
        ref = attribute_reads(f)
    assert ref['t'] == [('arr', [0.0, 1.0, 2.0]), ('units', 'm'), ('x', -3)]
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        attributed(h5mf, f)
        assert attribute_reads(f) == ref  # in the session
    with h5mf.File(path, 'r') as f:
        assert attribute_reads(f) == ref  # reopened
        with pytest.raises(Exception):  # read-only, as h5py
            f['t'].attrs['y'] = 1
    if driver == 'multifile':
        assert h5dump(tmp_path / 'h5mf', tool=(cli(), 'dump')) == h5dump(tmp_path / 'h5py_ref')
        h5mf.view(path, str(tmp_path / 'view.h5'))
        with h5py.File(str(tmp_path / 'view.h5'), 'r') as f:
            assert attribute_reads(f) == ref
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert attribute_reads(f) == ref
    assert h5dump(tmp_path / 'h5mf') == h5dump(tmp_path / 'h5py_ref')


def test_attributes_of_a_base_files_named_type(tmp_path):
    """A container over an h5py file: its named datatypes' attributes are listed, changed and
    merged; new datasets made with its named datatype share it."""
    import h5py
    base = str(tmp_path / 'base.h5')
    with h5py.File(base, 'w') as f:
        f['t'] = np.dtype('<f8')
        f['t'].attrs['kept'] = 1
        f['t'].attrs['changed'] = 2
        f['t'].attrs['deleted'] = 3
    path = base
    with h5mf.File(path, 'a', driver='multifile') as f:
        assert os.path.isdir(path + '.h5mf')
        assert sorted(f['t'].attrs) == ['changed', 'deleted', 'kept']
        f['t'].attrs['changed'] = 20
        f['t'].attrs['new'] = 'n'
        del f['t'].attrs['deleted']
        f.create_dataset('d', data=[1.5, 2.5], dtype=f['t'])
    with h5mf.File(path, 'r') as f:
        assert dict(f['t'].attrs) == {'changed': 20, 'kept': 1, 'new': 'n'} and f['d'].type_committed
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert dict(f['t'].attrs) == {'changed': 20, 'kept': 1, 'new': 'n'}
        assert f['d'].id.get_type() == f['t'].id and f['d'].id.get_type().committed()
        assert f['d'][()].tolist() == [1.5, 2.5]


def hard_linked(f):
    """Hard links to named datatypes (h5py's `f['t2'] = f['t']`), through h5py or h5mf."""
    f['t'] = np.dtype('<i4')
    f['t'].attrs['units'] = 'm'
    f['t2'] = f['t']
    f['g/t3'] = f['t2']
    f['g/p'] = PAIR
    f['p2'] = f['g/p']
    f.create_dataset('d', data=[1, 2], dtype=f['t2'])  # shares the one committed type
    f['g/t3'].attrs['more'] = 2  # on the same object, whichever name
    f.create_dataset('e', data=np.array([(1, 0.5)], PAIR), dtype=f['p2'])
    del f['g/p']  # the type stays, under its other name


def hard_link_reads(f):
    visited = []
    f.visit(visited.append)  # each object once, at its first name
    return {'keys': sorted(f), 'g': sorted(f['g']), 'visited': visited,
            'same': [f['t'] == f['t2'], f['t2'] == f['g/t3'], f['t'] == f['p2']],
            'attrs': sorted(f['g/t3'].attrs.items()), 'dtypes': [f['t2'].dtype, f['p2'].dtype],
            'd': f['d'][()].tolist(), 'e': f['e'][()].tolist()}


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_hard_links_to_named_types_as_h5py(tmp_path, driver):
    import h5py
    os.mkdir(tmp_path / 'h5py_ref')
    os.mkdir(tmp_path / 'h5mf')
    with h5py.File(str(tmp_path / 'h5py_ref' / 'f.h5'), 'w') as f:
        hard_linked(f)
        ref = hard_link_reads(f)
    assert ref['same'] == [True, True, False] and ref['attrs'] == [('more', 2), ('units', 'm')]
    assert ref['visited'] == ['d', 'e', 'g', 'g/t3', 'p2']  # (h5py visits 'g/t3' before 't')
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        hard_linked(f)
        assert hard_link_reads(f) == ref  # in the session
        assert f['d'].type_committed and f['e'].type_committed
        with pytest.raises(ValueError, match='already exists'):
            f['t2'] = f['t']
    with h5mf.File(path, 'r') as f:
        assert hard_link_reads(f) == ref  # reopened
    if driver == 'multifile':
        assert h5dump(tmp_path / 'h5mf', tool=(cli(), 'dump')) == h5dump(tmp_path / 'h5py_ref')
        h5mf.view(path, str(tmp_path / 'view.h5'))
        with h5py.File(str(tmp_path / 'view.h5'), 'r') as f:
            assert hard_link_reads(f) == ref
            assert h5py.h5o.get_info(f['t'].id).addr == h5py.h5o.get_info(f['g/t3'].id).addr
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert hard_link_reads(f) == ref
        assert h5py.h5o.get_info(f['t'].id).addr == h5py.h5o.get_info(f['g/t3'].id).addr
        assert f['d'].id.get_type() == f['t2'].id and f['e'].id.get_type() == f['p2'].id
        assert f['d'].id.get_type().committed() and f['e'].id.get_type().committed()
    assert h5dump(tmp_path / 'h5mf') == h5dump(tmp_path / 'h5py_ref')


def test_objects_of_another_file_are_not_linked(tmp_path):
    """As h5py: OSError "interfile hard links are not allowed" (h5mf's error is a ValueError too)."""
    with h5mf.File(str(tmp_path / 'a.h5'), 'w') as a, h5mf.File(str(tmp_path / 'b.h5'), 'w') as b:
        a['t'] = np.dtype('<i4')
        a['d'] = [1]
        a.create_group('g')
        for name in ('t', 'd', 'g'):
            with pytest.raises(OSError, match='interfile hard links are not allowed') as raised:
                b[name] = a[name]
            assert isinstance(raised.value, ValueError) and name not in b


def test_a_base_files_named_types_keep_their_names_and_datasets(tmp_path):
    """A container over an h5py file whose named datatype has two names and datasets (one in a
    group walked before the type's) that share it: one named datatype, shared as in the file, in
    the container, its dump, the view and the merged file."""
    import h5py
    os.mkdir(tmp_path / 'ref')
    os.mkdir(tmp_path / 'c')
    base = str(tmp_path / 'c' / 'f.h5')
    with h5py.File(base, 'w') as f:
        f['z/t'] = np.dtype('<f8')
        f['z/t'].attrs['units'] = 'K'
        f['a/t2'] = f['z/t']
        f.create_dataset('a/d', data=[0.5, 1.5], dtype=f['z/t'])  # before 'z' in the walk
        f.attrs.create('shared', 2.5, dtype=f['a/t2'])
        f.create_dataset('own', data=[1.0])
        ref_visited = []
        f.visit(ref_visited.append)
    shutil.copy(base, str(tmp_path / 'ref' / 'f.h5'))
    with h5mf.File(base, 'a', driver='multifile') as f:
        assert os.path.isdir(base + '.h5mf')
        assert f['a/d'].type_committed and not f['own'].type_committed
        assert f['a/t2'] == f['z/t']
        visited = []
        f.visit(visited.append)
        assert visited == ['a', 'a/d', 'a/t2', 'own', 'z'] == ref_visited  # the named datatype once
    # h5mf dump prints the container as h5dump prints the file (one type, a HARDLINK)
    assert h5dump(tmp_path / 'c', tool=(cli(), 'dump')) == h5dump(tmp_path / 'ref')
    with h5mf.File(base, 'a', driver='multifile') as f:
        f.create_dataset('new', data=[3.0], dtype=f['a/t2'])
    h5mf.view(base, str(tmp_path / 'view.h5'))
    h5mf.merge(base)
    for path in (str(tmp_path / 'view.h5'), base):
        with h5py.File(path, 'r') as f:
            assert h5py.h5o.get_info(f['a/t2'].id).addr == h5py.h5o.get_info(f['z/t'].id).addr, path
            assert f['a/d'].id.get_type() == f['z/t'].id and f['new'].id.get_type() == f['z/t'].id, path
            assert f['a/d'].id.get_type().committed() and f['new'].id.get_type().committed(), path
            assert f.attrs.get_id('shared').get_type().committed() and f.attrs['shared'] == 2.5, path
            assert not f['own'].id.get_type().committed() and f['a/d'][()].tolist() == [0.5, 1.5], path
            assert dict(f['a/t2'].attrs) == {'units': 'K'}, path
