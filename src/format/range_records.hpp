// The index records of a file-image container (docs/format.md, "File-image containers"): what the
// HDF5 file driver logs per write. A container of this kind is a byte-addressed file, not a tree
// of datasets: each RANGE places `length` bytes at `address` of the file HDF5 sees.
#pragma once

#include <cstdint>
#include <string>

#include "format/encoding.hpp"

namespace h5mf::format {

// Where the bytes of a RANGE are.
enum class RangeSource : std::uint8_t {
  Data = 0,   // in the writer's data file `<w>`, at data_offset
  Zeros = 1,  // all zero (fill values HDF5 writes at allocation): no bytes stored
  Image = 2,  // HDF5 metadata, written in place into `image` at the same address
};

struct RangeRecord {
  std::uint64_t epoch = 0, sequence = 0;
  std::uint64_t address = 0, length = 0;
  RangeSource source = RangeSource::Data;
  std::uint64_t data_offset = 0;    // Data only
  std::uint64_t data_checksum = 0;  // of the bytes (Data and Image); 0 for Zeros
  friend bool operator==(const RangeRecord&, const RangeRecord&) = default;
};

// HDF5's end of allocated space when the driver was asked to truncate (flush and close): the size
// of the merged file.
struct EndRecord {
  std::uint64_t epoch = 0, sequence = 0;
  std::uint64_t end = 0;
  friend bool operator==(const EndRecord&, const EndRecord&) = default;
};

Bytes encode(const RangeRecord& record);
Bytes encode(const EndRecord& record);
// `context` names the file and offset; throw FormatError for what cannot be a record of this kind
// (an unknown source, address + length past 2^64, a Zeros record with data).
RangeRecord decode_range(ByteView payload, const std::string& context);
EndRecord decode_end(ByteView payload, const std::string& context);
// "RANGE record 3 (epoch 2, 4000 bytes at file address 6104)": how reports name one.
std::string describe(const RangeRecord& record);

}  // namespace h5mf::format
