"""Issue 18: a shrinking `resize`, as h5py 3.7 does it, on every driver. Shrinking a chunked
dataset discards the elements outside the new shape: growing it again later shows the fill value
there, never the old data, in direct reads of a container, after reopening it, after `h5mf merge`
(the merged file equal to h5py's own, h5diff too) and in `h5mf view`."""

import os
import subprocess

import h5py
import numpy as np
import pytest

import h5mf
from conftest import assert_reads_everywhere
from parity import Recorder, assert_same_outcomes, describe_dataset


def steps(h, f, record, strings=True):
    """The same calls through h5py (`h` is h5py) or h5mf; `record` keeps what reads give."""
    d = f.create_dataset('d', (6, 5), dtype='i4', maxshape=(None, None), chunks=(2, 2), fillvalue=-1)
    d[...] = np.arange(30).reshape(6, 5)
    d.resize((3, 2))
    record('shrunk', lambda: d[...])
    record('shape', lambda: d.shape)
    d.resize((7, 6))
    record('grown again: fill outside the shrunk shape', lambda: d[...])
    d[5, 5] = 99  # written after the shrink: kept
    d[0, 1] = 77
    d.resize((6, 6))
    d.resize((8, 8))
    record('shrunk and grown twice', lambda: d[...])
    record('size and len', lambda: (d.size, len(d)))
    e = f.create_dataset('e', (10,), dtype='f8', maxshape=(None,), chunks=(3,))
    e[:] = np.arange(10)
    e.resize((4,))
    e.resize(12, axis=0)
    record('1-D', lambda: e[...])
    p = f.create_dataset('p', (5, 5), dtype='i2', maxshape=(None, None), chunks=(2, 3))
    p[[1, 3], :] = np.full((2, 5), 7)
    p[4, 4] = 5
    p[2:5:2, 1:5:3] = np.full((2, 2), 3)  # strided blocks, cut in both dimensions
    p.resize((4, 2))
    p.resize((5, 5))
    record('lists and strides', lambda: p[...])
    z = f.create_dataset('z', (4, 4), dtype='u1', maxshape=(4, 4), chunks=(2, 2))
    z[...] = 9
    z.resize((0, 4))
    record('shrunk to nothing', lambda: z[...])
    z.resize((4, 4))
    record('grown from nothing', lambda: z[...])
    record('beyond maxshape', lambda: z.resize((5, 4)))
    if strings:
        s = f.create_dataset('s', (4,), dtype=h.string_dtype(), maxshape=(None,), chunks=(2,))
        s[...] = ['a', 'bb', 'ccc', 'dddd']
        s.resize((1,))
        s.resize((3,))
        s[2] = 'z'
        record('strings', lambda: s[...].tolist())


def run(h, path, strings=True, **kwargs):
    record = Recorder()
    with h.File(path, 'w', **kwargs) as f:
        steps(h, f, record, strings)
    return record.outcomes


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_shrink_as_h5py(tmp_path, driver):
    ref_path = str(tmp_path / 'ref.h5')
    path = str(tmp_path / f'{driver}.h5')
    ref = run(h5py, ref_path)
    assert_same_outcomes(run(h5mf, path, driver=driver), ref)
    with h5mf.File(path, 'r') as f, h5py.File(ref_path, 'r') as g:  # reopened: direct reads
        for name in g:
            assert f[name].shape == g[name].shape, name
            assert f[name][...].tolist() == g[name][...].tolist(), name
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as mine, h5py.File(ref_path, 'r') as theirs:
        assert list(mine) == list(theirs)
        for name in theirs:
            a, b = mine[name], theirs[name]
            if b.dtype.kind != 'O':  # (h5py 3.7 crashes reading a string dataset's fill value)
                assert describe_dataset(a) == describe_dataset(b), name
            assert (a.shape, a.chunks, a.maxshape) == (b.shape, b.chunks, b.maxshape), name
            assert a[...].tolist() == b[...].tolist(), name
    subprocess.run(['h5diff', path, ref_path], check=True)


def test_shrink_in_view(tmp_path):
    """The view shows what the merge gives (variable-length data aside: views refuse them)."""
    ref_path = str(tmp_path / 'ref.h5')
    path = str(tmp_path / 'c.h5')
    run(h5py, ref_path, strings=False)
    run(h5mf, path, strings=False, driver='multifile')
    h5mf.view(path)
    with h5py.File(os.path.join(path, 'view.h5'), 'r') as mine, h5py.File(ref_path, 'r') as theirs:
        for name in theirs:
            assert mine[name].shape == theirs[name].shape, name
            assert mine[name][...].tolist() == theirs[name][...].tolist(), name


