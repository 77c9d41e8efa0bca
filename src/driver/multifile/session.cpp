#include "driver/multifile/session.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

#include <filesystem>

#include "container/base.hpp"
#include "container/holder_lock.hpp"
#include "container/index.hpp"
#include "container/posix_file.hpp"
#include "container/replace.hpp"
#include "driver/hdf5/hdf5_driver.hpp"
#include "driver/multifile/base_import.hpp"
#include "h5mf/error.hpp"
#include "h5mf/warnings.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf::driver {
namespace {

using container::Layout;

using container::HolderLock;

// renameat2(RENAME_NOREPLACE) through syscall(): glibc 2.36 has the wrapper, older ones do not.
void rename_no_replace(const std::string& from, const std::string& to) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  int error = errno;
  if (error == EINVAL || error == ENOSYS || error == EOPNOTSUPP) {  // the file system cannot: check, then rename
    error = container::exists(to) ? EEXIST : ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  }
  if (error == EEXIST || error == ENOTEMPTY) {
    throw AlreadyExists(fmt::format("cannot create '{}': another process created it meanwhile", to));
  }
  if (error != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", from, to, container::errno_text(error)));
  }
}

struct NewContainer {
  HolderLock holder;
  container::MetafileAppender metafile;
};

// Makes a container at layout.path() that no other process can grab or remove before this one
// holds it: built in `PATH.h5mf-new`, locked from its mkdir on, moved into place only where
// nothing is (a creator killed half-way leaves `PATH.h5mf-new`, which the next one removes).
// `fill` appends the first records.
// `exclusive`: the creator keeps holding it exclusively (Session::holds_exclusively).
template <typename Fill>
NewContainer make_new_container(const Layout& layout, bool exclusive, Fill&& fill) {
  const std::string& path = layout.path();
  const Layout building(path + ".h5mf-new");
  const std::string action = fmt::format("create '{}'", path);
  if (container::exists(building.path())) {
    HolderLock stale = HolderLock::acquire(building.path(), HolderLock::Kind::Exclusive, action);
    container::remove_tree(building.path());
  }
  container::make_directory(building.path());
  HolderLock holder = HolderLock::acquire(building.path(), HolderLock::Kind::Exclusive, action);
  try {
    std::uint64_t end = 0;
    {
      auto appender = container::MetafileAppender::create(building, format::random_container_id());
      fill(appender, building);
      appender.flush(false);
      end = appender.end();
    }
    rename_no_replace(building.path(), path);
    container::sync_directory(std::filesystem::path(path).parent_path().empty()
                                  ? std::string(".")
                                  : std::filesystem::path(path).parent_path().string());
    if (!exclusive) holder.share(action);
    return NewContainer{std::move(holder), container::MetafileAppender::reopen(layout, end)};
  } catch (...) {
    if (container::is_directory(building.path())) {
      try {
        container::remove_tree(building.path());
      } catch (...) {  // the next creator removes it
      }
    }
    throw;
  }
}

