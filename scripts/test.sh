#!/usr/bin/env bash
# Every test: unit tests (GoogleTest), MPI tests at 1, 2 and 4 ranks, end-to-end checks with
# h5dump/h5diff/h5py, and the Python suite — all registered in ctest — then the libFuzzer targets
# of the on-disk parsers for a bounded time (20 s each; scripts/test_sanitizers.sh). Arguments go
# to ctest; H5MF_SKIP_FUZZ=1 leaves the fuzzers out.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

(cd "$H5MF_BUILD" && ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@")
if [ "${H5MF_SKIP_FUZZ:-0}" != 1 ]; then
  H5MF_SKIP_ASAN=1 bash "$H5MF_ROOT/scripts/test_sanitizers.sh"
fi
