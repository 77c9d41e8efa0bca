#include "hdf5/convert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>

#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {

namespace {

struct Sizes {
  std::size_t from;
  std::size_t to;
  std::size_t buffer;  // count * max(from, to): what H5Tconvert works in
};

std::string conversion(const Datatype& from, const Datatype& to, std::size_t count) {
  return fmt::format("converting {} elements from {} to {}", count, from.describe(), to.describe());
}

Sizes sizes_for(const Datatype& from, const Datatype& to, std::size_t count) {
  if (!from.valid() || !to.valid()) {
    throw InvalidArgument(conversion(from, to, count) + ": invalid (empty) Datatype");
  }
  const Sizes sizes{from.size(), to.size(), 0};
  const std::size_t widest = std::max(sizes.from, sizes.to);
  if (count > std::numeric_limits<std::size_t>::max() / widest) {
    throw InvalidArgument(conversion(from, to, count) + ": byte count overflows");
  }
  return {sizes.from, sizes.to, count * widest};
}

// Compound conversion fills the destination's members over a background: zeros, as this is always
// a fresh buffer. Other classes need none (array and vlen conversions make their own).
bool needs_background(const Datatype& type) {
  const htri_t found = H5Tdetect_class(type.id(), H5T_COMPOUND);
  if (found < 0) check_bool(found, [&] { return "checking " + type.describe() + " for compound members"; });
  return found > 0;
}

}  // namespace

bool same_type(const Datatype& from, const Datatype& to) { return from == to; }

std::vector<std::string> missing_members(const Datatype& from, const Datatype& to) {
  std::vector<std::string> out;
  if (from.type_class() != H5T_COMPOUND || to.type_class() != H5T_COMPOUND) return out;
  silence_hdf5_errors();
  const int members = H5Tget_nmembers(to.id());
  check(members, [&] { return "counting the members of " + to.describe(); });
  for (int i = 0; i < members; ++i) {
    char* name = H5Tget_member_name(to.id(), static_cast<unsigned>(i));
    if (name == nullptr) check(-1, [&] { return "getting a member name of " + to.describe(); });
    if (H5Tget_member_index(from.id(), name) < 0) out.emplace_back(name);
    H5free_memory(name);
  }
  return out;
}

void convert_in_place(const Datatype& from, const Datatype& to, std::size_t count, std::span<std::byte> buffer) {
  const Sizes sizes = sizes_for(from, to, count);
  if (buffer.size() < sizes.buffer) {
    throw InvalidArgument(
        fmt::format("{}: buffer holds {} bytes, needs {}", conversion(from, to, count), buffer.size(), sizes.buffer));
  }
  if (count == 0 || same_type(from, to)) return;

  silence_hdf5_errors();
  std::vector<std::byte> background;
  if (needs_background(from) || needs_background(to)) background.assign(sizes.buffer, std::byte{0});
  if (H5Tconvert(from.id(), to.id(), count, buffer.data(), background.empty() ? nullptr : background.data(),
                 H5P_DEFAULT) < 0) {
    std::string stack = error_stack();  // before describe() makes more HDF5 calls
    if (stack.empty()) stack = "no HDF5 error stack";
    throw IoError(conversion(from, to, count) + ": " + stack);
  }
}

std::vector<std::byte> convert(const Datatype& from, const Datatype& to, std::size_t count,
                               std::span<const std::byte> in) {
  const Sizes sizes = sizes_for(from, to, count);
  // count * from.size() cannot overflow: it is at most sizes.buffer.
  if (in.size() != count * sizes.from) {
    throw InvalidArgument(fmt::format("{}: input holds {} bytes, expected {}", conversion(from, to, count), in.size(),
                                      count * sizes.from));
  }
  std::vector<std::byte> buffer(sizes.buffer);
  std::copy(in.begin(), in.end(), buffer.begin());
  convert_in_place(from, to, count, buffer);
  buffer.resize(count * sizes.to);
  return buffer;
}

}  // namespace h5mf::hdf5
