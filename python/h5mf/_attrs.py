"""Attributes: h5py's dict-like AttributeManager over h5mf._core.Attributes.

Values as h5py 3 stores and reads them: numbers and numpy arrays of bool, int8..uint64, float32,
float64, h5py enum dtypes and structured dtypes (compounds, with subarray fields); str and bytes
(and lists or object arrays of them) as variable-length strings, UTF-8 and ASCII, read back as str
(arrays: object arrays whose dtype says the encoding); numpy bytes and 'S<n>' arrays as fixed-length
strings, read back as numpy.bytes_ and 'S<n>' arrays. create(name, data, dtype=('f4', (3,))) stores
array elements. Setting, modifying and deleting are collective.
"""

from collections.abc import MutableMapping

import numpy as np

from ._empty import Empty, is_empty
from ._references import refuse_references
from ._dtypes import (guess_string_dtype, has_vlen_member, is_supported, is_vlen_string, string_dtype,
                      vlen_sequence_base)
from ._datatype import Datatype
from ._object import check_writable, extent


def _name(name):
    if isinstance(name, bytes):
        name = name.decode('utf-8')
    if not isinstance(name, str):
        raise TypeError(f'attribute names are str, not {type(name).__name__}')
    return name


def _sequences(data, base):
    """`data` as an object array of sequences: an object array (or a list of array-likes) holds one
    per element; numbers (h5py refuses them) are sequences along their last axis."""
    if isinstance(data, np.ndarray) and data.dtype.kind == 'O':
        array = data
    else:
        try:
            array = np.asarray(data, dtype=object)
        except ValueError:  # nested lists of unequal lengths deeper down
            array = np.empty(len(data), dtype=object)
            array[:] = [np.asarray(x, dtype=base) for x in data]
    for x in array.flat:
        if isinstance(x, (str, bytes)):
            raise TypeError(f'cannot write {type(x).__name__} to a sequence of {base}')
    if array.size > 0 and not all(isinstance(x, (np.ndarray, list, tuple)) for x in array.flat):
        numbers = np.asarray(data, dtype=base)
        if numbers.ndim == 0:
            raise TypeError(f'a variable-length sequence of {base} needs a sequence, not {data!r}')
        array = np.empty(numbers.shape[:-1], dtype=object)
        for index in np.ndindex(*array.shape):
            array[index] = numbers[index]
    return array


