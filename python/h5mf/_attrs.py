"""Attributes: h5py's dict-like AttributeManager over h5mf._core.Attributes.

Values: numbers and numpy arrays of bool, int8..uint64, float32, float64, h5py enum dtypes and
structured dtypes (compounds, with subarray fields); str (stored as a variable-length UTF-8 string,
read back as str) and arrays or lists of str; bytes (stored as a fixed-length string, read back as
numpy.bytes_). create(name, data, dtype=('f4', (3,))) stores array elements. Setting and deleting
are collective.
"""

from collections.abc import MutableMapping

import numpy as np

from ._dtypes import is_supported


class AttributeManager(MutableMapping):

    def __init__(self, core):
        self._id = core

    def __getitem__(self, name):
        values, dims = self._id.get(name)
        if isinstance(values, list):  # variable-length strings
            array = np.empty(len(values), dtype=object)
            array[:] = values
            values = array
        values = values.reshape(tuple(dims) + values.shape[1:])  # (subarray elements add dimensions)
        return values[()] if values.ndim == 0 else values

    def __setitem__(self, name, value):
        """Creates or replaces attribute `name` (collective)."""
        if isinstance(value, str):
            self._id.set_strings(name, [value], [])
            return
        array = np.asarray(value)
        subarray = None
        if array.dtype.kind == 'U' or (array.dtype.kind == 'O' and array.size > 0
                                       and all(isinstance(v, str) for v in array.flat)):
            self._id.set_strings(name, [str(v) for v in array.flat], list(array.shape))
            return
        if not is_supported(array.dtype):
            raise TypeError(f'h5mf cannot store attribute {name!r} of dtype {array.dtype!r} yet: use numbers '
                            '(bool, int8..uint64, float32, float64), enums, structured dtypes, str or bytes')
        # (not np.ascontiguousarray: it turns scalars into 1-element arrays)
        self._id.set_array(name, array if array.flags.c_contiguous else array.copy(order='C'), subarray)

    def create(self, name, data, shape=None, dtype=None):
        """h5py's create: `data` converted to `dtype` and reshaped to `shape` first."""
        dtype = None if dtype is None else np.dtype(dtype)
        if dtype is not None and dtype.subdtype is not None:  # elements are arrays
            base, sub = dtype.subdtype
            array = np.asarray(data, dtype=base)
            if shape is not None:
                array = array.reshape(tuple(shape) + tuple(sub))
            self._id.set_array(name, np.ascontiguousarray(array), dtype)
            return
        array = np.asarray(data, dtype=dtype)
        if shape is not None:
            array = array.reshape(shape)
        self[name] = array if array.dtype.kind != 'U' else array.astype(object)

    def __delitem__(self, name):
        self._id.remove(name)

    def __contains__(self, name):
        return isinstance(name, str) and self._id.contains(name)

    def __iter__(self):
        return iter(self._id.names())

    def __len__(self):
        return len(self._id.names())

    def __repr__(self):
        return f'<h5mf attributes ({len(self)})>'
