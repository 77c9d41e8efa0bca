// The h5mf file driver as HDF5 sees it (driver.cpp): two registered classes over vfd::ImageFile,
// one for MPI programs (HDF5's parallel paths, as with mpio) and one for a single process without
// MPI (as with sec2: h5dump, h5ls, serial h5py reading a container).
#pragma once

#include <hdf5.h>
#include <mpi.h>

namespace h5mf::vfd {

class ImageFile;

// The class's id, registered on first use; throws h5mf::Error (Unsupported for an HDF5 this
// driver was not built for).
hid_t registered_class(bool with_mpi);
// The driver's file object behind an open HDF5 file id, or nullptr when the file does not use
// the h5mf driver.
ImageFile* file_of(hid_t file_id);
// Whether a file access property list selects one of the driver's classes.
bool uses_h5mf(hid_t fapl);
// H5Pset_fapl_h5mf: the MPI class when MPI is initialised and `comm` is given, else the serial one.
herr_t set_fapl(hid_t fapl, MPI_Comm comm, MPI_Info info);

}  // namespace h5mf::vfd
