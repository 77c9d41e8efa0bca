"""Prepares the input of, and checks the result of, the ported seed programs in python/examples/.

Run by ctest in the example's working directory, after (or, for `prepare-distances`, before) the
example itself:

    check_example.py prepare-distances      coords.hdf5: the container distances.py reads
    check_example.py <example> [ranks]      merge (h5mf.merge), then check with h5py and h5dump
    check_example.py ddl <file> <expected>  h5dump <file> must print <expected> exactly

Exits non-zero with a message on the first difference.
"""

import subprocess
import sys

import numpy as np

import h5mf

# h5py is imported after h5mf on purpose: in a serial process it brings Debian's serial libhdf5
# next to the MPI one h5mf uses, which must work (tests/python/test_h5py_interop.py).
import h5py

COORDS_SEED = 2024


def fail(message):
    sys.exit(f'check_example: {message}')


def h5dump(*args):
    run = subprocess.run(['h5dump', *args], capture_output=True, text=True)
    if run.returncode != 0:
        fail(f'h5dump {" ".join(args)} failed ({run.returncode}): {run.stderr}')
    return run.stdout


def expect_equal(what, got, expected):
    if got != expected:
        fail(f'{what} differs.\n--- expected ---\n{expected}\n--- got ---\n{got}')


def hello_ddl(filename, ranks):
    """The DDL of the seeds' hello programs: dataset 'test' holding 0..ranks-1 (on one line, which
    h5dump uses up to about 20 ranks; the examples run at 4 and 8)."""
    data = ', '.join(str(i) for i in range(ranks))
    return (f'HDF5 "{filename}" {{\nGROUP "/" {{\n   DATASET "test" {{\n      DATATYPE  H5T_STD_I32LE\n'
            f'      DATASPACE  SIMPLE {{ ( {ranks} ) / ( {ranks} ) }}\n      DATA {{\n      (0): {data}\n      }}\n'
            f'   }}\n}}\n}}\n')


def check_hello(filename, ranks):
    h5mf.merge(filename)
    with h5py.File(filename, 'r') as f:
        dset = f['test']
        if dset.dtype != np.dtype('<i4') or dset.shape != (ranks,):
            fail(f'{filename}: test is {dset.dtype} {dset.shape}, expected int32 ({ranks},)')
        if not np.array_equal(dset[...], np.arange(ranks)):
            fail(f'{filename}: test holds {dset[...]}, expected 0..{ranks - 1}')
    expect_equal(f'h5dump {filename}', h5dump(filename), hello_ddl(filename, ranks))


def prepare_distances():
    coords = np.random.default_rng(COORDS_SEED).random((1000, 2), dtype=np.float32)
    with h5mf.File('coords.hdf5', 'w', driver='multifile') as f:
        f.create_dataset('coords', data=coords)


def header(filename, datasets):
    body = ''.join(f'   DATASET "{name}" {{\n      DATATYPE  {dtype}\n'
                   f'      DATASPACE  SIMPLE {{ ( {", ".join(map(str, shape))} ) / '
                   f'( {", ".join(map(str, shape))} ) }}\n   }}\n'
                   for name, dtype, shape in datasets)
    return f'HDF5 "{filename}" {{\nGROUP "/" {{\n{body}}}\n}}\n'


def check_distances():
    h5mf.merge('coords.hdf5')
    expected_coords = np.random.default_rng(COORDS_SEED).random((1000, 2), dtype=np.float32)
    with h5py.File('coords.hdf5', 'r') as f:
        coords, distances = f['coords'][...], f['distances'][...]
    if not np.array_equal(coords, expected_coords):
        fail('coords.hdf5: coords changed')
    if distances.dtype != np.float32 or not np.allclose(distances, np.sqrt(np.sum(coords**2, axis=1)), rtol=1e-6):
        fail(f'coords.hdf5: distances are not the distances of coords: {distances[:5]}...')
    expect_equal('h5dump -H coords.hdf5', h5dump('-H', 'coords.hdf5'),
                 header('coords.hdf5', [('coords', 'H5T_IEEE_F32LE', (1000, 2)),
                                        ('distances', 'H5T_IEEE_F32LE', (1000,))]))


def check_atomicity():
    h5mf.merge('atomicdemo.hdf5')
    with h5py.File('atomicdemo.hdf5', 'r') as f:
        if f['x'].dtype != np.int32 or f['x'][...].tolist() != [42]:
            fail(f'atomicdemo.hdf5: x holds {f["x"][...]}, expected [42]')
    expect_equal('h5dump atomicdemo.hdf5', h5dump('atomicdemo.hdf5'),
                 'HDF5 "atomicdemo.hdf5" {\nGROUP "/" {\n   DATASET "x" {\n      DATATYPE  H5T_STD_I32LE\n'
                 '      DATASPACE  SIMPLE { ( 1 ) / ( 1 ) }\n      DATA {\n      (0): 42\n      }\n   }\n}\n}\n')


def check_sharding():
    # sharding.py merged distances.hdf5 itself; coords.hdf5 is still a container, read directly.
    with h5mf.File('coords.hdf5', 'r') as f:
        coords = f['coords'][...]
    with h5py.File('distances.hdf5', 'r') as f:
        distances = f['distances'][...]
    if not np.allclose(distances, np.sqrt(np.sum(coords**2, axis=1)), rtol=1e-6):
        fail(f'distances.hdf5: distances are not those of coords.hdf5: {distances[:5]}...')
    expect_equal('h5dump -H distances.hdf5', h5dump('-H', 'distances.hdf5'),
                 header('distances.hdf5', [('distances', 'H5T_IEEE_F32LE', (1000,))]))


def main(argv):
    if not argv:
        fail(__doc__)
    what, args = argv[0], argv[1:]
    if what == 'prepare-distances':
        prepare_distances()
    elif what == 'parallel_test':
        check_hello('parallel_test.hdf5', 4)
    elif what == 'hdf5_parallel':
        check_hello('output.h5', int(args[0]))
    elif what == 'distances':
        check_distances()
    elif what == 'atomicity':
        check_atomicity()
    elif what == 'sharding':
        check_sharding()
    elif what == 'ddl':
        with open(args[1]) as expected:
            expect_equal(f'h5dump {args[0]}', h5dump(args[0]), expected.read())
    else:
        fail(f'unknown check {what!r}')
    print(f'check_example {" ".join(argv)}: ok')


if __name__ == '__main__':
    main(sys.argv[1:])
