"""Issue 18: attributes of variable-length sequences (h5py's and h5mf's vlen_dtype) and of compounds
with variable-length members (string and sequence fields, nested compounds), as h5py 3.7 stores
and reads them. The same calls go through h5py on a plain file and through h5mf (multifile with
one writer, sec2); then direct reads of the reopened container, `h5mf dump` of it (as h5dump
prints h5py's file), and after `h5mf merge` h5py reads the merged file as it reads its own
(h5diff agrees). h5py 3.7 corrupts memory writing compounds with sequence members to attributes
(it packs hvl_t members into numpy's 8-byte object fields): for those the reference is the value
given and libhdf5's own file written by the sec2 driver."""

import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

import h5mf
from conftest import h5dump
from parity import Recorder, assert_same_returns, plain

ROW = np.dtype([('id', 'i4'), ('name', h5py.string_dtype()), ('v', h5py.vlen_dtype('f8'))])
NESTED = np.dtype([('n', ROW), ('k', 'u1')])
NAMES = np.dtype([('id', 'i4'), ('name', h5py.string_dtype()), ('tag', h5py.string_dtype('ascii'))])


def described(value):
    """What a read gave: its type, dtype with h5py's metadata (per field), shape and values."""
    dtype = getattr(value, 'dtype', None)
    fields = None
    if dtype is not None and dtype.names:
        fields = [(n, str(dtype.fields[n][0]), dtype.fields[n][1], dtype.fields[n][0].metadata) for n in dtype.names]
    items = None
    if dtype is not None and dtype.kind == 'O' and isinstance(value, np.ndarray):
        items = [(type(x).__name__, str(getattr(x, 'dtype', None))) for x in value.flat]
    return (type(value).__name__, str(dtype), getattr(dtype, 'metadata', None), fields, items,
            getattr(value, 'shape', None), plain(value))


def scalar_sequence(values, dtype='i4'):
    x = np.empty((), dtype=object)
    x[()] = np.array(values, dtype=dtype)
    return x


def sequence_steps(h, f, record):
    """Attributes of sequences and of string-only compounds: what h5py 3.7 writes itself."""
    f.attrs.create('a', [np.arange(3), np.arange(2)], dtype=h.vlen_dtype('i4'))
    f.attrs.create('mine', [np.arange(3), np.arange(2)], dtype=h5mf.vlen_dtype('i4'))  # h5mf's dtype in h5py too
    f.attrs.create('grid', np.array([[np.arange(3), np.arange(2)], [np.arange(1), np.arange(0)]], dtype=object),
                   dtype=h.vlen_dtype('i4'))
    f.attrs.create('narrow', [np.arange(3, dtype='i8'), np.arange(1, dtype='i8')], dtype=h.vlen_dtype('i2'))
    f.attrs.create('scalar', scalar_sequence([0, 1, 2, 3]), dtype=h.vlen_dtype('i4'))
    f.attrs.create('empty', h.Empty(h.vlen_dtype('f8')))
    f.attrs['names'] = np.array([(1, 'ab', b'x'), (2, 'é', b'')], dtype=NAMES)
    g = f.create_group('g')
    g.attrs.create('a', [np.array([1.5]), np.array([2.5, 3.5])], dtype=h.vlen_dtype('f8'))
    d = f.create_dataset('d', (2,), dtype='i4')
    d.attrs.create('a', [np.arange(4, dtype='u1'), np.arange(1, dtype='u1')], dtype=h.vlen_dtype('u1'))
    d.attrs.create('a', [np.arange(1, dtype='u1'), np.arange(3, dtype='u1')], dtype=h.vlen_dtype('u1'))  # replaced
    for name in ('a', 'mine', 'grid', 'narrow', 'scalar', 'empty', 'names'):
        record(name, lambda: described(f.attrs[name]))
    record('g/a', lambda: described(g.attrs['a']))
    record('d/a', lambda: described(d.attrs['a']))
    record('names-one', lambda: described(f.attrs['names'][1]))
    record('modify', lambda: f.attrs.modify('a', [np.arange(5), np.arange(1)]))
    record('modified', lambda: described(f.attrs['a']))


ATTRS = ('a', 'mine', 'grid', 'narrow', 'scalar', 'empty', 'names')


def run(h, path, steps, **kwargs):
    record = Recorder()
    with h.File(path, 'w', **kwargs) as f:
        steps(h, f, record)
    reread = Recorder()
    with h.File(path, 'r') as f:
        for name in sorted(f.attrs):
            reread(name, lambda: described(f.attrs[name]))
        for name in sorted(f['g'].attrs) if 'g' in f else ():
            reread('g/' + name, lambda: described(f['g'].attrs[name]))
    return record.outcomes, reread.outcomes


