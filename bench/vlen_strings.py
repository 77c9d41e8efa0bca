"""Variable-length strings through h5mf's Python package, one process: 1,000,000 strings of 17 to
51 bytes (UTF-8) written in slices of 100,000, read back whole, and (multifile) merged. Prints the
median of 3 runs per driver.

    PYTHONPATH=build/python /usr/bin/python3 bench/vlen_strings.py [DIRECTORY]
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

import h5mf

N = 1_000_000
SLICE = 100_000


def run(directory, driver, values):
    path = os.path.join(directory, f'bench-{driver}.h5')
    shutil.rmtree(path, ignore_errors=True)
    if os.path.isfile(path):
        os.unlink(path)
    start = time.perf_counter()
    with h5mf.File(path, 'w', driver=driver) as f:
        d = f.create_dataset('s', (N,), dtype=h5mf.string_dtype())
        for i in range(0, N, SLICE):
            d[i:i + SLICE] = values[i:i + SLICE]
    written = time.perf_counter()
    with h5mf.File(path, 'r') as f:
        got = f['s'][...]
    read = time.perf_counter()
    assert got[N // 3] == values[N // 3].encode()
    merged = read
    if driver == 'multifile':
        h5mf.merge(path)
        merged = time.perf_counter()
    os.unlink(path)
    return written - start, read - written, merged - read


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix='h5mf-vlen-bench-')
    values = np.array([f'element-{i}-\u00e9' * (1 + i % 3) for i in range(N)], dtype=object)
    for driver in ('multifile', 'sec2'):
        runs = [run(directory, driver, values) for _ in range(3)]
        write, read, merge = (statistics.median(r[k] for r in runs) for k in range(3))
        print(f'{driver:9}  write {write:.2f} s  read {read:.2f} s' + (f'  merge {merge:.2f} s' if merge else ''))


if __name__ == '__main__':
    main()
