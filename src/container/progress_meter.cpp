#include "container/progress_meter.hpp"

#include <algorithm>
#include <utility>

namespace h5mf::container {

namespace {
constexpr double kPeriodSeconds = 0.2;
}

ProgressMeter::ProgressMeter(ProgressCallback report, std::uint64_t total)
    : report_(std::move(report)), total_(total) {}

double ProgressMeter::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void ProgressMeter::advance(std::uint64_t bytes) {
  if (!report_) return;
  const std::uint64_t done = done_ += bytes;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || finished_) return;
  const double now = seconds();
  if (last_ >= 0 && now - last_ < kPeriodSeconds) return;
  last_ = now;
  report_({std::min(done, total_), total_, now});
}

void ProgressMeter::finish() {
  if (!report_) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  report_({total_, total_, seconds()});
}

}  // namespace h5mf::container
