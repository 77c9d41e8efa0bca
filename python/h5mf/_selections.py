"""numpy-style indexing turned into h5mf selections.

Supported, as in h5py: integers (negative ones count from the end; each drops its axis from the
result, as in numpy), slices with positive steps, Ellipsis, ``()``, one list or array of increasing
integers on one axis (a point selection), and a boolean mask of the dataset's whole shape.
"""

import operator

import numpy as np

from . import _core


class Selected:
    """What an index selects: the C++ selection (None when it selects nothing), the shape of the
    array holding the selected elements, and their number."""

    __slots__ = ('selection', 'mshape', 'count')

    def __init__(self, selection, mshape):
        self.selection = selection
        self.mshape = tuple(mshape)
        self.count = int(np.prod(self.mshape, dtype=np.uint64))
        if self.count == 0:
            self.selection = None


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _index_list(value, axis, extent):
    """A list or 1-D array of indices on one axis: increasing integers, or a boolean mask."""
    index = np.asarray(value)
    if index.ndim != 1:
        raise TypeError(f'index arrays must be one-dimensional (axis {axis} got shape {index.shape})')
    if index.dtype == np.bool_:
        if index.shape[0] != extent:
            raise TypeError(f'Boolean indexing array has incompatible shape: length {index.shape[0]} for axis '
                            f'{axis} of length {extent}')
        return np.flatnonzero(index)
    if index.size == 0:
        return index.astype(np.int64)
    if index.dtype.kind not in 'iu':
        raise TypeError(f'index arrays must hold integers (axis {axis} got dtype {index.dtype})')
    index = index.astype(np.int64)
    index = np.where(index < 0, index + extent, index)
    if index.min() < 0 or index.max() >= extent:
        raise IndexError(f'index {value!r} out of range for axis {axis} of length {extent}')
    if np.any(np.diff(index) <= 0):
        raise TypeError('Indexing elements must be in increasing order')
    return index


def select(shape, key):
    """The selection `key` makes from a dataset of `shape`."""
    shape = tuple(shape)
    rank = len(shape)
    if not isinstance(key, tuple):
        key = (key,)

    if len(key) == 1 and isinstance(key[0], np.ndarray) and key[0].dtype == np.bool_ and key[0].ndim == rank \
            and rank > 1:
        mask = key[0]
        if mask.shape != shape:
            raise TypeError(f'Boolean indexing array has incompatible shape: {mask.shape} for a dataset of shape '
                            f'{shape}')
        points = np.argwhere(mask).astype(np.uint64)
        return Selected(_core.Selection.points(points), (len(points),))

    if rank == 0:
        if key in ((), (Ellipsis,)):
            return Selected(_core.Selection.all(), ())
        raise ValueError('Illegal slicing argument for scalar dataspace')

    ellipses = sum(1 for k in key if k is Ellipsis)
    if ellipses > 1:
        raise ValueError("Only one ellipsis may be used.")
    if ellipses:
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:at] + (slice(None),) * (rank - len(key) + 1) + key[at + 1:]
    if len(key) > rank:
        raise ValueError(f'{len(key)} indexing arguments for {rank} dimensions')
    key = key + (slice(None),) * (rank - len(key))

    start, count, stride, mshape = [], [], [], []
    fancy = {}  # axis -> increasing indices (one axis at most, as h5py)
    for axis, (k, extent) in enumerate(zip(key, shape)):
        if isinstance(k, slice):
            if k.step is not None and operator.index(k.step) < 1:
                raise ValueError(f'Step must be >= 1 (got {k.step})')
            first, stop, step = k.indices(extent)
            n = len(range(first, stop, step))
            start.append(first if n else 0)
            count.append(n)
            stride.append(step)
            mshape.append(n)
        elif _is_integer(k):
            i = operator.index(k)
            if i < 0:
                i += extent
            if not 0 <= i < extent:
                raise IndexError(f'Index ({operator.index(k)}) out of range for axis {axis} of length {extent}')
            start.append(i)
            count.append(1)
            stride.append(1)
        elif isinstance(k, (list, np.ndarray)):
            if fancy:
                raise TypeError('Only one indexing vector or array is currently allowed for fancy indexing')
            fancy[axis] = _index_list(k, axis, extent)
            start.append(0)
            count.append(len(fancy[axis]))
            stride.append(1)
            mshape.append(len(fancy[axis]))
        elif k is None:
            raise TypeError('numpy.newaxis (None) is not supported in dataset indexing')
        else:
            raise TypeError(f'illegal index {k!r} for axis {axis}: use integers, slices, Ellipsis or a list '
                            'of increasing integers')

    if not fancy:
        return Selected(_core.Selection.hyperslab(start, count, stride), mshape)
    if any(c == 0 for c in count):
        return Selected(None, mshape)
    # A point selection: the coordinates of every selected element, in the result's (row-major) order.
    axes = [fancy[axis] if axis in fancy else np.arange(start[axis], start[axis] + count[axis] * stride[axis],
                                                         stride[axis])
            for axis in range(rank)]
    grids = np.meshgrid(*axes, indexing='ij')
    points = np.stack([g.ravel() for g in grids], axis=1).astype(np.uint64)
    return Selected(_core.Selection.points(points), mshape)
