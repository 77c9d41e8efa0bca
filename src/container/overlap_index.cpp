#include "container/overlap_index.hpp"

#include <algorithm>
#include <numeric>

namespace h5mf::container {
namespace {

// Rank-0 (scalar) boxes have no dimension 0: every one spans [0, 1).
std::uint64_t lower0(const sel::Box& b) { return b.lo.empty() ? 0 : b.lo[0]; }
std::uint64_t upper0(const sel::Box& b) { return b.hi.empty() ? 1 : b.hi[0]; }

}  // namespace

OverlapIndex::OverlapIndex(const std::vector<sel::Box>& boxes) {
  order_.resize(boxes.size());
  std::iota(order_.begin(), order_.end(), 0u);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return lower0(boxes[a]) < lower0(boxes[b]); });
  lower_.resize(order_.size());
  for (std::size_t i = 0; i < order_.size(); ++i) lower_[i] = lower0(boxes[order_[i]]);
  if (order_.empty()) return;
  max_upper_.assign(4 * order_.size(), 0);
  // Iterative bottom-up would need a power of two; a recursive build keeps the layout simple.
  struct Builder {
    const OverlapIndex& self;
    const std::vector<sel::Box>& boxes;
    std::vector<std::uint64_t>& tree;
    std::uint64_t build(std::size_t node, std::size_t lo, std::size_t hi) {
      if (hi - lo == 1) return tree[node] = upper0(boxes[self.order_[lo]]);
      const std::size_t mid = (lo + hi) / 2;
      return tree[node] = std::max(build(2 * node + 1, lo, mid), build(2 * node + 2, mid, hi));
    }
  } builder{*this, boxes, max_upper_};
  builder.build(0, 0, order_.size());
}

void OverlapIndex::collect(const std::vector<sel::Box>& boxes, std::size_t node, std::size_t lo, std::size_t hi,
                           std::size_t limit, const sel::Box& query, std::vector<std::uint32_t>& out) const {
  if (lo >= limit || max_upper_[node] <= lower0(query)) return;  // nothing here reaches the query
  if (hi - lo == 1) {
    const std::uint32_t id = order_[lo];
    if (boxes[id].intersects(query)) out.push_back(id);
    return;
  }
  const std::size_t mid = (lo + hi) / 2;
  collect(boxes, 2 * node + 1, lo, mid, limit, query, out);
  collect(boxes, 2 * node + 2, mid, hi, limit, query, out);
}

std::vector<std::uint32_t> OverlapIndex::overlapping(const std::vector<sel::Box>& boxes,
                                                     const sel::Box& query) const {
  std::vector<std::uint32_t> out;
  if (order_.empty() || query.empty()) return out;
  // Only records starting before the query's end in dimension 0 can overlap it.
  const std::size_t limit =
      static_cast<std::size_t>(std::lower_bound(lower_.begin(), lower_.end(), upper0(query)) - lower_.begin());
  collect(boxes, 0, 0, order_.size(), limit, query, out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace h5mf::container
