// The one parser of sizes and counts on the h5mf command line: "1K" = 1024 everywhere.
#pragma once

#include <cstdint>
#include <string_view>

namespace h5mf::tools {

// A number with an optional binary suffix K, M, G or T (any case, optionally followed by B or iB):
// "64K" = 65536, "256M", "1G", "3" = 3. Throws InvalidArgument naming `option` and the text.
std::uint64_t parse_size(std::string_view text, std::string_view option);

}  // namespace h5mf::tools
