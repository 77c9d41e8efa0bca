// The checks of h5mf/limits.hpp's limits, shared by the API (which throws InvalidArgument) and the
// catalog (FormatError: a loaded metafile is damaged from that record on).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "h5mf/limits.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::format {

using h5mf::kMaxChunkBytes;
using h5mf::kMaxDatasetBytes;
using h5mf::kMaxDepth;

// Why a dataset of this shape, maximum shape (kUnlimited for an unlimited dimension), chunk
// (empty: contiguous) and element size (0: unknown) breaks a limit, or "" when it does not:
// elements or bytes that overflow 64 bits or reach kMaxDatasetBytes (at the current shape, and at
// the maximum one counting unlimited dimensions as 1), a current dimension of kUnlimited, a chunk
// of kMaxChunkBytes or more.
std::string extent_problem(const Extent& dims, const Extent& maxdims, const Extent& chunk, std::uint64_t element_size);

// The element size an H5Tencode blob declares (bytes 6..9 of it, the datatype message's size
// field), or 0 when the blob is too short to say.
std::uint64_t encoded_type_size(std::span<const std::byte> type);

}  // namespace h5mf::format
