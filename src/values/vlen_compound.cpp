#include "values/vlen_compound.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/handle.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf::values {
namespace {

Datatype member_type(const Datatype& compound, unsigned i) {
  return Datatype::adopt(hdf5::check_id(H5Tget_member_type(compound.id(), i), "H5Tget_member_type"));
}

void collect(const Datatype& type, std::size_t offset, std::vector<VlenMember>& out, const std::string& what) {
  if (is_vlen_string(type)) {
    out.push_back({offset, true, Datatype()});
    return;
  }
  if (is_vlen_sequence(type)) {
    out.push_back({offset, false, sequence_base(type)});
    return;
  }
  if (!type.is_variable_length()) return;
  if (type.type_class() == H5T_ARRAY) {  // each item in row-major order, as HDF5 lays them out
    const Datatype item = Datatype::adopt(hdf5::check_id(H5Tget_super(type.id()), "H5Tget_super"));
    const std::size_t items = type.size() / std::max<std::size_t>(item.size(), 1);
    for (std::size_t k = 0; k < items; ++k) collect(item, offset + k * item.size(), out, what);
    return;
  }
  if (type.type_class() != H5T_COMPOUND) {
    throw Unsupported(
        fmt::format("{}: compounds with variable-length data inside a {} member are not supported yet (strings and "
                    "sequences of fixed-size types as members, at any depth of nested compounds and arrays, are)",
                    what, type.describe()));
  }
  const int n = H5Tget_nmembers(type.id());
  hdf5::check(n, "H5Tget_nmembers");
  for (int i = 0; i < n; ++i) {
    const auto index = static_cast<unsigned>(i);
    collect(member_type(type, index), offset + H5Tget_member_offset(type.id(), index), out, what);
  }
}

}  // namespace

bool has_vlen_members(const Datatype& type) {
  return type.valid() && type.type_class() == H5T_COMPOUND && type.is_variable_length();
}

std::size_t VlenCompound::record_element_size() const { return fixed_size() + members.size() * format::kVlenSlotSize; }

VlenCompound vlen_compound(const Datatype& type, const std::string& what) {
  VlenCompound out{type, {}};
  collect(type, 0, out.members, what);
  return out;
}

std::vector<std::byte> encode_vlen_compound(const VlenCompound& file, const Datatype& memory, const void* buffer,
                                            std::size_t count) {
  const std::size_t size = file.fixed_size();
  std::vector<std::byte> elements;
  const std::byte* in = static_cast<const std::byte*>(buffer);
  const bool same = hdf5::same_type(memory, file.type);
  if (!same) {
    // HDF5 converts the members (their values too), allocating the converted values.
    elements = hdf5::convert(memory, file.type, count, {in, count * memory.size()});
    in = elements.data();
  }
  struct Reclaim {
    const VlenCompound& file;
    std::vector<std::byte>& elements;
    std::size_t count;
    ~Reclaim() {
      if (!elements.empty()) free_vlen_members(file, elements.data(), count);
    }
  } reclaim{file, elements, count};
  std::vector<std::byte> fixed(size);
  std::size_t current = count;  // the element whose fixed bytes `fixed` holds
  return format::encode_vlen_elements(
      count, size, file.members.size(),
      [&](std::size_t i) {
        if (current != i) {
          std::memcpy(fixed.data(), in + i * size, size);
          for (const VlenMember& m : file.members) {
            std::memset(fixed.data() + m.offset, 0, m.string ? sizeof(char*) : sizeof(hvl_t));
          }
          current = i;
        }
        return format::ByteView(fixed);
      },
      [&](std::size_t i, std::size_t j) {
        const VlenMember& m = file.members[j];
        if (!m.string) return false;  // sequences are never NULL
        const char* p = nullptr;
        std::memcpy(&p, in + i * size + m.offset, sizeof p);
        return p == nullptr;
      },
      [&](std::size_t i, std::size_t j) {
        const VlenMember& m = file.members[j];
        if (m.string) {
          const char* p = nullptr;
          std::memcpy(&p, in + i * size + m.offset, sizeof p);
          return format::ByteView(reinterpret_cast<const std::byte*>(p), std::strlen(p));
        }
        hvl_t v{};
        std::memcpy(&v, in + i * size + m.offset, sizeof v);
        return format::ByteView(static_cast<const std::byte*>(v.p), v.len * m.base.size());
      });
}

std::vector<std::byte> decode_vlen_compound(const VlenCompound& file, std::span<const std::byte> fixed,
                                            std::size_t count,
                                            const std::function<const std::string*(std::size_t, std::size_t)>& value,
                                            const std::string& what) {
  const std::size_t size = file.fixed_size();
  std::vector<std::byte> out(fixed.begin(), fixed.begin() + static_cast<std::ptrdiff_t>(count * size));
  for (std::size_t i = 0; i < count; ++i) {
    for (const VlenMember& m : file.members) std::memset(out.data() + i * size + m.offset, 0, m.string ? 8 : 16);
  }
  try {
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = 0; j < file.members.size(); ++j) {
        const VlenMember& m = file.members[j];
        const std::string* v = value(i, j);
        std::byte* at = out.data() + i * size + m.offset;
        if (m.string) {
          char* p = v ? malloc_copy(*v).release() : nullptr;
          std::memcpy(at, &p, sizeof p);
          continue;
        }
        if (v == nullptr || v->empty()) continue;
        const std::size_t unit = m.base.size();
        if (unit == 0 || v->size() % unit != 0) {
          throw FormatError(fmt::format("{}: member {} is a sequence of {} bytes, no whole number of {}-byte elements",
                                        what, j, v->size(), unit));
        }
        void* p = std::malloc(v->size());
        if (p == nullptr) throw std::bad_alloc();
        std::memcpy(p, v->data(), v->size());
        const hvl_t s{v->size() / unit, p};
        std::memcpy(at, &s, sizeof s);
      }
    }
  } catch (...) {
    free_vlen_members(file, out.data(), count);
    throw;
  }
  return out;
}

void free_vlen_members(const VlenCompound& file, std::byte* elements, std::size_t count) noexcept {
  const std::size_t size = file.fixed_size();
  for (std::size_t i = 0; i < count; ++i) {
    for (const VlenMember& m : file.members) {
      std::byte* at = elements + i * size + m.offset;
      void* p = nullptr;
      std::memcpy(&p, at + (m.string ? 0 : sizeof(std::size_t)), sizeof p);
      std::free(p);
      std::memset(at, 0, m.string ? sizeof(char*) : sizeof(hvl_t));
    }
  }
}

void convert_vlen_compound(const VlenCompound& file, std::vector<std::byte>& elements, const Datatype& memory,
                           void* out, std::size_t count) {
  struct Reclaim {
    const VlenCompound& file;
    std::vector<std::byte>& elements;
    std::size_t count;
    ~Reclaim() { free_vlen_members(file, elements.data(), count); }
  } reclaim{file, elements, count};
  if (hdf5::same_type(file.type, memory)) {
    std::memcpy(out, elements.data(), count * file.fixed_size());
    std::fill(elements.begin(), elements.end(), std::byte{0});  // handed out: nothing to free
    return;
  }
  // HDF5 allocates the converted members (std::malloc); ours are freed.
  const auto converted = hdf5::convert(file.type, memory, count, elements);
  std::memcpy(out, converted.data(), count * memory.size());
}

}  // namespace h5mf::values
