#!/usr/bin/env bash
# The main job: a 4-rank MPI job writes one dataset into an h5mf container (seed 002's
# hdf5_parallel.py, in C++), the container is merged into one conventional HDF5 file, and h5dump
# shows it. Builds only what it shows (the h5mf tool and the example, no tests, no Python module)
# in build-demo/, as a user's build: no -Werror (that is CI's, scripts/test.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

build="${H5MF_DEMO_BUILD:-$H5MF_ROOT/build-demo}"
cmake -S "$H5MF_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DH5MF_BUILD_TESTS=OFF -DH5MF_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target h5mf_cli hello_parallel

demo="$build/demo"
rm -rf "$demo" && mkdir -p "$demo" && cd "$demo"
echo "demo: working in $demo (the tool: $build/bin/h5mf, the example: $build/examples/hello_parallel)"
set -x
mpiexec -n 4 --oversubscribe "$build/examples/hello_parallel" output.h5
find output.h5/ | sort
"$build/bin/h5mf" merge output.h5
h5dump output.h5
{ set +x; } 2>/dev/null
echo "demo: the merged file is $demo/output.h5"
