"""Issue 18: h5py.Empty (HDF5's null dataspace) in an MPI job (one rank in the main run, 2 and 4
under mpiexec). Creating an Empty dataset or attribute is collective: through h5mf (multifile and
mpio) every rank sees what h5py 3.7 gives on a plain file, and after the merge h5py reads both
files alike (h5diff too). Ranks that disagree on the null dataspace are a collective mismatch."""

import os
import subprocess

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_files, assert_same_outcomes
from conftest import create_or_skip, mismatch_file


def calls(h, f, record, ranks, size):
    """Collective creations, then each of `ranks` writes its row of a plain dataset beside them."""
    e = f.create_dataset('e', data=h.Empty('f8'))
    f.create_dataset('g/t', dtype='i2')  # (a dtype alone: an Empty too)
    f.attrs['a'] = h.Empty('i4')
    e.attrs.create('s', h.Empty(h.string_dtype()))
    rows = f.create_dataset('rows', (size, 3), dtype='i4')
    for r in ranks:
        rows[r] = [r, r, r]
        e[()] = r  # (writes nothing, as h5py)
    f.flush()
    record('shape', lambda: (e.shape, e.size, e.ndim, e.maxshape, f['g/t'].shape))
    record('[()]', lambda: e[()])
    record('dtype alone', lambda: f['g/t'][...])
    record('attributes', lambda: (f.attrs['a'], e.attrs['s']))
    record('slice', lambda: e[0])
    record('rows', lambda: rows[...])


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_collective_empty_as_h5py(comm, shared_dir, driver):
    rank, size = comm.rank, comm.size
    path = os.path.join(shared_dir, f'empty-{driver}.h5')
    f = create_or_skip(path, driver, comm)
    record = Recorder()
    with f:
        calls(h5mf, f, record, [rank], size)
    ref_path = os.path.join(shared_dir, f'empty-ref-{driver}.h5')
    outcomes = None
    if rank == 0:
        import h5py
        ref = Recorder()
        with h5py.File(ref_path, 'w') as g:
            calls(h5py, g, ref, range(size), size)
        outcomes = [(label, how, type(value).__name__ if how == 'raised' else value) for label, how, value in ref.outcomes]
    outcomes = comm.bcast(outcomes, root=0)  # (h5py's exceptions and Empty travel as h5mf's)
    mine = [(label, how, type(value).__name__ if how == 'raised' else value) for label, how, value in record.outcomes]
    assert [m[:2] for m in mine] == [o[:2] for o in outcomes]
    for (label, how, value), (_, _, ref_value) in zip(mine, outcomes):
        assert how == 'raised' or repr(value) == repr(ref_value), (label, value, ref_value)
        assert how == 'returned' or value == ref_value, (label, value, ref_value)
    with h5mf.File(path, 'r', comm=comm) as f:  # reopened
        assert f['e'].shape is None and f['e'][()] == h5mf.Empty('f8') and f.attrs['a'] == h5mf.Empty('i4')
        assert f['rows'][...].tolist() == [[r, r, r] for r in range(size)]
    comm.Barrier()
    if rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        import h5py
        with h5py.File(path, 'r') as a, h5py.File(ref_path, 'r') as b:
            assert_same_files(a, b)
            assert a['e'].shape is None and a['e'][()] == h5py.Empty('f8')
        subprocess.run(['h5diff', path, ref_path], check=True)
    comm.Barrier()


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_empty_on_some_ranks_is_a_mismatch(comm, shared_dir, driver):
    f = mismatch_file(comm, shared_dir, f'mismatch-{driver}.h5', driver)
    # rank 0 an Empty, the others a scalar of the same type: the same call but for the dataspace
    with pytest.raises(h5mf.CollectiveMismatchError) as raised:
        if comm.rank == 0:
            f.create_dataset('x', data=h5mf.Empty('f4'))
        else:
            f.create_dataset('x', data=np.float32(1))
        f.flush()
    # multifile names rank 0's call on every rank, mpio each rank's own
    if driver == 'multifile' or comm.rank == 0:
        assert 'null dataspace' in str(raised.value), raised.value
    try:
        f.close()
    except h5mf.CollectiveMismatchError:
        pass  # (multifile reports the mismatch again at close)
    assert not f
