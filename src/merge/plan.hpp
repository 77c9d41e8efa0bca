// The output file's structure, created with libhdf5 by one process, and what the others need to
// know of it to write data into place: each contiguous dataset's address in the file.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "h5mf/merge.hpp"

namespace h5mf::merge_detail {

struct PlannedDataset {
  std::uint64_t id = 0;
  std::uint64_t address = 0;  // where its raw data starts in the output (contiguous datasets)
  std::uint64_t element_size = 0;
  bool from_base = false;  // a dataset of the base file: the output already holds its old content
};

struct Plan {
  std::vector<PlannedDataset> contiguous;  // written into place by the engine, in parallel
};

// Whether the engine writes a dataset's data into place: new contiguous datasets of fixed-size
// types. create_structure writes the others through libhdf5, from records checked beforehand.
bool written_by_engine(const container::CatalogObject& dataset, bool in_base);

// Creates `output` with every group, dataset and attribute of the catalog (contiguous datasets
// allocated up front so that their addresses are known; fill values and filters set) and writes the
// chunked datasets of a base file through libhdf5 (the chunk stage writes the others). Counts what it made in `report`.
// With a `base` file (a container over an existing HDF5 file), `output` starts as a copy of it and only what the
// container added or changed is made.
Plan create_structure(const container::Catalog& catalog, const container::Layout& layout,
                      const std::map<std::uint64_t, container::DatasetWrites>& writes, const std::string& output,
                      std::size_t window_bytes, const std::optional<std::string>& base, MergeReport& report);

std::vector<std::byte> encode_plan(const Plan& plan);
Plan decode_plan(const std::vector<std::byte>& bytes);

}  // namespace h5mf::merge_detail
