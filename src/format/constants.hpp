// Constants of container format version 1 (docs/format.md is the specification).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace h5mf::format {

inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 64;
inline constexpr std::size_t kRecordHeaderSize = 16;  // checksum u64, length u32, type u16, flags u16
inline constexpr std::uint32_t kMaxPayload = 256u << 20;
inline constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};
inline constexpr std::uint32_t kMaxRank = 32;  // as HDF5's H5S_MAX_RANK
// Writers start the data of a write of at least kAlignedWriteBytes at the offset within a block of
// this size that the bytes will have in the merged file (a multiple of it when unknown), so that
// the kernel copies whole pages (a write that starts mid-page costs a page lookup and the zeroing
// of a partial page, twice per write) and a merge on a file system with reflinks can share whole
// blocks. The bytes skipped, fewer than kDataAlignment, are a hole; readers never assume that
// records are adjacent.
inline constexpr std::uint64_t kDataAlignment = 4096;
inline constexpr std::uint64_t kAlignedWriteBytes = 64u << 10;

enum class FileKind : std::uint8_t { Meta, Index, Data };

// 8-byte magics at offset 0 of each file.
inline constexpr std::array<char, 8> kMagicMeta{'H', '5', 'M', 'F', 'M', 'E', 'T', 'A'};
inline constexpr std::array<char, 8> kMagicIndex{'H', '5', 'M', 'F', 'I', 'N', 'D', 'X'};
inline constexpr std::array<char, 8> kMagicData{'H', '5', 'M', 'F', 'D', 'A', 'T', 'A'};

enum class RecordType : std::uint16_t {
  Session = 1,
  CreateGroup = 2,
  CreateDataset = 3,
  SetAttribute = 4,
  DeleteAttribute = 5,
  Resize = 6,
  Base = 7,
  Link = 8,             // a hard link: a second name of an existing group or dataset
  Opened = 9,           // every writer of the session has created its file pair
  Unlink = 10,          // a name removed (h5py's del group[name], H5Ldelete)
  Move = 11,            // a name renamed (h5py's Group.move, H5Lmove)
  SoftLink = 12,        // a name that holds a path, resolved when used (H5Lcreate_soft)
  ExternalLink = 13,    // a name that holds another file's name and a path in it (H5Lcreate_external)
  DimensionScale = 14,  // a dimension scale attached to or detached from a dimension (H5DSattach_scale)
  DimensionLabel = 15,  // a dimension's label (H5DSset_label)
  Write = 16,
  WriteFrom = 17,  // WRITE of another writer, appended by its aggregator
  // File-image containers (the HDF5 file driver, docs/format.md "File-image containers"):
  Range = 18,      // bytes at a file address
  End = 19,        // the end of the file's allocated space (HDF5's EOA) at a flush or close
  NamedType = 20,  // a committed (named) datatype (H5Tcommit, h5py's group[name] = dtype)
};

// SESSION flags.
inline constexpr std::uint32_t kSessionAggregated = 1;  // a u32 data_files follows first_epoch
// The session's writers opened together (MPI ranks): each created its file pair (with aggregation,
// each aggregator its group's) before any returned from open, so a pair missing afterwards is lost.
inline constexpr std::uint32_t kSessionCollective = 2;
// A file-image container, written through the HDF5 file driver: `image` holds the HDF5 metadata
// at its addresses and the index files hold RANGE and END records (docs/format.md).
inline constexpr std::uint32_t kSessionImage = 4;

// CREATE_DATASET and SET_ATTRIBUTE flags (a trailing u32, written only when not zero).
// HDF5's null dataspace (H5S_NULL, h5py's Empty): no elements, no shape; rank 0 then.
inline constexpr std::uint32_t kNullDataspace = 1;
// CREATE_DATASET only: `fill` holds a variable-length value (u32 length + bytes). Builds that
// predate such fills would hand those bytes to HDF5 as a pointer; the flag makes them see damage.
inline constexpr std::uint32_t kVariableLengthFill = 2;
// CREATE_DATASET only: the type is a compound with variable-length members, whose WRITE records
// hold fixed bytes and slots per element. Builds that predate them would take the elements for
// fixed-size ones and hand HDF5 pointers made of their bytes; the flag makes them see damage.
inline constexpr std::uint32_t kVariableLengthMembers = 4;
// The dataset's or attribute's type is a named datatype, whose object id follows the flags.
inline constexpr std::uint32_t kNamedTypeLink = 8;
// SET_ATTRIBUTE only: the type is a sequence or a compound with variable-length members, whose
// `value` holds record data (slots, then bytes; format/vlen.hpp). Builds that predate them would
// take the value for fixed-size elements and hand HDF5 pointers made of its bytes; the flag makes
// them see damage.
inline constexpr std::uint32_t kVariableLengthElements = 16;

enum class SelectionKind : std::uint8_t { Hyperslab = 1, Points = 2 };

}  // namespace h5mf::format
