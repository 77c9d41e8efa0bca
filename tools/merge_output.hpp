// What `h5mf merge -o OUT` may overwrite, decided before any work: not the container itself, not
// a directory, and a file that is not HDF5 only with --force (it may be anything of the user's).
#pragma once

#include <string>

namespace h5mf::tools {

// Throws InvalidArgument or AlreadyExists naming both paths when `output` may not be written.
void check_merge_output(const std::string& container, const std::string& output, bool force);

}  // namespace h5mf::tools
