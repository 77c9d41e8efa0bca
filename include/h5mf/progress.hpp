// Progress of a long operation (merge, view, verify), reported to a callback the caller gives in
// the operation's options.
#pragma once

#include <cstdint>
#include <functional>

namespace h5mf {

struct Progress {
  std::uint64_t bytes_done = 0;   // bytes this process has handled so far
  std::uint64_t bytes_total = 0;  // bytes this process handles in all
  double seconds = 0;             // since the operation began
};

// Called from one thread at a time, about five times a second while the work goes on, and once at
// the end with bytes_done == bytes_total. It must not throw.
using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace h5mf
