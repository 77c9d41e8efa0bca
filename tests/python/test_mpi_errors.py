"""Errors in MPI jobs: mismatched collective calls are reported on every rank; an exception on
one rank inside `with File(...)` does not hang the others."""

import os

import numpy as np
import pytest

import h5mf
from conftest import mismatch_file


def test_mismatched_collective_calls_raise_on_every_rank(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'mismatch.h5')
    f.create_group(f'group_of_rank_{comm.rank}')  # names differ across ranks
    with pytest.raises(h5mf.CollectiveMismatchError, match=r"mismatched collective calls.*rank 0 made create_group\('/group_of_rank_0'\)"):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
    assert not f


def test_different_shapes_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'shapes.h5')
    f.create_dataset('x', (10 + comm.rank,), dtype='f4')
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()


def test_exception_in_with_block_does_not_hang(comm, shared_dir):
    # The ranks fail at different points, with no collective call in between: leaving the block
    # must not make one either (a collective close would wait for ranks that never call it).
    path = os.path.join(shared_dir, 'unwind.h5')
    last = comm.size - 1
    with pytest.raises(ZeroDivisionError):
        with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
            dset = f.create_dataset('x', (comm.size,), dtype='i4')
            if comm.rank == last:
                1 / 0
            dset[comm.rank] = comm.rank + 1
            1 / 0
    assert not f
    comm.Barrier()
    # The structure and every rank's writes were written out without a collective close.
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['x'][...].tolist() == [r + 1 for r in range(last)] + [0]


def test_writer_options_are_for_processes_without_mpi(comm, shared_dir):
    path = os.path.join(shared_dir, 'options.h5')
    with pytest.raises(ValueError, match="'writer' and 'writers' are for processes without MPI"):
        h5mf.File(path, 'w', driver='multifile', comm=comm, writers=2)
    comm.Barrier()
    np.testing.assert_equal(comm.allreduce(1), comm.size)
