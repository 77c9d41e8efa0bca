"""Helpers of the h5py parity tests (issue 18): the same calls run through h5py 3.7 on a plain file
and through h5mf, their outcomes (values, or exceptions) recorded and compared, and files compared
as h5py reads them."""

import numpy as np



def plain(value):
    """A value as nested Python lists and tuples (arrays as lists, structured elements as tuples,
    an Empty as its dtype), for comparing reads of h5py and h5mf."""
    if type(value).__name__ == 'Empty':
        return ('Empty', str(value.dtype), value.dtype.metadata)
    if isinstance(value, np.ndarray) and value.dtype.names is None and value.dtype.kind != 'O':
        return value.tolist()
    if isinstance(value, np.ndarray):
        return [plain(x) for x in value]
    if isinstance(value, (np.void, tuple)):
        return tuple(plain(x) for x in value)
    if isinstance(value, np.generic):
        return value.item()
    return value

class Recorder:
    """Runs labelled calls and keeps what each returned or raised."""

    def __init__(self):
        self.outcomes = []

    def __call__(self, label, call):
        try:
            self.outcomes.append((label, 'returned', call()))
        except Exception as e:  # pylint: disable=broad-except
            self.outcomes.append((label, 'raised', e))


def assert_same_value(mine, ref, label):
    """`mine` (h5mf's) is what h5py gave: the same Python or numpy type, dtype (with its h5py
    metadata), shape and values."""
    if isinstance(ref, type):
        assert isinstance(mine, type) and mine.__name__ == ref.__name__, (label, mine, ref)
    elif type(ref).__name__ == 'Empty':  # h5py's Empty, h5mf's: the same dtype, metadata too
        assert type(mine).__name__ == 'Empty', (label, mine, ref)
        assert mine == ref and (mine.dtype.metadata or None) == (ref.dtype.metadata or None), (label, mine, ref)
    elif isinstance(ref, np.ndarray):
        assert isinstance(mine, np.ndarray), (label, mine, ref)
        assert mine.dtype == ref.dtype and (mine.dtype.metadata or None) == (ref.dtype.metadata or None), \
            (label, mine.dtype, ref.dtype, mine.dtype.metadata, ref.dtype.metadata)
        assert mine.shape == ref.shape, (label, mine.shape, ref.shape)
        if ref.dtype.kind == 'O':
            assert mine.tolist() == ref.tolist(), (label, mine, ref)
        else:
            assert mine.tobytes() == ref.tobytes(), (label, mine, ref)
    elif isinstance(ref, (tuple, list)):
        assert type(mine) is type(ref) and len(mine) == len(ref), (label, mine, ref)
        for a, b in zip(mine, ref):
            assert_same_value(a, b, label)
    else:
        assert type(mine) is type(ref), (label, type(mine), type(ref), mine, ref)
        if isinstance(ref, np.generic):
            assert mine.dtype == ref.dtype, (label, mine.dtype, ref.dtype)
        assert mine == ref or (mine != mine and ref != ref), (label, mine, ref)


def assert_same_outcomes(mine, ref):
    """Every call returned what h5py's returned, or raised an exception of h5py's type (an
    instance of it: an `except` clause written for h5py catches it)."""
    assert [m[0] for m in mine] == [r[0] for r in ref]
    for (label, how, value), (_, ref_how, ref_value) in zip(mine, ref):
        if ref_how == 'raised':
            assert how == 'raised', (label, 'h5py raised', type(ref_value), ref_value, 'h5mf returned', value)
            assert isinstance(value, type(ref_value)), (label, type(value), value, 'h5py:', type(ref_value), ref_value)
        else:
            assert how == 'returned', (label, 'h5mf raised', type(value), value, 'h5py returned', ref_value)
            assert_same_value(value, ref_value, label)


def assert_same_returns(mine, ref):
    """Every call returned, both through h5mf and through h5py, and returned an equal value (==)."""
    assert [m[0] for m in mine] == [r[0] for r in ref]
    for (label, how, value), (_, ref_how, ref_value) in zip(mine, ref):
        assert how == ref_how == 'returned', (label, how, value, ref_how, ref_value)
        assert value == ref_value, (label, value, ref_value)

def describe_dataset(d):
    """What h5py's Dataset tells about itself, as comparable values."""
    # (h5py 3.7 crashes reading the fill value of an Empty dataset of variable-length strings)
    fill = None if d.shape is None and d.dtype.kind == 'O' else d.fillvalue
    return (d.shape, d.dtype, d.chunks, d.maxshape, d.compression, d.compression_opts, d.shuffle,
            d.fletcher32, d.scaleoffset, fill)


def assert_same_files(mine, ref):
    """Two open h5py files hold the same objects, layouts, values and attributes."""
    names, ref_names = [], []
    mine.visit(names.append)
    ref.visit(ref_names.append)
    assert names == ref_names
    for name in [''] + names:
        a, b = (mine[name], ref[name]) if name else (mine, ref)
        assert type(a).__name__ == type(b).__name__, name
        assert sorted(a.attrs) == sorted(b.attrs), name
        for key in b.attrs:
            assert_same_value(a.attrs[key], b.attrs[key], f'{name} attribute {key}')
        if type(b).__name__ == 'Dataset':
            assert_same_value(describe_dataset(a), describe_dataset(b), name)
            if b.dtype.kind != 'O' or b.shape is None:  # (an Empty dataset reads as an Empty)
                assert_same_value(a[()], b[()], name)
            else:
                assert a[()].tolist() == b[()].tolist(), name
