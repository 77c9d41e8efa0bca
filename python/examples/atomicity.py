# Seed 001 ("Python and HDF5", MPI Parallel HDF5), the atomicity demo, ported to h5mf.
#
# Changed: `import h5mf` instead of h5py; driver='multifile' instead of 'mpio' (the container's
# atomic mode flushes every write to the writer's own files before the call returns, and readers
# see it); `print dset[0]` became Python 3's print(dset[0]). Rank 1 prints 42.
#
#   mpiexec -n 4 python3 atomicity.py
import h5mf
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank = comm.rank

with h5mf.File('atomicdemo.hdf5', 'w', driver='multifile', comm=comm) as f:

    f.atomic = True  # Enables strict atomic mode

    dset = f.create_dataset('x', (1,), dtype='i')

    if rank == 0:
        dset[0] = 42

    comm.Barrier()

    if rank == 1:
        print(dset[0])
