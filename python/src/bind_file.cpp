// A file: opening (with an mpi4py communicator, or writer ids without MPI), flush, close, atomic
// mode. The root group is a separate object (root()) so that group calls keep working, or fail
// cleanly, after the file itself was closed or abandoned.
#include <mpi4py/mpi4py.h>

#include "common.hpp"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"

namespace h5mf::python {

// An MPI communicator from Python: None (no MPI) or any mpi4py.MPI.Comm.
struct Communicator {
  MPI_Comm handle = MPI_COMM_NULL;
};

}  // namespace h5mf::python

namespace pybind11::detail {

template <>
struct type_caster<h5mf::python::Communicator> {
  PYBIND11_TYPE_CASTER(h5mf::python::Communicator, const_name("Optional[mpi4py.MPI.Comm]"));

  bool load(handle source, bool) {
    if (source.is_none()) {
      value.handle = MPI_COMM_NULL;
      return true;
    }
    // mpi4py is imported here, on first use, not when h5mf is: importing mpi4py.MPI initialises
    // MPI, which processes without MPI (multiprocessing workers) must not do. A caller that passes
    // a communicator has imported it already.
    static const bool imported = import_mpi4py() == 0;
    if (!imported) throw error_already_set();
    if (!PyObject_TypeCheck(source.ptr(), &PyMPIComm_Type)) return false;
    value.handle = *PyMPIComm_Get(source.ptr());
    return true;
  }
};

}  // namespace pybind11::detail

namespace h5mf::python {
namespace {

File open(const std::string& path, const std::string& mode, const std::string& driver, Communicator comm, int writers,
          int writer, const std::string& aggregation) {
  FileOptions options;
  options.aggregation = parse_aggregation(aggregation);
  options.driver = parse_driver(driver);
  options.comm = comm.handle;
  options.writers = writers;
  options.writer = writer;
  Unlocked io;  // opening is I/O, and collective over `comm`
  return File(path, parse_mode(mode), options);
}

// After abandon() the C++ File is a moved-from shell: only these guarded calls touch it.
const File& open_file(const File& file) {
  if (!file.is_open()) throw InvalidArgument("the file is closed");
  return file;
}

}  // namespace

void bind_file(py::module_& m) {
  py::class_<File, Held<File>>(m, "File")
      .def(py::init(&open), py::arg("path"), py::arg("mode"), py::arg("driver"), py::arg("comm"), py::arg("writers"),
           py::arg("writer"), py::arg("aggregation"))
      .def(
          "root", [](const File& f) { return Group(open_file(f)); }, py::call_guard<Locked>())
      .def("is_open", &File::is_open, py::call_guard<Locked>())
      .def(
          "filename", [](const File& f) { return open_file(f).filename(); }, py::call_guard<Locked>())
      .def(
          "driver", [](const File& f) { return open_file(f).driver(); }, py::call_guard<Locked>())
      .def(
          "mode", [](const File& f) { return to_string(open_file(f).mode()); }, py::call_guard<Locked>())
      .def(
          "writer", [](const File& f) { return open_file(f).writer(); }, py::call_guard<Locked>())
      .def(
          "writers", [](const File& f) { return open_file(f).writers(); }, py::call_guard<Locked>())
      .def(
          "atomic", [](const File& f) { return open_file(f).atomic(); }, py::call_guard<Locked>())
      .def(
          "set_atomic", [](File& f, bool atomic) { f.set_atomic(atomic); }, py::call_guard<Locked>())
      .def("flush", &File::flush, py::call_guard<Unlocked>())
      .def("close", &File::close, py::call_guard<Unlocked>())
      // Leaving a `with` block on an exception (File::abandon): the other ranks' close() fails
      // with an error naming this rank and `reason` instead of waiting for it; bounded, never
      // raises. Collective, so without the library lock.
      .def(
          "abandon",
          [](File& f, const std::string& reason) {
            File doomed(std::move(f));
            doomed.abandon(reason);
          },
          py::arg("reason"), py::call_guard<Unlocked>());
}

}  // namespace h5mf::python
