// h5mf bench --merge-compare: rank 0 alone merges a container with several thread counts and
// copies the same data files with `cat` and with a read/write loop, in one run, so that the ratio
// merge / copy is measured on the same bytes under the same machine noise. It also measures the peak
// RSS of a default `h5mf merge` run as a child process.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench_methods.hpp"

namespace h5mf::tools::bench {

struct MergeCompareRepeat {
  std::vector<std::pair<std::string, double>> seconds;  // step name -> seconds, in run order
  long rss_kib = 0;                                     // peak RSS of `h5mf merge` (default options), by /usr/bin/time
  std::uint64_t data_bytes = 0;                         // bytes of the writers' data files (what cat copies)
};

// Collective (the other ranks wait, asleep); the result is filled on rank 0.
MergeCompareRepeat compare_merges(const Context& ctx, const std::string& container, const std::string& scratch,
                                  const std::vector<unsigned>& threads);

// Step names, in the order compare_merges runs them.
std::string merge_step_name(unsigned threads, bool verify);
inline const char* const kCatStep = "cat";
inline const char* const kCopyStep = "read/write loop";

}  // namespace h5mf::tools::bench
