"""Groups: h5py's Group over h5mf._core.Group. Creating groups, datasets and attributes is
collective: every writer of an MPI job makes the same calls in the same order."""

import operator
import os
import posixpath
from collections.abc import ItemsView, KeysView, MutableMapping, ValuesView

import numpy as np

from . import _core
from ._dataset import Dataset
from ._datatype import Datatype
from ._dtypes import (DEFAULT_DTYPE, check_dataset_dtype, check_string_dtype, guess_string_dtype, has_vlen_member,
                      vlen_sequence_base)
from ._filters import (FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_LZF, FILTER_MAX, FILTER_SCALEOFFSET, FILTER_SHUFFLE,
                       FILTER_SZIP, FLAG_MANDATORY, FLAG_OPTIONAL, SO_FLOAT_DSCALE, SO_INT, SZIP_ALLOW_K13, SZIP_EC,
                       SZIP_NN)
from ._empty import is_empty
from ._references import refuse_references
from ._object import HLObject, IntegerOverflowError, NamedObject, InterfileLinkError, LinkExistsError, check_writable, extent



def _vlen_fill(dtype, fillvalue):
    """The bytes of a variable-length dataset's fill value: a string's (str encoded with the
    dtype's encoding), or a sequence's elements of its base dtype."""
    base = vlen_sequence_base(dtype)
    if base is not None:
        value = np.asarray(fillvalue, dtype=base)
        if value.ndim > 1:
            raise ValueError(f'the fill value of a sequence dataset is one sequence, not an array of shape {value.shape}')
        return np.ascontiguousarray(value.reshape(-1)).tobytes()
    if isinstance(fillvalue, (str, np.str_)):
        return str(fillvalue).encode(check_string_dtype(dtype).encoding)
    if isinstance(fillvalue, (bytes, np.bytes_)):
        return bytes(fillvalue)
    raise TypeError(f'the fill value of a string dataset is str or bytes, not {type(fillvalue).__name__}')


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
        if value >= 2 ** 31:
            raise IntegerOverflowError(f'scale factor {value} too large to convert to int')
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
        if not 0 <= compression <= FILTER_MAX:
            raise ValueError(f'Compression filter "{compression}" is unavailable (filter ids are 0 to {FILTER_MAX})')
        opts = () if compression_opts is None else compression_opts
        values = [operator.index(v) for v in ((opts,) if isinstance(opts, (int, np.integer)) else opts)]
        if any(not 0 <= v < 2 ** 32 for v in values):
            raise ValueError(f'filter {compression}: compression_opts must be unsigned 32-bit integers, not {opts!r}')
        pipeline.append((int(compression), FLAG_OPTIONAL, values))
    elif compression is not None:
        raise ValueError(f'Compression filter "{compression}" is unavailable')
    if fletcher32:
        pipeline.append((FILTER_FLETCHER32, FLAG_MANDATORY, []))
    return pipeline


# h5py's chunk guess (its guess_chunk, "undocumented and subject to change"; h5py 3.7's): a target
# chunk size of 16 KiB * 2^log10(dataset MiB) clamped to [8 KiB, 1 MiB], reached by halving the
# dimensions in turn, outermost first, until the chunk is under the target or within 50% of it (and
# under 1 MiB). Zero-length dimensions count as 1024; maxshape plays no part.
CHUNK_BASE, CHUNK_MIN, CHUNK_MAX = 16 * 1024, 8 * 1024, 1024 * 1024


def guess_chunks(shape, itemsize):
    if not shape:
        raise ValueError('Chunks not allowed for scalar datasets.')
    chunks = [float(n if n else 1024) for n in shape]
    target = CHUNK_BASE * 2 ** np.log10(float(np.prod(chunks)) * itemsize / (1024.0 * 1024))
    target = min(max(target, CHUNK_MIN), CHUNK_MAX)
    axis = 0
    while True:
        size = float(np.prod(chunks))
        nbytes = size * itemsize
        if (nbytes < target or abs(nbytes - target) / target < 0.5) and nbytes < CHUNK_MAX:
            break
        if size == 1:
            break  # one element is larger than CHUNK_MAX
        chunks[axis % len(chunks)] = np.ceil(chunks[axis % len(chunks)] / 2.0)
        axis += 1
    return tuple(int(c) for c in chunks)


