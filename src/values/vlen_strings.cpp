#include "values/vlen_strings.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/vlen_types.hpp"
#include "values/vlen_compound.hpp"

namespace h5mf::values {

bool is_vlen_string(const Datatype& type) { return hdf5::is_vlen_string(type); }

bool is_vlen_sequence(const Datatype& type) {
  return type.valid() && type.type_class() == H5T_VLEN && !sequence_base(type).is_variable_length();
}

bool uses_vlen_slots(const Datatype& type) {
  return is_vlen_string(type) || is_vlen_sequence(type) || has_vlen_members(type);
}

std::size_t record_element_size(const Datatype& type) {
  return has_vlen_members(type) ? vlen_compound(type, type.describe()).record_element_size() : format::kVlenSlotSize;
}

Datatype sequence_base(const Datatype& sequence) {
  const hid_t base = H5Tget_super(sequence.id());
  if (base < 0) throw IoError(fmt::format("cannot get the base type of {}", sequence.describe()));
  return Datatype::adopt(base);
}

void require_sequence_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what) {
  if (!memory_type.valid() || memory_type.type_class() != H5T_VLEN) {
    throw InvalidArgument(
        fmt::format("{} holds variable-length sequences ({}): the memory type must be a "
                    "sequence type too (hvl_t), not {}",
                    what, file_type.describe(), memory_type.describe()));
  }
}

std::vector<std::byte> encode_sequences(const hvl_t* in, std::size_t count, const Datatype& memory,
                                        const Datatype& file) {
  const Datatype from = sequence_base(memory), to = sequence_base(file);
  const bool same = hdf5::same_type(from, to);
  std::vector<std::vector<std::byte>> converted(same ? 0 : count);
  if (!same) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::span<const std::byte> bytes(static_cast<const std::byte*>(in[i].p), in[i].len * from.size());
      converted[i] = hdf5::convert(from, to, in[i].len, bytes);
    }
  }
  return format::encode_vlen(
      count, [](std::size_t) { return false; },
      [&](std::size_t i) {
        return same ? format::ByteView(static_cast<const std::byte*>(in[i].p), in[i].len * to.size())
                    : format::ByteView(converted[i]);
      });
}

hvl_t decode_sequence(std::string_view bytes, const Datatype& memory, const Datatype& file, const std::string& what) {
  const Datatype from = sequence_base(file), to = sequence_base(memory);
  const std::size_t size = from.size();
  if (size == 0 || bytes.size() % size != 0) {
    throw FormatError(fmt::format("{}: a sequence of {} bytes is no whole number of {}-byte elements of {}", what,
                                  bytes.size(), size, from.describe()));
  }
  const std::size_t n = bytes.size() / size;
  if (n == 0) return hvl_t{0, nullptr};
  const auto converted =
      hdf5::convert(from, to, n, std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  void* p = std::malloc(converted.size());
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, converted.data(), converted.size());
  return hvl_t{n, p};
}

void free_sequences(hvl_t* sequences, std::size_t count) noexcept {
  if (sequences == nullptr) return;
  for (std::size_t i = 0; i < count; ++i) {
    std::free(sequences[i].p);
    sequences[i] = hvl_t{0, nullptr};
  }
}

void require_supported_vlen(const Datatype& file_type, const std::string& what) {
  if (has_vlen_members(file_type)) {
    vlen_compound(file_type, what);  // throws for what it cannot keep
    return;
  }
  if (file_type.is_variable_length() && !uses_vlen_slots(file_type)) {
    throw Unsupported(
        fmt::format("{}: datasets of variable-length type {} are not supported yet (variable-length "
                    "strings and sequences of fixed-size types are)",
                    what, file_type.describe()));
  }
}

void require_string_memory(const Datatype& memory_type, const Datatype& file_type, const std::string& what) {
  if (!is_vlen_string(memory_type)) {
    throw InvalidArgument(
        fmt::format("{} holds variable-length strings ({}): the memory type must be a "
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

}  // namespace h5mf::values
