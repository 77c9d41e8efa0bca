// Reconstruction: a container becomes one conventional HDF5 file (GIL released while it runs).
#include "common.hpp"
#include "h5mf/merge.hpp"

namespace h5mf::python {

void bind_merge(py::module_& m) {
  py::class_<MergeReport>(m, "MergeReport")
      .def_readonly("output", &MergeReport::output)
      .def_readonly("datasets", &MergeReport::datasets)
      .def_readonly("groups", &MergeReport::groups)
      .def_readonly("attributes", &MergeReport::attributes)
      .def_readonly("records", &MergeReport::records)
      .def_readonly("bytes_written", &MergeReport::bytes_written)
      .def_readonly("chunks_written", &MergeReport::chunks_written)
      .def_readonly("chunk_bytes_raw", &MergeReport::chunk_bytes_raw)
      .def_readonly("chunk_bytes_stored", &MergeReport::chunk_bytes_stored)
      .def_readonly("records_dropped", &MergeReport::records_dropped)
      .def_readonly("records_checked_in_copy", &MergeReport::records_checked_in_copy)
      .def_readonly("damage", &MergeReport::damage)
      .def_readonly("notes", &MergeReport::notes)
      .def_readonly("seconds", &MergeReport::seconds)
      .def("__repr__", [](const MergeReport& r) {
        return "<h5mf merge of " + std::to_string(r.records) + " records into '" + r.output +
               "': " + std::to_string(r.datasets) + " datasets, " + std::to_string(r.groups) + " groups, " +
               std::to_string(r.bytes_written) + " bytes, " + std::to_string(r.records_dropped) + " dropped>";
      });
  m.def(
      "merge",
      [](const std::string& container, const std::string& output, bool verify_data, bool sync, unsigned threads) {
        MergeOptions options;
        options.output = output;
        options.threads = threads;
        options.verify_data = verify_data;
        options.sync = sync;
        Unlocked io;
        return merge(container, options);
      },
      py::arg("container"), py::arg("output"), py::arg("verify_data"), py::arg("sync"), py::arg("threads") = 0u);
}

}  // namespace h5mf::python
