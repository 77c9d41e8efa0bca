#include "container/verify.hpp"

#include "container/holder_lock.hpp"

#include "container/reader.hpp"
#include "container/verify_image.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>

#include "container/catalog.hpp"
#include "container/conflicts.hpp"
#include "container/index.hpp"
#include "container/metafile.hpp"
#include "container/posix_file.hpp"
#include "container/progress_meter.hpp"
#include "container/threads.hpp"
#include "format/checksum.hpp"
#include "format/header.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "format/vlen.hpp"
#include "h5mf/error.hpp"

namespace h5mf {

std::uint64_t VerifyReport::records() const {
  std::uint64_t n = 0;
  for (const auto& w : data_files) n += w.records;
  return n;
}

std::uint64_t VerifyReport::records_dropped() const {
  std::uint64_t n = 0;
  for (const auto& w : data_files) n += w.records_dropped;
  return n;
}

std::uint64_t VerifyReport::bytes_dropped() const {
  std::uint64_t n = 0;
  for (const auto& d : metafile_damage) n += d.bytes;
  for (const auto& w : data_files) n += w.bytes_dropped;
  return n;
}

bool VerifyReport::damaged() const {
  return !metafile_damage.empty() || std::any_of(data_files.begin(), data_files.end(),
                                                 [](const DataFileVerifyReport& w) { return !w.damage.empty(); });
}

int VerifyReport::exit_code() const {
  if (!errors.empty()) return 1;
  if (damaged() || conflicts_total > 0) return 2;
  return 0;
}

namespace container {

// Missing pairs listed one by one, beyond those present; more are summarised in runs.
constexpr std::size_t kListedMissing = std::size_t{1} << 16;

std::vector<std::uint32_t> listed_pairs(const std::vector<std::uint32_t>& present, std::uint32_t data_files) {
  std::vector<std::uint32_t> listed = present;
  if (data_files <= present.size() + kListedMissing) {
    listed.resize(data_files);
    for (std::uint32_t f = 0; f < listed.size(); ++f) listed[f] = f;
  }
  return listed;
}

void report_missing_pairs(const Layout& layout, const std::vector<std::uint32_t>& present, std::uint32_t required,
                          const std::function<DataFileVerifyReport*(std::uint32_t)>& listed_report,
                          VerifyReport& report) {
  for (const auto& [first, last] : missing_runs(present, required)) {
    VerifyDamage v = to_verify(missing_pairs_damage(layout, first, last));
    if (DataFileVerifyReport* r = listed_report(first)) {
      r->damage.push_back(std::move(v));
    } else {
      report.metafile_damage.push_back(std::move(v));
    }
  }
}

// The first (damaged) record if its frame fits in the file, then every following frame whose
// checksum holds. Past a damaged length field nothing can be told, and nothing is counted.
std::uint64_t count_records(format::ByteView bytes) {
  std::uint64_t records = 0;
  std::size_t pos = 0;
  bool first = true;
  while (bytes.size() - pos >= format::kRecordHeaderSize) {
    const std::byte* head = bytes.data() + pos;
    const std::uint32_t length = format::get_u32(head + 8);
    if (length > format::kMaxPayload || length > bytes.size() - pos - format::kRecordHeaderSize) break;
    const bool valid = format::get_u64(head) == format::checksum(format::ByteView(head + 8, 8 + std::size_t{length}));
    if (!valid && !first) break;
    ++records;
    first = false;
    pos += format::kRecordHeaderSize + length;
  }
  return records;
}

VerifyDamage to_verify(DamageReport d) {
  VerifyDamage v;
  v.file = std::move(d.file);
  v.offset = d.offset;
  v.bytes = d.bytes;
  v.records = d.records;
  v.torn_tail = d.torn_tail;
  v.reason = std::move(d.reason);
  return v;
}

std::uint64_t unreferenced(std::uint64_t data_size, std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges) {
  if (data_size <= format::kHeaderSize) return 0;
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0, end = format::kHeaderSize;  // covered: used bytes and alignment holes
  for (const auto& [lo, hi] : ranges) {
    const bool alignment_hole = lo > end && lo - end < format::kDataAlignment &&
                                (lo % format::kDataAlignment == 0 || hi - lo >= format::kAlignedWriteBytes);
    const std::uint64_t from = alignment_hole ? end : std::max(lo, end);
    if (hi > from) covered += hi - from;
    end = std::max(end, hi);
  }
  return data_size - format::kHeaderSize - std::min(covered, data_size - format::kHeaderSize);
}

namespace {

// A dropped region of a log file, from `offset` to the end; `bytes` is the whole file.
VerifyDamage region(const std::string& file, std::uint64_t offset, format::ByteView bytes, bool torn,
                    std::string reason) {
  VerifyDamage d;
  d.file = file;
  d.offset = offset;
  d.bytes = bytes.size() > offset ? bytes.size() - offset : 0;
  d.records = bytes.size() > offset ? count_records(bytes.subspan(offset)) : 0;
  d.torn_tail = torn;
  d.reason = std::move(reason);
  return d;
}

// A write record that passed the log checks, and why it is dropped after all (empty: kept).
// One per record of the container: no string unless it is dropped.
struct Candidate {
  IndexedWrite write;
  std::uint64_t index_offset = 0;
  std::unique_ptr<std::string> drop;
  bool data_problem = false;          // the drop is about its data bytes (a checksum), not its reference
  std::optional<RecordElement> vlen;  // variable-length data: the data begin with elements' slots to check
};

struct WriterScan {
  DataFileVerifyReport report;
  std::deque<Candidate> candidates;  // a deque: no copy of them all while it grows
};

// Reads one writer's index as a reader does (ContainerIndex): stops at the first record that is
// torn, fails its checksum, does not decode, or points outside the data file.
void scan_writer(const Layout& layout, const format::ContainerId& container, std::uint32_t writer, WriterScan& scan,
                 std::vector<std::string>& errors) {
  DataFileVerifyReport& r = scan.report;
  r.file = writer;
  const std::string index_path = layout.index_file(writer);
  const std::string data_path = layout.data_file(writer);
  r.index_present = is_regular_file(index_path);
  r.data_present = is_regular_file(data_path);

  std::uint64_t data_size = 0;
  if (r.data_present) {
    PosixFile data(data_path, PosixFile::Access::Read);
    data_size = r.data_bytes = data.size();
    std::array<std::byte, format::kHeaderSize> header{};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(data_size, header.size()));
    if (n > 0) data.read_at(0, std::span(header).first(n));
    std::string problem;
    try {
      const auto h = format::decode_header(std::span(header).first(n), format::FileKind::Data, data_path);
      if (h.container != container || h.writer != writer) {
        problem = fmt::format("'{}' belongs to container {} writer {}, not to container {} writer {}", data_path,
                              format::to_hex(h.container), h.writer, format::to_hex(container), writer);
      }
    } catch (const FormatError& e) {
      problem = e.what();
    }
    if (!problem.empty()) {
      VerifyDamage d;
      d.file = data_path;
      d.torn_tail = data_size < format::kHeaderSize;  // a writer killed while creating its files
      d.reason = problem + " (the records' own checksums still vouch for their data; appending to this writer fails)";
      r.damage.push_back(std::move(d));
    }
  }

