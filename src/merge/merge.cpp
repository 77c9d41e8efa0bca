// Reconstruction: a container becomes one conventional HDF5 file.
//
// 1. Every rank reads the metafile and the index. Records of chunked, variable-length and
//    base-file datasets are checked against their checksums now, split over ranks and threads.
// 2. Rank 0 creates the file's structure with libhdf5 (and writes a base file's chunked datasets
//    and every variable-length dataset through it, merge/vlen_merge.cpp).
// 3. Every thread of every rank assembles and compresses its share of the chunks of the chunked
//    datasets; rank 0 writes them with H5Dwrite_chunk (merge/chunks.cpp).
// 4. Every rank produces its share of the contiguous datasets' bytes, cut into windows by output
//    byte range, with its threads (merge/engine.cpp). Records are checked as their bytes pass
//    through; those the copy did not see whole are checked after it, and windows that used a
//    record that failed are produced again without it.
// 5. Rank 0 replaces the container by the file, or renames it to the -o path, atomically.
// Each step ends with every rank agreeing on its outcome, so an error anywhere reaches every rank.
#include "h5mf/merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "container/base.hpp"
#include "container/file_cache.hpp"
#include "container/holder_lock.hpp"
#include "container/index.hpp"
#include "container/metafile.hpp"
#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/replace.hpp"
#include "container/threads.hpp"
#include "diagnostics/verbose.hpp"
#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "merge/chunks.hpp"
#include "merge/engine.hpp"
#include "merge/image_merge.hpp"
#include "merge/plan.hpp"
#include "mpi/shared_outcome.hpp"
#include "values/vlen_strings.hpp"
#include "verify/records.hpp"

