"""Issue 18: a shrinking `resize` in an MPI job (one rank in the main run, 2 under mpiexec). The
resize is collective, so it orders every rank's writes: what any rank wrote before a shrink
outside the new shape is discarded, what ranks write after it is kept. Through h5mf (multifile and
mpio), every rank's reads equal what h5py 3.7 gives on a plain file for the same calls (rank 0
playing every rank's writes), and after the merge h5py reads both files alike."""

import os
import subprocess

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_outcomes
from conftest import create_or_skip


def calls(f, record, ranks, size):
    """Collective calls; each of `ranks` writes its own rows (h5py: rank 0 writes them all)."""
    d = f.create_dataset('d', (2 * size, 6), dtype='i4', maxshape=(None, None), chunks=(1, 4), fillvalue=-1)
    for r in ranks:
        d[2 * r:2 * r + 2] = np.full((2, 6), 10 * (r + 1))
    d.resize((2 * size - 1, 3))  # cuts the last rank's last row and every rank's columns 3-5
    for r in ranks:
        d[2 * r, 2] = r  # written after the shrink: kept
    d.resize((2 * size + 1, 6))
    for r in ranks:
        d[2 * r + 1, 5] = 100 + r  # after the grow: kept, beside the fill of the cut columns
    f.flush()
    record('every rank reads every rank', lambda: d[...])
    record('shape', lambda: d.shape)


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_shrink_as_h5py(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'shrink-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    record = Recorder()
    with f:
        calls(f, record, [rank], size)
    ref_path = os.path.join(shared_dir, f'shrink-ref-{driver}.h5')
    outcomes = None
    if rank == 0:
        import h5py
        ref = Recorder()
        with h5py.File(ref_path, 'w') as g:
            calls(g, ref, range(size), size)
        outcomes = ref.outcomes
    outcomes = comm.bcast(outcomes, root=0)
    assert_same_outcomes(record.outcomes, outcomes)
    expected = outcomes[0][2]
    with h5mf.File(path, 'r', comm=comm) as f:  # reopened
        assert f['d'][...].tolist() == expected.tolist()
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
            assert a['d'][...].tolist() == b['d'][...].tolist()
            assert (a['d'].shape, a['d'].chunks, a['d'].maxshape, a['d'].fillvalue) == \
                (b['d'].shape, b['d'].chunks, b['d'].maxshape, b['d'].fillvalue)
        subprocess.run(['h5diff', path, ref_path], check=True)
    comm.Barrier()
