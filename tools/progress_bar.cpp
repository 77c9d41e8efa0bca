#include "progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace h5mf::tools {

ProgressBar::ProgressBar(const char* what) : what_(what), enabled_(::isatty(STDERR_FILENO) == 1) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, double seconds) {
  if (!enabled_ || total == 0) return;
  constexpr int kWidth = 30;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * kWidth);
  const double mib = static_cast<double>(done) / (1 << 20);
  const double rate = seconds > 0 ? mib / seconds : 0;
  const double left = rate > 0 ? (static_cast<double>(total - done) / (1 << 20)) / rate : 0;
  fmt::print(stderr, "\r{} [{}{}] {:5.1f}%  {:.0f}/{:.0f} MiB  {:.0f} MiB/s  {:.0f} s left ", what_,
             std::string(static_cast<std::size_t>(filled), '#'), std::string(static_cast<std::size_t>(kWidth - filled), ' '),
             100 * fraction, mib, static_cast<double>(total) / (1 << 20), rate, left);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace h5mf::tools
