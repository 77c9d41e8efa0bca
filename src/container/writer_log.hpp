// One writer's two append-only files: `<w>` (data) and `<w>.offset` (index). The hot path of the
// whole library: small writes are gathered in a buffer, large writes go to the file straight from
// the caller's memory, and every write costs one checksum pass over its bytes and nothing else.
#pragma once

#include <cstdint>
#include <span>

#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "format/encoding.hpp"
#include "format/header.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::container {

class WriterLog {
 public:
  // Writes of at least this many bytes (or half the buffer, if smaller) bypass the buffer.
  static constexpr std::size_t kDirectWriteBytes = 64u << 10;
  struct Options {
    std::size_t buffer_bytes = 8u << 20;  // gathers writes smaller than kDirectWriteBytes
  };

  // Creates the writer's files (new container) or reopens them for appending; reopening cuts a
  // torn index tail off (what a killed writer left) so that new records follow valid ones.
  // Claims the writer id with a lock: a second process with the same id gets an error.
  WriterLog(const Layout& layout, const format::ContainerId& container, std::uint32_t writer,
            bool create, Options options);

  // Appends the element bytes of one write (already in the dataset's file type) and its record.
  void append(std::uint64_t dataset, std::uint64_t epoch, const Selection& selection,
              std::span<const std::byte> data);
  // Writes buffered data, then buffered index records (an index record never reaches the file
  // before its data); fsyncs both when `sync`.
  void flush(bool sync);
  void close();  // flush and close; throws on failure

  std::uint32_t writer() const { return writer_; }
  std::uint64_t records_written() const { return sequence_; }
  bool has_buffered() const { return !data_buffer_.empty() || !index_buffer_.empty(); }

 private:
  void flush_data();
  std::uint32_t writer_;
  Options options_;
  PosixFile data_, index_;
  std::uint64_t data_end_ = 0;   // file offset after the last byte written to `<w>`
  std::uint64_t index_end_ = 0;  // likewise for `<w>.offset`
  std::uint64_t sequence_ = 0;
  format::Bytes data_buffer_, index_buffer_, record_scratch_;
};

}  // namespace h5mf::container