namespace h5mf {

std::vector<std::string> recover_interrupted_merge(const std::string& path) {
  const container::Layout layout(path);
  const auto holder = container::is_directory(layout.path())
                          ? container::HolderLock::acquire(layout.path(), container::HolderLock::Kind::Exclusive,
                                                           fmt::format("tidy the leftovers of a merge of '{}'", path))
                          : container::HolderLock{};
  container::Recovery recovery = container::recover_interrupted_merge(layout);
  recovery.done.insert(recovery.done.end(), recovery.left.begin(), recovery.left.end());
  return recovery.done;
}

namespace {

// Rank 0 of a merge takes the container exclusively, for the whole merge (docs/design.md, "Two
// processes and one path"), and tidies what an interrupted merge left; the other ranks take no
// lock (flock locks of one container conflict even within a process). `finished` is set when
// recovery found the merge already done.
container::HolderLock claim_for_merge(const std::string& path, MergeReport& report, bool& finished) {
  using container::HolderLock;
  const std::string action = fmt::format("merge '{}'", path);
  const container::Layout direct(path);
  HolderLock holder;
  if (container::is_directory(direct.path()))
    holder = HolderLock::acquire(direct.path(), HolderLock::Kind::Exclusive, action);
  // A plain merge's leftovers first: they decide whether `path` is a container or a file.
  container::Recovery recovery = container::recover_interrupted_merge(direct);
  const container::Location where = container::locate(path);
  std::optional<std::string> base = where.base;
  if (where.base) {
    holder = HolderLock::acquire(where.layout.path(), HolderLock::Kind::Exclusive, action);
  } else if (const std::string suffix = ".h5mf"; direct.path().ends_with(suffix)) {
    // The container over F, named F.h5mf.
    const std::string file = direct.path().substr(0, direct.path().size() - suffix.size());
    if (container::looks_like_hdf5(file)) base = file;
  }
  if (base) recovery.add(container::recover_interrupted_base_merge(where.layout, *base));
  for (const auto& line : recovery.done) report.damage.push_back(line);
  for (const auto& line : recovery.left) report.damage.push_back(line);
  if (!where.layout.is_container()) {
    finished = !recovery.done.empty();
    if (finished) return holder;
    const std::string left = recovery.left.empty() ? "" : fmt::format(" ({})", fmt::join(recovery.left, "; "));
    if (recovery.busy) throw Busy(fmt::format("cannot merge '{}': a merge of it is still finishing{}", path, left));
    throw NotFound(fmt::format("cannot merge '{}': it is not an h5mf container (no metafile){}", path, left));
  }
  return holder;
}

}  // namespace

namespace {

// Step 5: the merged file replaces the container (or `base`), or takes the name given with -o.
void replace_step(mpi::Comm& comm, const container::Layout& layout, const std::optional<std::string>& base,
                  const format::ContainerId& id, const MergeOptions& options, const MergeReport& report) {
  if (!options.output.empty()) {
    mpi::on_root(comm, 0, [&] { container::publish_merged_output(options.output); });
  } else {
    std::string replaced;  // where the replaced container is now
    mpi::on_root(comm, 0, [&] {
      replaced = base ? container::replace_base_with_file(layout, *base, id)
                      : container::replace_container_with_file(layout, id);
    });
    replaced = comm.broadcast_text(replaced, 0);
    // Freeing a large container's pages or objects takes a while: every thread of every rank
    // removes a share of its data files.
    mpi::on_all(comm, [&] {
      container::remove_data_files(replaced, static_cast<unsigned>(comm.rank()), static_cast<unsigned>(comm.size()),
                                   report.threads);
    });
    mpi::on_root(comm, 0, [&] { container::remove_replaced_container(replaced); });
  }
}

// A file-image container's merge: check, lay the bytes out, in a temporary removed on failure.
template <typename Lap>
void merge_image(mpi::Comm& comm, const container::Layout& layout, const container::MetafileContents& contents,
                 const MergeOptions& options, MergeReport& report, Lap& lap) {
  report.file_image = true;
  std::optional<container::ImageIndex> index;
  mpi::on_all(comm, [&] {
    index.emplace(layout, contents.header.container, true);
    index->refresh(contents.catalog.data_files(), true, contents.catalog.required_data_files());
  });
  report.phases.load = lap("load");
  const auto drop = [&report](Dropped d) {
    report.damage.push_back(verify_detail::describe(d));
    report.dropped.push_back(std::move(d));
  };
  if (contents.damage)
    drop(Dropped{layout.metafile(), contents.damage->offset, contents.damage->bytes, 0, contents.damage->reason});
  for (const auto& d : index->damage()) drop(verify_detail::region_dropped(d));
  const std::string output =
      !options.output.empty() ? container::output_merge_temporary(options.output) : layout.merge_temporary();
  report.output = !options.output.empty() ? options.output : layout.path();
  mpi::on_root(comm, 0, [&] { container::remove_file(output); });  // a leftover of an earlier attempt
  try {
    const auto outcome = merge_detail::write_image_output(comm, *index, output, report.threads, options.verify_data,
                                                          options.kernel_copy, options.sync);
    for (const auto& d : outcome.dropped) {
      ++report.records_dropped;
      drop(d);
    }
    if (outcome.from_snapshot) {
      drop(Dropped{layout.image(), 0, 0, 0,
                   "the job did not close the file: its structure is taken as of its last completed flush "
                   "(image.flushed); data written since are kept where that structure places them"});
    }
    report.records = outcome.records;
    report.bytes_written = outcome.bytes_written;
    report.bytes_kernel_copied = outcome.bytes_kernel_copied;
  } catch (...) {
    if (comm.rank() == 0) {
      try {
        container::remove_file(output);
      } catch (...) {  // the next merge removes it
      }
    }
    throw;
  }
  report.phases.data = lap("data");
}

}  // namespace

namespace merge_detail {
namespace {

using verify_detail::check_records;
using verify_detail::checksum_damage;
using verify_detail::describe;
using verify_detail::keep_passing;
using verify_detail::list_records;
using verify_detail::record_dropped;
using verify_detail::region_dropped;
using verify_detail::Verified;

// From the structure on, a failure (a full disk, say) must not leave a partial output beside the
// container: rank 0 removes it unless the merge disarms this at its end.
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
};

// One merge's state, carried from step to step; each public method is one step of merge() below.
class MergeRun {
 public:
  MergeRun(const std::string& container_path, const MergeOptions& options)
      : path_(container_path), options_(options), started_(std::chrono::steady_clock::now()), lap_start_(started_) {
    hdf5::silence_hdf5_errors();
    comm_ = options.comm == MPI_COMM_NULL ? mpi::serial() : mpi::duplicate(options.comm);
  }

