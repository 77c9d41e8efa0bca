"""h5mf with an mpi4py communicator: at one rank in the main run, at four under mpiexec
(python/pytest/mpi4). Every rank runs every test; structure calls are collective, data writes
independent."""

import os

import numpy as np
import pytest

import h5mf


def test_each_rank_writes_its_part(comm, shared_dir):
    path = os.path.join(shared_dir, 'parts.h5')
    rank, size = comm.rank, comm.size
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        assert f.driver == 'multifile' and f.writer == rank and f.writers == size and f.comm is comm
        dset = f.create_dataset('test', (size,), dtype='i')
        dset[rank] = rank
        grid = f.create_dataset('g/grid', (size, 10), dtype='f8', fillvalue=-1)
        grid[rank, rank:] = np.arange(rank, 10)
        f['g'].attrs['ranks'] = size
    comm.Barrier()
    expected = np.full((size, 10), -1.0)
    for r in range(size):
        expected[r, r:] = np.arange(r, 10)
    # Every rank reads the container directly, before any merge.
    with h5mf.File(path, 'r', driver='multifile', comm=comm) as f:
        assert f['test'][...].tolist() == list(range(size))
        np.testing.assert_array_equal(f['g/grid'][...], expected)
        assert f['g'].attrs['ranks'] == size
    comm.Barrier()
    if rank == 0:
        import h5py
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert f['test'][...].tolist() == list(range(size))
            np.testing.assert_array_equal(f['g/grid'][...], expected)
    comm.Barrier()


def test_writes_are_visible_after_flush(comm, shared_dir):
    path = os.path.join(shared_dir, 'flush.h5')
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        dset = f.create_dataset('x', (comm.size, 4), dtype='i8')
        dset[comm.rank] = comm.rank * 10 + np.arange(4)
        f.flush()  # collective: everyone's writes are out
        comm.Barrier()
        neighbour = (comm.rank + 1) % comm.size
        assert dset[neighbour].tolist() == (neighbour * 10 + np.arange(4)).tolist()


def test_atomic_mode(comm, shared_dir):
    # Seed 001's atomicity demo: rank 0 writes, barrier, the last rank reads the value at once.
    path = os.path.join(shared_dir, 'atomic.h5')
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        f.atomic = True
        assert f.atomic
        dset = f.create_dataset('x', (1,), dtype='i')
        if comm.rank == 0:
            dset[0] = 42
        comm.Barrier()
        seen = int(dset[0]) if comm.rank == comm.size - 1 else 42
        # Every rank learns the outcome before asserting (a failing rank must not leave the others
        # waiting in close), and rank 0 does not get to close(), which writes everything out,
        # before the read.
        assert comm.allgather(seen) == [42] * comm.size


def test_resize_and_groups_are_collective(comm, shared_dir):
    path = os.path.join(shared_dir, 'resize.h5')
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        dset = f.create_dataset('grow', (0,), maxshape=(None,), dtype='f4')
        for step in range(3):
            dset.resize((step + 1) * comm.size, axis=0)
            dset[step * comm.size + comm.rank] = step
            f.require_group(f'steps/{step}')
        assert sorted(f['steps']) == ['0', '1', '2']
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f.driver == 'multifile'
        assert f['grow'][...].tolist() == [float(s) for s in range(3) for _ in range(comm.size)]


def test_variable_length_strings_and_sequences(comm, shared_dir):
    # Every rank its own strings and sequences, then the neighbour's first element after a flush.
    path = os.path.join(shared_dir, 'vlen.h5')
    rank, size = comm.rank, comm.size
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        s = f.create_dataset('s', (size, 3), dtype=h5mf.string_dtype())
        v = f.create_dataset('v', (size,), dtype=h5mf.vlen_dtype(np.int16))
        s[rank] = [f'r{rank}-\u03c1', '', 'x' * (1000 * rank)]
        v[rank] = np.arange(rank + 1)
        f.flush()
        s[(rank + 1) % size, 0] = f'from {rank}'
    expected = [[f'from {(r - 1) % size}', '', 'x' * (1000 * r)] for r in range(size)]
    comm.Barrier()
    with h5mf.File(path, 'r', driver='multifile', comm=comm) as f:
        assert f['s'].asstr()[...].tolist() == expected
        assert [a.tolist() for a in f['v'][...]] == [list(range(r + 1)) for r in range(size)]
    comm.Barrier()
    if rank == 0:
        import h5py
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert f['s'].asstr()[...].tolist() == expected
            assert [a.tolist() for a in f['v'][...]] == [list(range(r + 1)) for r in range(size)]
    comm.Barrier()


