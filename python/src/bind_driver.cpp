// The HDF5 file driver for h5py (docs/file-driver.md): what h5mf.register_h5py_driver() hands to
// h5py.register_driver, a call that puts the driver on h5py's file access property list.
#include <pybind11/pybind11.h>

#include "common.hpp"
#include "h5mf/H5FDh5mf.h"
#include "h5mf/error.hpp"

namespace h5mf::python {

void bind_driver(py::module_& m) {
  m.def(
      "set_fapl_h5mf",
      [](hid_t fapl, int comm, int info) {
        // Fortran handles (mpi4py's Comm.py2f): plain integers across the language boundary.
        if (h5mf_fapl_set(fapl, static_cast<MPI_Fint>(comm), static_cast<MPI_Fint>(info)) < 0) {
          throw Error(
              "H5Pset_fapl_h5mf failed (h5py must use the HDF5 build h5mf's driver uses: Debian's h5py picks its MPI "
              "build under mpiexec, or with H5PY_ALWAYS_USE_MPI=1; HDF5 printed the reason above)");
        }
      },
      pybind11::arg("fapl"), pybind11::arg("comm"), pybind11::arg("info"));
  // h5py's File.atomic for files on the driver (h5mf.register_h5py_driver patches the property):
  // h5py's own call goes to HDF5, which cannot reach the driver without the preload.
  m.def(
      "mpi_atomicity",
      [](hid_t file) -> py::object {
        hbool_t flag = 0;
        if (h5mf_get_mpi_atomicity(file, &flag) < 0) return py::none();
        return py::bool_(flag != 0);
      },
      pybind11::arg("file"), "Atomic mode of a file on the h5mf driver; None for a file on another driver");
  m.def(
      "set_mpi_atomicity",
      [](hid_t file, bool flag) {
        py::gil_scoped_release release;  // collective: other threads may go on
        return h5mf_set_mpi_atomicity(file, flag ? 1 : 0) >= 0;
      },
      pybind11::arg("file"), pybind11::arg("flag"), "False for a file on another driver");
}

}  // namespace h5mf::python
