"""Reads of a base file's dataset through a container (issue 18): a 2000 x 6250 float64 dataset
(100 MB, chunks of 100 rows) of an h5py file opened with mode 'a', left as it is or grown by one row
in the container. Reads the old rows, and all rows (across the base's edge), directly from the
container; prints the median of 5 reads of each and the load average.

    PYTHONPATH=build/python /usr/bin/python3 bench/base_resize_reads.py [DIRECTORY]
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

import h5py
import numpy as np

import h5mf

ROWS, COLUMNS, REPEATS = 2000, 6250, 5


def prepare(directory, grown):
    path = os.path.join(directory, f'base-{"grown" if grown else "as-is"}.h5')
    shutil.rmtree(path + '.h5mf', ignore_errors=True)
    with h5py.File(path, 'w') as f:
        f.create_dataset('d', data=np.random.default_rng(1).random((ROWS, COLUMNS)), maxshape=(None, COLUMNS),
                         chunks=(100, COLUMNS))
    with h5mf.File(path, 'a', driver='multifile') as f:
        if grown:
            f['d'].resize((ROWS + 1, COLUMNS))
        else:
            f.attrs['touched'] = 1  # a container over the file, the dataset as it is
    return path


def median_read(path, rows):
    times = []
    for _ in range(REPEATS):
        with h5mf.File(path, 'r') as f:
            start = time.perf_counter()
            f['d'][0:rows]
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix='h5mf-bench-')
    as_is, grown = prepare(directory, False), prepare(directory, True)
    old = median_read(as_is, ROWS), median_read(grown, ROWS)
    print(f'old rows:  as is {old[0]:.3f} s, grown {old[1]:.3f} s (ratio {old[1] / old[0]:.2f})')
    across = median_read(grown, ROWS + 1)
    print(f'all rows of the grown one (across the edge): {across:.3f} s (ratio {across / old[0]:.2f})')
    print('load average:', ' '.join(f'{v:.1f}' for v in os.getloadavg()))


if __name__ == '__main__':
    main()