def test_collective_transfers(comm, shared_dir):
    path = os.path.join(shared_dir, 'collective.h5')
    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        dset = f.create_dataset('x', (comm.size,), dtype='i4')
        with dset.collective:
            dset[comm.rank] = comm.rank + 1
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['x'][...].tolist() == list(range(1, comm.size + 1))


@pytest.mark.parametrize('driver', ['mpio'])
def test_mpio_driver(comm, shared_dir, driver):
    path = os.path.join(shared_dir, 'mpio.h5')
    try:
        f = h5mf.File(path, 'w', driver=driver, comm=comm)
    except NotImplementedError:
        pytest.skip('the mpio driver is not available in this build yet')
    with f:
        assert f.driver == 'mpio'
        dset = f.create_dataset('test', (comm.size,), dtype='i')
        with dset.collective:
            dset[comm.rank] = comm.rank
    comm.Barrier()
    with h5mf.File(path, 'r', driver=driver, comm=comm) as f:
        assert f['test'][...].tolist() == list(range(comm.size))


def test_default_driver_with_a_communicator(comm, shared_dir, available_drivers):
    path = os.path.join(shared_dir, 'default.h5')
    if comm.size == 1 and 'sec2' not in available_drivers:
        pytest.skip('one rank means a serial (sec2) file, and sec2 is not available yet')
    with h5mf.File(path, 'w', comm=comm) as f:
        assert f.driver == ('multifile' if comm.size > 1 else 'sec2')


