"""One rank raising inside `with h5mf.File(..., comm=...)` never hangs the others (issue 23).

    rank_failure.py CASE RANKS      runs the job below under mpiexec and judges it (a ctest test)
    rank_failure.py --job CASE DIR  one rank of that job

Every rank writes x[rank] and flushes, then writes y[rank]; rank 1 raises ValueError. Cases:
- caught: the others close; every rank catches its exception outside the `with` block, and the job
  goes on (a barrier, then rank 0 reads the container back in the same job);
- uncaught: the others close; every exception propagates out of the script;
- blocked: the others never reach close(): they wait in an mpi4py barrier. Rank 1 waits for them
  for H5MF_COLLECTIVE_TIMEOUT seconds, then aborts the job with a message.
- mpio: as caught, with the mpio driver (one shared HDF5 file): the others' next collective call
  (creating z) closes the file together with rank 1 and raises.
Before closing, the ranks that stay create z, which rank 1 never made (it left first): that is no
disagreement, and z keeps what they wrote.

The judge runs the job with a generous time limit (a hang is a failure, not a stall: the process
group is killed), then checks what each rank reported (a file per rank: mpiexec interleaves the
ranks' output) and the job's output, and that the container verifies and holds what was written
before the exception.
"""

import os
import signal
import subprocess
import sys
import tempfile

LEAVER = 1
REASON = f'ValueError: boom on rank {LEAVER}'
# Far beyond what the job needs: only a hang reaches it (H5MF_TEST_JOB_SECONDS: to try a build that hangs).
JOB_SECONDS = float(os.environ.get('H5MF_TEST_JOB_SECONDS', 240))


def job(case, directory):
    from mpi4py import MPI

    import h5mf

    comm = MPI.COMM_WORLD
    rank, size = comm.rank, comm.size
    path = os.path.join(directory, 'c.h5')

    def report(line):
        with open(os.path.join(directory, f'report.{rank}'), 'a') as out:
            out.write(line + '\n')
    try:
        with h5mf.File(path, 'w', driver='mpio' if case == 'mpio' else 'multifile', comm=comm) as f:
            x = f.create_dataset('x', (size,), dtype='i4')
            y = f.create_dataset('y', (size,), dtype='i4')
            x[rank] = rank + 1
            f.flush()
            y[rank] = 10 + rank
            if rank == LEAVER:
                raise ValueError(f'boom on rank {rank}')
            if case == 'blocked':
                comm.Barrier()  # rank 1 never comes: only its bounded wait ends the job
            z = f.create_dataset('z', (size,), dtype='i4')
            z[rank] = 20 + rank
    except Exception as e:  # noqa: BLE001 - every rank reports what it got, then decides
        report(f'rank {rank} got {type(e).__name__}: {e}')
        if case == 'uncaught':
            raise
    else:
        report(f'rank {rank} got no error')
    comm.Barrier()  # the job goes on after the error
    if rank == 0:
        with h5mf.File(path, 'r') as f:
            z = f['z'][...].tolist() if 'z' in f else None
            report(f"rank 0 read x={f['x'][...].tolist()} y={f['y'][...].tolist()} z={z}")


def judge(case, ranks):
    import h5mf

    failures = []
    with tempfile.TemporaryDirectory(prefix=f'h5mf-rank-failure-{case}-') as directory:
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
                   OMPI_MCA_mpi_yield_when_idle='1')
        if case == 'blocked':
            env['H5MF_COLLECTIVE_TIMEOUT'] = '3'  # they never come, whatever the load: no timing
        command = [os.environ.get('MPIEXEC', 'mpiexec'), '-n', str(ranks), '--oversubscribe',
                   sys.executable, os.path.abspath(__file__), '--job', case, directory]
        job_process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                       start_new_session=True)
        try:
            output, _ = job_process.communicate(timeout=JOB_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(job_process.pid, signal.SIGKILL)
            output, _ = job_process.communicate()
            print(output)
            print(f'FAIL: the job hung (killed after {JOB_SECONDS} s)')
            return 1
        print(output)
        text = {}
        for r in range(ranks):
            report = os.path.join(directory, f'report.{r}')
            text[r] = open(report).read() if os.path.exists(report) else ''
        stayers = [r for r in range(ranks) if r != LEAVER]

        if case == 'blocked':
            expected = (f'h5mf: rank {LEAVER}: leaving container \'{directory}/c.h5\' after an exception '
                        f'({REASON}), and waited 3 s')
            if expected not in output or 'the job is aborted rather than left to hang' not in output:
                failures.append(f'rank {LEAVER} did not say that it aborts the job: expected {expected!r}')
            if job_process.returncode == 0:
                failures.append('the job ended with status 0 after an abort')
        else:
            where = f"file '{directory}/c.h5' (mpio driver)" if case == 'mpio' else f"container '{directory}/c.h5'"
            want = (f'rank {{}} got CollectiveMismatchError: {where}: rank {LEAVER} left the file with an exception: '
                    f'{REASON}. The file is closed on every rank')
            for r in stayers:
                if want.format(r) not in text[r]:
                    failures.append(f'rank {r} did not get the error naming rank {LEAVER}: expected {want.format(r)!r}')
            if f'rank {LEAVER} got {REASON}' not in text[LEAVER]:
                failures.append(f'rank {LEAVER} did not get its own exception back')
            if case in ('caught', 'mpio'):
                if job_process.returncode != 0:
                    failures.append(f'the job failed (status {job_process.returncode}) although every rank caught')
                if 'rank 0 read x=' not in text[0]:
                    failures.append('rank 0 did not read the container back in the same job')
            else:
                if job_process.returncode == 0:
                    failures.append('the job ended with status 0 although exceptions went uncaught')
                if 'Traceback' not in output:
                    failures.append('no traceback: the exceptions did not propagate')

        # The container afterwards: it verifies, and holds what was written before the exception.
        path = os.path.join(directory, 'c.h5')
        report = h5mf.verify(path)
        if report.exit_code != 0:
            failures.append(f'verify is not clean: {report!r}')
        with h5mf.File(path, 'r') as f:
            x, y = f['x'][...].tolist(), f['y'][...].tolist()
            if x != [r + 1 for r in range(ranks)]:
                failures.append(f'x (written and flushed by every rank) reads {x}')
            if case != 'blocked':
                if y != [10 + r for r in range(ranks)]:
                    failures.append(f'y (written by every rank before rank {LEAVER} left) reads {y}')
                z = f['z'][...].tolist() if 'z' in f else None
                expected_z = None if case == 'mpio' else [0 if r == LEAVER else 20 + r for r in range(ranks)]
                if z != expected_z:
                    failures.append(f'z (made by the ranks that stayed; mpio: never made) reads {z}, not {expected_z}')
    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


def main():
    if sys.argv[1] == '--job':
        job(sys.argv[2], sys.argv[3])
        return 0
    return judge(sys.argv[1], int(sys.argv[2]))


if __name__ == '__main__':
    sys.exit(main())
