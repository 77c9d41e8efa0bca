// What the fuzz targets share: their input as bytes, checksums made to hold (so that mutations
// reach the decoders instead of stopping at the first checksum), and a check that aborts, which
// libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "format/checksum.hpp"
#include "format/constants.hpp"
#include "format/encoding.hpp"
#include "format/header.hpp"

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace h5mf::fuzz {

inline format::ByteView input(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

// Rewrites the checksum of every record of a framed log (format/log.hpp) whose length fits in
// `log`, in place, from the first record on; stops at the first that does not fit.
inline void fix_record_checksums(std::span<std::byte> log) {
  std::size_t pos = 0;
  while (log.size() - pos >= format::kRecordHeaderSize) {
    std::byte* head = log.data() + pos;
    const std::uint32_t length = format::get_u32(head + 8);
    if (length > log.size() - pos - format::kRecordHeaderSize) return;
    format::put_u64(head, format::checksum(format::ByteView(head + 8, 8 + std::size_t{length})));
    pos += format::kRecordHeaderSize + length;
  }
}

// A container file from fuzz input (inputs are whole files, seeds real ones): the header's
// checksum and the record checksums of the log after it made to hold. Inputs shorter than a header
// stay as they are (truncated headers are damage too).
inline format::Bytes container_file(format::ByteView in) {
  format::Bytes bytes(in.begin(), in.end());
  if (bytes.size() < format::kHeaderSize) return bytes;
  constexpr std::size_t kChecksumAt = 56;  // docs/format.md, "File headers"
  format::put_u64(bytes.data() + kChecksumAt, format::checksum(format::ByteView(bytes).first(kChecksumAt)));
  fix_record_checksums(std::span(bytes).subspan(format::kHeaderSize));
  return bytes;
}

// The same for a file that must belong to writer `writer` of `container`: those header fields set.
inline format::Bytes container_file(format::ByteView in, const format::ContainerId& container, std::uint32_t writer) {
  format::Bytes bytes(in.begin(), in.end());
  if (bytes.size() >= format::kHeaderSize) {
    std::copy(container.begin(), container.end(), bytes.begin() + 16);
    format::put_u32(bytes.data() + 32, writer);
  }
  return container_file(bytes);
}

}  // namespace h5mf::fuzz
