// The zero-copy view: a standard HDF5 file of virtual datasets over the container's data files
// (GIL released while it is written).
#include "common.hpp"
#include "h5mf/view.hpp"

namespace h5mf::python {

void bind_view(py::module_& m) {
  py::class_<ViewReport>(m, "ViewReport")
      .def_readonly("output", &ViewReport::output)
      .def_readonly("sources", &ViewReport::sources)
      .def_readonly("groups", &ViewReport::groups)
      .def_readonly("datasets", &ViewReport::datasets)
      .def_readonly("attributes", &ViewReport::attributes)
      .def_readonly("records", &ViewReport::records)
      .def_readonly("records_hidden", &ViewReport::records_hidden)
      .def_readonly("mappings", &ViewReport::mappings)
      .def_readonly("source_datasets", &ViewReport::source_datasets)
      .def_readonly("segments", &ViewReport::segments)
      .def_readonly("bytes_referenced", &ViewReport::bytes_referenced)
      .def_readonly("records_dropped", &ViewReport::records_dropped)
      .def_readonly("damage", &ViewReport::damage)
      .def_readonly("seconds", &ViewReport::seconds)
      .def("__repr__", [](const ViewReport& r) {
        return "<h5mf view '" + r.output + "': " + std::to_string(r.datasets) + " datasets, " +
               std::to_string(r.mappings) + " mappings over " + std::to_string(r.bytes_referenced) + " bytes, " +
               std::to_string(r.records_dropped) + " records dropped>";
      });
  m.def(
      "view",
      [](const std::string& container, const std::string& output, const std::string& sources, bool verify_data,
         unsigned threads) {
        ViewOptions options;
        options.output = output;
        options.sources = sources;
        options.verify_data = verify_data;
        options.threads = threads;
        Unlocked io;
        return view(container, options);
      },
      py::arg("container"), py::arg("output"), py::arg("sources"), py::arg("verify_data"), py::arg("threads") = 0u);
}

}  // namespace h5mf::python
