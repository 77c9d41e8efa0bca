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

// The element of a dataset's records, from its file type (an H5Tencode blob): `size` bytes per
// element; for variable-length data (format/vlen.hpp) the bytes before the values, whose slots
// (from byte `fixed` of each element on) are checked to lie within their records. nullopt when
// record lengths cannot be checked against selections. Throws an h5mf::Error when the type does
// not decode (reported as an error of the dataset).
struct RecordElement {
  std::size_t size = 0;
  bool variable_length = false;
  std::size_t fixed = 0;  // variable-length: fixed bytes before the slots (compounds)
};
using ElementSizeOf = std::function<std::optional<RecordElement>(format::ByteView type)>;

// Checks the container at `layout` (which must be a directory holding a metafile) and returns the
// report (kind Container). What it finds in the files goes into the report, never into exceptions.
VerifyReport verify_container(const Layout& layout, const VerifyOptions& options, const ElementSizeOf& element_size);

}  // namespace h5mf::container
