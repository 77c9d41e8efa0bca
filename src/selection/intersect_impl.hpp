// Template definition of h5mf::selection::intersect; included at the end of selection/runs.hpp.
#pragma once

#include <algorithm>
#include <cstdint>

#include "selection/runs.hpp"

namespace h5mf::selection {

template <class TargetCursorT, class Sink>
void intersect(RunCursor& source, TargetCursorT& target, Sink&& sink) {
  Run source_run, target_run;
  bool has_source = source.next(source_run);
  bool has_target = has_source && target.next(target_run);
  while (has_source && has_target) {
    const std::uint64_t source_end = source_run.offset + source_run.length;
    const std::uint64_t target_end = target_run.offset + target_run.length;
    if (source_end <= target_run.offset) {
      has_source = source.next(source_run);
      continue;
    }
    if (target_end <= source_run.offset) {
      has_target = target.next(target_run);
      continue;
    }
    const std::uint64_t lo = std::max(source_run.offset, target_run.offset);
    const std::uint64_t hi = std::min(source_end, target_end);
    sink(Overlap{lo, hi - lo, source_run.data_index + (lo - source_run.offset),
                 target_run.data_index + (lo - target_run.offset)});
    // On a tie advance the target: its next run may repeat this offset (a duplicated point) and
    // still need the current source run. A repeated target run has length 1, so it is never the
    // one left behind when the source advances.
    if (target_end <= source_end) {
      has_target = target.next(target_run);
    } else {
      has_source = source.next(source_run);
    }
  }
}

}  // namespace h5mf::selection
