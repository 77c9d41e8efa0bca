"""Issue 18: compounds with variable-length members (h5py's structured dtypes with string_dtype()
and vlen_dtype() fields, nested compounds included), as h5py 3.7 stores them. The same calls go
through h5py on a plain file and through h5mf (multifile with one writer, sec2): partial writes by
slices and points, overwrites (later wins), unwritten elements (NULL strings read as b'', empty
sequences), reads of fields; then direct reads of the reopened container, `h5mf dump` of it,
`h5mf verify`, and after `h5mf merge` h5py reads the merged file as it reads its own (h5diff
agrees). The view refuses such datasets as it refuses other variable-length data."""

import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

import h5mf
from conftest import assert_dump_as_h5dump
from parity import Recorder, assert_same_returns, plain

ROW = np.dtype([('id', 'i4'), ('name', h5py.string_dtype()), ('v', h5py.vlen_dtype('f8'))])
NESTED = np.dtype([('a', 'i2'), ('s', [('x', 'f4'), ('t', h5py.string_dtype('ascii')),
                                       ('q', h5py.vlen_dtype('i2'))])])


def described(value):
    """What a read gave: its type, dtype with h5py's metadata per field, shape and values."""
    dtype = getattr(value, 'dtype', None)
    fields = None
    if dtype is not None and dtype.names:
        fields = [(n, str(dtype.fields[n][0]), dtype.fields[n][1], dtype.fields[n][0].metadata) for n in dtype.names]
    return (type(value).__name__, str(dtype), getattr(dtype, 'itemsize', None), fields, getattr(value, 'shape', None),
            plain(value))


def steps(h, f, record):
    """The same calls through h5py (`h`) or h5mf; `record` keeps what reads give."""
    d = f.create_dataset('d', (6,), dtype=ROW)
    record('dtype', lambda: described(np.empty(0, d.dtype)))
    record('fillvalue', lambda: described(d.fillvalue))
    d[1:3] = np.array([(1, 'ab', np.arange(3.)), (2, 'c', np.array([]))], dtype=ROW)
    d[4] = np.array((4, 'éé', np.array([1.5, 2.5])), dtype=ROW)
    d[2] = np.array((7, 'later', np.array([9.0])), dtype=ROW)  # overwrites element 2: later wins
    record('all', lambda: described(d[...]))
    record('one', lambda: described(d[1]))
    record('unwritten', lambda: described(d[5]))
    record('slice', lambda: described(d[1:5:2]))
    record('name field', lambda: described(d['name']))
    record('v field', lambda: described(d['v']))
    record('two fields', lambda: described(d.fields(['v', 'id'])[1:5]))
    n = f.create_dataset('n', (3,), dtype=NESTED)
    n[0] = np.array((1, (2.5, b'x', np.array([1, 2], 'i2'))), dtype=NESTED)
    n[2] = np.array((3, (4.5, b'', np.array([], 'i2'))), dtype=NESTED)
    record('nested', lambda: described(n[...]))
    g = f.create_dataset('g', (2, 3), dtype=ROW, chunks=(1, 2), maxshape=(None, 3))
    g[1] = np.array([(10, 'p', np.array([1.])), (11, 'q', np.array([2., 3.])), (12, 'r', np.array([]))], dtype=ROW)
    g[0, 1] = np.array((20, 'z', np.array([4.])), dtype=ROW)
    g.resize((3, 3))
    g[2, 2] = np.array((30, 'w', np.array([5., 6., 7.])), dtype=ROW)
    record('chunked 2-D, grown', lambda: described(g[...]))
    # Another structured dtype with the same fields (numpy's packed layout, int64 ids): converted.
    packed = np.dtype([('id', 'i8'), ('name', h5py.string_dtype()), ('v', h5py.vlen_dtype('f8'))])
    d[3] = np.array((3, 'packed', np.array([0.5])), dtype=packed)
    record('converted', lambda: described(d[3]))


def run(h, path, **kwargs):
    record = Recorder()
    with h.File(path, 'w', **kwargs) as f:
        steps(h, f, record)
    reread = Recorder()
    with h.File(path, 'r') as f:
        for name in ('d', 'n', 'g'):
            reread(name, lambda: described(f[name][...]))
    return record.outcomes, reread.outcomes


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_compounds_with_vlen_members_as_h5py(tmp_path, driver):
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / f'{driver}.h5')
    ref = run(h5py, ref_path)
    mine = run(h5mf, path, driver=driver, **({'writers': 1} if driver == 'multifile' else {}))
    assert_same_returns(mine[0], ref[0])
    assert_same_returns(mine[1], ref[1])  # reopened: direct reads of the container
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if cli and driver == 'multifile':  # `h5mf dump` of the container prints what h5dump prints of h5py's file
        expected = assert_dump_as_h5dump(path, ref_path)
        assert '"later"' in expected and 'H5T_VLEN' in expected
    if driver == 'multifile':
        report = h5mf.verify(path)
        assert report.exit_code == 0, report
        h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
        for name in ('d', 'n', 'g'):
            assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, name
            assert a[name].id.get_type().get_size() == b[name].id.get_type().get_size(), name
            assert described(a[name][...]) == described(b[name][...]), name
    subprocess.run(['h5diff', path, ref_path], check=True)


