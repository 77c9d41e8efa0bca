#!/usr/bin/env bash
# `h5mf merge` in a batch job (stderr to a file, under mpiexec): plain progress lines from rank 0,
# the last at 100%, no terminal bar. Usage: progress.sh H5MF HELLO_PARALLEL MPIEXEC WORK
set -euo pipefail
h5mf="$1" hello="$2" mpiexec="$3" work="$4"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$mpiexec" -n 2 --oversubscribe "$hello" job.h5 >/dev/null
"$mpiexec" -n 2 --oversubscribe "$h5mf" merge job.h5 > merge.out 2> merge.err
cat merge.err
fail() { echo "FAIL: $*" >&2; exit 1; }
grep -q $'\r' merge.err && fail "a terminal bar (carriage returns) in a log"
lines=$(grep -c '^merging: [0-9.]*% .* MiB' merge.err) || fail "no progress lines in stderr"
finals=$(grep -c '^merging: 100\.0% ' merge.err) || fail "no 100% line"
[ "$finals" = 1 ] || fail "$finals lines at 100% (one rank, once, expected)"
echo "$lines progress line(s), one at 100%"
