"""Issue 18: fill values of variable-length datasets in an MPI job (one rank in the main run, 2
under mpiexec). Creation is collective: every rank gives the same fill value, each writes its own
element, and every rank reads the fill value where nobody wrote, in the session, reopened and
(rank 0) after the merge, as h5py reads its own file. Different fill values across ranks are a
mismatched collective call."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file


def test_string_fill_across_ranks(comm, shared_dir):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, 'fill.h5')
    with create_or_skip(path, 'multifile', comm) as f:
        s = f.create_dataset('s', (2 * size,), dtype=h5mf.string_dtype(), fillvalue=b'xy')
        v = f.create_dataset('v', (2 * size,), dtype=h5mf.vlen_dtype('i4'), fillvalue=[7, 8])
        s[2 * rank] = f'r{rank}'
        v[2 * rank] = np.arange(rank + 1, dtype='i4')
        f.flush()
        comm.Barrier()
        assert f['s'][...].tolist() == [x for r in range(size) for x in (f'r{r}'.encode(), b'xy')]
    strings = [x for r in range(size) for x in (f'r{r}'.encode(), b'xy')]
    sequences = [x for r in range(size) for x in (list(range(r + 1)), [7, 8])]
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['s'][...].tolist() == strings
        assert [a.tolist() for a in f['v'][...]] == sequences
        assert f['s'].fillvalue == b'xy' and f['v'].fillvalue.tolist() == [7, 8]
    comm.Barrier()
    if rank == 0:
        import h5py
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert f['s'][...].tolist() == strings
            assert [a.tolist() for a in f['v'][...]] == sequences
    comm.Barrier()


def test_mpio_creates_with_the_fill(comm, shared_dir):
    """The mpio driver creates such datasets with their fill value (HDF5 1.10 writes no
    variable-length data in parallel: unwritten elements are all there is)."""
    path = os.path.join(shared_dir, 'fill-mpio.h5')
    with create_or_skip(path, 'mpio', comm) as f:
        f.create_dataset('s', (3,), dtype=h5mf.string_dtype(), fillvalue=b'xy')
        f.create_dataset('v', (2,), dtype=h5mf.vlen_dtype('i4'), fillvalue=[7, 8], chunks=(1,))
        assert f['s'][...].tolist() == [b'xy'] * 3
        assert [a.tolist() for a in f['v'][...]] == [[7, 8]] * 2
        assert f['s'].fillvalue == b'xy' and f['v'].fillvalue.tolist() == [7, 8]
    comm.Barrier()
    if comm.rank == 0:
        import h5py
        with h5py.File(path, 'r') as f:
            assert f['s'][...].tolist() == [b'xy'] * 3
            assert [a.tolist() for a in f['v'][...]] == [[7, 8]] * 2
    comm.Barrier()


def test_different_fill_values_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'fill-mismatch.h5')
    f.create_dataset('s', (2,), dtype=h5mf.string_dtype(), fillvalue=f'rank {comm.rank}')
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
