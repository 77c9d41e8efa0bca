"""The h5mf tools on file-image containers (written through the HDF5 file driver), as a user runs
them: an unmodified MPI program (image_writer.c) under `mpiexec h5mf exec`, then h5mf ls, dump,
verify and merge, checked against HDF5's own tools and, for content, h5py.

    image_checks.py CHECK --h5mf H5MF --writer WRITER --work DIR [--mpiexec MPIEXEC] [...]

CHECK is one of:
  tools    h5mf ls / dump of the container print what h5ls -r / h5dump print for the merged file
  corrupt  a flipped data byte: verify exit 2 naming the RANGE record, merge exit 2 dropping it,
           the rest of the file intact; a rank's data file pair gone: verify, readers and the
           merge report the loss
  kill     ranks SIGKILLed after H5Fflush while still writing (metadata too): verify reports, the
           merge keeps every value written before the flush; h5dump through the driver reads, and
           a writer reopening it continues from, the file as of that flush; killed before any
           flush: verify and merge say that no HDF5 file was ever complete in the container
  foreign  what is not a file-image container gets a clear error, never a crash; h5mf's API reads
           one only through the driver it is given
  hostile  validly framed records that claim what no job wrote (a 1 PiB run of zeros, data far past
           the file's end): verify and merge finish, at a cost bounded by the bytes present (the
           merge runs with a file size limit), with the file the records describe; a link planted
           as the image of the last flush, an image cut short: verify and merge both refuse them,
           naming them, and the container stays
  holders  while a job writes a container through the driver, a second job, a reader through the
           driver (h5dump too; h5py raises BlockingIOError), a writer through the driver, h5mf's
           API, ls and merge are refused,
           naming the job; the container is left as it was, and the merge after the job keeps its
           writes
"""
import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

RANKS = 2
N = 1000          # /grp/a elements per rank (image_writer.c)
AFTER = 65536     # /after elements per rank
TIMEOUT = 120     # seconds any one command may take on a loaded machine


