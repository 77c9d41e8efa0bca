#!/bin/bash
# Issue 16's acceptance check for one unmodified parallel HDF5 program at N ranks: the file the h5mf
# driver gives after the merge is the file the mpio driver writes.
#
#   compare.sh --kind KIND --ranks N --work DIR [options] -- PROGRAM [ARGS...]
#
# PROGRAM ARGS OUT is run twice in DIR (emptied first), OUT being the output path:
#   1. mpiexec -n N PROGRAM ARGS mpio.h5                  (plain mpio: the reference)
#   2. mpiexec -n N h5mf exec -- PROGRAM ARGS h5mf.h5     (the h5mf driver)
# then:
#   - both runs printed the same lines (any order, the output name aside), and --expect's line;
#   - h5mf.h5 is a directory (a container) before the merge;
#   - `h5mf exec -- h5dump h5mf.h5` (the container) equals `h5dump h5mf.h5` after `h5mf merge
#     h5mf.h5`, which leaves a file at the path and nothing beside it;
#   - the merged file equals mpio.h5: h5dump text always, and each of --compare's checks
#     (h5diff: h5diff finds no difference; ncdump: ncdump text; cmp: byte for byte, checked last);
#   - check_content.py KIND accepts mpio.h5 and the merged file (values recomputed from rank and
#     index, so that a merge that equals nothing cannot pass).
# The h5dump and ncdump texts are compared with their first line (which names the file) set aside.
#
# Options (--opt VALUE or --opt=VALUE):
#   --kind KIND        check_content.py's kind (c, fortran, netcdf, seed000_demo2, ...)
#   --ranks N          MPI ranks
#   --work DIR         scratch directory (removed and made again; removed after a pass)
#   --compare LIST     comma-separated: cmp, h5diff, ncdump (default: h5diff)
#   --prepare CMD      run `CMD OUT` before each run (a space-separated command line)
#   --existing WHAT    before the h5mf run, h5mf.h5 already exists, as the program's user may have
#                      left it: `file` (a copy of mpio.h5, a conventional file) or `container` (the
#                      same program's container from a run at N+2 ranks, with more writers than the
#                      run that replaces it); the program's H5F_ACC_TRUNC must replace either
#   --expect LINE      a line both runs must print
#   --may-stay-a-file  the program opens --prepare's conventional file for writing (seed 001): the
#                      driver may keep it a conventional file (then no container, no merge), or make
#                      it a container (then every check above)
#   --suffix EXT       output file suffix (default .h5): mpio.EXT and h5mf.EXT
#   --h5mf PATH --mpiexec PATH --python PATH --h5dump PATH --h5diff PATH --ncdump PATH
#                      the tools (default: h5mf, mpiexec, h5dump, h5diff, ncdump from PATH and
#                      /usr/bin/python3)
#   --mpiexec-flags F  extra mpiexec flags, space-separated (default: --oversubscribe)
# Exit status: 0 pass, 1 fail (with the failing step's output), 77 skip (a tool is missing).
set -u -o pipefail

kind='' ranks='' work='' compare=h5diff prepare='' expect='' existing='' may_stay_a_file='' suffix=.h5
h5mf=h5mf mpiexec=mpiexec python=/usr/bin/python3 h5dump=h5dump h5diff=h5diff ncdump=ncdump
mpiexec_flags=--oversubscribe
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=$here/check_content.py

usage() { sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --kind) kind=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --compare) compare=$2; shift 2 ;;
    --prepare) prepare=$2; shift 2 ;;
    --expect) expect=$2; shift 2 ;;
    --existing) existing=$2; shift 2 ;;
    --may-stay-a-file) may_stay_a_file=1; shift ;;
    --suffix) suffix=$2; shift 2 ;;
    --h5mf) h5mf=$2; shift 2 ;;
    --mpiexec) mpiexec=$2; shift 2 ;;
    --mpiexec-flags) mpiexec_flags=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --h5dump) h5dump=$2; shift 2 ;;
    --h5diff) h5diff=$2; shift 2 ;;
    --ncdump) ncdump=$2; shift 2 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    *) echo "compare.sh: unknown option $1" >&2; usage ;;
  esac
done
if [ -z "$kind" ] || [ -z "$ranks" ] || [ -z "$work" ] || [ $# -eq 0 ]; then usage; fi
program=("$@")

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# The tools this comparison needs; a missing one skips the test, naming it.
need() { command -v "$1" >/dev/null 2>&1 || skip "$2 ($1) is not installed or not on PATH"; }
need "$mpiexec" "mpiexec (Debian: openmpi-bin)"
need "$h5mf" "the h5mf CLI"
need "$python" "Python with h5py (Debian: python3-h5py-mpi)"
need "$h5dump" "h5dump (Debian: hdf5-tools)"
need cmp "cmp (diffutils)"
need timeout "timeout (coreutils)"
"$python" -c 'import h5py, numpy' 2>/dev/null || skip "$python cannot import h5py and numpy"
for c in ${compare//,/ }; do
  case $c in
    cmp) ;;
    h5diff) need "$h5diff" "h5diff (Debian: hdf5-tools)" ;;
    ncdump) need "$ncdump" "ncdump (Debian: netcdf-bin)" ;;
    *) fail "--compare: unknown check $c (cmp, h5diff, ncdump)" ;;
  esac
