#include "format/vlen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "h5mf/error.hpp"

namespace h5mf::format {

Bytes encode_vlen(std::size_t count, const std::function<bool(std::size_t)>& is_null,
                  const std::function<ByteView(std::size_t)>& bytes) {
  std::uint64_t total = count * kVlenSlotSize;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_null(i)) total += bytes(i).size();
  }
  Bytes out(static_cast<std::size_t>(total));
  std::uint64_t at = count * kVlenSlotSize;
  for (std::size_t i = 0; i < count; ++i) {
    std::byte* slot = out.data() + i * kVlenSlotSize;
    if (is_null(i)) {
      put_u64(slot, 0);
      put_u64(slot + 8, 0);
      continue;
    }
    const ByteView b = bytes(i);
    put_u64(slot, at);
    put_u64(slot + 8, b.size());
    if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
    at += b.size();
  }
  return out;
}

Bytes encode_vlen_strings(std::span<const char* const> strings) {
  std::vector<std::size_t> lengths(strings.size());
  for (std::size_t i = 0; i < strings.size(); ++i) lengths[i] = strings[i] ? std::strlen(strings[i]) : 0;
  return encode_vlen(
      strings.size(), [&](std::size_t i) { return strings[i] == nullptr; },
      [&](std::size_t i) { return ByteView(reinterpret_cast<const std::byte*>(strings[i]), lengths[i]); });
}

namespace {

// Why a slot is bad, or empty when it is good.
std::string slot_problem(const VlenSlot& s, std::uint64_t count, std::uint64_t data_length) {
  if (s.null()) {
    return s.length == 0 ? std::string() : fmt::format("null slot (offset 0) with length {}", s.length);
  }
  const std::uint64_t slots_end = count * kVlenSlotSize;
  if (s.offset < slots_end) {
    return fmt::format("offset {} points into the record's {} slots (they end at byte {})", s.offset, count, slots_end);
  }
  if (s.offset > data_length || s.length > data_length - s.offset) {
    return fmt::format("bytes [{}, {} + {}) lie outside the record's {} data bytes", s.offset, s.offset, s.length,
                       data_length);
  }
  return {};
}

}  // namespace

VlenSlot decode_vlen_slot(ByteView slot_bytes, std::uint64_t count, std::uint64_t data_length,
                          const std::function<std::string()>& context) {
  if (slot_bytes.size() != kVlenSlotSize) {
    throw FormatError(fmt::format("{}: a variable-length slot of {} bytes, expected {}", context(), slot_bytes.size(),
                                  kVlenSlotSize));
  }
  const VlenSlot s{get_u64(slot_bytes.data()), get_u64(slot_bytes.data() + 8)};
  if (const std::string problem = slot_problem(s, count, data_length); !problem.empty()) {
    throw FormatError(fmt::format("{}: bad variable-length slot: {}", context(), problem));
  }
  return s;
}

std::string check_vlen_slots(ByteView slots, std::uint64_t first, std::uint64_t count, std::uint64_t data_length) {
  if (count > data_length / kVlenSlotSize) {
    return fmt::format("{} data bytes cannot hold the slots of {} variable-length elements", data_length, count);
  }
  for (std::uint64_t i = 0; i < slots.size() / kVlenSlotSize; ++i) {
    const std::byte* p = slots.data() + i * kVlenSlotSize;
    const VlenSlot s{get_u64(p), get_u64(p + 8)};
    if (const std::string problem = slot_problem(s, count, data_length); !problem.empty()) {
      return fmt::format("variable-length element {} of {}: {}", first + i, count, problem);
    }
  }
  return {};
}

Bytes encode_vlen_fill(ByteView value) {
  Bytes out;
  Encoder encoder(out);
  encoder.blob(value);
  return out;
}

std::optional<Bytes> decode_vlen_fill(ByteView fill, std::size_t unit, const std::string& context) {
  if (fill.empty()) return std::nullopt;
  // A null char* or hvl_t: what builds before these fill values recorded for the variable-length
  // datasets of a base file (never a value: its length would leave trailing bytes).
  if ((fill.size() == 8 || fill.size() == 16) &&
      std::all_of(fill.begin(), fill.end(), [](std::byte b) { return b == std::byte{0}; })) {
    return std::nullopt;
  }
  Decoder decoder(fill, context);
  Bytes value = decoder.blob("variable-length fill value");
  decoder.finish();
  if (unit == 0 || value.size() % unit != 0) {
    decoder.fail(fmt::format("a variable-length fill value of {} bytes is no whole number of {}-byte elements",
                             value.size(), unit));
  }
  return value;
}

}  // namespace h5mf::format
