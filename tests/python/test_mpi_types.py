"""Issue 18, types in an MPI job (one rank in the main run, 2 under mpiexec): complex, float16 and
aligned compounds created collectively, each rank writing its own rows (multifile, and mpio); after
the merge the file holds what h5py 3.7 writes for the same rows on a plain file, HDF5 types
included."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip

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
        f['t'] = ALIGNED
        assert isinstance(f['t'], h5mf.Datatype) and f['t'].dtype == ALIGNED
    comm.Barrier()
    if comm.rank == 0:
        import h5py
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as g:
            assert isinstance(g['t'], h5py.Datatype) and g['t'].dtype == ALIGNED
    comm.Barrier()
