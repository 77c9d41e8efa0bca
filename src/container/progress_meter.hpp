// Counts the bytes that threads get through and hands the count to a ProgressCallback, at most
// about five times a second (the threads never wait for it: a thread that finds another reporting
// goes on), and once at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "h5mf/progress.hpp"

namespace h5mf::container {

class ProgressMeter {
 public:
  // No callback: advance() and finish() do nothing.
  ProgressMeter(ProgressCallback report, std::uint64_t total);
  void advance(std::uint64_t bytes);  // any thread
  void finish();                      // the 100% report, once

 private:
  double seconds() const;

  ProgressCallback report_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
  double last_ = -1;  // when the last report went out (under mutex_)
  bool finished_ = false;
};

}  // namespace h5mf::container
