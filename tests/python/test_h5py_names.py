"""Issue 18, links and names: `del group[name]` and `Group.move` as h5py 3.7 does them on a plain
file, through each driver: in the session, read directly after reopening, after the merge (h5py and
h5dump see what they see in h5py's own file), in the view, with `h5mf ls`/`dump`/`verify`; errors
of h5py's types. MPI: test_mpi_names.py."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_outcomes


def populate(f):
    """The same calls through h5py or h5mf (`f` an open file of either)."""
    f['keep'] = np.arange(4, dtype='i4')
    f['alias'] = f['keep']
    del f['keep']  # the other name stays
    f['gone'] = np.arange(3, dtype='f8')
    held = f['gone']
    del f['gone']  # no name left: not in the file
    held[0] = 7.0  # a write through a handle of an unlinked dataset: h5py takes it
    assert held[...].tolist() == [7.0, 1.0, 2.0]
    f['gone'] = np.arange(2, dtype='i2')  # the same name again: a new dataset
    g = f.create_group('g')
    g['x'] = np.arange(3, dtype='u1')
    g.attrs['a'] = np.int32(1)
    f.create_group('h/sub')
    f['h/sub/d'] = np.arange(5)
    del f['h']  # a whole subtree
    f.move('g', 'moved/g2')  # missing groups on the way are created
    f['moved/g2'].move('x', '/x_top')  # an absolute destination
    f['moved/g2'].attrs['after'] = np.int32(2)
    f.create_group('c')
    f['c/y'] = np.ones(2)
    f['c/self'] = f['c']
    del f['c']  # a cycle no name reaches any more
    f['r'] = np.arange(3, dtype='i8')
    f['r2'] = f['r']
    f.move('r', 'r_moved')  # one object, two names, one of them moved
    f['r_moved'][1] = 10
    f.move('alias', 'alias')  # the same name: nothing happens
    f.create_group('empty')
    f.move('empty', 'empty2')
    del f['empty2']
    f.create_group('empty2')  # re-created after a move and a delete


def check_reads(f, h5py_module=None):
    """What h5py shows for the populated file; `f` is an h5py or h5mf file."""
    assert sorted(f) == ['alias', 'empty2', 'gone', 'moved', 'r2', 'r_moved', 'x_top']
    for name in ['keep', 'h', 'c', 'g', 'r', 'empty', 'moved/g2/x']:
        assert name not in f
    assert f['alias'][...].tolist() == [0, 1, 2, 3]
    assert f['gone'].dtype == np.dtype('i2') and f['gone'][...].tolist() == [0, 1]
    assert list(f['moved']) == ['g2'] and list(f['moved/g2']) == [] and list(f['empty2']) == []
    assert f['moved/g2'].attrs['a'] == 1 and f['moved/g2'].attrs['after'] == 2
    assert f['x_top'].dtype == np.dtype('u1') and f['x_top'][...].tolist() == [0, 1, 2]
    assert f['r2'] == f['r_moved'] and f['r2'][...].tolist() == [0, 10, 2]
    assert f.get('keep') is None and f.get('alias', getclass=True).__name__ == 'Dataset'
    names = []
    f.visit(names.append)
    assert names == ['alias', 'empty2', 'gone', 'moved', 'moved/g2', 'r2', 'x_top']
    if h5py_module is not None:
        info = h5py_module.h5o.get_info
        assert info(f['r2'].id).addr == info(f['r_moved'].id).addr


def errors(f, record):
    """Mistakes, after populate: h5py's exception types."""
    record('del missing', lambda: f.__delitem__('nope'))
    record('del in missing group', lambda: f.__delitem__('nope/x'))
    record('del below a dataset', lambda: f.__delitem__('alias/x'))
    record('del twice', lambda: (f.__delitem__('r2'), f.__delitem__('r2')))
    record('move missing', lambda: f.move('nope', 'z'))
    record('move onto a name', lambda: f.move('alias', 'gone'))
    record('move onto itself (a no-op)', lambda: f.move('gone', 'gone'))
    record('state', lambda: sorted(f))


