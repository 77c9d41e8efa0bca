"""Issue 18, dimension scales as h5py 3.7 makes them on a plain file (`dset.dims`, `make_scale`,
`attach_scale`, labels), through each driver: in the session, reopened, merged (h5py, `h5dump -A`
and netCDF's `ncdump -h` see what they see in h5py's own file), in the view; errors of h5py's types.
The collective side (two ranks) is test_mpi_dims.py."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import h5mf
from conftest import h5dump
from parity import Recorder, assert_same_outcomes


def populate(f):
    """The same calls through h5py or h5mf (`f` an open file of either)."""
    d = f.create_dataset('d', (3, 4), dtype='f4')
    d[...] = np.arange(12).reshape(3, 4)
    x = f.create_dataset('x', data=np.array([1.5, 2.5, 3.5], dtype='f4'))  # attached without make_scale
    y = f.create_dataset('y', data=np.arange(4, dtype='i4'))
    z = f.create_dataset('g/z', data=np.arange(10, 14, dtype='i4'))
    w = f.create_dataset('w', data=np.arange(20, 24, dtype='i8'))
    y.make_scale('yname')
    z.make_scale()  # NAME "" as h5py writes it
    w.make_scale('w')
    d.dims[0].attach_scale(x)
    for scale in (y, z, w, y):  # y twice: attached once (libhdf5 still notes it in REFERENCE_LIST)
        d.dims[1].attach_scale(scale)
    d.dims[1].detach_scale(y)  # libhdf5 moves the last scale into its place
    d.dims[1].attach_scale(y)
    d.dims[0].label = 'rows'
    e = f.create_dataset('e', (4,), dtype='i2')
    e.dims[0].attach_scale(w)
    e.dims[0].detach_scale(w)  # nothing left attached: DIMENSION_LIST goes
    e.dims[0].label = ''  # an empty label is not HDF5's NULL one
    f.move('w', 'g/w2')  # references follow the object
    t = f.create_dataset('t', (2, 3, 4), dtype='u1')
    t.dims[2].label = 'last'
    t.dims[1].label = 'middle'
    t.dims[2].attach_scale(f['g/w2'])


def is_scale(dset):
    import h5py
    return h5py.h5ds.is_scale(dset.id) if isinstance(dset, h5py.Dataset) else dset.is_scale


def dims_of(f):
    """What h5py shows of every dataset's dimensions, as comparable values."""
    out = {}
    for name in ('d', 'x', 'g/z', 'g/w2', 'y', 'e', 't'):
        dset = f[name]
        dims = []
        for dim in dset.dims:
            dims.append((dim.label, dim.keys(), [s.name for s in dim.values()],
                         [s[...].tolist() for s in dim.values()], len(dim)))
        out[name] = (len(dset.dims), is_scale(dset), dims)
    d = f['d']
    out['lookups'] = (d.dims[1]['yname'].name, d.dims[1][''].name, d.dims[1][-1].name, d.dims[0][0][...].tolist(),
                      [k for k in d.dims[1]], sorted(k for k, _ in d.dims[1].items()))
    return out


def reference(tmp_path):
    import h5py
    path = str(tmp_path / 'ref.h5')
    with h5py.File(path, 'w') as f:
        populate(f)
        expected = dims_of(f)
    return path, expected


def attributes(path):
    """`h5dump -A`, without the file's name and the references' addresses."""
    text = h5dump('-A', path)
    text = re.sub(r'^HDF5 ".*" \{', 'HDF5 {', text)
    return re.sub(r'DATASET \d+ ', 'DATASET ', text)


def open_mine(path, mode, driver):
    return h5mf.File(path, mode, driver=driver, writers=1) if driver == 'multifile' else h5mf.File(path, mode, driver=driver)


@pytest.mark.parametrize('driver', ['multifile', 'sec2'])
def test_dims_as_h5py(tmp_path, available_drivers, driver):
    import h5py
    if driver not in available_drivers:
        pytest.skip(f'no {driver} driver')
    ref_path, expected = reference(tmp_path)
    path = str(tmp_path / 'mine.h5')
    with open_mine(path, 'w', driver) as f:
        populate(f)
        assert dims_of(f) == expected  # in the session (the container's records)
    with h5mf.File(path, 'r') as f:
        assert dims_of(f) == expected  # reopened: a direct read of the container
    if driver == 'multifile':
        assert os.path.isdir(path)
        h5mf.merge(path)
    with h5mf.File(path, 'r') as f:
        assert dims_of(f) == expected
    with h5py.File(path, 'r') as f:
        assert dims_of(f) == expected
    assert attributes(path) == attributes(ref_path)


def test_view_has_the_dims(tmp_path):
    import h5py
    _, expected = reference(tmp_path)
    path = str(tmp_path / 'mine.h5')
    with open_mine(path, 'w', 'multifile') as f:
        populate(f)
    view = str(tmp_path / 'view.h5')
    h5mf.view(path, view)
    with h5py.File(view, 'r') as f:
        assert dims_of(f) == expected


