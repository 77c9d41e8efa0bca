// Compounds with variable-length members (strings, sequences of fixed-size types, at any depth of
// nested compounds), as every layer above moves them (docs/format.md, "Variable-length data"). In
// memory an element is the compound with char* and hvl_t members, as HDF5 holds it; in a container
// record it is the element's fixed bytes (variable-length members zeroed) followed by one 16-byte
// slot per variable-length member (format/vlen.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::values {

// A compound with a variable-length string or sequence among its members, at any depth.
bool has_vlen_members(const Datatype& type);

struct VlenMember {
  std::size_t offset = 0;  // in the element, where its char* or hvl_t lies
  bool string = false;     // else a sequence
  Datatype base;           // a sequence's base type (in the compound's own type)
};

// The variable-length members of a compound type, in depth-first member order (the order of the
// slots), and its record element.
struct VlenCompound {
  Datatype type;
  std::vector<VlenMember> members;
  std::size_t fixed_size() const { return type.size(); }
  std::size_t record_element_size() const;
};

// Throws Unsupported (naming `what`) for variable-length data where h5mf cannot keep it: in enums,
// or sequences of variable-length data.
VlenCompound vlen_compound(const Datatype& type, const std::string& what);

// Record data (format/vlen.hpp) for `count` elements of memory type `memory` (a compound HDF5
// converts to `file.type`, char* and hvl_t members included).
std::vector<std::byte> encode_vlen_compound(const VlenCompound& file, const Datatype& memory, const void* buffer,
                                            std::size_t count);

// `count` elements of `file.type` in memory form from what a reader resolved: the fixed bytes
// (count * fixed_size()), and member j of element i's bytes, value(i, j), null for a NULL string
// or an unwritten member. Members are std::malloc'd (null pointers and empty sequences for null).
// FormatError (naming `what`) for a sequence of no whole number of elements.
std::vector<std::byte> decode_vlen_compound(const VlenCompound& file, std::span<const std::byte> fixed,
                                            std::size_t count,
                                            const std::function<const std::string*(std::size_t, std::size_t)>& value,
                                            const std::string& what);

// Frees the members decode_vlen_compound() allocated (or HDF5 did) and nulls them.
void free_vlen_members(const VlenCompound& file, std::byte* elements, std::size_t count) noexcept;

// `count` elements of `file.type` (memory form, allocated as above) into `memory`'s form in `out`;
// `elements` are freed on the way.
void convert_vlen_compound(const VlenCompound& file, std::vector<std::byte>& elements, const Datatype& memory,
                           void* out, std::size_t count);

}  // namespace h5mf::values
