"""h5py's view of a merged file against the reference written by libhdf5 over MPI-IO.

    /usr/bin/python3 h5py_compare.py MERGED REFERENCE

Exits 0 when h5py opens MERGED and finds the same groups and datasets, every dataset with the same
dtype, shape and elements (NaN equal to NaN), and the same attributes with the same values.
Prints one line per difference otherwise.
"""
import sys

import h5py
import numpy as np


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        return [str(x) for x in a.ravel()] == [str(x) for x in b.ravel()]
    return a.dtype == b.dtype and np.array_equal(a, b)


def main(merged_path, reference_path):
    problems = []
    elements = 0
    with h5py.File(merged_path, "r") as merged, h5py.File(reference_path, "r") as reference:
        names_m, names_r = [], []
        merged.visit(names_m.append)
        reference.visit(names_r.append)
        if sorted(names_m) != sorted(names_r):
            problems.append(f"objects differ: {sorted(names_m)} != {sorted(names_r)}")
        for name in ["/"] + sorted(names_r):
            expected = reference[name]
            actual = merged.get(name)
            if actual is None:
                continue
            if isinstance(expected, h5py.Dataset):
                if not isinstance(actual, h5py.Dataset):
                    problems.append(f"{name}: not a dataset")
                    continue
                a, e = actual[()], expected[()]
                if a.dtype != e.dtype or a.shape != e.shape:
                    problems.append(f"{name}: {a.dtype}{a.shape} != {e.dtype}{e.shape}")
                elif not same_value(a, e):
                    bad = np.flatnonzero(~((a == e) | ((a != a) & (e != e))).ravel())
                    problems.append(f"{name}: {bad.size} elements differ, first at {bad[0]}: {a.ravel()[bad[0]]} != "
                                    f"{e.ravel()[bad[0]]}")
                elements += e.size
            if sorted(actual.attrs.keys()) != sorted(expected.attrs.keys()):
                problems.append(f"{name}: attributes {sorted(actual.attrs.keys())} != {sorted(expected.attrs.keys())}")
                continue
            for key in expected.attrs.keys():
                if not same_value(actual.attrs[key], expected.attrs[key]):
                    problems.append(f"{name}: attribute {key}: {actual.attrs[key]!r} != {expected.attrs[key]!r}")
    for p in problems:
        print(p)
    if not problems:
        print(f"h5py: {len(names_r)} objects and {elements} elements equal")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
