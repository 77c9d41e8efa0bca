#include "hdf5/filters.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf {

std::string filter_name(std::uint32_t id) {
  switch (id) {  // HDF5's predefined filter ids (H5Zpublic.h)
    case 1: return "deflate";
    case 2: return "shuffle";
    case 3: return "fletcher32";
    case 4: return "szip";
    case 5: return "nbit";
    case 6: return "scaleoffset";
    default: return fmt::format("filter {}", id);
  }
}

}  // namespace h5mf

namespace h5mf::hdf5 {

void set_pipeline(hid_t dcpl, const FilterPipeline& filters, const std::string& what) {
  for (const auto& f : filters) {
    check(H5Pset_filter(dcpl, static_cast<H5Z_filter_t>(f.id), f.flags, f.cd_values.size(), f.cd_values.data()),
          fmt::format("{}: setting the {} filter", what, filter_name(f.id)));
  }
}

FilterPipeline get_pipeline(hid_t dcpl, const std::string& what) {
  const int n = H5Pget_nfilters(dcpl);
  if (n < 0) check(n, what);
  FilterPipeline out;
  for (int i = 0; i < n; ++i) {
    Filter f;
    std::vector<unsigned> values(32);
    std::size_t count = values.size();
    unsigned config = 0;
    char name[64];
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl, static_cast<unsigned>(i), &f.flags, &count, values.data(), sizeof name, name, &config);
    if (id < 0) check(-1, what);
    if (count > values.size()) {  // more than we asked for: ask again with room for all
      values.resize(count);
      check(H5Pget_filter_by_id2(dcpl, id, &f.flags, &count, values.data(), sizeof name, name, &config), what);
    }
    f.id = static_cast<std::uint32_t>(id);
    f.cd_values.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(count));
    out.push_back(std::move(f));
  }
  return out;
}

void check_pipeline(const Datatype& file_type, const Extent& chunk, const FilterPipeline& filters,
                    const std::string& what) {
  for (const auto& f : filters) {
    const htri_t available = H5Zfilter_avail(static_cast<H5Z_filter_t>(f.id));
    if (available <= 0) {
      error_stack();
      throw Unsupported(
          fmt::format("{}: the {} filter (id {}) is not available in this libhdf5", what, filter_name(f.id), f.id));
    }
    unsigned config = 0;
    check(H5Zget_filter_info(static_cast<H5Z_filter_t>(f.id), &config), what);
    if ((config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) == 0) {
      throw Unsupported(fmt::format("{}: this libhdf5 can decode but not encode with the {} filter (id {})", what,
                                    filter_name(f.id), f.id));
    }
  }
  // libhdf5 checks each filter against the type and chunk (its can_apply callbacks) when it creates
  // the dataset: do that in a file that lives in memory only.
  Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), what));
  check(H5Pset_fapl_core(fapl.get(), std::size_t{64} << 10, 0), what);
  static std::atomic<unsigned> counter{0};
  const std::string name = fmt::format("h5mf-filter-check-{}", counter++);
  Handle file(check_id(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), what));
  std::vector<hsize_t> dims(chunk.begin(), chunk.end());
  Handle space(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), what));
  Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), what));
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()), what);
  set_pipeline(dcpl.get(), filters, what);
  const hid_t dataset = H5Dcreate2(file.get(), "d", file_type.id(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT);
  if (dataset < 0) {
    std::vector<std::string> names;
    for (const auto& f : filters) names.push_back(filter_name(f.id));
    throw InvalidArgument(fmt::format("{}: libhdf5 refuses the filters [{}] for type {} and chunk [{}]: {}", what,
                                      fmt::join(names, ", "), file_type.describe(), fmt::join(chunk, ","),
                                      error_stack()));
  }
  H5Dclose(dataset);
}

Extent guess_chunk(const Extent& shape, const Extent& maxshape, std::size_t element_size) {
  constexpr double kBase = 16 * 1024, kMin = 8 * 1024, kMax = 1024 * 1024;
  std::vector<double> chunk;
  for (auto d : shape) chunk.push_back(d == 0 ? 1024.0 : static_cast<double>(d));
  const auto product = [&] {
    double p = 1;
    for (auto c : chunk) p *= c;
    return p;
  };
  const double typesize = static_cast<double>(std::max<std::size_t>(element_size, 1));
  const double dataset_bytes = product() * typesize;
  const double target = std::clamp(kBase * std::pow(2.0, std::log10(dataset_bytes / (1024.0 * 1024.0))), kMin, kMax);
  for (std::size_t i = 0; !chunk.empty(); ++i) {
    const double bytes = product() * typesize;
    if ((bytes < target || std::abs(bytes - target) / target < 0.5) && bytes < kMax) break;
    if (product() == 1) break;
    double& c = chunk[i % chunk.size()];
    c = std::ceil(c / 2.0);
  }
  Extent out;
  for (std::size_t d = 0; d < chunk.size(); ++d) {
    auto c = static_cast<std::uint64_t>(chunk[d]);
    const bool fixed = d < maxshape.size() && maxshape[d] != ~std::uint64_t{0};
    if (fixed) c = std::min(c, std::max<std::uint64_t>(maxshape[d], 1));
    out.push_back(std::max<std::uint64_t>(c, 1));
  }
  return out;
}

}  // namespace h5mf::hdf5
