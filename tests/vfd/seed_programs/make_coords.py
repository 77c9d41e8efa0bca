# The input of seed 001's favourite example, as seed 004's first cell makes it: a (1000, 2) float32
# dataset 'coords' of random numbers in [0, 1), from a fixed seed so that every run has the same
# input. Serial h5py (no MPI driver): a conventional HDF5 file.
#
#   /usr/bin/python3 make_coords.py coords.hdf5
import sys

import numpy as np
import h5py

path = sys.argv[1] if len(sys.argv) > 1 else 'coords.hdf5'

with h5py.File(path, 'w') as f:
    dset = f.create_dataset('coords', (1000, 2), dtype='f4')
    dset[...] = np.random.default_rng(16).random((1000, 2))
