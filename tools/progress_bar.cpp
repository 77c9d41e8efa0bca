#include "progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace h5mf::tools {

namespace {
double interval_from_environment() {
  const char* text = std::getenv("H5MF_PROGRESS_SECONDS");
  const double seconds = text ? std::atof(text) : 0;
  return seconds > 0 ? seconds : 10;
}
}  // namespace

ProgressBar::ProgressBar(const char* what)
    : what_(what), terminal_(::isatty(STDERR_FILENO) == 1), interval_(interval_from_environment()) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, double seconds) {
  if (total == 0) return;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double mib = static_cast<double>(done) / (1 << 20);
  const double total_mib = static_cast<double>(total) / (1 << 20);
  const double rate = seconds > 0 ? mib / seconds : 0;
  const double left = rate > 0 ? (total_mib - mib) / rate : 0;
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{} [{}{}] {:5.1f}%  {:.0f}/{:.0f} MiB  {:.0f} MiB/s  {:.0f} s left ", what_,
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(kWidth - filled), ' '), 100 * fraction, mib, total_mib, rate, left);
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  // A log reads lines: the first, one per interval, and the last, each complete and dated by its
  // elapsed seconds.
  const bool complete = done >= total;
  if (finished_line_ || !(last_line_ < 0 || seconds - last_line_ >= interval_ || complete)) return;
  fmt::print(stderr, "{}: {:.1f}% {:.1f}/{:.1f} MiB, {:.0f} MiB/s, {:.1f} s elapsed, {:.0f} s left\n", what_,
             100 * fraction, mib, total_mib, rate, seconds, left);
  std::fflush(stderr);
  last_line_ = seconds;
  finished_line_ = complete;
}

void ProgressBar::finish() {
  if (drawn_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace h5mf::tools
