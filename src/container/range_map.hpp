// Which write's bytes a file address shows, for a file-image container (the HDF5 file driver):
// a partition of the written addresses into pieces, each taken from the write that wins there in
// replay order (epoch, writer, sequence), as a merge lays the writes down one after another. Used
// by in-session reads, reads before a merge and the merge itself, so that they cannot disagree.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>

#include "format/range_records.hpp"

namespace h5mf::container {

struct RangeKey {
  std::uint64_t epoch = 0;
  std::uint32_t writer = 0;
  std::uint64_t sequence = 0;
  friend auto operator<=>(const RangeKey&, const RangeKey&) = default;
};

struct RangePiece {
  std::uint64_t end = 0;  // one past the last address
  RangeKey key;
  format::RangeSource source = format::RangeSource::Data;
  std::uint32_t data_file = 0;    // Data: the file pair holding the bytes
  std::uint64_t data_offset = 0;  // Data: where this piece's first byte is in `<data_file>`
};

class RangeMap {
 public:
  // The bytes [address, address + length) as written by `key`: they replace what an earlier key
  // shows there and stay hidden where a later key already shows.
  void insert(std::uint64_t address, std::uint64_t length, const RangeKey& key, format::RangeSource source,
              std::uint32_t data_file, std::uint64_t data_offset);
  // The pieces overlapping [address, address + length), clipped to it, in address order;
  // addresses no write covers are not visited.
  void visit(std::uint64_t address, std::uint64_t length,
             const std::function<void(std::uint64_t start, const RangePiece& piece)>& fn) const;
  const std::map<std::uint64_t, RangePiece>& pieces() const { return pieces_; }
  std::uint64_t end() const;  // one past the last written address (0 when empty)
  std::size_t size() const { return pieces_.size(); }

 private:
  void split_at(std::uint64_t address);         // a piece spanning `address` becomes two
  std::map<std::uint64_t, RangePiece> pieces_;  // by start address, disjoint
};

}  // namespace h5mf::container
