// What makes a type variable-length data that h5mf stores by value (docs/format.md): a
// variable-length string, or a sequence (H5T_VLEN), and the size of one unit of its values. One
// rule for the layers above (values, the drivers, the merge) and for creation properties here.
#pragma once

#include <hdf5.h>

#include <cstddef>

#include "h5mf/datatype.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {

inline bool is_vlen_string(const Datatype& type) {
  return type.valid() && type.type_class() == H5T_STRING && type.is_variable_length();
}

// A value's unit: a string's character (1 byte), a sequence's base element.
inline std::size_t vlen_unit(const Datatype& type) {
  if (is_vlen_string(type)) return 1;
  const Handle base(check_id(H5Tget_super(type.id()), "H5Tget_super"));
  return H5Tget_size(base.get());
}

}  // namespace h5mf::hdf5
