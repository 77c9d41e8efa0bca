// Fill values of variable-length datasets (strings and sequences) in the form h5mf keeps them
// everywhere (DatasetCreate::fill, the drivers, the container's CREATE_DATASET `fill`):
// format::encode_vlen_fill of the value's bytes, empty for HDF5's default (a NULL string, an
// empty sequence).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::values {

// The fill value of a dataset of type `file` from one given in type `given` (a string type for a
// string dataset, a sequence type for a sequence dataset): a string as it is, a sequence's
// elements converted to the file's base type. InvalidArgument (naming `what`) when the kinds
// differ or `fill` is not one value.
std::vector<std::byte> vlen_fill_for(const Datatype& given, const Datatype& file, std::span<const std::byte> fill,
                                     const std::string& what);

// The value's bytes: a string's characters, a sequence's elements in its file base type; nullopt
// for HDF5's default. FormatError (naming `what`) when `fill` is garbled.
std::optional<std::string> vlen_fill_value(const Datatype& file, std::span<const std::byte> fill,
                                           const std::string& what);

}  // namespace h5mf::values
