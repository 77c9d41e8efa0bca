"""What every object of a file (group, dataset, named datatype) shares, as h5py's HLObject: truth while its file
is open, and equality by object, whatever name (hard link) opened it."""

import operator
import posixpath

import numpy as np


class NamedObject:
    """What every object reached by a name shares (groups, datasets, named datatypes): its file,
    the group holding its name, truth while the file is open, equality by object. Subclasses give
    `name`, `_file` and `_object_id()`."""

    @property
    def file(self):
        return self._file

    @property
    def parent(self):
        """The group holding the name this object was opened by (the root for the root)."""
        return self._file[posixpath.dirname(self.name)]

    def __bool__(self):
        return bool(self._file)

    def _object_key(self):
        """What every name (hard link) of this object shares: its id in the file, looked up once, so
        that hashes stay the same after the file closes."""
        if getattr(self, '_key', None) is None:
            self._key = self._object_id() if self._file else self.name
        return self._key

    def __eq__(self, other):
        # The same object of the same open file, whatever name opened it, as h5py compares ids.
        return (isinstance(other, NamedObject) and other._file is self._file
                and other._object_key() == self._object_key())

    def __hash__(self):
        return hash((id(self._file), self._object_key()))


class HLObject(NamedObject):
    """Base of Group and Dataset: subclasses set `_id` (the _core object) and `_file`."""

    @property
    def name(self):
        """The path the object was opened by."""
        return self._id.name

    @property
    def attrs(self):
        from ._attrs import AttributeManager  # _attrs builds on this module
        return AttributeManager(self._id.attrs(), self._file)

    @property
    def ref(self):
        """h5py's object reference: not supported (NotImplementedError, python/README.md)."""
        from ._references import unsupported
        raise unsupported('object references (obj.ref)')

    def _object_id(self):
        return self._id.object_id()


def check_writable(file, what, error=OSError):
    """h5py's error for a change to a file opened 'r' ("no write intent on file"): OSError for data
    and attribute writes and links, other types where h5py raises them (`error`)."""
    if file and file.mode == 'r':
        raise error(f"cannot {what}: file '{file.filename}' is open read-only (no write intent on file)")


class IntegerOverflowError(OverflowError, ValueError):
    """A number that does not fit its HDF5 type (a negative or 65-bit dimension, a scale factor):
    h5py's OverflowError ("can't convert negative value to hsize_t"), and a ValueError, as every
    other bad argument."""


class InterfileLinkError(ValueError, OSError):
    """A hard link to an object of another file: h5mf's ValueError, and h5py's OSError ("Unable to
    create link (interfile hard links are not allowed)")."""


class LinkExistsError(ValueError, OSError):
    """A link onto a name that exists: h5mf's ValueError for an existing name, and h5py's OSError
    ("Unable to create link (name already exists)")."""


class MaxshapeError(ValueError, RuntimeError):
    """A resize beyond maxshape: h5mf's ValueError for bad shapes, and h5py's RuntimeError
    (libhdf5's "dimension cannot exceed the existing maximal size")."""


def extent(value, what, unlimited=False):
    """A shape-like argument as a tuple of ints, checked as h5py checks it: an int is one
    dimension, a sequence holds integers (TypeError otherwise) that are not negative; with
    `unlimited`, None (unlimited) is allowed and kept."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f'{what} must be an integer or a sequence of integers, not {type(value).__name__}') from None
    out = []
    for i, item in enumerate(items):
        if item is None and unlimited:
            out.append(None)
            continue
        try:
            n = int(item) if isinstance(item, (float, np.floating)) else operator.index(item)
        except TypeError:
            raise TypeError(f"Can't convert element {i} ({item!r}) of {what} to hsize_t") from None
        if not 0 <= n < 2 ** 64:
            raise IntegerOverflowError(f"can't convert {'negative' if n < 0 else 'too large'} value to hsize_t: "
                                      f'{what} {tuple(items)}')
        out.append(n)
    return tuple(out)
