// The data of a WRITE record of a variable-length dataset (docs/format.md, "Variable-length
// data"): one fixed 16-byte slot per selected element, in selection order, then the elements'
// bytes. Fixed slots keep the element-by-element replay of fixed-size data usable: a reader
// resolves slots like any 16-byte elements, then fetches each winning slot's bytes from the
// record that holds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/encoding.hpp"

namespace h5mf::format {

inline constexpr std::size_t kVlenSlotSize = 16;

// `offset` counts from the start of the record's data, so a record stays valid wherever its data
// are moved. offset 0 marks a null element (HDF5's NULL string); its length is then 0.
struct VlenSlot {
  std::uint64_t offset = 0, length = 0;
  bool null() const { return offset == 0; }
  friend bool operator==(const VlenSlot&, const VlenSlot&) = default;
};

// Record data for `count` elements of compounds with variable-length members (docs/format.md):
// each element is its `fixed_size` fixed bytes fixed(i) then `slots` slots, member j's bytes being
// bytes(i, j), or null when is_null(i, j); the members' bytes follow all elements.
Bytes encode_vlen_elements(std::size_t count, std::size_t fixed_size, std::size_t slots,
                           const std::function<ByteView(std::size_t)>& fixed,
                           const std::function<bool(std::size_t, std::size_t)>& is_null,
                           const std::function<ByteView(std::size_t, std::size_t)>& bytes);
// Record data for `count` elements; element i's bytes are bytes(i), or null when is_null(i).
Bytes encode_vlen(std::size_t count, const std::function<bool(std::size_t)>& is_null,
                  const std::function<ByteView(std::size_t)>& bytes);
// Record data for C strings (HDF5's memory form of variable-length strings: a null pointer is a
// null element; the bytes end at the first NUL).
Bytes encode_vlen_strings(std::span<const char* const> strings);

// A slot of record data that hold `count` elements in `data_length` bytes; throws FormatError
// (naming `context`, which says which slot, and the values) unless the slot is well formed and its
// bytes lie after the slots and inside the record.
// `element_size`: the bytes of one element before the values (16, one slot, for strings and
// sequences; fixed bytes and slots for compounds with variable-length members).
VlenSlot decode_vlen_slot(ByteView slot_bytes, std::uint64_t count, std::uint64_t data_length,
                          const std::function<std::string()>& context, std::uint64_t element_size = kVlenSlotSize);
// Checks slots [first, first + slots.size() / 16) of record data that hold `count` elements in
// `data_length` bytes (h5mf verify reads the slots piece by piece); returns a description of the
// first bad one, or an empty string.
std::string check_vlen_slots(ByteView slots, std::uint64_t first, std::uint64_t count, std::uint64_t data_length);
// The same for whole elements [first, first + elements.size() / element_size) of a compound with
// variable-length members: `fixed_size` bytes, then slots up to `element_size`.
std::string check_vlen_elements(ByteView elements, std::uint64_t first, std::uint64_t count, std::uint64_t data_length,
                                std::uint64_t element_size, std::uint64_t fixed_size);

// The fill value of a variable-length dataset, as CREATE_DATASET's `fill` holds it (docs/format.md):
// `u32 length` and that many bytes (a string's characters; a sequence's elements in its base
// type), as attributes store strings. An empty `fill` is HDF5's default (a NULL string, an empty
// sequence) and is not made here.
Bytes encode_vlen_fill(ByteView value);
// The value's bytes, or nullopt for an empty `fill` (HDF5's default; so are 8 or 16 zero bytes, a
// null char* or hvl_t, which earlier builds recorded for the datasets of a base file). Throws FormatError (naming
// `context`) when `fill` is not one such value or its length is no multiple of `unit` (the base
// type's size; 1 for strings).
std::optional<Bytes> decode_vlen_fill(ByteView fill, std::size_t unit, const std::string& context);

}  // namespace h5mf::format
