#!/usr/bin/env bash
# Hostile files and memory errors (README, "Sanitizers and fuzzing"); run by CI after test.sh:
# 1. the test suite built with AddressSanitizer and UndefinedBehaviorSanitizer (gcc, -O1, line
#    tables only) in build-asan/, run by ctest with the options and leak suppressions of
#    tests/sanitizers/ — every label but `python` (not built: the module would need libasan
#    preloaded into the interpreter), `bench` (timing runs, no coverage the others lack) and
#    `install` (users' builds against an instrumented library; the .deb would install it) and `vfd`
#    (the file driver preloaded into h5dump, Python and MPI programs that are not instrumented);
# 2. the libFuzzer targets of fuzz/ (clang, ASan, UBSan) in build-fuzz/, H5MF_FUZZ_SECONDS (20)
#    each with a fixed seed: ctest -L fuzz.
# Both link libh5mf statically into each program, as before it was installable: one instrumented
# binary per test or fuzz target. Arguments go to both ctest runs (e.g. -R pattern). Set H5MF_SKIP_ASAN=1 or H5MF_SKIP_FUZZ=1 to
# run only the other half.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

jobs="$(nproc)"
optimized=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g1" "-DCMAKE_C_FLAGS_RELEASE=-O1 -g1"
           -DH5MF_WERROR=ON -DH5MF_BUILD_PYTHON=OFF -DBUILD_SHARED_LIBS=OFF)

if [ "${H5MF_SKIP_ASAN:-0}" != 1 ]; then
  asan="$H5MF_ROOT/build-asan"
  cmake -S "$H5MF_ROOT" -B "$asan" "${optimized[@]}" -DH5MF_SANITIZE=address,undefined >/dev/null
  cmake --build "$asan" -j"$jobs"
  (cd "$asan" && ctest --output-on-failure -j"$jobs" --timeout 600 -LE 'bench|install|vfd' "$@")
fi

if [ "${H5MF_SKIP_FUZZ:-0}" != 1 ]; then
  fuzz="$H5MF_ROOT/build-fuzz"
  CC=clang CXX=clang++ cmake -S "$H5MF_ROOT" -B "$fuzz" "${optimized[@]}" -DH5MF_FUZZ=ON \
    -DH5MF_BUILD_TESTS=OFF -DH5MF_BUILD_EXAMPLES=OFF -DH5MF_FUZZ_SECONDS="${H5MF_FUZZ_SECONDS:-20}" >/dev/null
  cmake --build "$fuzz" -j"$jobs" --target h5mf_fuzzers
  (cd "$fuzz" && ctest --output-on-failure -j"$jobs" -L fuzz "$@")
fi
