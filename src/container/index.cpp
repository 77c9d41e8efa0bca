#include "container/index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string_view>
#include <tuple>

#include "format/log.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

// WriterState::consumed of a writer whose index file is read no further: damage was reported, and
// nothing after the first damaged record is trusted, however much the file grows.
constexpr std::uint64_t kNoFurther = ~std::uint64_t{0};

}  // namespace

IndexedWrite decode_indexed(const format::LogRecord& r, std::uint32_t data_file, const std::string& index_path) {
  IndexedWrite w;
  const std::string context = fmt::format("{} at offset {}", index_path, r.offset);
  format::WriteRecord record;
  if (r.type == format::RecordType::WriteFrom) {
    auto from = format::decode_write_from(r.payload, context);
    record = std::move(from.write);
    w.writer = from.writer;
  } else {
    record = format::decode_write(r.payload, context);
    w.writer = data_file;  // a plain WRITE is the write of the writer whose file this is
  }
  w.record = StoredWrite{record.dataset,
                         record.epoch,
                         record.sequence,
                         record.data_offset,
                         record.data_length,
                         record.data_checksum,
                         StoredSelection(record.selection, selection::bounding_box(record.selection))};
  w.data_file = data_file;
  return w;
}

void check_data_inside(const IndexScanFile& file, std::uint64_t record_offset, std::uint64_t data_offset,
                       std::uint64_t data_length) {
  // Written so that no sum can wrap: a record's data lie inside the data file, after its header.
  if (data_offset < format::kHeaderSize || data_length > file.data_size || data_offset > file.data_size - data_length) {
    throw FormatError(
        fmt::format("{} at offset {}: data of {} bytes at offset {} lie outside '{}', beyond the end of its {} bytes",
                    file.index_path, record_offset, data_length, data_offset, file.data_path, file.data_size));
  }
}

std::uint64_t scan_records(const IndexScanFile& file, format::ByteView bytes, std::uint64_t from,
                           const std::function<void(const format::LogRecord&)>& accept,
                           const std::function<void(const DamageReport&)>& on_damage) {
  std::uint64_t accepted_end = from;
  bool stopped = false;
  const std::uint64_t file_end = from + bytes.size();
  const auto stop = [&](std::uint64_t offset, bool torn, std::string reason) {
    stopped = true;
    if (on_damage) on_damage(DamageReport{file.index_path, offset, file_end - offset, 0, torn, std::move(reason)});
  };
  format::read_log(
      bytes, from,
      [&](const format::LogRecord& r) {
        if (stopped) return;
        try {
          accept(r);
          accepted_end = r.offset + format::kRecordHeaderSize + r.payload.size();
        } catch (const Error& e) {
          // A record that passed its checksum but makes no sense: trust nothing after it.
          stop(r.offset, false, e.what());
        }
      },
      [&](const format::LogDamage& d) {
        if (!stopped) stop(d.offset, d.torn_tail, d.reason);
      });
  return accepted_end;
}

std::uint64_t scan_file_records(const PosixFile& index, const IndexScanFile& file, std::uint64_t from,
                                std::uint64_t end, const std::function<void(const format::LogRecord&)>& accept,
                                const std::function<void(const DamageReport&)>& on_damage) {
  std::vector<std::byte> window;
  std::uint64_t at = from, want = kScanWindow;
  while (at < end) {
    const std::uint64_t take = std::min(want, end - at);
    window.resize(static_cast<std::size_t>(take));
    index.read_at(at, window);
    std::optional<DamageReport> stop;
    const std::uint64_t accepted = scan_records(file, window, at, accept, [&](const DamageReport& d) { stop = d; });
    if (stop && stop->torn_tail && at + take < end) {
      // A record runs past the window, not past the file: read again from it, with room for it
      // (a record is at most kRecordHeaderSize + kMaxPayload bytes, so the window stays bounded).
      want = accepted > at ? kScanWindow : want * 2;
      at = accepted;
      continue;
    }
    if (stop) {
      stop->bytes = end - stop->offset;  // to the end of the file, not of the window
      if (on_damage) on_damage(*stop);
      return accepted;
    }
    at = accepted;
  }
  return at;
}

