// How a file is opened: h5py's modes, the driver, and the writers.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace h5mf {

// h5py's modes: "r", "r+", "w", "w-" (or "x"), "a".
enum class Mode { Read, ReadWrite, Truncate, Exclusive, Append };
Mode parse_mode(std::string_view mode);  // throws InvalidArgument for anything else
std::string to_string(Mode mode);

enum class Driver {
  Auto,       // a container directory opens with multifile; an HDF5 file with sec2 (mpio when a
              // communicator of more than one rank is given); new files: multifile when parallel
  Multifile,  // the container: each writer appends to its own files (the default in parallel)
  Mpio,       // classic parallel HDF5 on one shared file (MPI-IO)
  Sec2,       // serial HDF5 for one process
};
Driver parse_driver(std::string_view name);  // "multifile", "mpio", "sec2" or "" / "auto"
std::string to_string(Driver driver);

// Aggregation (multifile driver, MPI only): groups of ranks funnel their writes to one aggregator
// per group, which appends them to its data file, so that N ranks make M file pairs instead of N.
// Members' writes are buffered and shipped at flush() and close() (docs/design.md, "Aggregation").
struct Aggregation {
  enum class Kind {
    Off,        // one file pair per writer (the default)
    Node,       // one group per node: the ranks sharing memory (MPI_COMM_TYPE_SHARED)
    GroupSize,  // groups of `count` consecutive ranks
    Files,      // `count` data files: the ranks split into `count` groups of consecutive ranks
  };
  Kind kind = Kind::Off;
  int count = 0;
  friend bool operator==(const Aggregation&, const Aggregation&) = default;
};
// "off" (or ""), "node", "<n>" (ranks per group) or "files:<m>"; InvalidArgument otherwise.
Aggregation parse_aggregation(std::string_view text);
std::string to_string(const Aggregation& aggregation);

// An HDF5 file driver that libhdf5 does not hold, as h5py.register_driver(name, set_fapl) adds
// one: `set_fapl` selects it on a file access property list (an hid_t) and returns what the
// H5Pset_fapl_* call returned (negative: failed, the reason on HDF5's error stack), e.g.
// H5Pset_fapl_h5mf of libh5mf_vfd (include/h5mf/H5FDh5mf.h).
struct VirtualFileDriver {
  std::string name;  // what File::driver() reports
  std::function<int(std::int64_t fapl)> set_fapl;
  explicit operator bool() const { return static_cast<bool>(set_fapl); }
};

struct FileOptions {
  Driver driver = Driver::Auto;
  // The MPI job's communicator; MPI_COMM_NULL means one process and no MPI at all.
  MPI_Comm comm = MPI_COMM_NULL;
  // Without MPI: the coordinator (writer 0) creates a container for `writers` independent
  // processes; each worker opens it with `writer` = its id. 0 / -1: not used.
  int writers = 0;
  int writer = -1;
  // Every write visible to every process as soon as the call returns (MPI atomic mode).
  bool atomic = false;
  // Per-writer buffer for small writes; writes of 64 KiB or more (or of half the buffer, if smaller)
  // go to the file directly from the caller's memory.
  std::size_t buffer_bytes = std::size_t{8} << 20;
  // Debug: reads of a container report (on stderr, once each) writes of two different writers in
  // one epoch that overlap what they read: undefined under MPI-IO's rules. The result stays
  // deterministic (the higher writer id wins). Also on when H5MF_CHECK_CONFLICTS=1 is set.
  bool check_conflicts = false;
  // fsync data, index and metafile at every flush and close.
  bool sync = false;
  // Fewer data files than ranks. When left Off, the environment variable H5MF_AGGREGATE (same
  // syntax as parse_aggregation) decides.
  Aggregation aggregation;
  // How to read a file-image container (written through h5mf's HDF5 file driver, docs/format.md):
  // only that driver can, and libh5mf does not link it. With Driver::Auto and Mode::Read such a
  // container opens through this driver, serially; without one, opening it fails saying so.
  // `h5mf ls` and `h5mf dump` pass libh5mf_vfd's.
  VirtualFileDriver image_driver;
};

}  // namespace h5mf
