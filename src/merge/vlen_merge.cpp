#include "merge/vlen_merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "container/reader.hpp"
#include "format/vlen.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::merge_detail {

using hdf5::Handle;

void write_vlen_dataset(hid_t dataset, const container::CatalogObject& o, const Datatype& type,
                        const container::Layout& layout, const container::DatasetWrites& writes,
                        const std::string& path, const std::string& output, std::size_t window_bytes, bool in_base,
                        MergeReport& report) {
  const std::uint64_t total = sel::num_elements(o.dims);
  if (total == 0 || writes.size() == 0) return;
  container::DataReader reader(layout, window_bytes);
  const container::ElementLayout slots{o.dims, format::kVlenSlotSize, {}, false, 0};
  const bool scalar = o.dims.empty();
  const std::uint64_t rows = scalar ? 1 : o.dims[0];
  const std::uint64_t row = scalar ? 1 : sel::num_elements(Extent(o.dims.begin() + 1, o.dims.end()));
  const std::uint64_t rows_per_window =
      std::max<std::uint64_t>(1, window_bytes / std::max<std::uint64_t>(row * format::kVlenSlotSize, 1));
  using Vlen = container::DataReader::VlenState;
  for (std::uint64_t r0 = 0; r0 < rows; r0 += rows_per_window) {
    const std::uint64_t take = std::min(rows_per_window, rows - r0);
    const hsize_t n = take * row;
    ++report.windows;
    if (!container::DataReader::any_overlap(writes, r0 * row, n, o.dims)) {
      ++report.windows_skipped;
      continue;
    }
    const auto what = [&](const char* doing) {
      return fmt::format("{} rows {}..{} of variable-length string dataset '{}' {} '{}'", doing, r0, r0 + take, path,
                         doing[0] == 'w' ? "to" : "from", output);
    };
    Handle file_space(hdf5::check_id(H5Dget_space(dataset), "H5Dget_space"));
    if (!scalar) {
      std::vector<hsize_t> start(o.dims.size(), 0), count(o.dims.begin(), o.dims.end());
      start[0] = r0;
      count[0] = take;
      hdf5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                  what("selecting"));
    }
    Handle memory_space(hdf5::check_id(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    const auto values = reader.read_vlen_linear(writes, r0 * row, n, slots);
    // The base file's strings, where the container holds nothing newer; HDF5 allocated them.
    std::vector<char*> base(n, nullptr);
    struct Reclaim {
      hid_t type, space;
      std::vector<char*>& strings;
      bool armed = false;
      ~Reclaim() {
        if (armed) H5Dvlen_reclaim(type, space, H5P_DEFAULT, strings.data());
      }
    } reclaim{type.id(), memory_space.get(), base, false};
    if (in_base) {
      hdf5::check(H5Dread(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, base.data()),
                  what("reading"));
      reclaim.armed = true;
    }
    std::vector<const char*> pointers(n, nullptr);
    for (std::uint64_t i = 0; i < n; ++i) {
      switch (values.state[i]) {
        case Vlen::Unwritten: pointers[i] = base[i]; break;
        case Vlen::Null: pointers[i] = nullptr; break;
        case Vlen::Value:
          pointers[i] = values.value[i].c_str();
          report.bytes_written += values.value[i].size();
          break;
      }
    }
    hdf5::check(H5Dwrite(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, pointers.data()),
                what("writing"));
  }
}

}  // namespace h5mf::merge_detail
