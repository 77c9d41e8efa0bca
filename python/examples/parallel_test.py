# Seed 000 (h5py's "Parallel HDF5" docs), the demo2.py example, ported to h5mf.
#
# Changed: `import h5mf` instead of h5py, and driver='multifile' instead of 'mpio': every rank
# appends to its own files in the container directory parallel_test.hdf5, at file-per-process
# speed. `h5mf merge parallel_test.hdf5` (or h5mf.merge) then turns the container into the
# conventional HDF5 file that the seed shows with h5dump.
#
#   mpiexec -n 4 python3 parallel_test.py && h5mf merge parallel_test.hdf5 && h5dump parallel_test.hdf5
from mpi4py import MPI
import h5mf

rank = MPI.COMM_WORLD.rank  # The process ID (integer 0-3 for 4-process run)

f = h5mf.File('parallel_test.hdf5', 'w', driver='multifile', comm=MPI.COMM_WORLD)

dset = f.create_dataset('test', (4,), dtype='i')
dset[rank] = rank

f.close()
