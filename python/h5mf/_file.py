"""Files: h5py's File over h5mf._core.File."""

import errno
import operator
import os
import sys

from . import _core
from ._group import Group

_DRIVERS = ('multifile', 'mpio', 'sec2')
_MODES = ('r', 'r+', 'w', 'w-', 'x', 'a')
# h5py's libver bounds with libhdf5 1.10 (the Debian 12 build h5mf and h5py use).
_LIBVER = ('earliest', 'latest', 'v108', 'v110')


def _check_libver(libver):
    """h5py's libver: None, a bound, or (low, high); an unknown bound raises KeyError as in h5py."""
    if libver is None:
        return
    for bound in (libver,) if isinstance(libver, str) else tuple(libver):
        if bound not in _LIBVER:
            raise KeyError(f'libver {bound!r}: use one of {", ".join(_LIBVER)}')


def _check_userblock(size):
    if size is not None and size != 0 and (size < 512 or size & (size - 1)):
        raise ValueError(f'Userblock size is non-zero and less than 512 or not a power of 2 ({size})')


def _count(value, what, minimum):
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f'{what} must be an integer, not bool')
    value = operator.index(value)
    if value < minimum:
        raise ValueError(f'{what} must be at least {minimum}, not {value}')
    if value >= 2 ** 31:
        raise ValueError(f'{what} must be less than 2**31, not {value}')
    return value


class File(Group):
    """An HDF5 file, or an h5mf container that many processes write at once.

    File(name, mode='r', driver=None, comm=None, writers=None, writer=None, aggregation=None)

    mode: 'r', 'r+', 'w', 'w-' (or 'x'), 'a', as in h5py.
    driver: 'multifile' (a container directory: every writer appends to its own files; merge it
        into one HDF5 file with h5mf.merge), 'mpio' (parallel HDF5 on one shared file) or 'sec2'
        (serial HDF5). Default: an existing container opens with multifile; otherwise multifile
        when there is parallelism (`comm` of more than one rank, `writers` or `writer`), else sec2
        (and mpio to read an existing HDF5 file in parallel).
    comm: an mpi4py communicator; opening, closing, flush and every structure change are
        collective over it, data reads and writes are independent.
    writers: without MPI, the coordinator creates a container for this many writer processes; it
        creates the structure and makes it durable with flush() or close() before workers open it.
    writer: without MPI, a worker's id (0..writers-1) in an existing container (mode 'a' or 'r+').
        Workers write data only, except writer 0 (the coordinator's id, for a worker that takes
        over once the coordinator has closed the file).
    aggregation: with `comm` and the multifile driver, fewer data files than ranks: 'node' (one
        per node), an int n (groups of n consecutive ranks), 'files:M' (M files), or None / 'off'
        (one per rank, unless the environment variable H5MF_AGGREGATE says otherwise). Members'
        writes reach the files at flush() or close().

    h5py's other keywords (libver, userblock_size, swmr, rdcc_nslots, rdcc_nbytes, rdcc_w0,
    track_order, fs_strategy, fs_persist, fs_threshold, fs_page_size, page_buf_size, min_meta_keep,
    min_raw_keep, locking, alignment_threshold, alignment_interval, meta_block_size, and mpio's
    `info`) are accepted and checked as h5py checks them, without effect (python/README.md says why).
    """

    def __init__(self, name, mode='r', driver=None, comm=None, writers=None, writer=None, aggregation=None, *,
                 libver=None, userblock_size=None, swmr=False, rdcc_nslots=None, rdcc_nbytes=None, rdcc_w0=None,
                 track_order=None, fs_strategy=None, fs_persist=False, fs_threshold=1, fs_page_size=None,
                 page_buf_size=None, min_meta_keep=0, min_raw_keep=0, locking=None, alignment_threshold=1,
                 alignment_interval=1, meta_block_size=None, **kwds):
        path = os.fsdecode(os.fspath(name))
        if not isinstance(mode, str) or mode not in _MODES:
            raise ValueError(f'Invalid mode {mode!r}; must be one of r, r+, w, w-, x, a')
        _check_libver(libver)
        _check_userblock(userblock_size)
        for key in kwds:
            if key != 'info':  # mpio's MPI.Info, as h5py takes it
                raise TypeError(f"'{key}' is an invalid keyword argument for this function")
        if driver is not None and driver not in _DRIVERS:
            raise ValueError(f"unknown driver {driver!r}: use 'multifile', 'mpio' or 'sec2'")
        writers = _count(writers, 'writers', 1)
        writer = _count(writer, 'writer', 0)
        ranks = 1
        if comm is not None:
            # Not imported here: importing mpi4py.MPI initialises MPI. A real communicator means
            # the caller imported it.
            mpi = sys.modules.get('mpi4py.MPI')
            if mpi is None or not isinstance(comm, mpi.Comm):
                raise TypeError(f'comm must be an mpi4py.MPI.Comm, not {type(comm).__name__}')
            ranks = comm.Get_size()
        if aggregation is None:
            aggregation = ''
        elif isinstance(aggregation, bool) or not isinstance(aggregation, (int, str)):
            raise TypeError(f"aggregation must be 'node', a number of ranks per group or 'files:M', not "
                            f"{type(aggregation).__name__}")
        aggregation = str(aggregation)
        self._parallel = ranks > 1
        try:
            # driver None: the C++ library's automatic choice (described above).
            self._core = _core.File(path, mode, driver or 'auto', comm, writers or 0,
                                    -1 if writer is None else writer, aggregation)
        except KeyError as e:
            # A file that does not exist: FileNotFoundError (an OSError), as Python and h5py say,
            # rather than the KeyError of a missing object inside a file.
            raise FileNotFoundError(errno.ENOENT, e.args[0], path) from None
        except ValueError as e:
            if mode in ('w-', 'x') and os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, str(e), path) from None  # as h5py
            raise
        self._comm = comm
        super().__init__(self._core.root(), self)

    @property
    def filename(self):
        return self._core.filename()

    @property
    def driver(self):
        return self._core.driver()

    @property
    def mode(self):
        """'r' for read-only, else 'r+' (as h5py)."""
        return 'r' if self._core.mode() == 'r' else 'r+'

    @property
    def comm(self):
        return self._comm

    @property
    def writer(self):
        """This process's writer id (its rank with MPI)."""
        return self._core.writer()

    @property
    def writers(self):
        """The number of writers of the container session."""
        return self._core.writers()

    @property
    def atomic(self):
        """MPI atomic mode: every write visible to every process when the call returns.
        Setting it is collective."""
        return self._core.atomic()

    @atomic.setter
    def atomic(self, value):
        self._core.set_atomic(bool(value))

    def flush(self):
        """Writes out buffers and makes the structure durable (collective)."""
        self._core.flush()

    def close(self):
        """Closes the file (collective over the communicator; idempotent)."""
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and self._parallel:
            # This rank leaves on an exception; the others may be waiting in close() or flush().
            # abandon() makes the calls they wait for, saying so: they get an error naming this
            # rank and the exception instead of hanging (it waits for them at most
            # H5MF_COLLECTIVE_TIMEOUT seconds, then aborts the job). The exception goes on.
            self._core.abandon(f'{exc_type.__name__}: {exc}')
        else:
            self.close()

    def __bool__(self):
        core = getattr(self, '_core', None)  # None when the constructor failed
        return core is not None and core.is_open()

    def __repr__(self):
        if not self:
            return '<Closed h5mf file>'
        return f'<h5mf file "{self.filename}" (mode {self.mode}, driver {self.driver})>'
