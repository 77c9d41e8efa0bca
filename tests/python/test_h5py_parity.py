"""Issue 18: three h5py calls that h5mf got wrong without an error, each compared with h5py 3.7
doing the same on a plain file:
1. `f['alias'] = f['orig']` is a hard link (one object, two names), for datasets and groups;
2. fixed-length UTF-8 strings (`h5py.string_dtype('utf-8', n)`) keep their character set;
3. an attribute too large for an HDF5 object header is refused when it is written, as h5py does.
After `h5mf merge`, h5py reads the merged file as it reads its own, and h5dump prints both alike.
"""

import os
import shutil
import subprocess

import numpy as np
import pytest

import h5mf
from conftest import h5dump

UTF8 = {'h5py_encoding': 'utf-8'}


def populate(f, string_dtype):
    """The same calls through h5py or h5mf (`f` an open file of either)."""
    f['orig'] = np.arange(6, dtype='i4')
    f['alias'] = f['orig']
    f['alias'][0] = 42  # written through the second name
    g1 = f.create_group('g1')
    g1['x'] = np.arange(3, dtype='f8')
    f['g2'] = f['g1']
    f['g1/self'] = f['g1']  # a cycle
    f['deep/er/link'] = f['orig']  # intermediate groups are created
    f['g2'].attrs['through'] = np.int32(7)  # set through the second name
    f['g2/y'] = np.arange(2, dtype='u2')  # created through the second name
    dt = string_dtype('utf-8', 10)
    f.create_dataset('words', data=np.array(['héllo'.encode(), b'x'], dtype=dt))
    f.attrs.create('word', np.array('hé'.encode(), dtype=dt))
    f['g1'].attrs['words'] = np.array([b'a', 'ü'.encode()], dtype=dt)
    ascii_dt = string_dtype('ascii', 4)
    f.create_dataset('ascii', data=np.array([b'ab'], dtype=ascii_dt))


def check_reads(f, h5py_module=None):
    """What h5py shows for the populated file; `f` is an h5py or h5mf file."""
    assert f['orig'][...].tolist() == [42, 1, 2, 3, 4, 5]
    assert f['alias'][...].tolist() == [42, 1, 2, 3, 4, 5]
    assert f['deep/er/link'][...].tolist() == [42, 1, 2, 3, 4, 5]
    assert f['alias'] == f['orig'] and f['deep/er/link'] == f['orig']
    assert hash(f['alias']) == hash(f['orig'])
    assert f['alias'].name == '/alias' and f['orig'].name == '/orig'
    assert f['g2'] == f['g1'] and f['g1/self'] == f['g1'] and f['g1/self/self'] == f['g1']
    assert f['g2'].name == '/g2' and f['g2/x'].name == '/g2/x'
    assert f['g1'] != f['deep'] and f['alias'] != f['g1/x']
    assert sorted(f['g1']) == ['self', 'x', 'y'] and sorted(f['g2']) == ['self', 'x', 'y']
    assert f['g1/y'][...].tolist() == [0, 1]
    assert f['g1'].attrs['through'] == 7
    names = []
    f.visit(names.append)  # each object once, at its first name
    assert names == ['alias', 'ascii', 'deep', 'deep/er', 'g1', 'g1/x', 'g1/y', 'words']
    if h5py_module is not None:
        info = h5py_module.h5o.get_info
        assert info(f['alias'].id).addr == info(f['orig'].id).addr
        assert info(f['g2'].id).addr == info(f['g1'].id).addr
    words = f['words']
    assert words.dtype == np.dtype('S10') and words.dtype.metadata == UTF8
    assert words[...].tolist() == ['héllo'.encode(), b'x']
    assert words.asstr()[...].tolist() == ['héllo', 'x']
    word = f.attrs['word']
    assert isinstance(word, np.bytes_) and word == 'hé'.encode()
    array = f['g1'].attrs['words']
    assert array.dtype == np.dtype('S10') and array.dtype.metadata == UTF8
    assert array.tolist() == [b'a', 'ü'.encode()]
    assert f['ascii'].dtype == np.dtype('S4') and f['ascii'].dtype.metadata == {'h5py_encoding': 'ascii'}
    assert f['ascii'].asstr()[...].tolist() == ['ab']