  mpi::Comm& comm() { return *comm_; }
  const std::string& output() const { return output_; }

  // Leftovers of an interrupted merge first; one that got past its point of no return is finished,
  // and then there is nothing left to merge.
  void claim() {
    mpi::on_root(*comm_, 0, [&] {
      bool finished = false;
      holder_ = claim_for_merge(path_, report_, finished);
      finished_by_recovery_ = finished ? 1 : 0;
    });
    // `container_path` names a container, or an HDF5 file with a container beside it.
    where_.emplace(container::locate(path_));
  }

  // Threads, open files and window size follow from the options and the machine, on every rank.
  void size_resources() {
    report_.ranks = static_cast<unsigned>(comm_->size());
    report_.threads = options_.threads > 0 ? options_.threads : container::usable_cpus();
    if (report_.threads > container::usable_cpus()) {
      report_.notes.push_back(fmt::format(
          "{} threads per process, but this process may run on {} CPU(s): they take turns (mpiexec binds ranks to "
          "cores; launch with --bind-to none, or --map-by slot:PE={})",
          report_.threads, container::usable_cpus(), report_.threads));
    }
    // Per thread: a window buffer and at most a window of staging for small pieces.
    max_open_files_ = options_.max_open_files > 0 ? options_.max_open_files : container::FileCache::default_capacity();
    report_.window_bytes = std::clamp<std::size_t>(options_.memory_budget / (3 * report_.threads),
                                                   std::size_t{256} << 10, std::size_t{32} << 20);

    diagnostics::verbose_collective(
        comm_->rank(), "merge '{}' into '{}': {} rank(s) x {} thread(s), windows of {} bytes", layout().path(),
        options_.output.empty() ? "(the container's path)" : options_.output, report_.ranks, report_.threads,
        report_.window_bytes);
  }

  // Collective: whether recovery on rank 0 found the merge already done.
  bool finished_by_recovery() { return comm_->sum(finished_by_recovery_) > 0; }

  // The report of a merge that recovery finished: the output is where the container was.
  MergeReport recovered() {
    report_.output = where_->base ? *where_->base : layout().path();
    return finish_report();
  }

  // 1. Structure, on every rank.
  void load_metafile() {
    mpi::on_all(*comm_, [&] { contents_.emplace(container::load_metafile(layout())); });
  }

  bool is_file_image() const { return contents_->catalog.is_file_image(); }

  // Written through the HDF5 file driver: the bytes are the file (merge/image_merge.hpp).
  MergeReport merge_file_image() {
    const auto lap = [this](const char* phase) { return this->lap(phase); };
    merge_image(*comm_, layout(), *contents_, options_, report_, lap);
    replace_step(*comm_, layout(), std::nullopt, contents_->header.container, options_, report_);
    report_.phases.replace = this->lap("replace");
    return finish_report();
  }

  // 1. The records, on every rank.
  void load_index() {
    const container::Catalog& catalog = contents_->catalog;
    mpi::on_all(*comm_, [&] {
      index_.emplace(layout(), contents_->header.container);
      index_->refresh(catalog.data_files(), true, catalog.required_data_files());
    });
    diagnostics::verbose_collective(comm_->rank(), "merge '{}': loaded {} records of {} datasets from {} data files",
                                    layout().path(), index_->record_count(), catalog.datasets().size(),
                                    catalog.data_files());
    report_.phases.load = lap("load");
  }

  // Every merge writes a temporary that is renamed into place at the end: the container (or an
  // explicit -o file) is replaced whole or not at all.
  void choose_output() {
    const container::Catalog& catalog = contents_->catalog;
    // A container over an existing HDF5 file merges into (a copy of) that file.
    if (catalog.base()) {
      base_ = container::base_path(layout(), *catalog.base());
      container::check_base_unchanged(layout(), *catalog.base());
    }
    output_ = !options_.output.empty() ? container::output_merge_temporary(options_.output)
              : base_                  ? container::base_merge_temporary(*base_)
                                       : layout().merge_temporary();
    report_.output = !options_.output.empty() ? options_.output : base_ ? *base_ : layout().path();
  }

