# Seed 000 (h5py docs, "Parallel HDF5"): its snippets on collective and independent operations and
# on MPI atomic mode, in the order the seed gives them, around its example program. Changed only:
# the file name is the first argument, and the snippets' `>>>` prompts are gone.
#
#   mpiexec -n 4 /usr/bin/python3 seed000_snippets.py parallel_test.hdf5
import sys

from mpi4py import MPI
import h5py

path = sys.argv[1] if len(sys.argv) > 1 else 'parallel_test.hdf5'

rank = MPI.COMM_WORLD.rank  # The process ID (integer 0-3 for 4-process run)

f = h5py.File(path, 'w', driver='mpio', comm=MPI.COMM_WORLD)

dset = f.create_dataset('test', (4,), dtype='i')
dset[rank] = rank

# Anything which modifies the structure or metadata of a file must be done collectively.
grp = f.create_group('x')  # right

# Writing data to a dataset can be done independently.
if rank > 2:
    dset[rank] = 42  # this is fine

# MPI atomic mode.
f.atomic = True

f.close()
