"""Writers for check_tool.cmake in Python: `write_h5py.py NAME PATTERN` makes NAME in the current
directory. Patterns:
- references: a plain HDF5 file written by h5py with object references (datasets, attributes,
  sequences of them, compounds holding them), dimension scales and named datatypes, for the
  `plain_*` modes (h5mf's tools against h5dump and h5ls of the same file);
- regions: a plain file with region references, which `h5mf dump` refuses (`plain_refused`);
- scales: a container written through h5mf's Python package with dimension scales, labels and
  named datatypes, for the modes that compare a container with its merged file.
"""
import sys

import numpy as np


def references(name):
    import h5py
    with h5py.File(name, 'w') as f:
        f['x'] = np.arange(4.)
        f['x'].make_scale('xs')
        f['y'] = np.arange(3, dtype='i2')
        f['d'] = np.zeros((4, 3))
        f['d'].dims[0].attach_scale(f['x'])
        f['d'].dims[0].label = 't'
        f['d'].dims[1].attach_scale(f['y'])
        f['e'] = np.zeros((2, 4))
        f['e'].dims[1].attach_scale(f['x'])  # dimension 0 without scales: ()
        g = f.create_group('g')
        g['m'] = np.arange(40).reshape(2, 20)
        g['also_x'] = f['x']  # a second name: references name the first of h5dump's walk
        f['t'] = np.dtype('i4')
        f['t'].attrs['note'] = 'a named type'
        f['t_again'] = f['t']  # HARDLINK "/t"
        g['u'] = np.dtype([('a', 'i4'), ('b', 'f8')])
        g['e'] = h5py.enum_dtype({'A': 0, 'B': 1}, basetype='i1')
        r = f.create_dataset('r', (5,), dtype=h5py.ref_dtype)
        r[0] = f['x'].ref
        r[1] = g.ref
        r[3] = f['t'].ref
        r[4] = g['m'].ref
        f.create_dataset('scalar_ref', (), dtype=h5py.ref_dtype)[()] = f['r'].ref
        f.attrs['one'] = f['y'].ref
        f.attrs.create('two', [f['x'].ref, f.ref], dtype=h5py.ref_dtype)
        v = f.create_dataset('v', (3,), dtype=h5py.vlen_dtype(h5py.ref_dtype))
        v[0] = np.array([g['m'].ref, f['x'].ref], dtype=h5py.ref_dtype)
        v[2] = np.array([f['t'].ref], dtype=h5py.ref_dtype)
        c = f.create_dataset('c', (2,), dtype=[('ref', h5py.ref_dtype), ('n', 'i4')])
        c[0] = (g['m'].ref, 3)
    with h5py.File(name, 'a') as f:  # a dataset and an attribute of a named datatype
        f.create_dataset('of_t', (2,), dtype=f['t'])
        f['g/m'].attrs.create('of_t', 7, dtype=f['t'])


def regions(name):
    import h5py
    with h5py.File(name, 'w') as f:
        f['x'] = np.arange(4.)
        f.create_dataset('pairs', (1,), dtype=h5py.regionref_dtype)[0] = f['x'].regionref[1:3]


def scales(name):
    import h5mf
    with h5mf.File(name, 'w', driver='multifile') as f:
        f['x'] = np.arange(4.)
        f['x'].make_scale('xs')
        f['y'] = np.arange(3, dtype='i2')
        f['y'].make_scale()
        f['d'] = np.zeros((4, 3))
        f['d'].dims[0].attach_scale(f['x'])
        f['d'].dims[0].label = 't'
        f['d'].dims[1].attach_scale(f['y'])
        f['d'].dims[1].attach_scale(f['x'])  # two scales on one dimension
        f['e'] = np.zeros((2, 4))
        f['e'].dims[1].attach_scale(f['x'])
        f['e'].dims[1].label = 'along'
        f['t'] = np.dtype('i4')
        g = f.create_group('g')
        g['u'] = np.dtype([('a', 'i4'), ('b', 'f8')])
        g['s'] = np.dtype('S5')
        g['w'] = np.ones(2)
        g['w'].dims[0].attach_scale(f['y'])
        f['a'] = np.ones(3)  # first in name order, last in the scale's REFERENCE_LIST
        f['a'].dims[0].attach_scale(f['y'])


if __name__ == '__main__':
    {'references': references, 'regions': regions, 'scales': scales}[sys.argv[2]](sys.argv[1])
