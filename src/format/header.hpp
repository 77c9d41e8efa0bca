// The 64-byte header at the start of every container file (docs/format.md, "File headers").
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "format/constants.hpp"
#include "format/encoding.hpp"

namespace h5mf::format {

using ContainerId = std::array<std::byte, 16>;

ContainerId random_container_id();  // from the OS's random source
std::string to_hex(const ContainerId& id);

struct FileHeader {
  FileKind kind = FileKind::Meta;
  std::uint32_t version = kVersion;
  ContainerId container{};
  std::uint32_t writer = 0;
  friend bool operator==(const FileHeader&, const FileHeader&) = default;
};

std::array<std::byte, kHeaderSize> encode_header(const FileHeader& header);

// Decodes and checks a header. `file` names the file in errors. Throws FormatError for: fewer than
// 64 bytes ("truncated header"), wrong magic for `expected` ("not an h5mf metafile/index/data
// file"), checksum mismatch, header size != 64, version > kVersion ("written by a newer h5mf:
// format version N, this build reads up to 1").
FileHeader decode_header(ByteView bytes, FileKind expected, const std::string& file);

}  // namespace h5mf::format
