#!/usr/bin/python3
"""Hostile containers (docs/design.md, "Hostile files"): every command ends, bounded, and harms nothing.

    run_hostile.py --maker make_hostile --h5mf h5mf --work DIR CLASS

make_hostile writes the hostile containers of CLASS (counts, dims, depth, symlink, fifo, truncated,
deleted, merged), each made from a real small container. On every one this runs `h5mf ls`, `dump`,
`verify`, `merge -o`, `view`, a Python read of every dataset (h5mf.File(path, 'r')), a Python
writer joining the container (mode 'a', writer=1) and, last, `h5mf merge` in place; each in its own
process group, killed after --timeout seconds, under `ulimit -v` (--memory-mb; 0 for none, as
AddressSanitizer builds need). Each must exit 0, 1 or 2 (1 and 2 with a message on stderr): never
a signal, never a time-out; and the files outside the container (the targets of planted links)
must keep their bytes and modification times. Exits 1 listing every failure.
"""
import argparse
import hashlib
import os
import pathlib
import resource
import signal
import subprocess
import sys
import time

PYTHON_READ = r"""
import sys
import h5mf
try:
    with h5mf.File(sys.argv[1], "r") as f:
        pending = [f]
        while pending:  # iterative: a deep tree must not exhaust Python's recursion limit
            group = pending.pop()
            for name in group:
                item = group[name]
                if isinstance(item, h5mf.Group):
                    pending.append(item)
                else:
                    item[()]
except Exception as e:  # a clear error is the expected outcome for most hostile containers
    print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
"""

PYTHON_JOIN = r"""
import sys
import h5mf
try:
    with h5mf.File(sys.argv[1], "a", writer=1) as f:
        pass
except Exception as e:
    print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
"""


def snapshot(folder):
    """{name: (sha256, size, mtime_ns)} of the files under `folder` (links not followed)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
        out[str(path.relative_to(folder))] = (digest, st.st_size, st.st_mtime_ns)
    return out


def run(command, timeout, memory_mb, env):
    """(exit code or None on time-out, stderr text, seconds)."""
    def limits():
        if memory_mb:
            limit = memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               start_new_session=True, preexec_fn=limits, env=env)
    try:
        _, err = process.communicate(timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
        code = None
    return code, err.decode(errors="replace"), time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maker", required=True)
    parser.add_argument("--h5mf", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--no-python", action="store_true", help="leave out the Python reads (no package built)")
    parser.add_argument("kind", metavar="CLASS")
    args = parser.parse_args()

    work = pathlib.Path(args.work) / args.kind
    work.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([args.maker, args.kind, str(work)], capture_output=True, text=True, timeout=600)
    if made.returncode != 0:
        print(f"make_hostile {args.kind} failed ({made.returncode}): {made.stderr}")
        return 1
    variants = made.stdout.split()

    if args.no_python:
        print("the Python package is not built (a sanitized build): Python reads left out")
    if not args.memory_mb:
        print("no memory limit (--memory-mb 0: ulimit -v and AddressSanitizer do not mix)")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    python = sys.executable
    failures = []
    for variant in variants:
        folder = work / variant
        container = str(folder / "c.h5")
        outside = folder / "outside"
        before = snapshot(outside)
        commands = [
            ("ls", [args.h5mf, "ls", container]),
            ("dump", [args.h5mf, "dump", container]),
            ("verify", [args.h5mf, "verify", container]),
            ("merge -o", [args.h5mf, "merge", "-o", str(folder / "merged-copy.h5"), container]),
            ("view", [args.h5mf, "view", container]),
            ("python read", [python, "-c", PYTHON_READ, container]),
            ("python join", [python, "-c", PYTHON_JOIN, container]),
            ("merge", [args.h5mf, "merge", container]),
        ]
        if args.no_python:
            commands = [(name, command) for name, command in commands if not name.startswith("python")]
        for name, command in commands:
            code, err, seconds = run(command, args.timeout, args.memory_mb, env)
            last = err.strip().splitlines()[-1][:300] if err.strip() else ""
            problem = None
            if code is None:
                problem = f"did not end within {args.timeout:.0f} s (killed)"
            elif code < 0:
                problem = f"killed by signal {-code}"
            elif code not in (0, 1, 2):
                problem = f"exit code {code}"
            elif code != 0 and not last:
                problem = f"exit code {code} with nothing on stderr"
            after = snapshot(outside)
            if after != before:
                changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
                problem = (problem + "; " if problem else "") + f"changed files outside the container: {changed}"
                before = after
            status = "ok" if problem is None else "FAIL"
            print(f"{status:4} {args.kind}/{variant}: {name}: exit {code}, {seconds:.1f} s: {problem or last}")
            if problem:
                failures.append(f"{args.kind}/{variant}: {name}: {problem} ({last})")
    if failures:
        print(f"\n{len(failures)} failures:")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
