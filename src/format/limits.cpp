#include "format/limits.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

#include "format/constants.hpp"

namespace h5mf::format {
namespace {

// a * b, or nothing when it overflows 64 bits.
std::optional<std::uint64_t> times(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// The bytes of `dims` (unlimited dimensions counted as 1), or "" when they fit kMaxDatasetBytes.
std::string size_problem(const Extent& dims, std::uint64_t element_size, const char* which) {
  std::optional<std::uint64_t> elements = 1;
  for (const std::uint64_t d : dims) {
    if (elements) elements = times(*elements, d == kUnlimited ? 1 : d);
  }
  if (!elements) return fmt::format("{} [{}] has more than 2^64 elements", which, fmt::join(dims, ","));
  const auto bytes = times(*elements, element_size == 0 ? 1 : element_size);
  if (!bytes || *bytes >= kMaxDatasetBytes) {
    return fmt::format("{} [{}] of {}-byte elements needs 2^63 bytes or more, beyond what a file can hold", which,
                       fmt::join(dims, ","), element_size);
  }
  return {};
}

}  // namespace

std::string extent_problem(const Extent& dims, const Extent& maxdims, const Extent& chunk, std::uint64_t element_size) {
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == kUnlimited) return fmt::format("dimension {} of shape [{}] is 2^64-1", d, fmt::join(dims, ","));
  }
  if (auto problem = size_problem(dims, element_size, "shape"); !problem.empty()) return problem;
  if (auto problem = size_problem(maxdims, element_size, "maximum shape"); !problem.empty()) return problem;
  if (chunk.empty()) return {};
  std::uint64_t chunk_bytes = element_size == 0 ? 1 : element_size;
  for (std::size_t d = 0; d < chunk.size(); ++d) {
    const auto next = times(chunk_bytes, chunk[d]);
    if (!next || *next >= kMaxChunkBytes) {
      return fmt::format("chunk [{}] of {}-byte elements is 4 GiB or more (HDF5: chunk size must be < 4GB)",
                         fmt::join(chunk, ","), element_size);
    }
    chunk_bytes = *next;
  }
  return {};
}

std::uint64_t encoded_type_size(std::span<const std::byte> type) {
  if (type.size() < 10) return 0;
  std::uint64_t size = 0;
  for (int i = 3; i >= 0; --i)
    size = (size << 8) | std::to_integer<std::uint64_t>(type[6 + static_cast<std::size_t>(i)]);
  return size;
}

}  // namespace h5mf::format
