"""The h5mf HDF5 file driver for h5py scripts (docs/file-driver.md).

Unmodified scripts with ``driver='mpio'`` need nothing here: run them as
``mpiexec -n 4 h5mf exec -- python3 script.py``. A script may instead name the driver itself::

    import h5mf, h5py
    from mpi4py import MPI
    h5mf.register_h5py_driver()
    with h5py.File('out.h5', 'w', driver='h5mf', comm=MPI.COMM_WORLD) as f:
        ...

h5py must use its MPI build (Debian's h5py picks it under mpiexec, or with H5PY_ALWAYS_USE_MPI=1).
``f.atomic`` works on such files too: h5py's own call would go to HDF5's atomicity function, which
reaches the driver only through the preload, so registering also routes h5py's ``File.atomic``
to the driver for files on it (other files keep h5py's behaviour).
"""

from . import _core


def register_h5py_driver(name='h5mf'):
    """Registers the h5mf file driver with h5py under ``name`` (h5py.register_driver)."""
    import h5py
    from mpi4py import MPI

    def set_fapl(plist, comm=None, info=None):
        comm = MPI.COMM_WORLD if comm is None else comm
        info = MPI.INFO_NULL if info is None else info
        _core.set_fapl_h5mf(plist.id, comm.py2f(), info.py2f())

    h5py.register_driver(name, set_fapl)
    _route_atomic(h5py)


class _AtomicProperty(property):
    """h5py's File.atomic, asking the h5mf driver first for files on it."""


def _route_atomic(h5py):
    original = getattr(h5py.File, 'atomic', None)
    if original is None or isinstance(original, _AtomicProperty):
        return  # h5py without MPI has no atomic mode; or routed already

    def get(f):
        flag = _core.mpi_atomicity(f.id.id)
        return original.fget(f) if flag is None else flag

    def set_(f, value):
        if not _core.set_mpi_atomicity(f.id.id, bool(value)):
            original.fset(f, value)

    h5py.File.atomic = _AtomicProperty(get, set_, doc=original.__doc__)
