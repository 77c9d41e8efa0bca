"""A verified merge on a file system with reflinks shares the container's blocks (issue 20).

On an XFS loop mount made by scripts/reflink_mount.sh (skipped, exit 77, where it cannot be made):
four writers write a 1-D dataset in 1 MiB writes whose slabs do not start at block boundaries; the
default merge (checksums verified) must leave at least 99% of the dataset's raw-data bytes in
extents shared with the container's data files (FIEMAP), with every value right; a record whose
data fail their checksum is still dropped and reported (exit 2), its elements reading the fill
value, and only those.

usage: check_shared.py H5MF_CLI MOUNT_SCRIPT WORK_DIR
"""
import fcntl
import json
import os
import struct
import subprocess
import sys

import h5py
import numpy as np

import h5mf

WRITERS = 4
PER_WRITER = (8 << 20) // 8 + 333  # float64 elements: slab starts fall mid-block
WRITE = (1 << 20) // 8             # elements per write: 1 MiB


def build(path):
    with h5mf.File(path, 'w', writers=WRITERS) as f:
        f.create_dataset('x', (WRITERS * PER_WRITER,), dtype='f8', fillvalue=0.0)
    for w in range(WRITERS):  # workers, one after another
        with h5mf.File(path, 'a', writer=w) as f:
            start = w * PER_WRITER
            for at in range(0, PER_WRITER, WRITE):
                n = min(WRITE, PER_WRITER - at)
                f['x'][start + at:start + at + n] = np.arange(start + at, start + at + n, dtype='f8') + 0.5


def expected():
    return np.arange(WRITERS * PER_WRITER, dtype='f8') + 0.5


def merge(cli, path, *args):
    run = subprocess.run([cli, 'merge', '--json', path, *args], capture_output=True, text=True, timeout=300)
    return run.returncode, json.loads(run.stdout) if run.stdout.strip() else {}, run.stderr


FS_IOC_FIEMAP = 0xC020660B
FIEMAP_FLAG_SYNC = 0x1
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_SHARED = 0x2000
EXTENTS = 512


def shared_bytes(path, start, length):
    """Bytes of [start, start + length) of the file that lie in extents shared with another file."""
    shared = 0
    with open(path, 'rb') as f:
        at, end = start, start + length
        while at < end:
            reply = bytearray(struct.pack('QQIIII', at, end - at, FIEMAP_FLAG_SYNC, 0, EXTENTS, 0) + bytes(56 * EXTENTS))
            fcntl.ioctl(f.fileno(), FS_IOC_FIEMAP, reply)  # fills `reply` in place
            mapped = struct.unpack_from('QQIIII', reply)[3]
            if mapped == 0:
                break
            last = False
            for i in range(mapped):
                logical, _, size, _, _, flags = struct.unpack_from('QQQQQI', reply, 32 + 56 * i)
                lo, hi = max(logical, at), min(logical + size, end)
                if hi > lo and flags & FIEMAP_EXTENT_SHARED:
                    shared += hi - lo
                at = max(at, logical + size)
                last = last or bool(flags & FIEMAP_EXTENT_LAST)
            if last:
                break
    return shared


def raw_data_range(path):
    with h5py.File(path, 'r') as f:
        d = f['x']
        return d.id.get_offset(), d.id.get_storage_size()


def main():
    cli, mount_script, work = sys.argv[1:4]
    mount = os.path.join(work, 'mnt')
    os.makedirs(work, exist_ok=True)
    made = subprocess.run(['bash', mount_script, mount, '1G'], capture_output=True, text=True)
    if made.returncode != 0:
        print(made.stderr.strip() or 'reflink_mount.sh failed', file=sys.stderr)
        return 77 if made.returncode == 77 else 1
    try:
        # 1. Healthy: verified, shared, right. FIEMAP sees the sharing while the container is
        # there (-o keeps it); a merge in place shares the same way, then frees the container.
        path = os.path.join(mount, 'shared.h5')
        out = os.path.join(mount, 'shared-merged.h5')
        build(path)
        rc, report, err = merge(cli, path, '-o', out)
        assert rc == 0, (rc, err)
        offset, size = raw_data_range(out)
        assert size == WRITERS * PER_WRITER * 8
        shared = shared_bytes(out, offset, size)
        print(f'shared {shared} of {size} raw-data bytes ({shared / size:.4f}); report: '
              f'bytes_shared={report.get("bytes_shared")} records_checked_in_copy={report.get("records_checked_in_copy")}')
        assert shared >= 0.99 * size, f'only {shared / size:.4f} of the raw data shares blocks with the container'
        assert report['bytes_shared'] >= 0.99 * size
        assert report['records_dropped'] == 0
        with h5py.File(out, 'r') as f:
            np.testing.assert_array_equal(f['x'][...], expected())
        rc, report, err = merge(cli, path)  # in place
        assert rc == 0 and report['bytes_shared'] >= 0.99 * size, (rc, err, report)
        with h5py.File(path, 'r') as f:
            np.testing.assert_array_equal(f['x'][...], expected())

        # 2. A record whose data fail their checksum: dropped and reported, even when its blocks
        # were shared before the check saw it.
        path = os.path.join(mount, 'damaged.h5')
        build(path)
        data = os.path.join(path, '2')
        with open(data, 'r+b') as f:
            f.seek(os.path.getsize(data) - 100)  # inside writer 2's last write
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))
        rc, report, err = merge(cli, path)
        assert rc == 2, (rc, err)
        assert report['records_dropped'] == 1, report
        last = (PER_WRITER - 1) // WRITE * WRITE  # where writer 2's last write starts in its slab
        lo, hi = 2 * PER_WRITER + last, 3 * PER_WRITER
        want = expected()
        want[lo:hi] = 0.0  # the fill value
        with h5py.File(path, 'r') as f:
            np.testing.assert_array_equal(f['x'][...], want)
        print('damaged record dropped; its elements read the fill value, every other element is right')
    finally:
        subprocess.run(['bash', mount_script, '--umount', mount])
    return 0


if __name__ == '__main__':
    sys.exit(main())
