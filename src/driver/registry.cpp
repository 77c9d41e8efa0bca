// The name-to-factory table of drivers, and the choice Driver::Auto makes.
#include <fmt/format.h>

#include "container/base.hpp"
#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "container/replace.hpp"
#include "driver/driver.hpp"
#include "driver/hdf5/hdf5_driver.hpp"
#include "driver/multifile/multifile_driver.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::driver {
namespace {

// Auto: a container opens with multifile; an existing HDF5 file with sec2, or mpio when a
// communicator of more than one rank is given; a new file is a container when there are several
// writers (MPI ranks, or independent writers), else a serial HDF5 file.
Driver choose(const std::string& path, Mode mode, const FileOptions& options) {
  if (options.driver != Driver::Auto) return options.driver;
  if (container::Layout(path).is_container()) return Driver::Multifile;
  const bool creating = mode == Mode::Truncate || mode == Mode::Exclusive;
  // An HDF5 file with a container beside it: the container extends it (docs/format.md).
  if (!creating && container::locate(path).layout.is_container()) return Driver::Multifile;
  int ranks = 1;
  if (options.comm != MPI_COMM_NULL) MPI_Comm_size(options.comm, &ranks);
  const bool independent_writers = options.writers > 0 || options.writer >= 0;
  if (!creating && container::looks_like_hdf5(path)) {
    if (independent_writers) return Driver::Multifile;  // an HDF5 file as the base of a container
    return ranks > 1 ? Driver::Mpio : Driver::Sec2;
  }
  return ranks > 1 || independent_writers ? Driver::Multifile : Driver::Sec2;
}

}  // namespace

std::unique_ptr<FileDriver> open(const std::string& path, Mode mode, const FileOptions& options) {
  hdf5::silence_hdf5_errors();
  // Written through the HDF5 file driver: only that driver reads it ('w' and 'w-' replace or
  // refuse it as any container).
  const bool creating = mode == Mode::Truncate || mode == Mode::Exclusive;
  if (options.driver == Driver::Auto && !creating && container::is_file_image(container::Layout(path))) {
    return open_file_image(path, mode, options);
  }
  const Driver driver = choose(path, mode, options);
  switch (driver) {
    case Driver::Multifile: return open_multifile(path, mode, options);
    case Driver::Mpio:
    case Driver::Sec2: return open_hdf5(path, mode, options, driver);
    case Driver::Auto: break;
  }
  throw Unsupported(fmt::format("'{}': no driver chosen (driver '{}')", path, to_string(driver)));
}

}  // namespace h5mf::driver
