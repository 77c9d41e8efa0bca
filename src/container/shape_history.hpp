// A dataset's shapes over time: its creation, then every RESIZE. A shrink discards the elements
// outside the new shape (as HDF5 does for chunked datasets): a write made before it keeps only
// what lies inside every shape that shrank after it, so that a later grow shows the fill value
// there, not the old data. Records are ordered by epoch: a RESIZE at epoch E follows every write
// of epochs <= E and precedes every write of later epochs (docs/design.md, "Order").
#pragma once

#include <cstdint>
#include <vector>

#include "h5mf/selection.hpp"

namespace h5mf::container {

class ShapeHistory {
 public:
  // The dataset was created (or resized) at `epoch` with shape `dims`; calls come in epoch order.
  void add(std::uint64_t epoch, const Extent& dims);

  // The shape it was created with (for a dataset of a base file, its extent there).
  const Extent& created() const { return created_; }
  // The box [0, kept) of the elements it had at creation that are still there: a base file's
  // elements that no shrink since discarded (within `current`).
  Extent created_kept(const Extent& current) const;
  // Whether some dimension ever shrank (otherwise nothing is ever cut from a write).
  bool shrank() const { return !shrinks_.empty(); }
  // Every shape's extent, dimension by dimension, at its largest (with `current`): no write can
  // reach beyond it; one within it is placed by a current shape or cut by a shrink.
  Extent widest(const Extent& current) const;
  // The box [0, kept) of a write made at `epoch` that survives every later shrink (within
  // `current`, the shape now).
  Extent kept(std::uint64_t epoch, const Extent& current) const;

 private:
  // Only shrinks are kept (grows cut nothing), so that a dataset grown at every step of a long job
  // costs O(rank), not a step each.
  struct Shrink {
    std::uint64_t epoch = 0;
    Extent dims;               // the shape it gave
    std::vector<bool> shrunk;  // the dimensions it shrank
  };
  std::vector<Shrink> shrinks_;
  Extent created_, last_, widest_;
};

}  // namespace h5mf::container
