"""Issue 18, soft and external links as h5py 3.7 makes them on a plain file (h5mf.SoftLink,
h5mf.ExternalLink), through each driver: in the session, reopened, merged (h5py and h5dump see
what they see in h5py's own file), in the view, with `h5mf ls`/`dump`; errors of h5py's types."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_outcomes


def populate(f, mod):
    """The same calls through h5py or h5mf (`mod` the module, `f` an open file of it)."""
    f['a/b'] = np.arange(3, dtype='i4')
    f['s'] = mod.SoftLink('/a/b')
    f['a/rel'] = mod.SoftLink('b')  # relative to its group
    f['dang'] = mod.SoftLink('/nowhere')  # dangling
    f['later'] = mod.SoftLink('/c/d')  # dangling now, resolved once /c/d exists
    f['sg'] = mod.SoftLink('/a')
    f['sg/b'][1] = 10  # a write through a soft link
    f['ext'] = mod.ExternalLink('other.h5', '/x')
    f['ext_missing'] = mod.ExternalLink('none.h5', '/x')
    f['c/d'] = np.arange(2.0)
    f['moved_from'] = mod.SoftLink('a/b')
    f.move('moved_from', 'a/moved')  # a soft link moves with its value unchanged: now dangles
    f['gone'] = mod.SoftLink('/a')
    del f['gone']  # deletes the link, not what it names
    f['gone'] = np.arange(1)  # the name again: a dataset


def check_reads(f, mod):
    """What h5py shows for the populated file; `f` is an h5py or h5mf file."""
    assert sorted(f) == ['a', 'c', 'dang', 'ext', 'ext_missing', 'gone', 'later', 's', 'sg']
    assert sorted(f['a']) == ['b', 'moved', 'rel']
    assert f['s'][...].tolist() == [0, 10, 2] and f['a/rel'][...].tolist() == [0, 10, 2]
    assert f['later'][...].tolist() == [0.0, 1.0]
    assert f['ext'][...].tolist() == [5.0, 6.0]  # the other file, opened read-only
    assert f['s'] == f['a/b'] and f['sg'] == f['a']
    assert 's' in f and 'dang' in f and 'ext' in f and 'a/moved' in f and 'nope' not in f
    link = f.get('s', getlink=True)
    assert isinstance(link, mod.SoftLink) and link.path == '/a/b'
    assert f.get('a/moved', getlink=True).path == 'a/b'
    assert f.get('dang', getlink=True).path == '/nowhere'
    ext = f.get('ext', getlink=True)
    assert isinstance(ext, mod.ExternalLink) and (ext.filename, ext.path) == ('other.h5', '/x')
    assert f.get('s', getlink=True, getclass=True) is mod.SoftLink
    assert f.get('ext', getlink=True, getclass=True) is mod.ExternalLink
    assert f.get('a/b', getlink=True, getclass=True) is mod.HardLink
    assert f.get('s', getclass=True) is mod.Dataset and f.get('sg', getclass=True) is mod.Group
    assert f.get('dang') is None and f.get('nope', getlink=True) is None
    assert f['gone'][...].tolist() == [0] and sorted(f['a']) == ['b', 'moved', 'rel']
    names = []
    f.visit(names.append)  # soft and external links are not followed
    assert names == ['a', 'a/b', 'c', 'c/d', 'gone']


def errors(f, record):
    record('read a dangling link', lambda: f['dang'])
    record('read a link whose file is missing', lambda: f['ext_missing'])
    record('a soft link onto a name', lambda: f.__setitem__('s', h5mf_or_h5py(f).SoftLink('/x')))
    record('state', lambda: sorted(f))


def h5mf_or_h5py(f):
    import h5py
    return h5mf if isinstance(f, h5mf.File) else h5py


def write_other(directory):
    import h5py
    with h5py.File(os.path.join(directory, 'other.h5'), 'w') as o:
        o['x'] = np.array([5.0, 6.0])


@pytest.fixture
def h5py_file(tmp_path):
    """The same calls through h5py 3.7, in h5py_ref/f.h5 (beside its other.h5)."""
    h5py = pytest.importorskip('h5py')
    os.mkdir(tmp_path / 'h5py_ref')
    write_other(tmp_path / 'h5py_ref')
    path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(path, 'w') as f:
        populate(f, h5py)
        check_reads(f, h5py)  # the expectations are h5py's own behaviour
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)
    return path


def run(*args, cwd):
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_soft_and_external_links_as_h5py(tmp_path, h5py_file, driver, monkeypatch):
    import h5py
    os.mkdir(tmp_path / 'h5mf')
    write_other(tmp_path / 'h5mf')
    monkeypatch.chdir(tmp_path)  # other.h5 is found beside the file, not in the working directory
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        populate(f, h5mf)
        check_reads(f, h5mf)  # in the session
    with h5mf.File(path, 'r') as f:
        check_reads(f, h5mf)  # reopened: direct reads of the container (or the sec2 file)
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)
    assert run('h5dump', 'f.h5', cwd=tmp_path / 'h5mf') == run('h5dump', 'f.h5', cwd=tmp_path / 'h5py_ref')


def test_tools_and_view_show_links_as_h5py_file(tmp_path, h5py_file):
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if cli is None:
        pytest.skip('no h5mf tool (H5MF_CLI) in this environment')
    os.mkdir(tmp_path / 'c')
    write_other(tmp_path / 'c')
    path = str(tmp_path / 'c' / 'f.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        populate(f, h5mf)
    ref_dir = os.path.dirname(h5py_file)
    dump = run(cli, 'dump', 'f.h5', cwd=tmp_path / 'c')
    assert 'SOFTLINK "s" {\n      LINKTARGET "/a/b"' in dump and 'EXTERNAL_LINK "ext"' in dump
    assert dump == run('h5dump', 'f.h5', cwd=ref_dir)
    assert run(cli, 'ls', 'f.h5', cwd=tmp_path / 'c') == run('h5ls', '-r', 'f.h5', cwd=ref_dir)
    run(cli, 'verify', 'f.h5', cwd=tmp_path / 'c')  # exit 0: healthy
    run(cli, 'view', 'f.h5', '-o', 'view.h5', cwd=tmp_path / 'c')
    import h5py
    with h5py.File(str(tmp_path / 'c' / 'view.h5'), 'r') as f:
        check_reads(f, h5py)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_link_errors_as_h5py(tmp_path, driver):
    import h5py
    ref, mine = Recorder(), Recorder()
    write_other(tmp_path)
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        populate(f, h5py)
        errors(f, ref)
    with h5mf.File(str(tmp_path / 'mine.h5'), 'w', driver=driver) as f:
        populate(f, h5mf)
        errors(f, mine)
    assert_same_outcomes(mine.outcomes, ref.outcomes)
    with h5mf.File(str(tmp_path / 'mine.h5'), 'r') as f:
        with pytest.raises(OSError):  # h5py: OSError for links on a file opened 'r'
            f['t'] = h5mf.SoftLink('/a')
    with h5mf.File(str(tmp_path / 'mine.h5'), 'a', driver=driver) as f:
        with pytest.raises(h5mf.LinkExistsError):  # h5py's OSError, and a ValueError
            f['s'] = f['a']


def test_container_over_a_file_lists_its_links_and_named_types(tmp_path):
    """A container over an existing HDF5 file lists every name of the file as h5py does: soft
    links (dangling ones too) and external links as links, named datatypes as h5mf.Datatype; the
    merge keeps the file's own, and adds the session's."""
    import h5py

    with h5py.File(str(tmp_path / 'other.h5'), 'w') as f:
        f['x'] = np.arange(3)
    with h5py.File(str(tmp_path / 'base.h5'), 'w') as f:
        f['a'] = np.arange(4)
        f['g/d'] = np.ones(2)
        f['soft'] = h5py.SoftLink('/g/d')
        f['dangling'] = h5py.SoftLink('/nope')
        f['ext'] = h5py.ExternalLink('other.h5', '/x')
        f['t'] = np.dtype('<i2')
        f['g/t2'] = np.dtype([('a', '<f4'), ('b', '<i8')])
    shutil.copy(tmp_path / 'base.h5', tmp_path / 'ref.h5')

    def names(f):
        return (sorted(f.keys()), sorted(f['g'].keys()),
                {k: type(f.get(k, getlink=True)).__name__ for k in f.keys()},
                {k: f.get(k, getclass=True).__name__ for k in ('a', 'g', 't')},
                f['t'].dtype, f['g/t2'].dtype, f['soft'][...].tolist(), f.get('dangling', getlink=True).path)

    with h5py.File(str(tmp_path / 'ref.h5'), 'a') as f:
        expected = names(f)
        f['new'] = np.arange(2)
    path = str(tmp_path / 'base.h5')
    with h5mf.File(path, 'a', driver='multifile') as f:
        assert os.path.isdir(path + '.h5mf')
        assert names(f) == expected
        f['new'] = np.arange(2)
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert names(f)[:3] == (sorted(expected[0] + ['new']), expected[1],
                                {**expected[2], 'new': 'HardLink'})
    assert subprocess.run(['h5diff', path, str(tmp_path / 'ref.h5')], capture_output=True).returncode == 0
