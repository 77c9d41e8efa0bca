// The completion marker of a merge (docs/format.md): written into the container just before the
// merged file takes the container's place (or the base file's), it names the container and the
// merged file by identity (device, inode, size, modification time, checksum of its first bytes).
// A leftover is treated as "the container of a finished merge" only when its marker proves that
// the file now at the path is the one made from it; anything else stays where it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "format/header.hpp"

namespace h5mf::container {

struct MergeMarker {
  format::ContainerId container{};
  std::uint64_t device = 0, inode = 0, size = 0, mtime_ns = 0, head_checksum = 0;
  friend bool operator==(const MergeMarker&, const MergeMarker&) = default;
};

// `dir/merged`.
std::string merge_marker_path(const std::string& dir);
// The marker for `output` (complete and synced) made from container `id`.
MergeMarker describe_merge_output(const std::string& output, const format::ContainerId& id);
// Writes and syncs `dir/merged` (and `dir`).
void write_merge_marker(const std::string& dir, const MergeMarker& marker);
// nullopt when there is none, or it is not a marker this version writes.
std::optional<MergeMarker> read_merge_marker(const std::string& dir);
// Empty when `dir`'s marker proves that `file` is the merged file made from `dir` (and, while
// `dir` still has a metafile, that the marker belongs to it); else why not, for the report.
std::string merge_unproven(const std::string& dir, const std::string& file);

}  // namespace h5mf::container
