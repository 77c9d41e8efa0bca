"""numpy dtypes as h5mf stores them, and h5py's enum, string and vlen dtype helpers."""

from collections import namedtuple

import numpy as np

# h5py's default for create_dataset without dtype or data.
DEFAULT_DTYPE = np.dtype('f4')

# float16, long double and complex are stored as h5py stores them: an IEEE half float, HDF5's
# native long double (H5T_NATIVE_LDOUBLE: x87 80-bit extended precision in 16 bytes on x86-64), a
# compound of floats r, i (complex256: of two long doubles).
_LONG_DOUBLE = np.dtype(np.longdouble).itemsize
_SUPPORTED_SIZES = {'i': (1, 2, 4, 8), 'u': (1, 2, 4, 8), 'f': (2, 4, 8, _LONG_DOUBLE), 'c': (8, 16, 2 * _LONG_DOUBLE),
                    'b': (1,)}


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
    numbers (float16 and complex included), bool, 'S<n>', enums, and subarrays and structured dtypes
    of these."""
    if dtype.subdtype is not None:
        return is_supported(dtype.subdtype[0])
    if dtype.names is not None:
        return len(dtype.names) > 0 and all(is_supported(dtype.fields[n][0]) for n in dtype.names)
    if dtype.kind == 'S':
        return dtype.itemsize > 0
    if check_enum_dtype(dtype) is not None and dtype.kind not in 'iu':
        return False
    return dtype.itemsize in _SUPPORTED_SIZES.get(dtype.kind, ())


string_info = namedtuple('string_info', ['encoding', 'length'])


def string_dtype(encoding='utf-8', length=None):
    """h5py's string_dtype: variable-length strings (length None) as an object dtype whose metadata
    says the encoding ({'vlen': str} for UTF-8, {'vlen': bytes} for ASCII), fixed-length ones as
    'S<length>'."""
    if encoding not in ('utf-8', 'ascii'):
        raise ValueError(f"Invalid encoding ({encoding!r}); 'utf-8' or 'ascii' allowed")
    if length is None:
        return np.dtype('O', metadata={'vlen': str if encoding == 'utf-8' else bytes})
    if isinstance(length, int):
        return np.dtype('S' + str(length), metadata={'h5py_encoding': encoding})
    raise TypeError(f'length must be integer or None (got {length!r})')


def check_string_dtype(dt):
    """h5py's check_string_dtype: string_info(encoding, length) for a string dtype, else None."""
    vlen = (dt.metadata or {}).get('vlen')
    if vlen is str:
        return string_info('utf-8', None)
    if vlen is bytes:
        return string_info('ascii', None)
    if dt.kind == 'S':
        return string_info((dt.metadata or {}).get('h5py_encoding', 'ascii'), dt.itemsize)
    return None


def vlen_dtype(basetype):
    """h5py's vlen_dtype: variable-length sequences of `basetype`, as an object dtype whose
    metadata holds the base type."""
    return np.dtype('O', metadata={'vlen': basetype})


def check_vlen_dtype(dt):
    """h5py's check_vlen_dtype: the base type (str or bytes for strings) of a variable-length
    dtype, else None."""
    return (dt.metadata or {}).get('vlen')


def vlen_sequence_base(dtype):
    """The numpy base dtype of a variable-length sequence dtype, or None for any other dtype."""
    vlen = (dtype.metadata or {}).get('vlen') if dtype.kind == 'O' else None
    if vlen is None or vlen in (str, bytes):
        return None
    return np.dtype(vlen)


def is_vlen_string(dtype):
    """True for h5py's variable-length string dtypes (objects of str or bytes)."""
    return dtype.kind == 'O' and (dtype.metadata or {}).get('vlen') in (str, bytes)


def guess_string_dtype(data):
    """The string dtype h5py gives data that are str or bytes objects (one, or lists or object
    arrays of them, all of one kind): UTF-8 for str, ASCII for bytes; None otherwise."""
    if isinstance(data, np.ndarray) and data.dtype.kind != 'O':
        return None
    if isinstance(data, (str, bytes)):
        kinds = {type(data)}
    else:
        try:
            items = np.asarray(data, dtype=object).ravel()
        except (ValueError, TypeError):
            return None
        kinds = {bytes if isinstance(x, bytes) else str if isinstance(x, str) else None for x in items}
    if kinds == {str}:
        return string_dtype()
    if kinds == {bytes}:
        return string_dtype('ascii')
    return None


def check_dataset_dtype(dtype):
    """The dtype for a new dataset, or TypeError naming what is not supported yet."""
    if dtype is str:
        return string_dtype()  # h5py refuses dtype=str; h5mf takes it as string_dtype()
    dtype = np.dtype(dtype)
    if is_vlen_string(dtype):
        return dtype
    base = vlen_sequence_base(dtype)
    if base is not None:
        if not is_supported(base):
            raise TypeError(f'h5mf cannot create variable-length sequences of {base!r} yet')
        return dtype
    if has_vlen_member(dtype):
        return dtype  # the library checks the members (arrays of variable-length data are refused)
    if not is_supported(dtype):
        raise TypeError(
            f'h5mf cannot create datasets of dtype {dtype!r} yet: use bool, int8..int64, uint8..uint64, '
            "float16, float32, float64, longdouble, complex64, complex128, clongdouble, fixed-length bytes ('S<n>'), enums, subarrays and structured dtypes of these, "
            'variable-length strings (h5mf.string_dtype()) or sequences (h5mf.vlen_dtype())')
    return dtype


def has_vlen_member(dtype):
    """True for a structured dtype (or subarray of one) with a variable-length string or sequence
    anywhere among its fields."""
    if dtype.subdtype is not None:
        return dtype.subdtype[0].kind == 'O' or has_vlen_member(dtype.subdtype[0])
    if dtype.names is None:
        return False
    return any(dtype.fields[n][0].kind == 'O' or has_vlen_member(dtype.fields[n][0]) for n in dtype.names)


def fields_dtype(dtype, names):
    """The structured dtype of `dtype`'s fields `names` (packed, in that order): reading it makes HDF5
    convert just those members, by name."""
    if dtype.names is None:
        raise ValueError('Field names only allowed for compound types')
    missing = [n for n in names if n not in dtype.names]
    if missing:
        raise ValueError(f'Field {missing[0]!r} does not appear in this type.')
    return np.dtype([(n, dtype.fields[n][0]) for n in names])