std::optional<IndexedWrite> accepted_write(const format::LogRecord& r, const IndexScanFile& file) {
  // Other record types (a later minor format) are skipped.
  if (r.type != format::RecordType::Write && r.type != format::RecordType::WriteFrom) return std::nullopt;
  IndexedWrite w = decode_indexed(r, file.data_file, file.index_path);
  check_data_inside(file, r.offset, w.record.data_offset, w.record.data_length);
  return w;
}

std::uint64_t scan_index_records(const IndexScanFile& file, format::ByteView bytes, std::uint64_t from,
                                 const std::function<void(IndexedWrite&&, std::uint64_t offset)>& on_write,
                                 const std::function<void(const DamageReport&)>& on_damage) {
  return scan_records(
      file, bytes, from,
      [&](const format::LogRecord& r) {
        if (auto w = accepted_write(r, file)) on_write(std::move(*w), r.offset);
      },
      on_damage);
}

void PairScan::read(const Layout& layout, const format::ContainerId& container, std::uint32_t data_file, bool final,
                    const std::function<std::uint64_t(const format::LogRecord&, const IndexScanFile&)>& accept,
                    std::vector<DamageReport>& damage) {
  if (consumed_ == kNoFurther) return;
  IndexScanFile scan{data_file, layout.index_file(data_file), layout.data_file(data_file), 0};
  const auto report_pair = [&](std::optional<std::uint64_t> index_size) {
    if (!final || pair_reported_) return;
    scan.data_size = file_size(scan.data_path);
    if (auto d = pair_damage(scan, index_size, covered_)) {
      damage.push_back(std::move(*d));
      pair_reported_ = true;  // report once
    }
  };
  if (!exists(scan.index_path)) {
    report_pair(std::nullopt);
    return;
  }
  const PosixFile file(scan.index_path, PosixFile::Access::Read);
  if (!checked_) {
    const std::uint64_t size = file.size();
    if (size < format::kHeaderSize) {
      // Still being created, or a writer killed between creating its files and writing their
      // headers (or an index cut short): no record can be there.
      report_pair(size);
      return;
    }
    check_pair_headers(file, scan, container);
    checked_ = true;
    consumed_ = format::kHeaderSize;
  }
  const std::uint64_t end = file.size();  // the index before the data: its records point inside
  scan.data_size = file_size(scan.data_path);
  std::optional<DamageReport> stop;
  const std::uint64_t accepted_end = scan_file_records(
      file, scan, consumed_, end, [&](const format::LogRecord& r) { covered_ = std::max(covered_, accept(r, scan)); },
      [&](const DamageReport& d) { stop = d; });
  // A torn tail of a writer that may still be writing is just not there yet.
  if (stop && (final || !stop->torn_tail)) {
    damage.push_back(std::move(*stop));
    consumed_ = kNoFurther;  // report once, and accept nothing the writer appends later
    return;
  }
  consumed_ = accepted_end;
  if (!stop) report_pair(consumed_);
}

void check_pair_headers(const PosixFile& index, const IndexScanFile& scan, const format::ContainerId& container) {
  std::array<std::byte, format::kHeaderSize> bytes{};
  index.read_at(0, bytes);
  const auto header = format::decode_header(bytes, format::FileKind::Index, scan.index_path);
  if (header.container != container || header.writer != scan.data_file) {
    throw FormatError(fmt::format("'{}' belongs to container {} file {}, not to container {} file {}", scan.index_path,
                                  format::to_hex(header.container), header.writer, format::to_hex(container),
                                  scan.data_file));
  }
  // The data file must be this one of this container, in a format this build reads.
  if (file_size(scan.data_path) >= format::kHeaderSize) {
    std::array<std::byte, format::kHeaderSize> data_bytes{};
    PosixFile(scan.data_path, PosixFile::Access::Read).read_at(0, data_bytes);
    const auto data_header = format::decode_header(data_bytes, format::FileKind::Data, scan.data_path);
    if (data_header.container != container || data_header.writer != scan.data_file) {
      throw FormatError(fmt::format("'{}' belongs to container {} file {}, not to container {} file {}", scan.data_path,
                                    format::to_hex(data_header.container), data_header.writer,
                                    format::to_hex(container), scan.data_file));
    }
  }
}

