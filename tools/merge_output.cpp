#include "merge_output.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <filesystem>
#include <system_error>

#include "h5mf/error.hpp"

namespace h5mf::tools {

namespace fs = std::filesystem;

namespace {
bool is_hdf5(const std::string& path) {
  htri_t result = -1;
  H5E_BEGIN_TRY { result = H5Fis_hdf5(path.c_str()); }
  H5E_END_TRY;
  return result > 0;
}
}  // namespace

void check_merge_output(const std::string& container, const std::string& output, bool force) {
  if (output.empty()) return;  // the container is replaced, atomically
  std::error_code error;
  const auto status = fs::status(output, error);
  if (fs::exists(status) && fs::equivalent(container, output, error)) {
    throw InvalidArgument(
        fmt::format("-o '{}' is the container '{}' itself; leave -o out to replace the container by the merged file",
                    output, container));
  }
  if (fs::is_directory(status)) {
    throw AlreadyExists(
        fmt::format("-o '{}' is a directory; the merged file of '{}' goes to a file path", output, container));
  }
  if (fs::exists(status) && !force && !is_hdf5(output)) {
    throw AlreadyExists(
        fmt::format("-o '{}' exists and is not an HDF5 file; not overwriting it with the merge of "
                    "'{}' (--force overwrites)",
                    output, container));
  }
}

}  // namespace h5mf::tools
