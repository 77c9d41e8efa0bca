#include "container/image_index.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "container/posix_file.hpp"
#include "format/constants.hpp"

namespace h5mf::container {
ImageIndex::ImageIndex(Layout layout, format::ContainerId container, bool keep_records)
    : layout_(std::move(layout)), container_(container), keep_records_(keep_records) {}

void ImageIndex::refresh(std::uint32_t data_files, bool final, std::uint32_t required_files,
                         std::optional<std::uint32_t> skip) {
  const auto present = present_data_files(layout_, data_files);
  for (const std::uint32_t f : present) {
    if (skip && f == *skip) continue;
    read_file(f, final);
  }
  if (!final || missing_reported_) return;
  missing_reported_ = true;
  for (const auto& [first, last] : missing_runs(present, required_files)) {
    damage_.push_back(missing_pairs_damage(layout_, first, last));
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

std::uint64_t ImageIndex::image_needed() const {
  const std::uint64_t file_end = end().value_or(~std::uint64_t{0});
  const auto& pieces = map_.pieces();
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
    if (it->second.source == format::RangeSource::Image && it->first < file_end)
      return std::min(it->second.end, file_end);
  }
  return 0;
}

void ImageIndex::read_file(std::uint32_t data_file, bool final) {
  files_[data_file].read(
      layout_, container_, data_file, final,
      [&](const format::LogRecord& r, const IndexScanFile& scan) -> std::uint64_t {
        const std::string where = scan.index_path + " at offset " + std::to_string(r.offset);
        if (r.type == format::RecordType::End) {
          add_end(data_file, format::decode_end(r.payload, where));
          return 0;
        }
        if (r.type != format::RecordType::Range) return 0;  // a later minor format's: skipped
        const auto range = format::decode_range(r.payload, where);
        std::uint64_t covered = 0;
        if (range.source == format::RangeSource::Data) {
          check_data_inside(scan, r.offset, range.data_offset, range.length);
          covered = range.data_offset + range.length;
        }
        add(data_file, range);
        return covered;
      },
      damage_);
}

std::string image_cut_short(const Layout& layout, std::uint64_t image_size, const ImageIndex& index) {
  return fmt::format(
      "'{}' holds {} bytes, but the HDF5 metadata its writers placed there reaches byte {} (the file ends at {}): "
      "the image was cut short, and the file's structure with it",
      layout.image(), image_size, index.image_needed(),
      index.end() ? std::to_string(*index.end()) : std::string("no END record"));
}

std::string never_flushed(const Layout& layout) {
  return fmt::format(
      "'{}' was written by a job that ended before its first H5Fflush or H5Fclose completed ('{}' is empty): "
      "no HDF5 file was ever complete in it, and its writes cannot be placed",
      layout.path(), layout.image_snapshot());
}

}  // namespace h5mf::container
