"""h5py naming the h5mf driver itself (h5mf.register_h5py_driver), without h5mf exec: a container
is written, merged, and holds every rank's values; f.atomic is refused with an error, not a crash.
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
    try:
        f.atomic = True
        refused = False
    except Exception:  # HDF5's own atomicity call cannot reach this driver without the preload
        refused = True
    assert refused, 'f.atomic = True was accepted without the preload'
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
