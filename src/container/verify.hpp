// `verify` of a container: every file, record, checksum and catalog reference, and same-epoch
// conflicts, without HDF5 (the caller says how large an element of an encoded type is).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "container/layout.hpp"
#include "format/encoding.hpp"
#include "h5mf/verify.hpp"

namespace h5mf::container {

// Bytes per element of a dataset's file type (an H5Tencode blob); nullopt when variable-length
// (then record lengths are not checked against selections). Throws an h5mf::Error when the type
// does not decode (reported as an error of the dataset).
// kVariableLengthSlots marks datasets of variable-length data, whose records hold 16-byte slots
// and bytes (format/vlen.hpp): their slots are checked to lie within their records.
inline constexpr std::size_t kVariableLengthSlots = ~std::size_t{0};
using ElementSizeOf = std::function<std::optional<std::size_t>(format::ByteView type)>;

// Checks the container at `layout` (which must be a directory holding a metafile) and returns the
// report (kind Container). What it finds in the files goes into the report, never into exceptions.
VerifyReport verify_container(const Layout& layout, const VerifyOptions& options, const ElementSizeOf& element_size);

}  // namespace h5mf::container
