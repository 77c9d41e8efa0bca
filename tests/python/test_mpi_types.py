"""Issue 18, types in an MPI job (one rank in the main run, 2 under mpiexec): complex, float16 and
aligned compounds created collectively, each rank writing its own rows (multifile, and mpio); after
the merge the file holds what h5py 3.7 writes for the same rows on a plain file, HDF5 types
included."""

import os
import subprocess

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file

ALIGNED = np.dtype([('a', 'u1'), ('z', '<c8'), ('h', '<f2')], align=True)


def rows(rank):
    a = np.zeros(2, ALIGNED)
    a['a'], a['z'], a['h'] = [rank, rank + 1], [rank * 1j, rank + 0.5j], [rank / 4, -rank]
    return a


def collective(f, size):
    f.create_dataset('c', (size, 2), dtype='c16', fillvalue=-1j)
    f.create_dataset('h', (size, 3), dtype='f2')
    f.create_dataset('a', (size, 2), dtype=ALIGNED)
    f.attrs['z'] = np.complex64(1 - 1j)
    f.attrs['h'] = np.float16(0.5)


def write(f, rank):
    f['c'][rank, 0] = rank + 2j
    f['h'][rank] = [rank, 0.5, -1.5]
    f['a'][rank] = rows(rank)


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_types_in_a_job_as_h5py(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'types-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        collective(f, size)
        write(f, rank)
    comm.Barrier()
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['a'].dtype == ALIGNED and f['h'].dtype == np.float16 and f['c'].dtype == np.complex128
        assert f['a'][rank].tolist() == rows(rank).tolist()
        assert f['c'][rank].tolist() == [rank + 2j, -1j]
    comm.Barrier()
    if rank == 0:
        import h5py
        ref_path = os.path.join(shared_dir, f'types-ref-{driver}.h5')
        with h5py.File(ref_path, 'w') as g:
            collective(g, size)
            for r in range(size):
                write(g, r)
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
            for name in ('c', 'h', 'a'):
                assert a[name].dtype == b[name].dtype, name
                assert a[name][...].tolist() == b[name][...].tolist(), name
                assert a[name].id.get_type() == b[name].id.get_type(), name  # H5Tequal
                assert a[name].id.get_type().get_size() == b[name].id.get_type().get_size(), name
            for key in ('z', 'h'):
                assert a.attrs[key] == b.attrs[key] and a.attrs[key].dtype == b.attrs[key].dtype, key
                assert a.attrs.get_id(key).get_type() == b.attrs.get_id(key).get_type(), key
    comm.Barrier()


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_named_types_in_a_job(comm, shared_dir, driver):
    """A named datatype committed by every rank, merged (multifile) as h5py reads it."""
    path = os.path.join(shared_dir, f'named-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        named_calls(f, comm.size)
        f['d'][comm.rank] = rows(comm.rank)
        assert isinstance(f['t'], h5mf.Datatype) and f['t'].dtype == ALIGNED
        assert f['d'].type_committed and dict(f['t'].attrs) == {'n': comm.size}
    comm.Barrier()
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['d'].type_committed and f['t'].attrs['n'] == comm.size and 'gone' not in f['t'].attrs
        assert f['d'][comm.rank].tolist() == rows(comm.rank).tolist()
    comm.Barrier()
    if comm.rank == 0:
        import h5py
        ref_path = os.path.join(shared_dir, f'named-ref-{driver}.h5')
        with h5py.File(ref_path, 'w') as g:
            named_calls(g, comm.size)
            for r in range(comm.size):
                g['d'][r] = rows(r)
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as g:
            assert isinstance(g['t'], h5py.Datatype) and g['t'].dtype == ALIGNED
            assert g['d'].id.get_type() == g['t'].id and g['d'].id.get_type().committed()
            assert dict(g['t'].attrs) == {'n': comm.size}
            assert g.attrs.get_id('a').get_type() == g['t'].id and g.attrs.get_id('a').get_type().committed()
        assert subprocess.run(['h5diff', path, ref_path], capture_output=True).returncode == 0
        dumps = [subprocess.run(['h5dump', p], capture_output=True, text=True, check=True).stdout
                 for p in (path, ref_path)]
        assert dumps[0].replace(path, '') == dumps[1].replace(ref_path, '')
        assert 'DATATYPE  "/t"' in dumps[0]
    comm.Barrier()


def named_calls(f, size):
    """Collective calls on a named datatype, through h5py or h5mf."""
    f['t'] = ALIGNED
    f['t'].attrs['n'] = size
    f['t'].attrs['gone'] = 1
    del f['t'].attrs['gone']
    f.create_dataset('d', (size, 2), dtype=f['t'])
    f.attrs.create('a', rows(size)[:1], dtype=f['t'])


def test_different_attributes_of_a_named_type_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'named-mismatch.h5')
    f['t'] = ALIGNED
    f['t'].attrs['n'] = comm.rank  # values differ across ranks
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
