#!/usr/bin/env bash
# `h5mf merge -o OUT` refuses, before any work, to write over the container itself, a directory,
# or a file that is not HDF5 (unless --force); over an HDF5 file it proceeds.
# Usage: merge_output.sh H5MF HELLO_PARALLEL MPIEXEC WORK
set -euo pipefail
h5mf="$1" hello="$2" mpiexec="$3" work="$4"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$mpiexec" -n 2 --oversubscribe "$hello" job.h5 >/dev/null

# expect_refused MESSAGE ARGS...: exit code 1, the message, and the container and OUT untouched.
expect_refused() {
  local message="$1"; shift
  local before; before=$(find job.h5 notes.txt -type f -exec sha1sum {} + | sort)
  rc=0; "$h5mf" merge "$@" > out.txt 2> err.txt || rc=$?
  cat err.txt
  [ "$rc" = 1 ] || fail "h5mf merge $* exited with $rc, not 1"
  grep -q -- "$message" err.txt || fail "h5mf merge $*: no '$message'"
  [ "$(find job.h5 notes.txt -type f -exec sha1sum {} + | sort)" = "$before" ] || fail "h5mf merge $* changed files"
  [ -z "$(ls -d job.h5.* .job.h5* 2>/dev/null)" ] || fail "h5mf merge $* left files: $(ls -a)"
}
echo "a user's notes" > notes.txt
expect_refused "is the container 'job.h5' itself" job.h5 -o job.h5
expect_refused "is the container 'job.h5/' itself" job.h5/ -o ./job.h5/
mkdir results
expect_refused "-o 'results' is a directory" job.h5 -o results
expect_refused "-o 'notes.txt' exists and is not an HDF5 file" job.h5 -o notes.txt

"$h5mf" merge -q job.h5 -o merged.h5 || fail "merge -o merged.h5"
"$h5mf" merge -q job.h5 -o merged.h5 || fail "merge -o over an HDF5 file"
"$h5mf" merge -q --force job.h5 -o notes.txt || fail "merge --force -o notes.txt"
h5dump -d test notes.txt | grep -q "0, 1" || fail "notes.txt is not the merged file"
[ -d job.h5 ] || fail "the container is gone after merges with -o"
echo "refusals and overwrites as documented"
