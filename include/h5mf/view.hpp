// The zero-copy view: a standard HDF5 file whose datasets are virtual datasets (HDF5 1.10 VDS) over
// the bytes the writers left in the container's data files, so that h5dump, h5py and every other
// HDF5 reader see the container's content at once, without a merge (docs/design.md, "The zero-copy
// view").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "h5mf/dropped.hpp"
#include "h5mf/progress.hpp"

namespace h5mf {

struct ViewOptions {
  // The view file; empty: `<container>/view.h5`.
  std::string output;
  // The file of external-storage source datasets the view's mappings read; empty: beside `output`,
  // its name with "-sources.h5" in place of ".h5" (view.h5 -> view-sources.h5).
  std::string sources;
  bool verify_data = true;  // check every record's data checksum; records that fail are left out
  unsigned threads = 0;     // for the checksums; 0: one per core
  // A view that HDF5 could not read in reasonable time is refused (h5mf::Unsupported, naming the
  // dataset and the count, suggesting `h5mf merge`). HDF5 1.10.8 opens every mapping of a virtual
  // dataset on each access and projects every selection block on each read: 10,000 mappings take
  // seconds and ~300 MB to read, 100,000 take a minute and gigabytes.
  std::uint64_t max_mappings = 10'000;       // per dataset
  std::uint64_t max_blocks = 20'000;         // per dataset: hyperslab blocks over all its mappings
  std::uint64_t max_point_mappings = 1'000;  // per dataset: points written by point selections
  std::uint64_t max_total_mappings = 100'000;
  // The record data checked against their checksums, as they go (nothing with verify_data off).
  ProgressCallback progress;
};

struct ViewReport {
  std::string output, sources;
  std::uint64_t groups = 0, datasets = 0, attributes = 0;
  std::uint64_t records = 0;           // write records the view uses (checksums passed)
  std::uint64_t records_hidden = 0;    // of these, wholly overwritten by later writes: not mapped
  std::uint64_t mappings = 0;          // virtual-dataset mappings, over all datasets
  std::uint64_t source_datasets = 0;   // external-storage datasets in `sources`
  std::uint64_t segments = 0;          // their external-file segments
  std::uint64_t bytes_referenced = 0;  // data-file bytes the segments cover (nothing is copied)
  std::uint64_t records_dropped = 0;   // damaged records left out (see `damage`)
  std::vector<std::string> damage;     // one line per damaged region
  std::vector<Dropped> dropped;        // every region and record left out
  // Whether anything was left out (damage): `h5mf view` then exits 2.
  bool damaged() const { return records_dropped > 0 || !dropped.empty(); }
  double seconds = 0;
};

// Writes the view of `container` (a container directory, or an HDF5 file with a container beside
// it). The container is only read. Throws Unsupported when the container cannot be viewed
// (see ViewOptions), NotFound when `container` is none.
ViewReport view(const std::string& container, const ViewOptions& options = {});

}  // namespace h5mf