class HardLink:
    """h5py's HardLink: what ``group.get(name, getlink=True)`` returns for a hard link."""

    def __repr__(self):
        return '<h5mf.HardLink>'


class SoftLink:
    """h5py's SoftLink: ``group[name] = SoftLink(path)`` makes `name` hold `path` (absolute, or
    relative to the group), resolved whenever it is used; it may dangle."""

    def __init__(self, path):
        self._path = str(path)

    @property
    def path(self):
        return self._path

    def __repr__(self):
        return f'<SoftLink to "{self.path}">'


class ExternalLink:
    """h5py's ExternalLink: ``group[name] = ExternalLink(filename, path)`` makes `name` name object
    `path` of the HDF5 file `filename`; following it opens that file read-only."""

    def __init__(self, filename, path):
        self._filename = os.fsdecode(filename)
        self._path = str(path)

    @property
    def path(self):
        return self._path

    @property
    def filename(self):
        return self._filename

    def __repr__(self):
        return f'<ExternalLink to "{self.path}" in file "{self.filename}"'


class Group(HLObject, MutableMapping):
    """A folder of groups and datasets, with dict-like access by (nested) path."""

    def __init__(self, core, file):
        self._id = core
        self._file = file

    # -- description ------------------------------------------------------------------------
    def __repr__(self):
        if not self._file:
            return '<Closed h5mf group>'
        return f'<h5mf group "{self.name}" ({len(self)} members)>'

    # -- mapping ------------------------------------------------------------------------------
    def _wrap(self, path):
        try:
            kind = self._id.type_of(path)
        except KeyError:
            named = self._named(path)
            if named is None:
                raise
            return named
        if kind == 'group':
            return Group(self._id.group(path), self._file)
        return Dataset(self._id.dataset(path), self._file)

    def _named(self, path):
        """The named datatype at `path` (h5py's Datatype), or None when there is none."""
        try:
            dtype = self._id.named_type(path)
        except (KeyError, ValueError):
            return None
        return Datatype(dtype, posixpath.normpath(posixpath.join(self.name or self._id.name, path)), self._file)

    def __getitem__(self, path):
        path = self._path(path)
        if path == '':
            raise ValueError('Name parameter cannot be an empty string')
        try:
            return self._wrap(path)
        except KeyError:
            through = self._through_external(path)
            if through is None:
                raise
            return through

    def _through_external(self, path):
        """The object `path` reaches through an external link on its way (HDF5 follows them; the
        C++ API does not), or None when no external link is on its way."""
        parts = [p for p in path.split('/') if p not in ('', '.')]
        for i in range(len(parts)):
            prefix = ('/' if path.startswith('/') else '') + '/'.join(parts[:i + 1])
            try:
                kind, filename, target = self._id.link_info(prefix)
            except (KeyError, ValueError):
                return None
            if kind == 'external':
                other = self._open_external(filename, prefix)
                rest = '/'.join(parts[i + 1:])
                return other[target.rstrip('/') + '/' + rest if rest else target]
        return None

    def _open_external(self, filename, link):
        """The file an external link names, opened read-only: found as HDF5 finds it, beside the file
        that holds the link, else as given (relative to the working directory)."""
        from ._file import File  # pylint: disable=import-outside-toplevel
        here = os.path.dirname(os.path.abspath(self._file.filename)) if self._file is not None else ''
        for candidate in ([os.path.join(here, filename)] if here and not os.path.isabs(filename) else []) + [filename]:
            if os.path.exists(candidate):
                return File(candidate, 'r')
        raise KeyError(f"Unable to open object: external link '{link}' names file '{filename}', which does not exist")

    def get(self, name, default=None, getclass=False, getlink=False):
        """h5py's get: the object at `name`, or `default` when there is none; with getclass its
        class (Group or Dataset), with getlink the link (a HardLink), with both the link's class."""
        name = self._path(name)
        if not (getclass or getlink):
            try:
                return self[name]
            except KeyError:
                return default
        if name not in self:  # as h5py: a dangling soft link gives the default too
            return default
        if getlink:
            kind, filename, path = self._id.link_info(name)
            if kind == 'soft':
                return SoftLink if getclass else SoftLink(path)
            if kind == 'external':
                return ExternalLink if getclass else ExternalLink(filename, path)
            return HardLink if getclass else HardLink()
        return type(self[name])

    def __contains__(self, path):
        if isinstance(path, bytes):
            path = path.decode('utf-8')
        if not isinstance(path, str) or path == '':
            return False
        if self._id.contains(path):
            return True
        try:  # a link that reaches nothing (a dangling soft link, an external link) is there, as in h5py
            self._id.link_info(path)
            return True
        except (KeyError, ValueError):
            pass
        try:  # through an external link, as HDF5 (and h5py) resolve it
            return self._through_external(path) is not None
        except (KeyError, OSError):
            return False

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
        name of the same object, as in h5py (collective); ``group['x'] = SoftLink(path)`` and
        ``ExternalLink(filename, path)`` make soft and external links, ``group['t'] = numpy.dtype(...)``
        a named datatype (h5mf.Datatype), all collective; ``group['t2'] = group['t']`` one more
        name of a named datatype."""
        path = self._path(path)
        links = (Group, Dataset, Datatype, SoftLink, ExternalLink)
        if isinstance(value, links):
            check_writable(self._file, f"create link '{path}'")
            if path in self:
                raise LinkExistsError(f"Unable to create link (name already exists): '{path}' in file "
                                      f"'{self._file.filename if self._file else ''}'")
        if isinstance(value, (Group, Dataset, Datatype)) and value._file is not self._file:
            raise InterfileLinkError(f"Unable to create link (interfile hard links are not allowed): cannot link "
                                     f"'{path}' in file '{self._file.filename}' to '{value.name}' of file "
                                     f"'{value._file.filename if value._file else ''}'")
        if isinstance(value, Datatype):
            self._id.link_named_type(path, value.name)
        elif isinstance(value, np.dtype):
            # h5py's named datatype (collective)
            check_writable(self._file, f"commit datatype '{path}'")
            if path in self:  # (h5py raises TypeError here)
                raise TypeError(f"Unable to commit datatype (name already exists): '{path}' in file "
                                f"'{self._file.filename if self._file else ''}'")
            self._id.commit_type(path, check_dataset_dtype(value))
        elif isinstance(value, SoftLink):
            self._id.create_soft_link(path, value.path)
        elif isinstance(value, ExternalLink):
            self._id.create_external_link(path, value.filename, value.path)
        elif isinstance(value, Group):
            self._id.link_group(path, value._id)
        elif isinstance(value, Dataset):
            self._id.link_dataset(path, value._id)
        else:
            self.create_dataset(path, data=value)

    def __delitem__(self, path):
        """Unlinks `path` (collective), as h5py: the object stays while another name (a hard link)
        reaches it, and open handles on it stay usable; one that no name reaches is not in the
        merged file. KeyError when there is no such name."""
        path = self._path(path)
        check_writable(self._file, f"delete '{path}'", KeyError)
        try:
            self._id.unlink(path)
        except ValueError as e:  # e.g. a dataset in the middle of the path: h5py's KeyError
            raise KeyError(str(e)) from None

    def move(self, source, dest):
        """Moves (renames) the link `source` to `dest` (collective), as h5py's Group.move: the same
        object under the new name; missing groups on the way to `dest` are created. ValueError when
        `source` does not exist or `dest` does."""
        source, dest = self._path(source), self._path(dest)
        if source == dest:
            return
        check_writable(self._file, f"move '{source}'", ValueError)
        try:
            self._id.move(source, dest)
        except KeyError as e:
            raise ValueError(f"Unable to move link (name doesn't exist): {e.args[0]}") from None

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
                # As H5Ovisit: soft and external links are not followed.
                if group._id.link_info(key)[0] != 'hard':
                    continue
                name = prefix + key
                obj = group[key] if group._id.contains(key) else group._named(key)
                if obj is None:  # no named datatype either: nothing h5py visits
                    continue
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
    def create_group(self, name, track_order=None):
        """A new group (collective). track_order is accepted, as File's, without effect: members
        are listed by name (python/README.md)."""
        return Group(self._id.create_group(self._path(name)), self._file)

    def require_group(self, name):
        """Opens group `name`, creating it if there is nothing there (collective then); TypeError
        when it is a dataset, as h5py."""
        name = self._path(name)
        if name in self and self._id.type_of(name) != 'group':
            raise TypeError(f"Incompatible object (Dataset) already exists: '{name}'")
        return Group(self._id.require_group(name), self._file)

    def create_dataset(self, name, shape=None, dtype=None, data=None, chunks=None, maxshape=None,
                       fillvalue=None, compression=None, compression_opts=None, shuffle=None,
                       fletcher32=None, scaleoffset=None, track_times=None, track_order=None):
        """h5py's create_dataset. `shape` and `dtype` default to `data`'s (float32 without data);
        `maxshape` uses None for unlimited dimensions; `chunks` is a shape, True (chosen) or None
        (contiguous unless maxshape or filters need chunks). Filters as h5py: compression='gzip'
        (or a level 0-9) or 'szip' with compression_opts, shuffle, fletcher32, scaleoffset; chunks
        are then chosen by h5py's rule when not given. 'lzf' (h5py's own filter) is refused.
        track_times (True or False) is accepted, checked as h5py checks it, and has no effect;
        track_order (attribute order) is accepted without effect (python/README.md)."""
        name = self._path(name)
        named = ''
        if isinstance(dtype, Datatype) and dtype._file is self._file and self._file:
            named, dtype = dtype.name, dtype.dtype  # h5py's dtype=f['t']: the dataset shares it
        refuse_references(dtype, data)
        if is_empty(data) or (data is None and shape is None and dtype is not None):
            # HDF5's null dataspace: h5py makes one of an Empty, or of a dtype alone
            return self._create_empty(name, data, shape, dtype, chunks, maxshape, fillvalue, compression,
                                      shuffle, fletcher32, scaleoffset, track_times, named)
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
        shape = extent(shape, 'shape')
        if data is not None and int(np.prod(shape + sub)) != data.size:
            raise ValueError(f'Shape tuple is incompatible with data: shape {shape}, data shape {data.shape}')
        filters = _filter_pipeline(dtype, compression, compression_opts, shuffle, fletcher32, scaleoffset)
        if track_times not in (None, True, False):
            raise TypeError('track_times must be either True or False')
        if shape == ():
            if chunks not in (None, False) or filters:
                raise TypeError("Scalar datasets don't support chunk/filter options")
            if maxshape not in (None, ()):
                raise TypeError('Scalar datasets cannot be extended')
        given_maxshape = maxshape is not None
        maxshape = shape if maxshape is None else extent(maxshape, 'maxshape', unlimited=True)
        if len(maxshape) != len(shape):
            raise ValueError('"maxshape" must have same rank as dataset shape')
        if any(m is not None and m < n for n, m in zip(shape, maxshape)):
            raise ValueError(f'Maxdims is smaller than dims: shape {shape}, maxshape {maxshape}')
        if filters and chunks is False:
            raise ValueError('Chunked format required for given storage options')
        if chunks is True or (chunks is None and shape and (filters or given_maxshape)):
            chunks = guess_chunks(shape, dtype.itemsize)  # as h5py guesses them
        elif chunks in (None, False):
            chunks = ()
        else:
            chunks = extent(chunks, 'chunks')
            if len(chunks) != len(shape):
                raise ValueError('"chunks" must have same rank as dataset shape')
            if any(m is not None and c > m for c, m in zip(chunks, maxshape)):
                raise ValueError('Chunk shape must not be greater than data shape in any dimension. '
                                 f'{chunks} is not compatible with {tuple(maxshape)}')
        maxshape = tuple(_core.UNLIMITED if m is None else m for m in maxshape)
        fill = _fill_bytes(name, fillvalue, dtype, sub)
        dset = Dataset(self._id.create_dataset(name, dtype, list(shape), list(maxshape), list(chunks), fill,
                                               filters, named_type=named), self._file)
        if data is not None:
            dset[...] = data.reshape(shape + sub)
        return dset

    def _create_empty(self, name, data, shape, dtype, chunks, maxshape, fillvalue, compression, shuffle,
                      fletcher32, scaleoffset, track_times, named=''):
        """A dataset with HDF5's null dataspace (h5py's Empty): a dtype (given, else the Empty's)
        and no shape, no elements; refused with h5py's errors where it takes shape, chunk, filter or
        maxshape options."""
        if shape is not None:
            raise TypeError(f'Empty datasets have no shape (shape must be None, not {shape!r})')
        if chunks not in (None, False) or compression is not None or shuffle or fletcher32 or scaleoffset is not None:
            raise TypeError("Empty datasets don't support chunk/filter options")
        if maxshape not in (None, ()):
            raise TypeError('Empty datasets cannot be extended')
        if track_times not in (None, True, False):
            raise TypeError('track_times must be either True or False')
        dtype = check_dataset_dtype(dtype if dtype is not None else data.dtype)
        fill = _fill_bytes(name, fillvalue, dtype, dtype.shape)
        return Dataset(self._id.create_dataset(name, dtype, [], [], [], fill, [], True, named_type=named), self._file)

    def copy(self, source, dest, name=None, shallow=False, expand_soft=False, expand_external=False,
             expand_refs=False, without_attrs=False):
        """h5py's Group.copy (collective): a deep copy of group, dataset or named datatype `source` (a path in this
        group, or an object of any open file) at `dest`, a path relative to this group or a Group
        (then under `name`, by default the source's own name). As HDF5's H5Ocopy: an object with
        several names in the copied tree is copied once (its other names become hard links to the
        copy), soft and external links are copied as links unless `expand_soft`/`expand_external`
        (then what they name is copied), `shallow` copies a group's immediate members only (its
        subgroups empty), `without_attrs` leaves attributes out. The data are written by writer 0;
        in an MPI job every rank makes the same call. RuntimeError where h5py raises it (the
        source missing, the destination existing); `expand_refs` is NotImplementedError."""
        if expand_refs:
            raise NotImplementedError('Group.copy(expand_refs=True): h5mf has no object references')
        if isinstance(source, NamedObject):
            src = source
        else:
            source = self._path(source)
            if source not in self:
                raise RuntimeError(f"Unable to copy object (object '{source}' doesn't exist)")
            src = self[source]
        if isinstance(dest, Group):
            dest_group = dest
            dest_path = name if name is not None else posixpath.basename(src.name.rstrip('/')) or '/'
        elif isinstance(dest, HLObject):
            raise TypeError('Destination must be path or Group object')
        else:
            dest_group, dest_path = self, self._path(dest)
        if dest_path in dest_group:
            raise RuntimeError('Unable to copy object (destination object already exists)')
        check_writable(dest_group._file, f"copy '{src.name}' to '{dest_path}'")
        options = {'shallow': shallow, 'expand_soft': expand_soft, 'expand_external': expand_external,
                   'without_attrs': without_attrs}
        _copy_object(src, dest_group, dest_path, options, {}, top=True)

    def create_dataset_like(self, name, other, **kwupdate):
        """h5py's create_dataset_like: a new dataset with `other`'s shape, dtype, chunks, maxshape,
        filters and fill value (not its data or attributes), each overridden by a keyword of
        create_dataset in `kwupdate`. Collective."""
        default_fill = 'fillvalue' not in kwupdate and getattr(other, '_default_vlen_fill', False)
        for key in ('shape', 'dtype', 'chunks', 'compression', 'compression_opts', 'scaleoffset', 'shuffle',
                    'fletcher32', 'fillvalue'):
            kwupdate.setdefault(key, getattr(other, key))
        if default_fill:  # (variable-length: HDF5's default stays the default, not a given b'')
            kwupdate['fillvalue'] = None
        if other.maxshape != other.shape:  # (as h5py: else a maxshape would make the new one chunked)
            kwupdate.setdefault('maxshape', other.maxshape)
        return self.create_dataset(name, **kwupdate)

    def require_dataset(self, name, shape, dtype, exact=False, **kwds):
        """Opens dataset `name` if it exists with this shape and a compatible dtype (the same one
        when `exact`), else creates it (collective then)."""
        name = self._path(name)
        if name not in self:
            return self.create_dataset(name, shape=shape, dtype=dtype, **kwds)
        existing = self[name]
        if not isinstance(existing, Dataset):
            raise TypeError(f"Incompatible object ({type(existing).__name__}) already exists: '{name}'")
        if shape is not None:  # (None: h5py's Empty, whose shape is None)
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


def _fill_bytes(name, fillvalue, dtype, sub):
    """create_dataset's `fillvalue` as one element of `dtype` (its subarray `sub` broadcast), a
    variable-length value as the library takes it, or None for HDF5's default."""
    if fillvalue is None:
        return None
    if dtype.kind == 'O':
        return _vlen_fill(dtype, fillvalue)
    if has_vlen_member(dtype) and dtype.subdtype is None:  # the element self-contained (the library's form)
        return _core.self_contained(dtype, np.asarray(fillvalue, dtype=dtype).reshape(1))
    if sub:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(fillvalue, dtype=dtype.base), sub)).tobytes()
    try:
        return np.asarray(fillvalue, dtype=dtype).tobytes()
    except ValueError as e:
        raise TypeError(f'fillvalue {fillvalue!r} cannot be converted to {dtype}: {e}') from None


