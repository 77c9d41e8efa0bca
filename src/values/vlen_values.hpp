// Variable-length elements held self-contained: `count` elements of a sequence type or of a
// compound with variable-length members as the record data of format/vlen.hpp (slots, then the
// values' bytes), the form attributes of such types travel in (AttributeData::bytes) and are
// stored in (the container's SET_ATTRIBUTE value, docs/format.md). Strings keep their own form.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"

namespace h5mf::values {

// A sequence of a fixed-size type, or a compound with variable-length members (strings and
// sequences, at any depth of nested compounds).
bool uses_vlen_elements(const Datatype& type);

// Record data in `type` from `count` elements of `memory` in HDF5's memory form (hvl_t, char*),
// converted by HDF5. InvalidArgument (naming `what`) when `memory` is not of the same kind;
// Unsupported for variable-length data h5mf cannot keep (in arrays, nested sequences).
std::vector<std::byte> encode_vlen_elements(const Datatype& memory, const void* elements, std::size_t count,
                                            const Datatype& type, const std::string& what);

// `count` elements of `memory` in HDF5's memory form at `out` (its members std::malloc'd: free
// them with free_vlen_elements) from record data in `type`. FormatError (naming `what`) unless the
// data hold exactly `count` well-formed elements.
void decode_vlen_elements(const Datatype& type, std::span<const std::byte> data, std::size_t count,
                          const Datatype& memory, void* out, const std::string& what);

// Frees what decode_vlen_elements() allocated in `count` elements of `memory`, and nulls it.
void free_vlen_elements(const Datatype& memory, void* elements, std::size_t count) noexcept;

// The same record data in `to` (the file type of `from`, say), checked on the way.
std::vector<std::byte> convert_vlen_elements(const Datatype& from, std::span<const std::byte> data, std::size_t count,
                                             const Datatype& to, const std::string& what);

// One element of a compound with variable-length members (a dataset's fill value, as CREATE_DATASET
// holds it: its record data) in parts: its fixed bytes (members zero) and member j's bytes, or
// nullopt for a NULL string. FormatError (naming `what`) unless `data` is exactly one element.
struct VlenElementParts {
  std::vector<std::byte> fixed;
  std::vector<std::optional<std::string>> values;
};
VlenElementParts split_vlen_element(const Datatype& type, std::span<const std::byte> data, const std::string& what);

// A dataset's fill value as hdf5::set_fill_value takes it: as stored, but for a compound with
// variable-length members one element in HDF5's memory form (its members freed with this).
class Hdf5Fill {
 public:
  Hdf5Fill(const Datatype& type, std::span<const std::byte> stored, const std::string& what);
  ~Hdf5Fill();
  Hdf5Fill(const Hdf5Fill&) = delete;
  Hdf5Fill& operator=(const Hdf5Fill&) = delete;
  std::span<const std::byte> bytes() const { return memory_ ? std::span<const std::byte>(element_) : stored_; }

 private:
  Datatype type_;
  std::span<const std::byte> stored_;
  bool memory_ = false;
  std::vector<std::byte> element_;
};

}  // namespace h5mf::values
