// h5mf growth: one measured point. A job of `ranks` writers creates a container with `datasets`
// datasets (in groups of 100) and one attribute each, resizes one extra dataset `datasets` times,
// writes `records` write records of `write_bytes` each (over all ranks, round-robin over the
// datasets), reads in the session, closes, reopens to read, and merges. Each phase is timed from
// a barrier to a barrier; the time is the slowest rank's.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace h5mf::tools::growth {

struct Point {
  std::uint64_t datasets = 1;
  std::uint64_t records = 1;  // over all ranks
  std::uint64_t write_bytes = 1024;
};

struct Measurement {
  std::vector<std::pair<std::string, double>> seconds;  // phase -> slowest rank's seconds, in run order
  // The same phases' CPU time (the process's, all threads), largest over ranks: unlike the wall
  // time it does not count the time a rank waited for a core on a busy machine, but it does count
  // a rank spinning in a collective call. Merge sub-phases are wall time only.
  std::vector<std::pair<std::string, double>> cpu_seconds;
  std::uint64_t files = 0;  // files in the container directory
  std::uint64_t metafile_bytes = 0;
  std::uint64_t index_bytes = 0;   // all writers' `<w>.offset` files
  std::uint64_t data_bytes = 0;    // all writers' data files
  std::uint64_t peak_rss_kib = 0;  // largest peak RSS of any rank so far (getrusage)
};

// Collective over `comm`. The container and the merged file are made under `dir` and removed.
// Throws (on every rank) if the merge does not replay every record and every byte.
Measurement measure(MPI_Comm comm, const std::string& dir, const Point& point, unsigned merge_threads);

// The phases, in the order `measure` reports them.
const std::vector<std::string>& phase_names();

}  // namespace h5mf::tools::growth
