// A WRITE record as the index holds it in memory, compactly: a container of a million small writes
// keeps a million of these at once (reads, verify, merge, view), so a record is fixed-size fields and
// a selection of at most four words inline (a rank-1 hyperslab, a rank-2 block, one point of rank 1),
// or one heap block: no per-record vectors, no strings. The on-disk record (format::WriteRecord) and
// the public Selection are unchanged; selection() rebuilds a Selection where code needs one.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "format/records.hpp"
#include "h5mf/selection.hpp"
#include "selection/runs.hpp"

namespace h5mf::container {

// A resolved Hyperslab or Points selection and its bounding box. Words, by kind:
//   Hyperslab: start[rank], count[rank], then stride[rank] unless all 1, block[rank] unless all 1
//              (the box follows from them, as selection::bounding_box computes it);
//   Points:    n, box rank, box lo[box rank], box hi[box rank], then the n * rank coordinates.
class StoredSelection {
 public:
  StoredSelection() = default;
  // `box` is selection::bounding_box(selection) (computed once by the caller, who checks it).
  StoredSelection(const Selection& selection, const selection::Box& box);
  StoredSelection(const StoredSelection& other);
  StoredSelection(StoredSelection&& other) noexcept;
  StoredSelection& operator=(const StoredSelection& other);
  StoredSelection& operator=(StoredSelection&& other) noexcept;
  ~StoredSelection();

  Selection get() const;  // the Selection it holds
  Selection::Kind kind() const { return static_cast<Selection::Kind>(kind_); }
  std::size_t rank() const { return rank_; }
  std::uint64_t num_elements() const;
  Hyperslab slab() const;  // a Hyperslab's {start, stride, count, block}
  std::string describe() const { return get().describe(); }
  Extent buffer_shape() const { return get().buffer_shape(); }

  selection::Box box() const;
  // The box's extent in dimension 0 ([0, 1) for a rank-0 box), without building it.
  std::uint64_t lower0() const;
  std::uint64_t upper0() const;
  bool box_intersects(const selection::Box& query) const;  // box().intersects(query), allocation-free

  friend bool operator==(const StoredSelection& a, const StoredSelection& b) { return a.get() == b.get(); }

 private:
  static constexpr std::size_t kInline = 4;
  enum Flags : std::uint8_t { kHeap = 1, kUnitStride = 2, kUnitBlock = 4 };
  std::span<const std::uint64_t> words() const { return {(flags_ & kHeap) ? heap_ : inline_, size_}; }
  std::uint64_t* allocate(std::size_t size);  // room for `size` words, inline or on the heap
  void release() noexcept;
  // Hyperslab dimension d's {start, count, stride, block}.
  std::uint64_t start(std::size_t d) const { return words()[d]; }
  std::uint64_t count(std::size_t d) const { return words()[rank_ + d]; }
  std::uint64_t stride(std::size_t d) const;
  std::uint64_t block(std::size_t d) const;
  // Points: box rank and bounds.
  std::size_t box_rank() const { return static_cast<std::size_t>(words()[1]); }
  std::uint64_t box_lo(std::size_t d) const { return words()[2 + d]; }
  std::uint64_t box_hi(std::size_t d) const { return words()[2 + box_rank() + d]; }
  bool slab_empty() const;

  std::uint8_t kind_ = static_cast<std::uint8_t>(Selection::Kind::Hyperslab);
  std::uint8_t rank_ = 0;
  std::uint8_t flags_ = 0;
  std::uint32_t size_ = 0;  // words held
  union {
    std::uint64_t inline_[kInline] = {};
    std::uint64_t* heap_;
  };
};

// format::WriteRecord's fields, with the selection stored compactly.
struct StoredWrite {
  std::uint64_t dataset = 0, epoch = 0, sequence = 0;
  std::uint64_t data_offset = 0, data_length = 0, data_checksum = 0;
  StoredSelection selection;
  friend bool operator==(const StoredWrite&, const StoredWrite&) = default;
};

}  // namespace h5mf::container
