# Seed 002 (OLCF hands-on, "Python: Parallel HDF5"): hdf5_parallel.py. Copied as the seed gives it;
# changed only: the file name is the first argument (the seed's 'output.h5' by default). The seed
# runs it on 42 ranks; at fewer, the dataset's other elements keep the fill value 0.
#
#   mpiexec -n 4 /usr/bin/python3 seed002_hdf5_parallel.py output.h5
import sys

from mpi4py import MPI
import h5py

path = sys.argv[1] if len(sys.argv) > 1 else 'output.h5'

comm = MPI.COMM_WORLD      # Use the world communicator
mpi_rank = comm.Get_rank() # The process ID (integer 0-41 for a 42-process job)
mpi_size = comm.Get_size() # Total amount of ranks

with h5py.File(path, 'w', driver='mpio', comm=MPI.COMM_WORLD) as f:
    dset = f.create_dataset('test', (42,), dtype='i')
    dset[mpi_rank] = mpi_rank

comm.Barrier()

if (mpi_rank == 0):
    print('42 MPI ranks have finished writing!')
