"""The GIL is released during I/O, and the library lock keeps concurrent Python threads safe."""

import threading

import numpy as np

import h5mf


def test_threads_write_and_read_concurrently(mfile):
    n, size = 4, 200_000
    dsets = [mfile.create_dataset(f'd{i}', (size,), dtype='f8') for i in range(n)]
    errors = []

    def work(i):
        try:
            for round_ in range(3):
                dsets[i][...] = np.full(size, i + round_, dtype='f8')
                assert dsets[i][size - 1] == i + round_
        except Exception as e:  # reported below: a thread's exception would otherwise be lost
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in range(n):
        assert np.all(dsets[i][...] == i + 2)


def test_other_threads_run_during_io(mfile):
    # While one thread writes 64 MiB, another keeps counting: it could not if the GIL were held.
    data = np.ones(8 << 20)
    dset = mfile.create_dataset('big', data.shape, dtype='f8')
    done = threading.Event()
    ticks = []

    def count():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.0005)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        for _ in range(3):
            dset[...] = data
    finally:
        done.set()
        counter.join()
    assert len(ticks) > 1
    assert dset[-1] == 1.0
