#!/usr/bin/env bash
# Every test: unit tests (GoogleTest), MPI tests at 1, 2 and 4 ranks, end-to-end checks with
# h5dump/h5diff/h5py, the Python suite, the install and package tests (tests/install: a scratch
# prefix, CMake and pkg-config consumers, pip, the Debian packages) — all registered in ctest —
# then the libFuzzer targets of the on-disk parsers for a bounded time (20 s each;
# scripts/test_sanitizers.sh). Builds everything in build/ with warnings as errors. Arguments go
# to ctest; H5MF_SKIP_FUZZ=1 leaves the fuzzers out.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

cmake -S "$H5MF_ROOT" -B "$H5MF_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH5MF_WERROR=ON >/dev/null
cmake --build "$H5MF_BUILD" -j"$(nproc)"
(cd "$H5MF_BUILD" && ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@")
if [ "${H5MF_SKIP_FUZZ:-0}" != 1 ]; then
  H5MF_SKIP_ASAN=1 bash "$H5MF_ROOT/scripts/test_sanitizers.sh"
fi
