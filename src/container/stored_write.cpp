#include "container/stored_write.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace h5mf::container {
namespace {

bool all_ones(const Extent& values) {
  return std::all_of(values.begin(), values.end(), [](std::uint64_t v) { return v == 1; });
}

}  // namespace

std::uint64_t* StoredSelection::allocate(std::size_t size) {
  size_ = static_cast<std::uint32_t>(size);  // a record's payload (kMaxPayload) bounds it
  if (size <= kInline) return inline_;
  flags_ |= kHeap;
  heap_ = new std::uint64_t[size];
  return heap_;
}

void StoredSelection::release() noexcept {
  if (flags_ & kHeap) delete[] heap_;
  flags_ = 0;
  size_ = 0;
}

StoredSelection::StoredSelection(const Selection& selection, const selection::Box& box) {
  kind_ = static_cast<std::uint8_t>(selection.kind());
  rank_ = static_cast<std::uint8_t>(selection.rank());  // at most kMaxRank (decode_selection)
  if (selection.kind() == Selection::Kind::Points) {
    const auto& flat = selection.flat_points();
    const std::size_t box_rank = box.lo.size();
    std::uint64_t* out = allocate(2 + 2 * box_rank + flat.size());
    *out++ = selection.num_points();
    *out++ = box_rank;
    out = std::copy(box.lo.begin(), box.lo.end(), out);
    out = std::copy(box.hi.begin(), box.hi.end(), out);
    std::copy(flat.begin(), flat.end(), out);
    return;
  }
  const Hyperslab& slab = selection.slab();
  const bool unit_stride = all_ones(slab.stride), unit_block = all_ones(slab.block);
  const std::size_t size = rank_ * (2 + (unit_stride ? 0 : 1) + (unit_block ? 0 : 1));
  std::uint64_t* out = allocate(size);
  if (unit_stride) flags_ |= kUnitStride;
  if (unit_block) flags_ |= kUnitBlock;
  out = std::copy(slab.start.begin(), slab.start.end(), out);
  out = std::copy(slab.count.begin(), slab.count.end(), out);
  if (!unit_stride) out = std::copy(slab.stride.begin(), slab.stride.end(), out);
  if (!unit_block) std::copy(slab.block.begin(), slab.block.end(), out);
}

StoredSelection::StoredSelection(const StoredSelection& other)
    : kind_(other.kind_), rank_(other.rank_), flags_(static_cast<std::uint8_t>(other.flags_ & ~kHeap)) {
  std::uint64_t* out = allocate(other.size_);
  std::copy_n(other.words().data(), other.size_, out);
}

StoredSelection::StoredSelection(StoredSelection&& other) noexcept
    : kind_(other.kind_), rank_(other.rank_), flags_(other.flags_), size_(other.size_) {
  std::memcpy(inline_, other.inline_, sizeof inline_);  // the words, or the heap pointer
  other.flags_ = 0;
  other.size_ = 0;
}

StoredSelection& StoredSelection::operator=(const StoredSelection& other) {
  if (this != &other) *this = StoredSelection(other);
  return *this;
}

StoredSelection& StoredSelection::operator=(StoredSelection&& other) noexcept {
  if (this != &other) {
    release();
    kind_ = other.kind_;
    rank_ = other.rank_;
    flags_ = other.flags_;
    size_ = other.size_;
    std::memcpy(inline_, other.inline_, sizeof inline_);
    other.flags_ = 0;
    other.size_ = 0;
  }
  return *this;
}

StoredSelection::~StoredSelection() { release(); }

std::uint64_t StoredSelection::stride(std::size_t d) const {
  return (flags_ & kUnitStride) ? 1 : words()[2 * rank_ + d];
}

std::uint64_t StoredSelection::block(std::size_t d) const {
  if (flags_ & kUnitBlock) return 1;
  return words()[(flags_ & kUnitStride ? 2 : 3) * rank_ + d];
}

Hyperslab StoredSelection::slab() const {
  Hyperslab slab;
  for (std::size_t d = 0; d < rank_; ++d) {
    slab.start.push_back(start(d));
    slab.stride.push_back(stride(d));
    slab.count.push_back(count(d));
    slab.block.push_back(block(d));
  }
  return slab;
}

Selection StoredSelection::get() const {
  if (kind() == Selection::Kind::Points) {
    const auto flat = words().subspan(2 + 2 * box_rank());
    return Selection::points(rank_, std::vector<std::uint64_t>(flat.begin(), flat.end()));
  }
  Hyperslab s = slab();
  return Selection::hyperslab(std::move(s.start), std::move(s.count), std::move(s.stride), std::move(s.block));
}

std::uint64_t StoredSelection::num_elements() const {
  if (kind() == Selection::Kind::Points) return words()[0];
  std::uint64_t n = 1;
  for (std::size_t d = 0; d < rank_; ++d) n *= count(d) * block(d);
  return n;
}

bool StoredSelection::slab_empty() const {
  for (std::size_t d = 0; d < rank_; ++d) {
    if (count(d) == 0 || block(d) == 0) return true;
  }
  return false;
}

// As selection::bounding_box: an empty hyperslab's box is lo == hi == start.
selection::Box StoredSelection::box() const {
  selection::Box box;
  if (kind() == Selection::Kind::Points) {
    for (std::size_t d = 0; d < box_rank(); ++d) {
      box.lo.push_back(box_lo(d));
      box.hi.push_back(box_hi(d));
    }
    return box;
  }
  const bool empty = slab_empty();
  for (std::size_t d = 0; d < rank_; ++d) {
    box.lo.push_back(start(d));
    box.hi.push_back(empty ? start(d) : start(d) + (count(d) - 1) * stride(d) + block(d));
  }
  return box;
}

std::uint64_t StoredSelection::lower0() const {
  if (kind() == Selection::Kind::Points) return box_rank() == 0 ? 0 : box_lo(0);
  return rank_ == 0 ? 0 : start(0);
}

std::uint64_t StoredSelection::upper0() const {
  if (kind() == Selection::Kind::Points) return box_rank() == 0 ? 1 : box_hi(0);
  if (rank_ == 0) return 1;
  return slab_empty() ? start(0) : start(0) + (count(0) - 1) * stride(0) + block(0);
}

bool StoredSelection::box_intersects(const selection::Box& query) const {
  // selection::Box::intersects, on bounds computed in place.
  const bool points = kind() == Selection::Kind::Points;
  const std::size_t rank = points ? box_rank() : rank_;
  const bool empty_slab = !points && slab_empty();
  const auto lo = [&](std::size_t d) { return points ? box_lo(d) : start(d); };
  const auto hi = [&](std::size_t d) {
    return points ? box_hi(d) : empty_slab ? start(d) : start(d) + (count(d) - 1) * stride(d) + block(d);
  };
  for (std::size_t d = 0; d < rank; ++d) {
    if (lo(d) >= hi(d)) return false;
  }
  if (query.empty()) return false;
  if (rank != query.lo.size()) return true;  // different ranks: cannot rule out an overlap
  for (std::size_t d = 0; d < rank; ++d) {
    if (lo(d) >= query.hi[d] || query.lo[d] >= hi(d)) return false;
  }
  return true;
}

}  // namespace h5mf::container
