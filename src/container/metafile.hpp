// The metafile: the container's header and its structure log. Loaded by every process that opens
// a container; appended to by the coordinator (writer 0) only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "container/catalog.hpp"
#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "format/header.hpp"
#include "format/log.hpp"

namespace h5mf::container {

struct MetafileContents {
  format::FileHeader header;
  Catalog catalog;
  std::uint64_t valid_end = 0;              // where the next record goes
  std::optional<format::LogDamage> damage;  // dropped bytes at the end, if any
};

// Reads and checks the header, then applies every valid record to a catalog. A record that does
// not decode or contradicts the catalog ends the log there and is reported as damage, like a
// failed checksum. Throws FormatError for a bad header or a log with no SESSION record.
MetafileContents load_metafile(const Layout& layout);
// The same on the bytes of a whole metafile; `file` names it in errors.
MetafileContents parse_metafile(format::ByteView bytes, const std::string& file);
// Whether `layout` is a file-image container (Catalog::is_file_image), from the start of its
// metafile only: cheap enough to ask before choosing how to open a path. False for anything that
// is no container or whose metafile does not begin with a valid SESSION record (opening it then
// reports what is wrong).
bool is_file_image(const Layout& layout);

class MetafileAppender {
 public:
  // A new metafile (the file must not exist), header written at once.
  static MetafileAppender create(const Layout& layout, const format::ContainerId& id);
  // An existing one; a torn tail past `valid_end` is cut off first.
  static MetafileAppender reopen(const Layout& layout, std::uint64_t valid_end);

  void append(const format::StructureRecord& record);  // buffered
  void flush(bool sync);                               // writes the buffer out
  // Where the next record goes (counting buffered ones), and cutting the log back to such a point:
  // what ranks did not agree on must not stay in the container.
  std::uint64_t end() const { return end_ + buffer_.size(); }
  void truncate_to(std::uint64_t offset);

 private:
  MetafileAppender(PosixFile file, std::uint64_t end) : file_(std::move(file)), end_(end) {}
  PosixFile file_;
  std::uint64_t end_ = 0;
  format::Bytes buffer_;
};

}  // namespace h5mf::container
