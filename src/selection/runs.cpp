#include "selection/runs.hpp"

#include <algorithm>
#include <optional>
#include <variant>

#include <fmt/format.h>

#include "h5mf/error.hpp"

namespace h5mf::selection {

std::uint64_t linear_index(const Extent& shape, std::span<const std::uint64_t> coordinate) {
  std::uint64_t index = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) index = index * shape[d] + coordinate[d];
  return index;
}

std::uint64_t num_elements(const Extent& shape) {
  std::uint64_t n = 1;
  for (const auto extent : shape) n *= extent;
  return n;
}

namespace {

// One dimension of a hyperslab: `count` blocks of `block` indices, `stride` apart from `start`,
// in a dimension of `extent` indices.
struct SlabDim {
  std::uint64_t extent, start, stride, count, block;

  // Blocks that touch each other form one block: fewer, longer runs.
  void merge_touching_blocks() {
    if (count == 1 || stride == block) {
      block *= count;
      count = 1;
      stride = block;  // unused with one block; keeps later multiplications in range
    }
  }
  bool covers_extent() const { return count == 1 && start == 0 && block == extent; }
};

// The runs of a hyperslab, generated lazily: an odometer over the outer dimensions, and the
// blocks of the innermost dimension within each row.
class SlabRuns {
 public:
  SlabRuns(const Hyperslab& slab, const Extent& shape) {
    const std::size_t rank = shape.size();
    if (rank == 0) {
      dims_.push_back(SlabDim{1, 0, 1, 1, 1});  // a scalar: its one element
    }
    for (std::size_t d = 0; d < rank; ++d) {
      if (slab.count[d] == 0 || slab.block[d] == 0) {
        exhausted_ = true;
        return;
      }
      dims_.push_back(SlabDim{shape[d], slab.start[d], slab.stride[d], slab.count[d], slab.block[d]});
      dims_.back().merge_touching_blocks();
    }
    // An innermost dimension selected in full makes each selected index of the dimension above
    // one contiguous stretch: fold the two into one dimension, so that whole rows (planes...)
    // come out as one run without iterating over them.
    while (dims_.size() >= 2 && dims_.back().covers_extent()) {
      const std::uint64_t inner_extent = dims_.back().extent;
      dims_.pop_back();
      SlabDim& outer = dims_.back();
      outer.extent *= inner_extent;
      outer.start *= inner_extent;
      outer.stride *= inner_extent;
      outer.block *= inner_extent;  // scaling keeps stride > block: no blocks start touching
    }
    const std::size_t outer_rank = dims_.size() - 1;
    pitch_.assign(outer_rank, 0);
    std::uint64_t pitch = dims_.back().extent;
    for (std::size_t d = outer_rank; d-- > 0;) {
      pitch_[d] = pitch;
      pitch *= dims_[d].extent;
    }
    block_number_.assign(outer_rank, 0);
    index_in_block_.assign(outer_rank, 0);
    for (std::size_t d = 0; d < outer_rank; ++d) row_offset_ += dims_[d].start * pitch_[d];
  }

  bool next(Run& run) {
    if (!has_pending_ && !next_piece(pending_)) return false;
    has_pending_ = false;
    // Pieces of consecutive rows can touch (last block ends a row, first block starts the next
    // one); data indices of consecutive pieces are always contiguous, so offsets decide alone.
    Run piece;
    while (next_piece(piece)) {
      if (piece.offset == pending_.offset + pending_.length) {
        pending_.length += piece.length;
        continue;
      }
      run = pending_;
      pending_ = piece;
      has_pending_ = true;
      return true;
    }
    run = pending_;
    return true;
  }

 private:
  // One block of the innermost dimension in the current row.
  bool next_piece(Run& run) {
    if (exhausted_) return false;
    const SlabDim& inner = dims_.back();
    run.offset = row_offset_ + inner.start + inner_block_ * inner.stride;
    run.length = inner.block;
    run.data_index = data_index_;
    data_index_ += inner.block;
    if (++inner_block_ == inner.count) {
      inner_block_ = 0;
      exhausted_ = !advance_row();
    }
    return true;
  }

  // Steps the odometer over the outer dimensions; false after the last row.
  bool advance_row() {
    for (std::size_t d = pitch_.size(); d-- > 0;) {
      const SlabDim& dim = dims_[d];
      if (index_in_block_[d] + 1 < dim.block) {
        ++index_in_block_[d];
        row_offset_ += pitch_[d];
        return true;
      }
      row_offset_ -= index_in_block_[d] * pitch_[d];
      index_in_block_[d] = 0;
      if (block_number_[d] + 1 < dim.count) {
        ++block_number_[d];
        row_offset_ += dim.stride * pitch_[d];
        return true;
      }
      row_offset_ -= block_number_[d] * dim.stride * pitch_[d];
      block_number_[d] = 0;
    }
    return false;
  }