  IndexScanFile file{writer, index_path, data_path, data_size};
  const auto add_pair_damage = [&](std::optional<std::uint64_t> index_size, std::uint64_t covered) {
    if (auto d = pair_damage(file, index_size, covered)) r.damage.push_back(to_verify(std::move(*d)));
  };
  if (!r.index_present) {
    if (exists(index_path)) {
      errors.push_back(fmt::format("'{}' is not a regular file", index_path));
    } else {
      add_pair_damage(std::nullopt, format::kHeaderSize);
    }
    return;
  }

  PosixFile index(index_path, PosixFile::Access::Read);
  const std::uint64_t index_size = index.size();
  r.index_bytes = index_size;
  if (index_size < format::kHeaderSize) {
    add_pair_damage(index_size, format::kHeaderSize);
    return;
  }
  // Damage from `offset` to the end of the index file; only then are the bytes after it read (to
  // count the records there): the records themselves are scanned a window at a time.
  const auto tail_region = [&](std::uint64_t offset, std::uint64_t count_from, bool torn, std::string reason) {
    const auto tail = index.read_all(count_from);
    VerifyDamage d = region(index_path, 0, tail, torn, std::move(reason));
    d.offset = offset;
    d.bytes = index_size - offset;
    return d;
  };
  try {
    std::array<std::byte, format::kHeaderSize> header{};
    index.read_at(0, header);
    const auto h = format::decode_header(header, format::FileKind::Index, index_path);
    if (h.container != container || h.writer != writer) {
      throw FormatError(fmt::format("'{}' belongs to container {} writer {}, not to container {} writer {}", index_path,
                                    format::to_hex(h.container), h.writer, format::to_hex(container), writer));
    }
  } catch (const FormatError& e) {
    // A reader rejects the file, and with it the container (docs/format.md, "File headers").
    // Records after a damaged header are counted from the header's end, where they would start.
    r.damage.push_back(tail_region(0, format::kHeaderSize, false, e.what()));
    errors.push_back(fmt::format("{}: readers refuse the container while this header is damaged", e.what()));
    return;
  }

