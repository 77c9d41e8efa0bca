"""The library's warnings reach Python as h5mf.H5mfWarning through the warnings module."""

import os
import warnings

import pytest

import h5mf


def damaged_container(tmp_path):
    """A container whose metafile lost its last bytes (a torn tail): opening it warns."""
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f.create_dataset('d', (4,), dtype='i4')
    metafile = os.path.join(path, 'metafile')
    os.truncate(metafile, os.path.getsize(metafile) - 3)
    return path


def test_the_category_is_a_user_warning():
    assert issubclass(h5mf.H5mfWarning, UserWarning)


def test_a_library_warning_is_a_python_warning(tmp_path, capfd):
    path = damaged_container(tmp_path)
    with pytest.warns(h5mf.H5mfWarning, match='metafile: dropped .* bytes from offset') as caught:
        with h5mf.File(path, 'r') as f:
            assert list(f.keys()) == []  # the dataset's record was in the torn tail
    assert len(caught) == 1
    assert 'h5mf: warning' not in capfd.readouterr().err  # not printed as well


def test_an_error_filter_raises_it(tmp_path):
    path = damaged_container(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter('error', h5mf.H5mfWarning)
        with pytest.raises(h5mf.H5mfWarning, match='metafile: dropped'):
            h5mf.File(path, 'r')


def test_ignored_by_a_filter(tmp_path, capfd):
    path = damaged_container(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('ignore', h5mf.H5mfWarning)
        with h5mf.File(path, 'r'):
            pass
    assert caught == []
    assert 'h5mf: warning' not in capfd.readouterr().err
