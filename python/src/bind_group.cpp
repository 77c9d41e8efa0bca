// A group: children by path, creation of groups and datasets (collective), attributes.
#include <optional>
#include <tuple>
#include <vector>

#include "common.hpp"
#include "h5mf/error.hpp"
#include "h5mf/group.hpp"
#include "numpy_types.hpp"

namespace h5mf::python {
namespace {

// h5py's create_dataset arguments, already normalised by the Python package: maxshape uses
// UNLIMITED, an empty chunks is contiguous (or chosen when maxshape differs or filters are given),
// `fill` is one element of `dtype` (for variable-length strings their bytes, for sequences their
// elements of the base dtype, for compounds with variable-length members the element
// self-contained, _core.self_contained) or None, `filters` (id, flags, cd_values) in pipeline order.
using FilterArgs = std::vector<std::tuple<std::uint32_t, std::uint32_t, std::vector<std::uint32_t>>>;

DatasetCreate spec_of(const py::dtype& dtype, Extent shape, Extent maxshape, Extent chunks,
                      const std::optional<py::bytes>& fill, const FilterArgs& filters, bool null,
                      std::string named_type) {
  DatasetCreate spec;
  spec.named_type = std::move(named_type);  // h5py's dtype=f['t']: `dtype` is its dtype
  spec.null = null;                         // h5py's Empty
  spec.dtype = vlen_string_type(dtype);
  if (!spec.dtype.valid()) spec.dtype = vlen_sequence_type(dtype);
  if (!spec.dtype.valid()) spec.dtype = datatype_of(element_type(dtype));
  spec.shape = std::move(shape);
  spec.maxshape = std::move(maxshape);
  spec.chunks = std::move(chunks);
  for (const auto& [id, flags, values] : filters) spec.filter(id, flags, values);
  if (fill) {
    const std::string bytes = *fill;
    const auto* begin = reinterpret_cast<const std::byte*>(bytes.data());
    if (spec.dtype.is_variable_length() && spec.dtype.type_class() != H5T_COMPOUND) {
      spec.fill_variable(spec.dtype, bytes.data(), bytes.size());
    } else {
      spec.fill.assign(begin, begin + bytes.size());
    }
  }
  return spec;
}

}  // namespace

void bind_group(py::module_& m) {
  py::class_<Group, Held<Group>>(m, "Group")
      .def_property_readonly("name", &Group::name, py::call_guard<Locked>())
      .def_property_readonly("current_name", &Group::current_name, py::call_guard<Locked>())
      .def("create_group", &Group::create_group, py::call_guard<Locked>())
      .def("require_group", &Group::require_group, py::call_guard<Locked>())
      .def("group", &Group::group, py::call_guard<Locked>())
      .def(
          "create_dataset",
          [](Group& g, std::string_view path, const py::dtype& dtype, Extent shape, Extent maxshape, Extent chunks,
             const std::optional<py::bytes>& fill, const FilterArgs& filters, bool null, std::string named_type) {
            return g.create_dataset(path, spec_of(dtype, std::move(shape), std::move(maxshape), std::move(chunks), fill,
                                                  filters, null, std::move(named_type)));
          },
          py::arg("path"), py::arg("dtype"), py::arg("shape"), py::arg("maxshape"), py::arg("chunks"), py::arg("fill"),
          py::arg("filters") = FilterArgs{}, py::arg("null") = false, py::arg("named_type") = std::string(),
          py::call_guard<Locked>())
      .def("dataset", &Group::dataset, py::call_guard<Locked>())
      .def(
          "commit_type",
          [](Group& g, std::string_view path, const py::dtype& dtype) {
            Datatype type = vlen_string_type(dtype);
            if (!type.valid()) type = vlen_sequence_type(dtype);
            if (!type.valid()) type = datatype_of(element_type(dtype));
            g.commit_type(path, type);
          },
          py::call_guard<Locked>(), "a named datatype (collective)")
      .def(
          "named_type", [](const Group& g, std::string_view path) { return dtype_of(g.named_type(path)); },
          py::call_guard<Locked>(), "the numpy dtype of the named datatype at path")
      .def("named_type_attrs", &Group::named_type_attrs, py::call_guard<Locked>(),
           "the attributes of the named datatype at path")
      .def("named_type_id", &Group::named_type_id, py::call_guard<Locked>(),
           "the identity of the named datatype at path (Dataset.named_type_id of datasets made with it)")
      .def("link_group", py::overload_cast<std::string_view, const Group&>(&Group::create_hard_link),
           py::call_guard<Locked>(), "a hard link to a group (collective)")
      .def("link_dataset", py::overload_cast<std::string_view, const Dataset&>(&Group::create_hard_link),
           py::call_guard<Locked>(), "a hard link to a dataset (collective)")
      .def("link_named_type", &Group::link_named_type, py::call_guard<Locked>(),
           "a hard link to the named datatype at a path (collective)")
      .def("create_soft_link", &Group::create_soft_link, py::call_guard<Locked>(), "a soft link (collective)")
      .def("create_external_link", &Group::create_external_link, py::call_guard<Locked>(),
           "an external link (collective)")
      .def(
          "link_info",
          [](const Group& g, std::string_view path) {
            const LinkInfo info = g.link_info(path);
            const char* kind = info.kind == LinkKind::Hard ? "hard" : info.kind == LinkKind::Soft ? "soft" : "external";
            return py::make_tuple(kind, info.file, info.path);
          },
          py::call_guard<Locked>(), "(kind, file, path) of a link: kind 'hard', 'soft' or 'external'")
      .def("unlink", &Group::unlink, py::call_guard<Locked>())
      .def("move", &Group::move, py::call_guard<Locked>())
      .def("object_id", &Group::object_id, py::call_guard<Locked>())
      .def("contains", &Group::contains, py::call_guard<Locked>())
      .def(
          "type_of",
          [](const Group& g, std::string_view path) {
            return g.type_of(path) == ObjectType::Group ? "group" : "dataset";
          },
          py::call_guard<Locked>())
      .def("keys", &Group::keys, py::call_guard<Locked>())
      .def("attrs", &Group::attrs, py::call_guard<Locked>());
}

}  // namespace h5mf::python
