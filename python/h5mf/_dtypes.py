"""numpy dtypes as h5mf stores them."""

import numpy as np

# h5py's default for create_dataset without dtype or data.
DEFAULT_DTYPE = np.dtype('f4')

_SUPPORTED_SIZES = {'i': (1, 2, 4, 8), 'u': (1, 2, 4, 8), 'f': (4, 8)}


def is_supported(dtype):
    """True when h5mf can transfer this dtype as it is (HDF5 converts it to the dataset's type)."""
    if dtype.fields is not None:
        return False
    if dtype.kind == 'S':
        return dtype.itemsize > 0
    return dtype.itemsize in _SUPPORTED_SIZES.get(dtype.kind, ())


def check_dataset_dtype(dtype):
    """The dtype for a new dataset, or TypeError naming what is not supported yet."""
    dtype = np.dtype(dtype)
    if not is_supported(dtype):
        raise TypeError(
            f'h5mf cannot create datasets of dtype {dtype!r} yet: use int8..int64, uint8..uint64, '
            "float32, float64 or fixed-length bytes ('S<n>')")
    return dtype