def _copy_object(src, dest_group, dest_path, options, copied, top=False):
    """Copies `src` to `dest_path` in `dest_group` as H5Ocopy does (Group.copy); `copied` maps
    source objects already copied to their copies."""
    key = (id(src._file), src._object_key())
    if key in copied:  # another name of an object copied already: a hard link to its copy
        dest_group[dest_path] = copied[key]
        return
    if isinstance(src, Dataset):
        new = dest_group.create_dataset_like(dest_path, src)
        file = dest_group._file
        if new.size and (file is None or file.writer == 0):
            new[()] = src[()]
    elif isinstance(src, Datatype):  # committed anew; its other names in the tree link to the copy
        dest_group[dest_path] = src.dtype
        new = dest_group[dest_path]
    else:
        new = dest_group.create_group(dest_path)
    copied[key] = new
    if not options['without_attrs']:
        for attr in src.attrs:
            new.attrs[attr] = src.attrs[attr]
    if not isinstance(src, Group) or (options['shallow'] and not top):
        return
    for member in src:
        kind, filename, path = src._id.link_info(member)
        if kind == 'soft' and not options['expand_soft']:
            new[member] = SoftLink(path)
        elif kind == 'external' and not options['expand_external']:
            new[member] = ExternalLink(filename, path)
        elif member in src:
            try:
                target = src[member]
            except KeyError:  # a dangling soft link, expanded: nothing to copy, as H5Ocopy
                continue
            _copy_object(target, new, member, options, copied)
