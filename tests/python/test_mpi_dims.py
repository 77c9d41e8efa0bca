"""Dimension scales in an MPI job (issue 18): make_scale, attach_scale, detach_scale and labels are
collective, like create_group; every rank sees them at once, the merged file holds them as libhdf5
writes them, and ranks that attach different scales get CollectiveMismatchError. Run at one rank in
the main run and at two under mpiexec (python/pytest/mpi2)."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_dims(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'dims-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        d = f.create_dataset('d', (size, 3), dtype='f8')
        ranks = f.create_dataset('ranks', (size,), dtype='i4')
        cols = f.create_dataset('cols', (3,), dtype='f4')
        other = f.create_dataset('other', (3,), dtype='f4')
        ranks.make_scale('rank')
        d.dims[0].attach_scale(ranks)
        d.dims[1].attach_scale(cols)
        d.dims[1].attach_scale(other)
        d.dims[1].detach_scale(cols)
        d.dims[0].label = 'rank'
        ranks[rank] = rank * 10  # data stay independent
        d[rank] = [rank, rank + 0.5, rank + 0.25]
        assert d.dims[1].keys() == [''] and d.dims[0].keys() == ['rank'] and d.dims[0].label == 'rank'
        assert cols.is_scale and d.dims[1][0] == other
        f.flush()
        assert d.dims[0]['rank'][...].tolist() == [r * 10 for r in range(size)]
    comm.Barrier()
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['d'].dims[0][0][...].tolist() == [r * 10 for r in range(size)]
        assert f['d'].dims[1].values() == [f['other']] and f['d'].dims[1].label == ''
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            d = f['d']
            assert d.dims[0].label == 'rank' and d.dims[0].keys() == ['rank']
            assert d.dims[0][0][...].tolist() == [r * 10 for r in range(size)]
            assert [s.name for s in d.dims[1].values()] == ['/other'] and 'REFERENCE_LIST' not in f['cols'].attrs
            assert f['ranks'].attrs['REFERENCE_LIST'].shape == (1,)
    comm.Barrier()


def test_different_scales_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'dims-mismatch.h5')
    d = f.create_dataset('d', (3,), dtype='i4')
    f.create_dataset('a', (3,), dtype='i4').make_scale('s')
    f.create_dataset('b', (3,), dtype='i4').make_scale('s')
    d.dims[0].attach_scale(f['a' if comm.rank == 0 else 'b'])  # scales differ across ranks
    with pytest.raises(h5mf.CollectiveMismatchError, match=r"attach_scale\('/a'\) on '/d'"):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
