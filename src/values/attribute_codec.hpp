// Attribute values as the container stores them (docs/format.md, SET_ATTRIBUTE): elements in the
// file type; variable-length strings as u32 length + bytes each (HDF5 holds them as pointers).
#pragma once

#include "format/encoding.hpp"
#include "h5mf/attributes.hpp"

namespace h5mf::values {

struct StoredAttribute {
  format::Bytes type;  // H5Tencode of the file type
  Extent dims;
  format::Bytes value;
  bool null = false;  // HDF5's null dataspace: no dims, no value
};

// From the API's value (any memory type) to the stored form (converted to the file type).
StoredAttribute store_attribute(const AttributeData& value);
// Back; `context` names the object and attribute in errors.
AttributeData load_attribute(const StoredAttribute& stored, const std::string& context);

bool is_variable_string(const Datatype& type);

}  // namespace h5mf::values
