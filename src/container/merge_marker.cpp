#include "container/merge_marker.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <span>
#include <sstream>
#include <vector>

#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "format/checksum.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

constexpr std::uint64_t kHeadBytes = 64 << 10;  // enough to tell two HDF5 files apart, cheap to read
constexpr const char* kFirstLine = "h5mf merged 1";

std::uint64_t head_checksum(const std::string& file, std::uint64_t size) {
  PosixFile f(file, PosixFile::Access::Read);
  std::vector<std::byte> head(std::min(size, kHeadBytes));
  f.read_at(0, head);
  return format::checksum(head);
}

std::optional<format::ContainerId> metafile_id(const std::string& dir) {
  const std::string metafile = Layout(dir).metafile();
  try {
    PosixFile f(metafile, PosixFile::Access::Read);
    std::vector<std::byte> bytes(std::min<std::uint64_t>(f.size(), format::kHeaderSize));
    f.read_at(0, bytes);
    return format::decode_header(bytes, format::FileKind::Meta, metafile).container;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::string merge_marker_path(const std::string& dir) { return dir + "/merged"; }

MergeMarker describe_merge_output(const std::string& output, const format::ContainerId& id) {
  struct stat st {};
  if (::stat(output.c_str(), &st) != 0) {
    throw IoError(fmt::format("cannot stat merged file '{}': {}", output, errno_text(errno)));
  }
  MergeMarker m;
  m.container = id;
  m.device = static_cast<std::uint64_t>(st.st_dev);
  m.inode = static_cast<std::uint64_t>(st.st_ino);
  m.size = static_cast<std::uint64_t>(st.st_size);
  m.mtime_ns =
      static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  m.head_checksum = head_checksum(output, m.size);
  return m;
}

void write_merge_marker(const std::string& dir, const MergeMarker& m) {
  const std::string text =
      fmt::format("{}\ncontainer {}\ndevice {}\ninode {}\nsize {}\nmtime_ns {}\nhead_xxh3 {:016x}\n", kFirstLine,
                  format::to_hex(m.container), m.device, m.inode, m.size, m.mtime_ns, m.head_checksum);
  PosixFile f(merge_marker_path(dir), PosixFile::Access::CreateTruncate);
  f.write_at(0, std::as_bytes(std::span(text.data(), text.size())));
  f.sync();
  f.close();
  sync_directory(dir);
}

std::optional<MergeMarker> read_merge_marker(const std::string& dir) {
  const std::string path = merge_marker_path(dir);
  if (!is_regular_file(path) || file_size(path) > 4096) return std::nullopt;
  std::vector<std::byte> bytes;
  try {
    bytes = PosixFile(path, PosixFile::Access::Read).read_all();
  } catch (const Error&) {
    return std::nullopt;
  }
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  std::string first, key, id, head;
  MergeMarker m;
  if (!std::getline(in, first) || first != kFirstLine) return std::nullopt;
  if (!(in >> key) || key != "container" || !(in >> id)) return std::nullopt;
  for (auto [name, field] : {std::pair{"device", &m.device}, std::pair{"inode", &m.inode}, std::pair{"size", &m.size},
                             std::pair{"mtime_ns", &m.mtime_ns}}) {
    if (!(in >> key) || key != name || !(in >> *field)) return std::nullopt;
  }
  if (!(in >> key) || key != "head_xxh3" || !(in >> std::hex >> m.head_checksum)) return std::nullopt;
  if (id.size() != 2 * m.container.size()) return std::nullopt;
  for (std::size_t i = 0; i < m.container.size(); ++i) {
    unsigned value = 0;
    if (std::sscanf(id.c_str() + 2 * i, "%2x", &value) != 1) return std::nullopt;
    m.container[i] = static_cast<std::byte>(value);
  }
  // While the container still has its metafile, the marker must be this container's.
  if (format::to_hex(m.container) != id) return std::nullopt;
  if (const auto own = metafile_id(dir); own && *own != m.container) return std::nullopt;
  return m;
}

std::string merge_unproven(const std::string& dir, const std::string& file) {
  const auto marker = read_merge_marker(dir);
  if (!marker) {
    return is_regular_file(merge_marker_path(dir))
               ? fmt::format("its marker '{}' is not a completion marker of this container", merge_marker_path(dir))
               : fmt::format("it has no completion marker '{}'", merge_marker_path(dir));
  }
  if (!is_regular_file(file)) return fmt::format("'{}' is not a regular file", file);
  const MergeMarker now = describe_merge_output(file, marker->container);
  if (now != *marker) {
    return fmt::format("its marker names another file than '{}' (size {} and inode {} recorded, {} and {} now)", file,
                       marker->size, marker->inode, now.size, now.inode);
  }
  return {};
}

}  // namespace h5mf::container
