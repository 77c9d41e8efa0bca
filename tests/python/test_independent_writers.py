"""Writers without MPI: a coordinator creates a container for n writers, workers (multiprocessing
pools with fork or spawn, or separate processes) open it with their writer id and write data."""

import multiprocessing
import os

import numpy as np
import pytest

import h5mf
from conftest import run_python

BLOCK = 50


def write_block(path, writer):
    """A worker: writes its block of /data and its row of /g/table."""
    with h5mf.File(path, 'a', writer=writer) as f:
        assert f.writer == writer and f.driver == 'multifile'
        f['data'][writer * BLOCK:(writer + 1) * BLOCK] = np.arange(BLOCK) + 1000 * writer
        f['g/table'][writer] = np.full(3, writer, dtype='f4')
    return writer


def try_structure_change(path, writer):
    with h5mf.File(path, 'a', writer=writer) as f:
        try:
            f.create_dataset('new', (1,), dtype='i4')
        except ValueError as e:
            return str(e)
    return 'no error'


def coordinator(path, writers):
    with h5mf.File(path, 'w', writers=writers) as f:
        assert f.writers == writers and f.writer == 0
        f.create_dataset('data', (writers * BLOCK,), dtype='i8', fillvalue=-1)
        f.create_dataset('g/table', (writers, 3), dtype='f4')
        f.attrs['writers'] = writers


def check(path, writers):
    expected = np.concatenate([np.arange(BLOCK) + 1000 * w for w in range(writers)])
    with h5mf.File(path, 'r') as f:  # readable before any merge
        np.testing.assert_array_equal(f['data'][...], expected)
        np.testing.assert_array_equal(f['g/table'][...], np.repeat(np.arange(writers), 3).reshape(writers, 3))
    import h5py
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        np.testing.assert_array_equal(f['data'][...], expected)
        assert f.attrs['writers'] == writers


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_pool(tmp_path, method):
    path = str(tmp_path / 'pool.h5')
    coordinator(path, 4)  # closed before the pool starts: children open their own files
    with multiprocessing.get_context(method).Pool(2) as pool:
        assert pool.starmap(write_block, [(path, w) for w in range(4)]) == [0, 1, 2, 3]
    check(path, 4)


def test_separate_processes(tmp_path):
    path = str(tmp_path / 'procs.h5')
    coordinator(path, 3)
    code = ('import sys, numpy as np, h5mf\n'
            'w = int(sys.argv[2])\n'
            'with h5mf.File(sys.argv[1], "a", writer=w) as f:\n'
            '    f["data"][w * 50:(w + 1) * 50] = np.arange(50) + 1000 * w\n'
            '    f["g/table"][w] = w\n')
    for w in range(3):
        run_python(code, path, w)
    check(path, 3)


def test_coordinator_flush_makes_structure_visible_to_workers(tmp_path):
    path = str(tmp_path / 'flush.h5')
    f = h5mf.File(path, 'w', writers=2)
    f.create_dataset('data', (2 * BLOCK,), dtype='i8')
    f.create_dataset('g/table', (2, 3), dtype='f4')
    f.flush()  # workers started from here on see the datasets
    with multiprocessing.get_context('spawn').Pool(1) as pool:
        assert pool.starmap(write_block, [(path, 1)]) == [1]
    f['data'][:BLOCK] = np.arange(BLOCK)
    f.close()
    with h5mf.File(path, 'r') as r:
        assert r['data'][BLOCK - 1] == BLOCK - 1 and r['data'][BLOCK] == 1000


def test_workers_cannot_change_structure(tmp_path):
    path = str(tmp_path / 'structure.h5')
    coordinator(path, 3)
    with multiprocessing.get_context('fork').Pool(1) as pool:
        message = pool.starmap(try_structure_change, [(path, 2)])[0]
    assert 'only the coordinator (writer 0) changes structure' in message
    with h5mf.File(path, 'r') as f:
        assert 'new' not in f


def test_same_writer_id_twice_is_refused(tmp_path):
    path = str(tmp_path / 'twice.h5')
    coordinator(path, 3)
    with h5mf.File(path, 'a', writer=1):
        with pytest.raises(ValueError, match='writer id 1 .* is already in use by another process'):
            h5mf.File(path, 'a', writer=1)
        # In another process too (the lock is on the writer's files).
        code = ('import sys, h5mf\n'
                'try:\n'
                '    h5mf.File(sys.argv[1], "a", writer=1)\n'
                'except ValueError as e:\n'
                '    print("refused:", e)\n')
        assert 'refused: writer id 1' in run_python(code, path)
    with h5mf.File(path, 'a', writer=1):  # free again once closed
        pass


def test_worker_arguments(tmp_path):
    path = str(tmp_path / 'args.h5')
    with pytest.raises(ValueError, match='does not exist'):
        h5mf.File(path, 'a', writer=1)
    coordinator(path, 2)
    with pytest.raises(ValueError, match='writer id 5 is out of range'):
        h5mf.File(path, 'a', writer=5)
    with pytest.raises(ValueError, match="opens an existing container with mode 'a' or 'r\\+'"):
        h5mf.File(path, 'w', writer=1)
    with pytest.raises(ValueError, match="not both"):
        h5mf.File(path, 'a', writer=1, writers=2)
    assert os.path.isdir(path)
