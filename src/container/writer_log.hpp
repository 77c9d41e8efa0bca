// One writer's two append-only files: `<w>` (data) and `<w>.offset` (index). The hot path of the
// whole library: small writes are gathered in a buffer, large writes go to the file straight from
// the caller's memory, and every write costs one checksum pass over its bytes and nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "format/checksum.hpp"
#include "format/encoding.hpp"
#include "format/header.hpp"
#include "format/range_records.hpp"
#include "format/records.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::container {

class WriterLog {
 public:
  // Writes of at least this many bytes (or half the buffer, if smaller) bypass the buffer.
  static constexpr std::size_t kDirectWriteBytes = format::kAlignedWriteBytes;
  struct Options {
    std::size_t buffer_bytes = 8u << 20;  // gathers writes smaller than kDirectWriteBytes
    // Aggregation: the file is the aggregator's data file, not its writer id, and append() records
    // the writes of writer `own_writer` as WRITE_FROM records.
    std::optional<std::uint32_t> own_writer;
  };

  // Creates the writer's files (new container) or reopens them for appending; reopening cuts a
  // torn index tail off (what a killed writer left) so that new records follow valid ones.
  // Claims the writer id with a lock: a second process with the same id gets an error.
  WriterLog(const Layout& layout, const format::ContainerId& container, std::uint32_t file, bool create,
            Options options);

  // Appends the element bytes of one write (already in the dataset's file type) and its record.
  // `phase`: where the bytes will start in the merged file, modulo format::kDataAlignment; a large
  // write is placed at that same offset within a block of the data file, so that a merge on a file
  // system with reflinks can share its whole blocks instead of copying them.
  void append(std::uint64_t dataset, std::uint64_t epoch, const Selection& selection, std::span<const std::byte> data,
              std::uint64_t phase = 0);

  // File-image containers (the HDF5 file driver): `data` at file address `address`, placed in the
  // data file at the same offset within a block as in the merged file (for reflinks); returns the
  // record as written.
  format::RangeRecord append_range(std::uint64_t epoch, std::uint64_t address, std::span<const std::byte> data);
  // A RANGE whose bytes are not in the data file (zeros, or metadata written into `image`).
  format::RangeRecord append_range_elsewhere(std::uint64_t epoch, std::uint64_t address, std::uint64_t length,
                                             format::RangeSource source, std::uint64_t checksum);
  format::EndRecord append_end(std::uint64_t epoch, std::uint64_t end);

  // Aggregation: another writer's write, whole (`record.write.data_offset` is set here).
  void append_from(format::WriteFromRecord record, std::span<const std::byte> data);
  // Another writer's write whose data arrive in pieces: reserve() its bytes in the data file,
  // write_reserved() the pieces, then commit() its record (which must come after its data).
  std::uint64_t reserve(std::uint64_t length);
  void write_reserved(std::uint64_t offset, std::span<const std::byte> piece);
  void commit(const format::WriteFromRecord& record);
  // Writes buffered data, then buffered index records (an index record never reaches the file
  // before its data); fsyncs both when `sync`.
  void flush(bool sync);
  void close();  // flush and close; throws on failure

  std::uint32_t file() const { return file_; }
  std::uint64_t records_written() const { return sequence_; }
  bool has_buffered() const { return !data_buffer_.empty() || !index_buffer_.empty(); }
  std::size_t buffered_bytes() const { return data_buffer_.size() + index_buffer_.size(); }

 private:
  void flush_data();
  bool direct(std::size_t bytes) const;  // written at once, bypassing the buffer
  // Where a direct write goes: after what is buffered (written out first), at `phase` within a block.
  std::uint64_t direct_offset(std::size_t bytes, std::uint64_t phase = 0);
  // Places `data` (copied into the buffer, or written at once when large); returns its offset.
  std::uint64_t place(std::span<const std::byte> data);
  // place() that also returns the checksum of `data`, a direct write hashed and written in parts.
  std::pair<std::uint64_t, std::uint64_t> place_hashed(std::span<const std::byte> data, std::uint64_t phase);
  void add_index(format::RecordType type, const format::Bytes& payload);
  std::uint32_t file_;
  Options options_;
  PosixFile data_, index_;
  std::uint64_t data_end_ = 0;   // file offset after the last byte written to `<w>`
  std::uint64_t index_end_ = 0;  // likewise for `<w>.offset`
  std::uint64_t sequence_ = 0;
  format::Bytes data_buffer_, index_buffer_, record_scratch_;
  format::Checksum sum_;
};

}  // namespace h5mf::container
