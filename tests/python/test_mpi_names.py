"""`del group[name]`, `Group.move`, soft and external links in an MPI job (issue 18): collective,
like create_group; every rank sees the same names, writes through a surviving name (or a soft
link) land in the object, an object no name reaches is not in the merged file, and ranks that
delete, move or link different names get CollectiveMismatchError. Run at one rank in the main run and at two and four under mpiexec
(python/pytest/mpi2, python/pytest/mpi4)."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file


def check(f, size):
    """What every rank (and h5py, after the merge) reads."""
    assert sorted(f) == ['alias', 'moved', 'tmp']
    assert 'd' not in f and 'g' not in f
    assert f['alias'][...].tolist() == [[r, -r] for r in range(size)]
    assert f['tmp'].dtype == np.dtype('i2') and f['tmp'][...].tolist() == list(range(size))
    assert list(f['moved/g']) == ['sub'] and f['moved/g/sub'].attrs['n'] == size


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_unlink_and_move(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'names-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        d = f.create_dataset('d', (size, 2), dtype='i4')
        f['alias'] = d
        del f['d']  # the other name stays
        f['alias'][rank] = [rank, -rank]  # each rank its row
        f.create_dataset('tmp', (size,), dtype='f8')[rank] = 0.5
        del f['tmp']  # gone, with what was written to it
        f.create_dataset('tmp', (size,), dtype='i2')[rank] = rank  # the name again: a new dataset
        f.create_group('g/sub')
        f.move('g', 'moved/g')
        f['moved/g/sub'].attrs['n'] = size
        f.flush()
        check(f, size)
    comm.Barrier()
    with h5mf.File(path, 'r', comm=comm) as f:
        check(f, size)
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            check(f, size)
            names = []
            f.visit(names.append)
            assert names == ['alias', 'moved', 'moved/g', 'moved/g/sub', 'tmp']
    comm.Barrier()


def test_collective_changes_to_a_base_files_names(comm, shared_dir):
    """A container over an existing file (mode 'a'): the file's own names deleted and moved
    collectively, every rank writing its row of a moved dataset; the merged file has h5py's names."""
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, 'base-names.h5')
    if rank == 0:
        import h5py
        with h5py.File(path, 'w') as f:
            f.create_dataset('g/rows', data=np.zeros((size, 2), dtype='i4'))
            f['old'] = np.arange(3)
            f['g'].attrs['kept'] = 1
    comm.Barrier()
    with h5mf.File(path, 'a', comm=comm, driver='multifile') as f:
        f.move('g/rows', 'rows')
        f.move('g', 'h/g')
        del f['old']
        f['rows'][rank] = [rank, 10 * rank]
        f.flush()
        assert sorted(f) == ['h', 'rows'] and list(f['h/g']) == [] and f['h/g'].attrs['kept'] == 1
    comm.Barrier()
    if rank == 0:
        h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            assert sorted(f) == ['h', 'rows'] and list(f['h/g']) == [] and f['h/g'].attrs['kept'] == 1
            assert f['rows'][...].tolist() == [[r, 10 * r] for r in range(size)]
    comm.Barrier()


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_soft_and_external_links(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'soft-{driver}.h5')
    if rank == 0:
        import h5py
        with h5py.File(os.path.join(shared_dir, 'other.h5'), 'w') as o:
            o['x'] = np.arange(size, dtype='f4')
    comm.Barrier()
    f = create_or_skip(path, driver, comm)
    with f:
        f.create_dataset('data/d', (size,), dtype='i4')
        f['s'] = h5mf.SoftLink('/data/d')
        f['dangling'] = h5mf.SoftLink('/not/yet')
        f['ext'] = h5mf.ExternalLink('other.h5', '/x')
        f['s'][rank] = rank + 1  # each rank its element, through the soft link
        f.flush()
        assert f['data/d'][...].tolist() == list(range(1, size + 1))
        assert f['ext'][...].tolist() == list(range(size))
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            assert f.get('s', getlink=True).path == '/data/d' and f['s'][...].tolist() == list(range(1, size + 1))
            assert f.get('dangling', getlink=True).path == '/not/yet'
            assert f.get('ext', getlink=True).filename == 'other.h5' and f['ext'][...].tolist() == list(range(size))
    comm.Barrier()


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_copy(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'copy-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    with f:
        f.create_dataset('g/d', (size,), dtype='i4')[rank] = rank * 2
        f['g/alias'] = f['g/d']
        f.flush()  # every rank's element is in before the copy reads it
        f.copy('g', 'copy')  # collective; writer 0 writes the data
        f.flush()
        assert f['copy/d'][...].tolist() == [2 * r for r in range(size)] and f['copy/alias'] == f['copy/d']
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as f:
            assert f['copy/d'][...].tolist() == [2 * r for r in range(size)]
            assert h5py.h5o.get_info(f['copy/alias'].id).addr == h5py.h5o.get_info(f['copy/d'].id).addr
    comm.Barrier()


def test_different_soft_links_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'soft-mismatch.h5')
    f['s'] = h5mf.SoftLink('/a' if comm.rank == 0 else '/b')
    with pytest.raises(h5mf.CollectiveMismatchError, match=r"soft link '/s' to '/[ab]'"):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()


@pytest.mark.parametrize('call', ['del', 'move'])
def test_different_names_are_a_mismatch(comm, shared_dir, call):
    f = mismatch_file(comm, shared_dir, f'names-mismatch-{call}.h5')
    f['a'] = np.arange(3)
    f['b'] = np.arange(3)
    if call == 'del':
        del f['a' if comm.rank == 0 else 'b']
        expected = r"del '/[ab]'"
    else:
        f.move('a', 'x' if comm.rank == 0 else 'y')
        expected = r"move\('/a', '/[xy]'\)"
    with pytest.raises(h5mf.CollectiveMismatchError, match=expected):
        f.flush()
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
