#!/usr/bin/env bash
# Long commands in a batch job (stderr to a file): plain progress lines, the last at 100%, no
# terminal bar; under mpiexec from rank 0 only. `merge` and `verify` run under mpiexec -n 2 (merge
# as one job, verify as two processes that each check the container), `view` alone (two processes
# would write the same view file).
# Usage: progress.sh H5MF HELLO_PARALLEL MPIEXEC WORK COMMAND
set -euo pipefail
h5mf="$1" hello="$2" mpiexec="$3" work="$4" command="$5"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$mpiexec" -n 2 --oversubscribe "$hello" job.h5 >/dev/null
case "$command" in
  merge) word=merging; "$mpiexec" -n 2 --oversubscribe "$h5mf" merge job.h5 > out 2> err ;;
  verify) word=verifying; "$mpiexec" -n 2 --oversubscribe "$h5mf" verify job.h5 > out 2> err ;;
  view) word=viewing; "$h5mf" view job.h5 > out 2> err ;;
  *) echo "unknown command $command" >&2; exit 1 ;;
esac
cat err
fail() { echo "FAIL: $*" >&2; exit 1; }
grep -q $'\r' err && fail "a terminal bar (carriage returns) in a log"
lines=$(grep -c "^$word: [0-9.]*% .* MiB" err) || fail "no progress lines in stderr"
finals=$(grep -c "^$word: 100\.0% " err) || fail "no 100% line"
[ "$finals" = 1 ] || fail "$finals lines at 100% (one rank, once, expected)"
echo "$lines progress line(s), one at 100%"
