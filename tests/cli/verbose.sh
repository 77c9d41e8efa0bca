#!/usr/bin/env bash
# H5MF_VERBOSE=1 and `h5mf -v`: "h5mf: " lines on stderr saying what the library does, collective
# events from rank 0 only. Usage: verbose.sh H5MF HELLO_PARALLEL MPIEXEC WORK
set -euo pipefail
h5mf="$1" hello="$2" mpiexec="$3" work="$4"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { grep -c -- "$1" "$2" || true; }

H5MF_VERBOSE=1 "$mpiexec" -n 2 --oversubscribe "$hello" job.h5 > write.out 2> write.err
cat write.err
[ "$(count "^h5mf: opened 'job.h5' (multifile, mode 'w'): 2 ranks as writers, session 0, 2 data files$" write.err)" = 1 ] ||
  fail "the open of a parallel session: one line, from rank 0"
for writer in 0 1; do
  [ "$(count "^h5mf: 'job.h5', writer $writer: flush of [0-9]* buffered bytes" write.err)" -ge 1 ] ||
    fail "no flush line of writer $writer"
done

"$mpiexec" -n 2 --oversubscribe "$h5mf" -v merge -q -o merged.h5 job.h5 > merge.out 2> merge.err
cat merge.err
[ "$(count "^h5mf: merge 'job.h5' into 'merged.h5': 2 rank(s) x " merge.err)" = 1 ] || fail "the merge's first line, once"
[ "$(count "^h5mf: merge 'job.h5': loaded 2 records of 1 datasets from 2 data files$" merge.err)" = 1 ] ||
  fail "the records loaded, once"
for phase in load verify prepare structure data replace; do
  [ "$(count "^h5mf: merge 'job.h5': $phase phase: [0-9.]* s$" merge.err)" = 1 ] || fail "the $phase phase, once"
done
[ "$(count "^h5mf: merge 'job.h5' done: 2 records, " merge.err)" = 1 ] || fail "the merge's last line, once"

"$h5mf" ls job.h5 --verbose > ls.out 2> ls.err
grep -q "^h5mf: opened 'job.h5' (multifile, mode 'r'): 1 sessions, 1 datasets, 2 records loaded from 2 data files$" ls.err ||
  fail "the open for reading"

# Off: not a line.
"$h5mf" ls job.h5 > quiet.out 2> quiet.err
[ ! -s quiet.err ] || fail "lines without -v: $(cat quiet.err)"
echo "verbose lines as expected"