class Failure(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Failure(what)


def run(args, cwd, expect_rc=(0,), what=None, env=None, max_file_bytes=None):
    """Runs a command; returns (rc, stdout, stderr); fails unless rc is in expect_rc. `max_file_bytes`:
    the largest file it may write (RLIMIT_FSIZE)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                          env=None if env is None else {**os.environ, **env},
                          preexec_fn=limit if max_file_bytes else None)
    if expect_rc is not None and done.returncode not in expect_rc:
        raise Failure(f"{what or ' '.join(args)}: exit {done.returncode}, expected {expect_rc}\n"
                      f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done.returncode, done.stdout, done.stderr


def write_container(opts, name, extra=()):
    run([opts.mpiexec, "-n", str(RANKS), "--oversubscribe", opts.h5mf, "exec", "--", opts.writer, name, *extra],
        opts.work, what=f"image_writer {name} under h5mf exec")
    expect(os.path.isfile(os.path.join(opts.work, name, "image")), f"{name} is no file-image container")


def check_common_content(path, a_rank1_intact=True):
    """What image_writer.c wrote before any flush, read from the merged file with h5py."""
    with h5py.File(path, "r") as f:
        a = f["grp/a"][:]
        expected = np.arange(1, RANKS * N + 1, dtype=np.int32)
        expect(np.array_equal(a[:N], expected[:N]), f"/grp/a rank 0's part: {a[:5]}...")
        if a_rank1_intact:
            expect(np.array_equal(a, expected), "/grp/a differs from what the ranks wrote")
        b = f["b"][:]
        for r in range(RANKS):
            expect(np.allclose(b[r], r + np.arange(100) / 100.0), f"/b row {r}: {b[r][:5]}...")
        expect(int(f["grp"].attrs["ranks"]) == RANKS, "/grp attribute 'ranks'")
        expect(f["b"].attrs["units"] == b"m/s", f"/b attribute 'units': {f['b'].attrs['units']!r}")
        return a, f["after"][:]


def check_tools(opts):
    name = "tools.h5"
    write_container(opts, name)
    _, ls_out, _ = run([opts.h5mf, "ls", name], opts.work)
    _, dump_out, _ = run([opts.h5mf, "dump", name + "/"], opts.work)
    _, dump_d, _ = run([opts.h5mf, "dump", "-d", "/grp/a", "-d", "b", name], opts.work)
    _, verify_out, _ = run([opts.h5mf, "verify", "--json", name], opts.work)
    report = json.loads(verify_out)
    expect(report["kind"] == "file-image", f"verify kind {report['kind']!r}")
    expect(report["exit_code"] == 0 and report["records"] > 0, f"verify of a healthy container: {report}")
    expect(all(w["unreferenced_bytes"] == 0 and w["record_bytes"] > 0 for w in report["data_files"]),
           f"data bytes of a healthy container that no record uses: {report['data_files']}")
    run([opts.h5mf, "merge", name], opts.work)
    expect(os.path.isfile(os.path.join(opts.work, name)), "the merge left no file")
    _, h5ls_out, _ = run([opts.h5ls, "-r", name], opts.work)
    _, h5dump_out, _ = run([opts.h5dump, name], opts.work)
    _, h5dump_d, _ = run([opts.h5dump, "-d", "/grp/a", "-d", "b", name], opts.work)
    expect(ls_out == h5ls_out, f"h5mf ls:\n{ls_out}\nh5ls -r:\n{h5ls_out}")
    expect(dump_out == h5dump_out, f"h5mf dump:\n{dump_out[:2000]}\nh5dump:\n{h5dump_out[:2000]}")
    expect(dump_d == h5dump_d, f"h5mf dump -d:\n{dump_d[:2000]}\nh5dump -d:\n{h5dump_d[:2000]}")
    expect('DATASET "a"' in dump_out, "the dump shows no /grp/a")
    check_common_content(os.path.join(opts.work, name))


def check_corrupt(opts):
    name = "corrupt.h5"
    write_container(opts, name)
    run([opts.h5mf, "verify", "-q", name], opts.work, what="verify before the damage")
    shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, "image_" + name))
    shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, "lost_" + name))
    # Rank 1's first record holds its part of /grp/a (4000 bytes, right after the data file's
    # 64-byte header); one byte of it changes.
    data = os.path.join(opts.work, name, "1")
    with open(data, "r+b") as f:
        f.seek(64 + 100)
        byte = f.read(1)
        f.seek(64 + 100)
        f.write(bytes([byte[0] ^ 0xFF]))

    _, text, err = run([opts.h5mf, "verify", name], opts.work, expect_rc=(2,))
    expect("RANGE record" in text and "checksum" in text and f"{name}/1 at offset 64" in text,
           f"verify names no damaged RANGE record:\n{text}")
    expect("is damaged" in err, f"verify's stderr: {err}")
    _, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work, expect_rc=(2,))
    report = json.loads(out)
    expect(report["kind"] == "file-image" and report["exit_code"] == 2 and not report["errors"], f"{report}")
    damage = [d for w in report["data_files"] for d in w["damage"]]
    expect(len(damage) == 1, f"one damaged record expected: {damage}")
    d = damage[0]
    expect(d["file"].endswith(f"{name}/1") and d["offset"] == 64 and d["bytes"] == 4 * N and d["records"] == 1 and
           "sequence" in d and "RANGE record" in d["reason"], f"damage entry: {d}")
    expect(report["records_dropped"] == 1, f"records_dropped {report['records_dropped']}")
    expect(report["data_files"][1]["unreferenced_bytes"] >= 4 * N, f"{report['data_files'][1]}")

    _, out, _ = run([opts.h5mf, "merge", "--json", name], opts.work, expect_rc=(2,))
    merged = json.loads(out)
    dropped = merged["dropped"]
    expect(len(dropped) == 1 and dropped[0]["file"].endswith(f"{name}/1") and dropped[0]["offset"] == 64 and
           dropped[0]["records"] == 1 and "RANGE record" in dropped[0]["reason"], f"merge's dropped list: {dropped}")
    expect(merged["records_dropped"] == 1, f"merge records_dropped {merged['records_dropped']}")
    a, after = check_common_content(os.path.join(opts.work, name), a_rank1_intact=False)
    # What the dropped record hid shows again: the zeros HDF5 wrote at allocation.
    expect(np.all(a[N:] == 0), f"rank 1's part of /grp/a after its record was dropped: {a[N:N + 5]}...")
    expect(np.array_equal(after, -np.arange(1, RANKS * AFTER + 1, dtype=np.int32)), "/after differs")

    # A byte of HDF5's metadata in the image (byte 200: the root group's object header or heap,
    # which an Image record wrote whole): verify compares it with that record's checksum.
    name = "image_" + name
    with open(os.path.join(opts.work, name, "image"), "r+b") as f:
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0x01]))
    _, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work, expect_rc=(2,))
    damage = [d for w in json.loads(out)["data_files"] for d in w["damage"]]
    expect(len(damage) == 1 and damage[0]["file"].endswith(f"{name}/image") and damage[0]["offset"] <= 200 and
           "the image's bytes there fail its checksum" in damage[0]["reason"], f"image damage: {damage}")
    # A job that never closed leaves the image of its last flush beside it (image.flushed), which
    # the merge starts from: the live image is then not checked, and the snapshot is no stray file.
    shutil.copy(os.path.join(opts.work, name, "image"), os.path.join(opts.work, name, "image.flushed"))
    _, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work)
    notes = json.loads(out)["notes"]
    expect(len(notes) == 1 and "did not close" in notes[0] and "image.flushed" in notes[0], f"notes: {notes}")

    # Rank 1's whole data file pair gone: every rank made its pair at open (the metafile's OPENED
    # record says so), so its absence is a loss that verify, readers and the merge report.
    name = "lost_corrupt.h5"
    os.remove(os.path.join(opts.work, name, "1"))
    os.remove(os.path.join(opts.work, name, "1.offset"))
    _, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work, expect_rc=(2,))
    report = json.loads(out)
    damage = [d for w in report["data_files"] for d in w["damage"]]
    expect(report["exit_code"] == 2 and len(damage) == 1 and damage[0]["file"].endswith(f"{name}/1") and
           "missing" in damage[0]["reason"] and "every write they made is lost" in damage[0]["reason"],
           f"verify of a container without rank 1's pair: {report}")
    _, _, err = run([opts.h5mf, "exec", "--", opts.h5dump, "-H", name], opts.work,
                    what="h5dump through the driver of a container with a missing pair")
    expect("warning" in err and f"{name}/1" in err and "missing" in err, f"the reader's warning: {err}")
    _, out, _ = run([opts.h5mf, "merge", "--json", name], opts.work, expect_rc=(2,))
    dropped = json.loads(out)["dropped"]
    expect(len(dropped) == 1 and dropped[0]["file"].endswith(f"{name}/1") and "missing" in dropped[0]["reason"],
           f"merge's dropped list: {dropped}")
    with h5py.File(os.path.join(opts.work, name), "r") as f:  # rank 0's writes kept, rank 1's not there
        a, b = f["grp/a"][:], f["b"][:]
        expect(np.array_equal(a[:N], np.arange(1, N + 1)) and np.all(a[N:] == 0), f"/grp/a: {a[N - 2:N + 2]}")
        expect(np.allclose(b[0], np.arange(100) / 100.0) and np.all(b[1] == 0), f"/b: {b[:, :3]}")


def start_endless_writer(opts, name, extra=()):
    """Starts image_writer's endless mode on `name`; returns (job, pids) once it is ready."""
    ready = os.path.join(opts.work, "ready_" + name)
    os.makedirs(ready)
    job = subprocess.Popen([opts.mpiexec, "-n", str(RANKS), "--oversubscribe", opts.h5mf, "exec", "--", opts.writer,
                            name, ready, *extra], cwd=opts.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(os.path.join(ready, "ready")):
        if job.poll() is not None:
            raise Failure(f"the writer ended before it was ready:\n{job.communicate()[0]}")
        if time.monotonic() > deadline:
            job.kill()
            job.wait()
            raise Failure("the writer never said it was ready")
        time.sleep(0.05)
    pids = []
    for r in range(RANKS):
        with open(os.path.join(ready, f"{r}.pid")) as f:
            pids.append(int(f.read()))
    return job, pids


def kill_job(job, pids):
    try:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        job.wait(timeout=TIMEOUT)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()


def check_kill(opts):
    name = "killed.h5"
    job, pids = start_endless_writer(opts, name)
    try:
        time.sleep(0.5)  # more writes after the flush
    finally:
        kill_job(job, pids)

    # Readers and writers through the driver see the file of the last flush, not the metadata HDF5
    # had written since (unfinished: /later is not in the file of the flush).
    _, out, _ = run([opts.h5mf, "exec", "--", opts.h5dump, "-H", name], opts.work,
                    what="h5dump -H through the driver of the killed job's container")
    expect('GROUP "grp"' in out and 'GROUP "later"' not in out, f"h5dump -H of the killed job's container:\n{out[:3000]}")
    reopened = "reopened_" + name
    shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, reopened))
    _, out, _ = run([opts.open_through_driver, reopened, "rw"], opts.work, what="reopening the killed job's container")
    expect(out.split() == ["after", "b", "grp"], f"root members of the reopened container: {out!r}")
    run([opts.h5mf, "merge", reopened], opts.work, expect_rc=(0, 2))
    run([opts.h5dump, "-H", reopened], opts.work, what="h5dump -H of the reopened container, merged")
    check_common_content(os.path.join(opts.work, reopened))

    rc, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work, expect_rc=(0, 2))
    report = json.loads(out)
    expect(report["kind"] == "file-image" and not report["errors"], f"verify after the kill: {report}")
    # Killed ranks leave, at most, data after their last index record or a torn index tail.
    damage = [d for w in report["data_files"] for d in w["damage"]]
    expect(all(d["torn_tail"] for d in damage), f"damage other than torn tails: {damage}")
    expect(rc == (2 if damage else 0), f"verify exit {rc} with damage {damage}")
    _, text, _ = run([opts.h5mf, "verify", name], opts.work, expect_rc=(rc,))
    expect(f"summary: '{name}'" in text, f"verify's text report:\n{text}")

    merge_rc, out, _ = run([opts.h5mf, "merge", "--json", name], opts.work, expect_rc=(0, 2))
    expect(merge_rc == rc, f"merge exit {merge_rc}, verify exit {rc}")
    expect(os.path.isfile(os.path.join(opts.work, name)), "the merge left no file")
    run([opts.h5dump, "-H", name], opts.work, what="h5dump -H of the merged file")
    _, after = check_common_content(os.path.join(opts.work, name))
    # /after: each element as written before the flush, or by one of the rounds after it.
    index = np.arange(RANKS * AFTER, dtype=np.int64)
    before = after == -(index + 1)
    later = (after >= 1000000) & ((after.astype(np.int64) - index) % 1000000 == 0)
    expect(np.all(before | later), f"/after holds values nobody wrote: {after[~(before | later)][:5]}")

    # Killed before the first flush of a new file: HDF5 never completed a file there.
    name = "never_flushed.h5"
    job, pids = start_endless_writer(opts, name, ["noflush"])
    kill_job(job, pids)
    for tool in ("verify", "merge"):
        _, out, err = run([opts.h5mf, tool, name], opts.work, expect_rc=(1,), what=f"h5mf {tool} {name}")
        expect("ended before its first H5Fflush or H5Fclose" in out + err and f"{name}/image.flushed" in out + err,
               f"h5mf {tool} {name} does not say the job never flushed:\n{out}{err}")
    expect(os.path.isdir(os.path.join(opts.work, name)), f"{name} is no longer a container")