std::optional<DamageReport> pair_damage(const IndexScanFile& file, std::optional<std::uint64_t> index_size,
                                        std::uint64_t covered) {
  const std::uint64_t data_bytes = file.data_size > format::kHeaderSize ? file.data_size - format::kHeaderSize : 0;
  if (!index_size) {
    if (data_bytes == 0) return std::nullopt;  // no writer wrote here (or the data file is gone too: not provable)
    return DamageReport{file.index_path,
                        0,
                        data_bytes,
                        0,
                        false,
                        fmt::format("index file missing: the {} data bytes in '{}' cannot be placed; the writer's "
                                    "records are lost",
                                    data_bytes, file.data_path)};
  }
  if (*index_size < format::kHeaderSize) {
    const std::string what =
        *index_size == 0 ? std::string("empty index file") : fmt::format("index file of {} bytes", *index_size);
    if (data_bytes > 0) {
      return DamageReport{file.index_path,
                          0,
                          data_bytes,
                          0,
                          false,
                          fmt::format("{}, shorter than its header: the {} data bytes in '{}' cannot be placed; the "
                                      "writer's records are lost",
                                      what, data_bytes, file.data_path)};
    }
    // What a writer killed between creating its files and writing their headers leaves.
    return DamageReport{file.index_path,
                        0,
                        *index_size,
                        0,
                        true,
                        fmt::format("{}, shorter than its header: its writer was stopped while creating its files "
                                    "(nothing was written)",
                                    what)};
  }
  if (file.data_size > covered) {
    return DamageReport{file.data_path,
                        covered,
                        file.data_size - covered,
                        0,
                        true,
                        fmt::format("{} data bytes from offset {} lie past the last record of '{}': its index was cut "
                                    "short, or its writer was killed between writing data and their records; those "
                                    "writes are lost",
                                    file.data_size - covered, covered, file.index_path)};
  }
  return std::nullopt;
}

DamageReport missing_pairs_damage(const Layout& layout, std::uint32_t first, std::uint32_t last) {
  const std::string which =
      first == last ? fmt::format("'{}' and '{}' are", layout.data_file(first), layout.index_file(first))
                    : fmt::format("the data file pairs {} to {} ('{}' ...) are", first, last, layout.data_file(first));
  return DamageReport{layout.data_file(first),
                      0,
                      0,
                      0,
                      false,
                      fmt::format("{} missing, but the metafile records that their writers opened (they create their "
                                  "files at open): every write they made is lost",
                                  which)};
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> missing_runs(const std::vector<std::uint32_t>& present,
                                                                  std::uint32_t required) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> runs;
  std::uint32_t expect = 0;
  for (std::size_t i = 0; i <= present.size() && expect < required; ++i) {
    const std::uint32_t next = i < present.size() ? std::min(present[i], required) : required;
    if (next > expect) runs.emplace_back(expect, next - 1);
    if (i < present.size()) expect = std::max(expect, present[i] + 1);
  }
  return runs;
}

std::vector<std::uint32_t> present_data_files(const Layout& layout, std::uint32_t data_files) {
  std::vector<std::uint32_t> present;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(layout.path(), ec)) {
    const std::string file = entry.path().filename().string();  // owned: filename() is a temporary
    std::string_view name = file;
    if (name.ends_with(".offset")) name.remove_suffix(7);
    if (name.empty() || name.size() > 10 || (name.size() > 1 && name[0] == '0') ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const std::uint64_t number = std::stoull(std::string(name));
    if (number < data_files) present.push_back(static_cast<std::uint32_t>(number));
  }
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  return present;
}

ContainerIndex::ContainerIndex(Layout layout, format::ContainerId container)
    : layout_(std::move(layout)), container_(container) {}

