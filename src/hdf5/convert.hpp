// Conversion between a memory type and a file type with HDF5's own routines (H5Tconvert).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::hdf5 {

// True when bytes of `from` can be used as bytes of `to` without conversion (H5Tequal).
bool same_type(const Datatype& from, const Datatype& to);

// The names of compound `to`'s members that compound `from` lacks (empty unless both are compounds):
// a conversion leaves those members as they were in the background, zero here.
std::vector<std::string> missing_members(const Datatype& from, const Datatype& to);

// Converts `count` elements in place. `buffer` must hold count * max(from.size(), to.size())
// bytes; the first count * from.size() bytes are the input, the first count * to.size() bytes the
// output. Throws IoError naming both types when HDF5 has no conversion path.
void convert_in_place(const Datatype& from, const Datatype& to, std::size_t count, std::span<std::byte> buffer);

// Converts `count` elements from `in` (type `from`) into a new buffer of type `to`.
std::vector<std::byte> convert(const Datatype& from, const Datatype& to, std::size_t count,
                               std::span<const std::byte> in);

}  // namespace h5mf::hdf5
