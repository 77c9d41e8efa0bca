#include "container/shape_history.hpp"

#include <algorithm>

namespace h5mf::container {

void ShapeHistory::add(std::uint64_t epoch, const Extent& dims) {
  if (!steps_.empty() && steps_.back().dims.size() == dims.size()) {
    for (std::size_t d = 0; d < dims.size(); ++d) shrank_ = shrank_ || dims[d] < steps_.back().dims[d];
  }
  steps_.push_back({epoch, dims});
}

Extent ShapeHistory::widest(const Extent& current) const {
  Extent out = current;
  for (const auto& s : steps_) {
    if (s.dims.size() != out.size()) continue;
    for (std::size_t d = 0; d < out.size(); ++d) out[d] = std::max(out[d], s.dims[d]);
  }
  return out;
}

Extent ShapeHistory::kept(std::uint64_t epoch, const Extent& current) const {
  Extent out = current;
  // A shrink at epoch >= `epoch` (a RESIZE of an epoch follows that epoch's writes) cuts the write
  // to its extent in each dimension it shrank. Grows cut nothing: a write that reaches beyond an
  // earlier extent was made knowing a later one (a worker without MPI writes at the epoch it opened
  // with).
  for (std::size_t k = 1; k < steps_.size(); ++k) {
    const Extent& before = steps_[k - 1].dims;
    const Extent& after = steps_[k].dims;
    if (steps_[k].epoch < epoch || after.size() != out.size() || before.size() != out.size()) continue;
    for (std::size_t d = 0; d < out.size(); ++d) {
      if (after[d] < before[d]) out[d] = std::min(out[d], after[d]);
    }
  }
  return out;
}

}  // namespace h5mf::container