def cli():
    return os.environ.get('H5MF_CLI') or shutil.which('h5mf')


def dump(path):
    return subprocess.run([cli(), 'dump', path], check=True, capture_output=True, text=True).stdout


def merged_as(path, ref_path):
    """`h5mf dump` of the container prints what h5dump prints of `ref_path`; verify passes; after
    the merge h5py reads every attribute of it as of `ref_path`, and h5diff agrees."""
    if cli():
        assert dump(path).split('\n', 1)[1] == h5dump(ref_path).split('\n', 1)[1]
    report = h5mf.verify(path)
    assert report.exit_code == 0, report
    h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
        for owner in ('/', 'g', 'd'):
            if owner not in b:
                continue
            assert sorted(a[owner].attrs) == sorted(b[owner].attrs)
            for name in b[owner].attrs:
                assert described(a[owner].attrs[name]) == described(b[owner].attrs[name]), (owner, name)
                assert a[owner].attrs.get_id(name).dtype == b[owner].attrs.get_id(name).dtype
    subprocess.run(['h5diff', path, ref_path], check=True)
    assert h5dump(path).split('\n', 1)[1] == h5dump(ref_path).split('\n', 1)[1]


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_sequence_attributes_as_h5py(tmp_path, driver):
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / f'{driver}.h5')
    ref = run(h5py, ref_path, sequence_steps)
    mine = run(h5mf, path, sequence_steps, driver=driver, **({'writers': 1} if driver == 'multifile' else {}))
    assert_same_returns(mine[0], ref[0])
    assert_same_returns(mine[1], ref[1])  # reopened: direct reads of the container
    if driver == 'multifile':
        merged_as(path, ref_path)
    else:
        subprocess.run(['h5diff', path, ref_path], check=True)
    # h5py's own file read through h5mf's sec2 driver
    with h5mf.File(ref_path, 'r', driver='sec2') as f:
        assert described(f.attrs['grid']) == ref[1][[r[0] for r in ref[1]].index('grid')][2]


def compound_values():
    """Compounds with string and sequence fields, nested, scalar and empty: (name, value)."""
    rows = np.array([(1, 'ab', np.array([1.0, 2.0])), (2, '', np.array([])), (3, 'éé', np.arange(3.0))], dtype=ROW)
    nested = np.array([((1, 'x', np.array([3.0])), 7), ((2, 'yz', np.array([])), 8)], dtype=NESTED)
    return [('rows', rows), ('one', rows[0]), ('nested', nested), ('grid', rows[:2].reshape(2, 1)),
            ('none', np.empty(0, dtype=ROW))]


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_compound_attributes(tmp_path, driver):
    path, ref_path = str(tmp_path / f'{driver}.h5'), str(tmp_path / 'ref.h5')
    values = compound_values()
    for target, kwargs in ((ref_path, {'driver': 'sec2'}),
                           (path, {'driver': driver, **({'writers': 1} if driver == 'multifile' else {})})):
        with h5mf.File(target, 'w', **kwargs) as f:
            f.create_group('g')
            for name, value in values:
                f.attrs[name] = value
            f['g'].attrs.create('e', h5mf.Empty(ROW))
            for name, value in values:
                got = f.attrs[name]
                assert plain(got) == described_value(value), name
    with h5mf.File(path, 'r') as f, h5py.File(ref_path, 'r') as h:
        for name, value in values:
            assert described(f.attrs[name]) == described(h.attrs[name]), name  # as h5py reads libhdf5's file
        assert isinstance(f['g'].attrs['e'], h5mf.Empty)
    if driver == 'multifile':
        merged_as(path, ref_path)
        text = h5dump(path)
        assert '(0, 1, 2)' in text and 'H5T_VLEN { H5T_IEEE_F64LE}' in text


def described_value(value):
    """A given structured value as h5py reads it back: strings as bytes."""
    def convert(x):
        if isinstance(x, str):
            return x.encode()
        if isinstance(x, tuple):
            return tuple(convert(y) for y in x)
        if isinstance(x, list):
            return [convert(y) for y in x]
        return x
    return convert(plain(value))


