"""Groups: h5py's Group over h5mf._core.Group. Creating groups, datasets and attributes is
collective: every writer of an MPI job makes the same calls in the same order."""

import posixpath
from collections.abc import ItemsView, KeysView, MutableMapping, ValuesView

import numpy as np

from . import _core
from ._attrs import AttributeManager
from ._dataset import Dataset
from ._dtypes import DEFAULT_DTYPE, check_dataset_dtype, guess_string_dtype
from ._object import HLObject

# h5py's unsupported-for-now filter arguments: accepted by name, refused when used.
# HDF5's filter ids and flags (H5Zpublic.h).
FILTER_DEFLATE, FILTER_SHUFFLE, FILTER_FLETCHER32, FILTER_SZIP, FILTER_SCALEOFFSET = 1, 2, 3, 4, 6
FLAG_MANDATORY, FLAG_OPTIONAL = 0, 1
SZIP_ALLOW_K13, SZIP_EC, SZIP_NN = 1, 4, 32
SO_FLOAT_DSCALE, SO_INT = 0, 2
FILTER_LZF = 32000  # h5py's own filter, compiled into h5py, not into libhdf5


def _filter_pipeline(dtype, compression, compression_opts, shuffle, fletcher32, scaleoffset):
    """h5py's filter arguments as (id, flags, cd_values) in h5py's order: scaleoffset, shuffle,
    compression, fletcher32."""
    pipeline = []
    if isinstance(compression, (int, np.integer)) and not isinstance(compression, bool) and 0 <= compression <= 9:
        compression, compression_opts = 'gzip', int(compression)  # h5py: an int is a gzip level
    if compression is None and compression_opts is not None:
        raise TypeError('compression_opts given without compression')
    if scaleoffset is not None and scaleoffset is not False:
        if fletcher32:
            raise ValueError('fletcher32 cannot be used with potentially lossy scale/offset filter')
        if dtype.kind in 'iu':
            value = 0 if scaleoffset is True else int(scaleoffset)
            scale_type = SO_INT
        elif dtype.kind == 'f':
            if scaleoffset is True:
                raise ValueError('integer scaleoffset must be provided for floating point types')
            value, scale_type = int(scaleoffset), SO_FLOAT_DSCALE
        else:
            raise TypeError(f'scale/offset filter only supported for integer and floating-point types, not {dtype}')
        if value < 0:
            raise ValueError('scale factor must be >= 0')
        pipeline.append((FILTER_SCALEOFFSET, FLAG_OPTIONAL, [scale_type, value]))
    if shuffle:
        pipeline.append((FILTER_SHUFFLE, FLAG_OPTIONAL, []))
    if compression == 'gzip':
        level = 4 if compression_opts is None else compression_opts
        if not isinstance(level, (int, np.integer)) or not 0 <= level <= 9:
            raise ValueError(f'GZIP setting must be an integer from 0-9, not {level!r}')
        pipeline.append((FILTER_DEFLATE, FLAG_OPTIONAL, [int(level)]))
    elif compression == 'lzf' or compression == FILTER_LZF:
        raise ValueError("compression='lzf' is h5py's own filter, which libhdf5 (and so h5mf and h5repack) "
                         "does not have: use compression='gzip'")
    elif compression == 'szip':
        coding, pixels = ('nn', 8) if compression_opts is None else compression_opts
        if coding not in ('nn', 'ec'):
            raise ValueError(f"SZIP coding must be 'nn' or 'ec', not {coding!r}")
        if not 0 < pixels <= 32 or pixels % 2:
            raise ValueError(f'SZIP pixels per block must be even and at most 32, not {pixels}')
        mask = (SZIP_NN if coding == 'nn' else SZIP_EC) | SZIP_ALLOW_K13
        pipeline.append((FILTER_SZIP, FLAG_OPTIONAL, [mask, int(pixels)]))
    elif isinstance(compression, (int, np.integer)) and not isinstance(compression, bool):
        # A filter registered with libhdf5, by id; compression_opts are its cd_values.
        opts = () if compression_opts is None else compression_opts
        pipeline.append((int(compression), FLAG_OPTIONAL, [int(v) for v in opts]))
    elif compression is not None:
        raise ValueError(f'Compression filter "{compression}" is unavailable')
    if fletcher32:
        pipeline.append((FILTER_FLETCHER32, FLAG_MANDATORY, []))
    return pipeline


