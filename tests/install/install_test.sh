#!/usr/bin/env bash
# Installs h5mf as its users would and uses it from outside the project (tests/install/CMakeLists.txt
# registers each step as a ctest test). Usage: install_test.sh STEP, with the environment:
#   H5MF_BUILD      the build directory          H5MF_PREFIX  the scratch install prefix
#   H5MF_SOURCE     the source directory         H5MF_WORK    a scratch directory for this step
#   H5MF_LIBDIR, H5MF_PYDIR, H5MF_VERSION, H5MF_SOVERSION, CXX   as configured
# Steps: prefix headers cmake pkgconfig cli python pip deb.
set -euo pipefail
step="$1"
consumer="$H5MF_SOURCE/tests/install/consumer"
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$H5MF_WORK" && mkdir -p "$H5MF_WORK" && cd "$H5MF_WORK"

# The consumer writes a container, merges it and reads the merged file back.
run_consumer() {
  "$1" consumer.h5 | tee consumer.out
  grep -q "1 dataset(s) merged into consumer.h5, values read back" consumer.out || fail "consumer output"
  [ -f consumer.h5 ] || fail "consumer.h5 is not a merged file"
}

case "$step" in
prefix)
  rm -rf "$H5MF_PREFIX"
  cmake --install "$H5MF_BUILD" --prefix "$H5MF_PREFIX"
  for f in include/h5mf/h5mf.hpp "$H5MF_LIBDIR/cmake/h5mf/h5mfConfig.cmake" \
           "$H5MF_LIBDIR/cmake/h5mf/h5mfConfigVersion.cmake" "$H5MF_LIBDIR/cmake/h5mf/h5mfTargets.cmake" \
           "$H5MF_LIBDIR/pkgconfig/h5mf.pc" bin/h5mf "$H5MF_PYDIR/h5mf/__init__.py"; do
    [ -e "$H5MF_PREFIX/$f" ] || fail "$f is not installed"
  done
  ls "$H5MF_PREFIX/$H5MF_PYDIR"/h5mf/_core*.so >/dev/null || fail "the Python module is not installed"
  if [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/libh5mf.so" ]; then
    soname="libh5mf.so.$H5MF_SOVERSION"
    readelf -d "$H5MF_PREFIX/$H5MF_LIBDIR/libh5mf.so" | grep -q "SONAME.*\[$soname\]" || fail "SONAME is not $soname"
    [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/$soname" ] || fail "$soname is not installed"
  else
    [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/libh5mf.a" ] || fail "neither libh5mf.so nor libh5mf.a is installed"
  fi
  # One library (and the file driver): no layer library of the build is installed.
  if ls "$H5MF_PREFIX/$H5MF_LIBDIR" | grep -E "h5mf_" | grep -vE "^libh5mf_vfd\.so" ; then fail "layer libraries installed"; fi
  [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/libh5mf_vfd.so.$H5MF_SOVERSION" ] || fail "the file driver libh5mf_vfd.so.$H5MF_SOVERSION is not installed"
  [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/pkgconfig/h5mf-vfd.pc" ] || fail "h5mf-vfd.pc is not installed"
  [ -e "$H5MF_PREFIX/include/h5mf/H5FDh5mf.h" ] || fail "H5FDh5mf.h is not installed"
  echo "installed into $H5MF_PREFIX"
  ;;
headers)
  # Every installed public header compiles on its own, with only what h5mf.pc gives (no src/).
  export PKG_CONFIG_PATH="$H5MF_PREFIX/$H5MF_LIBDIR/pkgconfig"
  read -r -a cflags <<< "$(pkg-config --cflags h5mf)"
  count=0
  for header in "$H5MF_PREFIX"/include/h5mf/*.hpp; do
    name="h5mf/$(basename "$header")"
    printf '#include <%s>\n#include <%s>\n' "$name" "$name" > alone.cpp
    "$CXX" -std=c++20 -fsyntax-only -Wall -Werror "${cflags[@]}" alone.cpp || fail "$name does not compile alone"
    count=$((count + 1))
  done
  echo "$count installed headers compile alone"
  ;;
cmake)
  cmake -S "$consumer" -B build -DCMAKE_PREFIX_PATH="$H5MF_PREFIX" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_BUILD_TYPE=Release
  cmake --build build
  run_consumer build/consumer
  ;;
pkgconfig)
  export PKG_CONFIG_PATH="$H5MF_PREFIX/$H5MF_LIBDIR/pkgconfig"
  [ "$(pkg-config --modversion h5mf)" = "$H5MF_VERSION" ] || fail "pkg-config --modversion h5mf"
  read -r -a flags <<< "$(pkg-config --cflags --libs h5mf)"
  "$CXX" -std=c++20 "$consumer/consumer.cpp" -o consumer "${flags[@]}"
  LD_LIBRARY_PATH="$H5MF_PREFIX/$H5MF_LIBDIR" run_consumer ./consumer
  ;;
cli)
  # The installed CLI runs from the prefix and loads the prefix's libh5mf (its RPATH).
  "$H5MF_PREFIX/bin/h5mf" --version | tee version.out
  grep -q "^h5mf $H5MF_VERSION" version.out || fail "h5mf --version"
  if [ -e "$H5MF_PREFIX/$H5MF_LIBDIR/libh5mf.so" ]; then
    ldd "$H5MF_PREFIX/bin/h5mf" | grep "libh5mf.so" | tee ldd.out
    grep -q "=> $H5MF_PREFIX/" ldd.out || fail "bin/h5mf does not load the prefix's libh5mf"
  fi
  ;;
python)
  # A prefix other than /usr and /usr/local: PYTHONPATH=<prefix>/<H5MF_PYDIR>.
  PYTHONPATH="$H5MF_PREFIX/$H5MF_PYDIR" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$H5MF_PREFIX" <<'PY'
import sys, numpy, h5mf
prefix = sys.argv[1]
assert h5mf.__file__.startswith(prefix + '/'), h5mf.__file__
with open('/proc/self/maps') as maps:
    libraries = {line.split()[-1] for line in maps if 'libh5mf' in line}
assert all(path.startswith(prefix + '/') for path in libraries), libraries
with h5mf.File('python.h5', 'w', driver='multifile') as f:
    f['x'] = numpy.arange(3)
print(h5mf.merge('python.h5'))
with h5mf.File('python.h5', 'r') as f:
    assert list(f['x'][:]) == [0, 1, 2]
print('import h5mf from', h5mf.__file__, 'with', libraries or 'a static libh5mf')
PY
  ;;
pip)
  # pip in a venv that sees Debian's packages (numpy, mpi4py, setuptools), offline; the
  # extension comes prebuilt from this build (H5MF_PREBUILT, python/setup.py).
  /usr/bin/python3 -m venv --system-site-packages venv
  cp -r "$H5MF_SOURCE/python" source  # pip builds in place: keep the source tree clean
  H5MF_PREBUILT="$H5MF_BUILD/python/h5mf" venv/bin/pip install --no-build-isolation --no-index ./source
  mkdir elsewhere && cd elsewhere
  ../venv/bin/python - "$H5MF_WORK/venv" <<'PY'
import importlib.metadata, sys, numpy, h5mf
assert h5mf.__file__.startswith(sys.argv[1] + '/'), h5mf.__file__
# python/pyproject.toml's version is CMakeLists.txt's (the module's __version__).
assert importlib.metadata.version('h5mf') == h5mf.__version__, (importlib.metadata.version('h5mf'), h5mf.__version__)
with h5mf.File('pip.h5', 'w', driver='multifile') as f:
    f['x'] = numpy.arange(4)
print(h5mf.merge('pip.h5'))
print('import h5mf from', h5mf.__file__, h5mf.__version__)
PY
  ;;
deb)
  # The three Debian packages: made by cpack, then installed on this machine with apt-get (root;
  # CI runs on a throwaway machine) and used with no PYTHONPATH, LD_LIBRARY_PATH or prefix.
  cpack -G DEB --config "$H5MF_BUILD/CPackConfig.cmake" -B "$H5MF_WORK/packages"
  packages=(h5mf libh5mf-dev python3-h5mf)
  debs=()
  for p in "${packages[@]}"; do
    deb=$(ls "$H5MF_WORK/packages/${p}_${H5MF_VERSION}_"*.deb 2>/dev/null) || fail "no ${p} package"
    dpkg-deb -f "$deb" Package Version Depends
    debs+=("$deb")
  done
  for i in 0 1 2; do dpkg-deb -c "${debs[$i]}" > "contents-${packages[$i]}"; done
  contains() { grep -q "$2" "contents-$1" || fail "$1 has no $2"; }
  contains h5mf "/usr/bin/h5mf$"
  contains h5mf "libh5mf.so.$H5MF_SOVERSION"
  contains libh5mf-dev "/usr/include/h5mf/h5mf.hpp$"
  contains libh5mf-dev "h5mfConfig.cmake$"
  contains libh5mf-dev "pkgconfig/h5mf.pc$"
  contains python3-h5mf "dist-packages/h5mf/_core"
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "packages made; installing them needs root and apt-get: skipped"; exit 77
  fi
  # Safe to run again: packages a previous run left (its marker is here) are removed first; an
  # h5mf installed by anything else is left alone.
  marker="$H5MF_BUILD/tests/install/deb-installed-by-test"
  apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  remove() { "${apt[@]}" purge "${packages[@]}" >/dev/null && rm -f "$marker"; }
  if dpkg-query -W -f='${Status}' h5mf 2>/dev/null | grep -q "ok installed"; then
    [ -e "$marker" ] || { echo "h5mf is already installed on this machine: not touching it; skipped"; exit 77; }
    remove
  fi
  touch "$marker"
  trap remove EXIT
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "${debs[@]}"
  cd "$H5MF_WORK"
  env -u PYTHONPATH -u LD_LIBRARY_PATH bash -c '
    set -euxo pipefail
    command -v h5mf | grep -qx /usr/bin/h5mf
    h5mf --version
    mpiexec -n 2 "$H5MF_HELLO" output.h5
    h5mf merge output.h5
    h5dump -d test output.h5 | grep -q "0, 1"
    cd / && /usr/bin/python3 -c "import h5mf; assert h5mf.__file__.startswith(\"/usr/lib/\"), h5mf.__file__; print(h5mf.__file__)"
    pkg-config --modversion h5mf
  '
  # A find_package consumer against the installed libh5mf-dev, no prefix given.
  cmake -S "$consumer" -B consumer-build -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build consumer-build
  grep -q "h5mf_DIR:PATH=/usr/" consumer-build/CMakeCache.txt || fail "the consumer did not find /usr's h5mf"
  run_consumer consumer-build/consumer
  ;;
*)
  fail "unknown step $step"
  ;;
esac
