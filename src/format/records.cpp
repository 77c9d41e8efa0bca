#include "format/records.hpp"

#include <fmt/format.h>

#include "h5mf/error.hpp"

namespace h5mf::format {
namespace {

const char* type_name(RecordType type) {
  switch (type) {
    case RecordType::Session: return "SESSION";
    case RecordType::CreateGroup: return "CREATE_GROUP";
    case RecordType::CreateDataset: return "CREATE_DATASET";
    case RecordType::SetAttribute: return "SET_ATTRIBUTE";
    case RecordType::DeleteAttribute: return "DELETE_ATTRIBUTE";
    case RecordType::Resize: return "RESIZE";
    case RecordType::Base: return "BASE";
    case RecordType::Link: return "LINK";
    case RecordType::Opened: return "OPENED";
    case RecordType::Unlink: return "UNLINK";
    case RecordType::Move: return "MOVE";
    case RecordType::SoftLink: return "SOFT_LINK";
    case RecordType::ExternalLink: return "EXTERNAL_LINK";
    case RecordType::DimensionScale: return "DIMENSION_SCALE";
    case RecordType::DimensionLabel: return "DIMENSION_LABEL";
    case RecordType::NamedType: return "NAMED_TYPE";
    case RecordType::Write: return "WRITE";
    case RecordType::WriteFrom: return "WRITE_FROM";
    case RecordType::Range: return "RANGE";
    case RecordType::End: return "END";
  }
  return nullptr;
}

}  // namespace

std::string record_context(const std::string& context, RecordType type) {
  const char* name = type_name(type);
  return name != nullptr ? fmt::format("{}: {} record", context, name)
                         : fmt::format("{}: record type {}", context, static_cast<unsigned>(type));
}

namespace {

// Why `name` is not a single link name (docs/format.md), or nullptr if it is one.
const char* name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name == "." || name == "..") return "is '.' or '..'";
  if (name.find('/') != std::string_view::npos) return "contains '/'";
  if (name.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return nullptr;
}

// Printable form of an untrusted name for messages: NULs and control bytes escaped, bounded.
std::string quoted(std::string_view name) {
  std::string out = "'";
  for (std::size_t i = 0; i < name.size() && i < 80; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (name.size() > 80) out += "...";
  return out + "'";
}

void check_name_arg(std::string_view name, const char* what) {
  if (const char* problem = name_problem(name)) {
    throw InvalidArgument(fmt::format("{} name {} {}: it must be a single link name", what, quoted(name), problem));
  }
}

void check_rank_arg(std::size_t rank, const char* what) {
  if (rank > kMaxRank) {
    throw InvalidArgument(fmt::format("{} has rank {}, at most {} is supported", what, rank, kMaxRank));
  }
}

std::string decode_name(Decoder& in, const char* field) {
  std::string name = in.str(field);
  if (const char* problem = name_problem(name)) {
    in.fail(fmt::format("field '{}': name {} {}", field, quoted(name), problem));
  }
  return name;
}

std::uint32_t decode_rank(Decoder& in, const char* field) {
  const std::uint32_t rank = in.u32(field);
  if (rank > kMaxRank) {
    in.fail(fmt::format("field '{}': rank {} exceeds the maximum of {}", field, rank, kMaxRank));
  }
  return rank;
}

// Whether a selection reaches past coordinate 2^64 - 2, the last one a u64 exclusive bound (every
// extent and box) can hold: such elements lie in no dataset, and a box around them would wrap.
// Sets `dim` to the first dimension that does.
bool out_of_range(const Selection& s, std::size_t& dim) {
  if (s.kind() == Selection::Kind::Hyperslab) {
    const Hyperslab& slab = s.slab();
    for (std::size_t d = 0; d < slab.start.size(); ++d) {
      if (slab.count[d] == 0 || slab.block[d] == 0) return false;  // selects nothing
    }
    for (dim = 0; dim < slab.start.size(); ++dim) {
      std::uint64_t last_start = 0, end = 0;  // of the last block
      if (__builtin_mul_overflow(slab.count[dim] - 1, slab.stride[dim], &last_start) ||
          __builtin_add_overflow(slab.start[dim], last_start, &last_start) ||
          __builtin_add_overflow(last_start, slab.block[dim], &end)) {
        return true;
      }
    }
    return false;
  }
  const auto& flat = s.flat_points();
  for (std::size_t i = 0; i < flat.size(); ++i) {
    if (flat[i] == ~std::uint64_t{0}) {
      dim = i % s.rank();
      return true;
    }
  }
  return false;
}

// H5Sselect_hyperslab's rule: blocks of one dimension must not overlap.
const char* overlap_problem(const Hyperslab& slab, std::size_t& dim) {
  for (dim = 0; dim < slab.start.size(); ++dim) {
    if (slab.count[dim] > 1 && slab.block[dim] > slab.stride[dim]) return "blocks overlap";
  }
  return nullptr;
}

// ---- Encoders, one per structure record ----

void encode_payload(Encoder& out, const SessionRecord& r) {
  out.u64(r.session);
  out.u32(r.writers);
  out.u32(r.flags);
  out.u64(r.first_epoch);
  if (r.flags & kSessionAggregated) out.u32(r.data_files);
}

void encode_payload(Encoder& out, const CreateGroupRecord& r) {
  check_name_arg(r.name, "group");
  out.u64(r.epoch);
  out.u64(r.id);
  out.u64(r.parent);
  out.str(r.name);
}

void encode_payload(Encoder& out, const CreateDatasetRecord& r) {
  check_name_arg(r.name, "dataset");
  check_rank_arg(r.dims.size(), "dataset");
  if (r.maxdims.size() != r.dims.size()) {
    throw InvalidArgument(fmt::format("dataset {}: dims have rank {} but maxdims have rank {}", quoted(r.name),
                                      r.dims.size(), r.maxdims.size()));
  }
  if (!r.chunk.empty() && r.chunk.size() != r.dims.size()) {
    throw InvalidArgument(fmt::format("dataset {}: chunk has rank {} but the dataset has rank {}", quoted(r.name),
                                      r.chunk.size(), r.dims.size()));
  }
  out.u64(r.epoch);
  out.u64(r.id);
  out.u64(r.parent);
  out.str(r.name);
  out.blob(r.type);
  out.u32(static_cast<std::uint32_t>(r.dims.size()));
  out.extent(r.dims);
  out.extent(r.maxdims);
  out.blob(r.fill);
  out.u32(static_cast<std::uint32_t>(r.chunk.size()));
  out.extent(r.chunk);
  if (r.null && (!r.dims.empty() || !r.chunk.empty() || !r.filters.empty())) {
    throw InvalidArgument(
        fmt::format("dataset {}: a null dataspace has rank 0, no chunks and no filters", quoted(r.name)));
  }
  if (r.variable_length_fill && r.fill.empty()) {
    throw InvalidArgument(fmt::format("dataset {}: a variable-length fill flag without a fill value", quoted(r.name)));
  }
  if (r.variable_length_members && r.variable_length_fill) {
    throw InvalidArgument(fmt::format(
        "dataset {}: a compound with variable-length members takes its fill as one element, not a u32-length value",
        quoted(r.name)));
  }
  const std::uint32_t flags = (r.null ? kNullDataspace : 0) | (r.variable_length_fill ? kVariableLengthFill : 0) |
                              (r.variable_length_members ? kVariableLengthMembers : 0) |
                              (r.named_type ? kNamedTypeLink : 0);
  // Written only when there is a pipeline (or flags follow), so that unfiltered containers stay
  // readable by readers that predate the field.
  if (r.filters.empty() && flags == 0) return;
  if (!r.filters.empty() && r.chunk.empty()) {
    throw InvalidArgument(fmt::format("dataset {}: filters need a chunked dataset", quoted(r.name)));
  }
  out.u32(static_cast<std::uint32_t>(r.filters.size()));
  for (const auto& f : r.filters) {
    out.u32(f.id);
    out.u32(f.flags);
    out.u32(static_cast<std::uint32_t>(f.cd_values.size()));
    for (auto v : f.cd_values) out.u32(v);
  }
  if (flags != 0) out.u32(flags);  // written only when not zero
  if (r.named_type) out.u64(*r.named_type);
}

void encode_payload(Encoder& out, const SetAttributeRecord& r) {
  check_name_arg(r.name, "attribute");
  check_rank_arg(r.dims.size(), "attribute");
  out.u64(r.epoch);
  out.u64(r.id);
  out.str(r.name);
  out.blob(r.type);
  out.u32(static_cast<std::uint32_t>(r.dims.size()));
  out.extent(r.dims);
  out.blob(r.value);
  if (r.null && (!r.dims.empty() || !r.value.empty())) {
    throw InvalidArgument(fmt::format("attribute {}: a null dataspace has rank 0 and no value", quoted(r.name)));
  }
  const std::uint32_t flags = (r.null ? kNullDataspace : 0) | (r.named_type ? kNamedTypeLink : 0) |
                              (r.variable_length_elements ? kVariableLengthElements : 0);
  if (flags != 0) out.u32(flags);  // written only when not zero
  if (r.named_type) out.u64(*r.named_type);
}

void encode_payload(Encoder& out, const DeleteAttributeRecord& r) {
  check_name_arg(r.name, "attribute");
  out.u64(r.epoch);
  out.u64(r.id);
  out.str(r.name);
}

void encode_payload(Encoder& out, const ResizeRecord& r) {
  check_rank_arg(r.dims.size(), "resize");
  out.u64(r.epoch);
  out.u64(r.id);
  out.u32(static_cast<std::uint32_t>(r.dims.size()));
  out.extent(r.dims);
}

void encode_payload(Encoder& out, const BaseRecord& r) {
  check_name_arg(r.file, "base file");
  out.str(r.file);
  out.u64(r.size);
  out.u64(r.mtime_ns);
}

void encode_payload(Encoder& out, const LinkRecord& r) {
  check_name_arg(r.name, "link");
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
  out.u64(r.target);
}

void encode_payload(Encoder& out, const OpenedRecord& r) { out.u64(r.session); }

void encode_payload(Encoder& out, const UnlinkRecord& r) {
  check_name_arg(r.name, "unlinked");
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
}

void encode_payload(Encoder& out, const MoveRecord& r) {
  check_name_arg(r.name, "moved");
  check_name_arg(r.new_name, "new");
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
  out.u64(r.new_parent);
  out.str(r.new_name);
}

// A link value: any non-empty string without NUL (HDF5 stores it as given).
void check_link_value(std::string_view value, const char* what) {
  if (value.empty() || value.find('\0') != std::string_view::npos) {
    throw InvalidArgument(fmt::format("{} '{}' must be non-empty, without NUL characters", what, value));
  }
}

void encode_payload(Encoder& out, const SoftLinkRecord& r) {
  check_name_arg(r.name, "soft link");
  check_link_value(r.path, "soft link path");
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
  out.str(r.path);
}

void encode_payload(Encoder& out, const ExternalLinkRecord& r) {
  check_name_arg(r.name, "external link");
  check_link_value(r.file, "external link file");
  check_link_value(r.path, "external link path");
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
  out.str(r.file);
  out.str(r.path);
}

void encode_payload(Encoder& out, const DimensionScaleRecord& r) {
  out.u64(r.epoch);
  out.u64(r.dataset);
  out.u32(r.dim);
  out.u64(r.scale);
  out.u8(r.attach ? 1 : 0);
}

void encode_payload(Encoder& out, const DimensionLabelRecord& r) {
  if (r.label.find('\0') != std::string::npos) {
    throw InvalidArgument(fmt::format("dimension label '{}' holds a NUL character", r.label));
  }
  out.u64(r.epoch);
  out.u64(r.dataset);
  out.u32(r.dim);
  out.str(r.label);
}

void encode_payload(Encoder& out, const NamedTypeRecord& r) {
  check_name_arg(r.name, "named datatype");
  if (r.type.empty()) throw InvalidArgument(fmt::format("named datatype '{}' without a type", r.name));
  out.u64(r.epoch);
  out.u64(r.parent);
  out.str(r.name);
  out.blob(r.type);
  if (r.id) out.u64(*r.id);
}

// ---- Decoders ----

SessionRecord decode_session(Decoder& in) {
  SessionRecord r;
  r.session = in.u64("session");
  r.writers = in.u32("writers");
  r.flags = in.u32("flags");
  r.first_epoch = in.u64("first_epoch");
  if (r.flags & kSessionAggregated) {
    r.data_files = in.u32("data_files");
    if (r.data_files == 0 || r.data_files > r.writers) {
      in.fail(fmt::format("{} data files for {} writers", r.data_files, r.writers));
    }
  }
  return r;
}

CreateGroupRecord decode_create_group(Decoder& in) {
  CreateGroupRecord r;
  r.epoch = in.u64("epoch");
  r.id = in.u64("id");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  return r;
}

// The trailing `u32 flags` of CREATE_DATASET and SET_ATTRIBUTE: absent (older records, or no
// flag set) is no flag. Fewer than 4 bytes are left for finish() to report as trailing bytes;
// bits this build does not know (or that the record type does not take) are damage: it could not
// honour them.
std::uint32_t decode_flags(Decoder& in, std::uint32_t known) {
  if (in.remaining() < 4) return 0;
  const std::uint32_t flags = in.u32("flags");
  // One encoding per record: flags are written only when not zero.
  if (flags == 0) in.fail("field 'flags': 0 (flags are written only when not zero)");
  if (const std::uint32_t unknown = flags & ~known; unknown != 0) {
    in.fail(fmt::format("field 'flags': unknown bits {:#x}", unknown));
  }
  return flags;
}

CreateDatasetRecord decode_create_dataset(Decoder& in) {
  CreateDatasetRecord r;
  r.epoch = in.u64("epoch");
  r.id = in.u64("id");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.type = in.blob("type");
  const std::uint32_t rank = decode_rank(in, "rank");
  r.dims = in.extent(rank, "dims");
  r.maxdims = in.extent(rank, "maxdims");
  r.fill = in.blob("fill");
  const std::uint32_t chunk_rank = decode_rank(in, "chunk_rank");
  if (chunk_rank != 0 && chunk_rank != rank) {
    in.fail(fmt::format("field 'chunk_rank': {} for a dataset of rank {} (must be 0 or the rank)", chunk_rank, rank));
  }
  r.chunk = in.extent(chunk_rank, "chunk");
  // Written before filter pipelines (or by a writer with none): no filters. Fewer bytes than a
  // count are left for finish() to report as trailing bytes.
  if (in.remaining() < 4) return r;
  const std::uint32_t nfilters = in.u32("nfilters");
  if (chunk_rank == 0 && nfilters != 0) {
    in.fail(fmt::format("field 'nfilters': {} filters on a contiguous dataset", nfilters));
  }
  // Each filter takes at least 12 bytes: checked before allocating for an untrusted count.
  if (nfilters > in.remaining() / 12) {
    in.fail(fmt::format("field 'nfilters': {} filters need at least {} bytes, {} remain", nfilters,
                        std::uint64_t{nfilters} * 12, in.remaining()));
  }
  r.filters.resize(nfilters);
  for (auto& f : r.filters) {
    f.id = in.u32("filter id");
    f.flags = in.u32("filter flags");
    const std::uint32_t n = in.u32("filter cd_nelmts");
    if (n > in.remaining() / 4) {
      in.fail(fmt::format("field 'filter cd_nelmts': {} values of filter {} need {} bytes, {} remain", n, f.id,
                          std::uint64_t{n} * 4, in.remaining()));
    }
    f.cd_values.resize(n);
    for (auto& v : f.cd_values) v = in.u32("filter cd_values");
  }
  // One encoding per record: no filters are written as nothing, unless flags follow.
  if (nfilters == 0 && in.remaining() == 0) {
    in.fail("field 'nfilters': 0 with no flags after it (a record without filters ends after chunk)");
  }
  const std::uint32_t flags =
      decode_flags(in, kNullDataspace | kVariableLengthFill | kVariableLengthMembers | kNamedTypeLink);
  r.null = (flags & kNullDataspace) != 0;
  r.variable_length_fill = (flags & kVariableLengthFill) != 0;
  r.variable_length_members = (flags & kVariableLengthMembers) != 0;
  if (flags & kNamedTypeLink) r.named_type = in.u64("named_type");
  if (r.variable_length_fill && r.fill.empty()) {
    in.fail("field 'flags': a variable-length fill value flagged, but the fill is empty");
  }
  if (r.variable_length_members && r.variable_length_fill) {
    in.fail("field 'flags': a compound with variable-length members flagged with a variable-length fill value");
  }
  if (r.null && (rank != 0 || chunk_rank != 0 || nfilters != 0)) {
    in.fail(fmt::format("field 'flags': a null dataspace with rank {}, chunk_rank {} and {} filters (must be 0)", rank,
                        chunk_rank, nfilters));
  }
  return r;
}

SetAttributeRecord decode_set_attribute(Decoder& in) {
  SetAttributeRecord r;
  r.epoch = in.u64("epoch");
  r.id = in.u64("id");
  r.name = decode_name(in, "name");
  r.type = in.blob("type");
  const std::uint32_t rank = decode_rank(in, "rank");
  r.dims = in.extent(rank, "dims");
  r.value = in.blob("value");
  const std::uint32_t flags = decode_flags(in, kNullDataspace | kNamedTypeLink | kVariableLengthElements);
  r.null = (flags & kNullDataspace) != 0;
  r.variable_length_elements = (flags & kVariableLengthElements) != 0;
  if (flags & kNamedTypeLink) r.named_type = in.u64("named_type");
  if (r.null && (rank != 0 || !r.value.empty())) {
    in.fail(fmt::format("field 'flags': a null dataspace with rank {} and {} value bytes (must be 0)", rank,
                        r.value.size()));
  }
  return r;
}

DeleteAttributeRecord decode_delete_attribute(Decoder& in) {
  DeleteAttributeRecord r;
  r.epoch = in.u64("epoch");
  r.id = in.u64("id");
  r.name = decode_name(in, "name");
  return r;
}

ResizeRecord decode_resize(Decoder& in) {
  ResizeRecord r;
  r.epoch = in.u64("epoch");
  r.id = in.u64("id");
  const std::uint32_t rank = decode_rank(in, "rank");
  r.dims = in.extent(rank, "dims");
  return r;
}

BaseRecord decode_base(Decoder& in) {
  BaseRecord r;
  r.file = decode_name(in, "file");
  r.size = in.u64("size");
  r.mtime_ns = in.u64("mtime_ns");
  return r;
}

LinkRecord decode_link(Decoder& in) {
  LinkRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.target = in.u64("target");
  return r;
}

OpenedRecord decode_opened(Decoder& in) {
  OpenedRecord r;
  r.session = in.u64("session");
  return r;
}

UnlinkRecord decode_unlink(Decoder& in) {
  UnlinkRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  return r;
}

std::string decode_link_value(Decoder& in, const char* field) {
  std::string value = in.str(field);
  if (value.empty() || value.find('\0') != std::string::npos) in.fail(fmt::format("{} is empty or holds a NUL", field));
  return value;
}

SoftLinkRecord decode_soft_link(Decoder& in) {
  SoftLinkRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.path = decode_link_value(in, "path");
  return r;
}

ExternalLinkRecord decode_external_link(Decoder& in) {
  ExternalLinkRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.file = decode_link_value(in, "file");
  r.path = decode_link_value(in, "path");
  return r;
}

std::uint32_t decode_dim(Decoder& in) {
  const std::uint32_t dim = in.u32("dim");
  if (dim >= kMaxRank) in.fail(fmt::format("field 'dim': {} is not below the largest rank {}", dim, kMaxRank));
  return dim;
}

DimensionScaleRecord decode_dimension_scale(Decoder& in) {
  DimensionScaleRecord r;
  r.epoch = in.u64("epoch");
  r.dataset = in.u64("dataset");
  r.dim = decode_dim(in);
  r.scale = in.u64("scale");
  const std::uint8_t attach = in.u8("attach");
  if (attach > 1) in.fail(fmt::format("field 'attach': {} is neither 0 (detach) nor 1 (attach)", attach));
  r.attach = attach == 1;
  return r;
}

DimensionLabelRecord decode_dimension_label(Decoder& in) {
  DimensionLabelRecord r;
  r.epoch = in.u64("epoch");
  r.dataset = in.u64("dataset");
  r.dim = decode_dim(in);
  r.label = in.str("label");
  if (r.label.find('\0') != std::string::npos) in.fail("field 'label' holds a NUL");
  return r;
}

NamedTypeRecord decode_named_type(Decoder& in) {
  NamedTypeRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.type = in.blob("type");
  if (r.type.empty()) in.fail("a named datatype without a type");
  // Written before named datatypes had ids: none. Fewer than 8 bytes are trailing bytes.
  if (in.remaining() >= 8) r.id = in.u64("id");
  return r;
}

MoveRecord decode_move(Decoder& in) {
  MoveRecord r;
  r.epoch = in.u64("epoch");
  r.parent = in.u64("parent");
  r.name = decode_name(in, "name");
  r.new_parent = in.u64("new_parent");
  r.new_name = decode_name(in, "new_name");
  return r;
}

}  // namespace

RecordType record_type(const StructureRecord& record) {
  struct Visitor {
    RecordType operator()(const SessionRecord&) const { return RecordType::Session; }
    RecordType operator()(const CreateGroupRecord&) const { return RecordType::CreateGroup; }
    RecordType operator()(const CreateDatasetRecord&) const { return RecordType::CreateDataset; }
    RecordType operator()(const SetAttributeRecord&) const { return RecordType::SetAttribute; }
    RecordType operator()(const DeleteAttributeRecord&) const { return RecordType::DeleteAttribute; }
    RecordType operator()(const ResizeRecord&) const { return RecordType::Resize; }
    RecordType operator()(const BaseRecord&) const { return RecordType::Base; }
    RecordType operator()(const LinkRecord&) const { return RecordType::Link; }
    RecordType operator()(const OpenedRecord&) const { return RecordType::Opened; }
    RecordType operator()(const UnlinkRecord&) const { return RecordType::Unlink; }
    RecordType operator()(const MoveRecord&) const { return RecordType::Move; }
    RecordType operator()(const SoftLinkRecord&) const { return RecordType::SoftLink; }
    RecordType operator()(const ExternalLinkRecord&) const { return RecordType::ExternalLink; }
    RecordType operator()(const DimensionScaleRecord&) const { return RecordType::DimensionScale; }
    RecordType operator()(const DimensionLabelRecord&) const { return RecordType::DimensionLabel; }
    RecordType operator()(const NamedTypeRecord&) const { return RecordType::NamedType; }
  };
  return std::visit(Visitor{}, record);
}

Bytes encode(const StructureRecord& record) {
  Bytes payload;
  Encoder out(payload);
  std::visit([&out](const auto& r) { encode_payload(out, r); }, record);
  return payload;
}

namespace {
void encode_write(Encoder& out, const WriteRecord& record) {
  out.u64(record.dataset);
  out.u64(record.epoch);
  out.u64(record.sequence);
  out.u64(record.data_offset);
  out.u64(record.data_length);
  out.u64(record.data_checksum);
  encode_selection(out, record.selection);
}
}  // namespace

Bytes encode(const WriteRecord& record) {
  Bytes payload;
  Encoder out(payload);
  encode_write(out, record);
  return payload;
}

Bytes encode(const WriteFromRecord& record) {
  Bytes payload;
  Encoder out(payload);
  out.u32(record.writer);
  encode_write(out, record.write);
  return payload;
}

void encode_selection(Encoder& out, const Selection& selection) {
  const std::size_t rank = selection.rank();
  switch (selection.kind()) {
    case Selection::Kind::All:
      throw InvalidArgument("cannot encode Selection::all(): resolve it against the dataset shape first");
    case Selection::Kind::Hyperslab: {
      check_rank_arg(rank, "selection");
      const Hyperslab& slab = selection.slab();
      std::size_t dim = 0;
      if (overlap_problem(slab, dim) != nullptr) {
        throw InvalidArgument(fmt::format("cannot encode {}: blocks overlap in dimension {} (block {} > stride {})",
                                          selection.describe(), dim, slab.block[dim], slab.stride[dim]));
      }
      out.u8(static_cast<std::uint8_t>(SelectionKind::Hyperslab));
      out.u8(static_cast<std::uint8_t>(rank));
      out.u16(0);
      out.extent(slab.start);
      out.extent(slab.stride);
      out.extent(slab.count);
      out.extent(slab.block);
      return;
    }
    case Selection::Kind::Points: {
      check_rank_arg(rank, "selection");
      out.u8(static_cast<std::uint8_t>(SelectionKind::Points));
      out.u8(static_cast<std::uint8_t>(rank));
      out.u16(0);
      out.u64(selection.num_points());
      out.extent(selection.flat_points());
      return;
    }
  }
  throw InvalidArgument("cannot encode a selection of unknown kind");
}

Selection decode_selection(Decoder& in) {
  const std::uint8_t kind = in.u8("selection kind");
  const std::uint8_t rank = in.u8("selection rank");
  const std::uint16_t zero = in.u16("selection reserved");
  if (kind != static_cast<std::uint8_t>(SelectionKind::Hyperslab) &&
      kind != static_cast<std::uint8_t>(SelectionKind::Points)) {
    in.fail(fmt::format("field 'selection kind': unknown kind {} (1 hyperslab, 2 points)", kind));
  }
  if (rank > kMaxRank) {
    in.fail(fmt::format("field 'selection rank': rank {} exceeds the maximum of {}", rank, kMaxRank));
  }
  if (zero != 0) {
    in.fail(fmt::format("field 'selection reserved': {:#06x}, must be zero", zero));
  }
  if (kind == static_cast<std::uint8_t>(SelectionKind::Hyperslab)) {
    Extent start = in.extent(rank, "start");
    Extent stride = in.extent(rank, "stride");
    Extent count = in.extent(rank, "count");
    Extent block = in.extent(rank, "block");
    Selection s = Selection::hyperslab(std::move(start), std::move(count), std::move(stride), std::move(block));
    std::size_t dim = 0;
    if (overlap_problem(s.slab(), dim) != nullptr) {
      in.fail(fmt::format("hyperslab blocks overlap in dimension {} (count {}, block {} > stride {})", dim,
                          s.slab().count[dim], s.slab().block[dim], s.slab().stride[dim]));
    }
    if (out_of_range(s, dim)) {
      in.fail(
          fmt::format("hyperslab reaches past coordinate 2^64 - 2 in dimension {} (start {}, stride {}, "
                      "count {}, block {})",
                      dim, s.slab().start[dim], s.slab().stride[dim], s.slab().count[dim], s.slab().block[dim]));
    }
    return s;
  }
  const std::uint64_t n = in.u64("n");
  if (rank == 0) {
    // A Selection cannot hold points without coordinates; encoders write n = 0 for rank 0.
    if (n != 0) in.fail(fmt::format("field 'n': {} points of rank 0", n));
    return Selection::points(0, {});
  }
  // Checked before allocating: n is untrusted, and n * rank * 8 could overflow.
  if (n > in.remaining() / (std::uint64_t{8} * rank)) {
    in.fail(
        fmt::format("field 'n': {} points of rank {} need {} bytes, {} remain", n, rank,
                    n > ~std::uint64_t{0} / (8u * rank) ? std::string("more than 2^64") : std::to_string(n * 8u * rank),
                    in.remaining()));
  }
  std::vector<std::uint64_t> flat(static_cast<std::size_t>(n) * rank);
  for (auto& v : flat) v = in.u64("points");
  Selection s = Selection::points(rank, std::move(flat));
  std::size_t dim = 0;
  if (out_of_range(s, dim)) in.fail(fmt::format("a point's coordinate {} is 2^64 - 1", dim));
  return s;
}

StructureRecord decode_structure(RecordType type, ByteView payload, const std::string& context) {
  Decoder in(payload, record_context(context, type));
  StructureRecord record;
  switch (type) {
    case RecordType::Session: record = decode_session(in); break;
    case RecordType::CreateGroup: record = decode_create_group(in); break;
    case RecordType::CreateDataset: record = decode_create_dataset(in); break;
    case RecordType::SetAttribute: record = decode_set_attribute(in); break;
    case RecordType::DeleteAttribute: record = decode_delete_attribute(in); break;
    case RecordType::Resize: record = decode_resize(in); break;
    case RecordType::Base: record = decode_base(in); break;
    case RecordType::Link: record = decode_link(in); break;
    case RecordType::Opened: record = decode_opened(in); break;
    case RecordType::Unlink: record = decode_unlink(in); break;
    case RecordType::Move: record = decode_move(in); break;
    case RecordType::SoftLink: record = decode_soft_link(in); break;
    case RecordType::ExternalLink: record = decode_external_link(in); break;
    case RecordType::DimensionScale: record = decode_dimension_scale(in); break;
    case RecordType::DimensionLabel: record = decode_dimension_label(in); break;
    case RecordType::NamedType: record = decode_named_type(in); break;
    case RecordType::Write:
    case RecordType::WriteFrom: in.fail("a WRITE record is not a structure record (it belongs in an index file)");
    default: in.fail("unknown record type for a metafile");
  }
  in.finish();
  return record;
}

namespace {
WriteRecord decode_write_fields(Decoder& in) {
  WriteRecord r;
  r.dataset = in.u64("dataset");
  r.epoch = in.u64("epoch");
  r.sequence = in.u64("sequence");
  r.data_offset = in.u64("data_offset");
  r.data_length = in.u64("data_length");
  r.data_checksum = in.u64("data_checksum");
  if (r.data_length > ~std::uint64_t{0} - r.data_offset) {
    in.fail(fmt::format("data_offset {} + data_length {} overflow", r.data_offset, r.data_length));
  }
  r.selection = decode_selection(in);
  return r;
}
}  // namespace

WriteRecord decode_write(ByteView payload, const std::string& context) {
  Decoder in(payload, record_context(context, RecordType::Write));
  WriteRecord r = decode_write_fields(in);
  in.finish();
  return r;
}

WriteFromRecord decode_write_from(ByteView payload, const std::string& context) {
  Decoder in(payload, record_context(context, RecordType::WriteFrom));
  WriteFromRecord r;
  r.writer = in.u32("writer");
  r.write = decode_write_fields(in);
  in.finish();
  return r;
}

}  // namespace h5mf::format
