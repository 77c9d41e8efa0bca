"""Object and region references (h5py's ref_dtype, regionref_dtype, `obj.ref`, `dset.regionref`):
not supported. A reference is an object's address in the merged file, which a container does not
have until `h5mf.merge` lays the file out, so every path that would make one refuses it with
NotImplementedError instead of storing something else (a dtype's object slots as raw bytes)."""

import numpy as np


class Reference:
    """Stands for h5py.Reference in h5mf.ref_dtype's metadata; no value of it is ever made."""


class RegionReference:
    """Stands for h5py.RegionReference in h5mf.regionref_dtype's metadata."""


# As h5py's: object dtypes whose metadata names the reference class.
ref_dtype = np.dtype('O', metadata={'ref': Reference})
regionref_dtype = np.dtype('O', metadata={'ref': RegionReference})

_WHY = ('h5mf does not support HDF5 {what} yet: a reference is an object address in the merged file, '
        'which a container does not have before h5mf.merge')


def unsupported(what):
    """The NotImplementedError for `what` ('object references (dset.ref)', ...)."""
    return NotImplementedError(_WHY.format(what=what))


def _kind(metadata):
    ref = (metadata or {}).get('ref')
    if ref is None:
        return None
    return 'region references (h5py.regionref_dtype)' if 'Region' in getattr(ref, '__name__', '') \
        else 'object references (h5py.ref_dtype)'


def reference_kind(dtype):
    """What kind of reference `dtype` holds, anywhere in it (a field, a subarray), or None."""
    if dtype is None or dtype is str:
        return None
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return None
    found = _kind(dtype.metadata)
    if found is None and dtype.subdtype is not None:
        found = reference_kind(dtype.subdtype[0])
    for name in dtype.names or ():
        found = found or reference_kind(dtype.fields[name][0])
    return found


def is_reference_value(value):
    """True for h5py's Reference and RegionReference objects (h5py need not be imported)."""
    cls = type(value)
    return cls.__name__ in ('Reference', 'RegionReference') and cls.__module__.startswith(('h5py', 'h5mf'))


def refuse_references(dtype=None, data=None):
    """Raises NotImplementedError when `dtype` or `data` (its dtype, or references in an object
    array or as one value) holds references."""
    kind = reference_kind(dtype) or reference_kind(getattr(data, 'dtype', None))
    if kind is None and data is not None:
        if is_reference_value(data):
            kind = 'object references' if type(data).__name__ == 'Reference' else 'region references'
        elif isinstance(data, (list, tuple, np.ndarray)):
            try:
                items = np.asarray(data, dtype=object).ravel()
            except (ValueError, TypeError):
                items = ()
            if any(is_reference_value(v) for v in items):
                kind = 'object or region references'
    if kind is not None:
        raise unsupported(kind)
