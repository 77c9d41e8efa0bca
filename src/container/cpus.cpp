#include "container/cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace h5mf::container {

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace h5mf::container
