"""h5mf's limits (docs/design.md, "Hostile files"): refused at creation with ValueError, as h5py
(HDF5) refuses shapes whose storage overflows and chunks of 4 GiB or more."""

import pytest


def test_shapes_beyond_64_bits(mfile):
    with pytest.raises(ValueError, match="'/a'.*more than 2\\^64 elements"):
        mfile.create_dataset('a', (2**61, 8), dtype='u1')
    with pytest.raises(ValueError, match="'/b'.*2\\^64"):
        mfile.create_dataset('b', (2**32, 2**32 + 1), dtype='u1')
    with pytest.raises(ValueError, match="'/c'.*maximum shape"):
        mfile.create_dataset('c', (1, 1), maxshape=(2**62, 2**3), dtype='u1')
    d = mfile.create_dataset('d', (1, 1), maxshape=(None, None), dtype='u1')
    with pytest.raises(ValueError, match="'/d'.*2\\^64"):
        d.resize((2**40, 2**40))
    assert mfile.create_dataset('e', (2**62,), dtype='u1').size == 2**62
    assert list(mfile) == ['d', 'e']


def test_chunks_of_4_gib(mfile):
    with pytest.raises(ValueError, match="chunk size must be < 4GB"):
        mfile.create_dataset('a', (2**33,), dtype='u1', chunks=(2**32,))
    mfile.create_dataset('b', (2**33,), dtype='u1', chunks=(2**32 - 1,))


def test_nesting_deeper_than_1024(mfile):
    mfile.create_group('/'.join(['n'] * 1024))
    with pytest.raises(ValueError, match="1025 deep"):
        mfile.create_group('/'.join(['n'] * 1025))
