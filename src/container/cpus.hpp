// How many CPUs this process may run on: the default for thread counts. mpiexec binds each rank
// to a core (OpenMPI does, for up to 2 ranks), and threads beyond the CPUs a process may use only
// take turns on them.
#pragma once

namespace h5mf::container {

// CPUs in this process's affinity mask (sched_getaffinity), else std::thread's count; at least 1.
unsigned usable_cpus();

}  // namespace h5mf::container
