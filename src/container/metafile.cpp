#include "container/metafile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "h5mf/error.hpp"

namespace h5mf::container {

MetafileContents load_metafile(const Layout& layout) {
  PosixFile file(layout.metafile(), PosixFile::Access::Read);
  return parse_metafile(file.read_all(), layout.metafile());
}

bool is_file_image(const Layout& layout) {
  // The first SESSION record is the first record: a few dozen bytes after the header.
  constexpr std::uint64_t kStart = 4096;
  if (!layout.is_container()) return false;
  try {
    const PosixFile file(layout.metafile(), PosixFile::Access::Read);
    std::vector<std::byte> bytes(static_cast<std::size_t>(std::min(file.size(), kStart)));
    file.read_at(0, bytes);
    return parse_metafile(bytes, layout.metafile()).catalog.is_file_image();  // a cut record: damage, ignored
  } catch (const Error&) {
    return false;
  }
}

MetafileContents parse_metafile(format::ByteView bytes, const std::string& file) {
  MetafileContents contents;
  contents.header = format::decode_header(bytes, format::FileKind::Meta, file);

  const format::ByteView log = format::ByteView(bytes).subspan(format::kHeaderSize);
  bool stopped = false;
  std::uint64_t stop_offset = 0;
  std::string stop_reason;
  const std::uint64_t end = format::read_log(
      log, format::kHeaderSize,
      [&](const format::LogRecord& r) {
        if (stopped) return;
        const std::string context = fmt::format("{} at offset {}", file, r.offset);
        try {
          contents.catalog.apply(format::decode_structure(r.type, r.payload, context), context);
          contents.valid_end = r.offset + format::kRecordHeaderSize + r.payload.size();
        } catch (const FormatError& e) {
          // A record that passed its checksum but makes no sense: trust nothing after it.
          stopped = true;
          stop_offset = r.offset;
          stop_reason = e.what();
        }
      },
      [&](const format::LogDamage& d) { contents.damage = d; });
  if (!stopped) contents.valid_end = end;
  if (stopped) {
    contents.damage = format::LogDamage{stop_offset, bytes.size() - stop_offset, false, stop_reason};
  }
  if (contents.catalog.sessions().empty()) {
    throw FormatError(fmt::format("'{}' holds no session record: not a usable h5mf container{}", file,
                                  contents.damage ? " (" + contents.damage->reason + ")" : ""));
  }
  return contents;
}

namespace {

// The coordinator holds the metafile locked while it may append: a second coordinator is refused
// before it can change a byte.
void claim(PosixFile& file, const Layout& layout) {
  if (!file.try_lock()) {
    throw InvalidArgument(
        fmt::format("container '{}': writer id 0 (the coordinator) is already in use by another "
                    "process ('{}' is locked)",
                    layout.path(), file.path()));
  }
}

}  // namespace

MetafileAppender MetafileAppender::create(const Layout& layout, const format::ContainerId& id) {
  PosixFile file(layout.metafile(), PosixFile::Access::CreateExclusive);
  claim(file, layout);
  const auto header = format::encode_header({format::FileKind::Meta, format::kVersion, id, 0});
  file.write_at(0, header);
  return MetafileAppender(std::move(file), format::kHeaderSize);
}

MetafileAppender MetafileAppender::reopen(const Layout& layout, std::uint64_t valid_end) {
  PosixFile file(layout.metafile(), PosixFile::Access::ReadWrite);
  claim(file, layout);
  if (file.size() > valid_end) file.truncate(valid_end);
  return MetafileAppender(std::move(file), valid_end);
}

void MetafileAppender::append(const format::StructureRecord& record) {
  format::append_record(buffer_, format::record_type(record), format::encode(record));
}

void MetafileAppender::truncate_to(std::uint64_t offset) {
  if (offset >= end_) {
    buffer_.resize(std::min<std::size_t>(buffer_.size(), offset - end_));
    return;
  }
  buffer_.clear();
  file_.truncate(offset);
  end_ = offset;
}

void MetafileAppender::flush(bool sync) {
  if (!buffer_.empty()) {
    file_.write_at(end_, buffer_);
    end_ += buffer_.size();
    buffer_.clear();
  }
  if (sync) file_.sync();
}

}  // namespace h5mf::container
