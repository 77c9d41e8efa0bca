"""The content each acceptance program must leave, checked with h5py against values recomputed from
(rank, index), so that a merged file that matches nothing cannot pass the comparisons.

    /usr/bin/python3 check_content.py KIND FILE NPROCS

KIND: c, fortran, netcdf, or a seed program's name (seed000_demo2, seed000_snippets,
seed001_distances, seed001_atomicity, seed002_hdf5_parallel). Prints one line on success; an
AssertionError names what differs otherwise.
"""
import sys

import h5py
import numpy as np

R, C = 4, 8  # rows per rank and columns, as in plain_hdf5.c, plain_hdf5.f90 and netcdf_par.c


def slabs(base, n, rows=R):
    """value(base, r, i, j) = base + 1000*r + C*i + j for every rank r's rows, stacked."""
    i, j = np.meshgrid(np.arange(rows), np.arange(C), indexing="ij")
    return np.concatenate([base + 1000 * r + C * i + j for r in range(n)])


def expect(f, name, dtype, expected):
    d = f[name]
    assert d.dtype == np.dtype(dtype), f"{name}: dtype {d.dtype}, expected {dtype}"
    assert d.shape == expected.shape, f"{name}: shape {d.shape}, expected {expected.shape}"
    got = d[()]
    bad = np.argwhere(got != expected)
    assert bad.size == 0, (f"{name}: {len(bad)} values differ, first at {tuple(bad[0])}: "
                           f"{got[tuple(bad[0])]} != {expected[tuple(bad[0])]}")


def attr(obj, name):
    value = obj.attrs[name]
    return value.decode() if isinstance(value, bytes) else value


def check_c(f, n):
    assert attr(f, "nprocs") == n, f"/ nprocs = {attr(f, 'nprocs')}, expected {n}"
    assert list(attr(f, "origin")) == [0.5, -1.25, 3.0], attr(f, "origin")
    grid = f["grid"]
    assert attr(grid, "title") == "plain parallel HDF5 1.10 through H5Pset_fapl_mpio", attr(grid, "title")
    tags = [t.decode() if isinstance(t, bytes) else t for t in grid.attrs["tags"]]
    assert tags == ["contiguous and chunked", "fill values, groups, attributes, a resize"], tags
    assert h5py.check_string_dtype(grid.attrs.get_id("title").dtype).length is None, "title is not variable-length"
    expect(f, "grid/contiguous", "<f8", slabs(0, n) + 0.5)
    assert f["grid/contiguous"].chunks is None, "grid/contiguous is chunked"
    assert attr(f["grid/contiguous"], "scale") == np.float32(0.25)
    expect(f, "grid/chunked", "<i4", slabs(100000, n))
    assert f["grid/chunked"].chunks == (2, C // 2), f["grid/chunked"].chunks

    sparse = np.full(n * 10, 7, dtype=np.int32)
    for r in range(n):
        sparse[r * 10:r * 10 + 5] = 1000 * r + np.arange(5)
    expect(f, "grid/level1/sparse", "<i4", sparse)
    fill = np.full((n * R, C), -99, dtype=np.int32)
    for r in range(n):
        fill[r * R, :C // 2] = 200000 + 1000 * r + np.arange(C // 2)
    expect(f, "grid/level1/level2/fill", "<i4", fill)

    series = np.concatenate([slabs(300000, n), slabs(400000, n), np.full((1, C), -1)])
    expect(f, "series", "<i4", series)
    assert f["series"].maxshape == (None, C), f["series"].maxshape
    assert attr(f["series"], "rows_per_rank") == R
    return f"{n} ranks' slabs in 5 datasets, fill values, groups, attributes and the resized series"


def check_fortran(f, n):
    assert attr(f, "nprocs") == n, f"/ nprocs = {attr(f, 'nprocs')}, expected {n}"
    expect(f, "values", "<i4", slabs(0, n))
    expect(f, "reals", "<f8", slabs(0, n) + 0.25)
    assert attr(f["values"], "rows_per_rank") == R
    return f"{n} ranks' slabs of values and reals"


def check_netcdf(f, n):
    assert attr(f, "nprocs") == n, f"nprocs = {attr(f, 'nprocs')}, expected {n}"
    assert attr(f, "title") == "one variable written from every rank with nc_create_par", attr(f, "title")
    expect(f, "values", "<i4", slabs(0, n))
    assert attr(f["values"], "units") == "count"
    partial = np.full(n * R, 9.969209968386869e36)  # netCDF's default double fill, NC_FILL_DOUBLE
    partial[::R] = 1000.0 * np.arange(n) + 0.5
    expect(f, "partial", "<f8", partial)
    return f"{n} ranks' slabs of values, partial with netCDF's fill value"


def check_seed000_demo2(f, n):
    expect(f, "test", "<i4", np.array([r if r < n else 0 for r in range(4)], dtype=np.int32))
    return "test = the ranks' ids"


def check_seed000_snippets(f, n):
    expect(f, "test", "<i4", np.array([(42 if r > 2 else r) if r < n else 0 for r in range(4)], dtype=np.int32))
    assert isinstance(f["x"], h5py.Group) and len(f["x"]) == 0, "no empty group x"
    return "test = the ranks' ids, 42 from rank 3; group x"


def check_seed001_distances(f, n):
    coords = f["coords"][()]
    assert coords.shape == (1000, 2) and np.all((coords >= 0) & (coords < 1)), "coords is not make_coords.py's"
    expected = np.sqrt(np.sum(coords**2, axis=1))
    written = np.zeros(1000, dtype=bool)
    written[:250 * n] = True
    expected[~written] = 0
    expect(f, "distances", "<f4", expected.astype(np.float32))
    return f"distances == sqrt(sum(coords**2, axis=1)) for the {250 * n} points of {n} ranks"


def check_seed001_atomicity(f, n):
    expect(f, "x", "<i4", np.array([42], dtype=np.int32))
    return "x = [42]"


def check_seed002_hdf5_parallel(f, n):
    expect(f, "test", "<i4", np.array([r if r < n else 0 for r in range(42)], dtype=np.int32))
    return "test = the ranks' ids"


def main():
    kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    check = globals().get(f"check_{kind}")
    if check is None:
        sys.exit(f"check_content.py: no check for {kind!r}")
    with h5py.File(path, "r") as f:
        summary = check(f, n)
    print(f"{path}: {summary}: as expected")


if __name__ == "__main__":
    main()
