// HDF5 filter pipelines of chunked datasets: each filter as H5Pget_filter2 reports it (its id, its
// flags such as H5Z_FLAG_OPTIONAL, its client data values), in pipeline order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace h5mf {

struct Filter {
  std::uint32_t id = 0;     // H5Z_FILTER_DEFLATE (1), SHUFFLE (2), FLETCHER32 (3), SZIP (4), SCALEOFFSET (6)...
  std::uint32_t flags = 0;  // H5Z_FLAG_OPTIONAL (1) or H5Z_FLAG_MANDATORY (0)
  std::vector<std::uint32_t> cd_values;
  friend bool operator==(const Filter&, const Filter&) = default;
};

using FilterPipeline = std::vector<Filter>;

// "deflate", "shuffle", "fletcher32", "szip", "scaleoffset", "nbit", or "filter 32001".
std::string filter_name(std::uint32_t id);

}  // namespace h5mf
