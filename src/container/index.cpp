#include "container/index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "format/log.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {

ContainerIndex::ContainerIndex(Layout layout, format::ContainerId container)
    : layout_(std::move(layout)), container_(container) {}

void ContainerIndex::refresh(std::uint32_t writer_files, bool final) {
  if (writers_.size() < writer_files) writers_.resize(writer_files);
  for (std::uint32_t w = 0; w < writer_files; ++w) read_writer(w, final);
}

void ContainerIndex::refresh_writer(std::uint32_t writer, bool final) {
  if (writers_.size() <= writer) writers_.resize(writer + 1);
  read_writer(writer, final);
}

void ContainerIndex::read_writer(std::uint32_t writer, bool final) {
  WriterState& state = writers_[writer];
  const std::string path = layout_.index_file(writer);
  const std::string data_path = layout_.data_file(writer);
  if (!exists(path)) {
    // A writer that never wrote; but data without its index is data nobody can place: say so.
    if (final && !state.checked && file_size(data_path) > format::kHeaderSize) {
      damage_.push_back(DamageReport{path, 0, 0, 0, false,
                                     fmt::format("the index file is missing: the {} bytes of '{}' cannot be placed",
                                                 file_size(data_path) - format::kHeaderSize, data_path)});
      state.checked = true;  // report once
      state.consumed = ~std::uint64_t{0};
    }
    return;
  }
  if (state.consumed == ~std::uint64_t{0}) return;
  const PosixFile file(path, PosixFile::Access::Read);
  if (!state.checked) {
    const std::uint64_t size = file.size();
    if (size < format::kHeaderSize) {
      // Still being created, or a writer killed between creating its files and writing their
      // headers: no record can be there yet.
      if (final && size > 0) {
        damage_.push_back(DamageReport{path, 0, size, 0, true, "incomplete header of a writer killed at open"});
      }
      return;
    }
    std::array<std::byte, format::kHeaderSize> bytes{};
    file.read_at(0, bytes);
    const auto header = format::decode_header(bytes, format::FileKind::Index, path);
    if (header.container != container_ || header.writer != writer) {
      throw FormatError(fmt::format("'{}' belongs to container {} writer {}, not to container {} writer {}",
                                    path, format::to_hex(header.container), header.writer,
                                    format::to_hex(container_), writer));
    }
    // The data file must be this writer's of this container, in a format this build reads.
    if (file_size(data_path) >= format::kHeaderSize) {
      std::array<std::byte, format::kHeaderSize> data_bytes{};
      PosixFile(data_path, PosixFile::Access::Read).read_at(0, data_bytes);
      const auto data_header = format::decode_header(data_bytes, format::FileKind::Data, data_path);
      if (data_header.container != container_ || data_header.writer != writer) {
        throw FormatError(fmt::format("'{}' belongs to container {} writer {}, not to container {} writer {}",
                                      data_path, format::to_hex(data_header.container), data_header.writer,
                                      format::to_hex(container_), writer));
      }
    }
    state.checked = true;
    state.consumed = format::kHeaderSize;
  }
  const auto bytes = file.read_all(state.consumed);
  if (bytes.empty()) return;
  const std::uint64_t data_size = file_size(data_path);

  std::uint64_t accepted_end = state.consumed;
  bool stopped = false;
  DamageReport stop;
  const std::uint64_t end = format::read_log(
      bytes, state.consumed,
      [&](const format::LogRecord& r) {
        if (stopped) return;
        const std::uint64_t record_end = r.offset + format::kRecordHeaderSize + r.payload.size();
        if (r.type != format::RecordType::Write) {
          accepted_end = record_end;  // unknown record types of a later minor format: skipped
          return;
        }
        try {
          IndexedWrite w;
          w.record = format::decode_write(r.payload, fmt::format("{} at offset {}", path, r.offset));
          if (w.record.data_offset < format::kHeaderSize ||
              w.record.data_offset + w.record.data_length > data_size) {
            throw FormatError(fmt::format(
                "{} at offset {}: data [{}, {}) lies beyond the end of '{}' ({} bytes)", path, r.offset,
                w.record.data_offset, w.record.data_offset + w.record.data_length, data_path, data_size));
          }
          w.writer = writer;
          w.box = sel::bounding_box(w.record.selection);
          const std::uint64_t dataset = w.record.dataset;
          by_dataset_[dataset].add(std::move(w));
          ++records_;
          accepted_end = record_end;
        } catch (const FormatError& e) {
          stopped = true;
          stop = DamageReport{path, r.offset, 0, 0, false, e.what()};
        }
      },
      [&](const format::LogDamage& d) {
        if (!stopped) stop = DamageReport{path, d.offset, 0, 0, d.torn_tail, d.reason};
        stopped = true;
      });
  (void)end;
  const std::uint64_t file_end = state.consumed + bytes.size();
  if (stopped) {
    // A torn tail of a writer that may still be writing is just not there yet.
    if (final || !stop.torn_tail) {
      stop.bytes = file_end - stop.offset;
      damage_.push_back(stop);
      state.consumed = file_end;  // report once
      return;
    }
  }
  state.consumed = accepted_end;
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
    return std::tie(a.record.epoch, a.writer, a.record.sequence) < std::tie(b.record.epoch, b.writer, b.record.sequence);
  };
  // Records arrive writer by writer, each writer's in replay order, so they are often sorted
  // already (one writer, or one epoch); a sort moves every record log n times (12% of a 1M-record
  // growth run in perf).
  if (!std::is_sorted(writes_.begin(), writes_.end(), before)) std::stable_sort(writes_.begin(), writes_.end(), before);
  boxes_.clear();
  boxes_.reserve(writes_.size());
  for (const auto& w : writes_) boxes_.push_back(w.box);
  index_ = OverlapIndex(boxes_);
  prepared_ = true;
}

std::vector<const IndexedWrite*> DatasetWrites::overlapping(const sel::Box& query) const {
  std::vector<const IndexedWrite*> out;
  for (std::uint32_t position : index_.overlapping(boxes_, query)) out.push_back(&writes_[position]);
  return out;  // positions ascend, and writes_ is in replay order
}

std::vector<std::uint64_t> ContainerIndex::datasets_written() const {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, writes] : by_dataset_) ids.push_back(id);
  return ids;
}

}  // namespace h5mf::container
