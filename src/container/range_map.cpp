#include "container/range_map.hpp"

#include <algorithm>
#include <vector>

namespace h5mf::container {
namespace {

RangePiece tail_of(const RangePiece& piece, std::uint64_t start, std::uint64_t at) {
  RangePiece tail = piece;
  if (piece.source == format::RangeSource::Data) tail.data_offset += at - start;
  return tail;
}

}  // namespace

void RangeMap::split_at(std::uint64_t address) {
  auto it = pieces_.upper_bound(address);
  if (it == pieces_.begin()) return;
  --it;
  const std::uint64_t start = it->first;
  if (start >= address || it->second.end <= address) return;
  RangePiece tail = tail_of(it->second, start, address);
  it->second.end = address;
  pieces_.emplace_hint(std::next(it), address, tail);
}

void RangeMap::insert(std::uint64_t address, std::uint64_t length, const RangeKey& key, format::RangeSource source,
                      std::uint32_t data_file, std::uint64_t data_offset) {
  if (length == 0) return;
  const std::uint64_t end = address + length;
  split_at(address);
  split_at(end);
  const RangePiece whole{end, key, source, data_file, data_offset};
  // The new write shows in the gaps between older pieces and over every piece it outranks.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> shows;  // [start, end)
  std::uint64_t cursor = address;
  auto it = pieces_.lower_bound(address);
  while (it != pieces_.end() && it->first < end) {
    if (cursor < it->first) shows.emplace_back(cursor, it->first);
    cursor = it->second.end;
    if (it->second.key < key) {
      shows.emplace_back(it->first, it->second.end);
      it = pieces_.erase(it);
    } else {
      ++it;
    }
  }
  if (cursor < end) shows.emplace_back(cursor, end);
  for (const auto& [start, stop] : shows) {
    RangePiece piece = tail_of(whole, address, start);
    piece.end = stop;
    pieces_.emplace(start, piece);
  }
}

void RangeMap::visit(std::uint64_t address, std::uint64_t length,
                     const std::function<void(std::uint64_t, const RangePiece&)>& fn) const {
  if (length == 0) return;
  const std::uint64_t end = address + length;
  auto it = pieces_.upper_bound(address);
  if (it != pieces_.begin()) {
    auto before = std::prev(it);
    if (before->second.end > address) it = before;
  }
  for (; it != pieces_.end() && it->first < end; ++it) {
    const std::uint64_t start = std::max(it->first, address);
    RangePiece piece = tail_of(it->second, it->first, start);
    piece.end = std::min(it->second.end, end);
    fn(start, piece);
  }
}

std::uint64_t RangeMap::end() const { return pieces_.empty() ? 0 : pieces_.rbegin()->second.end; }

}  // namespace h5mf::container
