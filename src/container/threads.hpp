// Threads for the work that goes in parallel within a process (checking data, removing files):
// how many a process should use, and running one piece of work on that many.
#pragma once

#include <functional>

namespace h5mf::container {

// CPUs in this process's affinity mask (sched_getaffinity), else std::thread's count; at least 1:
// the default for thread counts. mpiexec binds each rank to a core (OpenMPI does, for up to 2
// ranks), and threads beyond the CPUs a process may use only take turns on them.
unsigned usable_cpus();

// Runs `work` on `threads` threads, this one included, and returns when all are done. `work`
// takes its own items (from an atomic counter, say), so threads that finish early take more. The
// first exception any thread throws is rethrown here, after all have stopped.
void run_on_threads(unsigned threads, const std::function<void()>& work);

}  // namespace h5mf::container