done

rm -rf "$work"
{ mkdir -p "$work" && cd "$work"; } || fail "cannot make $work"
mpio=mpio$suffix
ours=h5mf$suffix

# step NAME OUTFILE command...: runs the command (bounded: a hang fails the step, not the whole
# ctest budget), stdout to OUTFILE; a failure shows both streams and ends the test.
step() {
  local name=$1 out=$2; shift 2
  echo "== $name: $*"
  timeout --kill-after=10 120 "$@" >"$out" 2>"$out.err"
  local status=$?
  if [ $status -ne 0 ]; then
    echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$out.err"
    fail "$name exited with $status"
  fi
}

# same_text NAME A B: the two texts are equal but for their first line (the file's name).
same_text() {
  if ! diff -u --label "$2" --label "$3" <(tail -n +2 "$2") <(tail -n +2 "$3") >"$1.diff"; then
    head -n 60 "$1.diff"
    fail "$1: $2 and $3 differ (first line aside; the whole diff is $work/$1.diff)"
  fi
  echo "   $2 == $3 (first line aside)"
}

run() {  # run OUT RANKS [launcher...]: the program's run writing OUT, under mpiexec
  local out=$1 n=$2; shift 2
  if [ -n "$prepare" ]; then
    # shellcheck disable=SC2086  # a command line, split on spaces as documented
    step "prepare $out" "prepare.$out.log" $prepare "$out"
  fi
  # shellcheck disable=SC2086
  step "run $out" "run.$out.log" "$mpiexec" -n "$n" $mpiexec_flags "$@" "${program[@]}" "$out"
  sed "s|$out|OUT|g" "run.$out.log" | sort >"run.$out.sorted"
  if [ -n "$expect" ] && ! grep -qxF -- "$expect" "run.$out.log"; then
    cat "run.$out.log"
    fail "the run writing $out did not print '$expect'"
  fi
}

run "$mpio" "$ranks"
case $existing in
  '') ;;
  file) cp "$mpio" "$ours" && echo "   $ours exists: a copy of $mpio" ;;
  container)
    run "$ours" $((ranks + 2)) "$h5mf" exec --
    [ -d "$ours" ] || fail "$ours is not a directory after the run at $((ranks + 2)) ranks"
    echo "   $ours exists: the container of a run at $((ranks + 2)) ranks" ;;
  *) fail "--existing: unknown $existing (file, container)" ;;
esac
run "$ours" "$ranks" "$h5mf" exec --
diff -u "run.$mpio.sorted" "run.$ours.sorted" || fail "the two runs printed different lines (above)"
echo "   both runs printed the same lines"
[ -z "$expect" ] || echo "   both printed '$expect'"
if [ -n "$may_stay_a_file" ] && [ -f "$ours" ]; then
  # The program opened an existing conventional file (--prepare's): the driver left it one.
  echo "   $ours is still a conventional file: the program opened it for writing, no container"
  leftovers=$(ls -d "$ours"?* 2>/dev/null)
  [ -z "$leftovers" ] || fail "the run left $leftovers beside $ours"
  step "h5dump of the file" merged.ddl "$h5dump" "$ours"
else
  [ -d "$ours" ] || fail "$ours is not a directory (an h5mf container) after the run under h5mf exec"
  echo "   $ours is a directory:" "$ours"/*
  step "h5dump of the container" container.ddl "$h5mf" exec -- "$h5dump" "$ours"
  step "h5mf merge" merge.log "$h5mf" merge "$ours"
  [ -f "$ours" ] || fail "$ours is not a file after h5mf merge"
  leftovers=$(ls -d "$ours"?* 2>/dev/null)
  [ -z "$leftovers" ] || fail "h5mf merge left $leftovers beside $ours"
  step "h5dump of the merged file" merged.ddl "$h5dump" "$ours"
  same_text container-vs-merged container.ddl merged.ddl
fi

step "h5dump of the mpio file" mpio.ddl "$h5dump" "$mpio"
same_text merged-vs-mpio merged.ddl mpio.ddl
# The named comparisons first, the content next, bytes last: the first failure says the most.
compares=",$compare,"
if [[ $compares == *,h5diff,* ]]; then
  step "h5diff" h5diff.log "$h5diff" -r "$ours" "$mpio"; echo "   h5diff finds no difference"
fi
if [[ $compares == *,ncdump,* ]]; then
  step "ncdump of the merged file" merged.cdl "$ncdump" "$ours"
  step "ncdump of the mpio file" mpio.cdl "$ncdump" "$mpio"
  same_text ncdump merged.cdl mpio.cdl
fi
step "content of the mpio file" check.mpio.log "$python" "$check" "$kind" "$mpio" "$ranks"
cat check.mpio.log
step "content of the merged file" check.merged.log "$python" "$check" "$kind" "$ours" "$ranks"
cat check.merged.log
if [[ $compares == *,cmp,* ]]; then
  step "cmp" cmp.log cmp "$ours" "$mpio"; echo "   $ours and $mpio are byte-identical"
fi

cd / && rm -rf "$work"
echo "PASS: $kind at $ranks ranks: $ours (merged) equals $mpio"