def _guess_chunks(shape, maxshape, itemsize):
    """chunks=True, or a resizable dataset without chunks: about 64 KiB or less, filled from the
    last dimension. A dimension that may grow counts with its maximum (or as much as fits, when
    unlimited), not with its current length, so that appending to an empty dataset does not get
    one-element chunks."""
    chunks = []
    budget = max(64 * 1024 // itemsize, 1)
    for n, m in zip(reversed(shape), reversed(maxshape)):
        want = n if m == n else (budget if m == _core.UNLIMITED else m)
        c = max(1, min(want, budget))
        chunks.append(c)
        budget = max(budget // c, 1)
    return tuple(reversed(chunks))


class Group(HLObject, MutableMapping):
    """A folder of groups and datasets, with dict-like access by (nested) path."""

    def __init__(self, core, file):
        self._id = core
        self._file = file

    # -- description ------------------------------------------------------------------------
    @property
    def name(self):
        return self._id.name

    @property
    def file(self):
        return self._file

    @property
    def parent(self):
        return self._file[posixpath.dirname(self.name)]

    @property
    def attrs(self):
        return AttributeManager(self._id.attrs())

    def __repr__(self):
        if not self._file:
            return '<Closed h5mf group>'
        return f'<h5mf group "{self.name}" ({len(self)} members)>'

    # -- mapping ------------------------------------------------------------------------------
    def _wrap(self, path):
        if self._id.type_of(path) == 'group':
            return Group(self._id.group(path), self._file)
        return Dataset(self._id.dataset(path), self._file)

    def __getitem__(self, path):
        return self._wrap(self._path(path))

    def get(self, path, default=None):
        path = self._path(path)
        return self._wrap(path) if path in self else default

    def __contains__(self, path):
        return isinstance(path, str) and self._id.contains(path)

    def __iter__(self):
        return iter(self._id.keys())

    def __len__(self):
        return len(self._id.keys())

    def keys(self):
        return KeysView(self)

    def values(self):
        return ValuesView(self)

    def items(self):
        return ItemsView(self)

    def __setitem__(self, path, value):
        """``group['x'] = array`` creates dataset 'x' from the array (h5py's shortcut);
        ``group['x'] = group['y']`` (a group or dataset of this file) makes 'x' a hard link, one more
        name of the same object, as in h5py (collective)."""
        path = self._path(path)
        if isinstance(value, Group):
            self._id.link_group(path, value._id)
        elif isinstance(value, Dataset):
            self._id.link_dataset(path, value._id)
        else:
            self.create_dataset(path, data=value)

    def __delitem__(self, path):
        raise NotImplementedError('h5mf does not delete groups or datasets yet')

    def visit(self, func):
        """Calls func(name) for every object below this group (names relative to it) until it
        returns something other than None, which is returned."""
        return self.visititems(lambda name, obj: func(name))

    def visititems(self, func):
        """Calls func(name, object) for every object below this group, depth first in name order,
        until it returns something other than None, which is returned. As h5py, an object with
        several names (hard links) is visited once, at the first of them."""
        seen = {self._object_key()}

        def walk(group, prefix):
            for key in group:
                name = prefix + key
                obj = group[key]
                if obj._object_key() in seen:
                    continue
                seen.add(obj._object_key())
                result = func(name, obj)
                if result is not None:
                    return result
                if isinstance(obj, Group):
                    result = walk(obj, name + '/')
                    if result is not None:
                        return result
            return None
        return walk(self, '')

    # -- creation (collective) ----------------------------------------------------------------
    def create_group(self, name):
        return Group(self._id.create_group(self._path(name)), self._file)

    def require_group(self, name):
        return Group(self._id.require_group(self._path(name)), self._file)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None, maxshape=None,
                       fillvalue=None, compression=None, compression_opts=None, shuffle=None,
                       fletcher32=None, scaleoffset=None):
        """h5py's create_dataset. `shape` and `dtype` default to `data`'s (float32 without data);
        `maxshape` uses None for unlimited dimensions; `chunks` is a shape, True (chosen) or None
        (contiguous unless maxshape or filters need chunks). Filters as h5py: compression='gzip'
        (or a level 0-9) or 'szip' with compression_opts, shuffle, fletcher32, scaleoffset; chunks
        are then chosen by h5py's rule when not given. 'lzf' (h5py's own filter) is refused."""
        name = self._path(name)
        if dtype is None and data is not None:
            dtype = guess_string_dtype(data)  # str or bytes objects: variable-length strings
        # A subarray dtype ('f4', (3,)): elements are arrays, the data's last dimensions.
        sub = () if dtype is None else np.dtype(dtype).shape
        if data is not None and dtype is not None and check_dataset_dtype(dtype).kind == 'O':
            data = np.asarray(data, dtype=object)
        elif data is not None and (sub or not isinstance(data, np.ndarray)):
            data = np.asarray(data, dtype=np.dtype(dtype).base if sub else dtype)
        if dtype is None:
            dtype = data.dtype if data is not None else DEFAULT_DTYPE
        dtype = check_dataset_dtype(dtype)
        if shape is None:
            if data is None:
                raise TypeError('create_dataset needs a shape or data')
            shape = data.shape[:data.ndim - len(sub)]
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
        if data is not None and int(np.prod(shape + sub)) != data.size:
            raise ValueError(f'Shape tuple is incompatible with data: shape {shape}, data shape {data.shape}')
        if maxshape is None:
            maxshape = shape
        elif isinstance(maxshape, (int, np.integer)):
            maxshape = (int(maxshape),)
        maxshape = tuple(_core.UNLIMITED if m is None else int(m) for m in maxshape)
        filters = _filter_pipeline(dtype, compression, compression_opts, shuffle, fletcher32, scaleoffset)
        if filters and chunks is False:
            raise ValueError('Chunked format required for given storage options')
        if filters and chunks in (None, True):
            chunks = ()  # h5mf picks them as h5py's guess_chunk does
        elif chunks is True or (chunks is None and maxshape != shape):
            chunks = _guess_chunks(shape, maxshape, dtype.itemsize)
        elif chunks in (None, False):
            chunks = ()
        else:
            chunks = (int(chunks),) if isinstance(chunks, (int, np.integer)) else tuple(int(c) for c in chunks)
        if fillvalue is not None and dtype.kind == 'O':
            raise NotImplementedError(
                f'{name}: fill values of variable-length datasets are not supported; unwritten '
                "elements read as b'' (HDF5's NULL string) or empty sequences")
        if fillvalue is None:
            fill = None
        elif sub:
            fill = np.ascontiguousarray(np.broadcast_to(np.asarray(fillvalue, dtype=dtype.base), sub)).tobytes()
        else:
            fill = np.asarray(fillvalue, dtype=dtype).tobytes()
        dset = Dataset(self._id.create_dataset(name, dtype, list(shape), list(maxshape), list(chunks), fill,
                                               filters), self._file)
        if data is not None:
            dset[...] = data.reshape(shape + sub)
        return dset

    def require_dataset(self, name, shape, dtype, exact=False, **kwds):
        """Opens dataset `name` if it exists with this shape and a compatible dtype (the same one
        when `exact`), else creates it (collective then)."""
        name = self._path(name)
        if name not in self:
            return self.create_dataset(name, shape=shape, dtype=dtype, **kwds)
        existing = self[name]
        if not isinstance(existing, Dataset):
            raise TypeError(f"Incompatible object ({type(existing).__name__}) already exists: '{name}'")
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
        if shape != existing.shape:
            raise TypeError(f'Shapes do not match (existing {existing.shape} vs new {shape})')
        dtype = np.dtype(dtype)
        if exact and dtype != existing.dtype:
            raise TypeError(f'Datatypes do not exactly match (existing {existing.dtype} vs new {dtype})')
        if not np.can_cast(dtype, existing.dtype):
            raise TypeError(f'Datatypes cannot be safely cast (existing {existing.dtype} vs new {dtype})')
        return existing

    @staticmethod
    def _path(name):
        if isinstance(name, bytes):
            name = name.decode('utf-8')
        if not isinstance(name, str):
            raise TypeError(f'object names are str, not {type(name).__name__}')
        return name
