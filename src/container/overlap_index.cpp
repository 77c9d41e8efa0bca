#include "container/overlap_index.hpp"

namespace h5mf::container {
namespace {

// Rank-0 (scalar) boxes have no dimension 0: every one spans [0, 1).
std::uint64_t lower0(const selection::Box& b) { return b.lo.empty() ? 0 : b.lo[0]; }
std::uint64_t upper0(const selection::Box& b) { return b.hi.empty() ? 1 : b.hi[0]; }

}  // namespace

OverlapIndex::OverlapIndex(const std::vector<selection::Box>& boxes)
    : OverlapIndex(
          boxes.size(), [&](std::size_t i) { return lower0(boxes[i]); },
          [&](std::size_t i) { return upper0(boxes[i]); }) {}

void OverlapIndex::build() {
  if (!order_.empty()) build_node(0, order_.size());
}

std::uint64_t OverlapIndex::build_node(std::size_t lo, std::size_t hi) {
  // Depth log2(n): recursion is safe.
  if (lo >= hi) return 0;
  const std::size_t mid = lo + (hi - lo) / 2;
  const std::uint64_t left = build_node(lo, mid), right = build_node(mid + 1, hi);
  return max_upper_[mid] = std::max({max_upper_[mid], left, right});
}

void OverlapIndex::collect(std::size_t lo, std::size_t hi, std::size_t limit, std::uint64_t query_lower0,
                           const std::function<bool(std::uint32_t)>& intersects,
                           std::vector<std::uint32_t>& out) const {
  if (lo >= hi || lo >= limit) return;
  const std::size_t mid = lo + (hi - lo) / 2;
  if (max_upper_[mid] <= query_lower0) return;  // nothing here reaches the query
  collect(lo, mid, limit, query_lower0, intersects, out);
  if (mid < limit && intersects(order_[mid])) out.push_back(order_[mid]);
  collect(mid + 1, hi, limit, query_lower0, intersects, out);
}

std::vector<std::uint32_t> OverlapIndex::overlapping(const selection::Box& query,
                                                     const std::function<bool(std::uint32_t)>& intersects) const {
  std::vector<std::uint32_t> out;
  if (order_.empty() || query.empty()) return out;
  // Only records starting before the query's end in dimension 0 can overlap it.
  const std::size_t limit =
      static_cast<std::size_t>(std::lower_bound(lower_.begin(), lower_.end(), upper0(query)) - lower_.begin());
  collect(0, order_.size(), limit, lower0(query), intersects, out);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> OverlapIndex::overlapping(const std::vector<selection::Box>& boxes,
                                                     const selection::Box& query) const {
  return overlapping(query, [&](std::uint32_t id) { return boxes[id].intersects(query); });
}

}  // namespace h5mf::container
