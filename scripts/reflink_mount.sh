#!/usr/bin/env bash
# Mounts a file system that shares blocks between files (XFS with reflinks, on a loop device) at
# DIR, for the merge's block-sharing tests and benchmarks (docs/benchmarks.md, "Reflinks"):
#
#   bash scripts/reflink_mount.sh DIR [SIZE]    # SIZE of the image, default 4G; image: DIR.img
#   bash scripts/reflink_mount.sh --umount DIR  # unmounts DIR and removes its image
#
# Needs root, Debian's xfsprogs (installed if missing) and a free loop device. Exits 0 when DIR is
# such a mount (already, or now); 77 with the reason on stderr when it cannot be made here (not
# root, no loop device, no mkfs.xfs), so that tests can skip with that reason.
set -euo pipefail

skip() { echo "reflink_mount: cannot mount a reflink file system here: $*" >&2; exit 77; }

if [ "${1:-}" = --umount ]; then
  dir="${2:?usage: reflink_mount.sh --umount DIR}"
  if mountpoint -q "$dir"; then umount "$dir"; fi
  rm -f "$dir.img"
  exit 0
fi
dir="${1:?usage: reflink_mount.sh DIR [SIZE]}"
size="${2:-4G}"

mkdir -p "$dir"
if mountpoint -q "$dir"; then
  if [ "$(stat -f -c %T "$dir")" = xfs ] && command -v xfs_info >/dev/null && xfs_info "$dir" | grep -q 'reflink=1'; then
    exit 0
  fi
  skip "'$dir' is already a mount point of another kind ($(stat -f -c %T "$dir"))"
fi
[ "$(id -u)" = 0 ] || skip "mounting a loop device needs root"
if ! command -v mkfs.xfs >/dev/null; then
  if command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xfsprogs >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xfsprogs >/dev/null 2>&1; } ||
      skip "xfsprogs (mkfs.xfs) is not installed and could not be installed"
  else
    skip "mkfs.xfs not found (Debian: xfsprogs)"
  fi
fi
losetup -f >/dev/null 2>&1 || [ -e /dev/loop-control ] || skip "no loop device (/dev/loop-control is missing)"

rm -f "$dir.img"
truncate -s "$size" "$dir.img"
mkfs.xfs -q -m reflink=1 "$dir.img" || { rm -f "$dir.img"; skip "mkfs.xfs -m reflink=1 failed"; }
mount -o loop "$dir.img" "$dir" 2>/dev/null || { rm -f "$dir.img"; skip "mount -o loop failed (no free loop device, or not allowed in this container)"; }
