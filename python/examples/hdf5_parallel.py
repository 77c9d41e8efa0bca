# Seed 002 (OLCF's "Python: Parallel HDF5" challenge), hdf5_parallel.py, ported to h5mf.
#
# Changed: `import h5mf` instead of h5py; driver='multifile' instead of 'mpio' (every rank appends
# to its own files in the container directory output.h5; `h5mf merge output.h5` makes it the
# conventional HDF5 file the seed dumps); and the dataset has one element per rank instead of a
# fixed 42, so that the program is right at any number of ranks (the seed runs it at 42).
#
#   mpiexec -n 8 python3 hdf5_parallel.py && h5mf merge output.h5 && h5dump output.h5
from mpi4py import MPI
import h5mf

comm = MPI.COMM_WORLD      # Use the world communicator
mpi_rank = comm.Get_rank() # The process ID (integer 0-41 for a 42-process job)
mpi_size = comm.Get_size() # Total amount of ranks

with h5mf.File('output.h5', 'w', driver='multifile', comm=MPI.COMM_WORLD) as f:
    dset = f.create_dataset('test', (mpi_size,), dtype='i')
    dset[mpi_rank] = mpi_rank

comm.Barrier()

if (mpi_rank == 0):
    print('%d MPI ranks have finished writing!' % mpi_size)
