// Attribute values as the container stores them (docs/format.md, SET_ATTRIBUTE): elements in the
// file type; variable-length strings as u32 length + bytes each (HDF5 holds them as pointers);
// sequences and compounds with variable-length members as record data (values/vlen_values.hpp).
#pragma once

#include "format/encoding.hpp"
#include "h5mf/attributes.hpp"

namespace h5mf::values {

struct StoredAttribute {
  format::Bytes type;  // H5Tencode of the file type
  Extent dims;
  format::Bytes value;
  bool null = false;  // HDF5's null dataspace: no dims, no value
  // `value` holds record data (kVariableLengthElements): set for every sequence type and compound
  // with variable-length members; a value whose flag disagrees with its type is damage.
  bool variable_length_elements = false;
};

// From the API's value (any memory type) to the stored form (converted to the file type).
StoredAttribute store_attribute(const AttributeData& value);
// Back; `context` names the object and attribute in errors.
AttributeData load_attribute(const StoredAttribute& stored, const std::string& context);

bool is_variable_string(const Datatype& type);

// Writes `value`'s elements to HDF5 attribute `attribute` (H5Awrite; HDF5 converts from
// value.type): strings and variable-length elements in HDF5's memory form. `what` names it.
void write_attribute_value(hid_t attribute, const AttributeData& value, const std::string& what);
// Reads the elements of HDF5 attribute `attribute` (of `space`) into `out`, whose type, dims and
// null are set: strings into `strings`, the rest into `bytes` (variable-length elements as record
// data).
void read_attribute_value(hid_t attribute, hid_t space, AttributeData& out, const std::string& what);

}  // namespace h5mf::values
