#include "container/writer_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "format/checksum.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

void check_header(const PosixFile& file, format::FileKind kind, const format::ContainerId& container,
                  std::uint32_t writer) {
  std::array<std::byte, format::kHeaderSize> bytes{};
  file.read_at(0, bytes);
  const auto header = format::decode_header(bytes, kind, file.path());
  if (header.container != container) {
    throw FormatError(fmt::format("'{}' belongs to container {}, not to this container {}", file.path(),
                                  format::to_hex(header.container), format::to_hex(container)));
  }
  if (header.writer != writer) {
    throw FormatError(
        fmt::format("'{}' says it is writer {}'s file, expected writer {}", file.path(), header.writer, writer));
  }
}

// The first offset at or after `offset` that lies `phase` bytes into a block.
std::uint64_t aligned(std::uint64_t offset, std::uint64_t phase) {
  constexpr std::uint64_t a = format::kDataAlignment;
  const std::uint64_t at = offset / a * a + phase % a;
  return at >= offset ? at : at + a;
}

}  // namespace

WriterLog::WriterLog(const Layout& layout, const format::ContainerId& container, std::uint32_t file, bool create,
                     Options options)
    : file_(file), options_(options) {
  const std::uint32_t writer = file;  // the id in the files' headers
  const auto access = create ? PosixFile::Access::CreateExclusive : PosixFile::Access::CreateOrOpen;
  index_ = PosixFile(layout.index_file(writer), access);
  if (!index_.try_lock()) {
    throw InvalidArgument(fmt::format("{} {} of container '{}' is already in use by another process ('{}' is locked)",
                                      options_.own_writer ? "data file" : "writer id", writer, layout.path(),
                                      index_.path()));
  }
  data_ = PosixFile(layout.data_file(writer), access);

  if (index_.size() == 0) {
    // New files (or files of a writer that never got further than creating them).
    const auto index_header = format::encode_header({format::FileKind::Index, format::kVersion, container, writer});
    const auto data_header = format::encode_header({format::FileKind::Data, format::kVersion, container, writer});
    // Only a leftover needs cutting. Truncating a new, empty file is not free: ext4 then flushes
    // the file's data at close (auto_da_alloc, meant for truncate-and-rewrite), which made closing
    // a writer cost as much as all its writes.
    if (data_.size() > 0) data_.truncate(0);
    data_.write_at(0, data_header);
    index_.write_at(0, index_header);
    data_end_ = index_end_ = format::kHeaderSize;
  } else {
    check_header(index_, format::FileKind::Index, container, writer);
    check_header(data_, format::FileKind::Data, container, writer);
    const auto log = index_.read_all(format::kHeaderSize);
    std::uint64_t last_sequence = 0;
    bool any = false;
    index_end_ = format::read_log(
        log, format::kHeaderSize,
        [&](const format::LogRecord& r) {
          // Sequences only need to grow within a writer and an epoch; following the file's last
          // one, whoever's it is, keeps them unique.
          if (r.type == format::RecordType::Write) {
            last_sequence = format::decode_write(r.payload, index_.path()).sequence;
          } else if (r.type == format::RecordType::WriteFrom) {
            last_sequence = format::decode_write_from(r.payload, index_.path()).write.sequence;
          } else if (r.type == format::RecordType::Range) {
            last_sequence = format::decode_range(r.payload, index_.path()).sequence;
          } else if (r.type == format::RecordType::End) {
            last_sequence = format::decode_end(r.payload, index_.path()).sequence;
          } else {
            return;
          }
          any = true;
        },
        [](const format::LogDamage&) {});
    // Cut off a torn tail so that new records follow the valid ones.
    if (index_.size() > index_end_) index_.truncate(index_end_);
    data_end_ = data_.size();
    sequence_ = any ? last_sequence + 1 : 0;
  }
  data_buffer_.reserve(options_.buffer_bytes);
}

void WriterLog::append(std::uint64_t dataset, std::uint64_t epoch, const Selection& selection,
                       std::span<const std::byte> data, std::uint64_t phase) {
  format::WriteRecord record;
  record.dataset = dataset;
  record.epoch = epoch;
  record.sequence = sequence_;
  record.data_length = data.size();
  record.selection = selection;
  std::tie(record.data_offset, record.data_checksum) = place_hashed(data, phase);
  ++sequence_;
  if (options_.own_writer) {
    add_index(format::RecordType::WriteFrom, format::encode(format::WriteFromRecord{*options_.own_writer, record}));
  } else {
    add_index(format::RecordType::Write, format::encode(record));
  }
}

