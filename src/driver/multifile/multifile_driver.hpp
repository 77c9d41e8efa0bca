// The multifile driver: every writer appends to its own files in a container directory (seed
// 003's layout); structure calls are kept in every writer's catalog and logged by writer 0.
#pragma once

#include <memory>
#include <string>

#include "driver/driver.hpp"

namespace h5mf::driver {

std::unique_ptr<FileDriver> open_multifile(const std::string& path, Mode mode, const FileOptions& options);

}  // namespace h5mf::driver
