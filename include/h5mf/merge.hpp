// Reconstruction: a container becomes one conventional HDF5 file.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "h5mf/dropped.hpp"
#include "h5mf/progress.hpp"

namespace h5mf {

// Dataset bytes this process has produced so far, of all it produces.
using MergeProgress = Progress;

struct MergeOptions {
  // Where to write the file; empty: replace the container at its own path, atomically.
  std::string output;
  // Threads of this process; 0: one per core.
  unsigned threads = 0;
  // Merge together with the other ranks of this communicator (a collective call); MPI_COMM_NULL:
  // this process alone.
  MPI_Comm comm = MPI_COMM_NULL;
  // Peak memory for data buffers, over all threads of this process. The work is cut into windows
  // of at most a third of the budget per thread (and at most 32 MiB).
  std::size_t memory_budget = std::size_t{256} << 20;
  bool verify_data = true;  // check every record's data checksum before using it
  bool sync = true;         // fsync the output before it replaces the container
  // Copy large records inside the kernel (copy_file_range), and share their whole blocks with the
  // data files where the file system can (reflinks: XFS, btrfs), checking them all the same.
  bool kernel_copy = true;
  // Writer files open at once over all threads (least recently used ones are closed), so that a
  // container of any number of writers merges within the process's open-file limit. 0: 256, or
  // half the process's limit (RLIMIT_NOFILE) when that is lower.
  std::size_t max_open_files = 0;
  // Called from one thread about five times a second while data is written, and once at the end.
  std::function<void(const MergeProgress&)> progress;
};

struct MergeReport {
  std::string output;
  // A container written through the HDF5 file driver (docs/file-driver.md): its bytes are the
  // file, so groups, datasets and attributes are not counted (0).
  bool file_image = false;
  std::uint64_t datasets = 0, groups = 0, attributes = 0;
  std::uint64_t records = 0;                       // write records replayed
  std::uint64_t bytes_written = 0;                 // dataset bytes written to the output
  std::uint64_t bytes_kernel_copied = 0;           // of bytes_written, copied by copy_file_range
  std::uint64_t bytes_shared = 0;                  // of bytes_kernel_copied, blocks shared with the data files
  std::uint64_t windows = 0, windows_skipped = 0;  // skipped: nobody wrote there, zero fill
  std::uint64_t records_checked_in_copy = 0;       // records whose checksums were checked as they were copied
  // Chunks of new chunked datasets written by the chunk stage, and their bytes before and after the
  // filters (the stored bytes count in bytes_written too).
  std::uint64_t chunks_written = 0, chunk_bytes_raw = 0, chunk_bytes_stored = 0;
  std::uint64_t records_dropped = 0;  // damaged records left out (see `damage`)
  std::vector<std::string> damage;    // one line per damaged region or recovery action
  std::vector<Dropped> dropped;       // every region and record left out: the output is not the whole container
  std::vector<std::string> notes;     // worth knowing, not wrong (more threads than usable CPUs)
  unsigned threads = 1, ranks = 1;
  std::size_t window_bytes = 0;
  double seconds = 0;
  // Where the time went, on this process (seconds from the end of the step before; in a parallel
  // merge each step ends when this rank leaves its collective agreement): reading the metafile,
  // catalog and index; checking records; sorting them into overlap indexes; the output's structure
  // (rank 0, the others wait); the data; replacing the container.
  struct Phases {
    double load = 0, verify = 0, prepare = 0, structure = 0, data = 0, replace = 0;
    // Each phase's name and seconds, in the order they run.
    std::vector<std::pair<const char*, double>> named() const {
      return {{"load", load},           {"verify", verify}, {"prepare", prepare},
              {"structure", structure}, {"data", data},     {"replace", replace}};
    }
  } phases;

  // Whether anything was left out (damage): `h5mf merge` then exits 2, as `h5mf verify` does.
  bool damaged() const { return records_dropped > 0 || !dropped.empty(); }
};

// Collective over options.comm when one is given; every rank gets the same report totals.
MergeReport merge(const std::string& container, const MergeOptions& options = {});

// Cleans what an interrupted merge left beside `path` (docs/format.md). Returns what it did, one
// line per action; empty when there was nothing to do.
std::vector<std::string> recover_interrupted_merge(const std::string& path);

}  // namespace h5mf
