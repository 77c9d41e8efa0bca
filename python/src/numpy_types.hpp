// numpy dtypes <-> HDF5 datatypes. A numpy array's element type is read while the GIL is held
// (ElementType) and becomes an h5mf::Datatype later, possibly with the GIL released.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "h5mf/attributes.hpp"
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
  // 'O' (a member of a structured dtype): h5py's variable-length string ('s', `utf8` says the
  // character set) or sequence ('q', of `base`).
  char vlen = 0;
  // Structured dtypes with variable-length members: HDF5 holds them as char* (8 bytes) and hvl_t
  // (16 bytes), so their HDF5 layout may differ from numpy's (an hvl_t does not fit an object's 8
  // bytes); packed in field order then, as h5py makes it.
  std::size_t hdf5_itemsize = 0;
  bool has_vlen() const;
};

struct ElementType::Field {
  std::string name;
  std::size_t offset = 0;
  ElementType type;
  std::size_t hdf5_offset = 0;
};

// Throws py::type_error for dtypes h5mf cannot transfer (complex, float16, objects, void...).
ElementType element_type(const py::dtype& dtype);

// Structured arrays with variable-length members (h5py's object fields) to and from HDF5's memory
// form of their elements (datatype_of(element)): strings as char* (UTF-8 encoded str, bytes),
// sequences as hvl_t over C-contiguous arrays of the base dtype. Hold the GIL.
struct PackedMembers {
  std::vector<std::byte> elements;
  py::list keep;  // the objects the pointers point into
};
PackedMembers pack_members(const ElementType& element, const py::array& array);
// Elements in HDF5's memory form into a new array of `dtype` (strings as bytes, NULL as b'',
// sequences as arrays), as h5py reads them.
py::array unpack_members(const ElementType& element, const py::dtype& dtype, const std::byte* elements,
                         std::size_t count);
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

// The base dtype of h5py's vlen_dtype(base) (its metadata may hold anything numpy.dtype takes).
py::dtype sequence_base_dtype(const py::dtype& dtype);
// The elements of a value of a sequence type or a compound with variable-length members
// (AttributeData::has_vlen_elements()) as h5py reads them: a flat object array of 1-D arrays of the
// base dtype, or a flat structured array of `dtype` with bytes and arrays in its object fields.
py::array vlen_elements_array(const AttributeData& data, const py::dtype& dtype);

}  // namespace h5mf::python