def check_hostile(opts):
    name = "hostile.h5"
    write_container(opts, name)
    end = os.path.getsize(os.path.join(opts.work, name, "image"))  # the file's END (the image is cut to it)
    variants = {
        # ZEROS stores nothing: 1 PiB of them from address 4096 declares the whole file zeros.
        "zeros": ["zeros", "4096", str(1 << 50)],
        # DATA far past the file's end: cut away with everything past its END.
        "far": ["data", str(1 << 60), "10"],
        "far_zeros": ["zeros", str(1 << 60), "4096"],
    }
    for variant, record in variants.items():
        path = f"{variant}_{name}"
        shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, path))
        run([opts.append_records, path, "1", *record], opts.work)
        rc, out, _ = run([opts.h5mf, "verify", "--json", path], opts.work, expect_rc=(0, 2))
        expect(json.loads(out)["kind"] == "file-image", f"verify of {path}: {out[:2000]}")
        rc, out, err = run([opts.h5mf, "merge", path], opts.work, expect_rc=None, max_file_bytes=256 << 20)
        expect(rc == 0, f"merge of {path} (a crafted {record[0]} record at {record[1]}, {record[2]} bytes): exit {rc}\n"
               f"{out}{err}")
        expect(os.path.getsize(os.path.join(opts.work, path)) == end,
               f"{path}: merged file of {os.path.getsize(os.path.join(opts.work, path))} bytes, its END is {end}")
        if variant == "zeros":
            with open(os.path.join(opts.work, path), "rb") as f:
                head = f.read()
            expect(head[4096:] == bytes(end - 4096), f"{path}: the merged file is not zeros from 4096 on")
        else:
            check_common_content(os.path.join(opts.work, path))

    # A link where a job that never closed leaves the image of its last flush, pointing outside.
    path = "link_" + name
    shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, path))
    outside = os.path.join(opts.work, "outside")
    shutil.copy(os.path.join(opts.work, name, "image"), outside)
    os.symlink(outside, os.path.join(opts.work, path, "image.flushed"))
    for tool in ("verify", "merge"):
        _, out, err = run([opts.h5mf, tool, path], opts.work, expect_rc=(1,), what=f"h5mf {tool} {path}")
        expect(f"{path}/image.flushed" in out + err and "symbolic link" in out + err,
               f"h5mf {tool} {path} does not name the link:\n{out}{err}")
    expect(os.path.isdir(os.path.join(opts.work, path)), f"{path} is no longer a container")

    # The image cut short (HDF5's metadata lost): a merge would write a file no HDF5 tool opens.
    path = "short_" + name
    shutil.copytree(os.path.join(opts.work, name), os.path.join(opts.work, path))
    os.truncate(os.path.join(opts.work, path, "image"), 2000)
    for tool in ("verify", "merge"):
        _, out, err = run([opts.h5mf, tool, path], opts.work, expect_rc=(1,), what=f"h5mf {tool} {path}")
        expect(f"'{path}/image' holds 2000 bytes" in out + err and "cut short" in out + err,
               f"h5mf {tool} {path} does not say the image was cut short:\n{out}{err}")
    expect(os.path.isdir(os.path.join(opts.work, path)), f"{path} is no longer a container")


