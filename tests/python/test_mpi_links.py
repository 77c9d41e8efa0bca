"""Hard links in an MPI job (issue 18): `f['alias'] = f['orig']` is collective, like create_group;
every rank sees one object under both names, writes through either name land in it, ranks that
link different names get CollectiveMismatchError. Run at one rank in the main run and at two
under mpiexec (python/pytest/mpi2)."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_hard_links(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'links-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        orig = f.create_dataset('orig', (size, 3), dtype='i4')
        f['alias'] = orig
        f['g1/x'] = np.arange(2.0)  # (every rank writes the same values)
        f['g2'] = f['g1']
        assert f['alias'] == f['orig'] and f['g2'] == f['g1']
        f['alias'][rank] = [rank, rank + 1, rank + 2]  # each rank its row, through the second name
        f['g2'].attrs['ranks'] = size
        f['t'] = np.dtype('<i8')  # a named datatype and a second name of it
        f['t2'] = f['t']
        f.create_dataset('typed', (size,), dtype=f['t2'])[rank] = 10 * rank
        assert f['t2'] == f['t'] and f['typed'].type_committed
        f.flush()
        expected = [[r, r + 1, r + 2] for r in range(size)]
        assert f['orig'][...].tolist() == expected
    comm.Barrier()
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['orig'][...].tolist() == expected and f['alias'] == f['orig']
        assert f['g1'].attrs['ranks'] == size and f['g2/x'] == f['g1/x']
        assert f['t2'] == f['t'] and f['typed'][...].tolist() == [10 * r for r in range(size)]
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            assert f['alias'][...].tolist() == expected
            assert h5py.h5o.get_info(f['alias'].id).addr == h5py.h5o.get_info(f['orig'].id).addr
            assert h5py.h5o.get_info(f['g2'].id).addr == h5py.h5o.get_info(f['g1'].id).addr
            assert f['g1'].attrs['ranks'] == size
            assert h5py.h5o.get_info(f['t2'].id).addr == h5py.h5o.get_info(f['t'].id).addr
            assert f['typed'].id.get_type().committed() and f['typed'][...].tolist() == [10 * r for r in range(size)]
    comm.Barrier()


def test_different_links_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'link-mismatch.h5')
    f['a'] = np.arange(3)
    f['b'] = np.arange(3)
    f['alias'] = f['a' if comm.rank == 0 else 'b']  # targets differ across ranks
    with pytest.raises(h5mf.CollectiveMismatchError, match=r"hard link '/alias' to '/a'"):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
