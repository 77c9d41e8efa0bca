// Attributes of a group or dataset. Values cross as numpy arrays (numbers, fixed-length bytes,
// object arrays of sequences, structured arrays with object fields) or lists of str
// (variable-length UTF-8 strings, as h5py writes str); the Python AttributeManager shapes them
// into h5py's scalars and arrays.
#include <cstring>
#include <optional>

#include "common.hpp"
#include "h5mf/attributes.hpp"
#include "h5mf/dataset.hpp"
#include "h5mf/error.hpp"
#include "numpy_types.hpp"

namespace h5mf::python {
namespace {

Extent extent_of(const py::array& array) {
  Extent dims;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) dims.push_back(static_cast<std::uint64_t>(array.shape(d)));
  return dims;
}

// (value, dims, encoding): value is a flat array, or a list of str for variable-length strings, whose
// encoding ('utf-8' or 'ascii') comes third (None for arrays). dims is None for a null dataspace
// (h5py's Empty; the value then has no element).
py::tuple get(const Attributes& attrs, const std::string& name) {
  const AttributeData data = attrs.get_raw(name);
  py::tuple shape(data.dims.size());
  for (std::size_t d = 0; d < data.dims.size(); ++d) shape[d] = py::int_(data.dims[d]);
  const py::object dims = data.null ? py::object(py::none()) : py::object(shape);
  if (data.type.type_class() == H5T_STRING && data.type.is_variable_length()) {
    py::list strings;
    for (const auto& s : data.strings) strings.append(py::str(s));
    const bool utf8 = H5Tget_cset(data.type.id()) == H5T_CSET_UTF8;
    return py::make_tuple(strings, dims, utf8 ? "utf-8" : "ascii");
  }
  const py::dtype dtype = dtype_of(data.type);
  if (data.has_vlen_elements()) return py::make_tuple(vlen_elements_array(data, dtype), dims, py::none());
  const auto count = static_cast<py::ssize_t>(data.num_elements());
  // A subarray dtype becomes trailing dimensions of the array (as numpy does): (count, *shape).
  py::array values = py::module_::import("numpy").attr("empty")(py::make_tuple(count), dtype);
  if (static_cast<std::size_t>(values.nbytes()) != data.bytes.size()) {
    throw FormatError("attribute '" + name + "': " + std::to_string(data.bytes.size()) + " bytes for " +
                      std::to_string(count) + " elements of " + data.type.describe());
  }
  if (!data.bytes.empty()) std::memcpy(values.mutable_data(), data.bytes.data(), data.bytes.size());
  return py::make_tuple(values, dims, py::none());
}

// `dtype`: the element type when it is not the array's (a subarray dtype, whose shape is the last
// dimensions of the array).
// `named_type`: the identity of the named datatype it is made with (h5py's dtype=f['t']).
void set_array(Attributes& attrs, const std::string& name, const py::array& value,
               const std::optional<py::dtype>& dtype, std::optional<std::uint64_t> named_type) {
  if (!(value.flags() & py::array::c_style)) throw InvalidArgument("attribute values must be C-contiguous");
  AttributeData data;
  data.type = datatype_of(element_type(dtype ? *dtype : value.dtype()));
  data.dims = extent_of(value);
  if (dtype) {
    const py::object subdtype = dtype->attr("subdtype");
    const auto trailing = subdtype.is_none() ? 0 : subdtype.cast<py::tuple>()[1].cast<py::tuple>().size();
    if (trailing > data.dims.size()) throw InvalidArgument("attribute value has fewer dimensions than its subarray");
    data.dims.resize(data.dims.size() - trailing);
  }
  const auto* bytes = static_cast<const std::byte*>(value.data());
  data.bytes.assign(bytes, bytes + value.nbytes());
  data.named_type = named_type;
  attrs.set_raw(name, std::move(data));
}

// Sequences (`dtype` h5py's vlen_dtype: `value` a flat object array of 1-D arrays of its base
// dtype) and compounds with variable-length members (`value` a flat structured array with object
// fields, of its dtype).
void set_elements(Attributes& attrs, const std::string& name, const py::array& value, const py::dtype& dtype,
                  Extent dims) {
  const Datatype sequence = vlen_sequence_type(dtype);
  if (sequence.valid()) {
    const py::dtype base = sequence_base_dtype(dtype);
    const py::module_ numpy = py::module_::import("numpy");
    py::list keep;
    std::vector<hvl_t> sequences;
    for (py::ssize_t i = 0; i < value.size(); ++i) {
      const py::object item = value.attr("__getitem__")(i);
      if (py::isinstance<py::str>(item) || py::isinstance<py::bytes>(item)) {
        throw py::type_error("cannot write a string to a variable-length sequence");
      }
      const py::array array = numpy.attr("ascontiguousarray")(numpy.attr("asarray")(item, base).attr("ravel")());
      keep.append(array);
      sequences.push_back(hvl_t{static_cast<std::size_t>(array.size()), const_cast<void*>(array.data())});
    }
    attrs.set_raw(name, AttributeData::from_elements(sequence, std::move(dims), sequences.data()));
    return;
  }
  const ElementType element = element_type(dtype);
  const PackedMembers packed = pack_members(element, value);  // `packed.keep` holds what they point into
  attrs.set_raw(name, AttributeData::from_elements(datatype_of(element), std::move(dims), packed.elements.data()));
}

// As h5py stores str (UTF-8) and bytes (ASCII) values.
void set_strings(Attributes& attrs, const std::string& name, std::vector<std::string> strings, Extent dims,
                 bool ascii) {
  AttributeData data;
  data.type = ascii ? Datatype::variable_ascii_string() : Datatype::variable_string();
  data.dims = std::move(dims);
  data.strings = std::move(strings);
  attrs.set_raw(name, std::move(data));
}

// h5py's Empty: a null dataspace of `dtype` (variable-length strings as h5py's string_dtype).
void set_empty(Attributes& attrs, const std::string& name, const py::dtype& dtype,
               std::optional<std::uint64_t> named_type) {
  Datatype type = vlen_string_type(dtype);
  if (!type.valid()) type = datatype_of(element_type(dtype));
  AttributeData data = AttributeData::empty(std::move(type));
  data.named_type = named_type;
  attrs.set_raw(name, std::move(data));
}

}  // namespace

