// What the bench and the growth runs say about the machine a figure was measured on.
#pragma once

#include <string>

namespace h5mf::tools {

// The file system holding `path` ("tmpfs", "ext4", "xfs", ..., or its magic number in hex).
std::string filesystem_of(const std::string& path);
// The 1, 5 and 15 minute load averages: how busy the machine was (other jobs are noise).
std::string load_average();

}  // namespace h5mf::tools
