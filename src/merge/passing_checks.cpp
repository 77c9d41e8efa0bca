#include "merge/passing_checks.hpp"

#include <algorithm>
#include <tuple>

#include "format/checksum.hpp"

namespace h5mf::merge_detail {

void PassingChecks::expect(std::size_t index, std::uint32_t file, std::uint64_t offset, std::uint64_t length,
                           std::uint64_t checksum) {
  if (length > 0) by_file_[file].push_back({offset, length, checksum, index});
}

void PassingChecks::seal(std::size_t records) {
  for (auto& [file, expected] : by_file_) {
    std::sort(expected.begin(), expected.end(),
              [](const Expected& a, const Expected& b) { return a.offset < b.offset; });
  }
  records_ = records;
  checked_ = std::make_unique<std::atomic<std::uint8_t>[]>(records);
  failed_ = std::make_unique<std::atomic<std::uint8_t>[]>(records);
}

std::vector<std::uint8_t> PassingChecks::checked() const {
  std::vector<std::uint8_t> out(records_);
  for (std::size_t i = 0; i < records_; ++i) out[i] = checked_[i].load();
  return out;
}

std::vector<std::uint8_t> PassingChecks::failed() const {
  std::vector<std::uint8_t> out(records_);
  for (std::size_t i = 0; i < records_; ++i) out[i] = failed_[i].load();
  return out;
}

std::pair<const PassingChecks::Expected*, const PassingChecks::Expected*> PassingChecks::inside(
    std::uint32_t file, std::uint64_t offset, std::uint64_t length) const {
  const auto it = by_file_.find(file);
  if (it == by_file_.end()) return {nullptr, nullptr};
  const auto& expected = it->second;
  const auto first = std::lower_bound(expected.begin(), expected.end(), offset,
                                      [](const Expected& e, std::uint64_t at) { return e.offset < at; });
  // Records of one data file never overlap, so those starting in the range end in order.
  auto last = first;
  while (last != expected.end() && last->offset + last->length <= offset + length) ++last;
  return {expected.data() + (first - expected.begin()), expected.data() + (last - expected.begin())};
}

PassingChecks::Stream::Stream(PassingChecks& checks, std::uint32_t file, std::uint64_t offset, std::uint64_t length)
    : checks_(checks), at_(offset) {
  std::tie(next_, end_) = checks.inside(file, offset, length);
}

void PassingChecks::Stream::feed(std::span<const std::byte> part) {
  const std::uint64_t part_end = at_ + part.size();
  while (next_ != end_ && at_ < part_end) {
    const Expected& e = *next_;
    if (at_ < e.offset) {  // bytes before the record: not ours to check
      at_ = std::min(e.offset, part_end);
      continue;
    }
    if (at_ == e.offset) {
      hashing_ = checks_.checked_[e.index].exchange(1) == 0;  // checked once, by whoever meets it first
      if (hashing_) sum_.reset();
    }
    const std::uint64_t take = std::min(e.offset + e.length, part_end) - at_;
    if (hashing_) sum_.update(part.subspan(static_cast<std::size_t>(at_ - (part_end - part.size())), take));
    at_ += take;
    if (at_ == e.offset + e.length) {
      if (hashing_) checks_.failed_[e.index] = sum_.digest() != e.checksum ? 1 : 0;
      hashing_ = false;
      ++next_;
    }
  }
  at_ = part_end;
}

bool PassingChecks::holds_whole_record(std::uint32_t file, std::uint64_t offset, std::uint64_t length) const {
  const auto [first, last] = inside(file, offset, length);
  return first != last;
}

void PassingChecks::observe(std::uint32_t file, std::uint64_t offset, std::span<const std::byte> bytes) {
  const auto [first, last] = inside(file, offset, bytes.size());
  for (const Expected* e = first; e != last; ++e) {
    if (checked_[e->index].exchange(1) != 0) continue;
    const auto sum = format::checksum(bytes.subspan(e->offset - offset, e->length));
    failed_[e->index] = sum != e->checksum ? 1 : 0;
  }
}

}  // namespace h5mf::merge_detail
