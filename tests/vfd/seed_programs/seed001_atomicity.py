# Seed 001 ("Python and HDF5", MPI Parallel HDF5): the atomicity demo. Rank 1 prints 42.
# Changed only: the file name is the first argument (the seed's 'atomicdemo.hdf5' by default), and
# `print dset[0]` (Python 2) is `print(dset[0])`.
#
#   mpiexec -n 4 /usr/bin/python3 seed001_atomicity.py atomicdemo.hdf5
import sys

import h5py
from mpi4py import MPI

path = sys.argv[1] if len(sys.argv) > 1 else 'atomicdemo.hdf5'

comm = MPI.COMM_WORLD
rank = comm.rank

with h5py.File(path, 'w', driver='mpio', comm=comm) as f:

    f.atomic = True  # Enables strict atomic mode (requires HDF5 1.8.9+)

    dset = f.create_dataset('x', (1,), dtype='i')

    if rank == 0:
        dset[0] = 42

    comm.Barrier()

    if rank == 1:
        print(dset[0])