format::RangeRecord WriterLog::append_range(std::uint64_t epoch, std::uint64_t address,
                                            std::span<const std::byte> data) {
  format::RangeRecord record;
  record.epoch = epoch;
  record.sequence = sequence_++;
  record.address = address;
  record.length = data.size();
  record.source = format::RangeSource::Data;
  std::tie(record.data_offset, record.data_checksum) = place_hashed(data, address % format::kDataAlignment);
  add_index(format::RecordType::Range, format::encode(record));
  return record;
}

format::RangeRecord WriterLog::append_range_elsewhere(std::uint64_t epoch, std::uint64_t address, std::uint64_t length,
                                                      format::RangeSource source, std::uint64_t checksum) {
  format::RangeRecord record;
  record.epoch = epoch;
  record.sequence = sequence_++;
  record.address = address;
  record.length = length;
  record.source = source;
  record.data_checksum = checksum;
  add_index(format::RecordType::Range, format::encode(record));
  return record;
}

format::EndRecord WriterLog::append_end(std::uint64_t epoch, std::uint64_t end) {
  const format::EndRecord record{epoch, sequence_++, end};
  add_index(format::RecordType::End, format::encode(record));
  return record;
}

bool WriterLog::direct(std::size_t bytes) const {
  // One pwrite of 64 KiB or more costs little next to copying it into the buffer first.
  return bytes >= std::min(options_.buffer_bytes / 2, kDirectWriteBytes);
}

std::uint64_t WriterLog::direct_offset(std::size_t bytes, std::uint64_t phase) {
  flush_data();  // what is buffered goes first: data stay in order
  return bytes >= kDirectWriteBytes ? aligned(data_end_, phase) : data_end_;
}

std::pair<std::uint64_t, std::uint64_t> WriterLog::place_hashed(std::span<const std::byte> data, std::uint64_t phase) {
  if (!direct(data.size())) {
    const std::uint64_t sum = format::checksum(data);
    return {place(data), sum};
  }
  // Each part is written while hashing has just brought it into the CPU's cache: the data cross
  // memory once. (Hashing a large write whole, then writing it, reads it from memory twice:
  // 8 MiB writes ran at 0.87-0.89 of POSIX at 4-8 ranks, 1 MiB ones at 0.96-1.0.)
  constexpr std::size_t kPartBytes = 1u << 20;
  const std::uint64_t offset = direct_offset(data.size(), phase);
  sum_.reset();
  for (std::size_t done = 0; done < data.size(); done += kPartBytes) {
    const auto part = data.subspan(done, std::min(kPartBytes, data.size() - done));
    sum_.update(part);
    data_.write_at(offset + done, part);
  }
  data_end_ = offset + data.size();
  return {offset, sum_.digest()};
}

std::uint64_t WriterLog::place(std::span<const std::byte> data) {
  if (direct(data.size())) {
    // Large: straight from the caller's memory.
    const std::uint64_t offset = direct_offset(data.size());
    data_.write_at(offset, data);
    data_end_ = offset + data.size();
    return offset;
  }
  if (data_buffer_.size() + data.size() > options_.buffer_bytes) flush_data();
  const std::uint64_t offset = data_end_ + data_buffer_.size();
  data_buffer_.insert(data_buffer_.end(), data.begin(), data.end());
  return offset;
}

void WriterLog::add_index(format::RecordType type, const format::Bytes& payload) {
  format::append_record(index_buffer_, type, payload);
  if (index_buffer_.size() >= options_.buffer_bytes) flush(false);
}

void WriterLog::append_from(format::WriteFromRecord record, std::span<const std::byte> data) {
  record.write.data_offset = place(data);
  add_index(format::RecordType::WriteFrom, format::encode(record));
}

std::uint64_t WriterLog::reserve(std::uint64_t length) {
  const std::uint64_t offset = direct_offset(length);
  data_end_ = offset + length;
  return offset;
}

void WriterLog::write_reserved(std::uint64_t offset, std::span<const std::byte> piece) {
  data_.write_at(offset, piece);
}

void WriterLog::commit(const format::WriteFromRecord& record) {
  add_index(format::RecordType::WriteFrom, format::encode(record));
}

void WriterLog::flush_data() {
  if (data_buffer_.empty()) return;
  data_.write_at(data_end_, data_buffer_);
  data_end_ += data_buffer_.size();
  data_buffer_.clear();
}

void WriterLog::flush(bool sync) {
  flush_data();
  if (sync) data_.sync();
  if (!index_buffer_.empty()) {
    index_.write_at(index_end_, index_buffer_);
    index_end_ += index_buffer_.size();
    index_buffer_.clear();
  }
  if (sync) index_.sync();
}

void WriterLog::close() {
  flush(false);
  data_.close();
  index_.close();
}

}  // namespace h5mf::container