// Makes room for a new container at `path` as mode `w`/`w-` asks, without ever deleting what is
// not ours to delete, nor what another process holds: everything about to be removed is locked
// exclusively first (Busy, naming the holder, otherwise). A merge's leftovers are finished or
// tidied first, as an open does, so that a merged file waiting in them is not lost.
std::vector<HolderLock> prepare_new(const Layout& layout, Mode mode) {
  const std::string& path = layout.path();
  const std::string action = fmt::format("create '{}' with mode '{}'", path, to_string(mode));
  std::vector<HolderLock> claims;
  if (container::is_directory(path) || container::is_regular_file(path)) {
    if (mode == Mode::Truncate) {
      claims.push_back(HolderLock::acquire(path, HolderLock::Kind::Exclusive, action + " (it would delete it)"));
    } else if (auto alone = HolderLock::try_acquire(path, HolderLock::Kind::Exclusive)) {
      claims.push_back(std::move(*alone));
    }
  }
  if (!container::is_directory(path) || !claims.empty()) {
    for (const auto& line : container::recover_interrupted_merge(layout).left) {
      warn(line);
    }
  }
  if (mode == Mode::Exclusive || mode == Mode::Append) {
    if (container::exists(path)) {
      throw AlreadyExists(fmt::format("cannot create '{}': it already exists (mode '{}')", path, to_string(mode)));
    }
  } else if (container::exists(path)) {
    if (layout.is_container()) {
      container::remove_tree(path);
    } else if (container::looks_like_hdf5(path)) {
      // A job may be writing the container over this file, beside it.
      if (container::is_directory(path + ".h5mf")) {
        claims.push_back(HolderLock::acquire(path + ".h5mf", HolderLock::Kind::Exclusive,
                                             action + " (it would delete the file this container extends)"));
      }
      container::remove_file(path);
    } else if (container::is_directory(path)) {
      if (!std::filesystem::is_empty(path)) {
        throw InvalidArgument(fmt::format(
            "cannot create container '{}': it is a directory that is not an h5mf container; not replacing it", path));
      }
      container::remove_tree(path);
    } else {
      throw InvalidArgument(fmt::format(
          "cannot create '{}': it exists and is neither an HDF5 file nor an h5mf container; not replacing it", path));
    }
  }
  // What recovery left: a merge still finishing holds it.
  for (const std::string& leftover : {layout.merge_temporary(), layout.replaced_container()}) {
    if (container::is_directory(leftover)) {
      claims.push_back(
          HolderLock::acquire(leftover, HolderLock::Kind::Exclusive, action + " (a merge of it is still finishing)"));
    }
    container::remove_tree(leftover);
  }
  return claims;
}

// Rank 0's hold on an existing container. A writable open that finds no one else holding it
// tidies a merge's leftovers first, as the only one that can. `exclusive`: it must find no one, and
// keeps holding it so.
HolderLock claim_existing(const Layout& layout, Mode mode, const std::optional<std::string>& base, bool exclusive) {
  const std::string action = fmt::format("open '{}' with mode '{}'", base ? *base : layout.path(), to_string(mode));
  if (exclusive) {
    HolderLock alone = HolderLock::acquire(layout.path(), HolderLock::Kind::Exclusive, action);
    for (const auto& line : container::recover_interrupted_merge(layout).left) warn(line);
    return alone;
  }
  if (mode != Mode::Read) {
    if (auto alone = HolderLock::try_acquire(layout.path(), HolderLock::Kind::Exclusive)) {
      const container::Recovery recovery = base ? container::recover_interrupted_base_merge(layout, *base)
                                                : container::recover_interrupted_merge(layout);
      for (const auto& line : recovery.left) warn(line);
      alone->share(action);
      return std::move(*alone);
    }
  }
  return HolderLock::acquire(layout.path(), HolderLock::Kind::Shared, action);
}

std::uint64_t highest_write_epoch(const Layout& layout, const format::ContainerId& id, std::uint32_t writer_files) {
  container::ContainerIndex index(layout, id);
  index.refresh(writer_files, true);
  std::uint64_t highest = 0;
  for (auto dataset : index.datasets_written()) {
    for (const auto& w : index.writes(dataset).in_replay_order()) highest = std::max(highest, w.record.epoch);
  }
  return highest;
}

}  // namespace

format::SessionRecord Session::record(std::uint64_t number, std::uint64_t first_epoch) const {
  const std::uint32_t flags = (data_files > 0 ? format::kSessionAggregated : 0u) |
                              (collective ? format::kSessionCollective : 0u) | (image ? format::kSessionImage : 0u);
  return format::SessionRecord{number, writers, flags, first_epoch, data_files};
}

