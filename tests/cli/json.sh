#!/usr/bin/env bash
# `--json` of merge, view and verify: "format_version": 1 and only keys docs/cli.md lists (for a
# container, a damaged one, an HDF5 file). Usage: json.sh H5MF HELLO_PARALLEL MPIEXEC WORK SOURCE_DIR
set -euo pipefail
h5mf="$1" hello="$2" mpiexec="$3" work="$4" source="$5"
check=(/usr/bin/python3 "$source/tests/cli/check_json.py" "$source/docs/cli.md")
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$mpiexec" -n 2 --oversubscribe "$hello" job.h5 >/dev/null
"$h5mf" verify --json job.h5 | "${check[@]}" verify -
"$h5mf" view --json -o view.h5 job.h5 | "${check[@]}" view -
"$mpiexec" -n 2 --oversubscribe "$h5mf" merge --json -o merged.h5 job.h5 | "${check[@]}" merge -
"$h5mf" verify --json merged.h5 | "${check[@]}" verify -
# A damaged container: damage entries and dropped records (exit code 2).
truncate -s -3 job.h5/1.offset
rc=0; "$h5mf" verify --json job.h5 > damaged.json || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: verify of a damaged container exited $rc, not 2" >&2; exit 1; }
"${check[@]}" verify damaged.json
rc=0; "$h5mf" merge --json -o damaged.h5 job.h5 > merged-damaged.json 2>/dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: merge of a damaged container exited $rc, not 2" >&2; exit 1; }
"${check[@]}" merge merged-damaged.json
