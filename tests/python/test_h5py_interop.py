"""h5py and h5mf side by side.

Debian ships h5py twice (serial and MPI); `import h5py` picks the MPI build only under mpiexec
(OMPI_COMM_WORLD_SIZE set). In a plain process that is the serial libhdf5, while h5mf links the
MPI one (libhdf5_openmpi): both libraries are then loaded in one process, each used by its own
module. These tests check that this works in both import orders, and compare with h5py run in a
subprocess of its own.
"""

import numpy as np
import pytest

import h5mf
from conftest import run_python

CODE = '''
import sys, numpy as np
if sys.argv[1] == "h5py-first":
    import h5py, h5mf
else:
    import h5mf, h5py
libs = sorted({line.split()[-1].rsplit("/", 1)[-1].split(".so")[0]
               for line in open("/proc/self/maps") if "libhdf5" in line})
path = sys.argv[2]
with h5mf.File(path + ".c", "w", driver="multifile") as f:
    f.create_dataset("x", data=np.arange(6, dtype="i4").reshape(2, 3)).attrs["a"] = "b"
with h5py.File(path + ".p", "w") as f:
    f["y"] = np.arange(3.0)
h5mf.merge(path + ".c")
with h5py.File(path + ".c", "r") as f:
    assert f["x"][...].tolist() == [[0, 1, 2], [3, 4, 5]] and f["x"].attrs["a"] == "b"
with h5py.File(path + ".p", "r") as f:
    assert f["y"][...].tolist() == [0.0, 1.0, 2.0]
print(h5py.get_config().mpi, " ".join(libs))
'''


@pytest.mark.parametrize('order', ['h5py-first', 'h5mf-first'])
def test_both_libraries_in_one_process(tmp_path, order):
    out = run_python(CODE, order, tmp_path / 'f').split()
    assert out[0] == 'False'  # the serial h5py
    assert 'libhdf5_openmpi' in out[1:] and 'libhdf5_serial' in out[1:]


def test_in_this_process(container):
    import h5py
    with h5mf.File(container, 'w', driver='multifile') as f:
        f.create_dataset('a/b', data=np.arange(10, dtype='u4'))
    h5mf.merge(container)
    with h5py.File(container, 'r') as f:
        assert f['a/b'].dtype == np.uint32 and f['a/b'][...].tolist() == list(range(10))


def test_h5py_in_a_subprocess_reads_what_h5mf_wrote(container):
    with h5mf.File(container, 'w', driver='multifile') as f:
        d = f.create_dataset('d', (4, 4), dtype='f8', fillvalue=0.5)
        d[1:3, 1:3] = [[1, 2], [3, 4]]
    h5mf.merge(container)
    out = run_python('import sys, h5py\n'
                     'with h5py.File(sys.argv[1], "r") as f:\n'
                     '    print(f["d"][...].tolist(), f["d"].fillvalue)', container)
    assert out.strip() == ('[[0.5, 0.5, 0.5, 0.5], [0.5, 1.0, 2.0, 0.5], [0.5, 3.0, 4.0, 0.5], '
                           '[0.5, 0.5, 0.5, 0.5]] 0.5')
