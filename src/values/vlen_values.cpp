#include "values/vlen_values.hpp"

#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <string_view>

#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf::values {
namespace {

// The slots of the record data, checked: slot j of element i is slots[i * per_element + j].
std::vector<format::VlenSlot> checked_slots(std::span<const std::byte> data, std::size_t count, std::size_t fixed,
                                            std::size_t per_element, const std::string& what) {
  const std::size_t element = fixed + per_element * format::kVlenSlotSize;
  if (count > data.size() / element) {
    throw FormatError(fmt::format("{}: {} bytes cannot hold {} variable-length elements of {} bytes", what, data.size(),
                                  count, element));
  }
  std::vector<format::VlenSlot> out;
  out.reserve(count * per_element);
  // The values follow the elements, in slot order, as encoding lays them out: one encoding per
  // value (and a count that disagrees with the data cannot pass).
  std::uint64_t at = count * element;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < per_element; ++j) {
      const std::byte* p = data.data() + i * element + fixed + j * format::kVlenSlotSize;
      const auto where = [&] { return fmt::format("{}, element {}, slot {}", what, i, j); };
      const format::VlenSlot s =
          format::decode_vlen_slot({p, format::kVlenSlotSize}, count, data.size(), where, element);
      if (!s.null() && s.offset != at) {
        throw FormatError(
            fmt::format("{}: its value at offset {}, not {} where the values before it end", where(), s.offset, at));
      }
      at += s.length;
      out.push_back(s);
    }
  }
  if (at != data.size()) {
    throw FormatError(
        fmt::format("{}: {} bytes where {} elements and their values take {}", what, data.size(), count, at));
  }
  return out;
}

std::string_view bytes_of(std::span<const std::byte> data, const format::VlenSlot& s) {
  return {reinterpret_cast<const char*>(data.data() + s.offset), static_cast<std::size_t>(s.length)};
}

}  // namespace

bool uses_vlen_elements(const Datatype& type) { return is_vlen_sequence(type) || has_vlen_members(type); }

std::vector<std::byte> encode_vlen_elements(const Datatype& memory, const void* elements, std::size_t count,
                                            const Datatype& type, const std::string& what) {
  if (is_vlen_sequence(type)) {
    require_sequence_memory(memory, type, what);
    return encode_sequences(static_cast<const hvl_t*>(elements), count, memory, type);
  }
  if (!has_vlen_members(memory)) {
    throw InvalidArgument(
        fmt::format("{} holds compounds with variable-length members ({}): the memory type must be "
                    "such a compound too, not {}",
                    what, type.describe(), memory.describe()));
  }
  return encode_vlen_compound(vlen_compound(type, what), memory, elements, count);
}

void decode_vlen_elements(const Datatype& type, std::span<const std::byte> data, std::size_t count,
                          const Datatype& memory, void* out, const std::string& what) {
  if (is_vlen_sequence(type)) {
    require_sequence_memory(memory, type, what);
    const auto slots = checked_slots(data, count, 0, 1, what);
    OwnedSequences decoded(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!slots[i].null()) decoded.items[i] = decode_sequence(bytes_of(data, slots[i]), memory, type, what);
    }
    std::memcpy(out, decoded.items.data(), count * sizeof(hvl_t));
    std::fill(decoded.items.begin(), decoded.items.end(), hvl_t{0, nullptr});  // handed out
    return;
  }
  const VlenCompound file = vlen_compound(type, what);
  const std::size_t size = file.fixed_size(), k = file.members.size();
  const auto slots = checked_slots(data, count, size, k, what);
  std::vector<std::byte> fixed(count * size);
  std::vector<std::optional<std::string>> values(count * k);
  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(fixed.data() + i * size, data.data() + i * file.record_element_size(), size);
    for (std::size_t j = 0; j < k; ++j) {
      const format::VlenSlot& s = slots[i * k + j];
      if (!s.null()) values[i * k + j] = std::string(bytes_of(data, s));
    }
  }
  auto elements = decode_vlen_compound(
      file, fixed, count,
      [&](std::size_t i, std::size_t j) {
        const auto& v = values[i * k + j];
        return v ? &*v : nullptr;
      },
      what);
  convert_vlen_compound(file, elements, memory, out, count);
}

void free_vlen_elements(const Datatype& memory, void* elements, std::size_t count) noexcept {
  if (is_vlen_sequence(memory)) {
    free_sequences(static_cast<hvl_t*>(elements), count);
    return;
  }
  try {
    free_vlen_members(vlen_compound(memory, "free_vlen_elements"), static_cast<std::byte*>(elements), count);
  } catch (...) {  // (the type was decoded into: it has its members) a leak rather than a throw
  }
}

std::vector<std::byte> convert_vlen_elements(const Datatype& from, std::span<const std::byte> data, std::size_t count,
                                             const Datatype& to, const std::string& what) {
  std::vector<std::byte> elements(count * from.size());
  decode_vlen_elements(from, data, count, from, elements.data(), what);
  struct Free {
    const Datatype& type;
    std::vector<std::byte>& elements;
    std::size_t count;
    ~Free() { free_vlen_elements(type, elements.data(), count); }
  } free{from, elements, count};
  return encode_vlen_elements(from, elements.data(), count, to, what);
}

VlenElementParts split_vlen_element(const Datatype& type, std::span<const std::byte> data, const std::string& what) {
  const VlenCompound c = vlen_compound(type, what);
  const auto slots = checked_slots(data, 1, c.fixed_size(), c.members.size(), what);
  VlenElementParts out;
  out.fixed.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(c.fixed_size()));
  for (const format::VlenSlot& s : slots) {
    out.values.push_back(s.null() ? std::nullopt : std::optional<std::string>(bytes_of(data, s)));
  }
  return out;
}

Hdf5Fill::Hdf5Fill(const Datatype& type, std::span<const std::byte> stored, const std::string& what)
    : type_(type), stored_(stored) {
  if (stored.empty() || !has_vlen_members(type)) return;
  element_.assign(type.size(), std::byte{0});
  decode_vlen_elements(type, stored, 1, type, element_.data(), fmt::format("fill value of {}", what));
  memory_ = true;
}

Hdf5Fill::~Hdf5Fill() {
  if (memory_) free_vlen_elements(type_, element_.data(), 1);
}

}  // namespace h5mf::values