  std::vector<SlabDim> dims_;  // after folding; the last one is the innermost
  // Per outer dimension: elements per index step, and the odometer position.
  std::vector<std::uint64_t> pitch_, block_number_, index_in_block_;
  std::uint64_t row_offset_ = 0;  // linear offset of index 0 of the current row
  std::uint64_t inner_block_ = 0;
  std::uint64_t data_index_ = 0;
  bool exhausted_ = false;
  bool has_pending_ = false;
  Run pending_;
};

// The runs of a point selection, sorted by offset once. Duplicated points either keep only their
// last occurrence (a source: the later write wins) or all of them (a target: each is delivered).
class PointRuns {
 public:
  PointRuns(const Selection& selection, const Extent& shape, bool keep_duplicates) {
    const std::size_t rank = shape.size();
    const std::uint64_t n = selection.num_points();
    const std::vector<std::uint64_t>& flat = selection.flat_points();
    elements_.reserve(n);
    for (std::uint64_t p = 0; p < n; ++p) {
      elements_.push_back(
          Element{linear_index(shape, std::span<const std::uint64_t>(flat).subspan(p * rank, rank)), p});
    }
    // Data indices are unique, so sorting by (offset, data index) is the stable sort by offset;
    // points often come already sorted, which costs one pass.
    if (!std::is_sorted(elements_.begin(), elements_.end())) {
      std::sort(elements_.begin(), elements_.end());
    }
    if (!keep_duplicates) {
      // Keep the last of each group of equal offsets (sorted by data index within the group).
      std::size_t kept = 0;
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        const bool superseded = i + 1 < elements_.size() && elements_[i + 1].offset == elements_[i].offset;
        if (!superseded) elements_[kept++] = elements_[i];
      }
      elements_.resize(kept);
    }
  }

  bool next(Run& run) {
    if (position_ == elements_.size()) return false;
    const Element first = elements_[position_++];
    run = Run{first.offset, 1, first.data_index};
    // A repeated offset stays a run of its own, of length 1, so that runs never overlap except
    // by repeating one element.
    if (is_repeated(position_ - 1)) return true;
    while (position_ < elements_.size()) {
      const Element& element = elements_[position_];
      if (element.offset != run.offset + run.length || element.data_index != run.data_index + run.length ||
          is_repeated(position_)) {
        break;
      }
      ++run.length;
      ++position_;
    }
    return true;
  }

 private:
  struct Element {
    std::uint64_t offset, data_index;
    friend auto operator<=>(const Element&, const Element&) = default;
  };

  bool is_repeated(std::size_t i) const {
    const std::uint64_t offset = elements_[i].offset;
    return (i > 0 && elements_[i - 1].offset == offset) ||
           (i + 1 < elements_.size() && elements_[i + 1].offset == offset);
  }

  std::vector<Element> elements_;
  std::size_t position_ = 0;
};

using AnyRuns = std::variant<SlabRuns, PointRuns>;

AnyRuns make_runs(const Selection& selection, const Extent& shape, bool keep_duplicates) {
  const std::size_t rank = shape.size();
  switch (selection.kind()) {
    case Selection::Kind::All:
      return SlabRuns(Hyperslab{Extent(rank, 0), Extent(rank, 1), shape, Extent(rank, 1)}, shape);
    case Selection::Kind::Hyperslab:
      if (selection.rank() != rank) break;
      return SlabRuns(selection.slab(), shape);
    case Selection::Kind::Points:
      if (selection.num_points() > 0 && selection.rank() != rank) break;
      return PointRuns(selection, shape, keep_duplicates);
  }
  throw InvalidArgument(fmt::format("selection {} has rank {} but the dataset has rank {}", selection.describe(),
                                    selection.rank(), rank));
}

bool next_run(AnyRuns* runs, Run& run) {
  return runs != nullptr && std::visit([&run](auto& any) { return any.next(run); }, *runs);
}

// Runs of a wider extent cut to a box and placed in a shape's linear order (RunCursor::kept): each
// run is split at the rows of the last dimension, and the pieces inside the box are kept.
struct KeptRuns {
  Extent extent, keep, shape;
  Run pending{};  // the rest of the current run of the wider extent
  Extent at;      // scratch: its first element's coordinates