@pytest.mark.skipif(shutil.which('ncdump') is None, reason="no ncdump (Debian's netcdf-bin)")
def test_netcdf_reads_the_merged_dimensions(tmp_path):
    """netCDF-4 reads HDF5 dimension scales as dimensions: a merged file shows the ones h5py's does."""
    import h5py

    def netcdf_like(f):
        time = f.create_dataset('time', data=np.arange(3, dtype='f8'))
        lat = f.create_dataset('lat', data=np.linspace(-45, 45, 4).astype('f4'))
        time.make_scale('time')
        lat.make_scale('lat')
        temp = f.create_dataset('temp', (3, 4), dtype='f4', fillvalue=-1)
        temp[1] = [1, 2, 3, 4]
        temp.dims[0].attach_scale(time)
        temp.dims[1].attach_scale(lat)

    ref = str(tmp_path / 'ref.h5')
    with h5py.File(ref, 'w') as f:
        netcdf_like(f)
    path = str(tmp_path / 'mine.h5')
    with open_mine(path, 'w', 'multifile') as f:
        netcdf_like(f)
    h5mf.merge(path)

    def header(p):
        text = subprocess.run(['ncdump', '-h', p], check=True, capture_output=True, text=True).stdout
        return text.split('\n', 1)[1]  # without "netcdf <name> {"

    mine = header(path)
    assert mine == header(ref)
    assert 'time = 3 ;' in mine and 'lat = 4 ;' in mine and 'float temp(time, lat) ;' in mine


def test_errors_as_h5py(tmp_path, available_drivers):
    import h5py

    def calls(f, record):
        d = f.create_dataset('d', (3, 4), dtype='f4')
        s = f.create_dataset('s', (4,), dtype='i4')
        s.make_scale('s')
        u = f.create_dataset('u', (3,), dtype='i4')
        g = f.create_group('g')
        record('detach not attached', lambda: d.dims[0].detach_scale(s))
        record('attach itself', lambda: d.dims[0].attach_scale(d))
        record('attach to a scale', lambda: s.dims[0].attach_scale(u))
        record('attach', lambda: d.dims[1].attach_scale(s))
        record('make scale of a dataset with scales', lambda: d.make_scale('d'))
        record('a dataset with scales as scale', lambda: u.dims[0].attach_scale(d))
        record('a group as scale', lambda: d.dims[0].attach_scale(g))
        record('dimension out of range', lambda: d.dims[2])
        record('no such scale name', lambda: d.dims[1]['nope'])
        record('scale index out of range', lambda: d.dims[1][3])
        record('index on a dimension without scales', lambda: d.dims[0][0])
        record('label not a string', lambda: setattr(d.dims[0], 'label', 5))
        record('label', lambda: d.dims[0].label)
        record('len without scales', lambda: len(d.dims[0]))
        record('items without scales', lambda: d.dims[0].items())
        record('keys', lambda: d.dims[1].keys())

    ref = Recorder()
    with h5py.File(str(tmp_path / 'ref.h5'), 'w') as f:
        calls(f, ref)
    for driver in available_drivers:
        mine = Recorder()
        with open_mine(str(tmp_path / f'{driver}.h5'), 'w', driver) as f:
            calls(f, mine)
        assert_same_outcomes(mine.outcomes, ref.outcomes)


def test_read_only_and_deleted_scales(tmp_path):
    """A read-only file refuses changes; a scale deleted after attaching is left out of the merged
    file (libhdf5 would keep a reference to a freed object), the rest stays."""
    path = str(tmp_path / 'mine.h5')
    with open_mine(path, 'w', 'multifile') as f:
        d = f.create_dataset('d', (2, 3), dtype='i4')
        a = f.create_dataset('a', data=np.arange(2))
        b = f.create_dataset('b', data=np.arange(3))
        d.dims[0].attach_scale(a)
        d.dims[1].attach_scale(b)
        del f['a']
    with h5mf.File(path, 'r') as f:
        with pytest.raises(RuntimeError, match='read-only'):
            f['d'].dims[0].label = 'x'
        with pytest.raises(RuntimeError, match='read-only'):
            f['b'].make_scale('b')
        assert [s.name for s in f['d'].dims[1].values()] == ['/b']
        assert len(f['d'].dims[0]) == 0  # as in the merged file
    h5mf.merge(path)
    import h5py
    with h5py.File(path, 'r') as f:
        assert len(f['d'].dims[0]) == 0 and f['d'].dims[1][0].name == '/b'
        assert list(f) == ['b', 'd']


def test_container_over_a_file_with_scales(tmp_path):
    """A container over an existing HDF5 file with dimension scales (seed 001's pattern) shows
    them, adds to them, and the merged file is what h5py makes of the same calls on the file."""
    import h5py

    with h5py.File(str(tmp_path / 'base.h5'), 'w') as f:
        d = f.create_dataset('d', data=np.arange(6.0).reshape(2, 3))
        x = f.create_dataset('x', data=[1.0, 2.0])
        x.make_scale('x')
        d.dims[0].attach_scale(x)
        d.dims[1].label = 'c'
    shutil.copy(tmp_path / 'base.h5', tmp_path / 'ref.h5')

    def more(f):
        y = f.create_dataset('y', data=np.arange(3.0))
        f['d'].dims[1].attach_scale(y)
        f['d'].dims[0].label = 'r'
        return [(dim.label, dim.keys(), [s.name for s in dim.values()]) for dim in f['d'].dims]

    with h5py.File(str(tmp_path / 'ref.h5'), 'a') as f:
        expected = more(f)
    path = str(tmp_path / 'base.h5')
    with h5mf.File(path, 'a', driver='multifile') as f:
        assert os.path.isdir(path + '.h5mf')
        assert f['d'].dims[0].keys() == ['x'] and f['d'].dims[1].label == 'c' and f['x'].is_scale
        assert more(f) == expected
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert [(dim.label, dim.keys(), [s.name for s in dim.values()]) for dim in f['d'].dims] == expected
    assert attributes(path) == attributes(str(tmp_path / 'ref.h5'))