  // What the metafile and the index files lost is reported before any record is used.
  void report_read_damage() {
    if (contents_->damage) {
      const auto& d = *contents_->damage;
      drop(Dropped{layout().metafile(), d.offset, d.bytes, 0, d.reason});
    }
    for (const auto& d : index_->damage()) drop(region_dropped(d));
  }

  // Records of datasets the engine writes are checked as their bytes pass through it (step 4);
  // the others (chunked, variable-length, base-file datasets) now, before anything uses them.
  void verify_records_used_first() {
    {
      const std::vector<const container::IndexedWrite*> records = list_records(*index_);
      std::vector<std::uint8_t> check_now(records.size(), 0);
      if (options_.verify_data) {
        for (std::size_t i = 0; i < records.size(); ++i)
          check_now[i] = engine_writes(records[i]->record.dataset) ? 0 : 1;
      }
      std::vector<std::uint8_t> bad;
      mpi::on_all(*comm_,
                  [&] { bad = check_records(records, check_now, layout(), *comm_, report_.threads, max_open_files_); });
      keep_passing(*index_, bad, layout(), verified_);  // moved: one copy of the records, not two
    }
    report_.records_dropped = verified_.dropped;
    index_.reset();  // verified_.writes holds what the merge needs: one copy of the records, not two
    report_.phases.verify = lap("verify");
    for (auto& d : verified_.damage) drop(std::move(d));
  }

  // Records that no dataset of the catalog can take: an unknown id, or an epoch before the
  // dataset's creation (aimed at an object that mismatched collective calls made on some ranks
  // only and that the container no longer has). Dropped and reported, never applied elsewhere.
  void drop_unusable_records() {
    for (auto& [dataset, writes] : verified_.writes) keep_usable(dataset, writes);
    report_.phases.prepare = lap("prepare");
  }

  // 2. The file's structure, by rank 0, and the plan of where the contiguous data go, to all.
  void make_structure() {
    const container::Catalog& catalog = contents_->catalog;
    mpi::on_root(*comm_, 0, [&] {
      container::remove_file(output_);  // a leftover of an earlier attempt
      plan_ = create_structure(catalog, layout(), verified_.writes, output_, report_.window_bytes, base_, report_);
    });
    if (comm_->is_parallel()) {
      std::vector<std::byte> bytes = comm_->rank() == 0 ? encode_plan(plan_) : std::vector<std::byte>{};
      comm_->broadcast(bytes, 0);
      plan_ = decode_plan(bytes);
    }
    report_.phases.structure = lap("structure");
  }

  // 3. The chunks, compressed by every thread of every rank, written by rank 0.
  void chunk_stage() {
    ChunkStats chunk_stats;
    mpi::on_all(*comm_, [&] {
      chunk_stats = run_chunk_stage({&layout(), &contents_->catalog, &verified_.writes, output_, report_.threads,
                                     report_.window_bytes, max_open_files_},
                                    *comm_);
    });
    report_.chunks_written = comm_->sum(chunk_stats.chunks);
    report_.chunk_bytes_raw = comm_->sum(chunk_stats.bytes_raw);
    report_.chunk_bytes_stored = comm_->sum(chunk_stats.bytes_stored);
    report_.bytes_written += report_.chunk_bytes_stored;
  }

