"""Datasets: h5py's Dataset over h5mf._core.Dataset."""

import itertools

import numpy as np

from . import _core
from ._dims import DimensionManager, _text
from ._empty import Empty
from ._dtypes import (check_enum_dtype, check_string_dtype, fields_dtype, has_vlen_member, is_supported, is_vlen_string,
                      vlen_sequence_base)
from ._filters import FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SCALEOFFSET, FILTER_SHUFFLE, FILTER_SZIP, SZIP_EC
from ._object import HLObject, MaxshapeError, check_writable, extent
from ._selections import select


def _maxshape(extents):
    return tuple(None if m == _core.UNLIMITED else m for m in extents)


def _numpy_converts(source, target):
    """Arrays h5mf lets numpy convert on write: bools and other floats to numbers, str to bytes."""
    if target.kind == 'S':
        return source.kind in 'SU'
    if target.names is not None or target.subdtype is not None:
        return False
    return source.kind in 'biuf'


def _objects(values, shape):
    """An object array of `shape` holding `values` (a flat list), as h5py returns strings."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


class AstypeWrapper:
    """h5py's ``dset.astype(dtype)``: reads of the dataset converted to `dtype` (HDF5 converts)."""

    def __init__(self, dset, dtype):
        self._dset = dset
        self._dtype = np.dtype(dtype)

    def __getitem__(self, key):
        return self._dset._read(key, out_dtype=self._dtype)

    def __len__(self):
        return len(self._dset)

    def __array__(self, dtype=None):
        out = self._dset._read((), out_dtype=self._dtype)
        out = np.asarray(out)
        return out if dtype is None else out.astype(dtype)


class AsStrWrapper:
    """h5py's ``dset.asstr()``: reads of a string dataset decoded to str (object arrays)."""

    def __init__(self, dset, encoding=None, errors='strict'):
        self._dset = dset
        self._encoding = encoding if encoding is not None else check_string_dtype(dset.dtype).encoding
        self._errors = errors

    def __getitem__(self, key):
        data = self._dset[key]
        if isinstance(data, bytes):
            return data.decode(self._encoding, self._errors)
        return _objects([b.decode(self._encoding, self._errors) for b in data.ravel()], data.shape)

    def __len__(self):
        return len(self._dset)

    def __array__(self, dtype=None):
        out = self[()]
        if not isinstance(out, np.ndarray):
            out = _objects([out], ())
        return out if dtype is None else out.astype(dtype)


def _zero_members(dtype):
    """The default fill value of a compound with variable-length members as h5py reads it: zeros,
    and None for each string or sequence."""
    if dtype.names is None:
        return None if dtype.kind == 'O' else np.zeros((), dtype)[()]
    return tuple(_zero_members(dtype.fields[n][0]) for n in dtype.names)


def _keeps_0d(shape, key):
    """h5py: ``d[...]`` of a scalar dataset is a 0-d array, ``d[()]`` a numpy scalar (any other
    dataset's single element is a scalar, ``...`` or not)."""
    return shape == () and (key is Ellipsis or (isinstance(key, tuple) and any(k is Ellipsis for k in key)))


def _split_fields(key):
    """h5py's dset['x', 0:5]: (field names, the rest of the key)."""
    items = key if isinstance(key, tuple) else (key,)
    names = [k for k in items if isinstance(k, str)]
    if not names:
        return [], key
    rest = tuple(k for k in items if not isinstance(k, str))
    return names, rest[0] if len(rest) == 1 else rest


class _FieldsReader:
    """h5py's dset.fields(names)[key]: only those members are read."""

    def __init__(self, dataset, names):
        self._dataset = dataset
        self._names = [names] if isinstance(names, str) else list(names)
        self._single = isinstance(names, str)

    def __getitem__(self, key):
        return self._dataset._read(key, self._names, self._single)


