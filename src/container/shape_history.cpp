#include "container/shape_history.hpp"

#include <algorithm>

namespace h5mf::container {

void ShapeHistory::add(std::uint64_t epoch, const Extent& dims) {
  if (last_.size() == dims.size() && !widest_.empty()) {
    Shrink shrink{epoch, dims, std::vector<bool>(dims.size(), false)};
    bool any = false;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      shrink.shrunk[d] = dims[d] < last_[d];
      any = any || shrink.shrunk[d];
      widest_[d] = std::max(widest_[d], dims[d]);
    }
    if (any) shrinks_.push_back(std::move(shrink));
  } else {
    widest_ = dims;  // the creation (a rank change is not a resize: the catalog refuses it)
    created_ = dims;
  }
  last_ = dims;
}

Extent ShapeHistory::widest(const Extent& current) const {
  Extent out = current;
  if (widest_.size() != out.size()) return out;
  for (std::size_t d = 0; d < out.size(); ++d) out[d] = std::max(out[d], widest_[d]);
  return out;
}

Extent ShapeHistory::kept(std::uint64_t epoch, const Extent& current) const {
  Extent out = current;
  // A shrink at epoch >= `epoch` (a RESIZE of an epoch follows that epoch's writes) cuts the write
  // to its extent in each dimension it shrank. Grows cut nothing: a write that reaches beyond an
  // earlier extent was made knowing a later one (a worker without MPI writes at the epoch it opened
  // with).
  for (const Shrink& s : shrinks_) {
    if (s.epoch < epoch || s.dims.size() != out.size()) continue;
    for (std::size_t d = 0; d < out.size(); ++d) {
      if (s.shrunk[d]) out[d] = std::min(out[d], s.dims[d]);
    }
  }
  return out;
}

Extent ShapeHistory::created_kept(const Extent& current) const {
  Extent keep = kept(0, current);
  for (std::size_t d = 0; d < keep.size() && d < created_.size(); ++d) keep[d] = std::min(keep[d], created_[d]);
  return keep;
}

}  // namespace h5mf::container
