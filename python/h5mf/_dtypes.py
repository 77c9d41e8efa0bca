"""numpy dtypes as h5mf stores them, and h5py's enum dtype helpers."""

import numpy as np

# h5py's default for create_dataset without dtype or data.
DEFAULT_DTYPE = np.dtype('f4')

_SUPPORTED_SIZES = {'i': (1, 2, 4, 8), 'u': (1, 2, 4, 8), 'f': (4, 8), 'b': (1,)}


def enum_dtype(values_dict, basetype=np.uint8):
    """h5py's enum_dtype: an integer dtype carrying the enum's {name: value} mapping as metadata;
    stored as an HDF5 enum, read back as such (h5py.check_enum_dtype reads the mapping)."""
    dt = np.dtype(basetype)
    if dt.kind not in 'iu':
        raise TypeError('Only integer types can be used as enums')
    return np.dtype(dt, metadata={'enum': values_dict})


def check_enum_dtype(dt):
    """h5py's check_enum_dtype: the {name: value} mapping of an enum dtype, else None."""
    metadata = np.dtype(dt).metadata
    return None if metadata is None else metadata.get('enum', None)


def is_supported(dtype):
    """True when h5mf can transfer this dtype as it is (HDF5 converts it to the dataset's type):
    numbers, bool, 'S<n>', enums, and subarrays and structured dtypes of these."""
    if dtype.subdtype is not None:
        return is_supported(dtype.subdtype[0])
    if dtype.names is not None:
        return len(dtype.names) > 0 and all(is_supported(dtype.fields[n][0]) for n in dtype.names)
    if dtype.kind == 'S':
        return dtype.itemsize > 0
    if check_enum_dtype(dtype) is not None and dtype.kind not in 'iu':
        return False
    return dtype.itemsize in _SUPPORTED_SIZES.get(dtype.kind, ())


def check_dataset_dtype(dtype):
    """The dtype for a new dataset, or TypeError naming what is not supported yet."""
    dtype = np.dtype(dtype)
    if not is_supported(dtype):
        raise TypeError(
            f'h5mf cannot create datasets of dtype {dtype!r} yet: use bool, int8..int64, uint8..uint64, '
            "float32, float64, fixed-length bytes ('S<n>'), enums, and subarrays and structured dtypes of these")
    return dtype


def fields_dtype(dtype, names):
    """The structured dtype of `dtype`'s fields `names` (packed, in that order): reading it makes HDF5
    convert just those members, by name."""
    if dtype.names is None:
        raise ValueError('Field names only allowed for compound types')
    missing = [n for n in names if n not in dtype.names]
    if missing:
        raise ValueError(f'Field {missing[0]!r} does not appear in this type.')
    return np.dtype([(n, dtype.fields[n][0]) for n in names])
