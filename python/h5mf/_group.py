"""Groups: h5py's Group over h5mf._core.Group. Creating groups, datasets and attributes is
collective: every writer of an MPI job makes the same calls in the same order."""

import posixpath
from collections.abc import ItemsView, KeysView, MutableMapping, ValuesView

import numpy as np

from . import _core
from ._attrs import AttributeManager
from ._dataset import Dataset
from ._dtypes import DEFAULT_DTYPE, check_dataset_dtype, guess_string_dtype

# h5py's unsupported-for-now filter arguments: accepted by name, refused when used.
_FILTERS = ('compression', 'compression_opts', 'shuffle', 'fletcher32', 'scaleoffset')


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


class Group(MutableMapping):
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

    def __bool__(self):
        return bool(self._file)

    def __eq__(self, other):
        # The same object of the same open file (Mapping's default would compare every member).
        return isinstance(other, Group) and other._file is self._file and other.name == self.name

    def __hash__(self):
        return hash((id(self._file), self.name))

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
        """``group['x'] = array`` creates dataset 'x' from the array (h5py's shortcut)."""
        self.create_dataset(path, data=value)

    def __delitem__(self, path):
        raise NotImplementedError('h5mf does not delete groups or datasets yet')

    def visit(self, func):
        """Calls func(name) for every object below this group (names relative to it) until it
        returns something other than None, which is returned."""
        return self.visititems(lambda name, obj: func(name))

    def visititems(self, func):
        """Calls func(name, object) for every object below this group, depth first in name order,
        until it returns something other than None, which is returned."""
        def walk(group, prefix):
            for key in group:
                name = prefix + key
                obj = group[key]
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
        (contiguous unless maxshape needs chunks). Filters (compression...) are not supported yet."""
        filters = dict(zip(_FILTERS, (compression, compression_opts, shuffle, fletcher32, scaleoffset)))
        used = [k for k, v in filters.items() if v not in (None, False)]
        if used:
            raise NotImplementedError(
                f"h5mf does not support filters yet ({', '.join(used)}): create the dataset without "
                'compression; a merged file can be compressed afterwards with h5repack')
        name = self._path(name)
        if dtype is None and data is not None:
            dtype = guess_string_dtype(data)  # str or bytes objects: variable-length strings
        if data is not None and dtype is not None and check_dataset_dtype(dtype).kind == 'O':
            data = np.asarray(data, dtype=object)
        elif data is not None and not isinstance(data, np.ndarray):
            data = np.asarray(data, dtype=dtype)
        if dtype is None:
            dtype = data.dtype if data is not None else DEFAULT_DTYPE
        dtype = check_dataset_dtype(dtype)
        if shape is None:
            if data is None:
                raise TypeError('create_dataset needs a shape or data')
            shape = data.shape
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
        if data is not None and int(np.prod(shape)) != data.size:
            raise ValueError(f'Shape tuple is incompatible with data: shape {shape}, data shape {data.shape}')
        if maxshape is None:
            maxshape = shape
        elif isinstance(maxshape, (int, np.integer)):
            maxshape = (int(maxshape),)
        maxshape = tuple(_core.UNLIMITED if m is None else int(m) for m in maxshape)
        if chunks is True or (chunks is None and maxshape != shape):
            chunks = _guess_chunks(shape, maxshape, dtype.itemsize)
        elif chunks in (None, False):
            chunks = ()
        else:
            chunks = (int(chunks),) if isinstance(chunks, (int, np.integer)) else tuple(int(c) for c in chunks)
        if fillvalue is not None and dtype.kind == 'O':
            raise NotImplementedError(
                f'{name}: fill values of variable-length datasets are not supported; unwritten '
                "elements read as b'' (HDF5's NULL string) or empty sequences")
        fill = None if fillvalue is None else np.asarray(fillvalue, dtype=dtype).tobytes()
        dset = Dataset(self._id.create_dataset(name, dtype, list(shape), list(maxshape), list(chunks), fill),
                       self._file)
        if data is not None:
            dset[...] = data.reshape(shape)
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
