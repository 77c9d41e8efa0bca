// libFuzzer target: record payloads through the generic decoders (decode_structure for every
// metafile record type, decode_write for index records), decoded structure records applied to a
// catalog. The input is a list of records without checksums, each a u16 type, a u16 payload length
// and the payload (cut at the end of the input). Checks, besides "no crash, no sanitizer report,
// only FormatError": a payload that decodes encodes back to the same bytes (encodings are
// canonical: a reader and a writer agree on every byte), and the catalog stays a consistent tree.
#include "catalog_checks.hpp"
#include "format/records.hpp"
#include "fuzz_support.hpp"
#include "h5mf/error.hpp"
#include "selection/runs.hpp"

namespace {

using namespace h5mf;

void write_record(format::ByteView payload) {
  format::WriteRecord record;
  try {
    record = format::decode_write(payload, "fuzz");
  } catch (const FormatError&) {
    return;
  }
  const format::Bytes again = format::encode(record);
  FUZZ_CHECK(std::equal(again.begin(), again.end(), payload.begin(), payload.end()));
  // What the index derives from every record: a box that holds every selected element (an empty
  // one would hide the write from every read).
  const selection::Box box = selection::bounding_box(record.selection);
  FUZZ_CHECK(box.lo.size() == box.hi.size());
  bool selects = record.selection.kind() == Selection::Kind::Points ? record.selection.num_points() > 0 : true;
  if (record.selection.kind() == Selection::Kind::Hyperslab) {
    for (std::size_t d = 0; d < record.selection.rank(); ++d) {
      selects = selects && record.selection.slab().count[d] > 0 && record.selection.slab().block[d] > 0;
    }
  }
  FUZZ_CHECK(!selects || !box.empty());
}

void structure_record(container::Catalog& catalog, format::RecordType type, format::ByteView payload) {
  format::StructureRecord record;
  try {
    record = format::decode_structure(type, payload, "fuzz");
  } catch (const FormatError&) {
    return;
  }
  FUZZ_CHECK(format::record_type(record) == type);
  const format::Bytes again = format::encode(record);
  FUZZ_CHECK(std::equal(again.begin(), again.end(), payload.begin(), payload.end()));
  try {
    catalog.apply(record, "fuzz");
  } catch (const FormatError&) {
    // A record that contradicts the catalog: refused, the catalog unchanged.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const format::ByteView in = fuzz::input(data, size);
  container::Catalog catalog;
  std::size_t pos = 0;
  while (size - pos >= 4) {
    const auto type = static_cast<format::RecordType>(format::get_u16(in.data() + pos));
    const std::size_t length = std::min<std::size_t>(format::get_u16(in.data() + pos + 2), size - pos - 4);
    const format::ByteView payload = in.subspan(pos + 4, length);
    pos += 4 + length;
    if (type == format::RecordType::Write) {
      write_record(payload);
    } else {
      structure_record(catalog, type, payload);
    }
  }
  fuzz::check_catalog(catalog);
  return 0;
}
