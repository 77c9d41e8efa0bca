// Reconstruction: a container becomes one conventional HDF5 file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace h5mf {

struct MergeOptions {
  // Where to write the file; empty: replace the container at its own path, atomically.
  std::string output;
  std::size_t window_bytes = std::size_t{32} << 20;  // how much of a dataset is assembled at once
  bool verify_data = true;  // check every record's data checksum before using it
  bool sync = true;         // fsync the output before it replaces the container
};

struct MergeReport {
  std::string output;
  std::uint64_t datasets = 0, groups = 0, attributes = 0;
  std::uint64_t records = 0;          // write records replayed
  std::uint64_t bytes_written = 0;    // dataset bytes written to the output
  std::uint64_t records_dropped = 0;  // damaged records left out (see `damage`)
  std::vector<std::string> damage;    // one line per damaged region
  double seconds = 0;
};

MergeReport merge(const std::string& container, const MergeOptions& options = {});

// Cleans what an interrupted merge left beside `path` (docs/format.md). Returns what it did, one
// line per action; empty when there was nothing to do.
std::vector<std::string> recover_interrupted_merge(const std::string& path);

}  // namespace h5mf
