"""h5py naming the h5mf driver itself (h5mf.register_h5py_driver), without h5mf exec: a container
is written, merged, and holds every rank's values; f.atomic works as seed 001's demo needs.
Run under mpiexec with the build's python/ on PYTHONPATH; argument: the output path."""
import os
import sys

import h5py
import numpy as np
from mpi4py import MPI

import h5mf

comm = MPI.COMM_WORLD
path = sys.argv[1]
h5mf.register_h5py_driver()
with h5py.File(path, 'w', driver='h5mf', comm=comm) as f:
    dset = f.create_dataset('x', (comm.size, 1000), dtype='f8')
    dset[comm.rank] = np.arange(1000) + 1000.0 * comm.rank
    f.attrs['ranks'] = comm.size
    # Atomic mode without the preload (seed 001's demo): a value rank 0 writes is seen by every
    # rank right after a barrier, with no sync.
    assert f.atomic is False
    f.atomic = True
    assert f.atomic is True
    flag = f.create_dataset('flag', (1,), dtype='i4')
    if comm.rank == 0:
        flag[0] = 42
    comm.Barrier()
    seen = int(flag[0])
    assert seen == 42, f'rank {comm.rank} read {seen} in atomic mode'
    f.atomic = False
    assert f.atomic is False
comm.Barrier()
# Files on other drivers keep h5py's own atomic property (mpio here).
with h5py.File(path + '.mpio', 'w', driver='mpio', comm=comm) as f:
    assert f.atomic is False
    f.atomic = True
    assert f.atomic is True
comm.Barrier()
if comm.rank == 0:
    assert os.path.isdir(path), f'{path} is not a container'
    report = h5mf.merge(path)
    assert report.records_dropped == 0 and not report.damage, report.damage
    with h5py.File(path, 'r') as f:
        x = f['x'][...]
        assert f.attrs['ranks'] == comm.size
    expected = np.arange(1000)[None, :] + 1000.0 * np.arange(comm.size)[:, None]
    assert (x == expected).all(), 'wrong values after the merge'
    print('explicit driver ok')
