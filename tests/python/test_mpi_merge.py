"""A job script that calls h5mf.merge(path) on every rank, each on its own (at one rank in the main
run, at four under mpiexec): one merge runs, the others are refused (BlockingIOError while it
holds the container, KeyError once the path is the merged file); the file is whole and nothing
is left beside it."""

import os

import numpy as np

import h5mf


def test_every_rank_merging_the_same_path_gives_one_whole_file(comm, shared_dir):
    path = os.path.join(shared_dir, 'every_rank.h5')
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        dset = f.create_dataset('x', (comm.size, 100000), dtype='i8')
        dset[comm.rank] = comm.rank * 100000 + np.arange(100000)
    comm.Barrier()
    try:
        h5mf.merge(path)
        outcome = 'merged'
    except BlockingIOError as e:
        assert 'held by' in str(e), str(e)
        outcome = 'refused: busy'
    except KeyError as e:
        assert 'not an h5mf container' in str(e), str(e)
        outcome = 'refused: already merged'
    outcomes = comm.allgather(outcome)
    assert outcomes.count('merged') == 1, outcomes
    comm.Barrier()
    if comm.rank == 0:
        import h5py
        assert os.path.isfile(path)
        assert sorted(os.listdir(shared_dir)) == ['every_rank.h5']
        with h5py.File(path, 'r') as f:
            expected = np.arange(comm.size * 100000).reshape(comm.size, 100000)
            np.testing.assert_array_equal(f['x'][...], expected)
    comm.Barrier()
