#include "driver/vlen_strings.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "h5mf/error.hpp"

namespace h5mf::driver {

bool is_vlen_string(const Datatype& type) {
  return type.valid() && type.type_class() == H5T_STRING && type.is_variable_length();
}

void require_supported_vlen(const Datatype& file_type, const std::string& what) {
  if (file_type.is_variable_length() && !is_vlen_string(file_type)) {
    throw Unsupported(fmt::format("{}: datasets of variable-length type {} are not supported yet (variable-length "
                                  "strings are)",
                                  what, file_type.describe()));
  }
}

void require_string_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what) {
  if (!is_vlen_string(memory_type)) {
    throw InvalidArgument(fmt::format("{} holds variable-length strings ({}): the memory type must be a "
                                      "variable-length string type too (C string pointers), not {}",
                                      what, file_type.describe(), memory_type.describe()));
  }
}

void FreeDeleter::operator()(char* p) const noexcept { std::free(p); }

MallocString malloc_copy(std::string_view s) {
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return MallocString(p);
}

void free_strings(char** strings, std::size_t count) noexcept {
  if (strings == nullptr) return;
  for (std::size_t i = 0; i < count; ++i) {
    std::free(strings[i]);
    strings[i] = nullptr;
  }
}

}  // namespace h5mf::driver
