// The payloads of metafile and index records (docs/format.md): plain structs with encode/decode.
// Decoders throw FormatError through a Decoder whose context names file and offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "format/constants.hpp"
#include "format/encoding.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::format {

struct SessionRecord {
  std::uint64_t session = 0;
  std::uint32_t writers = 0;
  std::uint32_t flags = 0;
  std::uint64_t first_epoch = 0;
  // With kSessionAggregated in flags: the writers funnel into data files 0 .. data_files-1.
  std::uint32_t data_files = 0;
  friend bool operator==(const SessionRecord&, const SessionRecord&) = default;
};

struct CreateGroupRecord {
  std::uint64_t epoch = 0, id = 0, parent = 0;
  std::string name;
  friend bool operator==(const CreateGroupRecord&, const CreateGroupRecord&) = default;
};

struct CreateDatasetRecord {
  std::uint64_t epoch = 0, id = 0, parent = 0;
  std::string name;
  Bytes type;              // H5Tencode of the file type
  Extent dims, maxdims;    // same rank; kUnlimited in maxdims for unlimited
  Bytes fill;              // one element in the file type, or empty for all-zero
  Extent chunk;            // empty: contiguous
  FilterPipeline filters;  // a trailing field: absent (older containers) decodes as none
  // HDF5's null dataspace (h5py's Empty): rank 0, contiguous, no filters. A trailing flag
  // (kNullDataspace), absent from older records.
  bool null = false;
  // `fill` is a variable-length value (kVariableLengthFill): set with every such fill.
  bool variable_length_fill = false;
  // The type is a compound with variable-length members (kVariableLengthMembers): set with every
  // such type.
  bool variable_length_members = false;
  // The object id of the named datatype the dataset was made with (h5py's `dtype=f['t']`): a
  // trailing field after the flags (kNamedTypeLink); `type` is that named datatype's type.
  std::optional<std::uint64_t> named_type = std::nullopt;
  friend bool operator==(const CreateDatasetRecord&, const CreateDatasetRecord&) = default;
};

struct SetAttributeRecord {
  std::uint64_t epoch = 0, id = 0;
  std::string name;
  Bytes type;   // H5Tencode of the file type
  Extent dims;  // empty: scalar (or null)
  Bytes value;
  bool null = false;  // HDF5's null dataspace (h5py's Empty): dims and value empty
  // The object id of the named datatype the attribute was made with (h5py's attrs.create(...,
  // dtype=f['t'])): a trailing field after the flags (kNamedTypeLink); `type` is its type.
  std::optional<std::uint64_t> named_type = std::nullopt;
  // `value` holds variable-length elements as record data (kVariableLengthElements): set with
  // every attribute of a sequence type or a compound with variable-length members.
  bool variable_length_elements = false;
  friend bool operator==(const SetAttributeRecord&, const SetAttributeRecord&) = default;
};

struct DeleteAttributeRecord {
  std::uint64_t epoch = 0, id = 0;
  std::string name;
  friend bool operator==(const DeleteAttributeRecord&, const DeleteAttributeRecord&) = default;
};

struct ResizeRecord {
  std::uint64_t epoch = 0, id = 0;
  Extent dims;
  friend bool operator==(const ResizeRecord&, const ResizeRecord&) = default;
};

// The container extends an existing HDF5 file (docs/format.md): its name beside the container and
// what it looked like when the container was made.
struct BaseRecord {
  std::string file;
  std::uint64_t size = 0, mtime_ns = 0;
  friend bool operator==(const BaseRecord&, const BaseRecord&) = default;
};

// A hard link: `name` in group `parent` is one more name of object `target` (h5py's
// `f['alias'] = f['orig']`, H5Lcreate_hard).
struct LinkRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name;
  std::uint64_t target = 0;
  friend bool operator==(const LinkRecord&, const LinkRecord&) = default;
};

// The open of session `session` (a COLLECTIVE one) has completed: every writer (aggregator) has
// created its file pair, so a pair missing later is a loss even when the session recorded no
// structure change (a file-image session never does).
struct OpenedRecord {
  std::uint64_t session = 0;
  friend bool operator==(const OpenedRecord&, const OpenedRecord&) = default;
};