  // 4. The contiguous datasets' data, by every thread of every rank, checking records on the way.
  void copy_windows() {
    const container::Catalog& catalog = contents_->catalog;
    windows_ = cut_windows(plan_, catalog, verified_.writes, report_.window_bytes);
    // (Not a structured binding: clang 14, the fuzz build's compiler, cannot capture one in a lambda.)
    const std::pair<std::size_t, std::size_t> share = share_of(windows_, comm_->rank(), comm_->size());
    const std::size_t begin = share.first, end = share.second;
    input_ = EngineInput{&layout(),
                         &catalog,
                         &verified_.writes,
                         output_,
                         report_.threads,
                         report_.window_bytes,
                         options_.kernel_copy,
                         max_open_files_,
                         nullptr,
                         false,
                         nullptr};
    shares_blocks_ = options_.kernel_copy;
    input_.shares_blocks = &shares_blocks_;
    if (options_.progress) {
      input_.progress = [this](std::uint64_t done, std::uint64_t total) {
        options_.progress(
            {done, total, std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()});
      };
    }
    list_checks_in_passing();
    if (options_.verify_data) input_.checks = &checks_;
    mpi::on_all(*comm_, [&] { stats_ = run_engine(input_, windows_, begin, end); });
  }

  // Records the copy did not see whole are checked now; if any record failed, the windows of its
  // dataset are produced again without it.
  void check_what_the_copy_missed() {
    if (!options_.verify_data) return;
    std::vector<std::uint8_t> failed = checks_.failed(), checked = checks_.checked();
    mpi::on_all(*comm_, [&] {
      comm_->all_or(failed);
      comm_->all_or(checked);
      report_.records_checked_in_copy = static_cast<std::uint64_t>(std::count(checked.begin(), checked.end(), 1));
      std::vector<std::uint8_t> check_later(records_.size(), 0);
      for (std::size_t i = 0; i < records_.size(); ++i) check_later[i] = checked[i] ? 0 : 1;
      const auto late = check_records(records_, check_later, layout(), *comm_, report_.threads, max_open_files_);
      for (std::size_t i = 0; i < records_.size(); ++i) failed[i] = failed[i] || late[i];
    });
    std::set<std::uint64_t> damaged;
    std::set<std::pair<std::uint32_t, std::uint64_t>> dropped;  // (data file, data offset)
    for (std::size_t i = 0; i < records_.size(); ++i) {
      if (!failed[i]) continue;
      damaged.insert(records_[i]->record.dataset);
      dropped.emplace(records_[i]->data_file, records_[i]->record.data_offset);
      ++report_.records_dropped;
      drop(checksum_damage(layout(), *records_[i]));
    }
    if (!damaged.empty()) copy_again_without(damaged, dropped);
  }

  // With --sync, the output's data reach the disk before it replaces the container.
  void sync_output() {
    if (!options_.sync) return;
    mpi::on_all(*comm_, [&] {
      container::PosixFile(output_, container::PosixFile::Access::ReadWrite, container::PosixFile::Links::Follow)
          .sync();
    });
  }

  // The copy's totals, summed over ranks.
  void count_copy() {
    report_.bytes_written += comm_->sum(stats_.bytes_written);
    report_.bytes_kernel_copied = comm_->sum(stats_.bytes_kernel_copied);
    report_.bytes_shared = comm_->sum(stats_.bytes_shared);
    report_.windows += comm_->sum(stats_.windows);
    report_.windows_skipped += comm_->sum(stats_.windows_skipped);
    report_.phases.data = lap("data");
  }

  // 5. The file replaces the container, or takes the name given with -o.
  void replace() {
    replace_step(*comm_, layout(), base_, contents_->header.container, options_, report_);
    report_.phases.replace = lap("replace");
  }

  // The report of a merge that ran to its end.
  MergeReport finish() {
    report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    diagnostics::verbose_collective(comm_->rank(), "merge '{}' done: {} records, {} bytes written in {:.3f} s",
                                    layout().path(), report_.records, report_.bytes_written, report_.seconds);
    return std::move(report_);
  }

 private:
  const container::Layout& layout() const { return where_->layout; }

  MergeReport finish_report() {
    report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return std::move(report_);
  }

  // Seconds since the last lap, said in verbose mode.
  double lap(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - lap_start_).count();
    lap_start_ = now;
    diagnostics::verbose_collective(comm_->rank(), "merge '{}': {} phase: {:.3f} s", layout().path(), phase, seconds);
    return seconds;
  }

  // Everything left out is listed (report.dropped) and said (report.damage): the output is then
  // not the whole container, and `h5mf merge` exits 2.
  void drop(Dropped d) {
    report_.damage.push_back(describe(d));
    report_.dropped.push_back(std::move(d));
  }

