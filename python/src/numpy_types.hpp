// numpy dtypes <-> HDF5 datatypes. A numpy array's element type is read while the GIL is held
// (ElementType) and becomes an h5mf::Datatype later, possibly with the GIL released.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "h5mf/datatype.hpp"

namespace h5mf::python {

// A numpy dtype as h5mf maps it, without Python objects (so that it can cross a GIL release).
struct ElementType {
  struct Field;
  char kind = 0;  // numpy's kind: 'i', 'u', 'f', 'S', 'b' (bool), 'V' (structured or subarray)
  std::size_t itemsize = 0;
  bool big_endian = false;
  bool utf8 = false;                        // 'S' with h5py's metadata {'h5py_encoding': 'utf-8'}: H5T_CSET_UTF8
  std::vector<Field> fields;                // structured: the fields in numpy's order
  std::vector<std::uint64_t> subarray;      // subarray: its shape, elements of `base`
  std::shared_ptr<const ElementType> base;  // subarray's element type
  std::vector<EnumMember> enum_members;     // h5py enum dtype (metadata {'enum': {...}}): values
                                            // in the integer's own byte order
};

struct ElementType::Field {
  std::string name;
  std::size_t offset = 0;
  ElementType type;
};

// Throws py::type_error for dtypes h5mf cannot transfer (complex, float16, objects, void...).
ElementType element_type(const py::dtype& dtype);
// The HDF5 memory type describing such elements (holds the library lock).
Datatype datatype_of(const ElementType& element);
// The numpy dtype for an HDF5 type, as h5py makes it: numbers keep their size and byte order,
// fixed-length strings become 'S<n>' with h5py's metadata {'h5py_encoding': 'ascii' or 'utf-8'},
// h5py's bool enum numpy
// bool, other enums their integer with metadata {'enum': {name: value}}, arrays subarray dtypes,
// compounds structured dtypes with the type's offsets and size, variable-length strings and
// sequences object with h5py's metadata ({'vlen': str/bytes/<base dtype>}). py::type_error for
// anything else.
py::dtype dtype_of(const Datatype& type);

// h5py's variable-length string dtypes: object with metadata {'vlen': str} (UTF-8) or
// {'vlen': bytes} (ASCII). Their HDF5 type, or an invalid Datatype for any other dtype.
Datatype vlen_string_type(const py::dtype& dtype);
// h5py's variable-length sequence dtypes: object with metadata {'vlen': <base dtype>}. Their HDF5
// type (a sequence of the base's type), or an invalid Datatype for any other dtype.
Datatype vlen_sequence_type(const py::dtype& dtype);

}  // namespace h5mf::python
