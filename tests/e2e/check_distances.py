"""Seed 001's result, checked with h5py: every distance is the length of its coordinate pair.

    /usr/bin/python3 check_distances.py MERGED COORDS
"""
import sys

import h5py
import numpy as np

merged_path, coords_path = sys.argv[1], sys.argv[2]
with h5py.File(coords_path, "r") as f:
    coords = f["coords"][()]
with h5py.File(merged_path, "r") as f:
    assert sorted(f.keys()) == ["coords", "distances"], sorted(f.keys())
    distances = f["distances"]
    assert distances.shape == (1000,) and distances.dtype == np.float32, (distances.shape, distances.dtype)
    d = distances[()]
    # The ranks' copies of their coordinate rows add up to the whole input, bit for bit.
    assert np.array_equal(f["coords"][()], coords), "coords in the merged file differ from coords.hdf5"
assert coords.shape == (1000, 2) and np.all((coords >= 0) & (coords < 1)), "coords.hdf5 is not seed 004's input"
expected = np.sqrt(np.sum(coords**2, axis=1))
bad = np.flatnonzero(~np.isclose(d, expected, rtol=1e-6, atol=0))
assert bad.size == 0, f"{bad.size} distances differ, first at {bad[0]}: {d[bad[0]]} != {expected[bad[0]]}"
print(f"distances == sqrt(sum(coords**2, axis=1)) for all {d.size} points (sum {d.sum():.6f})")
