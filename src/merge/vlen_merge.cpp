#include "merge/vlen_merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "container/reader.hpp"
#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_fill.hpp"
#include "values/vlen_strings.hpp"
#include "values/vlen_values.hpp"

namespace h5mf::merge_detail {

using hdf5::Handle;

void write_vlen_dataset(hid_t dataset, const container::CatalogObject& o, const Datatype& type,
                        const container::Layout& layout, const container::DatasetWrites& writes,
                        const std::string& path, const std::string& output, std::size_t window_bytes, bool in_base,
                        MergeReport& report) {
  const std::uint64_t total = selection::num_elements(o.dims);
  if (total == 0 || writes.size() == 0) return;
  std::optional<values::VlenCompound> compound;
  if (values::has_vlen_members(type) != o.variable_length_members) {
    throw FormatError(
        fmt::format("dataset '{}': its CREATE_DATASET {} the variable-length members flag, but its type "
                    "{} {}",
                    path, o.variable_length_members ? "carries" : "lacks", type.describe(),
                    o.variable_length_members ? "has no such members" : "has such members"));
  }
  if (o.variable_length_members) compound = values::vlen_compound(type, fmt::format("dataset '{}'", path));
  const container::VlenElement record_shape =
      compound ? container::VlenElement{compound->fixed_size(), compound->members.size()} : container::VlenElement{};
  const std::size_t record_element = record_shape.fixed + record_shape.slots * format::kVlenSlotSize;
  container::DataReader reader(layout, window_bytes);
  const container::ElementLayout slots{o.dims, record_element, {}, false, 0, true, &o.shapes};
  const bool scalar = o.dims.empty();
  const std::uint64_t rows = scalar ? 1 : o.dims[0];
  const std::uint64_t row = scalar ? 1 : selection::num_elements(Extent(o.dims.begin() + 1, o.dims.end()));
  const std::uint64_t rows_per_window =
      std::max<std::uint64_t>(1, window_bytes / std::max<std::uint64_t>(row * record_element, 1));
  using Vlen = container::DataReader::VlenState;
  const bool strings = values::is_vlen_string(type);
  const std::size_t base_size = strings || compound ? 1 : values::sequence_base(type).size();
  // Unwritten elements of a window are written as the fill value (HDF5 fills only what the merge
  // leaves alone); a dataset of the base file keeps the base file's elements instead.
  const auto fill =
      in_base || compound
          ? std::nullopt
          : values::vlen_fill_value(type, o.fill, fmt::format("fill value of dataset '{}' in '{}'", path, output));
  const auto compound_fill = in_base || !compound || o.fill.empty()
                                 ? std::nullopt
                                 : std::optional(values::split_vlen_element(
                                       type, o.fill, fmt::format("fill value of dataset '{}' in '{}'", path, output)));
  const char* fill_string = fill ? fill->c_str() : nullptr;
  const hvl_t fill_sequence{fill ? fill->size() / base_size : 0, fill ? const_cast<char*>(fill->data()) : nullptr};
  // Only windows some record's rows reach: a dataset declared 2^50 rows costs its records, not 2^50
  // / rows_per_window windows (docs/design.md, "Hostile files").
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reached;  // window numbers [a, b]
  for (const auto& w : writes.in_replay_order()) {
    if (scalar) {
      reached.emplace_back(0, 0);
    } else if (const selection::Box box = w.box();
               !box.lo.empty() && box.hi.size() == box.lo.size() && box.lo[0] < box.hi[0]) {
      reached.emplace_back(box.lo[0] / rows_per_window, (std::min(box.hi[0], rows) - 1) / rows_per_window);
    }
  }
  std::sort(reached.begin(), reached.end());
  std::vector<std::uint64_t> starts;
  for (std::uint64_t next = 0; const auto& [a, b] : reached) {
    for (std::uint64_t k = std::max(a, next); k <= b && k * rows_per_window < rows; ++k)
      starts.push_back(k * rows_per_window);
    next = std::max(next, b + 1);
  }
  for (const std::uint64_t r0 : starts) {
    const std::uint64_t take = std::min(rows_per_window, rows - r0);
    const hsize_t n = take * row;
    ++report.windows;
    if (!container::DataReader::any_overlap(writes, r0 * row, n, o.dims)) {
      ++report.windows_skipped;
      continue;
    }
    const auto what = [&](const char* doing) {
      return fmt::format("{} rows {}..{} of variable-length dataset '{}' {} '{}'", doing, r0, r0 + take, path,
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
    auto values = reader.read_vlen_linear(writes, r0 * row, n, slots, record_shape);
    if (compound) {
      auto& resolved = values;
      const std::size_t k = compound->members.size();
      const std::size_t size = compound->fixed_size();
      // Unwritten elements of a window are written as the fill value (HDF5 fills only what the
      // merge leaves alone); a dataset of the base file keeps the base file's elements instead.
      const auto unwritten = [&](std::size_t i) { return compound_fill && resolved.state[i * k] == Vlen::Unwritten; };
      for (std::size_t i = 0; i < n; ++i) {
        if (unwritten(i))
          std::copy(compound_fill->fixed.begin(), compound_fill->fixed.end(), resolved.fixed.begin() + i * size);
      }
      auto elements = h5mf::values::decode_vlen_compound(
          *compound, resolved.fixed, n,
          [&](std::size_t i, std::size_t j) -> const std::string* {
            if (unwritten(i)) return compound_fill->values[j] ? &*compound_fill->values[j] : nullptr;
            return resolved.state[i * k + j] == Vlen::Value ? &resolved.value[i * k + j] : nullptr;
          },
          what("merging"));
      // Elements nobody wrote keep the base file's (HDF5 allocated them, and frees them); ours are
      // freed, after the write, only where they were used.
      std::vector<std::byte> base;
      struct Free {
        const h5mf::values::VlenCompound& c;
        std::vector<std::byte>& e;
        std::vector<std::byte>& base;
        hid_t type, space;
        ~Free() {
          if (!base.empty()) H5Dvlen_reclaim(type, space, H5P_DEFAULT, base.data());
          h5mf::values::free_vlen_members(c, e.data(), e.size() / c.fixed_size());
        }
      } free_members{*compound, elements, base, type.id(), memory_space.get()};
      std::vector<std::byte> merged;
      if (in_base) {
        base.assign(n * size, std::byte{0});
        hdf5::check(H5Dread(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, base.data()),
                    what("reading"));
        merged = base;
        for (hsize_t i = 0; i < n; ++i) {
          if (resolved.state[i * k] == Vlen::Unwritten) continue;
          std::memcpy(merged.data() + i * size, elements.data() + i * size, size);
        }
      }
      for (const auto& v : resolved.value) report.bytes_written += v.size();
      hdf5::check(H5Dwrite(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                           in_base ? merged.data() : elements.data()),
                  what("writing"));
      continue;
    }
    // The base file's elements, where the container holds nothing newer; HDF5 allocated them.
    // Elements are C string pointers or hvl_t, in the file's own type.
    const std::size_t element = strings ? sizeof(char*) : sizeof(hvl_t);
    std::vector<std::byte> base(n * element);
    struct Reclaim {
      hid_t type, space;
      std::vector<std::byte>& elements;
      bool armed = false;
      ~Reclaim() {
        if (armed) H5Dvlen_reclaim(type, space, H5P_DEFAULT, elements.data());
      }
    } reclaim{type.id(), memory_space.get(), base, false};
    if (in_base) {
      hdf5::check(H5Dread(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, base.data()),
                  what("reading"));
      reclaim.armed = true;
    }
    std::vector<std::byte> elements = base;  // unwritten ones as the base file has them
    for (std::uint64_t i = 0; i < n; ++i) {
      std::byte* at = elements.data() + i * element;
      if (values.state[i] == Vlen::Unwritten) {
        if (!fill) continue;
        if (strings) {
          std::memcpy(at, &fill_string, sizeof fill_string);
        } else {
          std::memcpy(at, &fill_sequence, sizeof fill_sequence);
        }
        continue;
      }
      const std::string* value = values.state[i] == Vlen::Value ? &values.value[i] : nullptr;
      if (value) report.bytes_written += value->size();
      if (strings) {
        const char* p = value ? value->c_str() : nullptr;
        std::memcpy(at, &p, sizeof p);
      } else {
        const hvl_t v{value ? value->size() / base_size : 0, value ? const_cast<char*>(value->data()) : nullptr};
        if (value && value->size() % base_size != 0) {
          throw FormatError(fmt::format("{}: a sequence of {} bytes is no whole number of {}-byte elements",
                                        what("merging"), value->size(), base_size));
        }
        std::memcpy(at, &v, sizeof v);
      }
    }
    hdf5::check(H5Dwrite(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, elements.data()),
                what("writing"));
  }
}

}  // namespace h5mf::merge_detail
