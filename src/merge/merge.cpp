// Reconstruction: a container becomes one conventional HDF5 file.
//
// 1. Every rank reads the metafile and the index; records are checked against their checksums,
//    split over ranks and threads.
// 2. Rank 0 creates the file's structure with libhdf5 (and writes chunked datasets through it).
// 3. Every rank produces its share of the contiguous datasets' bytes, cut into windows by output
//    byte range, with its threads (merge/engine.cpp).
// 4. Rank 0 replaces the container by the file, atomically.
// Each step ends with every rank agreeing on its outcome, so an error anywhere reaches every rank.
#include "h5mf/merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <optional>
#include <thread>

#include "container/base.hpp"
#include "container/file_cache.hpp"
#include "container/index.hpp"
#include "container/metafile.hpp"
#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/replace.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "merge/engine.hpp"
#include "merge/plan.hpp"
#include "merge/verify.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf {

std::vector<std::string> recover_interrupted_merge(const std::string& path) {
  return container::recover_interrupted_merge(container::Layout(path));
}

MergeReport merge(const std::string& container_path, const MergeOptions& options) {
  using namespace merge_detail;
  const auto started = std::chrono::steady_clock::now();
  hdf5::silence_hdf5_errors();
  const auto comm = options.comm == MPI_COMM_NULL ? mpi::serial() : mpi::duplicate(options.comm);
  // `container_path` names a container, or an HDF5 file with a container beside it.
  const container::Location where = container::locate(container_path);
  const container::Layout& layout = where.layout;

  MergeReport report;
  report.ranks = static_cast<unsigned>(comm->size());
  report.threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // Per thread: a window buffer and at most a window of staging for small pieces.
  const std::size_t max_open_files =
      options.max_open_files > 0 ? options.max_open_files : container::FileCache::default_capacity();
  report.window_bytes = std::clamp<std::size_t>(options.memory_budget / (3 * report.threads), std::size_t{256} << 10,
                                                std::size_t{32} << 20);

  // Leftovers of an interrupted merge first; one that got past its point of no return is finished,
  // and then there is nothing left to merge.
  std::uint64_t finished_by_recovery = 0;
  mpi::on_root(*comm, 0, [&] {
    auto recovered = where.base ? container::recover_interrupted_base_merge(layout, *where.base)
                                : container::recover_interrupted_merge(layout);
    for (auto& line : recovered) report.damage.push_back(line);
    if (!layout.is_container()) {
      if (!recovered.empty()) {
        finished_by_recovery = 1;
        return;
      }
      throw NotFound(fmt::format("cannot merge '{}': it is not an h5mf container (no metafile)", container_path));
    }
  });
  if (comm->sum(finished_by_recovery) > 0) {
    report.output = where.base ? *where.base : layout.path();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  }

  // 1. Structure and records, on every rank.
  std::optional<container::MetafileContents> contents;
  std::optional<container::ContainerIndex> index;
  mpi::on_all(*comm, [&] {
    contents.emplace(container::load_metafile(layout));
    index.emplace(layout, contents->header.container);
    index->refresh(contents->catalog.data_files(), true);
  });
  const container::Catalog& catalog = contents->catalog;
  // A container over an existing HDF5 file merges into (a copy of) that file.
  std::optional<std::string> base;
  if (catalog.base()) {
    base = container::base_path(layout, *catalog.base());
    container::check_base_unchanged(layout, *catalog.base());
  }
  const std::string output = !options.output.empty() ? options.output
                             : base                  ? container::base_merge_temporary(*base)
                                                     : layout.merge_temporary();
  report.output = !options.output.empty() ? options.output : base ? *base : layout.path();
  if (contents->damage) {
    report.damage.push_back(fmt::format("{}: dropped {} bytes from offset {} ({})", layout.metafile(),
                                        contents->damage->bytes, contents->damage->offset, contents->damage->reason));
  }
  for (const auto& d : index->damage()) {
    report.damage.push_back(fmt::format("{}: dropped {} bytes from offset {} ({})", d.file, d.bytes, d.offset, d.reason));
  }
  Verified verified;
  mpi::on_all(*comm, [&] { verified = verify_records(*index, layout, *comm, report.threads, options.verify_data,
                                                     max_open_files);
  });
  report.records_dropped = verified.dropped;
  report.damage.insert(report.damage.end(), verified.damage.begin(), verified.damage.end());
  // Records that no dataset of the catalog can take: an unknown id, or an epoch before the
  // dataset's creation (aimed at an object that mismatched collective calls made on some ranks
  // only and that the container no longer has). Dropped and reported, never applied elsewhere.
  for (auto& [dataset, writes] : verified.writes) {
    const bool known = catalog.contains(dataset) && catalog.object(dataset).kind == container::ObjectKind::Dataset;
    const std::uint64_t first_epoch = known ? catalog.object(dataset).created_epoch + 1 : 0;
    container::DatasetWrites kept;
    std::uint64_t orphans = 0;
    std::uint64_t outside = 0;
    for (const auto& w : writes.in_replay_order()) {
      if (!known || w.record.epoch < first_epoch) {
        ++orphans;
      } else if (!container::fits(w, catalog.object(dataset).dims)) {
        ++outside;  // a lost resize, or ranks that disagreed on the shape
      } else {
        kept.add(w);
      }
    }
    if (outside > 0) {
      report.records_dropped += outside;
      report.damage.push_back(fmt::format("{} records for dataset '{}' reach outside its shape [{}]; dropped", outside,
                                          catalog.path_of(dataset), fmt::join(catalog.object(dataset).dims, ",")));
    }
    if (orphans > 0) {
      report.records_dropped += orphans;
      report.damage.push_back(
          known ? fmt::format("{} records for dataset '{}' were written before it was created (left by mismatched "
                              "collective calls); dropped",
                              orphans, catalog.path_of(dataset))
                : fmt::format("{} records refer to dataset id {}, which the metafile does not define; dropped", orphans,
                              dataset));
    }
    kept.prepare();
    report.records += kept.size();
    writes = std::move(kept);
  }

  // From here on a failure (a full disk, say) must not leave a partial output beside the container.
  struct RemoveOnFailure {
    const mpi::Comm& comm;
    std::string path;
    bool armed = true;
    ~RemoveOnFailure() {
      if (armed && !path.empty() && comm.rank() == 0) {
        try {
          container::remove_file(path);
        } catch (...) {  // nothing more to do: the next merge or open removes it
        }
      }
    }
  } cleanup{*comm, options.output.empty() ? output : std::string()};

  // 2. The file's structure, by rank 0.
  Plan plan;
  mpi::on_root(*comm, 0, [&] {
    if (options.output.empty()) container::remove_file(output);  // a leftover of an earlier attempt
    plan = create_structure(catalog, layout, verified.writes, output, report.window_bytes, base, report);
  });
  if (comm->is_parallel()) {
    std::vector<std::byte> bytes = comm->rank() == 0 ? encode_plan(plan) : std::vector<std::byte>{};
    comm->broadcast(bytes, 0);
    plan = decode_plan(bytes);
  }

  // 3. The data, by every thread of every rank.
  const std::vector<Window> windows = cut_windows(plan, catalog, report.window_bytes);
  const auto [begin, end] = share_of(windows, comm->rank(), comm->size());
  EngineInput input{&layout, &catalog, &verified.writes, output, report.threads, report.window_bytes,
                    options.kernel_copy, max_open_files, nullptr};
  if (options.progress) {
    input.progress = [&](std::uint64_t done, std::uint64_t total) {
      options.progress({done, total, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    };
  }
  EngineStats stats;
  mpi::on_all(*comm, [&] {
    stats = run_engine(input, windows, begin, end);
    if (options.sync) container::PosixFile(output, container::PosixFile::Access::ReadWrite).sync();
  });
  report.bytes_written += comm->sum(stats.bytes_written);
  report.bytes_kernel_copied = comm->sum(stats.bytes_kernel_copied);
  report.windows += comm->sum(stats.windows);
  report.windows_skipped += comm->sum(stats.windows_skipped);

  // 4. The file replaces the container.
  if (options.output.empty()) {
    mpi::on_root(*comm, 0, [&] {
      if (base) {
        container::replace_base_with_file(layout, *base);
      } else {
        container::replace_container_with_file(layout);
      }
    });
  }
  cleanup.armed = false;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace h5mf
