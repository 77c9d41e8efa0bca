// Limits every h5mf container obeys beyond what its records can encode (docs/design.md, "Hostile
// files"). The API refuses to create what breaks them; a loaded metafile that breaks them is
// damaged from that record on; tools that walk any HDF5 file stop at kMaxDepth with an error.
#pragma once

#include <cstdint>

namespace h5mf {

// Groups nest at most this deep: an object's path has at most this many names. Tools and HDF5
// itself walk trees recursively (h5dump, H5Ovisit; recursive Python walks stop near 1000 frames);
// real hierarchies are a handful of levels deep.
inline constexpr std::uint64_t kMaxDepth = 1024;
// A dataset's bytes must be a file offset (off_t), which is also the most HDF5 can address.
inline constexpr std::uint64_t kMaxDatasetBytes = std::uint64_t{1} << 63;  // exclusive
// HDF5 1.10: "chunk size must be < 4GB" (H5D__chunk_construct).
inline constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{1} << 32;  // exclusive

}  // namespace h5mf
