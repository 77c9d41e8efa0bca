// How the h5mf tool reads a file-image container (written through h5mf's HDF5 file driver): through
// that driver, libh5mf_vfd, which the tool links. One place for ls and dump alike.
#pragma once

#include "h5mf/options.hpp"

namespace h5mf::tools {

// Options for opening PATH to read it: a file-image container opens through the h5mf file
// driver's serial class, anything else as the library chooses.
FileOptions reading_options();

}  // namespace h5mf::tools
