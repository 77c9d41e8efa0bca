"""The h5mf HDF5 file driver for h5py scripts (docs/file-driver.md).

Unmodified scripts with ``driver='mpio'`` need nothing here: run them as
``mpiexec -n 4 h5mf exec -- python3 script.py``. A script may instead name the driver itself::

    import h5mf, h5py
    from mpi4py import MPI
    h5mf.register_h5py_driver()
    with h5py.File('out.h5', 'w', driver='h5mf', comm=MPI.COMM_WORLD) as f:
        ...

h5py must use its MPI build (Debian's h5py picks it under mpiexec, or with H5PY_ALWAYS_USE_MPI=1).
Without ``h5mf exec``, ``f.atomic = True`` is refused with an error: h5py then calls HDF5's
own atomicity function, which only the preloaded driver can answer.
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
