#include "format/log.hpp"

#include <fmt/format.h>

#include "format/checksum.hpp"
#include "h5mf/error.hpp"

namespace h5mf::format {

// `payload` must not point into `out`: growing `out` may move it.
void append_record(Bytes& out, RecordType type, ByteView payload) {
  if (payload.size() > kMaxPayload) {
    throw InvalidArgument(
        fmt::format("record payload of {} bytes exceeds the maximum of {}", payload.size(), kMaxPayload));
  }
  const std::size_t at = out.size();
  out.resize(at + kRecordHeaderSize);
  out.insert(out.end(), payload.begin(), payload.end());
  std::byte* head = out.data() + at;
  put_u32(head + 8, static_cast<std::uint32_t>(payload.size()));
  put_u16(head + 12, static_cast<std::uint16_t>(type));
  put_u16(head + 14, 0);
  // Length, type, flags and payload are contiguous in `out`: one pass over them.
  put_u64(head, checksum(ByteView(head + 8, out.size() - at - 8)));
}

std::uint64_t read_log(ByteView bytes, std::uint64_t base_offset,
                       const std::function<void(const LogRecord&)>& on_record,
                       const std::function<void(const LogDamage&)>& on_damage) {
  std::size_t pos = 0;
  const auto damage = [&](bool torn, std::string reason) {
    if (on_damage) {
      on_damage(LogDamage{base_offset + pos, bytes.size() - pos, torn, std::move(reason)});
    }
    return base_offset + pos;
  };
  while (pos < bytes.size()) {
    const std::size_t left = bytes.size() - pos;
    if (left < kRecordHeaderSize) {
      return damage(true, fmt::format("incomplete record header: {} of {} bytes", left, kRecordHeaderSize));
    }
    const std::byte* head = bytes.data() + pos;
    const std::uint32_t length = get_u32(head + 8);
    const std::uint16_t type = get_u16(head + 12);
    const std::uint16_t flags = get_u16(head + 14);
    // No writer produces these, torn or not: they are damage even when they run past the end.
    if (length > kMaxPayload) {
      return damage(false, fmt::format("impossible record length {} (at most {})", length, kMaxPayload));
    }
    if (flags != 0) {
      return damage(false, fmt::format("record flags {:#06x}, format version 1 has none", flags));
    }
    if (length > left - kRecordHeaderSize) {
      return damage(true, fmt::format("record extends past end of file: {} payload bytes declared, "
                                      "{} present",
                                      length, left - kRecordHeaderSize));
    }
    const std::uint64_t stored = get_u64(head);
    const std::uint64_t computed = checksum(ByteView(head + 8, 8 + std::size_t{length}));
    if (stored != computed) {
      return damage(false, fmt::format("checksum mismatch: stored {:#018x}, computed {:#018x}", stored, computed));
    }
    if (on_record) {
      on_record(
          LogRecord{static_cast<RecordType>(type), ByteView(head + kRecordHeaderSize, length), base_offset + pos});
    }
    pos += kRecordHeaderSize + length;
  }
  return base_offset + pos;
}

}  // namespace h5mf::format
