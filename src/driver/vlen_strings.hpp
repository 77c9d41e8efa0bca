// Datasets of variable-length strings, as every driver moves them: in memory an array of C string
// pointers (HDF5's form; a null pointer is HDF5's NULL string). Strings a read returns are
// allocated with std::malloc, whichever driver read them, and freed by the caller
// (h5mf::reclaim_strings).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::driver {

// A variable-length string type (of any character set).
bool is_vlen_string(const Datatype& type);

// Throws Unsupported for variable-length types other than strings (sequences, compounds holding
// them): `what` names the dataset.
void require_supported_vlen(const Datatype& file_type, const std::string& what);
// Throws InvalidArgument unless `memory_type` is a variable-length string type too.
void require_string_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what);

// A std::malloc'd, NUL-terminated copy (std::bad_alloc when memory runs out).
struct FreeDeleter {
  void operator()(char* p) const noexcept;
};
using MallocString = std::unique_ptr<char, FreeDeleter>;
MallocString malloc_copy(std::string_view s);

// Frees `count` strings a read returned and sets the pointers to null.
void free_strings(char** strings, std::size_t count) noexcept;

}  // namespace h5mf::driver
