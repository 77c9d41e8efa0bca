// numpy dtypes <-> HDF5 datatypes. A numpy array's element type is read while the GIL is held
// (ElementType) and becomes an h5mf::Datatype later, possibly with the GIL released.
#pragma once

#include <cstddef>
#include <string>

#include "common.hpp"
#include "h5mf/datatype.hpp"

namespace h5mf::python {

struct ElementType {
  char kind = 0;           // numpy's kind: 'i', 'u', 'f', 'S'
  std::size_t itemsize = 0;
  bool big_endian = false;
};

// Throws py::type_error for dtypes h5mf cannot transfer yet (bool, complex, float16, objects...).
ElementType element_type(const py::dtype& dtype);
// The HDF5 memory type describing such elements (holds the library lock).
Datatype datatype_of(const ElementType& element);
// The numpy dtype for an HDF5 type: numbers keep their size and byte order, fixed-length strings
// become 'S<n>', variable-length strings object. Throws py::type_error for anything else.
py::dtype dtype_of(const Datatype& type);

// h5py's variable-length string dtypes: object with metadata {'vlen': str} (UTF-8) or
// {'vlen': bytes} (ASCII). Their HDF5 type, or an invalid Datatype for any other dtype.
Datatype vlen_string_type(const py::dtype& dtype);
// h5py's variable-length sequence dtypes: object with metadata {'vlen': <base dtype>}. Their HDF5
// type (a sequence of the base's type), or an invalid Datatype for any other dtype.
Datatype vlen_sequence_type(const py::dtype& dtype);

}  // namespace h5mf::python
