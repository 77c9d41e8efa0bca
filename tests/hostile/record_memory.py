#!/usr/bin/python3
"""Memory per index record (issue 23): many one-element writes must not cost a kilobyte each.

    record_memory.py --maker make_hostile --h5mf h5mf --work DIR [--records N] [--bound BYTES]

make_hostile writes a container of N one-element writes (its `records` class) and one of 100.
`h5mf verify`, `dump`, `merge -o` and `view` run on each; the peak resident memory of the big
one, less that of the small one, divided by N must stay below --bound bytes per record (the
in-memory records, their index and every copy a phase makes; the code before issue 23's fix took
650 to 950). Each command must also succeed on both, verify count every record, and the merged
file hold every write. Exits 1 listing every failure.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np


def peak_kib(command):
    """(exit code, stderr, peak resident KiB) of `command`, output discarded."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, err.decode(errors="replace"), usage.ru_maxrss


def make(maker, work, count):
    folder = work / f"records-{count}"
    subprocess.run([maker, "records", str(folder), str(count)], check=True, capture_output=True, timeout=600)
    return folder / "one-element" / "c.h5"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maker", required=True)
    parser.add_argument("--h5mf", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--records", type=int, default=200000)
    parser.add_argument("--bound", type=int, default=400, help="bytes per record")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    small, big = make(args.maker, work, 100), make(args.maker, work, args.records)

    def commands(container):
        return {
            "verify": ["verify", str(container)],
            "dump": ["dump", str(container)],
            "merge -o": ["merge", "-o", str(container.parent / "merged.h5"), str(container)],
            "view": ["view", str(container)],
        }

    failures = []
    for name in commands(small):
        peaks = []
        for container in (small, big):
            (container.parent / "merged.h5").unlink(missing_ok=True)
            code, err, kib = peak_kib([args.h5mf] + commands(container)[name])
            if code != 0:
                failures.append(f"{name} {container}: exit {code}: {err.strip()[-300:]}")
            peaks.append(kib)
        per_record = (peaks[1] - peaks[0]) * 1024 / args.records
        ok = per_record < args.bound
        print(f"{'ok' if ok else 'FAIL':4} {name}: {peaks[0]} KiB for 100 records, {peaks[1]} KiB for "
              f"{args.records}: {per_record:.0f} bytes per record (bound {args.bound})")
        if not ok:
            failures.append(f"{name}: {per_record:.0f} bytes per record, more than {args.bound}")
    # The records read a window at a time (4 MiB of index, ~42,000 records) are all there, and the
    # merged file holds every write.
    report = json.loads(subprocess.run([args.h5mf, "verify", "--json", str(big)], capture_output=True,
                                       text=True, timeout=600).stdout)
    if report["records"] != args.records or report["records_dropped"] != 0:
        failures.append(f"verify --json: {report['records']} records, {report['records_dropped']} dropped")
    (big.parent / "merged.h5").unlink(missing_ok=True)
    subprocess.run([args.h5mf, "merge", "-o", str(big.parent / "merged.h5"), str(big)], check=True, timeout=600)
    expected = (np.arange(args.records, dtype=np.uint64) * 2654435761 % 2**32).astype(np.uint32)
    with h5py.File(big.parent / "merged.h5", "r") as f:
        if not np.array_equal(f["r"][()], expected):
            failures.append("merge -o: the merged dataset differs from the writes")
    if failures:
        print(f"\n{len(failures)} failures:")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
