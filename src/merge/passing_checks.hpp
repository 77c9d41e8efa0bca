// The merge's checksum verification, fused into the copy: a record whose data bytes pass whole
// through one worker's buffer is checked there, so its bytes are read once, not twice. Records the
// copy does not see whole (split over windows, partly overwritten, gathered piecemeal, or copied by
// the kernel) are left for a separate pass.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "format/checksum.hpp"

namespace h5mf::merge_detail {

class PassingChecks {
  struct Expected {
    std::uint64_t offset = 0, length = 0, checksum = 0;
    std::size_t index = 0;
  };

 public:
  // Record `index` (a position in the merge's record list) has `length` bytes at `offset` of data
  // file `file` and must hash to `checksum`. Call before seal().
  void expect(std::size_t index, std::uint32_t file, std::uint64_t offset, std::uint64_t length,
              std::uint64_t checksum);
  // Room for `count` records of data file `file` (optional: memory, not behaviour).
  void reserve(std::uint32_t file, std::size_t count) { by_file_[file].reserve(count); }
  // Sorts the expectations; `records` is the length of the record list. Afterwards many threads
  // use the object at once (a record seen whole twice, possible only in a hostile container whose
  // records share bytes, is checked once).
  void seal(std::size_t records);

  // Whether bytes [offset, offset + length) of `file` hold some expected record whole.
  bool holds_whole_record(std::uint32_t file, std::uint64_t offset, std::uint64_t length) const;
  // Bytes [offset, offset + bytes.size()) of `file`, as read: every expected record inside is checked.
  void observe(std::uint32_t file, std::uint64_t offset, std::span<const std::byte> bytes);

  // The same for a stretch that passes in parts, in order (through a buffer small enough to stay
  // in the CPU's cache): every expected record lying whole in the stretch is checked as it passes.
  class Stream {
   public:
    Stream(PassingChecks& checks, std::uint32_t file, std::uint64_t offset, std::uint64_t length);
    void feed(std::span<const std::byte> part);  // the stretch's next bytes

   private:
    PassingChecks& checks_;
    const Expected* next_;  // the next record to meet, or end_
    const Expected* end_;
    std::uint64_t at_;      // file offset of the next byte to arrive
    bool hashing_ = false;  // inside *next_, and checking it here
    format::Checksum sum_;
  };

  // Per record of the list, once the threads are done: checked here, and failed its checksum.
  std::vector<std::uint8_t> checked() const;
  std::vector<std::uint8_t> failed() const;

 private:
  // The expected records of a file lying whole in [offset, offset + length), as a range of its list.
  std::pair<const Expected*, const Expected*> inside(std::uint32_t file, std::uint64_t offset,
                                                     std::uint64_t length) const;
  std::unordered_map<std::uint32_t, std::vector<Expected>> by_file_;
  std::size_t records_ = 0;
  std::unique_ptr<std::atomic<std::uint8_t>[]> checked_, failed_;
};

}  // namespace h5mf::merge_detail
