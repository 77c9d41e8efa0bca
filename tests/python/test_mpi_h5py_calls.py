"""Issue 18: the collective calls of test_h5py_calls.py in an MPI job (one rank in the main run,
2 and 4 under mpiexec): every rank makes them through h5mf (multifile, and mpio), each writes its
own rows; rank 0 makes the same calls through h5py 3.7 on a plain file. Every rank's outcomes
(values, exception types) equal h5py's, and after the merge h5py reads both files alike."""

import os

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_files, assert_same_outcomes, describe_dataset
from conftest import create_or_skip


def structure(h, f, record, rank, size):
    """Collective calls (every rank the same), then each rank's rows. `rank`/`size`: the job's
    (h5py, on rank 0 alone, plays every rank's writes)."""
    rows = f.create_dataset('rows', (size, 4), dtype='i4', chunks=True)
    record('chunks=True', lambda: rows.chunks)
    record('chunks for maxshape', lambda: f.create_dataset('grow', (0, 3), maxshape=(None, 3), dtype='f8').chunks)
    record('chunks for gzip', lambda: f.create_dataset('z', (size * 1000, 7), dtype='u2', compression='gzip',
                                                       fillvalue=3).chunks)
    record('like', lambda: describe_dataset(f.create_dataset_like('z2', f['z'], shape=(size * 10, 7))))
    record('track_times', lambda: f.create_dataset('t', (size,), dtype='i8', track_times=False).shape)
    f['x'] = np.arange(3)
    record('resize contiguous', lambda: f['x'].resize((4,)))
    record('require_group on a dataset', lambda: f.require_group('x'))
    record('require_dataset on a group', lambda: f.require_dataset('/', (3,), 'i8'))
    record('bad shape', lambda: f.create_dataset('bad', (2, 'a')))
    record('negative shape', lambda: f.create_dataset('bad', (-2,)))
    record('get class', lambda: f.get('z', getclass=True))
    record('get link', lambda: type(f.get('z', getlink=True)))
    record("'' in f", lambda: '' in f)
    a = f['rows'].attrs
    a['b'] = b'bytes'
    a['m'] = np.int16(5)
    record('modify', lambda: a.modify('m', 9.5))
    record('modify to another shape', lambda: a.modify('m', [1, 2]))
    record('create reshaped', lambda: a.create('c', data=np.arange(6), shape=(3, 2), dtype='f4'))
    record('create of another size', lambda: a.create('c2', data=np.arange(6), shape=(4,)))
    for key in ('b', 'm', 'c'):
        record(f'read {key}', lambda: a[key])
    for r in ([rank] if h is h5mf else range(size)):
        rows[r] = [r, r + 1, r + 2, r + 3]
        f['t'][r] = r * 10
        z = f['z']
        if h is h5mf:
            with z.collective:  # (mpio writes filtered datasets collectively only)
                z[r * 1000:(r + 1) * 1000] = np.full((1000, 7), r, 'u2')
        else:
            z[r * 1000:(r + 1) * 1000] = np.full((1000, 7), r, 'u2')
    record('scalar [...]', lambda: f.create_dataset('s', data=2.5)[...])


def portable(outcomes):
    return None if outcomes is None else [
        (label, how, f'class {value.__name__}' if isinstance(value, type) else value) for label, how, value in outcomes]


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_calls_as_h5py(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'calls-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    record = Recorder()
    with f:
        structure(h5mf, f, record, rank, size)
    comm.Barrier()
    ref_path = os.path.join(shared_dir, f'ref-{driver}.h5')
    outcomes = None
    if rank == 0:
        import h5py
        ref = Recorder()
        with h5py.File(ref_path, 'w') as g:
            structure(h5py, g, ref, rank, size)
        outcomes = ref.outcomes
    # Every rank compares with h5py's outcomes (classes by name: h5py's do not travel).
    outcomes = comm.bcast(portable(outcomes), root=0)
    assert_same_outcomes(portable(record.outcomes), outcomes)
    with pytest.raises(FileExistsError):
        h5mf.File(path, 'w-', driver=driver, comm=comm)
    with h5mf.File(path, 'r', comm=comm) as f:
        assert f['rows'][rank].tolist() == [rank, rank + 1, rank + 2, rank + 3]
        with pytest.raises(OSError):
            f['rows'][rank] = 0
        with pytest.raises(OSError):
            f['rows'].attrs.modify('m', 1)
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
            assert_same_files(a, b)
            assert a['rows'][...].tolist() == [[r, r + 1, r + 2, r + 3] for r in range(size)]
    comm.Barrier()
