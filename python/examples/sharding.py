# Seed 004 ("Python and HDF5", Multiprocessing), "Sharding = Poor Man's MapReduce", ported to h5mf.
#
# Changed, because h5mf does by itself what the seed does by hand:
# - MAP: instead of one result file per block, each block is a writer (id = block number) of one
#   container, distances.hdf5, and writes straight into the final dataset. The parent creates the
#   container for 5 writers and the dataset first (only the coordinator changes structure).
# - REDUCE: the parent's loop that read, copied and deleted the shards is one h5mf.merge call. The
#   result goes to its own file: the seed's reduce reopened coords.hdf5 with 'w', deleting the
#   coordinates it had just used.
# - coords.hdf5 is written with driver='multifile' (an h5mf container, readable by many processes
#   at once) and read back by the workers; the seed's first cells made it with h5py.
# Fork and spawn both work: the parent closes its files before the pool starts, and each worker
# opens what it uses.
#
#   python3 sharding.py && h5dump distances.hdf5
from multiprocessing import Pool

import numpy as np
import h5mf


def distance_block(idx):  # idx - the slice offset
    with h5mf.File('coords.hdf5', 'r') as f:
        data = f['coords'][idx:idx+200]

    result = np.sqrt(np.sum(data**2, axis=1))

    with h5mf.File('distances.hdf5', 'a', writer=idx // 200) as f:
        f['distances'][idx:idx+200] = result


if __name__ == '__main__':
    with h5mf.File('coords.hdf5', 'w', driver='multifile') as f:
        dset = f.create_dataset('coords', (1000, 2), dtype='f4')
        dset[...] = np.random.random((1000, 2))

    with h5mf.File('distances.hdf5', 'w', writers=5) as f:
        f.create_dataset('distances', (1000,), dtype='f4')

    p = Pool(4)
    p.map(distance_block, range(0, 1000, 200))

    h5mf.merge('distances.hdf5')