// `name` in group `parent` is no longer a name (h5py's `del group[name]`, H5Ldelete). The object
// it named stays while another name reaches it; one no name reaches is not in the merged file.
struct UnlinkRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name;
  friend bool operator==(const UnlinkRecord&, const UnlinkRecord&) = default;
};

// `name` in group `parent` becomes `new_name` in group `new_parent`, naming the same object
// (h5py's Group.move, H5Lmove).
struct MoveRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name;
  std::uint64_t new_parent = 0;
  std::string new_name;
  friend bool operator==(const MoveRecord&, const MoveRecord&) = default;
};

// A soft link (h5py's `group[name] = h5py.SoftLink(path)`, H5Lcreate_soft): `name` in group
// `parent` holds `path` (absolute, or relative to `parent`), resolved when it is used; it may dangle.
struct SoftLinkRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name, path;
  friend bool operator==(const SoftLinkRecord&, const SoftLinkRecord&) = default;
};

// An external link (h5py's ExternalLink, H5Lcreate_external): `name` in group `parent` names
// object `path` of HDF5 file `file`, as HDF5 stores and resolves it.
struct ExternalLinkRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name, file, path;
  friend bool operator==(const ExternalLinkRecord&, const ExternalLinkRecord&) = default;
};

// Dataset `scale` attached to (`attach`) or detached from dimension `dim` of dataset `dataset`
// (h5py's dims[dim].attach_scale / detach_scale, H5DSattach_scale / H5DSdetach_scale).
struct DimensionScaleRecord {
  std::uint64_t epoch = 0, dataset = 0;
  std::uint32_t dim = 0;
  std::uint64_t scale = 0;
  bool attach = true;
  friend bool operator==(const DimensionScaleRecord&, const DimensionScaleRecord&) = default;
};

// Dimension `dim` of dataset `dataset` is labelled `label` (h5py's dims[dim].label = ..., H5DSset_label).
struct DimensionLabelRecord {
  std::uint64_t epoch = 0, dataset = 0;
  std::uint32_t dim = 0;
  std::string label;
  friend bool operator==(const DimensionLabelRecord&, const DimensionLabelRecord&) = default;
};

// A committed (named) datatype (h5py's `group[name] = numpy.dtype(...)`, H5Tcommit): `name` in
// group `parent` holds `type`, encoded by H5Tencode (a file type). `id`, a trailing field absent
// from older records, makes it an object that attributes and datasets can name.
struct NamedTypeRecord {
  std::uint64_t epoch = 0, parent = 0;
  std::string name;
  Bytes type;
  std::optional<std::uint64_t> id = std::nullopt;
  friend bool operator==(const NamedTypeRecord&, const NamedTypeRecord&) = default;
};

using StructureRecord =
    std::variant<SessionRecord, CreateGroupRecord, CreateDatasetRecord, SetAttributeRecord, DeleteAttributeRecord,
                 ResizeRecord, BaseRecord, LinkRecord, OpenedRecord, UnlinkRecord, MoveRecord, SoftLinkRecord,
                 ExternalLinkRecord, DimensionScaleRecord, DimensionLabelRecord, NamedTypeRecord>;

struct WriteRecord {
  std::uint64_t dataset = 0, epoch = 0, sequence = 0;
  std::uint64_t data_offset = 0, data_length = 0, data_checksum = 0;
  Selection selection;  // a resolved Hyperslab or Points selection
  friend bool operator==(const WriteRecord&, const WriteRecord&) = default;
};

// WRITE_FROM: a WRITE of writer `writer`, in the index of the data file it lives in (aggregation).
struct WriteFromRecord {
  std::uint32_t writer = 0;
  WriteRecord write;
  friend bool operator==(const WriteFromRecord&, const WriteFromRecord&) = default;
};

RecordType record_type(const StructureRecord& record);
// "<context>: WRITE record": how decoders name a record in their errors.
std::string record_context(const std::string& context, RecordType type);
Bytes encode(const StructureRecord& record);
Bytes encode(const WriteRecord& record);
Bytes encode(const WriteFromRecord& record);
void encode_selection(Encoder& out, const Selection& selection);
Selection decode_selection(Decoder& in);

// `context` names the file and offset for error messages.
StructureRecord decode_structure(RecordType type, ByteView payload, const std::string& context);
WriteRecord decode_write(ByteView payload, const std::string& context);
WriteFromRecord decode_write_from(ByteView payload, const std::string& context);

}  // namespace h5mf::format