def test_view_refuses_them(tmp_path):
    """The view cannot express variable-length data in a virtual dataset over raw files: it says so
    and points to the merge, as for strings and sequences."""
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', writers=1) as f:
        f.create_dataset('d', (2,), dtype=ROW)[0] = (1, 'a', [1.0])
    with pytest.raises(NotImplementedError, match="cannot view dataset '/d'.*variable-length.*merge"):
        h5mf.view(path)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_what_is_not_supported_says_so(tmp_path, driver):
    """What stays refused (their attributes: test_h5py_vlen_attrs.py; fill values:
    test_fill_values; subarray fields: test_subarray_fields_as_h5py)."""
    with h5mf.File(str(tmp_path / 'f.h5'), 'w', driver=driver) as f:
        with pytest.raises(TypeError, match='sequences of'):
            f.create_dataset('a', (2,), dtype=np.dtype([('s', h5py.vlen_dtype(h5py.string_dtype()))]))
        with pytest.raises(TypeError):  # a member that is no string cannot be written as one
            f.create_dataset('w', (1,), dtype=ROW)[0] = (1, 5, [1.0])


def test_over_an_h5py_file(tmp_path):
    """A container over h5py's file (a base file): its elements read where nobody wrote, writes win
    over them, in the session, reopened and after the merge."""
    path = str(tmp_path / 'h.h5')
    base = np.array([(1, 'x', np.arange(2.)), (2, 'yy', np.arange(0.)), (3, 'zzz', np.arange(3.))], dtype=ROW)
    with h5py.File(path, 'w') as f:
        f['d'] = base
    want = [(1, b'x', [0.0, 1.0]), (20, b'new', [7.0]), (3, b'zzz', [0.0, 1.0, 2.0])]
    with h5mf.File(path, 'a', driver='multifile', writers=1) as f:
        f['d'][1] = np.array((20, 'new', np.array([7.0])), dtype=ROW)
        assert plain(f['d'][...]) == want
        assert plain(f['d'][::2]) == want[::2]
    with h5mf.File(path, 'r', driver='multifile') as f:
        assert plain(f['d'][...]) == want
    h5mf.merge(path + '.h5mf')
    with h5py.File(path, 'r') as f:
        assert plain(f['d'][...]) == want


LAYOUTS = [
    ROW,  # a sequence: packed in field order (an hvl_t does not fit an object's 8 bytes)
    np.dtype({'names': ['a', 's'], 'formats': ['i2', h5py.string_dtype()], 'offsets': [8, 0], 'itemsize': 24}),
    np.dtype([('a', 'i1'), ('name', h5py.string_dtype()), ('z', 'f8')], align=True),  # numpy's offsets kept
    np.dtype([('a', 'i1'), ('s', [('x', h5py.string_dtype()), ('q', h5py.vlen_dtype('i2'))]), ('z', 'f8')]),
    np.dtype([('a', 'i1'), ('v', h5py.vlen_dtype('f8'))], align=True),  # refused, as h5py refuses it
]


@pytest.mark.parametrize('dtype', LAYOUTS)
def test_layouts_as_h5py(tmp_path, dtype):
    """The compound is laid out as h5py lays it out: numpy's offsets where every member fits its
    place, else packed in field order; aligned structs that cannot keep numpy's layout are refused."""
    def layout(h, path, **kwargs):
        with h.File(path, 'w', **kwargs) as f:
            try:
                d = f.create_dataset('d', (2,), dtype=dtype)
            except TypeError as e:
                return 'TypeError', str(e).split(':')[0]
            return described(d[...])
    assert layout(h5mf, str(tmp_path / 'mine.h5'), writers=1) == layout(h5py, str(tmp_path / 'ref.h5'))