def test_compounds_of_strings_as_h5py(tmp_path):
    """h5py writes compounds whose variable-length members are strings: the same through h5mf."""
    ref_path, path = str(tmp_path / 'ref.h5'), str(tmp_path / 'c.h5')
    value = np.array([(1, 'ab', b'x'), (2, 'é', b'')], dtype=NAMES)
    for h, p, kwargs in ((h5py, ref_path, {}), (h5mf, path, {'writers': 1})):
        with h.File(p, 'w', **kwargs) as f:
            f.attrs['s'] = value
            f.attrs['one'] = value[1]
    with h5mf.File(path, 'r') as f, h5py.File(ref_path, 'r') as h:
        for name in ('s', 'one'):
            assert described(f.attrs[name]) == described(h.attrs[name])
    merged_as(path, ref_path)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_what_is_refused(tmp_path, driver):
    with h5mf.File(str(tmp_path / 'x.h5'), 'w', driver=driver) as f:
        with pytest.raises(TypeError, match='sequence'):
            f.attrs.create('s', ['ab', 'c'], dtype=h5mf.vlen_dtype('i4'))
        with pytest.raises(TypeError, match='needs a sequence'):
            f.attrs.create('n', 3, dtype=h5mf.vlen_dtype('i4'))
        with pytest.raises(TypeError):  # arrays of variable-length data (subarray fields of strings)
            f.attrs['sub'] = np.zeros(2, dtype=[('a', h5mf.string_dtype(), (2,))])
        with pytest.raises(TypeError):  # sequences of variable-length data
            f.attrs.create('q', [[b'x']], dtype=h5mf.vlen_dtype(h5mf.string_dtype()))
        assert not any(name in f.attrs for name in ('s', 'n', 'sub', 'q'))


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_variable_length_subarrays_as_elements_fail_clearly(tmp_path, driver):
    """A subarray of strings as the whole element (not a field) is refused clearly, and leaves
    nothing behind (subarray fields work: test_h5py_vlen_compound.py)."""
    path = str(tmp_path / 'x.h5')
    whole = np.dtype((h5mf.string_dtype(), (2,)))
    with h5mf.File(path, 'w', driver=driver) as f:
        with pytest.raises(NotImplementedError, match='array .2. of string.variable. are not supported yet'):
            f.create_dataset('d', (2,), dtype=whole)
        with pytest.raises(TypeError, match='arrays of elements with variable-length data'):
            f.attrs.create('a', [['x', 'y']], dtype=whole)
        assert list(f) == [] and list(f.attrs) == []


def test_numbers_as_sequences(tmp_path):
    """Where h5py fails (rows of equal length become a 2-D array of numbers), h5mf takes each row
    along the last axis as a sequence."""
    with h5mf.File(str(tmp_path / 'x.h5'), 'w', writers=1) as f:
        f.attrs.create('rows', [np.arange(2), np.arange(2) + 5], dtype=h5mf.vlen_dtype('i8'))
        f.attrs.create('one', np.arange(3), dtype=h5mf.vlen_dtype('i8'))
        assert plain(f.attrs['rows']) == [[0, 1], [5, 6]]
        assert plain(f.attrs['one']) == [0, 1, 2]  # a scalar attribute reads as its sequence (h5py)


def test_over_an_existing_file(tmp_path):
    """A container over an HDF5 file (a base file) with sequence attributes and a compound fill
    value: they read as there, new ones join them, and the merge keeps all."""
    path = str(tmp_path / 'base.h5')
    with h5mf.File(path, 'w', driver='sec2') as f:  # libhdf5's own file (h5py 3.7 refuses such fills)
        f.create_dataset('d', (3,), dtype=ROW, fillvalue=np.array((9, 'f', np.array([1.0])), dtype=ROW))
    with h5py.File(path, 'a') as f:
        f.attrs.create('q', [np.arange(3), np.arange(1)], dtype=h5py.vlen_dtype('i4'))
    want = [(9, b'f', [1.0]), (20, b'new', [7.0]), (9, b'f', [1.0])]
    with h5mf.File(path, 'a', driver='multifile', writers=1) as f:
        assert plain(f.attrs['q']) == [[0, 1, 2], [0]]
        assert plain(f['d'].fillvalue) == (9, b'f', [1.0])
        f['d'][1] = np.array((20, 'new', np.array([7.0])), dtype=ROW)
        f.attrs.create('r', [np.arange(2), np.arange(4)], dtype=h5py.vlen_dtype('i2'))
        assert plain(f['d'][...]) == want
    with h5mf.File(path, 'r', driver='multifile') as f:
        assert plain(f['d'][...]) == want and plain(f.attrs['r']) == [[0, 1], [0, 1, 2, 3]]
    h5mf.merge(path + '.h5mf')
    with h5py.File(path, 'r') as f:
        assert plain(f['d'][...]) == want
        assert plain(f.attrs['q']) == [[0, 1, 2], [0]] and plain(f.attrs['r']) == [[0, 1], [0, 1, 2, 3]]
        assert f.attrs.get_id('r').dtype.metadata == {'vlen': np.dtype('int16')}