void ContainerIndex::refresh(std::uint32_t data_files, bool final, std::uint32_t required_files) {
  const auto present = present_data_files(layout_, data_files);
  for (const std::uint32_t f : present) read_file(f, final);
  if (!final || missing_reported_) return;
  missing_reported_ = true;
  for (const auto& [first, last] : missing_runs(present, required_files)) {
    damage_.push_back(missing_pairs_damage(layout_, first, last));
  }
}

void ContainerIndex::refresh_file(std::uint32_t data_file, bool final) {
  if (exists(layout_.index_file(data_file)) || exists(layout_.data_file(data_file))) read_file(data_file, final);
}

void ContainerIndex::read_file(std::uint32_t data_file, bool final) {
  files_[data_file].read(
      layout_, container_, data_file, final,
      [&](const format::LogRecord& r, const IndexScanFile& scan) -> std::uint64_t {
        auto w = accepted_write(r, scan);
        if (!w) return 0;
        const std::uint64_t end = w->record.data_offset + w->record.data_length;
        const std::uint64_t dataset = w->record.dataset;
        by_dataset_[dataset].add(std::move(*w));
        ++records_;
        return end;
      },
      damage_);
}

const DatasetWrites& ContainerIndex::writes(std::uint64_t dataset) {
  static const DatasetWrites none;
  auto it = by_dataset_.find(dataset);
  if (it == by_dataset_.end()) return none;
  if (!it->second.prepared()) it->second.prepare();
  return it->second;
}

void DatasetWrites::add(IndexedWrite write) {
  writes_.push_back(std::move(write));
  prepared_ = false;
}

void DatasetWrites::prepare() {
  const auto before = [](const IndexedWrite& a, const IndexedWrite& b) {
    return std::tie(a.record.epoch, a.writer, a.record.sequence) <
           std::tie(b.record.epoch, b.writer, b.record.sequence);
  };
  // Records arrive writer by writer, each writer's in replay order, so they are often sorted
  // already (one writer, or one epoch); a sort moves every record log n times (12% of a 1M-record
  // growth run in perf).
  if (!std::is_sorted(writes_.begin(), writes_.end(), before)) {
    // Sorted through a permutation applied in place: a stable_sort of the records themselves
    // would take a buffer of as many records again.
    std::vector<std::uint32_t> order(writes_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return before(writes_[a], writes_[b]); });
    for (std::size_t i = 0; i < order.size(); ++i) {  // follow each cycle: position i takes order[i]
      if (order[i] == i) continue;
      IndexedWrite held = std::move(writes_[i]);
      std::size_t at = i;
      while (order[at] != i) {
        const std::size_t from = order[at];
        writes_[at] = std::move(writes_[from]);
        order[at] = static_cast<std::uint32_t>(at);
        at = from;
      }
      writes_[at] = std::move(held);
      order[at] = static_cast<std::uint32_t>(at);
    }
  }
  index_ = OverlapIndex(
      writes_.size(), [&](std::size_t i) { return writes_[i].record.selection.lower0(); },
      [&](std::size_t i) { return writes_[i].record.selection.upper0(); });
  prepared_ = true;
}

std::vector<const IndexedWrite*> DatasetWrites::overlapping(const selection::Box& query) const {
  std::vector<const IndexedWrite*> out;
  for (std::uint32_t position :
       index_.overlapping(query, [&](std::uint32_t i) { return writes_[i].record.selection.box_intersects(query); })) {
    out.push_back(&writes_[position]);
  }
  return out;  // positions ascend, and writes_ is in replay order
}

WriteList DatasetWrites::take() {
  WriteList out = std::move(writes_);
  *this = DatasetWrites();
  return out;
}

std::map<std::uint64_t, DatasetWrites> ContainerIndex::take_writes() {
  for (auto& [id, writes] : by_dataset_) {
    if (!writes.prepared()) writes.prepare();
  }
  return std::move(by_dataset_);
}

std::vector<std::uint64_t> ContainerIndex::datasets_written() const {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, writes] : by_dataset_) ids.push_back(id);
  return ids;
}

}  // namespace h5mf::container
