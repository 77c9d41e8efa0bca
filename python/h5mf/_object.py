"""What every object of a file (group or dataset) shares, as h5py's HLObject: truth while its file
is open, and equality by object, whatever name (hard link) opened it."""


class HLObject:
    """Base of Group and Dataset: subclasses set `_id` (the _core object) and `_file`."""

    def __bool__(self):
        return bool(self._file)

    def _object_key(self):
        """What every name (hard link) of this object shares: its id in the file, looked up once, so
        that hashes stay the same after the file closes."""
        if getattr(self, '_key', None) is None:
            self._key = self._id.object_id() if self._file else self.name
        return self._key

    def __eq__(self, other):
        # The same object of the same open file, whatever name opened it, as h5py compares ids.
        return (isinstance(other, HLObject) and other._file is self._file
                and other._object_key() == self._object_key())

    def __hash__(self):
        return hash((id(self._file), self._object_key()))
