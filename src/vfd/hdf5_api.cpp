#include "vfd/hdf5_api.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include "h5mf/error.hpp"

namespace h5mf::vfd {
namespace {

template <typename T>
void find(void* library, const Hdf5Api& api, T& slot, const char* name, bool required = true) {
  void* symbol = ::dlsym(library, name);
  if (symbol == nullptr && required) {
    throw Unsupported(
        fmt::format("the h5mf file driver needs {} from HDF5, which '{}' does not export (the driver "
                    "was built for HDF5 {}.{}.{})",
                    name, api.library, H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE));
  }
  slot = reinterpret_cast<T>(symbol);
}

Hdf5Api resolve() {
  // The library the program's own H5Fopen reaches: the first one after this library.
  void* next_open = ::dlsym(RTLD_NEXT, "H5Fopen");
  Dl_info where{};
  if (next_open == nullptr || ::dladdr(next_open, &where) == 0 || where.dli_fname == nullptr) {
    throw Unsupported("the h5mf file driver finds no HDF5 library in this process");
  }
  Hdf5Api api;
  api.library = where.dli_fname;
  void* library = ::dlopen(where.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
  if (library == nullptr)
    throw Unsupported(fmt::format("cannot reach HDF5 library '{}': {}", api.library, ::dlerror()));

  find(library, api, api.get_libversion, "H5get_libversion");
  unsigned major = 0, minor = 0, release = 0;
  if (api.get_libversion(&major, &minor, &release) < 0 || major != H5_VERS_MAJOR || minor != H5_VERS_MINOR ||
      release != H5_VERS_RELEASE) {
    throw Unsupported(
        fmt::format("the h5mf file driver was built for HDF5 {}.{}.{}, and this process runs HDF5 "
                    "{}.{}.{} ('{}'): the driver depends on HDF5's internal layout of a file driver, "
                    "so it must be rebuilt against this HDF5",
                    H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE, major, minor, release, api.library));
  }
  find(library, api, api.open_library, "H5open");
  api.open_library();  // the error classes and property list classes below exist from here on
  find(library, api, api.epush2, "H5Epush2");
  find(library, api, api.err_cls, "H5E_ERR_CLS_g");
  find(library, api, api.major_vfl, "H5E_VFL_g");
  find(library, api, api.major_plist, "H5E_PLIST_g");
  find(library, api, api.minor_cantopen, "H5E_CANTOPENFILE_g");
  find(library, api, api.minor_cantclose, "H5E_CANTCLOSEFILE_g");
  find(library, api, api.minor_read, "H5E_READERROR_g");
  find(library, api, api.minor_write, "H5E_WRITEERROR_g");
  find(library, api, api.minor_badvalue, "H5E_BADVALUE_g");
  find(library, api, api.pget_driver, "H5Pget_driver");
  find(library, api, api.pget_driver_info, "H5Pget_driver_info");
  find(library, api, api.pset_driver, "H5Pset_driver");
  find(library, api, api.fd_register_public, "H5FDregister");
  find(library, api, api.iis_valid, "H5Iis_valid");
  find(library, api, api.fget_access_plist, "H5Fget_access_plist");
  find(library, api, api.pclose, "H5Pclose");
  find(library, api, api.eget_current_stack, "H5Eget_current_stack");
  find(library, api, api.eset_current_stack, "H5Eset_current_stack");
  find(library, api, api.fget_vfd_handle, "H5Fget_vfd_handle");
  find(library, api, api.pcreate, "H5Pcreate");
  find(library, api, api.pcopy, "H5Pcopy");
  find(library, api, api.sec2_init, "H5FD_sec2_init");
  find(library, api, api.file_access_class, "H5P_CLS_FILE_ACCESS_ID_g");
  find(library, api, api.fopen, "H5Fopen");
  find(library, api, api.fcreate, "H5Fcreate");
  find(library, api, api.mpio_init, "H5FD_mpio_init", false);
  api.parallel = api.mpio_init != nullptr;
  if (api.parallel) {
    find(library, api, api.fset_mpi_atomicity, "H5Fset_mpi_atomicity");
    find(library, api, api.fget_mpi_atomicity, "H5Fget_mpi_atomicity");
    find(library, api, api.pset_fapl_mpio, "H5Pset_fapl_mpio");
    find(library, api, api.pget_fapl_mpio, "H5Pget_fapl_mpio");
    find(library, api, api.fd_register, "H5FD_register");
    find(library, api, api.get_io_xfer_mode, "H5CX_get_io_xfer_mode");
    find(library, api, api.get_mpi_coll_datatypes, "H5CX_get_mpi_coll_datatypes");
  }
  return api;
}

}  // namespace

const Hdf5Api& hdf5() {
  static const Hdf5Api api = resolve();  // a throw here is retried on the next call
  return api;
}

}  // namespace h5mf::vfd
