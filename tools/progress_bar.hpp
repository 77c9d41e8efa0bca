// A one-line progress bar on a terminal: bytes, rate and time left. Prints nothing when stderr is
// not a terminal.
#pragma once

#include <cstdint>

namespace h5mf::tools {

class ProgressBar {
 public:
  explicit ProgressBar(const char* what);
  void update(std::uint64_t done, std::uint64_t total, double seconds);
  void finish();  // ends the line

 private:
  const char* what_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace h5mf::tools
