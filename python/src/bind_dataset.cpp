// A dataset: its description, and reads and writes of a Selection to and from a C-contiguous numpy
// array of any supported dtype (HDF5 converts between the array's type and the file type).
#include <cstring>
#include <optional>
#include <tuple>
#include <vector>

#include "common.hpp"
#include "h5mf/dataset.hpp"
#include "h5mf/error.hpp"
#include "numpy_types.hpp"

namespace h5mf::python {
namespace {

// The array's element type and buffer, taken while the GIL is held; checked against the selection.
struct Buffer {
  ElementType element;
  std::uint64_t elements = 0;
};

// `dtype`, when given, is the element type (numpy absorbs a subarray dtype into the array's shape:
// an array of ('f4', (3,)) elements has dtype f4 and three times as many items).
Buffer buffer_of(const py::array& array, bool writable, const std::optional<py::dtype>& dtype) {
  if (!(array.flags() & py::array::c_style)) {
    throw InvalidArgument("the array must be C-contiguous (numpy.ascontiguousarray makes it so)");
  }
  if (writable && !array.writeable()) throw InvalidArgument("the array to read into is read-only");
  if (!dtype) return Buffer{element_type(array.dtype()), static_cast<std::uint64_t>(array.size())};
  const auto itemsize = static_cast<std::uint64_t>(dtype->itemsize());
  const auto bytes = static_cast<std::uint64_t>(array.nbytes());
  if (itemsize == 0 || bytes % itemsize != 0) {
    throw InvalidArgument("the array's " + std::to_string(bytes) + " bytes are no whole number of " +
                          std::to_string(itemsize) + "-byte elements");
  }
  return Buffer{element_type(*dtype), bytes / itemsize};
}

// The element count goes with the buffer: the library checks it against the selection as it
// resolves it, once (docs/design.md, "The write path").
void write(Dataset& dataset, const Selection& selection, const py::array& data, const std::optional<py::dtype>& dtype) {
  const Buffer buffer = buffer_of(data, false, dtype);
  const void* bytes = data.data();
  Unlocked io;  // `data` stays alive: the caller's argument holds a reference
  dataset.write_raw(bytes, buffer.elements, datatype_of(buffer.element), selection);
}

void read(const Dataset& dataset, const Selection& selection, py::array& out, const std::optional<py::dtype>& dtype) {
  const Buffer buffer = buffer_of(out, true, dtype);
  void* bytes = out.mutable_data();
  Unlocked io;
  dataset.read_raw(bytes, buffer.elements, datatype_of(buffer.element), selection);
}

// Variable-length strings: a list of bytes each way (the Python package encodes str and builds
// h5py's object arrays). The strings cross without the GIL as std::string.
void write_strings(Dataset& dataset, const Selection& selection, std::vector<std::string> values) {
  Unlocked io;
  dataset.write(values, selection);  // checks the count against the selection
}

py::list read_strings(const Dataset& dataset, const Selection& selection) {
  std::vector<std::string> values;
  {
    Unlocked io;
    values = dataset.read<std::string>(selection);
  }
  py::list out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = py::bytes(values[i]);
  return out;
}

// Variable-length sequences: a list of C-contiguous 1-D arrays of dtype `base` each way (the
// Python package converts and builds h5py's object arrays).
void write_sequences(Dataset& dataset, const Selection& selection, const py::dtype& base, const py::list& arrays) {
  const Datatype memory_type = Datatype::sequence_of(datatype_of(element_type(base)));
  std::vector<hvl_t> sequences;
  sequences.reserve(arrays.size());
  for (const py::handle item : arrays) {
    const auto array = item.cast<py::array>();  // the list holds it: its buffer stays valid
    if (!(array.flags() & py::array::c_style) || !array.dtype().equal(base)) {
      throw InvalidArgument("write_sequences: every array must be C-contiguous and of the given dtype");
    }
    sequences.push_back(hvl_t{static_cast<std::size_t>(array.size()), const_cast<void*>(array.data())});
  }
  Unlocked io;
  dataset.write_raw(sequences.data(), sequences.size(), memory_type, selection);
}

py::list read_sequences(const Dataset& dataset, const Selection& selection, const py::dtype& base) {
  const ElementType element = element_type(base);
  std::vector<hvl_t> sequences;
  struct Reclaim {
    std::vector<hvl_t>& s;
    ~Reclaim() { reclaim_sequences(s.data(), s.size()); }
  } reclaim{sequences};
  {
    Unlocked io;
    sequences.assign(dataset.count(selection), hvl_t{0, nullptr});
    dataset.read_raw(sequences.data(), Datatype::sequence_of(datatype_of(element)), selection);
  }
  py::list out(sequences.size());
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    py::array array(base, std::vector<py::ssize_t>{static_cast<py::ssize_t>(sequences[i].len)});
    if (sequences[i].len > 0) std::memcpy(array.mutable_data(), sequences[i].p, sequences[i].len * element.itemsize);
    out[i] = array;
  }
  return out;
}

// Structured arrays with variable-length members (numpy_types.hpp): packed with the GIL held,
// written without it.
void write_compound(Dataset& dataset, const Selection& selection, const py::array& data) {
  const ElementType element = element_type(data.dtype());
  const PackedMembers packed = pack_members(element, data);
  const auto count = static_cast<std::uint64_t>(data.size());
  Unlocked io;  // `packed.keep` holds what the pointers point into
  dataset.write_raw(packed.elements.data(), count, datatype_of(element), selection);
}

py::array read_compound(const Dataset& dataset, const Selection& selection, const py::dtype& dtype) {
  const ElementType element = element_type(dtype);
  std::vector<std::byte> elements;
  std::size_t count = 0;
  const auto reclaim = [&] {
    Locked lock;
    reclaim_members(datatype_of(element), elements.data(), count);
  };
  {
    Unlocked io;
    const std::size_t n = dataset.count(selection);
    elements.assign(n * element.hdf5_itemsize, std::byte{0});
    dataset.read_raw(elements.data(), n, datatype_of(element), selection);
    count = n;
  }
  py::array out;
  try {
    out = unpack_members(element, dtype, elements.data(), count);
  } catch (...) {
    reclaim();
    throw;
  }
  reclaim();
  return out;
}

// A compound with variable-length members: its fill value as a structured scalar of `dtype`, or
// None for HDF5's default.
py::object fill_compound(const Dataset& dataset, const py::dtype& dtype) {
  AttributeData data;
  data.type = dataset.dtype();
  data.bytes = dataset.fill_value();
  if (data.bytes.empty()) return py::none();
  return vlen_elements_array(data, dtype).attr("__getitem__")(0);
}

py::bytes fill_value(const Dataset& dataset) {
  const auto fill = dataset.fill_value();
  return {reinterpret_cast<const char*>(fill.data()), fill.size()};
}

// A variable-length string's fill value (None for HDF5's default NULL string), or a sequence's
// elements as `base` (a numpy dtype), as bytes.
py::object fill_string(const Dataset& dataset) {
  const auto fill = dataset.fill_string();
  if (!fill) return py::none();
  return py::bytes(*fill);
}

py::bytes fill_sequence(const Dataset& dataset, const py::dtype& base) {
  const auto fill = dataset.fill_sequence(datatype_of(element_type(base)));
  return {reinterpret_cast<const char*>(fill.data()), fill.size()};
}

}  // namespace

