"""Issue 18: attributes of variable-length sequences and of compounds with variable-length members
in an MPI job (one rank in the main run, 2 under mpiexec), on the multifile and mpio drivers.
Setting an attribute is collective (every rank gives the same value; HDF5 writes such attributes
with mpio, as h5py's mpio driver does): every rank reads them in the session and reopened, and
after the merge (rank 0) h5py reads them as h5py with driver='mpio' wrote its own file, where
this h5py has MPI. Different values across ranks are a mismatched collective call."""

import os

import numpy as np
import pytest

import h5mf
from conftest import create_or_skip, mismatch_file
from parity import plain

ROW = np.dtype([('id', 'i4'), ('name', h5mf.string_dtype()), ('v', h5mf.vlen_dtype('f8'))])
NAMES = np.dtype([('id', 'i4'), ('name', h5mf.string_dtype())])


def write(f, h):
    """The attributes every rank sets; `h` gives vlen_dtype (h5py or h5mf)."""
    f.attrs.create('a', [np.arange(3), np.arange(2)], dtype=h.vlen_dtype('i4'))
    f.attrs['names'] = np.array([(1, 'ab'), (2, 'cde')], dtype=NAMES)
    f.create_group('g').attrs.create('f', [np.array([1.5]), np.array([], 'f8')], dtype=h.vlen_dtype('f8'))


EXPECTED = {'a': [[0, 1, 2], [0, 1]], 'names': [(1, b'ab'), (2, b'cde')]}
ROWS = [(1, b'ab', [1.0, 2.0]), (2, b'', [])]


def check(f):
    assert {name: plain(f.attrs[name]) for name in EXPECTED} == EXPECTED
    assert plain(f['g'].attrs['f']) == [[1.5], []]
    if 'rows' in f.attrs:
        assert plain(f.attrs['rows']) == ROWS


@pytest.mark.parametrize('driver', ['multifile', 'mpio'])
def test_attributes_across_ranks(comm, shared_dir, driver):
    path = os.path.join(shared_dir, f'attrs-{driver}.h5')
    with create_or_skip(path, driver, comm) as f:
        write(f, h5mf)
        f.attrs['rows'] = np.array([(1, 'ab', np.array([1.0, 2.0])), (2, '', np.array([]))], dtype=ROW)
        check(f)
        f.flush()
        comm.Barrier()
        check(f)
    with h5mf.File(path, 'r', comm=comm) as f:
        check(f)
    import h5py
    reference = None
    if h5py.get_config().mpi and comm.size > 1:  # (h5py picks its MPI build under mpiexec)
        reference = os.path.join(shared_dir, f'attrs-h5py-{driver}.h5')
        with h5py.File(reference, 'w', driver='mpio', comm=comm) as f:
            write(f, h5py)
    comm.Barrier()
    if comm.rank == 0:
        if driver == 'multifile':
            h5mf.merge(path)
        with h5py.File(path, 'r') as f:
            check(f)
            if reference:
                with h5py.File(reference, 'r') as r:
                    for name in EXPECTED:
                        assert f.attrs.get_id(name).dtype == r.attrs.get_id(name).dtype
                        assert plain(f.attrs[name]) == plain(r.attrs[name])
                    assert plain(f['g'].attrs['f']) == plain(r['g'].attrs['f'])
    comm.Barrier()


def test_different_values_are_a_mismatch(comm, shared_dir):
    f = mismatch_file(comm, shared_dir, 'attrs-mismatch.h5')
    f.attrs.create('a', [np.arange(comm.rank + 1), np.arange(2)], dtype=h5mf.vlen_dtype('i4'))
    with pytest.raises(h5mf.CollectiveMismatchError):
        f.close()