Session plan_session(const mpi::Comm& comm, const FileOptions& options, Mode mode) {
  Session s;
  if (options.comm != MPI_COMM_NULL) {
    if (options.writer >= 0 || options.writers > 0) {
      throw InvalidArgument(
          "'writer' and 'writers' are for processes without MPI; with a communicator every rank is "
          "a writer and its id is its rank");
    }
    s.writer = static_cast<std::uint32_t>(comm.rank());
    s.writers = static_cast<std::uint32_t>(comm.size());
    s.coordinator = comm.rank() == 0;
    s.collective = true;
    return s;
  }
  if (options.writer >= 0) {
    if (options.writers > 0) {
      throw InvalidArgument(
          "give 'writers' to the coordinator that creates the container, 'writer' to each worker, "
          "not both");
    }
    if (mode != Mode::Append && mode != Mode::ReadWrite && mode != Mode::Read) {
      throw InvalidArgument(
          fmt::format("a worker (writer {}) opens an existing container with mode 'a' or 'r+', not "
                      "'{}'; the coordinator creates it",
                      options.writer, to_string(mode)));
    }
    s.writer = static_cast<std::uint32_t>(options.writer);
    s.writers = 0;  // from the container
    s.coordinator = options.writer == 0;
    s.may_change_structure = options.writer == 0;
    s.joins_existing = true;
    return s;
  }
  if (options.writers < 0) throw InvalidArgument(fmt::format("writers must be positive, not {}", options.writers));
  s.writers = static_cast<std::uint32_t>(std::max(options.writers, 1));
  return s;
}

namespace {

// A container keeps the kind it was created with: records of datasets (h5mf's API) or a file image
// (the HDF5 file driver). Opened through the other interface, its files would be misread, and
// written, mixed.
void check_kind(const container::Catalog& catalog, const Session& session, const std::string& path) {
  if (catalog.is_file_image() == session.image) return;
  if (catalog.is_file_image()) throw Unsupported(file_image_refusal(path));
  throw Unsupported(
      fmt::format("'{}' is an h5mf container written through h5mf's own API, not through the HDF5 file "
                  "driver: read it with h5mf (h5mf ls, dump) or merge it first (h5mf merge)",
                  path));
}

}  // namespace

