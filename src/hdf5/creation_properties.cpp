#include "hdf5/creation_properties.hpp"

#include <fmt/format.h>

#include <vector>

#include "hdf5/filters.hpp"

namespace h5mf::hdf5 {

Handle merged_creation_plist(const Datatype& type, std::span<const std::byte> fill, const Extent& chunk,
                             const FilterPipeline& filters, bool variable_length, const std::string& what) {
  Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
  if (!fill.empty()) {
    check(H5Pset_fill_value(dcpl.get(), type.id(), fill.data()), [&] { return fmt::format("fill value of {}", what); });
  }
  if (!chunk.empty()) {
    const std::vector<hsize_t> dims(chunk.begin(), chunk.end());
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()),
          [&] { return fmt::format("chunk shape of {}", what); });
    set_pipeline(dcpl.get(), filters, what);
  } else if (!variable_length) {
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  }
  return dcpl;
}

StorageInfo storage_properties(hid_t dcpl, const std::string& what) {
  const std::string context = fmt::format("reading the storage properties of {}", what);
  StorageInfo info;
  info.layout = H5Pget_layout(dcpl);
  if (info.layout == H5D_LAYOUT_ERROR) fail(context);
  check(H5Pget_fill_time(dcpl, &info.fill_time), context);
  check(H5Pget_alloc_time(dcpl, &info.alloc_time), context);
  check(H5Pfill_value_defined(dcpl, &info.fill_value), context);
  return info;
}

}  // namespace h5mf::hdf5
