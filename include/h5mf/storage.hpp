// How a dataset's elements are stored: HDF5's dataset creation properties and allocated size, as
// `h5dump -p` prints them.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>

namespace h5mf {

// For a dataset of an HDF5 file, what HDF5 reports. For a dataset of a container, what the merged
// file will have: the layout, fill time, allocation time and fill value status the merge creates
// it with; `size` and `address` exist only once the bytes have their place in a file, so they are
// unset there, except the size of a contiguous dataset of fixed-size elements (the merge
// allocates it whole).
struct StorageInfo {
  H5D_layout_t layout = H5D_CONTIGUOUS;  // H5D_CONTIGUOUS, H5D_CHUNKED, H5D_COMPACT, H5D_VIRTUAL
  std::optional<std::uint64_t> size;     // bytes stored (H5Dget_storage_size)
  std::optional<std::uint64_t> address;  // a contiguous dataset's data (H5Dget_offset; HADDR_UNDEF: none)
  H5D_fill_time_t fill_time = H5D_FILL_TIME_IFSET;
  H5D_alloc_time_t alloc_time = H5D_ALLOC_TIME_LATE;
  H5D_fill_value_t fill_value = H5D_FILL_VALUE_DEFAULT;  // H5D_FILL_VALUE_UNDEFINED, _DEFAULT, _USER_DEFINED
};

}  // namespace h5mf
