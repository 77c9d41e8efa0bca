"""Reconstruction: a container becomes one conventional HDF5 file."""

import operator
import os

from . import _core


def _jobs(jobs):
    """A number of threads (0: the default, one per core)."""
    if jobs is None:
        return 0
    if not 1 <= operator.index(jobs) < 2 ** 31:
        raise ValueError(f'jobs must be at least 1 and less than 2**31, not {jobs}')
    return operator.index(jobs)


def merge(path, output=None, jobs=None, *, verify=True, sync=True):
    """Replays container `path` into one conventional HDF5 file and returns an h5mf.MergeReport.

    output: where to write the file; None replaces the container at its own path, atomically (a
        crash leaves either the whole container or the whole file).
    jobs: threads to merge with (None: one per core), as `h5mf merge -j`.
    verify: check every record's data checksum before using it.
    sync: fsync the output before it replaces the container.

    The merge runs in this process; in an MPI job, close the file on every rank, then merge on one
    (``if comm.rank == 0: h5mf.merge(path)``), or run ``mpiexec -n N h5mf merge PATH``. A merge
    holds the container alone: while another process has it open or merges it, this raises
    BlockingIOError naming that process (so ranks that all call merge(path) get one merge and
    errors, never two merges at once); a path that is already the merged file raises KeyError.
    """
    jobs = _jobs(jobs)
    path = os.fsdecode(os.fspath(path))
    output = '' if output is None else os.fsdecode(os.fspath(output))
    return _core.merge(path, output, bool(verify), bool(sync), jobs)


def view(path, output=None, *, sources=None, verify=True, jobs=None):
    """Writes the zero-copy view of container `path` and returns an h5mf.ViewReport.

    The view is a standard HDF5 file whose datasets are virtual datasets over the bytes the writers
    left in the container's data files: h5py, h5dump and every HDF5 reader see the container's
    content at once, without copying it (``h5mf view``). The container is only read.

    output: the view file (None: ``<path>/view.h5``).
    sources: the file of external-storage datasets the view maps (None: beside `output`, named
        ``<output stem>-sources.h5``).
    verify: check every record's data checksum; records that fail are left out and reported.
    jobs: threads for the checksums (None: one per core).

    Raises NotImplementedError when HDF5 could not read the view in reasonable time (too many
    records for one dataset); the message gives the count and suggests h5mf.merge.
    """
    jobs = _jobs(jobs)
    path = os.fsdecode(os.fspath(path))
    output = '' if output is None else os.fsdecode(os.fspath(output))
    sources = '' if sources is None else os.fsdecode(os.fspath(sources))
    return _core.view(path, output, sources, bool(verify), jobs)


def verify(path, *, check_data=True, jobs=None):
    """Checks a container or a conventional HDF5 file and returns an h5mf.VerifyReport.

    For a container: every header, record and data checksum, the catalog, and overlapping writes
    of different writers in one epoch, with a report per writer (``h5mf verify``). For an HDF5 file:
    every object read in full. The report is true when healthy (``report.exit_code == 0``); it
    never raises for what it finds in the files.
    """
    jobs = _jobs(jobs)
    path = os.fsdecode(os.fspath(path))
    return _core.verify(path, bool(check_data), jobs)
