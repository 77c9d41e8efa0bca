// h5mf bench: the timed steps. Each write method puts the same bytes (this rank's elements of the
// Pattern, float64) in the same transfers into a NEW file or container, and returns the slowest
// rank's time from a barrier before the first byte to a barrier after close (and fsync, if asked).
#pragma once

#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>

#include "bench_pattern.hpp"
#include "h5mf/merge.hpp"
#include "h5mf/options.hpp"
#include "idle_barrier.hpp"

namespace h5mf::tools::bench {

struct Context {
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank = 0, ranks = 1;
  const Pattern* pattern = nullptr;
  std::span<const double> data;  // this rank's elements in transfer order
  std::span<double> scratch;     // as many elements, for reads
  bool fsync = false;
  Aggregation aggregation;  // for the multifile method
  // The scratch directory, open: its file system's dirty pages are written back (syncfs, untimed)
  // before each timed step, so that no method pays for the writeback of what an earlier one wrote.
  int scratch_fd = -1;

  std::uint64_t transfer_bytes() const { return pattern->transfer_elements() * sizeof(double); }
};

// Rank 0 removes `path` (file or directory) between two idle barriers.
void remove_path(const Context& ctx, const std::string& path);

// The HDF5 methods, through h5mf's mpio driver; the dataset is "/data".
enum class Hdf5Flavour { Collective, BigChunk, Independent };
double write_hdf5(const Context& ctx, const std::string& path, Hdf5Flavour flavour);
// One shared file; each transfer is one pwrite per contiguous run of the pattern in the file.
double write_posix(const Context& ctx, const std::string& path);
// The same bytes through plain libhdf5 calls (H5Dwrite per transfer) with the h5mf file driver
// (docs/file-driver.md): what an unmodified program run under `h5mf exec` does.
double write_hdf5_driver(const Context& ctx, const std::string& path, bool collective);
// Copying the same bytes into one file: every rank copies its own data file of container
// `container` into its own range of scratch/copy (copy_file_range, as the driver's merge moves
// them), to compare the merge with.
double copy_own_data_file(const Context& ctx, const std::string& container, const std::string& scratch);
// h5mf's container (multifile driver).
double write_multifile(const Context& ctx, const std::string& path);
// A directory with one file per rank; each transfer is one pwrite, appended. With `checksum`, each
// transfer is first hashed with the container's own checksum (XXH3, format::checksum): the pass
// over the data that a checksummed write adds to a plain one, and nothing else of h5mf.
double write_posix_multifile(const Context& ctx, const std::string& dir, bool checksum = false);
// Each rank reads its file of write_posix_multifile back into ctx.scratch, one pread per transfer,
// hashing each transfer after its pread with `checksum` (as a container's direct read checks a
// record it reads whole); compared with ctx.data.
double read_posix_multifile(const Context& ctx, const std::string& dir, bool checksum);

// Each rank reads its whole selection in one call into ctx.scratch; the result is compared with
// ctx.data (every rank throws if any rank's bytes differ).
double read_container(const Context& ctx, const std::string& path);  // h5mf, multifile driver
double read_hdf5_mpio(const Context& ctx, const std::string& path);  // plain libhdf5, mpio, independent
double read_h5mf_mpio(const Context& ctx, const std::string& path);  // h5mf, mpio driver
void check_read(const Context& ctx, const std::string& what);

// merge() of the container at `path` (replaced in place) by every rank with `threads` each.
struct TimedMerge {
  double seconds = 0;
  MergeReport report;
};
TimedMerge merge_in_place(const Context& ctx, const std::string& path, unsigned threads);

// Rank 0 reads a few elements of each rank's part of "/data" in `path` with libhdf5 (sec2) and
// checks they hold their own global index; throws naming the first wrong one. Not collective.
void spot_check(const std::string& path, const Context& ctx);

// Throws on every rank when `ok` is false on any rank.
void agree(MPI_Comm comm, bool ok, const std::string& what);

}  // namespace h5mf::tools::bench
