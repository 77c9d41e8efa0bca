#!/usr/bin/env bash
# Every test: unit tests (GoogleTest), MPI tests at 1, 2 and 4 ranks, end-to-end checks with
# h5dump/h5diff/h5py, and the Python suite — all registered in ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

cd "$H5MF_BUILD"
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
