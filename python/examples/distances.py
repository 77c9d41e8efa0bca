# Seed 001 ("Python and HDF5", MPI Parallel HDF5), "Our Favorite Example", ported to h5mf.
#
# Changed: `import h5mf` instead of h5py; driver='multifile' instead of 'mpio', so coords.hdf5 is
# an h5mf container (it must exist with a (1000, 2) 'coords' dataset, written by any h5mf program);
# and mode 'a' is explicit: the seed relied on h5py 2's default mode, which was 'a' then and is
# 'r' in h5py 3 and in h5mf. `h5mf merge coords.hdf5` afterwards gives one HDF5 file.
#
#   mpiexec -n 4 python3 distances.py
import numpy as np
import h5mf
from mpi4py import MPI

comm = MPI.COMM_WORLD   # Communicator which links all our processes together
rank = comm.rank        # Number which identifies this process.  Since we'll
                        # have 4 processes, this will be in the range 0-3.

f = h5mf.File('coords.hdf5', 'a', driver='multifile', comm=comm)

coords_dset = f['coords']
distances_dset = f.create_dataset('distances', (1000,), dtype='f4')

idx = rank*250  # This will be our starting index.  Rank 0 handles coordinate
                # pairs 0-249, Rank 1 handles 250-499, Rank 2 500-749, and
                # Rank 3 handles 750-999.

coords = coords_dset[idx:idx+250]  # Load process-specific data

result = np.sqrt(np.sum(coords**2, axis=1))  # Compute distances

distances_dset[idx:idx+250] = result  # Write process-specific data

f.close()