@pytest.fixture
def h5py_file(tmp_path):
    """The same calls through h5py 3.7, in h5py_ref/f.h5."""
    h5py = pytest.importorskip('h5py')
    os.mkdir(tmp_path / 'h5py_ref')
    path = str(tmp_path / 'h5py_ref' / 'f.h5')
    with h5py.File(path, 'w') as f:
        populate(f, h5py.string_dtype)
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)  # the expectations are h5py's own behaviour
    return path


def test_h5py_itself(h5py_file):
    """(The reference: check_reads holds for h5py's file.)"""
    assert os.path.exists(h5py_file)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_links_and_utf8_strings_as_h5py(tmp_path, h5py_file, driver):
    import h5py
    os.mkdir(tmp_path / 'h5mf')
    path = str(tmp_path / 'h5mf' / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        populate(f, h5mf.string_dtype)
        check_reads(f)  # in the session
    with h5mf.File(path, 'r') as f:
        check_reads(f)  # reopened: direct reads of the container (or the sec2 file)
    if driver == 'multifile':
        assert os.path.isdir(path)
        h5mf.merge(path)
    assert os.path.isfile(path)
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)
    # h5dump prints both files alike, HARDLINK lines and H5T_CSET_UTF8 included (it prints no
    # times); both are named f.h5 and dumped from their own directory.
    mine = subprocess.run(['h5dump', 'f.h5'], cwd=tmp_path / 'h5mf', check=True, capture_output=True, text=True)
    ref = subprocess.run(['h5dump', 'f.h5'], cwd=tmp_path / 'h5py_ref', check=True, capture_output=True, text=True)
    assert 'HARDLINK "/alias"' in ref.stdout and 'CSET H5T_CSET_UTF8' in ref.stdout
    assert mine.stdout == ref.stdout


def tool():
    return os.environ.get('H5MF_CLI') or shutil.which('h5mf')


