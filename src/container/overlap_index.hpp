// Which records of a dataset can overlap a query box, without scanning them all.
//
// A static interval index on the slowest dimension (dimension 0): records sorted by their lower
// bound there, with an implicit balanced tree over that order (the node of positions [lo, hi) sits
// at their middle) holding the maximum upper bound of its subtree. A query visits only subtrees that
// can hold an overlapping interval: O(log n + k log n) for k candidates among n records, O(n log n)
// to build, 16 bytes a record plus the caller's records. Candidates are then checked against the
// whole box by the caller. Dimension 0 is where HPC decompositions (row blocks, time steps appended
// to a growing dataset) separate records; where records differ only in faster dimensions (column
// blocks) they really do overlap every query over all rows, and no index can do better than
// returning them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include "selection/runs.hpp"

namespace h5mf::container {

class OverlapIndex {
 public:
  OverlapIndex() = default;
  // Record i spans [lower0(i), upper0(i)) in dimension 0; ids returned are these positions.
  template <class Lower, class Upper>
  OverlapIndex(std::size_t n, Lower lower0, Upper upper0);
  // The same over whole boxes (`boxes[i]` is record i's bounding box).
  explicit OverlapIndex(const std::vector<selection::Box>& boxes);

  // Positions, in increasing order, of every record whose dimension-0 interval meets the query's
  // and for which `intersects(position)` (the whole-box test) holds.
  std::vector<std::uint32_t> overlapping(const selection::Box& query,
                                         const std::function<bool(std::uint32_t)>& intersects) const;
  // The same with whole boxes; `boxes` must be the vector the index was built from.
  std::vector<std::uint32_t> overlapping(const std::vector<selection::Box>& boxes, const selection::Box& query) const;
  std::size_t size() const { return order_.size(); }

 private:
  void build();  // max_upper_ holds each position's own upper bound; make it the subtrees' maxima
  std::uint64_t build_node(std::size_t lo, std::size_t hi);
  void collect(std::size_t lo, std::size_t hi, std::size_t limit, std::uint64_t query_lower0,
               const std::function<bool(std::uint32_t)>& intersects, std::vector<std::uint32_t>& out) const;

  std::vector<std::uint32_t> order_;      // record positions sorted by lower bound in dimension 0
  std::vector<std::uint64_t> lower_;      // lower bounds in that order
  std::vector<std::uint64_t> max_upper_;  // [mid of lo, hi): max upper bound over order_[lo, hi)
};

template <class Lower, class Upper>
OverlapIndex::OverlapIndex(std::size_t n, Lower lower0, Upper upper0) {
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0u);
  std::vector<std::uint64_t> by_position(n);
  for (std::size_t i = 0; i < n; ++i) by_position[i] = lower0(i);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return by_position[a] < by_position[b]; });
  lower_.resize(n);
  for (std::size_t i = 0; i < n; ++i) lower_[i] = by_position[order_[i]];
  by_position = {};
  max_upper_.resize(n);
  for (std::size_t i = 0; i < n; ++i) max_upper_[i] = upper0(order_[i]);
  build();
}

}  // namespace h5mf::container
