#!/usr/bin/env bash
# Installs the Debian 12 packages h5mf needs (only those missing: `apt-get update` once, then an
# idempotent `apt-get install`) and sets the environment for mpiexec as root. Sourced by demo.sh
# (which builds only what the demo shows, in build-demo/) and test.sh (which builds everything, with
# warnings as errors, in build/); safe to run again and again.
set -euo pipefail

H5MF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
H5MF_BUILD="${H5MF_BUILD:-$H5MF_ROOT/build}"

packages=(
  cmake g++ make pkg-config clang clang-format libclang-rt-14-dev
  libhdf5-openmpi-dev libopenmpi-dev openmpi-bin hdf5-tools
  libfmt-dev libcli11-dev libxxhash-dev nlohmann-json3-dev zlib1g-dev
  googletest libgtest-dev
  pybind11-dev python3-dev python3-numpy python3-mpi4py python3-h5py-mpi python3-pytest python3-matplotlib
  python3-setuptools python3-wheel python3-venv help2man
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# mpiexec as root (containers, CI) and more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
