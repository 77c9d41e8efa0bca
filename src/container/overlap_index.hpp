// Which records of a dataset can overlap a query box, without scanning them all.
//
// A static interval index on the slowest dimension (dimension 0): records sorted by their lower
// bound there, with a segment tree of the maximum upper bound over that order. A query visits only
// subtrees that can hold an overlapping interval: O(log n + k log n) for k candidates among n
// records, O(n log n) to build, O(n) memory. Candidates are then checked against the whole box.
// Dimension 0 is where HPC decompositions (row blocks, time steps appended to a growing dataset)
// separate records; where records differ only in faster dimensions (column blocks) they really do
// overlap every query over all rows, and no index can do better than returning them.
#pragma once

#include <cstdint>
#include <vector>

#include "selection/runs.hpp"

namespace h5mf::container {

class OverlapIndex {
 public:
  OverlapIndex() = default;
  // `boxes[i]` is the bounding box of record i; ids returned are these positions. The index keeps
  // no reference to `boxes`: queries take them again (so copies of the owner stay valid).
  explicit OverlapIndex(const std::vector<sel::Box>& boxes);

  // Positions of every box that intersects `query`, in increasing order. `boxes` must be the
  // vector the index was built from.
  std::vector<std::uint32_t> overlapping(const std::vector<sel::Box>& boxes, const sel::Box& query) const;
  std::size_t size() const { return order_.size(); }

 private:
  void collect(const std::vector<sel::Box>& boxes, std::size_t node, std::size_t lo, std::size_t hi,
               std::size_t limit, const sel::Box& query, std::vector<std::uint32_t>& out) const;

  std::vector<std::uint32_t> order_;     // record positions sorted by lower bound in dimension 0
  std::vector<std::uint64_t> lower_;     // lower bounds in that order
  std::vector<std::uint64_t> max_upper_; // segment tree over order_: max upper bound per node
};

}  // namespace h5mf::container