class AttributeManager(MutableMapping):

    def __init__(self, core, file=None):
        self._id = core
        self._file = file  # the owner's file: for h5py's errors on a read-only file

    def __getitem__(self, name):
        values, dims, encoding = self._id.get(_name(name))
        if dims is None:  # HDF5's null dataspace: h5py's Empty
            return Empty(string_dtype(encoding) if encoding is not None else values.dtype)
        if encoding is not None:  # variable-length strings: str, as h5py 3 reads them
            if not dims:
                return values[0]
            array = np.empty(len(values), dtype=string_dtype(encoding))
            array[:] = values
            return array.reshape(tuple(dims))
        values = values.reshape(tuple(dims) + values.shape[1:])  # (subarray elements add dimensions)
        return values[()] if values.ndim == 0 else values

    def __setitem__(self, name, value):
        """Creates or replaces attribute `name` (collective)."""
        self.create(name, value)

    def _write_strings(self, name, array, encoding):
        """An array of str or bytes as variable-length strings of `encoding`."""
        def encoded(v):
            if isinstance(v, bytes):
                return v
            if isinstance(v, str):
                return v.encode('utf-8')
            raise TypeError(f"attribute {name!r}: can't store {type(v).__name__} {v!r} as a string")
        self._id.set_strings(name, [encoded(v) for v in array.flat], list(array.shape), encoding == 'ascii')

    def _write_elements(self, name, data, shape, dtype):
        """Variable-length sequences, or structured elements with variable-length fields."""
        base = vlen_sequence_base(dtype)
        if base is not None:
            if not is_supported(base):
                raise TypeError(f'h5mf cannot store variable-length sequences of {base!r} yet')
            array = _sequences(data, base)
        else:
            if dtype.subdtype is not None:
                raise TypeError(f'h5mf cannot store attribute {name!r} of dtype {dtype!r}: arrays of elements '
                                'with variable-length data')
            array = np.asarray(data, dtype=dtype)
        if shape is not None:
            shape = extent(shape, 'shape')
            if int(np.prod(shape)) != array.size:
                raise ValueError('Shape of new attribute conflicts with shape of data')
            array = array.reshape(shape)
        self._id.set_elements(name, np.ascontiguousarray(array.reshape(-1)), dtype, list(array.shape))

    def create(self, name, data=None, shape=None, dtype=None):
        """h5py's create: attribute `name` (replaced if it exists) from `data` converted to `dtype`
        and reshaped to `shape` (the same number of elements); a subarray `dtype` takes the last
        dimensions of the data. Without data, `shape` and `dtype` give an attribute of zeros."""
        name = _name(name)
        check_writable(self._file, f"set attribute {name!r}")
        named = None
        if isinstance(dtype, Datatype) and dtype._file is self._file and self._file:
            # h5py's dtype=f['t']: the attribute shares the named datatype
            named, dtype = self._file._id.named_type_id(dtype.name), dtype.dtype
        refuse_references(dtype, data)
        if is_empty(data):  # HDF5's null dataspace, of `dtype` when given (as h5py)
            if shape is not None:
                raise TypeError(f'Empty attributes have no shape (shape must be None, not {shape!r})')
            self._id.set_empty(name, np.dtype(dtype) if dtype is not None else data.dtype, named)
            return
        if data is None:
            if shape is None or dtype is None:
                raise TypeError('attrs.create without data needs a shape and a dtype')
            data = np.zeros(shape, dtype=np.dtype(dtype).base)
        given = None if dtype is None else (string_dtype() if dtype is str else np.dtype(dtype))
        if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind != 'O':
            guessed = None
        else:
            guessed = guess_string_dtype(data)  # str and bytes: variable-length, as h5py
        as_dtype = given if given is not None else guessed
        if as_dtype is not None and (vlen_sequence_base(as_dtype) is not None or has_vlen_member(as_dtype)):
            self._write_elements(name, data, shape, as_dtype)
            return
        if as_dtype is not None and as_dtype.subdtype is not None:
            array = np.asarray(data, dtype=as_dtype.base)
        elif as_dtype is not None and is_vlen_string(as_dtype):
            array = np.asarray(data, dtype=object)
        else:
            array = np.asarray(data, dtype=as_dtype)
        try:
            shape = array.shape if shape is None else extent(shape, 'shape')
        except TypeError as e:
            raise ValueError(str(e)) from None  # (as h5py, for attributes)
        if as_dtype is not None and as_dtype.subdtype is not None:
            sub = as_dtype.subdtype[1]
            if shape[len(shape) - len(sub):] != sub:
                raise ValueError(f'Array dtype shape {sub} is incompatible with data shape {shape}')
            self._id.set_array(name, np.ascontiguousarray(array.reshape(shape)), as_dtype)
            return
        if int(np.prod(shape)) != array.size:
            raise ValueError('Shape of new attribute conflicts with shape of data')
        array = array.reshape(shape)
        if array.dtype.kind == 'U':
            array = array.astype(object)
        if as_dtype is not None and is_vlen_string(as_dtype):
            self._write_strings(name, array, 'utf-8' if as_dtype.metadata['vlen'] is str else 'ascii')
            return
        if array.dtype.kind == 'O' and array.size > 0 and all(isinstance(v, str) for v in array.flat):
            self._write_strings(name, array, 'utf-8')
            return
        if has_vlen_member(array.dtype):
            self._write_elements(name, array, None, array.dtype)
            return
        if not is_supported(array.dtype):
            raise TypeError(f'h5mf cannot store attribute {name!r} of dtype {array.dtype!r} yet: use numbers '
                            '(bool, int8..uint64, float16..float64, longdouble, complex64..clongdouble), enums, structured '
                            'dtypes, str or bytes')
        # (not np.ascontiguousarray: it turns scalars into 1-element arrays)
        self._id.set_array(name, array if array.flags.c_contiguous else array.copy(order='C'), None,
                           named if array.dtype == dtype else None)

    def modify(self, name, value):
        """h5py's modify: changes the value of attribute `name`, keeping its type and shape (the
        value is converted to them; TypeError when its shape differs); creates it when missing."""
        name = _name(name)
        if name not in self:
            self[name] = value
            return
        check_writable(self._file, f"modify attribute {name!r}")
        values, dims, encoding = self._id.get(name)
        if dims is None:
            raise OSError("Empty attributes can't be modified")  # (h5py's)
        if is_empty(value):
            raise TypeError(f'cannot modify attribute {name!r} of shape {tuple(dims)} to an Empty')
        shape = tuple(dims)
        if encoding is None and (vlen_sequence_base(values.dtype) is not None or has_vlen_member(values.dtype)):
            array = (_sequences(value, vlen_sequence_base(values.dtype)) if values.dtype.kind == 'O'
                     else np.asarray(value, dtype=values.dtype))
            if array.shape != shape and not (array.size == 1 and int(np.prod(shape)) == 1):
                raise TypeError('Shape of data is incompatible with existing attribute')
            self._write_elements(name, array, shape, values.dtype)
            return
        if encoding is not None:  # variable-length strings stay so, in their encoding
            array = np.asarray(value, dtype=object)
        else:
            sub = values.shape[1:]  # a subarray type's element shape
            target = values.dtype if not sub else np.dtype((values.dtype, sub))
            array = np.asarray(value, dtype=None if isinstance(value, np.ndarray) else target.base)
            shape = shape + sub
        size = int(np.prod(shape))
        if array.shape != shape and not (array.size == 1 and size == 1):
            raise TypeError('Shape of data is incompatible with existing attribute')
        array = array.reshape(shape)
        if encoding is not None:
            self._write_strings(name, array, encoding)
            return
        array = array.astype(target.base)  # (astype copies, C-contiguous; 0-d stays 0-d)
        self._id.set_array(name, array, target if sub else None)

    def __delitem__(self, name):
        name = _name(name)
        check_writable(self._file, f"delete attribute {name!r}", KeyError)
        self._id.remove(name)

    def __contains__(self, name):
        if isinstance(name, bytes):
            name = name.decode('utf-8')
        return isinstance(name, str) and self._id.contains(name)

    def __iter__(self):
        return iter(self._id.names())

    def __len__(self):
        return len(self._id.names())

    def __repr__(self):
        return f'<h5mf attributes ({len(self)})>'
