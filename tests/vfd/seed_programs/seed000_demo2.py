# Seed 000 (h5py docs, "Parallel HDF5"): the example program that opens a file with the mpio
# driver, creates one dataset and fills it with the process ID. Copied as the seed gives it;
# changed only: the file name is the first argument (the seed's 'parallel_test.hdf5' by default).
#
#   mpiexec -n 4 /usr/bin/python3 seed000_demo2.py parallel_test.hdf5
import sys

from mpi4py import MPI
import h5py

path = sys.argv[1] if len(sys.argv) > 1 else 'parallel_test.hdf5'

rank = MPI.COMM_WORLD.rank  # The process ID (integer 0-3 for 4-process run)

f = h5py.File(path, 'w', driver='mpio', comm=MPI.COMM_WORLD)

dset = f.create_dataset('test', (4,), dtype='i')
dset[rank] = rank

f.close()