void bind_dataset(py::module_& m) {
  m.attr("UNLIMITED") = py::int_(DatasetCreate::kUnlimited);
  py::class_<Dataset, Held<Dataset>>(m, "Dataset")
      .def_property_readonly("name", &Dataset::name, py::call_guard<Locked>())
      .def_property_readonly("current_name", &Dataset::current_name, py::call_guard<Locked>())
      .def("object_id", &Dataset::object_id, py::call_guard<Locked>())
      .def("shape", &Dataset::shape, py::call_guard<Locked>())
      .def("is_null", &Dataset::is_null, py::call_guard<Locked>(), "a null dataspace (h5py's Empty)")
      .def("maxshape", &Dataset::maxshape, py::call_guard<Locked>(), "UNLIMITED for unlimited dimensions")
      .def("chunks", &Dataset::chunks, py::call_guard<Locked>(), "empty when contiguous")
      .def(
          "filters",
          [](const Dataset& d) {
            std::vector<std::tuple<std::uint32_t, std::uint32_t, std::vector<std::uint32_t>>> out;
            for (const auto& f : d.filters()) out.emplace_back(f.id, f.flags, f.cd_values);
            return out;
          },
          py::call_guard<Locked>(), "(id, flags, cd_values) in pipeline order")
      .def(
          "dtype", [](const Dataset& d) { return dtype_of(d.dtype()); }, py::call_guard<Locked>())
      .def_property_readonly("type_committed", &Dataset::type_committed, py::call_guard<Locked>())
      .def("fill_value", &fill_value, py::call_guard<Locked>(), "one element in the file type")
      .def("fill_compound", &fill_compound, py::arg("dtype"), py::call_guard<Locked>(),
           "a compound's fill value with its variable-length members, or None")
      .def("fill_string", &fill_string, py::call_guard<Locked>(), "a string dataset's fill value, or None")
      .def("fill_sequence", &fill_sequence, py::arg("base"), py::call_guard<Locked>(),
           "a sequence dataset's fill value as elements of `base`")
      .def("count", &Dataset::count, py::call_guard<Locked>(), "number of elements a selection picks")
      // I/O releases the GIL (and takes the library lock) itself.
      .def("write", &write, py::arg("selection"), py::arg("data"), py::arg("dtype") = py::none(),
           "dtype: the element type when it is not the array's (subarray dtypes)")
      .def("read", &read, py::arg("selection"), py::arg("out"), py::arg("dtype") = py::none())
      .def("write_strings", &write_strings, py::arg("selection"), py::arg("values"))
      .def("read_strings", &read_strings, py::arg("selection"))
      .def("write_sequences", &write_sequences, py::arg("selection"), py::arg("base"), py::arg("arrays"))
      .def("read_sequences", &read_sequences, py::arg("selection"), py::arg("base"))
      .def("write_compound", &write_compound, py::arg("selection"), py::arg("data"),
           "a structured array with variable-length members")
      .def("read_compound", &read_compound, py::arg("selection"), py::arg("dtype"))
      .def("resize", &Dataset::resize, py::call_guard<Locked>())
      .def("set_collective", &Dataset::set_collective, py::call_guard<Locked>())
      .def("attrs", &Dataset::attrs, py::call_guard<Locked>())
      .def("make_scale", &Dataset::make_scale, py::arg("name"), py::call_guard<Locked>())
      .def("is_scale", &Dataset::is_scale, py::call_guard<Locked>())
      .def("scale_name", &Dataset::scale_name, py::call_guard<Locked>())
      .def("attach_scale", &Dataset::attach_scale, py::arg("scale"), py::arg("dim"), py::call_guard<Locked>())
      .def("detach_scale", &Dataset::detach_scale, py::arg("scale"), py::arg("dim"), py::call_guard<Locked>())
      .def("scales", &Dataset::scales, py::arg("dim"), py::call_guard<Locked>(), "attached to `dim`, in HDF5's order")
      .def("label", &Dataset::label, py::arg("dim"), py::call_guard<Locked>())
      .def("set_label", &Dataset::set_label, py::arg("dim"), py::arg("label"), py::call_guard<Locked>());
}

}  // namespace h5mf::python
