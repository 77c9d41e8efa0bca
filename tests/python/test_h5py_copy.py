"""Issue 18: Group.copy as h5py 3.7 does it on a plain file (H5Ocopy's options shallow,
expand_soft, without_attrs, name=; hard links inside the copied tree kept as links), through each
driver, in the session and after the merge, and its errors."""

import os

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_outcomes


def populate(f, mod):
    f['g/d'] = np.arange(3, dtype='i4')
    f['g/d'].attrs['units'] = np.int32(5)
    f.create_dataset('g/sub/e', data=np.ones((2, 2)), chunks=(1, 2), maxshape=(None, 2), fillvalue=-1.0)
    f['g/alias'] = f['g/d']
    f['g/s'] = mod.SoftLink('/g/d')
    f['g'].attrs['level'] = np.int32(1)
    f.copy('g', 'deep')  # everything; /deep/alias is /deep/d
    f.copy('g', 'shallow', shallow=True)  # /shallow/sub is empty
    f.copy('g', 'expanded', expand_soft=True, without_attrs=True)  # /expanded/s is /expanded/d
    f.copy('g/d', f['g/sub'])  # into a group, under its own name
    f.copy(f['g/d'], f, name='named')  # an object, into the root, renamed
    f.copy('g/d', 'p/q/r')  # missing groups on the way are created


def check_reads(f, mod):
    assert sorted(f) == ['deep', 'expanded', 'g', 'named', 'p', 'shallow']
    assert sorted(f['deep']) == ['alias', 'd', 's', 'sub']
    assert f['deep/d'][...].tolist() == [0, 1, 2] and f['deep/d'].attrs['units'] == 5
    assert f['deep'].attrs['level'] == 1
    assert f['deep/alias'] == f['deep/d'] and f['deep/d'] != f['g/d']
    assert f.get('deep/s', getlink=True).path == '/g/d'  # copied as the link it is
    e = f['deep/sub/e']
    assert e[...].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert (e.chunks, e.maxshape, e.fillvalue) == ((1, 2), (None, 2), -1.0)
    assert list(f['shallow/sub']) == [] and f['shallow/d'][...].tolist() == [0, 1, 2]
    assert f['expanded/s'] == f['expanded/d'] and dict(f['expanded/d'].attrs) == {}
    assert isinstance(f.get('expanded/s', getlink=True), mod.HardLink)
    assert sorted(f['g/sub']) == ['d', 'e'] and f['named'][...].tolist() == [0, 1, 2]
    assert f['p/q/r'][...].tolist() == [0, 1, 2]


def errors(f, record):
    record('onto an existing name', lambda: f.copy('g/d', 'g'))
    record('a missing source', lambda: f.copy('nope', 'x'))
    record('into a dataset', lambda: f.copy('g/d', f['named']))
    record('state', lambda: sorted(f))


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_copy_as_h5py(tmp_path, driver):
    import h5py
    ref, mine = Recorder(), Recorder()
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        populate(f, h5py)
        check_reads(f, h5py)
        errors(f, ref)
    path = str(tmp_path / 'mine.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        populate(f, h5mf)
        check_reads(f, h5mf)
        errors(f, mine)
    assert_same_outcomes(mine.outcomes, ref.outcomes)
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        check_reads(f, h5py)


def test_copy_refuses_references(tmp_path):
    with h5mf.File(str(tmp_path / 'f.h5'), 'w', driver='multifile') as f:
        f['d'] = np.arange(2)
        with pytest.raises(NotImplementedError):
            f.copy('d', 'e', expand_refs=True)


def copied_types(f, other):
    """Copies of named datatypes, alone and in a group, through h5py or h5mf (`other`: a second
    file of the same module)."""
    f['types/t'] = np.dtype('<i2')
    f['types/t'].attrs['u'] = np.int32(1)
    f['types/t2'] = f['types/t']  # one object, two names
    f['types/p'] = np.dtype([('a', '<f4'), ('b', '<i8')])
    f.copy('types', 'copy')  # a group of them: one copy of t, linked at both names
    f.copy('types/t', 'alone')  # by path
    f.copy(f['types/p'], f['copy'], name='p_again')  # an object, into a group
    f.copy(f['types/t'], other)  # into another file, under its own name
    out = {'keys': sorted(f), 'copy': sorted(f['copy']), 'other': sorted(other)}
    if isinstance(f, h5mf.File):
        ident = lambda name: f[name]._object_key()  # noqa: E731
    else:
        import h5py
        ident = lambda name: h5py.h5o.get_info(f[name].id).addr  # noqa: E731
    out['same'] = [ident('copy/t') == ident('copy/t2'), ident('copy/t') == ident('types/t'),
                   ident('alone') == ident('types/t')]
    out['equal'] = [f['copy/t'] == f['types/t'], f['copy/t'] == f['copy/p']]  # as types (H5Tequal)
    out['dtypes'] = [f[n].dtype for n in ('copy/t', 'copy/p', 'alone', 'copy/p_again')] + [other['t'].dtype]
    out['attrs'] = [dict(f['copy/t2'].attrs), dict(f['alone'].attrs), dict(other['t'].attrs)]
    out['classes'] = [type(f[n]).__name__ for n in ('copy/t', 'alone', 'copy/p_again')]
    return out


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_copy_of_named_datatypes_as_h5py(tmp_path, driver):
    import h5py
    with h5py.File(str(tmp_path / 'a.h5'), 'w') as f, h5py.File(str(tmp_path / 'b.h5'), 'w') as other:
        expected = copied_types(f, other)
    assert expected['same'] == [True, False, False] and expected['classes'] == ['Datatype'] * 3
    assert expected['equal'] == [True, False]
    with h5mf.File(str(tmp_path / 'c.h5'), 'w', driver=driver) as f, \
            h5mf.File(str(tmp_path / 'd.h5'), 'w', driver=driver) as other:
        assert copied_types(f, other) == expected
    if driver == 'multifile':
        h5mf.merge(str(tmp_path / 'c.h5'))
    with h5py.File(str(tmp_path / 'c.h5'), 'r') as f:
        info = h5py.h5o.get_info
        assert info(f['copy/t'].id).addr == info(f['copy/t2'].id).addr != info(f['types/t'].id).addr
        assert dict(f['copy/t'].attrs) == {'u': 1} and f['copy/p_again'].dtype == f['types/p'].dtype