  // Whether the engine writes `dataset` (and so checks its records in passing), remembered.
  bool engine_writes(std::uint64_t dataset) {
    const container::Catalog& catalog = contents_->catalog;
    auto [it, added] = by_engine_.try_emplace(dataset, false);
    if (added) {
      it->second = catalog.contains(dataset) && catalog.object(dataset).kind == container::ObjectKind::Dataset &&
                   written_by_engine(catalog.object(dataset), catalog.in_base(dataset));
    }
    return it->second;
  }

  // Drops the records of `dataset` that it cannot take, listing each and saying how many.
  void keep_usable(std::uint64_t dataset, container::DatasetWrites& writes) {
    const container::Catalog& catalog = contents_->catalog;
    const bool known = catalog.contains(dataset) && catalog.object(dataset).kind == container::ObjectKind::Dataset;
    const std::uint64_t first_epoch = known ? catalog.object(dataset).created_epoch + 1 : 0;
    container::ElementLayout elements;
    if (known) {
      const Datatype type = Datatype::decode(catalog.object(dataset).type);
      elements.shape = catalog.object(dataset).dims;
      elements.variable_length = values::uses_vlen_slots(type);
      elements.element_size = elements.variable_length ? values::record_element_size(type) : type.size();
      elements.first_epoch = first_epoch;
      elements.shapes = &catalog.object(dataset).shapes;
    }
    std::uint64_t orphans = 0;
    std::uint64_t outside = 0;
    std::uint64_t misshapen = 0;
    // `listed`: each dropped record goes into report.dropped (on the first pass only).
    const auto keep = [&](const container::IndexedWrite& w, bool listed) {
      const char* why = nullptr;
      if (!known || w.record.epoch < first_epoch) {
        ++orphans;
        why = known ? "written before its dataset was created" : "its dataset is not defined by the metafile";
      } else if (!container::reaches_inside(w, elements)) {
        ++outside;  // a lost resize, or ranks that disagreed on the shape
        why = "its selection reaches outside its dataset's shape";
      } else if (!container::usable(w, elements)) {
        ++misshapen;  // data length and selection disagree: a writer's bug
        why = "its data length disagrees with its selection";
      } else {
        return true;
      }
      if (listed) report_.dropped.push_back(record_dropped(layout(), w, why));
      return false;
    };
    for (const auto& w : writes.in_replay_order()) keep(w, true);
    // Usually every record stays, and the prepared writes are used as they are; a copy without the
    // dropped ones is made only when there are some (copies of millions of records cost GiBs).
    if (orphans + outside + misshapen > 0) {
      container::DatasetWrites kept;
      orphans = outside = misshapen = 0;
      for (const auto& w : writes.in_replay_order()) {
        if (keep(w, false)) kept.add(w);
      }
      kept.prepare();
      writes = std::move(kept);
    }
    if (outside > 0) {
      report_.records_dropped += outside;
      report_.damage.push_back(fmt::format("{} records for dataset '{}' reach outside its shape [{}]; dropped", outside,
                                           catalog.path_of(dataset), fmt::join(catalog.object(dataset).dims, ",")));
    }
    if (misshapen > 0) {
      report_.records_dropped += misshapen;
      report_.damage.push_back(
          fmt::format("{} records for dataset '{}' hold a data length that disagrees with their "
                      "selection; dropped",
                      misshapen, catalog.path_of(dataset)));
    }
    if (orphans > 0) {
      report_.records_dropped += orphans;
      report_.damage.push_back(
          known ? fmt::format("{} records for dataset '{}' were written before it was created (left by mismatched "
                              "collective calls); dropped",
                              orphans, catalog.path_of(dataset))
                : fmt::format("{} records refer to dataset id {}, which the metafile does not define; dropped", orphans,
                              dataset));
    }
    report_.records += writes.size();
  }

