# Seed 001 ("Python and HDF5", MPI Parallel HDF5): "Our Favorite Example". The file must exist
# with a (1000, 2) 'coords' dataset (make_coords.py writes one, as seed 004 does).
# Changed only: the file name is the first argument (the seed's 'coords.hdf5' by default), and the
# mode 'a' is explicit: the seed (2013) relied on h5py 2's default mode, 'a' then, 'r' in h5py 3.
#
#   mpiexec -n 4 /usr/bin/python3 seed001_distances.py coords.hdf5
import sys

import numpy as np
import h5py
from mpi4py import MPI

path = sys.argv[1] if len(sys.argv) > 1 else 'coords.hdf5'

comm = MPI.COMM_WORLD   # Communicator which links all our processes together
rank = comm.rank        # Number which identifies this process.  Since we'll
                        # have 4 processes, this will be in the range 0-3.

f = h5py.File(path, 'a', driver='mpio', comm=comm)

coords_dset = f['coords']
distances_dset = f.create_dataset('distances', (1000,), dtype='f4')

idx = rank*250  # This will be our starting index.  Rank 0 handles coordinate
                # pairs 0-249, Rank 1 handles 250-499, Rank 2 500-749, and
                # Rank 3 handles 750-999.

coords = coords_dset[idx:idx+250]  # Load process-specific data

result = np.sqrt(np.sum(coords**2, axis=1))  # Compute distances

distances_dset[idx:idx+250] = result  # Write process-specific data

f.close()
