#include "image_driver.hpp"

#include "h5mf/H5FDh5mf.h"

namespace h5mf::tools {

FileOptions reading_options() {
  FileOptions options;
  // The serial class: one process, no MPI (the tool reads; it never joins a job's communicator).
  options.image_driver = {"h5mf",
                          [](std::int64_t fapl) { return H5Pset_fapl_h5mf(fapl, MPI_COMM_NULL, MPI_INFO_NULL); }};
  return options;
}

}  // namespace h5mf::tools
