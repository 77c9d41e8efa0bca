"""h5py's Datatype: a committed (named) datatype of a file, ``f['t'] = numpy.dtype(...)``."""

import posixpath

from ._object import NamedObject


class Datatype(NamedObject):
    """A named datatype stored in a file under `name` (h5py's Datatype): its `dtype`, `name`,
    `file`, `parent` and `attrs`. Its type is read when it is opened."""

    def __init__(self, dtype, name, file):
        self._dtype = dtype
        self._name = name
        self._file = file

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def attrs(self):
        """Its attributes, as h5py's (writes collective, as other objects' are)."""
        from ._attrs import AttributeManager  # pylint: disable=import-outside-toplevel
        return AttributeManager(self._file._id.named_type_attrs(self._name), self._file)

    def _object_id(self):
        try:
            return ('type', self._file._id.named_type_id(self._name))
        except NotImplementedError:  # one an older h5mf committed, without an id: known by its name
            return ('type', self._name)

    def __repr__(self):
        if not self._file:
            return '<Closed h5mf named type>'
        return f'<h5mf named type "{posixpath.basename(self._name)}" (dtype {self._dtype.str})>'