def container_state(path):
    """What a refused open must not change in a container a job still writes: its files, its metafile."""
    with open(os.path.join(path, "metafile"), "rb") as f:
        return sorted(os.listdir(path)), f.read()


def check_holders(opts):
    name = "held.h5"
    job, pids = start_endless_writer(opts, name)
    try:
        before = container_state(os.path.join(opts.work, name))
        holder = f"pid {pids[0]}"
        refused = []
        # A second job (mode 'w', H5Fcreate with H5F_ACC_TRUNC) on the same path.
        rc, out, err = run([opts.mpiexec, "-n", str(RANKS), "--oversubscribe", opts.h5mf, "exec", "--", opts.writer,
                            name], opts.work, expect_rc=None)
        refused.append(("a second job", rc, out + err))
        # Readers and a writer opening it through the driver while HDF5 writes its metadata there.
        rc, out, err = run([opts.open_through_driver, name], opts.work, expect_rc=None)
        refused.append(("a reader through the driver", rc, out + err))
        rc, out, err = run([opts.open_through_driver, name, "rw"], opts.work, expect_rc=None)
        refused.append(("a writer through the driver", rc, out + err))
        rc, out, err = run([opts.h5mf, "exec", "--", opts.h5dump, "-H", name], opts.work, expect_rc=None)
        refused.append(("h5dump through the preload", rc, out + err))
        # h5py through the preload: HDF5's error stack reaches it, as BlockingIOError (errno EAGAIN),
        # which h5py raises for a file HDF5 has locked.
        opener = ("import h5py\ntry:\n    h5py.File(%r, 'r')\nexcept OSError as e:\n"
                  "    print(type(e).__name__, e.errno, e)\n    raise SystemExit(1)" % name)
        rc, out, err = run([opts.h5mf, "exec", "--", sys.executable, "-c", opener], opts.work, expect_rc=None)
        expect(out.startswith("BlockingIOError 11 "), f"h5py through the preload: {out}{err[-2000:]}")
        refused.append(("h5py through the preload", rc, out))
        for tool in ("ls", "merge"):
            rc, out, err = run([opts.h5mf, tool, name], opts.work, expect_rc=None)
            refused.append((f"h5mf {tool}", rc, out + err))
        # A job of h5mf's own API creating a container there (mode 'w').
        rc, out, err = run([opts.patterns, name, "root"], opts.work, expect_rc=None)
        refused.append(("h5mf's API with mode 'w'", rc, out + err))
        for who, rc, text in refused:
            expect(rc != 0 and holder in text and "held by" in text, f"{who} while a job writes '{name}': exit {rc}, "
                   f"expected a refusal naming {holder}:\n{text[-3000:]}")
        # verify reads it (without holding it) and says that a job holds it.
        _, out, _ = run([opts.h5mf, "verify", "--json", name], opts.work, expect_rc=(0, 2))
        notes = json.loads(out)["notes"]
        expect(any(holder in n and "a job may be writing it" in n for n in notes), f"verify's notes: {notes}")
        after = container_state(os.path.join(opts.work, name))
        expect(before == after, f"the refused opens changed the container: {before[0]} -> {after[0]}, metafile "
               f"{len(before[1])} -> {len(after[1])} bytes")
        if job.poll() is not None:
            raise Failure(f"the job ended while it should have been writing:\n{job.communicate()[0]}")
    finally:
        kill_job(job, pids)
    # Nothing the job wrote before its flush is lost.
    run([opts.h5mf, "merge", name], opts.work, expect_rc=(0, 2))
    check_common_content(os.path.join(opts.work, name))


