// Datasets of variable-length data, as every driver moves them. Strings: in memory an array of C
// string pointers (HDF5's form; a null pointer is HDF5's NULL string). Sequences (H5T_VLEN of a
// fixed-size base type): in memory an array of hvl_t. What a read returns is allocated with
// std::malloc, whichever driver read it, and freed by the caller (h5mf::reclaim_strings,
// h5mf::reclaim_sequences).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::values {

// A variable-length string type (of any character set).
bool is_vlen_string(const Datatype& type);

// A variable-length sequence (H5T_VLEN) of a fixed-size base type.
bool is_vlen_sequence(const Datatype& type);
// Either, or a compound with such members (values/vlen_compound.hpp): a dataset whose container
// records hold slots and bytes (format/vlen.hpp).
bool uses_vlen_slots(const Datatype& type);
// The bytes of one element of such a dataset's records before the values: 16 (one slot) for
// strings and sequences, fixed bytes and a slot per member for compounds.
std::size_t record_element_size(const Datatype& type);
// The base type of a sequence type.
Datatype sequence_base(const Datatype& sequence);

// Throws Unsupported for other variable-length types (sequences of variable-length data, arrays
// holding them): `what` names the dataset.
void require_supported_vlen(const Datatype& file_type, const std::string& what);
// Throws InvalidArgument unless `memory_type` is a variable-length string type too.
void require_string_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what);
// Throws InvalidArgument unless `memory_type` is a sequence type too.
void require_sequence_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what);

// Record data (format/vlen.hpp) for `count` sequences of memory type `memory` (hvl_t each), their
// elements converted to the base type of `file` with HDF5's routines.
std::vector<std::byte> encode_sequences(const hvl_t* in, std::size_t count, const Datatype& memory,
                                        const Datatype& file);
// One sequence's bytes in the file's base type -> a std::malloc'd hvl_t in the memory base type.
// Throws FormatError (naming `what`) when the bytes are no whole number of elements.
hvl_t decode_sequence(std::string_view bytes, const Datatype& memory, const Datatype& file, const std::string& what);
// Frees `count` sequences a read returned and empties them.
void free_sequences(hvl_t* sequences, std::size_t count) noexcept;

// `count` sequences being built for a read, freed unless handed out first (by swapping them into
// the caller's buffer, whose empty sequences are then what is freed).
struct OwnedSequences {
  explicit OwnedSequences(std::size_t count) : items(count, hvl_t{0, nullptr}) {}
  OwnedSequences(const OwnedSequences&) = delete;
  OwnedSequences& operator=(const OwnedSequences&) = delete;
  ~OwnedSequences() { free_sequences(items.data(), items.size()); }
  std::vector<hvl_t> items;
};

// A std::malloc'd, NUL-terminated copy (std::bad_alloc when memory runs out).
struct FreeDeleter {
  void operator()(char* p) const noexcept;
};
using MallocString = std::unique_ptr<char, FreeDeleter>;
MallocString malloc_copy(std::string_view s);

// Frees `count` strings a read returned and sets the pointers to null.
void free_strings(char** strings, std::size_t count) noexcept;

}  // namespace h5mf::values
