#include "format/vlen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "h5mf/error.hpp"

namespace h5mf::format {

Bytes encode_vlen_elements(std::size_t count, std::size_t fixed_size, std::size_t slots,
                           const std::function<ByteView(std::size_t)>& fixed,
                           const std::function<bool(std::size_t, std::size_t)>& is_null,
                           const std::function<ByteView(std::size_t, std::size_t)>& bytes) {
  const std::size_t element = fixed_size + slots * kVlenSlotSize;
  std::uint64_t total = count * element;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < slots; ++j) {
      if (!is_null(i, j)) total += bytes(i, j).size();
    }
  }
  Bytes out(static_cast<std::size_t>(total));
  std::uint64_t at = count * element;
  for (std::size_t i = 0; i < count; ++i) {
    std::byte* e = out.data() + i * element;
    if (fixed_size > 0) std::memcpy(e, fixed(i).data(), fixed_size);
    for (std::size_t j = 0; j < slots; ++j) {
      std::byte* slot = e + fixed_size + j * kVlenSlotSize;
      if (is_null(i, j)) {
        put_u64(slot, 0);
        put_u64(slot + 8, 0);
        continue;
      }
      const ByteView b = bytes(i, j);
      put_u64(slot, at);
      put_u64(slot + 8, b.size());
      if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
      at += b.size();
    }
  }
  return out;
}

Bytes encode_vlen(std::size_t count, const std::function<bool(std::size_t)>& is_null,
                  const std::function<ByteView(std::size_t)>& bytes) {
  return encode_vlen_elements(
      count, 0, 1, [](std::size_t) { return ByteView(); }, [&](std::size_t i, std::size_t) { return is_null(i); },
      [&](std::size_t i, std::size_t) { return bytes(i); });
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
std::string slot_problem(const VlenSlot& s, std::uint64_t count, std::uint64_t data_length,
                         std::uint64_t element_size) {
  if (s.null()) {
    return s.length == 0 ? std::string() : fmt::format("null slot (offset 0) with length {}", s.length);
  }
  const std::uint64_t slots_end = count * element_size;
  if (s.offset < slots_end) {
    return fmt::format("offset {} points into the record's {} {} (they end at byte {})", s.offset, count,
                       element_size == kVlenSlotSize ? "slots" : "elements", slots_end);
  }
  if (s.offset > data_length || s.length > data_length - s.offset) {
    return fmt::format("bytes [{}, {} + {}) lie outside the record's {} data bytes", s.offset, s.offset, s.length,
                       data_length);
  }
  return {};
}

}  // namespace

VlenSlot decode_vlen_slot(ByteView slot_bytes, std::uint64_t count, std::uint64_t data_length,
                          const std::function<std::string()>& context, std::uint64_t element_size) {
  if (slot_bytes.size() != kVlenSlotSize) {
    throw FormatError(fmt::format("{}: a variable-length slot of {} bytes, expected {}", context(), slot_bytes.size(),
                                  kVlenSlotSize));
  }
  const VlenSlot s{get_u64(slot_bytes.data()), get_u64(slot_bytes.data() + 8)};
  if (const std::string problem = slot_problem(s, count, data_length, element_size); !problem.empty()) {
    throw FormatError(fmt::format("{}: bad variable-length slot: {}", context(), problem));
  }
  return s;
}

std::string check_vlen_elements(ByteView elements, std::uint64_t first, std::uint64_t count, std::uint64_t data_length,
                                std::uint64_t element_size, std::uint64_t fixed_size) {
  if (element_size == 0 || count > data_length / element_size) {
    return fmt::format("{} data bytes cannot hold the slots of {} variable-length elements", data_length, count);
  }
  const std::uint64_t slots = (element_size - fixed_size) / kVlenSlotSize;
  for (std::uint64_t i = 0; i < elements.size() / element_size; ++i) {
    for (std::uint64_t j = 0; j < slots; ++j) {
      const std::byte* p = elements.data() + i * element_size + fixed_size + j * kVlenSlotSize;
      const VlenSlot s{get_u64(p), get_u64(p + 8)};
      if (const std::string problem = slot_problem(s, count, data_length, element_size); !problem.empty()) {
        return slots == 1 && fixed_size == 0
                   ? fmt::format("variable-length element {} of {}: {}", first + i, count, problem)
                   : fmt::format("element {} of {}, variable-length member {}: {}", first + i, count, j, problem);
      }
    }
  }
  return {};
}

std::string check_vlen_slots(ByteView slots, std::uint64_t first, std::uint64_t count, std::uint64_t data_length) {
  return check_vlen_elements(slots, first, count, data_length, kVlenSlotSize, 0);
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