  // The records to check on the way, in one order on every rank (they stay where they are in
  // verified.writes until a dataset is produced again without its damaged records).
  // Sized exactly, counted first: vectors that double hold up to three times their records.
  void list_checks_in_passing() {
    std::map<std::uint32_t, std::size_t> per_file;
    if (options_.verify_data) {
      std::size_t count = 0;
      for (const auto& [dataset, writes] : verified_.writes) {
        if (engine_writes(dataset)) count += writes.size();
      }
      records_.reserve(count);
      for (const auto& [dataset, writes] : verified_.writes) {
        if (!engine_writes(dataset)) continue;
        for (const auto& w : writes.in_replay_order()) {
          records_.push_back(&w);
          ++per_file[w.data_file];
        }
      }
    }
    for (const auto& [file, count] : per_file) checks_.reserve(file, count);
    for (std::size_t i = 0; i < records_.size(); ++i) {
      const auto& w = *records_[i];
      checks_.expect(i, w.data_file, w.record.data_offset, w.record.data_length, w.record.data_checksum);
    }
    checks_.seal(records_.size());
  }

  // The windows of the `damaged` datasets, produced again without their `dropped` records
  // (data file, data offset).
  void copy_again_without(const std::set<std::uint64_t>& damaged,
                          const std::set<std::pair<std::uint32_t, std::uint64_t>>& dropped) {
    for (const auto dataset : damaged) {
      container::DatasetWrites kept;
      for (const auto& w : verified_.writes.at(dataset).in_replay_order()) {
        if (!dropped.count({w.data_file, w.record.data_offset})) kept.add(w);
      }
      report_.records -= verified_.writes.at(dataset).size() - kept.size();
      kept.prepare();
      verified_.writes[dataset] = std::move(kept);
    }
    std::vector<Window> again;
    for (const auto& w : windows_) {
      if (damaged.count(w.dataset)) again.push_back(w);
    }
    const std::pair<std::size_t, std::size_t> again_share = share_of(again, comm_->rank(), comm_->size());
    const std::size_t from = again_share.first, to = again_share.second;
    input_.checks = nullptr;
    input_.rewrite_unwritten = true;
    input_.progress = nullptr;
    EngineStats redo;
    mpi::on_all(*comm_, [&] { redo = run_engine(input_, again, from, to); });
    stats_.bytes_written += redo.bytes_written;
    stats_.bytes_kernel_copied += redo.bytes_kernel_copied;
  }

  const std::string& path_;
  const MergeOptions& options_;
  const std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point lap_start_;
  std::shared_ptr<mpi::Comm> comm_;
  MergeReport report_;
  container::HolderLock holder_;  // rank 0's, until the merge returns
  std::uint64_t finished_by_recovery_ = 0;
  std::optional<container::Location> where_;
  std::size_t max_open_files_ = 0;
  std::optional<container::MetafileContents> contents_;
  std::optional<container::ContainerIndex> index_;
  std::optional<std::string> base_;
  std::string output_;
  std::map<std::uint64_t, bool> by_engine_;  // dataset -> written by the engine
  Verified verified_;
  Plan plan_;
  std::vector<Window> windows_;
  EngineInput input_;
  std::atomic<bool> shares_blocks_{false};
  std::vector<const container::IndexedWrite*> records_;  // checked in passing, in one order on every rank
  PassingChecks checks_;
  EngineStats stats_;
};

}  // namespace
}  // namespace merge_detail

MergeReport merge(const std::string& container_path, const MergeOptions& options) {
  merge_detail::MergeRun run(container_path, options);
  run.claim();
  run.size_resources();
  if (run.finished_by_recovery()) return run.recovered();
  run.load_metafile();
  if (run.is_file_image()) return run.merge_file_image();
  run.load_index();
  run.choose_output();
  run.report_read_damage();
  run.verify_records_used_first();
  run.drop_unusable_records();
  // From here on a failure (a full disk, say) must not leave a partial output beside the container.
  merge_detail::RemoveOnFailure cleanup{run.comm(), run.output()};
  run.make_structure();
  run.chunk_stage();
  run.copy_windows();
  run.check_what_the_copy_missed();
  run.sync_output();
  run.count_copy();
  run.replace();
  cleanup.armed = false;
  return run.finish();
}

}  // namespace h5mf
