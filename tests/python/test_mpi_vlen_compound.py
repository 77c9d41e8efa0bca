"""Issue 18: compounds with variable-length members in an MPI job (one rank in the main run, 2
under mpiexec). Each rank writes its own slice of a dataset of h5py's structured dtype with string
and sequence fields; every rank reads all of them in the session (after a flush), reopened, and
rank 0 merges: h5py reads the merged file as written. The mpio driver refuses the writes as it
refuses other variable-length data (HDF5 cannot write them in parallel). Fill values: every rank
gives the same (a collective call), unwritten elements read as it everywhere."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip

ROW = np.dtype([('id', 'i4'), ('name', h5mf.string_dtype()), ('v', h5mf.vlen_dtype('f8'))])


def rows(rank):
    """What rank `rank` writes: three elements of its slice (the fourth stays unwritten)."""
    return [(10 * rank + k, f'r{rank}-{k}' * (k + 1), [float(rank)] * k) for k in range(3)]


def expected(size):
    out = []
    for r in range(size):
        out += [(i, s.encode(), v) for i, s, v in rows(r)] + [(0, b'', [])]
    return out


def plain(array):
    return [(int(i), s, v.tolist()) for i, s, v in array.tolist()]


def test_disjoint_slices_across_ranks(comm, shared_dir):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, 'compound.h5')
    with create_or_skip(path, 'multifile', comm) as f:
        d = f.create_dataset('d', (4 * size,), dtype=ROW)
        d[4 * rank:4 * rank + 3] = np.array([(i, s, np.array(v)) for i, s, v in rows(rank)], dtype=ROW)
        f.flush()
        comm.Barrier()
        assert plain(d[...]) == expected(size)
    with h5mf.File(path, 'r', comm=comm) as f:
        assert plain(f['d'][...]) == expected(size)
        assert plain(f['d'][4 * (size - 1):]) == expected(size)[4 * (size - 1):]
    comm.Barrier()
    if rank == 0:
        import h5py
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert plain(f['d'][...]) == expected(size)
            assert f['d'].dtype.fields['name'][0].metadata == {'vlen': str}
    comm.Barrier()


def test_mpio_refuses_the_writes(comm, shared_dir):
    path = os.path.join(shared_dir, 'compound-mpio.h5')
    with create_or_skip(path, 'mpio', comm) as f:
        d = f.create_dataset('d', (comm.size,), dtype=ROW)
        with pytest.raises(NotImplementedError, match='cannot write variable-length data in parallel'):
            d[comm.rank] = np.array((1, 'a', np.array([1.0])), dtype=ROW)
        assert plain(d[...]) == [(0, b'', [])] * comm.size  # creation works: unwritten elements read


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_fill_value_across_ranks(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'compound-fill-{driver}.h5')
    fill = np.array((-1, 'none', np.array([0.5])), dtype=ROW)
    expected = [(-1, b'none', [0.5])] * (2 * size)
    with create_or_skip(path, driver, comm) as f:
        d = f.create_dataset('d', (2 * size,), dtype=ROW, fillvalue=fill)
        if driver == 'multifile':
            d[2 * rank] = np.array((rank, f'r{rank}', np.array([1.0] * rank)), dtype=ROW)
            for r in range(size):
                expected[2 * r] = (r, f'r{r}'.encode(), [1.0] * r)
        f.flush()
        comm.Barrier()
        assert plain(d[...]) == expected
        assert plain(np.array([d.fillvalue], dtype=ROW)) == [(-1, b'none', [0.5])]
    comm.Barrier()
    if rank == 0:
        import h5py
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert plain(f['d'][...]) == expected
    comm.Barrier()
