"""h5py reads the same from an `h5mf view` as from the merged file.

    check_view.py VIEW MERGED

Walks both files: the same groups, attributes (names and values), and datasets (dtype, shape,
maxshape, fill value, every element, and a few partial reads); every dataset of the view is
virtual. Exits non-zero naming the first difference.
"""
import sys

import h5py
import numpy as np


def same_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    if a.dtype.names:  # compound: field by field, so that float fields compare NaN to NaN
        return all(same_values(a[n], b[n]) for n in a.dtype.names)
    return np.array_equal(a, b)


def fail(path, what):
    sys.exit(f"check_view: {path}: {what}")


def partial_reads(shape):
    """A few selections inside `shape`: first and last element, a middle slab, a strided slice."""
    if not shape or 0 in shape:
        return []
    first = tuple(0 for _ in shape)
    last = tuple(n - 1 for n in shape)
    middle = tuple(slice(n // 3, max(n // 3 + 1, 2 * n // 3)) for n in shape)
    strided = tuple(slice(None, None, 2) for _ in shape)
    return [first, last, middle, strided]


def check_disjoint(path, dataset):
    """No element is mapped twice: HDF5 1.10 fills unmapped elements only when the mapped ones are
    fewer than those read, so overlapping mappings would leave holes unfilled."""
    if not dataset.shape or dataset.size > 10**6:
        return 0
    cover = np.zeros(dataset.shape, dtype=np.int32)
    mappings = dataset.virtual_sources()
    for mapping in mappings:
        space = mapping.vspace
        kind = space.get_select_type()
        if kind == h5py.h5s.SEL_ALL:
            cover += 1
        elif kind == h5py.h5s.SEL_HYPERSLABS:
            for lo, hi in space.get_select_hyper_blocklist():
                cover[tuple(slice(int(a), int(b) + 1) for a, b in zip(lo, hi))] += 1
        else:
            fail(path, f"a mapping of selection type {kind}")
    if cover.size and cover.max() > 1:
        fail(path, f"{int((cover > 1).sum())} elements are mapped more than once")
    return len(mappings)


def compare_attrs(path, view, merged):
    if sorted(view.attrs.keys()) != sorted(merged.attrs.keys()):
        fail(path, f"attributes {sorted(view.attrs.keys())} != {sorted(merged.attrs.keys())}")
    for name in merged.attrs:
        v, m = view.attrs[name], merged.attrs[name]
        if isinstance(m, (str, bytes)) or isinstance(v, (str, bytes)):
            if v != m:
                fail(path, f"attribute {name!r}: {v!r} != {m!r}")
        elif not same_values(v, m):
            fail(path, f"attribute {name!r}: {v!r} != {m!r}")


def compare(path, view, merged, counts):
    compare_attrs(path, view, merged)
    if sorted(view.keys()) != sorted(merged.keys()):
        fail(path, f"members {sorted(view.keys())} != {sorted(merged.keys())}")
    for name in merged:
        child = f"{path.rstrip('/')}/{name}"
        v, m = view[name], merged[name]
        if isinstance(m, h5py.Group):
            if not isinstance(v, h5py.Group):
                fail(child, "a group in the merged file, not in the view")
            counts["groups"] += 1
            compare(child, v, m, counts)
            continue
        if not isinstance(v, h5py.Dataset):
            fail(child, "a dataset in the merged file, not in the view")
        compare_attrs(child, v, m)
        if not v.is_virtual:
            fail(child, "not a virtual dataset in the view")
        counts["mappings"] += check_disjoint(child, v)
        for what in ("dtype", "shape", "maxshape"):
            if getattr(v, what) != getattr(m, what):
                fail(child, f"{what} {getattr(v, what)} != {getattr(m, what)}")
        # (h5py finds no conversion for the fill value of an array type; the data compared here
        # and by h5dump show it in the unwritten elements)
        if m.dtype.subdtype is None and not same_values(np.array(v.fillvalue), np.array(m.fillvalue)):
            fail(child, f"fill value {v.fillvalue!r} != {m.fillvalue!r}")
        if not same_values(v[()], m[()]):
            fail(child, f"data differ:\nview   {v[()]!r}\nmerged {m[()]!r}")
        for selection in partial_reads(m.shape):
            if not same_values(v[selection], m[selection]):
                fail(child, f"data at {selection} differ: {v[selection]!r} != {m[selection]!r}")
        counts["datasets"] += 1


def main():
    view_path, merged_path = sys.argv[1:3]
    counts = {"groups": 0, "datasets": 0, "mappings": 0}
    with h5py.File(view_path, "r") as view, h5py.File(merged_path, "r") as merged:
        compare("/", view, merged, counts)
    print(f"h5py: {counts['groups']} groups and {counts['datasets']} datasets read the same from the view; "
          f"{counts['mappings']} mappings, none overlapping")


if __name__ == "__main__":
    main()