def check_foreign(opts):
    work = opts.work
    os.makedirs(os.path.join(work, "plain_dir"))
    # A directory that is no container, and a path that is not there, through the preload.
    for path in ("plain_dir", "missing.h5"):
        rc, out, err = run([opts.h5mf, "exec", "--", opts.h5dump, path], work, expect_rc=None)
        expect(0 < rc < 128, f"h5mf exec -- h5dump {path}: exit {rc}\n{out}{err}")
        expect(path in out + err, f"h5mf exec -- h5dump {path} does not name it:\n{out}{err}")
        for tool in ("ls", "dump", "verify"):
            rc, out, err = run([opts.h5mf, tool, path], work, expect_rc=(1,))
            expect(path in err, f"h5mf {tool} {path}: {err}")

    # A record container (h5mf's own API) opened through the driver: refused, saying what it is.
    run([opts.patterns, "records.h5", "numeric"], work)
    rc, out, err = run([opts.open_through_driver, "records.h5"], work, expect_rc=(1,))
    expect("written through h5mf's own API" in err, f"the driver's refusal of a record container:\n{err}")
    _, ls_out, _ = run([opts.h5mf, "ls", "records.h5"], work)  # still read by h5mf itself
    expect("Dataset" in ls_out, f"h5mf ls of a record container:\n{ls_out}")
    # A job's HDF5_DRIVER=h5mf is for its programs, not for the tool: the merge writes an HDF5 file.
    run([opts.h5mf, "merge", "records.h5", "-o", "records_merged.h5"], work, env={"HDF5_DRIVER": "h5mf"})
    expect(os.path.isfile(os.path.join(work, "records_merged.h5")), "the merge under HDF5_DRIVER=h5mf made no file")
    run([opts.h5dump, "-H", "records_merged.h5"], work, what="h5dump -H of the file merged under HDF5_DRIVER=h5mf")

    # A file-image container: the driver reads it; h5mf's container reader and view refuse it.
    write_container(opts, "image.h5")
    _, out, _ = run([opts.open_through_driver, "image.h5"], work)
    expect(out.split() == ["after", "b", "grp"], f"root members through the driver: {out!r}")
    # h5mf's C++ API: through the driver it is given (FileOptions::image_driver), else refused.
    _, out, _ = run([opts.open_with_api, "image.h5"], work)
    expect("FAILED" not in out and out.count("ok:") == 7, f"open_with_api:\n{out}")
    _, _, err_text = run([opts.h5mf, "view", "image.h5"], work, expect_rc=(1,))
    expect("file-image container" in err_text and "merge it" in err_text, f"h5mf view of a file-image container: {err_text}")

    # A foreign directory dressed as one: a metafile that is no metafile, beside an image.
    os.makedirs(os.path.join(work, "fake.h5"))
    with open(os.path.join(work, "fake.h5", "metafile"), "wb") as f:
        f.write(b"not an h5mf metafile at all, but long enough to have a header" * 4)
    shutil.copy(os.path.join(work, "image.h5", "image"), os.path.join(work, "fake.h5", "image"))
    rc, out, err = run([opts.h5mf, "exec", "--", opts.h5dump, "fake.h5"], work, expect_rc=None)
    expect(0 < rc < 128 and "fake.h5" in out + err, f"h5mf exec -- h5dump fake.h5: exit {rc}\n{out}{err}")
    for tool in ("ls", "dump", "verify"):
        rc, out, err = run([opts.h5mf, tool, "fake.h5"], work, expect_rc=(1,))
        expect("fake.h5/metafile" in err, f"h5mf {tool} fake.h5 does not name the metafile: {err}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["tools", "corrupt", "kill", "foreign", "holders", "hostile"])
    parser.add_argument("--h5mf", required=True)
    parser.add_argument("--writer", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--mpiexec", default="mpiexec")
    parser.add_argument("--h5dump", default="h5dump")
    parser.add_argument("--h5ls", default="h5ls")
    parser.add_argument("--patterns", help="write_patterns (tests/tools): makes a record container")
    parser.add_argument("--open-through-driver", dest="open_through_driver")
    parser.add_argument("--open-with-api", dest="open_with_api")
    parser.add_argument("--append-records", dest="append_records")
    opts = parser.parse_args()
    for tool in ("h5mf", "writer", "work", "patterns", "open_through_driver", "open_with_api", "append_records"):  # commands run elsewhere
        if getattr(opts, tool):
            setattr(opts, tool, os.path.abspath(getattr(opts, tool)))
    shutil.rmtree(opts.work, ignore_errors=True)
    os.makedirs(opts.work)
    try:
        checks = {"tools": check_tools, "corrupt": check_corrupt, "kill": check_kill, "foreign": check_foreign,
                  "holders": check_holders, "hostile": check_hostile}
        checks[opts.check](opts)
    except Failure as e:
        print(f"FAILED ({opts.check}): {e}", file=sys.stderr)
        return 1
    print(f"ok: {opts.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
