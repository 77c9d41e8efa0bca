"""h5py's Empty: the value of a dataset or attribute with HDF5's null dataspace (no elements, no
shape, a type). Datasets and attributes of one are stored on every driver: the container records
the null dataspace (docs/format.md, CREATE_DATASET and SET_ATTRIBUTE flags)."""

import numpy as np


class Empty:
    """As h5py.Empty: `dtype`, equal to another Empty (h5mf's or h5py's) of the same dtype."""

    __slots__ = ('dtype',)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def __eq__(self, other):
        return type(other).__name__ == 'Empty' and getattr(other, 'dtype', None) == self.dtype

    def __hash__(self):
        return hash(('Empty', self.dtype))

    def __repr__(self):
        return f'Empty(dtype={self.dtype!r})'


def is_empty(value):
    """True for h5mf's and h5py's Empty (h5py need not be imported)."""
    return isinstance(value, Empty) or (type(value).__name__ == 'Empty' and
                                        type(value).__module__.startswith('h5py') and hasattr(value, 'dtype'))