def fill_steps(f):
    """Datasets with fill values (h5py 3.7 refuses them for sequence members and drops string
    members): contiguous, chunked, nested, a NULL string member; some elements written."""
    d = f.create_dataset('d', (4,), dtype=ROW, fillvalue=np.array((7, 'fill', np.array([1.0, 2.0])), dtype=ROW))
    c = f.create_dataset('c', (6,), dtype=ROW, chunks=(2,), fillvalue=np.array((8, None, np.array([])), dtype=ROW))
    n = f.create_dataset('n', (3,), dtype=NESTED,
                         fillvalue=np.array((3, (1.5, 'é', np.array([4, 5], 'i2'))), dtype=NESTED))
    d[1] = np.array((1, 'ab', np.arange(3.0)), dtype=ROW)
    c[2:4] = np.array([(2, 'x', np.array([9.0])), (3, '', np.array([]))], dtype=ROW)
    n[0] = np.array((9, (0.5, 'q', np.array([], 'i2'))), dtype=NESTED)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_fill_values(tmp_path, driver):
    """Unwritten elements read as the fill value, in direct reads, reopened, after the merge and in
    h5py reading the merged file; `fillvalue` gives it back. The reference is libhdf5's own file
    written through the sec2 driver (h5dump and h5diff agree with the merged file)."""
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / f'{driver}.h5')
    with h5mf.File(ref_path, 'w', driver='sec2') as f:
        fill_steps(f)
    with h5mf.File(path, 'w', driver=driver, **({'writers': 1} if driver == 'multifile' else {})) as f:
        fill_steps(f)
        assert plain(f['d'][...]) == [(7, b'fill', [1.0, 2.0]), (1, b'ab', [0.0, 1.0, 2.0]),
                                      (7, b'fill', [1.0, 2.0]), (7, b'fill', [1.0, 2.0])]
        assert plain(f['c'][4]) == (8, b'', [])
        assert plain(f['n'][2]) == (3, (1.5, 'é'.encode(), [4, 5]))
        assert plain(f['d'].fillvalue) == (7, b'fill', [1.0, 2.0])
        assert type(f['d'].fillvalue) is np.void
    with h5mf.File(path, 'r') as f, h5py.File(ref_path, 'r') as h:
        for name in ('d', 'c', 'n'):
            assert described(f[name][...]) == described(h[name][...]), name
        assert plain(f['n'].fillvalue) == (3, (1.5, 'é'.encode(), [4, 5]))
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if driver == 'multifile':
        if cli:  # the container as h5dump prints libhdf5's file
            assert_dump_as_h5dump(path, ref_path)
        h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
        for name in ('d', 'c', 'n'):
            assert described(a[name][...]) == described(b[name][...]), name
    subprocess.run(['h5diff', path, ref_path], check=True)
    strip = lambda text: [line for line in text.split('\n')[1:] if not line.strip().startswith(('OFFSET ', 'SIZE '))]
    dump = lambda p: subprocess.run(['h5dump', '-p', p], check=True, capture_output=True, text=True).stdout
    assert strip(dump(path)) == strip(dump(ref_path))
    assert '"fill"' in dump(path)


SUBARRAYS = np.dtype([('i', 'i4'), ('a', h5py.string_dtype(), (3,)), ('q', h5py.vlen_dtype('i2'), (2,)),
                      ('n', [('t', h5py.string_dtype('ascii'), (2,)), ('x', 'f4')])])


def subarray_steps(f, record):
    """Subarray fields of strings and sequences, nested too (h5py 3.7 stores them as datasets)."""
    d = f.create_dataset('d', (4,), dtype=SUBARRAYS)
    d[0] = np.array((1, ['a', 'bb', 'c'], [np.arange(2, dtype='i2'), np.array([], 'i2')], (['u', 'v'], 1.5)),
                    dtype=SUBARRAYS)
    d[2:4] = np.array([(2, ['éé', '', 'x'], [np.array([7], 'i2')] * 2, (['', 'w'], 2.5)),
                       (3, ['p', 'q', 'r'], [np.arange(3, dtype='i2')] * 2, (['s', 't'], 3.5))], dtype=SUBARRAYS)
    record('all', lambda: described(d[...]))
    record('one', lambda: described(d[2]))
    record('unwritten', lambda: described(d[1]))
    record('field', lambda: described(d['a']))
    # (attributes of string subarrays: h5py corrupts memory writing sequence members to attributes)
    f.attrs['s'] = np.array([(1, ['a', 'b', 'c'])], dtype=[('i', 'i4'), ('a', h5py.string_dtype(), (3,))])
    record('attribute', lambda: described(f.attrs['s']))


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_subarray_fields_as_h5py(tmp_path, driver):
    """Variable-length data inside subarray fields: the same calls through h5py on a plain file and
    through h5mf, reopened, `h5mf dump` of the container, and h5py on the merged file (h5diff)."""
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / f'{driver}.h5')
    outcomes = []
    for h, p, kwargs in ((h5py, ref_path, {}),
                         (h5mf, path, {'driver': driver, **({'writers': 1} if driver == 'multifile' else {})})):
        record = Recorder()
        with h.File(p, 'w', **kwargs) as f:
            subarray_steps(f, record)
        with h.File(p, 'r') as f:
            record('reopened', lambda: described(f['d'][...]))
            record('reopened attribute', lambda: described(f.attrs['s']))
        outcomes.append(record.outcomes)
    assert_same_returns(outcomes[1], outcomes[0])
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    if driver == 'multifile':
        if cli:
            assert '[ "a", "bb", "c" ]' in assert_dump_as_h5dump(path, ref_path)
        h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
        assert described(a['d'][...]) == described(b['d'][...])
        assert described(a.attrs['s']) == described(b.attrs['s'])
    subprocess.run(['h5diff', path, ref_path], check=True)
