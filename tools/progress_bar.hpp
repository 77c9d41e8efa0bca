// Progress of a long command for the person or the batch log watching it: on a terminal, a
// one-line bar (bytes, rate, time left) redrawn in place; otherwise (stderr to a file, a batch
// job's log) a plain line at the start, every H5MF_PROGRESS_SECONDS (default 10) and at the end.
#pragma once

#include <cstdint>

#include "h5mf/progress.hpp"

namespace h5mf::tools {

class ProgressBar {
 public:
  explicit ProgressBar(const char* what);
  void update(std::uint64_t done, std::uint64_t total, double seconds);
  void finish();  // ends the bar's line
  // What an operation's options take: update() with its progress.
  ProgressCallback callback() {
    return [this](const Progress& p) { update(p.bytes_done, p.bytes_total, p.seconds); };
  }

 private:
  const char* what_;
  bool terminal_;
  double interval_;             // seconds between plain lines
  bool drawn_ = false;          // terminal: a bar is on the line
  double last_line_ = -1;       // plain: when the last line was printed (-1: none yet)
  bool finished_line_ = false;  // plain: the 100% line is out
};

}  // namespace h5mf::tools
