"""Merge throughput of chunked datasets with and without deflate, by thread count (docs/benchmarks.md,
"Merging filtered datasets").

    PYTHONPATH=build/python /usr/bin/python3 bench/merge_filters.py --h5mf build/bin/h5mf \
        --dir SCRATCH [--mib 256] [--jobs 1,2,4] [--repeats 3]

Writes one container (one writer) holding two chunked float64 datasets of --mib MiB each with the
same values (a noisy random walk: deflate gets about 1.5:1 on it, much like measured data): one with
shuffle + deflate level 4, one without filters. Then runs `h5mf merge -j J --json -o OUT` of each
dataset's own container for every J, the repeats interleaved, and prints the median seconds and the
raw MiB/s (uncompressed bytes per second) with the fastest and slowest run, and the merge's CPU
seconds per wall-clock second (how many cores it kept busy: the scaling the machine allowed). The merged files are
checked once with h5py against the values written.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys

import numpy as np


def write(path, values, chunk, filtered):
    import h5mf
    with h5mf.File(path, 'w', driver='multifile') as f:
        kwds = dict(compression='gzip', compression_opts=4, shuffle=True) if filtered else {}
        d = f.create_dataset('x', values.shape, dtype='f8', chunks=(chunk,), **kwds)
        step = 8 << 20 >> 3
        for at in range(0, values.size, step):
            d[at:at + step] = values[at:at + step]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--h5mf', required=True, help='the h5mf command')
    p.add_argument('--dir', required=True, help='scratch directory (emptied)')
    p.add_argument('--mib', type=int, default=256)
    p.add_argument('--chunk', type=int, default=65536, help='elements per chunk (float64)')
    p.add_argument('--jobs', default='1,2,4')
    p.add_argument('--repeats', type=int, default=3)
    a = p.parse_args()
    jobs = [int(j) for j in a.jobs.split(',')]
    shutil.rmtree(a.dir, ignore_errors=True)
    os.makedirs(a.dir)
    n = a.mib << 20 >> 3
    rng = np.random.default_rng(1)
    values = np.cumsum(rng.integers(-100, 101, n)).astype('f8') / 64 + rng.random(n) / 1024
    containers = {}
    for filtered in (True, False):
        name = 'deflate' if filtered else 'no filters'
        containers[name] = os.path.join(a.dir, f'{"deflate" if filtered else "plain"}.h5')
        write(containers[name], values, a.chunk, filtered)
    times = {(name, j): [] for name in containers for j in jobs}
    busy = {(name, j): [] for name in containers for j in jobs}  # CPU seconds per wall second
    reports = {}
    for _ in range(a.repeats):
        for name, container in containers.items():
            for j in jobs:
                out = os.path.join(a.dir, 'out.h5')
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                run = subprocess.run([a.h5mf, 'merge', '-j', str(j), '--json', '-o', out, container],
                                     check=True, capture_output=True, text=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                report = json.loads(run.stdout)
                times[(name, j)].append(report['seconds'])
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                busy[(name, j)].append(cpu / report['seconds'])
                if (name, j) not in reports:
                    import h5py
                    with h5py.File(out, 'r') as h:
                        assert np.array_equal(h['x'][...], values), 'merged data differ'
                    reports[(name, j)] = report
                os.unlink(out)
    print(f'{a.mib} MiB float64 per dataset, chunks of {a.chunk} elements, median of {a.repeats}')
    print('| dataset | -j | seconds (fastest-slowest) | raw MiB/s | CPU s / wall s | chunks | stored / raw |')
    print('|---|---|---|---|---|---|---|')
    for (name, j), t in times.items():
        r = reports[(name, j)]
        med = statistics.median(t)
        ratio = r['chunk_bytes_stored'] / r['chunk_bytes_raw'] if r['chunk_bytes_raw'] else 0
        print(f'| {name} | {j} | {med:.2f} ({min(t):.2f}-{max(t):.2f}) | {a.mib / med:.0f} | '
              f'{statistics.median(busy[(name, j)]):.2f} | {r["chunks_written"]} | {ratio:.2f} |')
    shutil.rmtree(a.dir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
