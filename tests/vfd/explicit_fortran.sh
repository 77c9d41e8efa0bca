#!/usr/bin/env bash
# A Fortran program linked with libh5mf_vfd that selects the driver itself (h5mf_fapl_set), run
# with no preload: it writes a container, and the merged file holds every rank's row.
# Usage: explicit_fortran.sh H5MF PROGRAM PYTHON WORKDIR MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
h5mf=$1 program=$2 python=$3 work=$4 mpiexec=$5
shift 5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$mpiexec" -n 2 "$@" "$program" out.h5
[[ -d out.h5 ]] || { echo "out.h5 is not a container"; exit 1; }
"$h5mf" merge out.h5
"$python" - <<'PY'
import h5py, numpy as np
with h5py.File('out.h5', 'r') as f:
    rows = f['rows'][...]
expected = np.array([[r * 1000 + i for i in range(1, 101)] for r in range(2)])
assert rows.shape == expected.shape, rows.shape
assert (rows == expected).all(), rows
print('explicit fortran ok')
PY
