#include "format/range_records.hpp"

#include <fmt/format.h>

#include "format/constants.hpp"
#include "format/records.hpp"

namespace h5mf::format {

Bytes encode(const RangeRecord& record) {
  Bytes payload;
  Encoder out(payload);
  out.u64(record.epoch);
  out.u64(record.sequence);
  out.u64(record.address);
  out.u64(record.length);
  out.u8(static_cast<std::uint8_t>(record.source));
  out.u64(record.data_offset);
  out.u64(record.data_checksum);
  return payload;
}

Bytes encode(const EndRecord& record) {
  Bytes payload;
  Encoder out(payload);
  out.u64(record.epoch);
  out.u64(record.sequence);
  out.u64(record.end);
  return payload;
}

RangeRecord decode_range(ByteView payload, const std::string& context) {
  Decoder in(payload, record_context(context, RecordType::Range));
  RangeRecord r;
  r.epoch = in.u64("epoch");
  r.sequence = in.u64("sequence");
  r.address = in.u64("address");
  r.length = in.u64("length");
  const std::uint8_t source = in.u8("source");
  if (source > static_cast<std::uint8_t>(RangeSource::Image)) in.fail(fmt::format("unknown source {}", source));
  r.source = static_cast<RangeSource>(source);
  r.data_offset = in.u64("data_offset");
  r.data_checksum = in.u64("data_checksum");
  in.finish();
  if (r.length > ~std::uint64_t{0} - r.address) {
    in.fail(fmt::format("address {} + length {} overflow", r.address, r.length));
  }
  if (r.source == RangeSource::Data && r.length > ~std::uint64_t{0} - r.data_offset) {
    in.fail(fmt::format("data_offset {} + length {} overflow", r.data_offset, r.length));
  }
  if (r.source != RangeSource::Data && r.data_offset != 0) {
    in.fail(fmt::format("a range without data in the data file has data_offset {}", r.data_offset));
  }
  return r;
}

EndRecord decode_end(ByteView payload, const std::string& context) {
  Decoder in(payload, record_context(context, RecordType::End));
  EndRecord r;
  r.epoch = in.u64("epoch");
  r.sequence = in.u64("sequence");
  r.end = in.u64("end");
  in.finish();
  return r;
}

std::string describe(const RangeRecord& r) {
  return fmt::format("RANGE record {} (epoch {}, {} bytes at file address {})", r.sequence, r.epoch, r.length,
                     r.address);
}

}  // namespace h5mf::format