  // The records, by the one rule readers follow (index.hpp).
  std::uint64_t covered = format::kHeaderSize;
  bool stopped = false;
  scan_file_records(
      index, file, format::kHeaderSize, index_size,
      [&](const format::LogRecord& record) {
        auto w = accepted_write(record, file);
        if (!w) return;
        covered = std::max(covered, w->record.data_offset + w->record.data_length);
        Candidate c;
        c.index_offset = record.offset;
        c.write = std::move(*w);
        scan.candidates.push_back(std::move(c));
      },
      [&](const DamageReport& d) {
        stopped = true;
        r.damage.push_back(tail_region(d.offset, d.offset, d.torn_tail, d.reason + "; nothing after it is used"));
      });
  if (!stopped) add_pair_damage(index_size, covered);
}

// Why a write record cannot be placed in the catalog's dataset, or an empty string.
std::string catalog_problem(const Catalog& catalog, const IndexedWrite& w,
                            const std::map<std::uint64_t, std::optional<RecordElement>>& element_sizes) {
  const auto& rec = w.record;
  if (!catalog.contains(rec.dataset)) {
    return fmt::format("names dataset id {}, which the metafile does not define (its creation was not written out)",
                       rec.dataset);
  }
  const CatalogObject& o = catalog.object(rec.dataset);
  if (o.kind != ObjectKind::Dataset) {
    return fmt::format("names object id {} ('{}'), which is a group", rec.dataset, catalog.path_of(rec.dataset));
  }
  const std::string path = catalog.path_of(rec.dataset);
  // Writes follow their dataset's creation: an earlier epoch means the record belongs to a dataset
  // of an earlier session whose creation was lost, and whose id a later dataset took.
  if (rec.epoch <= o.created_epoch) {
    return fmt::format(
        "written at epoch {}, but dataset '{}' (id {}) was created at epoch {}: a record of a dataset "
        "whose creation was lost, not of this one",
        rec.epoch, path, rec.dataset, o.created_epoch);
  }
  if (o.null) return fmt::format("writes to dataset '{}', which has a null dataspace (no elements)", path);
  if (rec.selection.rank() != o.dims.size()) {
    return fmt::format("selection of rank {} for dataset '{}' of rank {}", rec.selection.rank(), path, o.dims.size());
  }
  if (rec.selection.num_elements() > 0) {
    const selection::Box box = w.box();
    const Extent widest = o.shapes.widest(o.dims);  // a write before a shrink reaches beyond o.dims
    for (std::size_t d = 0; d < o.dims.size(); ++d) {
      if (box.hi[d] > widest[d]) {
        return fmt::format(
            "selection reaches [{}] (exclusive) outside dataset '{}' of shape [{}] (a resize that was "
            "not written out?)",
            fmt::join(box.hi, ","), path, fmt::join(o.dims, ","));
      }
    }
  }
  const auto size = element_sizes.find(rec.dataset);
  if (size != element_sizes.end() && size->second && size->second->variable_length) {
    const std::uint64_t n = rec.selection.num_elements();
    if (n > rec.data_length / size->second->size) {
      return fmt::format(
          "holds {} data bytes, too few for the slots of {} variable-length elements ({} bytes each) of dataset '{}'",
          rec.data_length, n, size->second->size, path);
    }
  } else if (size != element_sizes.end() && size->second) {
    const std::uint64_t expected = rec.selection.num_elements() * size->second->size;
    if (rec.data_length != expected) {
      return fmt::format("holds {} data bytes for {} elements of {} bytes of dataset '{}' ({} expected)",
                         rec.data_length, rec.selection.num_elements(), size->second->size, path, expected);
    }
  }
  return {};
}

// Why the slots of a variable-length record are bad (a slot outside its record), or empty.
std::string slot_problem(const PosixFile& file, const StoredWrite& rec, const RecordElement& element,
                         std::vector<std::byte>& buffer) {
  const std::uint64_t n = rec.selection.num_elements();
  const std::uint64_t per_read = std::max<std::uint64_t>(1, buffer.size() / element.size);
  if (buffer.size() < element.size) buffer.resize(element.size);
  for (std::uint64_t first = 0; first < n; first += per_read) {
    const std::uint64_t take = std::min(per_read, n - first);
    const auto bytes = std::span(buffer).first(static_cast<std::size_t>(take * element.size));
    file.read_at(rec.data_offset + first * element.size, bytes);
    std::string problem = format::check_vlen_elements(bytes, first, n, rec.data_length, element.size, element.fixed);
    if (!problem.empty()) return problem;
  }
  return {};
}

// Checks every candidate's data against its checksum, with `threads` threads.
void check_data(const Layout& layout, std::vector<Candidate*>& todo, unsigned threads,
                const ProgressCallback& progress) {
  std::uint64_t total = 0;
  for (const Candidate* c : todo) total += c->write.record.data_length;
  ProgressMeter meter(progress, total);
  std::atomic<std::size_t> next{0};
  run_on_threads(threads, [&] {
    // One data file open per thread: `todo` goes writer by writer, so it rarely changes, and a
    // container of many thousands of writers needs no more descriptors than threads.
    std::uint32_t open_file = 0;
    PosixFile file;
    std::vector<std::byte> buffer(std::size_t{1} << 20);
    for (std::size_t i = next++; i < todo.size(); i = next++) {
      Candidate& c = *todo[i];
      const auto& rec = c.write.record;
      try {
        if (!file.is_open() || open_file != c.write.data_file) {
          file = PosixFile(layout.data_file(c.write.data_file), PosixFile::Access::Read);
          open_file = c.write.data_file;
        }
        const std::uint64_t computed = data_checksum(file, rec, buffer);
        if (computed != rec.data_checksum) {
          c.drop = std::make_unique<std::string>(
              fmt::format("data fail their checksum: stored {:#018x}, computed {:#018x}", rec.data_checksum, computed));
          c.data_problem = true;
        } else if (c.vlen) {
          std::string problem = slot_problem(file, rec, *c.vlen, buffer);
          c.data_problem = !problem.empty();
          if (c.data_problem) c.drop = std::make_unique<std::string>(std::move(problem));
        }
      } catch (const Error& e) {
        c.drop = std::make_unique<std::string>(fmt::format("data cannot be read: {}", e.what()));
        c.data_problem = true;
      }
      meter.advance(rec.data_length);
    }
  });
  meter.finish();
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Files in the directory that are not the metafile or one of the sessions' writer files.
// `image`: the container is a file image, whose `image` file is one of its own.
void note_stray_files(const Layout& layout, std::uint32_t writer_files, bool image, std::vector<std::string>& notes) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(layout.path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "metafile" || (image && (name == Layout::kImageName || name == Layout::kImageSnapshotName))) continue;
    std::string_view stem = name;
    if (stem.ends_with(".offset")) stem.remove_suffix(7);
    if (all_digits(stem) && stem.size() < 10) {
      if (std::stoul(std::string(stem)) < writer_files) continue;
      notes.push_back(fmt::format("'{}': a data file beyond the {} the sessions name; readers ignore it",
                                  entry.path().string(), writer_files));
      continue;
    }
    notes.push_back(fmt::format("'{}': not a container file; readers ignore it", entry.path().string()));
  }
}

void verify_into(const Layout& layout, const VerifyOptions& options, const ElementSizeOf& element_size,
                 VerifyReport& report) {
  if (exists(layout.merge_temporary())) {
    report.notes.push_back(
        fmt::format("'{}' is left over from an interrupted merge; the next merge or writable open "
                    "cleans it",
                    layout.merge_temporary()));
  }
  if (exists(layout.replaced_container())) {
    report.notes.push_back(fmt::format("'{}' is left over from a merge; the next merge or writable open cleans it",
                                       layout.replaced_container()));
  }

  // The metafile: header, then every record applied to a catalog as a reader does.
  const std::string metafile = layout.metafile();
  const auto meta_bytes = PosixFile(metafile, PosixFile::Access::Read).read_all();
  report.metafile_bytes = meta_bytes.size();
  std::optional<MetafileContents> contents;
  try {
    contents.emplace(load_metafile(layout));
  } catch (const FormatError& e) {
    report.errors.push_back(e.what());
    return;
  }
  const Catalog& catalog = contents->catalog;
  report.container_id = format::to_hex(contents->header.container);
  report.format_version = contents->header.version;
  report.sessions = catalog.sessions().size();
  report.writer_files = catalog.data_files();
  const std::uint64_t valid_end =
      std::clamp<std::uint64_t>(contents->valid_end, format::kHeaderSize, meta_bytes.size());
  format::read_log(
      format::ByteView(meta_bytes).subspan(format::kHeaderSize, valid_end - format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord&) { ++report.metafile_records; }, nullptr);
  if (contents->damage) {
    const auto& d = *contents->damage;
    report.metafile_damage.push_back(
        region(metafile, d.offset, meta_bytes, d.torn_tail, d.reason + "; nothing after it is used"));
  }
  note_stray_files(layout, catalog.data_files(), catalog.is_file_image(), report.notes);
  if (catalog.is_file_image()) {
    report.kind = VerifyReport::Kind::FileImage;
    // A job writing through the HDF5 file driver holds the container exclusively: what it has
    // not yet flushed shows below as torn tails, lost only if the job never flushes again.
    if (!HolderLock::try_acquire(layout.path(), HolderLock::Kind::Shared)) {
      report.notes.push_back(
          fmt::format("'{}' is held by {}: a job may be writing it; data its writers have not yet flushed show as "
                      "torn tails below, lost only if the job ends without another flush (verify it again then)",
                      layout.path(), describe_holders(layout.path())));
    }
    verify_image_files(layout, *contents, options, report);
    return;
  }
  for (auto id : catalog.groups()) {
    if (id != 0) ++report.groups;
  }
  report.datasets = catalog.datasets().size();
  for (std::uint64_t id = 0; id < catalog.next_id(); ++id) report.attributes += catalog.object(id).attributes.size();

  // Every writer's files, as a reader sees them. The sessions' count is read from disk: it sizes
  // nothing unless the files present bound it (a metafile may claim 2^32 - 1 writers).
  const std::vector<std::uint32_t> present = present_data_files(layout, catalog.data_files());
  const std::vector<std::uint32_t> listed = listed_pairs(present, catalog.data_files());
  std::vector<WriterScan> scans(listed.size());
  for (std::size_t i = 0; i < scans.size(); ++i)
    scan_writer(layout, contents->header.container, listed[i], scans[i], report.errors);
  report_missing_pairs(
      layout, present, catalog.required_data_files(),
      [&](std::uint32_t f) -> DataFileVerifyReport* {
        const auto it = std::lower_bound(listed.begin(), listed.end(), f);
        return it != listed.end() && *it == f ? &scans[static_cast<std::size_t>(it - listed.begin())].report : nullptr;
      },
      report);

  // Element sizes, once per dataset; a type that does not decode stops merges and reads of it.
  std::map<std::uint64_t, std::optional<RecordElement>> element_sizes;
  for (auto id : catalog.datasets()) {
    try {
      element_sizes[id] = element_size ? element_size(catalog.object(id).type) : std::nullopt;
    } catch (const Error& e) {
      element_sizes[id] = std::nullopt;
      report.errors.push_back(
          fmt::format("{}: the type of dataset '{}' cannot be decoded: {}", metafile, catalog.path_of(id), e.what()));
    }
  }

  // Records the catalog cannot place, then records whose data fail their checksums.
  std::vector<Candidate*> todo;
  for (auto& scan : scans) {
    for (auto& c : scan.candidates) {
      if (std::string problem = catalog_problem(catalog, c.write, element_sizes); !problem.empty()) {
        c.drop = std::make_unique<std::string>(std::move(problem));
      }
      const auto size = element_sizes.find(c.write.record.dataset);
      if (size != element_sizes.end() && size->second && size->second->variable_length) c.vlen = size->second;
      if (!c.drop) todo.push_back(&c);
    }
  }
  if (options.check_data) {
    const unsigned threads =
        std::max(1u, std::min<unsigned>(options.threads > 0 ? options.threads : usable_cpus(),
                                        static_cast<unsigned>(std::min<std::size_t>(todo.size(), 64))));
    check_data(layout, todo, threads, options.progress);
  }

  // The records kept, by dataset: pointers to the candidates, which live until the end.
  std::map<std::uint64_t, std::vector<const IndexedWrite*>> kept_by_dataset;
  for (auto& scan : scans) {
    DataFileVerifyReport& r = scan.report;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (auto& c : scan.candidates) {
      const auto& rec = c.write.record;
      if (c.drop) {
        VerifyDamage d;
        d.file = c.data_problem ? layout.data_file(r.file) : layout.index_file(r.file);
        d.offset = c.data_problem ? rec.data_offset : c.index_offset;
        d.bytes = rec.data_length;
        d.records = 1;
        d.reason = c.write.writer == r.file
                       ? fmt::format("record {} (dataset id {}, epoch {}): {}; record dropped", rec.sequence,
                                     rec.dataset, rec.epoch, *c.drop)
                       : fmt::format("record {} of writer {} (dataset id {}, epoch {}): {}; record dropped",
                                     rec.sequence, c.write.writer, rec.dataset, rec.epoch, *c.drop);
        d.sequence = rec.sequence;
        d.dataset = rec.dataset;
        d.epoch = rec.epoch;
        r.damage.push_back(std::move(d));
        continue;
      }
      ++r.records;
      ++r.records_by_writer[c.write.writer];
      r.record_bytes += rec.data_length;
      ranges.emplace_back(rec.data_offset, rec.data_offset + rec.data_length);
      kept_by_dataset[rec.dataset].push_back(&c.write);
    }
    for (const auto& d : r.damage) {
      r.records_dropped += d.records;
      r.bytes_dropped += d.bytes;
    }
    r.unreferenced_bytes = unreferenced(r.data_bytes, std::move(ranges));
    report.data_files.push_back(std::move(r));
  }

  // Same-epoch overlaps of different writers.
  for (auto& [dataset, writes] : kept_by_dataset) {
    const CatalogObject& o = catalog.object(dataset);
    for (auto& c : find_conflicts(writes, o.shapes.widest(o.dims))) {
      ++report.conflicts_total;
      if (report.conflicts.size() >= options.max_conflicts) continue;
      VerifyConflict v;
      v.dataset = catalog.path_of(dataset);
      v.dataset_id = dataset;
      v.epoch = c.epoch;
      v.writer_a = c.writer_a;
      v.writer_b = c.writer_b;
      v.record_pairs = c.record_pairs;
      v.elements = c.elements;
      v.lo = std::move(c.lo);
      v.hi = std::move(c.hi);
      v.first = std::move(c.first);
      report.conflicts.push_back(std::move(v));
    }
  }
}

}  // namespace

VerifyReport verify_container(const Layout& layout, const VerifyOptions& options, const ElementSizeOf& element_size) {
  VerifyReport report;
  report.path = layout.path();
  report.kind = VerifyReport::Kind::Container;
  try {
    verify_into(layout, options, element_size, report);
  } catch (const Error& e) {
    // The machine failed us (a file that cannot be opened or read): what we could not check.
    report.errors.push_back(e.what());
  }
  return report;
}

}  // namespace container
}  // namespace h5mf
