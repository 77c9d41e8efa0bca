// Checking a container or a conventional HDF5 file: what `h5mf verify` prints, as data, so that
// programs (and the Python package) can act on it.
//
// A container is checked byte by byte against docs/format.md: every header, every log record and
// its checksum, every write record's data checksum and length, the catalog (the metafile's
// records apply cleanly; every write names a dataset the catalog defines, after its creation, with
// a selection inside its shape), and overlapping writes of different writers in the same epoch
// (undefined under MPI-IO's rules). A file-image container (written through the HDF5 file driver)
// is checked by its own records: every RANGE and END record, every data checksum, and the metadata
// in its `image` against the checksums of the records that wrote it. An HDF5 file is opened
// read-only with libhdf5 and every object, attribute and dataset is read in full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "h5mf/progress.hpp"
#include "h5mf/selection.hpp"

namespace h5mf {

struct VerifyOptions {
  bool check_data = true;           // read every record's data and check it against its checksum
  unsigned threads = 0;             // threads for the data checks; 0: one per core
  std::size_t max_conflicts = 100;  // conflicts listed in detail; all of them are counted
  // The record data checked (a container) or the dataset bytes read (an HDF5 file), as they go.
  ProgressCallback progress;
};

// Something a reader of the container does not use (or must not use), never silently: either a
// region of a file (a log from `offset` to its end: a torn tail or corruption, after which nothing
// is trusted), or one write record dropped on its own (`sequence` set).
struct VerifyDamage {
  std::string file;           // the file the damage is in
  std::uint64_t offset = 0;   // where the dropped bytes start (for one record: its index record)
  std::uint64_t bytes = 0;    // bytes dropped (for one record: its data bytes)
  std::uint64_t records = 0;  // whole records dropped; past corruption, as far as they can be told
  bool torn_tail = false;     // an incomplete last record, as a killed writer leaves
  std::string reason;
  // One write record dropped on its own: its sequence number, dataset id and epoch.
  std::optional<std::uint64_t> sequence;
  std::uint64_t dataset = 0, epoch = 0;
};

// One data file pair `<f>`, `<f>.offset`. Without aggregation file f holds writer f's records;
// with it, an aggregator's file holds its group's (records_by_writer says whose).
struct DataFileVerifyReport {
  std::uint32_t file = 0;  // the file number f
  bool index_present = false, data_present = false;
  std::uint64_t index_bytes = 0, data_bytes = 0;  // file sizes
  std::uint64_t records = 0;                      // write records kept
  std::uint64_t record_bytes = 0;                 // data bytes the kept records reference
  std::uint64_t records_dropped = 0;              // whole records dropped, over all damage below
  std::uint64_t bytes_dropped = 0;                // bytes dropped, over all damage below
  std::uint64_t unreferenced_bytes = 0;           // data-file bytes no kept record uses (a killed writer's tail)
  std::map<std::uint32_t, std::uint64_t> records_by_writer;  // kept records per writer that made them
  std::vector<VerifyDamage> damage;
};

// Two writers wrote the same elements in the same epoch: undefined under MPI-IO's rules (h5mf's
// result is deterministic: writer_b, the higher id, wins). One entry per dataset, epoch and pair.
struct VerifyConflict {
  std::string dataset;  // path
  std::uint64_t dataset_id = 0;
  std::uint64_t epoch = 0;
  std::uint32_t writer_a = 0, writer_b = 0;  // writer_a < writer_b
  std::uint64_t record_pairs = 0;            // pairs of records that overlap
  std::uint64_t elements = 0;                // overlapping elements, summed over the pairs
  Extent lo, hi;                             // bounding box of the overlap: [lo, hi)
  Extent first;                              // the first overlapping element in row-major order
};

struct VerifyReport {
  // FileImage: a file-image container (written through the HDF5 file driver): its data files
  // hold byte ranges of the file, not writes to datasets; groups, datasets, attributes and
  // conflicts are not counted (HDF5's metadata in its `image` holds them).
  enum class Kind { Unknown, Container, Hdf5File, FileImage };
  std::string path;
  Kind kind = Kind::Unknown;
  // Problems that stop PATH from being used as a whole (missing, neither a container nor an HDF5
  // file, a header the library refuses, an HDF5 object that cannot be read).
  std::vector<std::string> errors;
  std::vector<std::string> notes;  // worth knowing, not wrong: leftovers of a merge, stray files

  // A container.
  std::string container_id;  // hex
  std::uint32_t format_version = 0;
  std::uint64_t sessions = 0, writer_files = 0;  // writer_files: data file pairs the sessions name
  std::uint64_t metafile_bytes = 0, metafile_records = 0;
  std::vector<VerifyDamage> metafile_damage;
  std::vector<DataFileVerifyReport> data_files;
  std::vector<VerifyConflict> conflicts;  // at most VerifyOptions::max_conflicts
  std::uint64_t conflicts_total = 0;

  // Both: what the container's catalog or the HDF5 file holds (groups without the root).
  std::uint64_t groups = 0, datasets = 0, attributes = 0;
  // An HDF5 file: what was read.
  std::uint64_t bytes_read = 0;

  std::uint64_t records() const;          // write records kept, all data files
  std::uint64_t records_dropped() const;  // all data files
  std::uint64_t bytes_dropped() const;    // metafile and all data files
  bool damaged() const;                   // any damage in the metafile or a data file pair
  // 0: healthy; 1: errors (see `errors`); 2: damage or conflicts, and no errors.
  int exit_code() const;
};

// Checks `path`: a container directory or an HDF5 file. Never throws for what it finds in the
// files (that is the report); throws only for failures of the machine (out of memory...).
VerifyReport verify(const std::string& path, const VerifyOptions& options = {});

}  // namespace h5mf