@pytest.fixture
def h5py_file(tmp_path):
    """The same calls through h5py 3.7, in h5py_ref/f.h5."""
    h5py = pytest.importorskip('h5py')
    os.mkdir(tmp_path / 'h5py_ref')
    path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(path, 'w') as f:
        populate(f)
        check_reads(f, h5py)  # the expectations are h5py's own behaviour
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)
    return path


def run(*args, cwd):
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_unlink_and_move_as_h5py(tmp_path, h5py_file, driver):
    import h5py
    os.mkdir(tmp_path / 'h5mf')
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        populate(f)
        check_reads(f)  # in the session
    with h5mf.File(path, 'r') as f:
        check_reads(f)  # reopened: direct reads of the container (or the sec2 file)
    if driver == 'multifile':
        cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
        if cli is not None:
            run(cli, 'verify', 'f.h5', cwd=tmp_path / 'h5mf')  # exit 0: healthy
        h5mf.merge(path)
    assert os.path.isfile(path)
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)
    assert run('h5dump', 'f.h5', cwd=tmp_path / 'h5mf') == run('h5dump', 'f.h5', cwd=tmp_path / 'h5py_ref')


def test_tools_and_view_show_names_as_h5py_file(tmp_path, h5py_file):
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if cli is None:
        pytest.skip('no h5mf tool (H5MF_CLI) in this environment')
    os.mkdir(tmp_path / 'c')
    path = str(tmp_path / 'c' / 'f.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        populate(f)
    ref_dir = os.path.dirname(h5py_file)
    assert run(cli, 'dump', 'f.h5', cwd=tmp_path / 'c') == run('h5dump', 'f.h5', cwd=ref_dir)
    assert run(cli, 'ls', 'f.h5', cwd=tmp_path / 'c') == run('h5ls', '-r', 'f.h5', cwd=ref_dir)
    view = str(tmp_path / 'view.h5')
    run(cli, 'view', 'f.h5', '-o', view, cwd=tmp_path / 'c')
    import h5py
    with h5py.File(view, 'r') as f:
        check_reads(f, h5py)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_name_errors_as_h5py(tmp_path, driver):
    import h5py
    ref, mine = Recorder(), Recorder()
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        populate(f)
        errors(f, ref)
    with h5mf.File(str(tmp_path / 'mine.h5'), 'w', driver=driver) as f:
        populate(f)
        errors(f, mine)
    assert_same_outcomes(mine.outcomes, ref.outcomes)
    # A file opened read-only: h5py's KeyError for del, ValueError for move; nothing changes.
    with h5py.File(str(tmp_path / 'ref.h5'), 'r') as f, h5mf.File(str(tmp_path / 'mine.h5'), 'r') as g:
        for each in (f, g):
            with pytest.raises(KeyError):
                del each['alias']
            with pytest.raises(ValueError):
                each.move('alias', 'other')
        assert sorted(g) == sorted(f)


def test_delete_and_recreate_in_one_session_then_reopen_and_append(tmp_path):
    """A container reopened for writing keeps its deletions; new names there merge too."""
    import h5py
    path = str(tmp_path / 'f.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f['a'] = np.arange(3)
        del f['a']
        f['a'] = np.arange(4.0)
    with h5mf.File(path, 'a', driver='multifile') as f:
        assert f['a'][...].tolist() == [0.0, 1.0, 2.0, 3.0]
        f.move('a', 'b')
        del f['b']
        f['a'] = np.array([5], dtype='u2')
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert list(f) == ['a'] and f['a'][...].tolist() == [5] and f['a'].dtype == np.dtype('u2')


def base_objects(f, h):
    """A base file's objects, made with h5py (`h` the module)."""
    f['keep'] = np.arange(4, dtype='i4')
    f['alias'] = f['keep']
    f['gone'] = np.arange(3, dtype='f8')
    g = f.create_group('g')
    g['x'] = np.arange(3, dtype='u1')
    g.attrs['a'] = np.int32(1)
    f.create_group('h/sub')
    f['h/sub/d'] = np.arange(5)
    f.create_group('c')
    f['c/y'] = np.ones(2)
    f['c/self'] = f['c']
    f['r'] = np.arange(3, dtype='i8')
    f['r2'] = f['r']
    f['s'] = h.SoftLink('/r2')
    f['t'] = np.dtype('<i2')
    f.create_dataset('typed', data=[1, 2], dtype=f['t'])
    f.create_group('empty')


def base_changes(f, h):
    """Names of the base file unlinked, moved and taken again, through h5py or h5mf."""
    del f['keep']  # its other name stays
    del f['gone']
    f['gone'] = np.arange(2, dtype='i2')  # the name again: a new dataset
    del f['h']  # a whole subtree
    f.move('g', 'moved/g2')  # into a new group
    f['moved/g2'].move('x', '/x_top')
    f['moved/g2'].attrs['after'] = np.int32(2)
    del f['c']  # a cycle no name reaches any more
    f.move('r', 'r_moved')  # one object, two names, one of them moved
    f['r_moved'][1] = 10
    f.move('empty', 'empty2')
    del f['empty2']
    f.create_group('empty2')
    del f['s']
    f['s2'] = h.SoftLink('/r_moved')
    f.move('t', 't2')  # a named datatype
    f['alias2'] = f['alias']


def snapshot(f):
    """Every name of `f` (h5py's or h5mf's file) and what it holds."""
    out = {}

    def walk(group, prefix):
        for key in sorted(group):
            path = prefix + key
            link = group.get(key, getlink=True)
            if type(link).__name__ == 'SoftLink':
                out[path] = ('soft', link.path)
                continue
            obj = group[key]
            kind = type(obj).__name__
            attrs = sorted((k, v.tolist()) for k, v in obj.attrs.items())
            if kind == 'Group':
                out[path] = ('group', attrs)
                walk(obj, path + '/')
            elif kind == 'Datatype':
                out[path] = ('type', obj.dtype.str, attrs)
            else:
                out[path] = ('dataset', obj.dtype.str, obj[()].tolist(), attrs)
    walk(f, '')
    out['same'] = [f['alias'] == f['alias2'], f['r2'] == f['r_moved'], f['alias'] == f['r2']]
    return out


@pytest.mark.parametrize('changes_in', ['session', 'reopened'])
def test_names_of_a_base_file_unlinked_and_moved_as_h5py(tmp_path, changes_in):
    """A container over an existing file (mode 'a') unlinks and moves the file's own names as h5py
    does in the file: direct reads, the view and the merged file show the names h5py leaves."""
    import h5py
    os.mkdir(tmp_path / 'h5py_ref')
    os.mkdir(tmp_path / 'c')
    ref = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(ref, 'w') as f:
        base_objects(f, h5py)
    path = str(tmp_path / 'c' / 'f.h5')
    shutil.copy(ref, path)
    with h5py.File(ref, 'a') as f:
        base_changes(f, h5py)
        expected = snapshot(f)
    assert expected['same'] == [True, True, False] and 'keep' not in expected and 't2' in expected
    assert expected['moved/g2'] == ('group', [('a', 1), ('after', 2)]) and expected['s2'] == ('soft', '/r_moved')
    with h5mf.File(path, 'a', driver='multifile') as f:
        assert os.path.isdir(path + '.h5mf')
        if changes_in == 'reopened':
            f.close()
            f = h5mf.File(path, 'a', driver='multifile')
        base_changes(f, h5mf)
        assert snapshot(f) == expected  # in the session
        f.close()
    with h5mf.File(path, 'r') as f:
        assert snapshot(f) == expected  # direct reads of the container
    view = str(tmp_path / 'view.h5')
    h5mf.view(path, view)
    with h5py.File(view, 'r') as f:
        assert snapshot(f) == expected
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert snapshot(f) == expected
        info = h5py.h5o.get_info
        assert info(f['r2'].id).addr == info(f['r_moved'].id).addr
        assert f['typed'].id.get_type().committed() and '.h5mf-moving' not in str(list(f))
    assert run('h5dump', 'f.h5', cwd=tmp_path / 'c') == run('h5dump', 'f.h5', cwd=tmp_path / 'h5py_ref')