def test_tools_on_the_container_print_what_hdf5_tools_print(tmp_path, h5py_file):
    cli = tool()
    if cli is None:
        pytest.skip('no h5mf tool (H5MF_CLI) in this environment')
    os.mkdir(tmp_path / 'c')
    path = str(tmp_path / 'c' / 'f.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        populate(f, h5mf.string_dtype)
    run = lambda *args, cwd: subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout
    ref_dir = os.path.dirname(h5py_file)
    assert run(cli, 'dump', 'f.h5', cwd=tmp_path / 'c') == run('h5dump', 'f.h5', cwd=ref_dir)
    ls = run(cli, 'ls', 'f.h5', cwd=tmp_path / 'c')
    assert ls == run('h5ls', '-r', 'f.h5', cwd=ref_dir)
    assert '/g2                      Group, same as /g1\n' in ls
    # The view: a file of virtual datasets with the same links.
    view = str(tmp_path / 'view.h5')
    run(cli, 'view', 'f.h5', '-o', view, cwd=tmp_path / 'c')
    import h5py
    with h5py.File(view, 'r') as f:
        assert f['alias'][...].tolist() == [42, 1, 2, 3, 4, 5]
        assert h5py.h5o.get_info(f['alias'].id).addr == h5py.h5o.get_info(f['orig'].id).addr
        assert f['g2'] == f['g1'] and f['words'].dtype.metadata == UTF8


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_links_refused_as_h5py_refuses_them(tmp_path, driver):
    with h5mf.File(str(tmp_path / 'a.h5'), 'w', driver=driver) as f, \
            h5mf.File(str(tmp_path / 'b.h5'), 'w', driver=driver) as other:
        f['x'] = np.arange(3)
        other['y'] = np.arange(2)
        with pytest.raises(ValueError, match='already exists'):
            f['x'] = f['x']
        with pytest.raises(ValueError, match='interfile hard links are not allowed') as raised:
            f['z'] = other['y']
        assert isinstance(raised.value, OSError)  # h5py's type
        assert list(f) == ['x']


def test_utf8_fixed_strings_write_forms(mfile):
    """Writes of bytes, str-encoded bytes and arrays of the dtype, as h5py takes them."""
    dt = h5mf.string_dtype('utf-8', 6)
    d = mfile.create_dataset('w', (3,), dtype=dt)
    assert d.dtype.metadata == UTF8 and h5mf.check_string_dtype(d.dtype) == ('utf-8', 6)
    d[0] = 'é'.encode()
    d[1] = np.array(b'zz', dtype=dt)
    d[2:] = np.array([b'q'], dtype=dt)
    assert d.asstr()[...].tolist() == ['é', 'zz', 'q']
    assert d[...].dtype.metadata == UTF8


H5PY_TOO_LARGE = 'Unable to create attribute (object header message is too large)'


def h5py_refusal(tmp_path, value):
    h5py = pytest.importorskip('h5py')
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        with pytest.raises(Exception) as caught:
            f.attrs['big'] = value
        assert 'big' not in f.attrs
    return caught.value


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_too_large_attribute_refused_as_h5py(tmp_path, driver):
    value = np.zeros(20000, 'f8')  # 160 KB: over the 64 KiB of an object header message
    ref = h5py_refusal(tmp_path, value)
    assert type(ref) is RuntimeError and str(ref) == H5PY_TOO_LARGE
    path = str(tmp_path / 'f.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        d = f.create_dataset('d', data=np.arange(3))
        for owner in (f, d):
            with pytest.raises(RuntimeError) as caught:
                owner.attrs['big'] = value
            assert str(caught.value).startswith(H5PY_TOO_LARGE)
            assert 'big' not in owner.attrs
        with pytest.raises(RuntimeError, match='object header message is too large'):
            f.attrs['many_strings'] = ['x'] * 8000  # variable-length: 16 bytes each in the header
        f.attrs['fits'] = np.zeros(4000, 'f8')  # 32 KB is fine, as in h5py
        f.attrs.create('fits_too', np.zeros(7000, 'f8'))
    if driver == 'multifile':
        assert h5mf.verify(path)
        h5mf.merge(path)
    import h5py
    with h5py.File(path, 'r') as f:
        assert f.attrs['fits'].shape == (4000,) and f.attrs['fits_too'].shape == (7000,)
        assert 'big' not in f.attrs and 'big' not in f['d'].attrs


def largest_accepted(set_attribute):
    """The largest uint8 array `set_attribute` accepts (RuntimeError beyond)."""
    low, high = 1000, 100000  # accepted, refused
    while high - low > 1:
        mid = (low + high) // 2
        try:
            set_attribute(np.zeros(mid, 'u1'))
            low = mid
        except RuntimeError as e:
            assert str(e).startswith(H5PY_TOO_LARGE)
            high = mid
    return low


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_too_large_attribute_limit_is_the_merged_files(tmp_path, driver):
    """The limit is libhdf5's for the name written: the largest attribute h5mf accepts is written
    into the merged file, and it is h5py's limit give or take the name (h5py writes under a
    temporary name of 36 characters first)."""
    h5py = pytest.importorskip('h5py')
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        def set_h5py(value):
            f.attrs['a'] = value
        h5py_limit = largest_accepted(set_h5py)
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        def set_h5mf(value):
            f.attrs['a'] = value
        limit = largest_accepted(set_h5mf)
        f.attrs['a'] = np.zeros(limit, 'u1')
        f['d'] = np.arange(3)
        f['d'].attrs['a'] = np.ones(limit, 'u1')  # a dataset's header takes as much
        f['d'].attrs['a'] = np.ones(limit, 'u1')  # and replacing it too
    assert 60000 < limit < 65536 and abs(limit - h5py_limit) <= 64
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert f.attrs['a'].shape == (limit,) and f['d'].attrs['a'].sum() == limit
