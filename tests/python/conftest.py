"""Shared fixtures of the h5mf pytest suite.

The test_mpi_* files run at one rank in the main pytest run and at four under mpiexec. They import
mpi4py only inside fixtures, and run last: importing mpi4py.MPI initialises MPI, and the
multiprocessing tests must fork before that happens.
"""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import h5mf

PYTHON = sys.executable
PYTHONPATH = os.environ.get('PYTHONPATH', '')


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: os.path.basename(str(item.fspath)).startswith('test_mpi_'))


def driver_available(driver, tmp_dir):
    """Whether this build opens files with `driver` (mpio and sec2 arrive in another issue)."""
    path = os.path.join(tmp_dir, f'probe-{driver}.h5')
    try:
        h5mf.File(path, 'w', driver=driver).close()
    except NotImplementedError:
        return False
    finally:
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.unlink(path)
    return True


@pytest.fixture(scope='session')
def available_drivers(tmp_path_factory):
    """multifile, and sec2 once it is there (mpio needs MPI: test_mpi_* files probe it)."""
    tmp = str(tmp_path_factory.mktemp('drivers'))
    return ['multifile'] + (['sec2'] if driver_available('sec2', tmp) else [])


def create_or_skip(path, driver, comm):
    """A new file at `path` on `driver` across `comm` (collective), or a skip of the test where
    this build has no such driver."""
    try:
        return h5mf.File(path, 'w', driver=driver, comm=comm)
    except NotImplementedError:
        pytest.skip(f'no {driver} driver in this build')


def mismatch_file(comm, shared_dir, name, driver='multifile'):
    """A new file `name` in the shared directory on `driver` across `comm` (collective), for a
    test that makes the ranks disagree: skipped with one rank, where nobody can disagree."""
    if comm.size == 1:
        pytest.skip('needs more than one rank')
    return create_or_skip(os.path.join(shared_dir, name), driver, comm)


def require_driver(available_drivers, driver):
    if driver not in available_drivers:
        pytest.skip(f'the {driver} driver is not available in this build yet')


@pytest.fixture
def container(tmp_path):
    """A path for a new container (or file)."""
    return str(tmp_path / 'test.h5')


@pytest.fixture(params=['multifile', 'sec2'])
def mfile(request, container):
    """A new file open for writing by this one process, with each driver that applies without MPI:
    the behaviour suite is one suite run against every driver (mpio: test_mpi_file.py)."""
    with h5mf.File(container, 'w', driver=request.param) as f:
        yield f


def h5dump(*args):
    return subprocess.run(['h5dump', *args], check=True, capture_output=True, text=True).stdout


def assert_dump_as_h5dump(container, reference):
    """`h5mf dump` of a container prints what h5dump prints of h5py's own file `reference`, from the
    second line on (the first names the file). Returns h5dump's text."""
    cli = os.environ.get('H5MF_CLI') or shutil.which('h5mf')
    dump = subprocess.run([cli, 'dump', container], check=True, capture_output=True, text=True).stdout
    expected = h5dump(reference)
    assert dump.split('\n', 1)[1] == expected.split('\n', 1)[1]
    return expected


def assert_reads_everywhere(path, reads, expected, view_path):
    """`reads(f)` equals `expected` for container `path` read directly (h5mf), through its view
    (written at `view_path`, read with h5py) and, once merged, from the merged file (h5py)."""
    import h5py
    import h5mf
    with h5mf.File(path, 'r') as f:
        assert reads(f) == expected, 'direct reads of the container'
    h5mf.view(path, view_path)
    with h5py.File(view_path, 'r') as f:
        assert reads(f) == expected, 'the view'
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert reads(f) == expected, 'the merged file'


def run_python(code, *args, cwd=None):
    """Runs `code` in a fresh interpreter (with this PYTHONPATH); returns its stdout."""
    env = dict(os.environ, PYTHONPATH=PYTHONPATH)
    env.pop('OMPI_COMM_WORLD_SIZE', None)
    run = subprocess.run([PYTHON, '-c', code, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)
    assert run.returncode == 0, f'subprocess failed ({run.returncode}):\n{run.stdout}\n{run.stderr}'
    return run.stdout


@pytest.fixture
def comm():
    """MPI.COMM_WORLD (one rank in the main run, four under mpiexec)."""
    mpi4py = pytest.importorskip('mpi4py')
    del mpi4py
    from mpi4py import MPI
    return MPI.COMM_WORLD


@pytest.fixture
def shared_dir(comm, tmp_path):
    """A directory every rank sees: rank 0's tmp_path."""
    path = comm.bcast(str(tmp_path) if comm.rank == 0 else None, root=0)
    yield path
    comm.Barrier()


@pytest.fixture
def rng():
    return np.random.default_rng(5)
