#include "driver/multifile/session.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "container/base.hpp"
#include "container/index.hpp"
#include "driver/multifile/base_import.hpp"
#include "container/posix_file.hpp"
#include "container/replace.hpp"
#include "h5mf/error.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf::driver {
namespace {

using container::Layout;

// Makes room for a new container at `path` as mode `w`/`w-` asks, without ever deleting what is
// not ours to delete.
void prepare_new(const Layout& layout, Mode mode) {
  const std::string& path = layout.path();
  if (mode == Mode::Exclusive || mode == Mode::Append) {
    if (container::exists(path)) {
      throw AlreadyExists(fmt::format("cannot create '{}': it already exists (mode '{}')", path, to_string(mode)));
    }
  } else if (container::exists(path)) {
    if (layout.is_container()) {
      container::remove_tree(path);
    } else if (container::looks_like_hdf5(path)) {
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
  container::remove_file(layout.merge_temporary());
  container::remove_tree(layout.replaced_container());
  container::make_directory(path);
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
  const std::uint32_t flags =
      (data_files > 0 ? format::kSessionAggregated : 0u) | (collective ? format::kSessionCollective : 0u);
  return format::SessionRecord{number, writers, flags, first_epoch, data_files};
}

Session plan_session(const mpi::Comm& comm, const FileOptions& options, Mode mode) {
  Session s;
  if (options.comm != MPI_COMM_NULL) {
    if (options.writer >= 0 || options.writers > 0) {
      throw InvalidArgument("'writer' and 'writers' are for processes without MPI; with a communicator every rank is "
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
      throw InvalidArgument("give 'writers' to the coordinator that creates the container, 'writer' to each worker, "
                            "not both");
    }
    if (mode != Mode::Append && mode != Mode::ReadWrite && mode != Mode::Read) {
      throw InvalidArgument(fmt::format("a worker (writer {}) opens an existing container with mode 'a' or 'r+', not "
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

OpenedContainer open_container(mpi::Comm& comm, const Layout& layout, Mode mode, const Session& session,
                               const std::optional<std::string>& base) {
  OpenedContainer out;
  const std::string& path = layout.path();
  if (base && mode != Mode::Read) {
    mpi::on_root(comm, 0, [&] { container::recover_interrupted_base_merge(layout, *base); });
  }
  const bool exists_now = layout.is_container();
  if (base && !exists_now) {
    if (mode == Mode::Read) {
      throw NotFound(fmt::format("'{}' is an HDF5 file with no h5mf container beside it: open it with the sec2 or "
                                 "mpio driver",
                                 *base));
    }
    if (session.joins_existing) {
      throw InvalidArgument(fmt::format("no container beside '{}' yet: the coordinator makes it before workers join",
                                        *base));
    }
    // A new container over an existing HDF5 file: the file stays as it is; its structure is
    // imported as epoch-0 records.
    std::optional<container::MetafileAppender> appender;
    mpi::on_root(comm, 0, [&] {
      container::make_directory(path);
      appender.emplace(container::MetafileAppender::create(layout, format::random_container_id()));
      container::Catalog catalog;
      for (format::StructureRecord r : {format::StructureRecord{session.record(0, 1)},
                                        format::StructureRecord{container::describe_base(*base)}}) {
        catalog.apply(r, path);
        appender->append(r);
      }
      import_base(*base, *appender, catalog);
      appender->flush(false);
    });
    mpi::on_all(comm, [&] {
      auto contents = container::load_metafile(layout);
      out.id = contents.header.container;
      out.catalog = std::move(contents.catalog);
    });
    out.first_epoch = 1;
    out.created = true;
    if (session.coordinator) out.metafile = std::move(appender);
    return out;
  }
  const bool create = mode == Mode::Truncate || mode == Mode::Exclusive || (mode == Mode::Append && !exists_now &&
                                                                            !container::exists(path));
  if (create && session.joins_existing) {
    throw InvalidArgument(fmt::format("container '{}' does not exist: the coordinator creates it before workers join",
                                      path));
  }

  std::optional<container::MetafileAppender> appender;
  if (create) {
    mpi::on_root(comm, 0, [&] {
      prepare_new(layout, mode);
      appender.emplace(container::MetafileAppender::create(layout, format::random_container_id()));
      appender->append(format::StructureRecord{session.record(0, 1)});
      appender->flush(false);
    });
    out.created = true;
  } else {
    const bool writable = mode != Mode::Read;
    mpi::on_root(comm, 0, [&] {
      if (writable) container::recover_interrupted_merge(layout);
      if (!layout.is_container()) {
        if (container::looks_like_hdf5(path)) {
          throw Unsupported(fmt::format("'{}' is an HDF5 file, not an h5mf container: open it with the sec2 or mpio "
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
    auto contents = container::load_metafile(layout);
    out.id = contents.header.container;
    out.catalog = std::move(contents.catalog);
    out.metafile_damage = contents.damage;
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

}  // namespace h5mf::driver
