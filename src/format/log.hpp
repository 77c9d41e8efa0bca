// Record framing for the metafile and the index files, in the spirit of LevelDB's log format:
// checksum, length and type in front of every payload; readers keep every whole record before the
// first damaged one and report the rest through a callback instead of guessing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "format/constants.hpp"
#include "format/encoding.hpp"

namespace h5mf::format {

// Appends one framed record (16-byte record header + payload) to `out`. Throws InvalidArgument if
// the payload exceeds kMaxPayload.
void append_record(Bytes& out, RecordType type, ByteView payload);

struct LogRecord {
  RecordType type;
  ByteView payload;      // points into the bytes given to read_log
  std::uint64_t offset;  // file offset of the record header
};

struct LogDamage {
  std::uint64_t offset = 0;  // file offset where damage starts
  std::uint64_t bytes = 0;   // bytes dropped from there to the end
  bool torn_tail = false;    // true: an incomplete last record (a killed writer); false: corruption
  std::string reason;        // "checksum mismatch", "record extends past end of file", ...
};

// Reads records from `bytes`, which hold a log file from `base_offset` on (normally the header
// size) to its end. Calls `on_record` for every valid record, in order, then `on_damage` at most
// once if anything after the last valid record was dropped. Returns the offset just past the last
// valid record (where an appender should continue). Never throws for damaged input. A record with
// an unknown type is passed to on_record (the caller decides).
// Torn vs corrupt: if the remaining bytes are fewer than a record header, or the first bad record
// declares a possible length (<= kMaxPayload) that runs past the end of `bytes`, it is a torn tail;
// an impossible length, nonzero flags or a failed checksum inside the file is corruption.
std::uint64_t read_log(ByteView bytes, std::uint64_t base_offset,
                       const std::function<void(const LogRecord&)>& on_record,
                       const std::function<void(const LogDamage&)>& on_damage);

}  // namespace h5mf::format
