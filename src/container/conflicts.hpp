// Overlapping writes of different writers within one epoch: undefined under MPI-IO's rules, so
// `verify` reports them (docs/format.md, "Order"). Writes are grouped by epoch; within an epoch
// the per-dataset overlap index proposes only records whose bounding boxes meet, and the exact
// intersection of their runs decides. The cost is near linear when writers write apart (the
// common case); it grows only with the number of record pairs whose boxes really meet.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "container/index.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::container {

struct Conflict {
  std::uint64_t epoch = 0;
  std::uint32_t writer_a = 0, writer_b = 0;  // writer_a < writer_b
  std::uint64_t record_pairs = 0;
  std::uint64_t elements = 0;
  Extent lo, hi;  // bounding box of the overlapping elements, [lo, hi)
  Extent first;   // the overlapping element first in row-major order
  std::uint64_t first_linear = 0;
};

// The conflicts among one dataset's writes, one per (epoch, writer pair), in that order.
// Preconditions: every selection is resolved and lies within `shape` (the dataset's shape: any
// shape that contains every selection gives the same answer). `writes` point at the records, in
// replay order (no copy of them is needed).
std::vector<Conflict> find_conflicts(std::span<const IndexedWrite* const> writes, const Extent& shape);

// The bounding box [lo, hi) of the elements [offset, offset + length) of the row-major order of
// `shape`, merged into `lo`/`hi` (empty vectors: nothing yet). Exposed for tests.
void extend_box(const Extent& shape, std::uint64_t offset, std::uint64_t length, Extent& lo, Extent& hi);

// Row-major coordinates of a linear element index.
Extent coordinates_of(const Extent& shape, std::uint64_t linear);

}  // namespace h5mf::container
