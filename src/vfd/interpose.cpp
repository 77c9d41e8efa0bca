// Zero code change (docs/file-driver.md): definitions of HDF5 API functions that, in a process
// where this library comes before libhdf5 (LD_PRELOAD, as `h5mf exec` sets it, or linked first),
// take the place of HDF5's own and pass everything else on to them (dlsym RTLD_NEXT):
//  - H5Pset_fapl_mpio installs the h5mf driver when HDF5_DRIVER=h5mf (HDF5 1.14's variable);
//  - H5Fcreate with the default driver does too, for serial programs;
//  - H5Fopen of an h5mf container opens it through the driver, whatever the program asked for (h5dump, h5ls, h5diff and
//  h5py read a container before its merge);
//  - H5Fset_mpi_atomicity / H5Fget_mpi_atomicity, which HDF5 would apply to mpio's own file
//    structure, reach the h5mf driver's file for its files.
#include <dlfcn.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "h5mf/H5FDh5mf.h"
#include "vfd/driver.hpp"
#include "vfd/hdf5_api.hpp"
#include "vfd/image_file.hpp"

namespace h5mf::vfd {
namespace {

template <typename F>
F next(const char* name) {
  void* symbol = ::dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "h5mf: %s not found after libh5mf_vfd (is libhdf5 loaded?): %s\n", name, ::dlerror());
    std::abort();
  }
  return reinterpret_cast<F>(symbol);
}

bool driver_requested() {
  const char* v = std::getenv("HDF5_DRIVER");
  return v != nullptr && std::strcmp(v, "h5mf") == 0;
}

// Any h5mf container goes to the driver: a file-image one opens, a record container is refused
// with a message that says what reads it (HDF5 itself would only say it cannot open a directory).
bool is_container(const char* name) {
  if (name == nullptr) return false;
  try {
    return container::Layout(name).is_container();
  } catch (const std::exception&) {
    return false;
  }
}

bool default_driver(const Hdf5Api& api, hid_t fapl) {
  return fapl == H5P_DEFAULT || api.pget_driver(fapl) == api.sec2_init();
}

// Closes the list with_h5mf() made once the program's open or create is done. After a failure
// HDF5's error stack says why (h5py raises from it, HDF5 prints it), and every API call begins by
// clearing it: it is set back after the close.
void close_after(const Hdf5Api& api, hid_t fapl, hid_t file) {
  const hid_t errors = file < 0 ? api.eget_current_stack() : H5I_INVALID_HID;
  api.pclose(fapl);
  if (errors >= 0) api.eset_current_stack(errors);  // (closes `errors`)
}

// A copy of `fapl` (or a new list) with the h5mf driver: the mpio driver's communicator kept.
hid_t with_h5mf(const Hdf5Api& api, hid_t fapl) {
  const hid_t copy = fapl == H5P_DEFAULT ? api.pcreate(*api.file_access_class) : api.pcopy(fapl);
  if (copy < 0) return copy;
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Info info = MPI_INFO_NULL;
  if (fapl != H5P_DEFAULT && api.parallel && api.pget_driver(fapl) == api.mpio_init()) {
    api.pget_fapl_mpio(fapl, &comm, &info);
  }
  const herr_t status = set_fapl(copy, comm, info);
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  if (info != MPI_INFO_NULL) MPI_Info_free(&info);
  if (status < 0) {
    api.pclose(copy);
    return -1;
  }
  return copy;
}

// The program's HDF5, or nullptr (and the reason on stderr, once) when the driver cannot serve it:
// the program then runs as if the driver were not there.
const Hdf5Api* usable_hdf5() {
  try {
    return &hdf5();
  } catch (const std::exception& e) {
    static bool said = false;
    if (!said) std::fprintf(stderr, "h5mf: %s\n", e.what());
    said = true;
    return nullptr;
  }
}

}  // namespace
}  // namespace h5mf::vfd

using namespace h5mf::vfd;

extern "C" {

__attribute__((visibility("default"))) herr_t H5Pset_fapl_mpio(hid_t fapl_id, MPI_Comm comm, MPI_Info info) {
  static const auto real = next<herr_t (*)(hid_t, MPI_Comm, MPI_Info)>("H5Pset_fapl_mpio");
  if (driver_requested()) return H5Pset_fapl_h5mf(fapl_id, comm, info);
  return real(fapl_id, comm, info);
}

__attribute__((visibility("default"))) hid_t H5Fcreate(const char* name, unsigned flags, hid_t fcpl, hid_t fapl) {
  static const auto real = next<hid_t (*)(const char*, unsigned, hid_t, hid_t)>("H5Fcreate");
  const Hdf5Api* api = driver_requested() ? usable_hdf5() : nullptr;
  if (api == nullptr || !default_driver(*api, fapl)) return real(name, flags, fcpl, fapl);
  const hid_t ours = with_h5mf(*api, fapl);
  if (ours < 0) return ours;
  const hid_t file = real(name, flags, fcpl, ours);
  close_after(*api, ours, file);
  return file;
}

__attribute__((visibility("default"))) hid_t H5Fopen(const char* name, unsigned flags, hid_t fapl) {
  static const auto real = next<hid_t (*)(const char*, unsigned, hid_t)>("H5Fopen");
  const Hdf5Api* api = is_container(name) ? usable_hdf5() : nullptr;
  if (api == nullptr || (fapl != H5P_DEFAULT && uses_h5mf(fapl))) return real(name, flags, fapl);
  const hid_t ours = with_h5mf(*api, fapl);
  if (ours < 0) return ours;
  const hid_t file = real(name, flags, ours);
  close_after(*api, ours, file);
  return file;
}

__attribute__((visibility("default"))) herr_t h5mf_set_mpi_atomicity(hid_t file_id, hbool_t flag) {
  ImageFile* file = usable_hdf5() != nullptr ? file_of(file_id) : nullptr;
  if (file == nullptr) return -1;
  file->set_atomic(flag != 0);
  return 0;
}

__attribute__((visibility("default"))) herr_t h5mf_get_mpi_atomicity(hid_t file_id, hbool_t* flag) {
  ImageFile* file = usable_hdf5() != nullptr ? file_of(file_id) : nullptr;
  if (file == nullptr || flag == nullptr) return -1;
  *flag = file->atomic() ? 1 : 0;
  return 0;
}

__attribute__((visibility("default"))) herr_t H5Fset_mpi_atomicity(hid_t file_id, hbool_t flag) {
  static const auto real = next<herr_t (*)(hid_t, hbool_t)>("H5Fset_mpi_atomicity");
  return h5mf_set_mpi_atomicity(file_id, flag) == 0 ? 0 : real(file_id, flag);
}

__attribute__((visibility("default"))) herr_t H5Fget_mpi_atomicity(hid_t file_id, hbool_t* flag) {
  static const auto real = next<herr_t (*)(hid_t, hbool_t*)>("H5Fget_mpi_atomicity");
  return h5mf_get_mpi_atomicity(file_id, flag) == 0 ? 0 : real(file_id, flag);
}

}  // extern "C"
