// Who this process is in a container session, and getting the container ready on disk for the
// requested mode (collectively: the coordinator prepares, everyone learns the outcome).
#pragma once

#include <cstdint>
#include <optional>

#include "container/catalog.hpp"
#include "container/holder_lock.hpp"
#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "h5mf/options.hpp"
#include "mpi/comm.hpp"

namespace h5mf::driver {

struct Session {
  std::uint32_t writer = 0;
  std::uint32_t writers = 1;
  bool coordinator = true;           // appends structure records to the metafile
  bool may_change_structure = true;  // every MPI rank (collectively) and the coordinator
  bool joins_existing = false;       // a worker without MPI: joins the coordinator's session
  bool collective = false;           // MPI ranks: every writer creates its files at open (SESSION flag)
  std::uint32_t data_files = 0;      // aggregation: the session's data files (0: one per writer)
  bool image = false;                // a file-image container (the HDF5 file driver, src/vfd)

  // A file-image session that writes holds its container exclusively, on rank 0 alone, from open
  // to close (docs/design.md, "Two processes and one path"): HDF5 writes its metadata in place,
  // so a second writer or a reader would meet metadata HDF5 has not finished, as with HDF5's own
  // file locking of a file open for writing.
  bool holds_exclusively(Mode mode) const { return image && mode != Mode::Read; }

  // The SESSION record of this session.
  format::SessionRecord record(std::uint64_t number, std::uint64_t first_epoch) const;
};

// Roles from the options: MPI ranks (writer = rank), a coordinator without MPI (writer 0 of
// `writers`), or a worker without MPI (`writer` given). Throws InvalidArgument for combinations
// that make no sense.
Session plan_session(const mpi::Comm& comm, const FileOptions& options, Mode mode);

struct OpenedContainer {
  format::ContainerId id{};
  container::Catalog catalog;
  std::uint64_t first_epoch = 1;
  std::optional<container::MetafileAppender> metafile;  // the coordinator's, when writable
  bool created = false;
  std::optional<format::LogDamage> metafile_damage;  // what loading the metafile dropped
  container::HolderLock holder;                      // this process's hold on the container, for as long as it is open
};

// `base`: the existing HDF5 file the container extends (it lives beside it), when opening one.
// Every rank comes back holding the container shared (container/holder_lock.hpp), or rank 0 alone
// holding it exclusively (Session::holds_exclusively); Busy when another process holds it in a way
// the mode cannot live with (docs/design.md, "Two processes and one path").
OpenedContainer open_container(mpi::Comm& comm, const container::Layout& layout, Mode mode, const Session& session,
                               const std::optional<std::string>& base);

// Called by every rank once every writer (aggregator) of a collective session has created its
// file pair: the coordinator records that the open completed (OPENED), so that from now on a pair
// missing whole is reported as a loss (Catalog::required_data_files). Collective.
void record_opened(mpi::Comm& comm, const Session& session, container::Catalog& catalog,
                   std::optional<container::MetafileAppender>& metafile);

}  // namespace h5mf::driver
