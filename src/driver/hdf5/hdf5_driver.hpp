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

}  // namespace h5mf::driver
