#!/usr/bin/env bash
# The main job: a 4-rank MPI job writes one dataset into an h5mf container (seed 002's
# hdf5_parallel.py, in C++), the container is merged into one conventional HDF5 file, and h5dump
# shows it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

demo="$H5MF_BUILD/demo"
rm -rf "$demo" && mkdir -p "$demo" && cd "$demo"
set -x
mpiexec -n 4 --oversubscribe "$H5MF_BUILD/examples/hello_parallel" output.h5
find output.h5/ | sort
"$H5MF_BUILD/bin/h5mf" merge output.h5
h5dump output.h5
