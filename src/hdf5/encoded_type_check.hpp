// A structural check of an encoded HDF5 datatype read from a container, before HDF5 decodes it:
// the blob comes from a file, and HDF5 1.10's H5Tdecode trusts it.
#pragma once

#include <cstddef>
#include <span>

namespace h5mf::hdf5 {

inline constexpr unsigned kMaxArrayRank = 32;  // H5S_MAX_RANK

// Throws FormatError (naming the byte and why) unless `bytes` is a whole, well-formed H5Tencode
// output that HDF5's decoder can read without reading or writing out of bounds.
void check_encoded_type(std::span<const std::byte> bytes);

}  // namespace h5mf::hdf5