class _Collective:
    """``with dset.collective: dset[...] = x`` makes the transfers inside collective (mpio)."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __enter__(self):
        self._dataset._id.set_collective(True)
        return self

    def __exit__(self, *exc):
        self._dataset._id.set_collective(False)


class Dataset(HLObject):
    """An n-dimensional array in a file. Reads and writes are independent (any writer, any time);
    resize is collective."""

    def __init__(self, core, file):
        self._id = core
        self._file = file
        self._numpy_dtype = None  # fixed for the dataset's life; looked up when first needed
        self._null_space = None   # likewise: HDF5's null dataspace (h5py's Empty)

    @property
    def _dtype(self):
        # Lazily, so that a dataset of a type numpy has no match for in h5mf yet (compound, enum...
        # in a file from elsewhere) still opens and describes itself; only transfers fail.
        if self._numpy_dtype is None:
            self._numpy_dtype = self._id.dtype()
        return self._numpy_dtype

    @property
    def _null(self):
        if self._null_space is None:
            self._null_space = self._id.is_null()
        return self._null_space

    # -- description ------------------------------------------------------------------------
    @property
    def shape(self):
        """The shape; None for a dataset with a null dataspace (h5py's Empty)."""
        return None if self._null else tuple(self._id.shape())

    @property
    def dtype(self):
        return self._dtype

    @property
    def type_committed(self):
        """Whether it was made with a named datatype (``dtype=f['t']``) whose type it shares: h5py's
        ``dset.id.get_type().committed()``."""
        return self._id.type_committed

    @property
    def ndim(self):
        return len(self._id.shape())

    @property
    def size(self):
        if self._null:
            return None  # (as h5py's Empty dataset)
        return np.prod(self.shape, dtype=np.intp)  # a numpy integer, as h5py's

    @property
    def nbytes(self):
        return 0 if self._null else self.size * self._dtype.itemsize

    @property
    def maxshape(self):
        """None for unlimited dimensions, as in h5py (None for an Empty dataset)."""
        return None if self._null else _maxshape(self._id.maxshape())

    @property
    def chunks(self):
        """The chunk shape, or None for a contiguous dataset."""
        chunks = self._id.chunks()
        return tuple(chunks) if chunks else None

    def _filter(self, filter_id):
        for fid, _, values in self._id.filters():
            if fid == filter_id:
                return list(values)
        return None

    @property
    def compression(self):
        """'gzip', 'szip', or None, as h5py."""
        if self._filter(FILTER_DEFLATE) is not None:
            return 'gzip'
        if self._filter(FILTER_SZIP) is not None:
            return 'szip'
        return None

    @property
    def compression_opts(self):
        """The gzip level, or szip's (coding, pixels per block), as h5py."""
        gzip = self._filter(FILTER_DEFLATE)
        if gzip is not None:
            return gzip[0] if gzip else None
        szip = self._filter(FILTER_SZIP)
        if szip is not None and len(szip) >= 2:
            return ('ec' if szip[0] & SZIP_EC else 'nn', szip[1])
        return None

    @property
    def shuffle(self):
        return self._filter(FILTER_SHUFFLE) is not None

    @property
    def fletcher32(self):
        return self._filter(FILTER_FLETCHER32) is not None

    @property
    def scaleoffset(self):
        """The scale factor of the scale/offset filter, or None, as h5py."""
        values = self._filter(FILTER_SCALEOFFSET)
        return values[1] if values is not None and len(values) > 1 else None

    @property
    def fillvalue(self):
        if self._vlen:  # (HDF5's default, the NULL string, as h5py reads it: b'')
            fill = self._id.fill_string()
            return b'' if fill is None else fill
        if self._sequence is not None:
            return np.frombuffer(self._id.fill_sequence(self._sequence), dtype=self._sequence).copy()
        if self._members:  # given, else HDF5's default: zeros, None for each member
            fill = self._id.fill_compound(self._dtype)
            return np.array(_zero_members(self._dtype), dtype=self._dtype)[()] if fill is None else fill
        return np.frombuffer(self._id.fill_value(), dtype=self._dtype)[0]

    @property
    def _default_vlen_fill(self):
        """A variable-length dataset with HDF5's default fill value (none given; for sequences, an
        empty one given reads alike)."""
        if self._vlen:
            return self._id.fill_string() is None
        return self._sequence is not None and len(self.fillvalue) == 0

    @property
    def collective(self):
        return _Collective(self)

    @property
    def regionref(self):
        """h5py's region references: not supported (NotImplementedError, python/README.md)."""
        from ._references import unsupported
        raise unsupported('region references (dset.regionref)')

    def __len__(self):
        return self.len()

    def len(self):
        if self._null:
            raise TypeError("object of type 'NoneType' has no len()")  # (h5py's, for an Empty dataset)
        shape = self.shape
        if not shape:
            raise TypeError('Attempt to take len() of scalar dataset')
        return shape[0]

    def __repr__(self):
        if not self._file:
            return '<Closed h5mf dataset>'
        return f'<h5mf dataset "{self.name}": shape {self.shape}, type "{self._dtype.str}">'

    def resize(self, size, axis=None):
        """h5py's resize: a new shape, or the new length of one axis. Only chunked datasets can be
        resized, within maxshape. Collective."""
        if self.chunks is None:
            raise TypeError('Only chunked datasets can be resized')
        check_writable(self._file, f"resize dataset '{self.name}'", RuntimeError)
        if axis is None:
            shape = extent(size, 'size')
            if len(shape) != self.ndim:
                raise TypeError(f'New shape length ({len(shape)}) must match dataset rank ({self.ndim})')
        else:
            if not 0 <= axis < self.ndim:
                raise ValueError(f'Invalid axis ({axis}; 0 to {self.ndim - 1} allowed)')
            if np.iterable(size):
                raise TypeError('resize with an axis takes one integer size')
            shape = list(self.shape)
            shape[axis] = extent(size, 'size')[0]
        for d, (n, m) in enumerate(zip(shape, self.maxshape)):
            if m is not None and n > m:
                raise MaxshapeError(f"resize of dataset '{self.name}' to {list(shape)}: dimension {d} exceeds "
                                    f'maxshape {list(self.maxshape)}')
        self._id.resize(list(shape))

    @property
    def dims(self):
        """h5py's DimensionManager: ``dset.dims[i].label``, ``.attach_scale(scale)``, ``[j]``..."""
        return DimensionManager(self)

    def make_scale(self, name=''):
        """Makes this dataset an HDF5 dimension scale named `name` (collective), which can then be
        attached to dimensions of other datasets: ``other.dims[0].attach_scale(dset)``."""
        name = _text(name)
        check_writable(self._file, f"make '{self.name}' a dimension scale", RuntimeError)
        self._id.make_scale(name)

    @property
    def is_scale(self):
        """Whether this dataset is a dimension scale."""
        return self._id.is_scale()

    def astype(self, dtype):
        """h5py's astype: a wrapper whose reads (``d.astype('f8')[0:5]``, ``numpy.array(...)``)
        give the data converted to `dtype` by HDF5."""
        return AstypeWrapper(self, dtype)

    def iter_chunks(self, sel=None):
        """h5py's iter_chunks: for each chunk the selection `sel` (slices, one per dimension;
        None: the whole dataset) meets, the tuple of slices (step 1) selecting that part of it."""
        chunks = self.chunks
        if chunks is None:
            raise TypeError('Chunked dataset required')
        shape = self.shape
        if sel is None:
            sel = tuple(slice(0, n) for n in shape)
        elif not isinstance(sel, tuple):
            sel = (sel,)
        if len(sel) != len(shape):
            raise ValueError('Invalid selection - selection region must have same rank as dataset')
        bounds = []
        for s, n in zip(sel, shape):
            if not isinstance(s, slice):
                raise TypeError(f'iter_chunks takes slices, not {type(s).__name__}')
            start, stop = 0 if s.start is None else s.start, n if s.stop is None else s.stop
            if not 0 <= start < stop <= n:  # (h5py also ignores a step)
                raise ValueError('Invalid selection - selection region must be within dataset space')
            bounds.append((start, stop))

        def ranges(start, stop, chunk):
            while start < stop:
                end = min(stop, (start // chunk + 1) * chunk)
                yield slice(start, end, 1)
                start = end
        return itertools.product(*(list(ranges(a, b, c)) for (a, b), c in zip(bounds, chunks)))

    @property
    def _vlen(self):
        return is_vlen_string(self._dtype)

    @property
    def _sequence(self):
        """The base dtype of a variable-length sequence dataset, else None."""
        return vlen_sequence_base(self._dtype)

    @property
    def _members(self):
        """True for compounds with variable-length members (h5py's object fields)."""
        return has_vlen_member(self._dtype)

    def asstr(self, encoding=None, errors='strict'):
        """h5py's asstr(): a wrapper whose reads return str, decoded with the dataset's encoding
        (or `encoding`)."""
        if check_string_dtype(self._dtype) is None:
            raise TypeError('dset.asstr() can only be used on datasets with an HDF5 string datatype')
        return AsStrWrapper(self, encoding, errors)

    # -- data ---------------------------------------------------------------------------------
    def __getitem__(self, key):
        if self._null:
            return self._read(key)
        names, key = _split_fields(key)
        return self._read(key, names, len(names) == 1)

    def _null_key(self, key):
        """Whether `key` selects the whole of an Empty dataset: () and ..., as h5py."""
        return (isinstance(key, tuple) and len(key) == 0) or key is Ellipsis

    def fields(self, names):
        """h5py's fields: ``dset.fields(['x', 'id'])[0:10]`` reads only those members."""
        fields_dtype(self._dtype, [names] if isinstance(names, str) else names)  # checks them now
        return _FieldsReader(self, names)

    def _read(self, key, names=(), single=False, out_dtype=None):
        if self._null:  # h5py: d[()] and d[...] are the Empty, any other selection is refused
            if not self._null_key(key):
                raise ValueError('Empty datasets cannot be sliced')
            return Empty(self._dtype)
        dtype = fields_dtype(self._dtype, names) if names else self._dtype
        if out_dtype is not None:
            if self._vlen or self._sequence is not None or self._members or not is_supported(out_dtype):
                raise TypeError(f'cannot read dataset {self.name!r} of dtype {self._dtype} as {out_dtype}')
            dtype = out_dtype
        selected = select(self.shape, key)
        if self._vlen:  # h5py 3: an object array of bytes
            values = self._id.read_strings(selected.selection) if selected.selection is not None else []
            out = _objects(values, selected.mshape)
            return out[()] if out.ndim == 0 and not _keeps_0d(self.shape, key) else out
        if self._sequence is not None:  # h5py: an object array of 1-D arrays
            values = (self._id.read_sequences(selected.selection, self._sequence)
                      if selected.selection is not None else [])
            out = _objects(values, selected.mshape)
            return out[()] if out.ndim == 0 and not _keeps_0d(self.shape, key) else out
        if self._members:  # h5py: a structured array with object fields (bytes, arrays)
            if selected.selection is not None:
                out = self._id.read_compound(selected.selection, dtype).reshape(selected.mshape)
            else:
                out = np.empty(selected.mshape, dtype=dtype)
            if single:
                out = out[names[0]]
            return out[()] if out.ndim == 0 and not _keeps_0d(self.shape, key) else out
        out = np.empty(selected.mshape, dtype=dtype)
        if selected.selection is not None:
            # (a subarray dtype is absorbed into `out`'s shape; the element type is passed along)
            self._id.read(selected.selection, out, dtype if dtype.subdtype is not None else None)
        if single:
            out = out[names[0]]
        return out[()] if out.ndim == 0 and not _keeps_0d(self.shape, key) else out

    def __setitem__(self, key, value):
        check_writable(self._file, f"write to dataset '{self.name}'")
        if self._null:  # as h5py: d[()] = x and d[...] = x write nothing; other keys are refused
            if not self._null_key(key):
                raise ValueError(f'{len(key) if isinstance(key, tuple) else 1} indexing arguments for 0 dimensions')
            return
        selected = select(self.shape, key)
        if self._vlen:
            values = self._strings_for(value, selected)
            if selected.selection is not None:
                self._id.write_strings(selected.selection, values)
            return
        if self._sequence is not None:
            arrays = self._sequences_for(value, selected)
            if selected.selection is not None:
                self._id.write_sequences(selected.selection, self._sequence, arrays)
            return
        if self._members:
            data = value if isinstance(value, np.ndarray) and has_vlen_member(value.dtype) else np.asarray(
                value, dtype=self._dtype)
            data = self._shaped(data, selected)
            if selected.selection is not None:
                self._id.write_compound(selected.selection, np.ascontiguousarray(data))
            return
        data = self._array_for(value, selected)
        if selected.selection is not None:
            sub = self._dtype if self._dtype.subdtype is not None and data.dtype.subdtype is None else None
            self._id.write(selected.selection, data, sub)

    def __iter__(self):
        for i in range(self.len()):
            yield self[i]

    def __array__(self, dtype=None):
        if self._null:
            raise TypeError('Empty datasets have no numpy representation')
        if self._dtype.subdtype is not None:
            out = self[()]
            return out if dtype is None else out.astype(dtype)
        out = np.empty(self.shape, dtype=self._dtype if dtype is None else dtype)
        self.read_direct(out)
        return out

    def read_direct(self, dest, source_sel=None, dest_sel=None):
        """Reads ``self[source_sel]`` into ``dest[dest_sel]``; `dest` is a C-contiguous, writable
        array of any supported dtype (HDF5 converts). Without dest_sel, the data goes straight into
        `dest`."""
        if not isinstance(dest, np.ndarray) or not dest.flags.c_contiguous or not dest.flags.writeable:
            raise TypeError('read_direct needs a C-contiguous, writable numpy array')
        if self._null:
            raise TypeError('Empty datasets have no numpy representation')
        selected = select(self.shape, () if source_sel is None else source_sel)
        if self._vlen or self._sequence is not None or self._members:
            dest[() if dest_sel is None else dest_sel] = self[() if source_sel is None else source_sel]
            return
        if dest_sel is None and is_supported(dest.dtype) and self._dtype.subdtype is None:
            if dest.size != selected.count:
                raise TypeError(f"Can't read {selected.count} elements into an array of {dest.size}")
            if selected.selection is not None:
                self._id.read(selected.selection, dest)
            return
        data = np.empty(selected.mshape, dtype=dest.dtype if is_supported(dest.dtype) else self._dtype)
        if selected.selection is not None:
            self._id.read(selected.selection, data)
        dest[() if dest_sel is None else dest_sel] = data

    def write_direct(self, source, source_sel=None, dest_sel=None):
        """Writes ``source[source_sel]`` to ``self[dest_sel]``."""
        if not isinstance(source, np.ndarray):
            raise TypeError('write_direct needs a numpy array')
        if self._null:
            raise TypeError('Empty datasets cannot be written to')
        self[() if dest_sel is None else dest_sel] = source if source_sel is None else source[source_sel]

    def _strings_for(self, value, selected):
        """`value` (str, bytes, or lists or arrays of them) as a flat list of bytes shaped like the
        selection; str is encoded with the dataset's encoding, as h5py does."""
        encoding = check_string_dtype(self._dtype).encoding
        data = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value.astype(object)
        data = self._shaped(data, selected)

        def encoded(x):
            if isinstance(x, bytes):
                return x
            if isinstance(x, str):
                return x.encode(encoding)
            raise TypeError("Can't implicitly convert non-string objects to strings")

        return [encoded(x) for x in data.ravel()]

    def _sequences_for(self, value, selected):
        """`value` (one sequence for one element, else lists or object arrays of sequences shaped
        like the selection) as a flat list of C-contiguous 1-D arrays of the base dtype."""
        base = self._sequence
        if selected.mshape == ():
            items = [value]
        else:
            items = []
            for index in np.ndindex(*selected.mshape):
                item = value
                for k in index:
                    item = item[k]
                items.append(item)
        out = []
        for item in items:
            if isinstance(item, (str, bytes)):
                raise TypeError(f'cannot write {type(item).__name__} to a sequence of {base}')
            out.append(np.ascontiguousarray(np.asarray(item, dtype=base).ravel()))
        return out

    @staticmethod
    def _shaped(data, selected):
        """`data` broadcast or reshaped to the selection's shape, as h5py accepts."""
        if data.shape == selected.mshape:
            return data
        try:
            return np.broadcast_to(data, selected.mshape)
        except ValueError:
            # h5py also accepts the same elements in a shape that differs only by length-1 axes.
            squeeze = tuple(n for n in data.shape if n != 1)
            if data.size != selected.count or squeeze != tuple(n for n in selected.mshape if n != 1):
                raise TypeError(f"Can't broadcast {data.shape} -> {selected.mshape}") from None
            return data.reshape(selected.mshape)

    def _array_for(self, value, selected):
        """`value` as a C-contiguous array shaped like the selection, in a dtype h5mf transfers."""
        if self._dtype.subdtype is not None:
            # Elements are arrays: numpy holds them as the selection's shape + the subarray's.
            base, sub = self._dtype.subdtype
            shape = tuple(selected.mshape) + tuple(sub)
            data = np.asarray(value, dtype=base)
            if data.shape != shape:
                try:
                    data = np.broadcast_to(data, shape)
                except ValueError:
                    raise TypeError(f"Can't broadcast {data.shape} -> {shape}") from None
            return np.ascontiguousarray(data)
        if (isinstance(value, np.ndarray) and value.dtype.names is None and self._dtype.names is None
                and ((value.dtype.kind in 'iu' and check_enum_dtype(self._dtype) is not None)
                     or (value.dtype.kind in 'iuf' and self._dtype.kind == 'b'))):
            # Numbers to an enum or bool (HDF5 converts only enum to enum): numpy converts them, as
            # h5py's own integer-enum conversion does.
            data = value.astype(self._dtype)
        elif isinstance(value, np.ndarray) and value.dtype.kind == 'c' and self._dtype.kind != 'c':
            raise TypeError(f'cannot write an array of dtype {value.dtype} to dataset {self.name!r} of dtype '
                            f'{self._dtype}: complex numbers to a non-complex type')
        elif isinstance(value, np.ndarray) and is_supported(value.dtype):
            data = value
        elif isinstance(value, np.ndarray) and not _numpy_converts(value.dtype, self._dtype):
            raise TypeError(f'cannot write an array of dtype {value.dtype} to dataset {self.name!r} of dtype '
                            f'{self._dtype}')
        else:
            # Python numbers and lists, and arrays of other dtypes numpy converts (bool, long double)
            # to the dataset's type, as h5py does for non-arrays.
            data = np.asarray(value, dtype=self._dtype)
        data = self._shaped(data, selected)
        return data if data.flags.c_contiguous else data.copy(order='C')
