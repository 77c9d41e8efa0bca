// Planning a dataset of the view: which part of each record stays visible and which byte ranges
// of which data files hold it, as virtual-dataset mappings over external-storage sources. The
// writer (view/write.hpp) turns the plans into the view's two files.
//
// HDF5 reads overlapping mappings in list order (a later one wins) but fills unmapped elements
// with the fill value only when the mapped elements are fewer than those read: with overlaps,
// holes then keep whatever the reader's buffer held. So the view never overlaps mappings: every
// record maps only what no later record (in replay order) overwrites.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "h5mf/view.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::view_detail {

// The source of a mapping that reads the base file's own dataset.
constexpr std::size_t kBaseSource = std::numeric_limits<std::size_t>::max();

struct Segment {
  std::uint32_t data_file = 0;
  std::uint64_t offset = 0, length = 0;  // bytes of data file `<data_file>`
};

// An external-storage dataset of the sources file: its raw data are its segments, in order.
struct Source {
  Extent dims;  // empty: scalar
  std::vector<Segment> segments;
};

// One VDS mapping: the elements `virtual_selection` selects read, in row-major order, the
// elements `source_selection` selects in source `source` (or in the base file's dataset).
struct Mapping {
  hdf5::Handle virtual_selection;
  std::size_t source = kBaseSource;
  hdf5::Handle source_selection;
};

struct DatasetPlan {
  std::uint64_t id = 0;
  std::vector<Source> sources;
  std::vector<Mapping> mappings;
};

// Plans dataset `id` (catalog object `o`, named `path`, of `element_size`-byte elements) from its
// `writes` (passing records, or null) and, where it is `in_base`, the base file's dataset: as few
// mappings as possible. Throws FormatError for a record that does not fit its dataset and
// Unsupported beyond the limits of `options`; counts hidden records in `report`.
DatasetPlan plan_dataset(const container::CatalogObject& o, std::string path, std::size_t element_size,
                         const ViewOptions& options, ViewReport& report, std::uint64_t id,
                         const container::DatasetWrites* writes, bool in_base);

}  // namespace h5mf::view_detail
