"""h5mf.merge and h5mf.view; the merged file read with h5py and h5dump."""

import os

import numpy as np
import pytest

import h5mf
from conftest import h5dump


def make(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        d = f.create_dataset('g/x', (3, 4), dtype='i2', fillvalue=-1)
        d[1, 1:3] = [5, 6]
        f.create_dataset('y', data=np.linspace(0, 1, 5))
        f['g'].attrs['note'] = 'hello'


def test_merge_in_place(container):
    import h5py
    make(container)
    report = h5mf.merge(container)
    assert isinstance(report, h5mf.MergeReport)
    assert report.output == container
    assert report.datasets == 2 and report.groups >= 1 and report.attributes == 1
    assert report.records == 2 and report.records_dropped == 0 and report.damage == []
    assert report.bytes_written > 0 and report.seconds >= 0
    assert 'records' in repr(report)
    assert os.path.isfile(container)
    with h5py.File(container, 'r') as f:
        assert f['g/x'].dtype == np.dtype('<i2')
        assert f['g/x'][...].tolist() == [[-1, -1, -1, -1], [-1, 5, 6, -1], [-1, -1, -1, -1]]
        assert f['g/x'].fillvalue == -1
        np.testing.assert_array_equal(f['y'][...], np.linspace(0, 1, 5))
        assert f['g'].attrs['note'] == 'hello'
    dump = h5dump('-d', '/g/x', container)
    assert 'H5T_STD_I16LE' in dump and '(1,0): -1, 5, 6, -1' in dump


def test_merge_to_output_keeps_the_container(container, tmp_path):
    import h5py
    make(container)
    out = tmp_path / 'out.h5'
    report = h5mf.merge(container, output=out, jobs=4)  # jobs: accepted, ignored for now
    assert report.output == str(out)
    assert os.path.isdir(container) and os.path.isfile(out)
    with h5py.File(out, 'r') as f:
        assert f['g/x'][1].tolist() == [-1, 5, 6, -1]
    with h5mf.File(container, 'r') as f:  # still a container, still readable
        assert f['g/x'][1].tolist() == [-1, 5, 6, -1]


def test_merged_file_reads_like_the_container(container, tmp_path, available_drivers):
    if 'sec2' not in available_drivers:
        pytest.skip('reading a merged file with h5mf needs the sec2 driver')
    make(container)
    h5mf.merge(container)
    with h5mf.File(container, 'r') as f:
        assert f.driver == 'sec2'
        assert f['g/x'][1].tolist() == [-1, 5, 6, -1]


def test_merge_arguments(container):
    make(container)
    with pytest.raises(ValueError, match='jobs'):
        h5mf.merge(container, jobs=0)
    with pytest.raises((KeyError, OSError, ValueError)):
        h5mf.merge(container + '.missing')


def test_view_is_not_implemented(container):
    make(container)
    with pytest.raises(NotImplementedError, match='zero-copy view is not implemented yet'):
        h5mf.view(container)
