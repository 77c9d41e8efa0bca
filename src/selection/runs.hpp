// Selection arithmetic: a resolved selection over a row-major dataset of a given shape becomes
// "runs": maximal stretches of consecutive elements in the dataset's linear order. Pure code: no
// HDF5, no I/O. Everything here counts elements, not bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "h5mf/selection.hpp"

namespace h5mf::selection {

// `length` elements starting at linear element `offset` of the dataset; `data_index` is the
// position of the run's first element in the selection's data order (the caller's buffer).
struct Run {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t data_index = 0;
  friend bool operator==(const Run&, const Run&) = default;
};

// Row-major linear index of a coordinate. Precondition: coordinate within shape.
std::uint64_t linear_index(const Extent& shape, std::span<const std::uint64_t> coordinate);
std::uint64_t num_elements(const Extent& shape);

// Yields the runs of a selection in increasing `offset`, non-overlapping, adjacent runs
// coalesced whenever both the dataset offsets and the data indices are contiguous.
// Hyperslabs are iterated lazily (an odometer over the outer dimensions: no memory proportional
// to the number of runs). Point selections are sorted by offset once; where the same point
// appears more than once, only its last occurrence in data order is kept (a later write wins).
class RunCursor {
 public:
  // `selection` must be resolved against `shape` (Selection::resolved).
  RunCursor(const Selection& selection, const Extent& shape);
  // A single run [offset, offset + length) with data_index 0: a window of the linear order.
  static RunCursor linear(std::uint64_t offset, std::uint64_t length);
  // The runs of `selection` (resolved against `extent`, which may exceed `shape`) inside the box
  // [0, keep) (keep <= shape in every dimension), with their offsets in `shape`'s linear order and
  // their data indices in the whole selection: a write made before a shrink, cut to what survived.
  static RunCursor kept(const Selection& selection, const Extent& extent, const Extent& keep, const Extent& shape);
  RunCursor(RunCursor&&) noexcept;
  RunCursor& operator=(RunCursor&&) noexcept;
  ~RunCursor();

  // The next run, or false when there is none.
  bool next(Run& run);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Like RunCursor, but for the *target* of a read: point selections keep every occurrence (a
// point read twice is delivered twice), sorted by offset (stable). Hyperslabs as RunCursor.
// Runs may therefore repeat the same offset (only for points, always of length 1).
class TargetCursor {
 public:
  TargetCursor(const Selection& selection, const Extent& shape);
  TargetCursor(TargetCursor&&) noexcept;
  TargetCursor& operator=(TargetCursor&&) noexcept;
  ~TargetCursor();
  bool next(Run& run);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A piece where a source run and a target run cover the same elements.
struct Overlap {
  std::uint64_t offset = 0;        // linear element offset in the dataset
  std::uint64_t length = 0;        // elements
  std::uint64_t source_index = 0;  // data index in the source (e.g. a write record's data)
  std::uint64_t target_index = 0;  // data index in the target (e.g. the reader's buffer)
  friend bool operator==(const Overlap&, const Overlap&) = default;
};

// Merge-join of a source (a RunCursor: sorted, non-overlapping) and a target (a TargetCursor or
// RunCursor: sorted, possibly with repeated single-element runs). Calls `sink(overlap)` for
// every common piece in increasing offset order. Linear in the number of runs of both.
template <class TargetCursorT, class Sink>
void intersect(RunCursor& source, TargetCursorT& target, Sink&& sink);

// Axis-aligned bounding box of a resolved selection, inclusive lower, exclusive upper bound.
// Empty selections give lo == hi in some dimension. Used to skip records that cannot overlap.
struct Box {
  Extent lo, hi;
  bool empty() const;
  bool intersects(const Box& other) const;
};
Box bounding_box(const Selection& selection);

}  // namespace h5mf::selection

#include "selection/intersect_impl.hpp"  // template definition of intersect
