#include "container/image_index.hpp"

#include <algorithm>

#include "container/posix_file.hpp"
#include "format/constants.hpp"

namespace h5mf::container {
namespace {
constexpr std::uint64_t kNoFurther = ~std::uint64_t{0};
}  // namespace

ImageIndex::ImageIndex(Layout layout, format::ContainerId container, bool keep_records)
    : layout_(std::move(layout)), container_(container), keep_records_(keep_records) {}

void ImageIndex::refresh(std::uint32_t data_files, bool final, std::optional<std::uint32_t> skip) {
  for (const std::uint32_t f : present_data_files(layout_, data_files)) {
    if (skip && f == *skip) continue;
    read_file(f, final);
  }
}

void ImageIndex::refresh_file(std::uint32_t data_file, bool final) {
  if (exists(layout_.index_file(data_file)) || exists(layout_.data_file(data_file))) read_file(data_file, final);
}

void ImageIndex::add(std::uint32_t data_file, const format::RangeRecord& r) {
  const RangeKey key{r.epoch, data_file, r.sequence};
  map_.insert(r.address, r.length, key, r.source, data_file, r.data_offset);
  if (keep_records_) kept_.push_back({data_file, r});
  max_epoch_ = std::max(max_epoch_, r.epoch);
  ++records_;
}

void ImageIndex::add_end(std::uint32_t data_file, const format::EndRecord& r) {
  const RangeKey key{r.epoch, data_file, r.sequence};
  if (!end_ || end_->first < key) end_ = {key, r.end};
  max_epoch_ = std::max(max_epoch_, r.epoch);
  ++records_;
}

std::optional<std::uint64_t> ImageIndex::end() const {
  if (!end_) return std::nullopt;
  return end_->second;
}

void ImageIndex::read_file(std::uint32_t data_file, bool final) {
  FileState& state = files_[data_file];
  if (state.consumed == kNoFurther) return;
  IndexScanFile scan{data_file, layout_.index_file(data_file), layout_.data_file(data_file), 0};
  const auto report_pair = [&](std::optional<std::uint64_t> index_size) {
    if (!final || state.pair_reported) return;
    scan.data_size = file_size(scan.data_path);
    if (auto d = pair_damage(scan, index_size, state.covered)) {
      damage_.push_back(std::move(*d));
      state.pair_reported = true;
    }
  };
  if (!exists(scan.index_path)) {
    report_pair(std::nullopt);
    return;
  }
  const PosixFile file(scan.index_path, PosixFile::Access::Read);
  if (!state.checked) {
    const std::uint64_t size = file.size();
    if (size < format::kHeaderSize) {
      report_pair(size);
      return;
    }
    check_pair_headers(file, scan, container_);
    state.checked = true;
    state.consumed = format::kHeaderSize;
  }
  const auto bytes = file.read_all(state.consumed);
  scan.data_size = file_size(scan.data_path);
  std::optional<DamageReport> stop;
  const std::uint64_t accepted_end = scan_records(
      scan, bytes, state.consumed,
      [&](const format::LogRecord& r) {
        if (r.type == format::RecordType::Range) {
          const auto range = format::decode_range(r.payload, scan.index_path + " at offset " + std::to_string(r.offset));
          if (range.source == format::RangeSource::Data) {
            check_data_inside(scan, r.offset, range.data_offset, range.length);
            state.covered = std::max(state.covered, range.data_offset + range.length);
          }
          add(data_file, range);
        } else if (r.type == format::RecordType::End) {
          add_end(data_file, format::decode_end(r.payload, scan.index_path + " at offset " + std::to_string(r.offset)));
        }
      },
      [&](const DamageReport& d) { stop = d; });
  if (stop && (final || !stop->torn_tail)) {
    damage_.push_back(std::move(*stop));
    state.consumed = kNoFurther;
    return;
  }
  state.consumed = accepted_end;
  if (!stop) report_pair(state.consumed);
}

}  // namespace h5mf::container