  bool next(AnyRuns& runs, Run& out) {
    const std::size_t rank = extent.size();
    if (rank == 0) return next_run(&runs, out);
    const std::uint64_t row = extent[rank - 1];
    while (true) {
      if (pending.length == 0 && !next_run(&runs, pending)) return false;
      at.resize(rank);
      std::uint64_t rest = pending.offset;
      for (std::size_t d = rank; d-- > 0;) {
        at[d] = rest % extent[d];
        rest /= extent[d];
      }
      const std::uint64_t take = std::min(pending.length, row - at[rank - 1]);
      bool inside = at[rank - 1] < keep[rank - 1];
      for (std::size_t d = 0; d + 1 < rank && inside; ++d) inside = at[d] < keep[d];
      const Run piece{inside ? linear_index(shape, at) : 0, inside ? std::min(take, keep[rank - 1] - at[rank - 1]) : 0,
                      pending.data_index};
      pending.offset += take;
      pending.length -= take;
      pending.data_index += take;
      if (piece.length > 0) {
        out = piece;
        return true;
      }
    }
  }
};

}  // namespace

struct RunCursor::State {
  AnyRuns runs;
  std::optional<KeptRuns> kept;
};

RunCursor::RunCursor(const Selection& selection, const Extent& shape)
    : state_(std::make_unique<State>(State{make_runs(selection, shape, false), std::nullopt})) {}

RunCursor RunCursor::kept(const Selection& selection, const Extent& extent, const Extent& keep, const Extent& shape) {
  RunCursor out(selection, extent);
  out.state_->kept = KeptRuns{extent, keep, shape, {}, {}};
  return out;
}

RunCursor RunCursor::linear(std::uint64_t offset, std::uint64_t length) {
  // A one-dimensional hyperslab with one block; length 0 makes it empty.
  const Extent shape{offset + length};
  return RunCursor(Selection::hyperslab({offset}, {1}, {length}, {length}), shape);
}

RunCursor::RunCursor(RunCursor&&) noexcept = default;
RunCursor& RunCursor::operator=(RunCursor&&) noexcept = default;
RunCursor::~RunCursor() = default;

bool RunCursor::next(Run& run) {
  if (!state_) return false;
  return state_->kept ? state_->kept->next(state_->runs, run) : next_run(&state_->runs, run);
}

struct TargetCursor::State {
  AnyRuns runs;
};

TargetCursor::TargetCursor(const Selection& selection, const Extent& shape)
    : state_(std::make_unique<State>(State{make_runs(selection, shape, true)})) {}

TargetCursor::TargetCursor(TargetCursor&&) noexcept = default;
TargetCursor& TargetCursor::operator=(TargetCursor&&) noexcept = default;
TargetCursor::~TargetCursor() = default;

bool TargetCursor::next(Run& run) { return next_run(state_ ? &state_->runs : nullptr, run); }

bool Box::empty() const {
  for (std::size_t d = 0; d < lo.size(); ++d) {
    if (lo[d] >= hi[d]) return true;
  }
  return false;
}

bool Box::intersects(const Box& other) const {
  if (empty() || other.empty()) return false;
  if (lo.size() != other.lo.size()) return true;  // different ranks: cannot rule out an overlap
  for (std::size_t d = 0; d < lo.size(); ++d) {
    if (lo[d] >= other.hi[d] || other.lo[d] >= hi[d]) return false;
  }
  return true;
}

Box bounding_box(const Selection& selection) {
  switch (selection.kind()) {
    case Selection::Kind::All:
      throw InvalidArgument("bounding_box: Selection::all() must be resolved against a shape first");
    case Selection::Kind::Hyperslab: {
      const Hyperslab& slab = selection.slab();
      Box box{slab.start, slab.start};
      for (std::size_t d = 0; d < slab.start.size(); ++d) {
        if (slab.count[d] == 0 || slab.block[d] == 0) return box;  // empty: lo == hi everywhere
      }
      for (std::size_t d = 0; d < slab.start.size(); ++d) {
        box.hi[d] = slab.start[d] + (slab.count[d] - 1) * slab.stride[d] + slab.block[d];
      }
      return box;
    }
    case Selection::Kind::Points: {
      const std::size_t rank = selection.rank();
      const std::uint64_t n = selection.num_points();
      if (n == 0) {
        // A rank-0 box has no dimension to make empty: an empty point list gets one.
        const Extent zeros(std::max<std::size_t>(rank, 1), 0);
        return Box{zeros, zeros};
      }
      const std::vector<std::uint64_t>& flat = selection.flat_points();
      Box box{Extent(flat.begin(), flat.begin() + static_cast<std::ptrdiff_t>(rank)), Extent(rank, 0)};
      for (std::uint64_t p = 0; p < n; ++p) {
        for (std::size_t d = 0; d < rank; ++d) {
          const std::uint64_t coordinate = flat[p * rank + d];
          box.lo[d] = std::min(box.lo[d], coordinate);
          box.hi[d] = std::max(box.hi[d], coordinate + 1);
        }
      }
      return box;
    }
  }
  return {};
}

}  // namespace h5mf::selection
