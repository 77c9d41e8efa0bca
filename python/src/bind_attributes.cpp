// Attributes of a group or dataset. Values cross as numpy arrays (numbers, fixed-length bytes) or
// lists of str (variable-length UTF-8 strings, as h5py writes str); the Python AttributeManager
// shapes them into h5py's scalars and arrays.
#include <cstring>

#include "common.hpp"
#include "h5mf/attributes.hpp"
#include "h5mf/error.hpp"
#include "numpy_types.hpp"

namespace h5mf::python {
namespace {

Extent extent_of(const py::array& array) {
  Extent dims;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) dims.push_back(static_cast<std::uint64_t>(array.shape(d)));
  return dims;
}

// (value, dims): value is a flat array, or a list of str for variable-length strings.
py::tuple get(const Attributes& attrs, const std::string& name) {
  const AttributeData data = attrs.get_raw(name);
  py::tuple dims(data.dims.size());
  for (std::size_t d = 0; d < data.dims.size(); ++d) dims[d] = py::int_(data.dims[d]);
  if (data.type.type_class() == H5T_STRING && data.type.is_variable_length()) {
    py::list strings;
    for (const auto& s : data.strings) strings.append(py::str(s));
    return py::make_tuple(strings, dims);
  }
  const py::dtype dtype = dtype_of(data.type);
  const auto count = static_cast<py::ssize_t>(data.num_elements());
  py::array values(dtype, std::vector<py::ssize_t>{count});
  if (static_cast<std::size_t>(values.nbytes()) != data.bytes.size()) {
    throw FormatError("attribute '" + name + "': " + std::to_string(data.bytes.size()) + " bytes for " +
                      std::to_string(count) + " elements of " + data.type.describe());
  }
  if (!data.bytes.empty()) std::memcpy(values.mutable_data(), data.bytes.data(), data.bytes.size());
  return py::make_tuple(values, dims);
}

void set_array(Attributes& attrs, const std::string& name, const py::array& value) {
  if (!(value.flags() & py::array::c_style)) throw InvalidArgument("attribute values must be C-contiguous");
  AttributeData data;
  data.type = datatype_of(element_type(value.dtype()));
  data.dims = extent_of(value);
  const auto* bytes = static_cast<const std::byte*>(value.data());
  data.bytes.assign(bytes, bytes + value.nbytes());
  attrs.set_raw(name, std::move(data));
}

void set_strings(Attributes& attrs, const std::string& name, std::vector<std::string> strings, Extent dims) {
  AttributeData data;
  data.type = Datatype::variable_string();
  data.dims = std::move(dims);
  data.strings = std::move(strings);
  attrs.set_raw(name, std::move(data));
}

}  // namespace

void bind_attributes(py::module_& m) {
  py::class_<Attributes, Held<Attributes>>(m, "Attributes")
      .def("names", &Attributes::names, py::call_guard<Locked>())
      .def("contains", &Attributes::contains, py::call_guard<Locked>())
      .def("remove", &Attributes::remove, py::call_guard<Locked>())
      .def("get", &get, py::call_guard<Locked>(), "(values, dims) of an attribute")
      .def("set_array", &set_array, py::call_guard<Locked>())
      .def("set_strings", &set_strings, py::call_guard<Locked>());
}

}  // namespace h5mf::python
