// The name-to-factory table of drivers, and the choice Driver::Auto makes.
#include <fmt/format.h>

#include "container/layout.hpp"
#include "container/replace.hpp"
#include "driver/driver.hpp"
#include "driver/hdf5/hdf5_driver.hpp"
#include "driver/multifile/multifile_driver.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::driver {
namespace {

Driver choose(const std::string& path, Mode mode, const FileOptions& options) {
  if (options.driver != Driver::Auto) return options.driver;
  if (container::Layout(path).is_container()) return Driver::Multifile;
  const bool parallel = options.comm != MPI_COMM_NULL || options.writers > 0 || options.writer >= 0;
  const bool creating = mode == Mode::Truncate || mode == Mode::Exclusive;
  if (!creating && container::looks_like_hdf5(path)) return parallel ? Driver::Mpio : Driver::Sec2;
  return parallel ? Driver::Multifile : Driver::Sec2;
}

}  // namespace

std::unique_ptr<FileDriver> open(const std::string& path, Mode mode, const FileOptions& options) {
  hdf5::silence_hdf5_errors();
  const Driver driver = choose(path, mode, options);
  switch (driver) {
    case Driver::Multifile:
      return open_multifile(path, mode, options);
    case Driver::Mpio:
    case Driver::Sec2:
      return open_hdf5(path, mode, options, driver);
    case Driver::Auto:
      break;
  }
  throw Unsupported(fmt::format("'{}': no driver chosen (driver '{}')", path, to_string(driver)));
}

}  // namespace h5mf::driver
