"""The fixed mapping from h5mf's C++ errors to Python exceptions, with the C++ messages."""

import os

import numpy as np
import pytest

import h5mf


def test_exception_classes():
    assert issubclass(h5mf.FormatError, OSError)
    assert issubclass(h5mf.CollectiveMismatchError, RuntimeError)
    assert h5mf.FormatError.__module__ == 'h5mf' and h5mf.FormatError.__name__ == 'FormatError'
    assert h5mf.CollectiveMismatchError.__module__ == 'h5mf'


def test_not_found_is_key_error(mfile):
    with pytest.raises(KeyError, match="'/nope' not found in file"):
        mfile['nope']


def test_invalid_argument_is_value_error(mfile):
    d = mfile.create_dataset('x', (3,), maxshape=(4,), dtype='i4')
    with pytest.raises(ValueError, match="dataset '/x'.*maxshape"):
        d.resize((5,))
    with pytest.raises(ValueError, match="'..' is not supported"):
        mfile['a/../b']


def test_already_exists_is_value_error(mfile):
    mfile.create_group('g')
    with pytest.raises(ValueError, match="cannot create group 'g': '/g' already exists"):
        mfile.create_group('g')


def test_unsupported_is_not_implemented_error(container):
    # Only the container refuses to write some members of a compound (it logs whole elements).
    mfile = h5mf.File(container, 'w', driver='multifile')
    d = mfile.create_dataset('x', (4,), dtype=[('a', 'i4'), ('b', 'f8')])
    with pytest.raises(NotImplementedError, match="dataset '/x': writing a compound without its members 'b'"):
        d[0:2] = np.zeros(2, dtype=[('a', 'i4')])
    mfile.close()


def test_io_error_is_os_error(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a directory')
    with pytest.raises(OSError):
        h5mf.File(blocker / 'sub.h5', 'w', driver='multifile')


def test_format_error(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        f.create_dataset('x', data=np.arange(4))
    with open(os.path.join(container, 'metafile'), 'r+b') as meta:
        meta.write(b'JUNKJUNK')  # the header's magic
    with pytest.raises(h5mf.FormatError) as info:
        h5mf.File(container, 'r')
    assert isinstance(info.value, OSError)
    assert 'metafile' in str(info.value)
