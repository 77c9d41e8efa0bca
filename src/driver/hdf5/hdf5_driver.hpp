// The sec2 and mpio drivers: libhdf5 on one conventional HDF5 file, serial (sec2) or shared by the
// ranks of an MPI job through MPI-IO (mpio). One set of classes serves both; they differ only in
// how the file is opened and how data moves (see hdf5_state.hpp, Access).
#pragma once

#include <memory>
#include <string>

#include "driver/driver.hpp"

namespace h5mf::driver {

// `which` is Driver::Sec2 or Driver::Mpio.
std::unique_ptr<FileDriver> open_hdf5(const std::string& path, Mode mode, const FileOptions& options, Driver which);

// A file-image container (container::is_file_image), opened read-only through the file driver in
// `options.image_driver`, as a conventional HDF5 file: only that driver reads one. Throws
// Unsupported, with file_image_refusal(), without one.
std::unique_ptr<FileDriver> open_file_image(const std::string& path, Mode mode, const FileOptions& options);
// Why h5mf's own container reader refuses the file-image container at `path`, and what reads it.
std::string file_image_refusal(const std::string& path);

}  // namespace h5mf::driver
