"""Reconstruction: a container becomes one conventional HDF5 file."""

import operator
import os

from . import _core


def merge(path, output=None, jobs=None, *, verify=True, sync=True):
    """Replays container `path` into one conventional HDF5 file and returns an h5mf.MergeReport.

    output: where to write the file; None replaces the container at its own path, atomically (a
        crash leaves either the whole container or the whole file).
    jobs: threads to merge with (None: one per core), as `h5mf merge -j`.
    verify: check every record's data checksum before using it.
    sync: fsync the output before it replaces the container.

    The merge runs in this process; in an MPI job, close the file on every rank, then merge on one
    (``if comm.rank == 0: h5mf.merge(path)``), or run ``mpiexec -n N h5mf merge PATH``.
    """
    if jobs is not None and operator.index(jobs) < 1:
        raise ValueError(f'jobs must be at least 1, not {jobs}')
    path = os.fsdecode(os.fspath(path))
    output = '' if output is None else os.fsdecode(os.fspath(output))
    return _core.merge(path, output, bool(verify), bool(sync), 0 if jobs is None else operator.index(jobs))


def view(path, output=None):
    """A standard HDF5 file of Virtual Datasets over the container's data (zero-copy)."""
    raise NotImplementedError('the zero-copy view is not implemented yet; use h5mf.merge')
