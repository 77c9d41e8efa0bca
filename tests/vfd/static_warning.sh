#!/usr/bin/env bash
# h5mf exec warns about a program with HDF5 linked in statically (the preload cannot switch it),
# and stays silent for the same program linked with the shared library.
# Usage: static_warning.sh H5MF PROGRAM.c WORKDIR. Exit 77 (skipped) without Debian's h5pcc.
set -euo pipefail
h5mf=$1 source=$2 work=$3
command -v h5pcc >/dev/null || { echo "skipped: h5pcc (libhdf5-openmpi-dev) not found"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
h5pcc -o static_prog "$source"          # Debian's h5pcc: libhdf5 linked in statically
h5pcc -shlib -o shared_prog "$source"
"$h5mf" exec -- ./static_prog static.h5 >static.out 2>static.err || true
"$h5mf" exec -- ./shared_prog shared.h5 >shared.out 2>shared.err
grep -q "has HDF5 linked into it statically" static.err || { echo "no warning for the static program:"; cat static.err; exit 1; }
if grep -q "statically" shared.err; then echo "a warning for the shared program:"; cat shared.err; exit 1; fi
[[ -d shared.h5 ]] || { echo "the shared program did not write a container"; exit 1; }
echo "static HDF5 warned about, shared HDF5 switched to the driver"