OpenedContainer open_container(mpi::Comm& comm, const Layout& layout, Mode mode, const Session& session,
                               const std::optional<std::string>& base) {
  OpenedContainer out;
  const std::string& path = layout.path();
  // Rank 0 first (it may tidy leftovers, or make the container), then the others.
  const bool exclusive = session.holds_exclusively(mode);
  const auto hold_too = [&] {
    if (comm.rank() != 0 && !exclusive) {
      out.holder = HolderLock::acquire(path, HolderLock::Kind::Shared,
                                       fmt::format("open '{}' with mode '{}'", base ? *base : path, to_string(mode)));
    }
  };
  const bool create_mode = mode == Mode::Truncate || mode == Mode::Exclusive;
  if (!create_mode) mpi::on_root(comm, 0, [&] { out.holder = claim_existing(layout, mode, base, exclusive); });
  const bool exists_now = layout.is_container();
  if (base && !exists_now) {
    if (mode == Mode::Read) {
      throw NotFound(
          fmt::format("'{}' is an HDF5 file with no h5mf container beside it: open it with the sec2 or "
                      "mpio driver",
                      *base));
    }
    if (session.joins_existing) {
      throw InvalidArgument(
          fmt::format("no container beside '{}' yet: the coordinator makes it before workers join", *base));
    }
    // A new container over an existing HDF5 file: the file stays as it is; its structure is
    // imported as epoch-0 records.
    std::optional<container::MetafileAppender> appender;
    mpi::on_root(comm, 0, [&] {
      NewContainer made =
          make_new_container(layout, exclusive, [&](container::MetafileAppender& m, const Layout& building) {
            container::Catalog catalog;
            for (format::StructureRecord r : {format::StructureRecord{session.record(0, 1)},
                                              format::StructureRecord{container::describe_base(*base)}}) {
              catalog.apply(r, building.path());
              m.append(r);
            }
            import_base(*base, m, catalog);
          });
      out.holder = std::move(made.holder);
      appender.emplace(std::move(made.metafile));
    });
    mpi::on_all(comm, [&] {
      hold_too();
      auto contents = container::load_metafile(layout);
      out.id = contents.header.container;
      out.catalog = std::move(contents.catalog);
    });
    out.first_epoch = 1;
    out.created = true;
    if (session.coordinator) out.metafile = std::move(appender);
    return out;
  }
  const bool create = mode == Mode::Truncate || mode == Mode::Exclusive ||
                      (mode == Mode::Append && !exists_now && !container::exists(path));
  if (create && session.joins_existing) {
    throw InvalidArgument(
        fmt::format("container '{}' does not exist: the coordinator creates it before workers join", path));
  }

  std::optional<container::MetafileAppender> appender;
  if (create) {
    mpi::on_root(comm, 0, [&] {
      const std::vector<HolderLock> claims = prepare_new(layout, mode);
      NewContainer made = make_new_container(layout, exclusive, [&](container::MetafileAppender& m, const Layout&) {
        m.append(format::StructureRecord{session.record(0, 1)});
      });
      out.holder = std::move(made.holder);
      appender.emplace(std::move(made.metafile));
    });
    out.created = true;
  } else {
    const bool writable = mode != Mode::Read;
    mpi::on_root(comm, 0, [&] {
      if (!layout.is_container()) {
        if (container::looks_like_hdf5(path)) {
          throw Unsupported(
              fmt::format("'{}' is an HDF5 file, not an h5mf container: open it with the sec2 or mpio "
                          "driver",
                          path));
        }
        throw NotFound(fmt::format("no h5mf container at '{}' (mode '{}')", path, to_string(mode)));
      }
      if (!writable || session.joins_existing) {
        if (session.coordinator && writable) {
          auto contents = container::load_metafile(layout);
          appender.emplace(container::MetafileAppender::reopen(layout, contents.valid_end));
        }
        return;
      }
      // A new session of an existing container: its epochs follow everything recorded so far.
      auto contents = container::load_metafile(layout);
      check_kind(contents.catalog, session, path);
      const std::uint64_t first_epoch =
          std::max(contents.catalog.last_epoch(),
                   highest_write_epoch(layout, contents.header.container, contents.catalog.data_files())) +
          1;
      appender.emplace(container::MetafileAppender::reopen(layout, contents.valid_end));
      appender->append(format::StructureRecord{session.record(contents.catalog.sessions().size(), first_epoch)});
      appender->flush(false);
    });
  }

  // Everyone reads the structure as the coordinator left it.
  mpi::on_all(comm, [&] {
    hold_too();
    auto contents = container::load_metafile(layout);
    out.id = contents.header.container;
    out.catalog = std::move(contents.catalog);
    out.metafile_damage = contents.damage;
    check_kind(out.catalog, session, path);
    if (out.catalog.base()) container::check_base_unchanged(layout, *out.catalog.base());
    if (session.joins_existing && session.writer >= out.catalog.max_writers()) {
      throw InvalidArgument(fmt::format("writer id {} is out of range: container '{}' was created for {} writers",
                                        session.writer, path, out.catalog.max_writers()));
    }
  });
  out.first_epoch = session.joins_existing ? out.catalog.last_epoch() + 1 : out.catalog.sessions().back().first_epoch;
  if (session.coordinator) out.metafile = std::move(appender);
  return out;
}

void record_opened(mpi::Comm& comm, const Session& session, container::Catalog& catalog,
                   std::optional<container::MetafileAppender>& metafile) {
  if (!session.collective) return;  // workers without MPI start when they like
  mpi::on_root(comm, 0, [&] {
    if (!metafile) return;  // read-only
    const format::OpenedRecord record{catalog.sessions().size() - 1};
    catalog.apply(record, "this session");
    metafile->append(record);
    metafile->flush(false);
  });
}

}  // namespace h5mf::driver