def test_shrink_across_sessions(tmp_path):
    """A shrink in a later session of a container cuts what the earlier sessions wrote."""
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f.create_dataset('d', data=np.arange(10), maxshape=(None,), chunks=(4,))
    with h5mf.File(path, 'a', driver='multifile') as f:
        f['d'].resize((3,))
    with h5mf.File(path, 'a', driver='multifile') as f:
        f['d'].resize((6,))
        f['d'][4] = 40
        assert f['d'][...].tolist() == [0, 1, 2, 0, 40, 0]
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert f['d'][...].tolist() == [0, 1, 2, 0, 40, 0]


def base_datasets(f):
    """A base file's resizable datasets (and one that is not), made with h5py."""
    f.create_dataset('grow', data=np.arange(12).reshape(4, 3), maxshape=(None, 3), chunks=(2, 3))
    f.create_dataset('shrink', data=np.arange(5.0), maxshape=(None,), chunks=(2,), fillvalue=-1.0)
    f.create_dataset('both', data=np.arange(16).reshape(4, 4), maxshape=(10, 10), chunks=(3, 3))
    f.create_dataset('fixed', data=[1, 2, 3])


def resize_base(f):
    """Resizes of the base file's datasets, through h5py or h5mf."""
    f['grow'].resize((6, 3))  # past the base's rows: the fill value
    f['grow'][4] = [40, 41, 42]
    f['shrink'].resize((2,))  # discards base elements ...
    f['shrink'].resize((6,))  # ... which grow back as the fill value
    f['shrink'][5] = 50.0
    f['both'].resize((3, 5))  # fewer rows, more columns
    f['both'][0, 4] = 99


def resized_reads(f):
    out = {}
    for name in ('grow', 'shrink', 'both', 'fixed'):
        d = f[name]
        out[name] = (d.shape, d[()].tolist())
    out['slices'] = [f['both'][1:, ::2].tolist(), f['grow'][[1, 4, 5], 1:].tolist(), f['shrink'][1:4].tolist(),
                     f['both'][2, 3:].tolist()]
    return out


def test_resize_of_a_base_files_datasets_as_h5py(tmp_path):
    """A container over an existing file resizes the file's own chunked datasets as h5py does in
    the file: direct reads, the view and the merged file agree with h5py's."""
    os.mkdir(tmp_path / 'h5py_ref')
    os.mkdir(tmp_path / 'c')
    ref = str(tmp_path / 'h5py_ref' / 'f.h5')
    path = str(tmp_path / 'c' / 'f.h5')
    with h5py.File(ref, 'w') as f:
        base_datasets(f)
    with h5py.File(path, 'w') as f:
        base_datasets(f)
    with h5py.File(ref, 'a') as f:
        resize_base(f)
        with pytest.raises(TypeError, match='Only chunked datasets can be resized'):
            f['fixed'].resize((4,))
        expected = resized_reads(f)
    assert expected['shrink'] == ((6,), [0.0, 1.0, -1.0, -1.0, -1.0, 50.0])
    assert expected['grow'][1][4:] == [[40, 41, 42], [0, 0, 0]]
    with h5mf.File(path, 'a', driver='multifile') as f:
        resize_base(f)
        with pytest.raises(TypeError, match='Only chunked datasets can be resized'):
            f['fixed'].resize((4,))
        assert resized_reads(f) == expected  # in the session
    assert_reads_everywhere(path, resized_reads, expected, str(tmp_path / 'view.h5'))
    diff = subprocess.run(['h5diff', path, ref], capture_output=True, text=True)
    assert diff.returncode == 0, diff.stdout + diff.stderr


def test_resize_of_a_base_files_strings_is_refused(tmp_path):
    path = str(tmp_path / 'f.h5')
    with h5py.File(path, 'w') as f:
        f.create_dataset('s', data=['a', 'b'], dtype=h5py.string_dtype(), maxshape=(None,), chunks=(2,))
    with h5mf.File(path, 'a', driver='multifile') as f:
        with pytest.raises(NotImplementedError, match='variable-length data is in the base file'):
            f['s'].resize((3,))
        assert f['s'].shape == (2,)
