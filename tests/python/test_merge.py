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


def test_view_reads_like_the_merged_file(container, tmp_path):
    import h5py
    make(container)
    report = h5mf.view(container)
    assert isinstance(report, h5mf.ViewReport)
    assert report.output == os.path.join(container, 'view.h5')
    assert report.datasets == 2 and report.records == 2 and report.records_dropped == 0
    assert report.mappings >= 2 and report.bytes_referenced > 0
    assert os.path.isdir(container)  # the container is only read
    merged = tmp_path / 'merged.h5'
    h5mf.merge(container, output=merged)
    with h5py.File(report.output, 'r') as v, h5py.File(merged, 'r') as m:
        assert v['g/x'].is_virtual
        np.testing.assert_array_equal(v['g/x'][...], m['g/x'][...])
        np.testing.assert_array_equal(v['y'][...], m['y'][...])
        assert v['g'].attrs['note'] == 'hello'
    # h5dump agrees too, reading through the virtual mappings.
    assert '(1,0): -1, 5, 6, -1' in h5dump('-d', '/g/x', report.output)


def test_view_to_a_chosen_file(container, tmp_path):
    import h5py
    make(container)
    out = tmp_path / 'v.h5'
    report = h5mf.view(container, out, jobs=2)
    assert report.output == str(out) and report.sources == str(tmp_path / 'v-sources.h5')
    with h5py.File(out, 'r') as f:
        assert f['g/x'][1].tolist() == [-1, 5, 6, -1]
    with pytest.raises(ValueError, match='jobs'):
        h5mf.view(container, jobs=0)


def test_verify_a_healthy_container_and_file(container, tmp_path):
    make(container)
    report = h5mf.verify(container)
    assert isinstance(report, h5mf.VerifyReport)
    assert report and report.exit_code == 0 and report.kind == 'container'
    assert report.datasets == 2 and report.records == 2 and report.records_dropped == 0
    assert [f.file for f in report.data_files] == [0]
    assert report.data_files[0].records == 2 and report.data_files[0].damage == []
    assert 'healthy' in repr(report)
    merged = tmp_path / 'merged.h5'
    h5mf.merge(container, output=merged)
    as_file = h5mf.verify(merged)
    assert as_file and as_file.kind == 'hdf5' and as_file.datasets == 2 and as_file.bytes_read > 0


def test_verify_reports_damage_without_raising(container, tmp_path):
    make(container)
    data = os.path.join(container, '0')
    with open(data, 'r+b') as f:  # flip the last data byte: the last record's data
        f.seek(-1, os.SEEK_END)
        b = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([b[0] ^ 0xff]))
    report = h5mf.verify(container)
    assert not report and report.exit_code == 2 and report.damaged
    assert report.records_dropped == 1
    (damage,) = report.data_files[0].damage
    assert damage.file == data and 'checksum' in damage.reason and damage.sequence is not None
    assert h5mf.verify(container, check_data=False).exit_code == 0  # only the data were damaged
    missing = h5mf.verify(tmp_path / 'nothing.h5')
    assert missing.exit_code == 1 and missing.errors
