// Checking a container or an HDF5 file: `h5mf verify`'s report as Python objects (GIL released
// while it reads).
#include "common.hpp"
#include "h5mf/verify.hpp"

namespace h5mf::python {

void bind_verify(py::module_& m) {
  py::class_<VerifyDamage>(m, "VerifyDamage")
      .def_readonly("file", &VerifyDamage::file)
      .def_readonly("offset", &VerifyDamage::offset)
      .def_readonly("bytes", &VerifyDamage::bytes)
      .def_readonly("records", &VerifyDamage::records)
      .def_readonly("torn_tail", &VerifyDamage::torn_tail)
      .def_readonly("reason", &VerifyDamage::reason)
      .def_readonly("sequence", &VerifyDamage::sequence)
      .def_readonly("dataset", &VerifyDamage::dataset)
      .def_readonly("epoch", &VerifyDamage::epoch)
      .def("__repr__", [](const VerifyDamage& d) {
        return "<h5mf damage in '" + d.file + "' at " + std::to_string(d.offset) + ": " + d.reason + ">";
      });
  py::class_<DataFileVerifyReport>(m, "DataFileVerifyReport")
      .def_readonly("file", &DataFileVerifyReport::file)
      .def_readonly("index_present", &DataFileVerifyReport::index_present)
      .def_readonly("data_present", &DataFileVerifyReport::data_present)
      .def_readonly("index_bytes", &DataFileVerifyReport::index_bytes)
      .def_readonly("data_bytes", &DataFileVerifyReport::data_bytes)
      .def_readonly("records", &DataFileVerifyReport::records)
      .def_readonly("record_bytes", &DataFileVerifyReport::record_bytes)
      .def_readonly("records_dropped", &DataFileVerifyReport::records_dropped)
      .def_readonly("bytes_dropped", &DataFileVerifyReport::bytes_dropped)
      .def_readonly("unreferenced_bytes", &DataFileVerifyReport::unreferenced_bytes)
      .def_readonly("damage", &DataFileVerifyReport::damage);
  py::class_<VerifyConflict>(m, "VerifyConflict")
      .def_readonly("dataset", &VerifyConflict::dataset)
      .def_readonly("epoch", &VerifyConflict::epoch)
      .def_readonly("writer_a", &VerifyConflict::writer_a)
      .def_readonly("writer_b", &VerifyConflict::writer_b)
      .def_readonly("record_pairs", &VerifyConflict::record_pairs)
      .def_readonly("elements", &VerifyConflict::elements)
      .def_readonly("lo", &VerifyConflict::lo)
      .def_readonly("hi", &VerifyConflict::hi)
      .def_readonly("first", &VerifyConflict::first);
  py::class_<VerifyReport>(m, "VerifyReport")
      .def_readonly("path", &VerifyReport::path)
      .def_property_readonly("kind",
                             [](const VerifyReport& r) {
                               switch (r.kind) {
                                 case VerifyReport::Kind::Container: return "container";
                                 case VerifyReport::Kind::Hdf5File: return "hdf5";
                                 case VerifyReport::Kind::FileImage: return "file-image";
                                 case VerifyReport::Kind::Unknown: break;
                               }
                               return "unknown";
                             })
      .def_readonly("errors", &VerifyReport::errors)
      .def_readonly("notes", &VerifyReport::notes)
      .def_readonly("container_id", &VerifyReport::container_id)
      .def_readonly("format_version", &VerifyReport::format_version)
      .def_readonly("sessions", &VerifyReport::sessions)
      .def_readonly("writer_files", &VerifyReport::writer_files)
      .def_readonly("metafile_bytes", &VerifyReport::metafile_bytes)
      .def_readonly("metafile_records", &VerifyReport::metafile_records)
      .def_readonly("metafile_damage", &VerifyReport::metafile_damage)
      .def_readonly("data_files", &VerifyReport::data_files)
      .def_readonly("conflicts", &VerifyReport::conflicts)
      .def_readonly("conflicts_total", &VerifyReport::conflicts_total)
      .def_readonly("groups", &VerifyReport::groups)
      .def_readonly("datasets", &VerifyReport::datasets)
      .def_readonly("attributes", &VerifyReport::attributes)
      .def_readonly("bytes_read", &VerifyReport::bytes_read)
      .def_property_readonly("records", &VerifyReport::records)
      .def_property_readonly("records_dropped", &VerifyReport::records_dropped)
      .def_property_readonly("bytes_dropped", &VerifyReport::bytes_dropped)
      .def_property_readonly("damaged", &VerifyReport::damaged)
      .def_property_readonly("exit_code", &VerifyReport::exit_code)
      .def("__bool__", [](const VerifyReport& r) { return r.exit_code() == 0; })
      .def("__repr__", [](const VerifyReport& r) {
        const char* verdict = r.exit_code() == 0 ? "healthy" : r.exit_code() == 1 ? "errors" : "damaged";
        return "<h5mf verify of '" + r.path + "': " + verdict + ", " + std::to_string(r.records()) + " records, " +
               std::to_string(r.records_dropped()) + " dropped>";
      });
  m.def(
      "verify",
      [](const std::string& path, bool check_data, unsigned threads) {
        VerifyOptions options;
        options.check_data = check_data;
        options.threads = threads;
        Unlocked io;
        return verify(path, options);
      },
      py::arg("path"), py::arg("check_data"), py::arg("threads") = 0u);
}

}  // namespace h5mf::python
