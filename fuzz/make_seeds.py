#!/usr/bin/python3
"""Regenerates the fuzz targets' seed corpora in fuzz/corpus/ from small real containers.

Run from the source tree after a normal build (the h5mf Python package in build/python):
    PYTHONPATH=build/python /usr/bin/python3 fuzz/make_seeds.py
Seeds: metafiles and index files of containers with groups, chunked and resizable datasets,
attributes (variable-length ones too), hyperslab and point writes, filters, variable-length and compound types, and writes
aggregated over two MPI ranks (metafile/, index/); their records without framing
(records/: u16 type, u16 length, payload); H5Tencode blobs of assorted types (datatype/).
"""
import hashlib
import os
import pathlib
import struct
import subprocess
import sys
import tempfile

import h5py
import h5mf
import numpy as np

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def save(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def records(log):
    """(type, payload) of every record of a framed log (docs/format.md, after the 64-byte header)."""
    pos, out = 64, []
    while pos + 16 <= len(log):
        length, kind = struct.unpack_from("<IH", log, pos + 8)
        out.append((kind, log[pos + 16:pos + 16 + length]))
        pos += 16 + length
    return out


def unframed(recs):
    return b"".join(struct.pack("<HH", kind, len(payload)) + payload for kind, payload in recs)


def containers(work):
    path = str(work / "a.h5")
    with h5mf.File(path, "w", writers=2) as f:
        g = f.create_group("g/h")
        d = g.create_dataset("d", (8, 6), dtype="i4", maxshape=(None, 6), chunks=(4, 3))
        d.attrs["units"] = "m"
        f.attrs["n"] = np.arange(3, dtype="f8")
        f.create_dataset("s", (), dtype="u1")
        e = f.create_dataset("e", (10,), dtype="f4", fillvalue=1.5)
        d[0:4:2, 1:5] = np.arange(8, dtype="i4").reshape(2, 4)
        d[[1, 3, 5], :] = np.ones((3, 6), dtype="i4")
        e[2:7] = np.arange(5, dtype="f4")
        d.resize((12, 6))
        del f.attrs["n"]
    with h5mf.File(path, "a", writer=1) as f:
        f["e"][0:2] = np.zeros(2, dtype="f4")
    yield pathlib.Path(path)
    path = str(work / "b.h5")
    with h5mf.File(path, "w", writers=1) as f:
        f.create_dataset("x", (4,), dtype="i8")[:] = np.arange(4)
    yield pathlib.Path(path)
    # Filter pipelines, variable-length strings and sequences, compounds and enums.
    path = str(work / "c.h5")
    with h5mf.File(path, "w", writers=1) as f:
        z = f.create_dataset("z", (64,), dtype="f8", chunks=(16,), compression="gzip", compression_opts=4,
                             shuffle=True, fletcher32=True)
        z[:] = np.linspace(0, 1, 64)
        f.create_dataset("s", (3,), dtype=h5mf.string_dtype())[:] = ["a", "bc", "def"]
        v = f.create_dataset("v", (2,), dtype=h5mf.vlen_dtype(np.int32))
        v[0] = np.arange(3, dtype=np.int32)
        c = f.create_dataset("c", (4,), dtype=np.dtype([("a", "i4"), ("b", "f8")]))
        c[1:3] = np.array([(1, 2.0), (3, 4.0)], dtype=c.dtype)
        f.create_dataset("k", (2,), dtype=h5mf.enum_dtype({"x": 0, "y": 5}, basetype="u1"))[:] = [5, 0]
    yield pathlib.Path(path)
    # A compound with variable-length members (CREATE_DATASET flag 4; elements of fixed bytes and slots).
    path = str(work / "m.h5")
    with h5mf.File(path, "w", writers=1) as f:
        m = f.create_dataset("m", (3,), dtype=np.dtype([("id", "i4"), ("s", h5mf.string_dtype()),
                                                        ("v", h5mf.vlen_dtype("f8"))]))
        m[0:2] = np.array([(1, "ab", [1.0]), (2, "", [])], dtype=m.dtype)
    yield pathlib.Path(path)
    # Named datatypes with ids (NAMED_TYPE), datasets made with them (CREATE_DATASET flag bit 3, value 8).
    path = str(work / "n.h5")
    with h5mf.File(path, "w", driver="multifile") as f:
        f["t"] = np.dtype("<i4")
        f.create_dataset("d", (4,), dtype=f["t"])[1] = 5
        f.create_dataset("e", dtype=f["t"])
        f.attrs.create("a", 3, dtype=f["t"])
        f["t"].attrs["x"] = 1
    yield pathlib.Path(path)
    # Attributes of sequences and of compounds with variable-length members (SET_ATTRIBUTE flag bit
    # 4, value 16: record data as the value), one of them Empty.
    path = str(work / "v.h5")
    with h5mf.File(path, "w", writers=1) as f:
        f.attrs.create("q", [np.arange(3), np.arange(0)], dtype=h5mf.vlen_dtype("i4"))
        f.attrs["c"] = np.array([(1, "ab", [1.0]), (2, None, [])],
                                dtype=[("id", "i4"), ("s", h5mf.string_dtype()), ("v", h5mf.vlen_dtype("f8"))])
        f.attrs.create("e", h5mf.Empty(h5mf.vlen_dtype("u1")))
        # A compound fill value (CREATE_DATASET flag 4 with a fill: one element's record data) and
        # a subarray field of strings (a slot per item).
        row = np.dtype([("id", "i4"), ("s", h5mf.string_dtype()), ("v", h5mf.vlen_dtype("f8")),
                        ("a", h5mf.string_dtype(), (2,))])
        d = f.create_dataset("f", (3,), dtype=row, fillvalue=np.array((-1, "none", [0.5], ["p", None]), dtype=row))
        d[1] = np.array((1, "ab", [1.0, 2.0], ["x", "yz"]), dtype=row)
    yield pathlib.Path(path)
    # Aggregated writes (WRITE_FROM records): two ranks, one data file pair.
    path = str(work / "d.h5")
    script = ("import h5mf, numpy as np; from mpi4py import MPI; c = MPI.COMM_WORLD\n"
              f"with h5mf.File({path!r}, 'w', comm=c, aggregation='files:1') as f:\n"
              "    d = f.create_dataset('x', (8,), dtype='i4')\n"
              "    d[c.rank * 4:(c.rank + 1) * 4] = np.arange(4, dtype='i4') + c.rank\n")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    subprocess.run(["mpiexec", "--oversubscribe", "-n", "2", sys.executable, "-c", script], check=True, env=env)
    yield pathlib.Path(path)


def datatypes():
    kinds = [np.int8, np.uint16, ">i4", np.int64, np.float32, ">f8", "S7",
             np.dtype([("a", "i4"), ("b", "f8", (2, 3))]), np.dtype(("i2", (4, 5))),
             h5py.string_dtype(), h5py.vlen_dtype(np.int32), h5py.enum_dtype({"x": 0, "y": 5}, basetype="u1"),
             h5py.opaque_dtype(np.dtype("V6"))]
    for kind in kinds:
        yield h5py.h5t.py_create(np.dtype(kind) if not isinstance(kind, np.dtype) else kind, logical=True).encode()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for container in containers(pathlib.Path(tmp)):
            meta = (container / "metafile").read_bytes()
            save("metafile", meta)
            recs = records(meta)
            for index in sorted(container.glob("*.offset")):
                data = index.read_bytes()
                if len(data) > 64:
                    save("index", data)
                    recs += records(data)
            save("records", unframed(recs))
            for kind, payload in recs:
                save("records", unframed([(kind, payload)]))
    for blob in datatypes():
        save("datatype", blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