// One compound element with variable-length members (a 0-d or 1-element structured array of
// `dtype`) self-contained, as DatasetCreate::fill takes it.
py::bytes self_contained(const py::dtype& dtype, const py::array& value) {
  const ElementType element = element_type(dtype);
  const PackedMembers packed = pack_members(element, value);
  const AttributeData data = AttributeData::from_elements(datatype_of(element), {}, packed.elements.data());
  return {reinterpret_cast<const char*>(data.bytes.data()), data.bytes.size()};
}

void bind_attributes(py::module_& m) {
  m.def("self_contained", &self_contained, py::arg("dtype"), py::arg("value"), py::call_guard<Locked>(),
        "one element of a compound with variable-length members as a fill value");
  py::class_<Attributes, Held<Attributes>>(m, "Attributes")
      .def("names", &Attributes::names, py::call_guard<Locked>())
      .def("contains", &Attributes::contains, py::call_guard<Locked>())
      .def("remove", &Attributes::remove, py::call_guard<Locked>())
      .def("get", &get, py::call_guard<Locked>(), "(values, dims, string encoding or None) of an attribute")
      .def("set_array", &set_array, py::arg("name"), py::arg("value"), py::arg("dtype") = py::none(),
           py::arg("named_type") = py::none(), py::call_guard<Locked>())
      .def("set_empty", &set_empty, py::arg("name"), py::arg("dtype"), py::arg("named_type") = py::none(),
           py::call_guard<Locked>())
      .def("set_elements", &set_elements, py::arg("name"), py::arg("value"), py::arg("dtype"), py::arg("dims"),
           py::call_guard<Locked>())
      .def("set_strings", &set_strings, py::arg("name"), py::arg("strings"), py::arg("dims"), py::arg("ascii") = false,
           py::call_guard<Locked>());
}

}  // namespace h5mf::python