def test_time_series_resized_and_appended_over_two_sessions(comm, shared_dir):
    # Issue 9's growing dataset, h5py-style: dset.resize((n,)) (collective), then each rank writes
    # its slab; the first session does steps 0..99 and closes, a second one (mode 'a') 100..199.
    path = os.path.join(shared_dir, 'series.h5')
    rank, size, slab, width, steps = comm.rank, comm.size, 5, 8, 200

    def value(step, i):
        return step * 1_000_000 + rank * 1_000 + i

    def run_steps(f, first, last):
        series, field = f['series'], f['field']
        for step in range(first, last):
            series.resize(((step + 1) * size * slab,))
            start = (step * size + rank) * slab
            series[start:start + slab] = [value(step, i) for i in range(slab)]
            field.resize((step + 1, size * width))
            field[step, rank * width:(rank + 1) * width] = step + np.arange(rank * width, (rank + 1) * width) / 1024

    with h5mf.File(path, 'w', driver='multifile', comm=comm) as f:
        f.create_dataset('series', (0,), maxshape=(None,), dtype='i8')
        f.create_dataset('field', (0, size * width), maxshape=(None, size * width), dtype='f8')
        run_steps(f, 0, 100)
    with h5mf.File(path, 'a', driver='multifile', comm=comm) as f:
        assert f['series'].shape == (100 * size * slab,) and f['series'].maxshape == (None,)
        run_steps(f, 100, steps)

    expected_series = np.array([s * 1_000_000 + r * 1_000 + i
                                for s in range(steps) for r in range(size) for i in range(slab)], dtype='i8')
    expected_field = np.arange(steps)[:, None] + np.arange(size * width)[None, :] / 1024
    with h5mf.File(path, 'r', driver='multifile', comm=comm) as f:
        np.testing.assert_array_equal(f['series'][...], expected_series)
        np.testing.assert_array_equal(f['field'][...], expected_field)
    comm.Barrier()
    if rank == 0:
        import h5py
        h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            assert f['series'].maxshape == (None,) and f['field'].maxshape == (None, size * width)
            np.testing.assert_array_equal(f['series'][...], expected_series)
            np.testing.assert_array_equal(f['field'][...], expected_field)


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_structured_enum_bool_and_subarray_parts(comm, shared_dir, driver):
    """Each rank writes its row of compound, enum, bool and subarray datasets (fill values elsewhere);
    h5py reads the same from the merged (or mpio) file."""
    path = os.path.join(shared_dir, f'types-{driver}.h5')
    rank, size = comm.rank, comm.size
    color = h5mf.enum_dtype({'RED': 1, 'BLUE': 7}, basetype='i2')
    point = np.dtype([('id', '<i4'), ('ok', '?'), ('xyz', '<f4', (3,)), ('c', color)])
    fill = np.array((-1, False, (9, 9, 9), 7), dtype=point)
    with h5mf.File(path, 'w', driver=driver, comm=comm) as f:
        p = f.create_dataset('points', (size, 2), dtype=point, fillvalue=fill)
        p[rank, 0] = np.array((rank, True, (rank, 0, 1), 1), dtype=point)
        f.create_dataset('flags', (size,), dtype=bool, fillvalue=True)[rank] = rank % 2 == 1
        f.create_dataset('vectors', (size,), dtype=('<u2', (2,)), fillvalue=(5, 5))[rank] = (rank, rank)
        f.attrs['point'] = fill
    comm.Barrier()
    if rank == 0:
        import h5py
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            got = f['points'][...]
            assert got['id'].tolist() == [[r, -1] for r in range(size)]
            assert got['xyz'][:, 0].tolist() == [[r, 0, 1] for r in range(size)]
            assert got['c'].tolist() == [[1, 7]] * size
            assert h5py.check_enum_dtype(f['points'].dtype['c']) == {'RED': 1, 'BLUE': 7}
            assert f['flags'].dtype == np.bool_ and f['flags'][...].tolist() == [r % 2 == 1 for r in range(size)]
            assert f['vectors'][...].tolist() == [[r, r] for r in range(size)]
            assert f.attrs['point']['xyz'].tolist() == [9, 9, 9]
    comm.Barrier()


@pytest.mark.parametrize('aggregation', ['node', 2, 'files:1'])
def test_aggregation_keyword(comm, shared_dir, aggregation):
    # Groups of ranks funnel their writes into fewer data files; what is read and merged is the same.
    path = os.path.join(shared_dir, f'aggregated-{str(aggregation).replace(":", "")}.h5')
    rank, size = comm.rank, comm.size
    with h5mf.File(path, 'w', driver='multifile', comm=comm, aggregation=aggregation) as f:
        dset = f.create_dataset('x', (size, 100), dtype='i4')
        dset[rank] = rank * 1000 + np.arange(100)
        assert dset[rank].tolist() == (rank * 1000 + np.arange(100)).tolist()  # read-your-writes
    comm.Barrier()
    files = sorted(n for n in os.listdir(path) if n.endswith('.offset'))
    expected_files = {'node': 1, 2: (size + 1) // 2, 'files:1': 1}[aggregation]  # one node here
    assert len(files) == expected_files
    with h5mf.File(path, 'r', driver='multifile', comm=comm) as f:
        np.testing.assert_array_equal(f['x'][...], np.arange(size)[:, None] * 1000 + np.arange(100))
    comm.Barrier()


def test_aggregation_keyword_is_checked(comm, shared_dir):
    with pytest.raises(ValueError, match='invalid aggregation'):
        h5mf.File(os.path.join(shared_dir, 'bad.h5'), 'w', driver='multifile', comm=comm, aggregation='nodes')
    with pytest.raises(TypeError):
        h5mf.File(os.path.join(shared_dir, 'bad.h5'), 'w', driver='multifile', comm=comm, aggregation=2.5)
