// The HDF5 library the driver serves, as a table of functions (docs/file-driver.md).
//
// A process may hold two HDF5 libraries: Debian's h5dump, h5ls and h5diff link the serial one,
// MPI programs and this library the MPI one, and their symbols carry different versions. The
// driver must register with, and call, the library of the program it runs in: the one whose
// H5Fopen comes after this library in the program's lookup order (the one its calls would reach
// without the driver). Every HDF5 call of the driver goes through this table.
//
// HDF5 1.10 keeps the MPI part of a file driver private: the class with get_rank/get_size/
// get_comm (H5FD_class_mpi_t, H5FDprivate.h), the registration that copies it whole
// (H5FD_register; the public H5FDregister copies only the H5FD_class_t part, and the library
// then calls a get_comm that is not there), and the API context that tells a driver whether a
// transfer is collective and with which MPI datatypes (H5CX_*, as H5FDmpio.c reads them). They
// are exported; they are looked up here, and the library's version checked, so that an HDF5 the
// driver was not built for gives an error instead of a crash.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <string>

namespace h5mf::vfd {

// H5FDprivate.h of HDF5 1.10: the public class followed by the MPI queries.
struct ClassMpi {
  H5FD_class_t super;
  int (*get_rank)(const H5FD_t* file);
  int (*get_size)(const H5FD_t* file);
  MPI_Comm (*get_comm)(const H5FD_t* file);
};

struct Hdf5Api {
  std::string library;    // its file name, for messages
  bool parallel = false;  // an MPI build (the mpio driver and the MPI internals are there)

  herr_t (*get_libversion)(unsigned*, unsigned*, unsigned*) = nullptr;
  herr_t (*epush2)(hid_t, const char*, const char*, unsigned, hid_t, hid_t, hid_t, const char*, ...) = nullptr;
  hid_t* err_cls = nullptr;  // H5E_ERR_CLS_g
  hid_t* major_vfl = nullptr;
  hid_t* major_plist = nullptr;
  hid_t* minor_cantopen = nullptr;
  hid_t* minor_cantclose = nullptr;
  hid_t* minor_read = nullptr;
  hid_t* minor_write = nullptr;
  hid_t* minor_badvalue = nullptr;
  hid_t (*pget_driver)(hid_t) = nullptr;
  const void* (*pget_driver_info)(hid_t) = nullptr;
  herr_t (*pset_driver)(hid_t, hid_t, const void*) = nullptr;
  hid_t (*fd_register_public)(const H5FD_class_t*) = nullptr;  // H5FDregister
  htri_t (*iis_valid)(hid_t) = nullptr;
  hid_t (*fget_access_plist)(hid_t) = nullptr;
  herr_t (*pclose)(hid_t) = nullptr;
  hid_t (*eget_current_stack)() = nullptr;
  herr_t (*eset_current_stack)(hid_t) = nullptr;
  herr_t (*fget_vfd_handle)(hid_t, hid_t, void**) = nullptr;
  hid_t (*pcreate)(hid_t) = nullptr;
  hid_t (*pcopy)(hid_t) = nullptr;
  hid_t (*sec2_init)() = nullptr;
  hid_t* file_access_class = nullptr;  // H5P_CLS_FILE_ACCESS_ID_g
  herr_t (*open_library)() = nullptr;  // H5open

  // The functions interpose.cpp stands in for.
  hid_t (*fopen)(const char*, unsigned, hid_t) = nullptr;
  hid_t (*fcreate)(const char*, unsigned, hid_t, hid_t) = nullptr;
  herr_t (*fset_mpi_atomicity)(hid_t, hbool_t) = nullptr;
  herr_t (*fget_mpi_atomicity)(hid_t, hbool_t*) = nullptr;
  herr_t (*pset_fapl_mpio)(hid_t, MPI_Comm, MPI_Info) = nullptr;

  // Parallel builds only.
  hid_t (*mpio_init)() = nullptr;
  herr_t (*pget_fapl_mpio)(hid_t, MPI_Comm*, MPI_Info*) = nullptr;
  hid_t (*fd_register)(const void*, size_t, hbool_t) = nullptr;  // H5FD_register
  herr_t (*get_io_xfer_mode)(H5FD_mpio_xfer_t*) = nullptr;
  herr_t (*get_mpi_coll_datatypes)(MPI_Datatype*, MPI_Datatype*) = nullptr;
};

// The program's HDF5, found once. Throws h5mf::Unsupported naming the library and its version
// when it is not the version the driver was built for, or lacks a symbol the driver needs.
const Hdf5Api& hdf5();

}  // namespace h5mf::vfd
