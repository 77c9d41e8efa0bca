"""Dimension scales as h5py 3.7 has them (``dset.dims``): HDF5's H5DS convention. Attaching,
detaching and labelling are collective; the merged file holds CLASS, NAME, DIMENSION_LIST,
REFERENCE_LIST and DIMENSION_LABELS exactly as libhdf5 writes them."""

import warnings

from ._object import check_writable


def _text(value):
    """A label or scale name as h5py takes it: str, or bytes (UTF-8)."""
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    if not isinstance(value, str):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute 'encode'")  # as h5py
    return value


class DimensionProxy:
    """One dimension of a dataset: its label and the dimension scales attached to it."""

    def __init__(self, dataset, dimension):
        self._dataset = dataset
        self._dimension = dimension

    @property
    def label(self):
        """The dimension's label ('' when it has none); setting it is collective."""
        return self._dataset._id.label(self._dimension)

    @label.setter
    def label(self, value):
        value = _text(value)
        check_writable(self._dataset._file, f"label a dimension of '{self._dataset.name}'", RuntimeError)
        self._dataset._id.set_label(self._dimension, value)

    def __hash__(self):
        return hash((type(self), self._dataset, self._dimension))

    def __eq__(self, other):
        return hash(self) == hash(other)

    def __iter__(self):
        yield from self.keys()

    def __len__(self):
        return len(self._dataset._id.scales(self._dimension))

    def _scales(self):
        from ._dataset import Dataset
        return [Dataset(core, self._dataset._file) for core in self._dataset._id.scales(self._dimension)]

    def __getitem__(self, item):
        scales = self._scales()
        if isinstance(item, int):
            if not scales:  # as h5py, whose H5DSiterate_scales fails on a dimension without scales
                raise RuntimeError(f"dimension {self._dimension} of '{self._dataset.name}' has no dimension scales")
            return scales[item]
        name = _text(item)
        for scale in scales:
            if scale._id.scale_name() == name:
                return scale
        raise KeyError(item)

    def attach_scale(self, dset):
        """Attaches dataset `dset` to this dimension (collective); it becomes a scale if it is not one."""
        self._dataset._id.attach_scale(self._scale_core(dset), self._dimension)

    def detach_scale(self, dset):
        """Detaches dataset `dset` from this dimension (collective)."""
        self._dataset._id.detach_scale(self._scale_core(dset), self._dimension)

    def _scale_core(self, dset):
        from ._dataset import Dataset
        if not isinstance(dset, Dataset):
            raise TypeError(f"a dimension scale is a dataset, not {type(dset).__name__}")
        check_writable(self._dataset._file, f"change the dimension scales of '{self._dataset.name}'", RuntimeError)
        return dset._id

    def items(self):
        """(name, Dataset) of every scale on this dimension."""
        return [(scale._id.scale_name(), scale) for scale in self._scales()]

    def keys(self):
        return [name for name, _ in self.items()]

    def values(self):
        return [scale for _, scale in self.items()]

    def __repr__(self):
        if not self._dataset._file:
            return '<Dimension of closed h5mf dataset>'
        return f'<"{self.label}" dimension {self._dimension} of h5mf dataset "{self._dataset.name}">'


class DimensionManager:
    """``dset.dims``: the dimensions of a dataset, as h5py's DimensionManager."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __getitem__(self, index):
        if index > len(self) - 1:
            raise IndexError('Index out of range')
        return DimensionProxy(self._dataset, index)

    def __len__(self):
        return self._dataset.ndim

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        if not self._dataset._file:
            return '<Dimensions of closed h5mf dataset>'
        return f'<Dimensions of h5mf dataset "{self._dataset.name}">'

    def create_scale(self, dset, name=''):
        """Deprecated in h5py: use ``dset.make_scale(name)``."""
        warnings.warn('other_ds.dims.create_scale(ds, name) is deprecated. Use ds.make_scale(name) instead.',
                      DeprecationWarning, stacklevel=2)
        dset.make_scale(name)
