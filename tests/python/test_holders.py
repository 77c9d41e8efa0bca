"""Two processes and one path (docs/design.md): mode 'w', merge and view refuse a container
another process holds, with BlockingIOError (errno EAGAIN, as h5py for a locked file) naming it;
readers share it; nothing is lost."""

import errno
import subprocess
import sys
import textwrap

import h5py
import pytest

import h5mf

# A job that has the container open for writing until told to finish.
HOLDER = textwrap.dedent('''
    import sys
    import h5mf
    f = h5mf.File(sys.argv[1], 'a', driver='multifile')
    f['x'][4:] = [4, 5, 6, 7]
    print('ready', flush=True)
    sys.stdin.readline()
    f.close()
''')


def test_a_container_another_process_writes_is_not_replaced_merged_or_viewed(tmp_path):
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f.create_dataset('x', (8,), dtype='i4')[:4] = [0, 1, 2, 3]
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'ready'
        with pytest.raises(BlockingIOError) as refused:
            h5mf.File(path, 'w', driver='multifile')
        assert refused.value.errno == errno.EAGAIN
        assert f'held by pid {holder.pid} (python3)' in str(refused.value)
        with pytest.raises(BlockingIOError, match=f'pid {holder.pid}'):
            h5mf.merge(path)
        with pytest.raises(BlockingIOError, match=f'pid {holder.pid}'):
            h5mf.view(path)
        with h5mf.File(path, 'r', driver='multifile') as f:  # readers share it
            assert f['x'].shape == (8,)
    finally:
        holder.communicate('\n', timeout=60)
    assert holder.returncode == 0
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert f['x'][...].tolist() == list(range(8))


def test_this_process_cannot_merge_what_it_still_has_open(tmp_path):
    path = str(tmp_path / 'c.h5')
    with h5mf.File(path, 'w', driver='multifile') as f:
        f.create_dataset('x', (4,), dtype='i4')[...] = [1, 2, 3, 4]
        f.flush()
        with pytest.raises(BlockingIOError, match='this process itself'):
            h5mf.merge(path)
    h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert f['x'][...].tolist() == [1, 2, 3, 4]
