"""h5mf: many processes write one HDF5 file at file-per-process speed.

Shaped like h5py::

    import h5mf
    from mpi4py import MPI

    with h5mf.File('out.h5', 'w', driver='multifile', comm=MPI.COMM_WORLD) as f:
        dset = f.create_dataset('test', (MPI.COMM_WORLD.size,), dtype='i')
        dset[MPI.COMM_WORLD.rank] = MPI.COMM_WORLD.rank
    # then, on one process: h5mf.merge('out.h5') -> a conventional HDF5 file

Without MPI, a coordinator creates a container for ``writers=n`` processes and each worker opens
it with ``writer=i``. The drivers are 'multifile' (the container), 'mpio' and 'sec2'.

Errors: missing objects raise KeyError, invalid arguments ValueError, I/O failures OSError (damaged
containers h5mf.FormatError), mismatched collective calls h5mf.CollectiveMismatchError (a
RuntimeError), what is not supported (yet) NotImplementedError. Warnings (damage dropped, a file not
closed...) are issued as h5mf.H5mfWarning through the warnings module.
"""

from ._core import CollectiveMismatchError, FormatError, MergeReport, VerifyReport, ViewReport, __version__
from ._attrs import AttributeManager
from ._dataset import Dataset
from ._datatype import Datatype
from ._dtypes import check_enum_dtype, check_string_dtype, check_vlen_dtype, enum_dtype, string_dtype, vlen_dtype
from ._file import File
from ._group import ExternalLink, Group, HardLink, SoftLink
from ._h5py_driver import register_h5py_driver
from ._merge import merge, verify, view
from ._empty import Empty
from ._object import InterfileLinkError, LinkExistsError
from ._references import Reference, RegionReference, ref_dtype, regionref_dtype
from ._warnings import H5mfWarning

__all__ = [
    'AttributeManager', 'CollectiveMismatchError', 'Dataset', 'Datatype', 'Empty', 'ExternalLink', 'File', 'FormatError', 'Group',
    'H5mfWarning', 'HardLink', 'InterfileLinkError', 'LinkExistsError', 'SoftLink', 'MergeReport', 'VerifyReport', 'ViewReport',
    'Reference', 'RegionReference', 'ref_dtype', 'regionref_dtype',
    'check_enum_dtype', 'check_string_dtype', 'check_vlen_dtype',
    'enum_dtype', 'merge', 'register_h5py_driver', 'string_dtype', 'verify', 'view', 'vlen_dtype',
    '__version__',
]

