"""h5mf.File: modes, drivers, properties, flush/close, context manager."""

import os

import numpy as np
import pytest

import h5mf
from conftest import require_driver


def test_create_and_reopen_container(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        assert f.driver == 'multifile'
        assert f.mode == 'r+'
        assert f.filename == container
        assert f.name == '/'
        assert f.file is f
        assert f.writer == 0 and f.writers == 1
        assert bool(f)
        f.create_dataset('x', data=np.arange(4, dtype='i4'))
    assert not f
    assert os.path.isdir(container)
    assert {'metafile', '0', '0.offset'} <= set(os.listdir(container))

    # An existing container opens with multifile without naming the driver.
    with h5mf.File(container) as f:
        assert f.driver == 'multifile'
        assert f.mode == 'r'
        assert f['x'][...].tolist() == [0, 1, 2, 3]
    with h5mf.File(container, 'r+') as f:
        assert f.mode == 'r+'
        f['x'][0] = 10
    with h5mf.File(container, 'a') as f:
        f['x'][1] = 11
    with h5mf.File(container, 'r') as f:
        assert f['x'][...].tolist() == [10, 11, 2, 3]


def test_pathlike_and_bytes_names(tmp_path):
    with h5mf.File(tmp_path / 'p.h5', 'w', driver='multifile') as f:
        assert f.filename == str(tmp_path / 'p.h5')
    with h5mf.File(os.fsencode(tmp_path / 'p.h5'), 'r') as f:
        assert f.filename == str(tmp_path / 'p.h5')


def test_modes(container):
    with h5mf.File(container, 'x', driver='multifile'):
        pass
    with pytest.raises(FileExistsError, match='already exists'):  # as h5py
        h5mf.File(container, 'w-', driver='multifile')
    with h5mf.File(container, 'w', driver='multifile') as f:  # 'w' replaces it
        assert list(f) == []
    with pytest.raises(ValueError, match="Invalid mode 'q'"):
        h5mf.File(container, 'q', driver='multifile')


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        h5mf.File(tmp_path / 'missing.h5', 'r', driver='multifile')
    with pytest.raises(FileNotFoundError):
        h5mf.File(tmp_path / 'missing.h5', 'r+', driver='multifile')


def test_read_only_refuses_changes(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        f.create_dataset('x', (3,), dtype='i2')
    with h5mf.File(container, 'r') as f:
        with pytest.raises(ValueError, match='read-only'):
            f.create_group('g')
        with pytest.raises(OSError, match='read-only'):  # h5py's types for each
            f['x'][0] = 1
        with pytest.raises(OSError, match='read-only'):
            f.attrs['a'] = 1
        f.flush()  # nothing to do, but allowed as in h5py


def test_bad_arguments(container):
    with pytest.raises(ValueError, match="unknown driver 'core'"):
        h5mf.File(container, 'w', driver='core')
    with pytest.raises(ValueError, match='writers must be at least 1'):
        h5mf.File(container, 'w', writers=0)
    with pytest.raises(ValueError, match='writer must be at least 0'):
        h5mf.File(container, 'a', writer=-1)
    with pytest.raises(TypeError, match='writers must be an integer'):
        h5mf.File(container, 'w', writers=True)
    with pytest.raises(TypeError, match='mpi4py.MPI.Comm'):
        h5mf.File(container, 'w', comm=3)


def test_close_is_idempotent_and_closed_objects_fail_cleanly(container):
    f = h5mf.File(container, 'w', driver='multifile')
    group = f.create_group('g')
    dset = f.create_dataset('x', (2,), dtype='f8')
    attrs = f.attrs
    f.close()
    f.close()
    assert not f and not group and not dset
    assert repr(f) == '<Closed h5mf file>'
    assert repr(dset) == '<Closed h5mf dataset>'
    for action in (lambda: f['x'], lambda: f.create_group('h'), lambda: dset[0], lambda: dset.shape,
                   lambda: group.create_group('y'), lambda: attrs['a'], lambda: f.filename, lambda: f.atomic):
        with pytest.raises(ValueError, match='closed'):
            action()
    assert 'x' not in f


def test_context_manager_closes_on_exception(container):
    with pytest.raises(ZeroDivisionError):
        with h5mf.File(container, 'w', driver='multifile') as f:
            f.create_dataset('x', data=np.arange(3.0))
            1 / 0
    assert not f
    with h5mf.File(container, 'r') as f:
        assert f['x'][...].tolist() == [0.0, 1.0, 2.0]


def test_flush_makes_structure_and_data_visible(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        f.create_dataset('x', data=np.arange(5))
        f.attrs['n'] = 5
        f.flush()
        # Another reader (here in the same process) sees what was flushed.
        with h5mf.File(container, 'r') as reader:
            assert reader['x'][...].tolist() == [0, 1, 2, 3, 4]
            assert reader.attrs['n'] == 5


def test_atomic_property(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        assert f.atomic is False
        f.atomic = True
        assert f.atomic is True
        f.create_dataset('x', (1,), dtype='i4')[0] = 42
        with h5mf.File(container, 'r') as reader:  # visible without a flush
            assert reader['x'][0] == 42
        f.atomic = False
        assert f.atomic is False


def test_repr(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        assert repr(f) == f'<h5mf file "{container}" (mode r+, driver multifile)>'
        assert repr(f.create_group('g')) == '<h5mf group "/g" (0 members)>'


def test_default_driver_is_multifile_with_writers(container):
    with h5mf.File(container, 'w', writers=3) as f:
        assert f.driver == 'multifile'
        assert f.writers == 3


def test_default_driver_for_a_new_serial_file_is_sec2(container, available_drivers):
    require_driver(available_drivers, 'sec2')
    with h5mf.File(container, 'w') as f:
        assert f.driver == 'sec2'
    assert os.path.isfile(container)


def test_sec2_round_trip(tmp_path, available_drivers):
    require_driver(available_drivers, 'sec2')
    path = tmp_path / 'sec2.h5'
    with h5mf.File(path, 'w', driver='sec2') as f:
        assert f.driver == 'sec2'
        dset = f.create_dataset('g/x', (4, 3), dtype='i4', fillvalue=-1)
        dset[1:3, ::2] = 7
        f['g'].attrs['s'] = 'text'
    assert os.path.isfile(path)
    with h5mf.File(path, 'r') as f:  # an HDF5 file opens with sec2 by default
        assert f.driver == 'sec2'
        assert f['g/x'][...].tolist() == [[-1, -1, -1], [7, -1, 7], [7, -1, 7], [-1, -1, -1]]
        assert f['g'].attrs['s'] == 'text'


def test_mpio_needs_mpi(container):
    import sys
    if 'mpi4py.MPI' in sys.modules:
        pytest.skip('MPI is initialised in this process')  # the test_mpi_* files, which run last
    with pytest.raises((ValueError, NotImplementedError), match='mpio'):
        h5mf.File(container, 'w', driver='mpio')
