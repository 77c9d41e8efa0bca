#include "format/header.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "format/checksum.hpp"
#include "h5mf/error.hpp"

namespace h5mf::format {
namespace {

// Field offsets of docs/format.md, "File headers".
constexpr std::size_t kOffMagic = 0;
constexpr std::size_t kOffVersion = 8;
constexpr std::size_t kOffHeaderSize = 12;
constexpr std::size_t kOffContainer = 16;
constexpr std::size_t kOffWriter = 32;
constexpr std::size_t kOffChecksum = 56;

const std::array<char, 8>& magic_of(FileKind kind) {
  switch (kind) {
    case FileKind::Meta: return kMagicMeta;
    case FileKind::Index: return kMagicIndex;
    case FileKind::Data: return kMagicData;
  }
  throw InvalidArgument(fmt::format("unknown file kind {}", static_cast<int>(kind)));
}

const char* kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::Meta: return "metafile";
    case FileKind::Index: return "index file";
    case FileKind::Data: return "data file";
  }
  return "unknown";
}

bool magic_is(ByteView bytes, const std::array<char, 8>& magic) {
  for (std::size_t i = 0; i < magic.size(); ++i) {
    if (std::to_integer<char>(bytes[i]) != magic[i]) return false;
  }
  return true;
}

// The 8 bytes found where a magic was expected, readable for a human: as text when they are
// printable ASCII, else in hex; plus what the file is when we can tell.
std::string describe_magic(ByteView bytes) {
  const bool printable = std::all_of(bytes.begin(), bytes.begin() + 8, [](std::byte b) {
    const auto c = std::to_integer<unsigned>(b);
    return c >= 0x20 && c < 0x7F;
  });
  std::string text;
  if (printable) {
    text.assign(reinterpret_cast<const char*>(bytes.data()), 8);
  } else {
    text = "0x";
    for (std::size_t i = 0; i < 8; ++i) text += fmt::format("{:02x}", std::to_integer<unsigned>(bytes[i]));
  }
  for (FileKind kind : {FileKind::Meta, FileKind::Index, FileKind::Data}) {
    if (magic_is(bytes, magic_of(kind))) {
      return fmt::format("{} (an h5mf {})", text, kind_name(kind));
    }
  }
  static constexpr std::array<char, 8> kHdf5Signature{'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (magic_is(bytes, kHdf5Signature)) return text + " (an HDF5 file)";
  return text;
}

// Fills `out` from /dev/urandom, for kernels without getrandom(2).
bool read_urandom(std::byte* out, std::size_t n) {
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::read(fd, out + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  return done == n;
}

}  // namespace

ContainerId random_container_id() {
  ContainerId id{};
  std::size_t done = 0;
  while (done < id.size()) {
    const ssize_t got = ::getrandom(id.data() + done, id.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      break;  // ENOSYS (old kernel) or a seccomp filter: fall back below
    }
    done += static_cast<std::size_t>(got);
  }
  if (done == id.size()) return id;
  const int getrandom_errno = errno;
  if (read_urandom(id.data(), id.size())) return id;
  throw IoError(
      fmt::format("cannot choose a container id: getrandom failed ({}) and /dev/urandom "
                  "could not be read ({})",
                  std::strerror(getrandom_errno), std::strerror(errno)));
}

std::string to_hex(const ContainerId& id) {
  std::string s;
  s.reserve(2 * id.size());
  for (std::byte b : id) s += fmt::format("{:02x}", std::to_integer<unsigned>(b));
  return s;
}

std::array<std::byte, kHeaderSize> encode_header(const FileHeader& header) {
  std::array<std::byte, kHeaderSize> out{};  // reserved bytes stay zero
  const auto& magic = magic_of(header.kind);
  for (std::size_t i = 0; i < magic.size(); ++i) out[kOffMagic + i] = static_cast<std::byte>(magic[i]);
  put_u32(out.data() + kOffVersion, header.version);
  put_u32(out.data() + kOffHeaderSize, static_cast<std::uint32_t>(kHeaderSize));
  std::copy(header.container.begin(), header.container.end(), out.begin() + kOffContainer);
  put_u32(out.data() + kOffWriter, header.writer);
  put_u64(out.data() + kOffChecksum, checksum(ByteView(out.data(), kOffChecksum)));
  return out;
}

FileHeader decode_header(ByteView bytes, FileKind expected, const std::string& file) {
  if (bytes.size() < kHeaderSize) {
    throw FormatError(fmt::format("{}: truncated header: {} of {} bytes", file, bytes.size(), kHeaderSize));
  }
  const auto& magic = magic_of(expected);
  if (!magic_is(bytes, magic)) {
    throw FormatError(fmt::format("{}: not an h5mf {}: expected magic {}, found {}", file, kind_name(expected),
                                  std::string_view(magic.data(), magic.size()), describe_magic(bytes)));
  }
  const std::uint32_t version = get_u32(bytes.data() + kOffVersion);
  const std::uint64_t stored = get_u64(bytes.data() + kOffChecksum);
  const std::uint64_t computed = checksum(bytes.first(kOffChecksum));
  // The version comes before the checksum: a newer format may lay out (and checksum) its header
  // differently, and "upgrade h5mf" is the useful message then.
  if (version > kVersion) {
    throw FormatError(fmt::format(
        "{}: written by a newer h5mf: format version {}, this build reads up to {}{}", file, version, kVersion,
        stored == computed ? "" : " (the header checksum does not hold either: it may be damaged)"));
  }
  if (stored != computed) {
    throw FormatError(
        fmt::format("{}: header checksum mismatch: stored {:#018x}, computed {:#018x}", file, stored, computed));
  }
  if (version == 0) {
    throw FormatError(fmt::format("{}: invalid format version 0", file));
  }
  const std::uint32_t header_size = get_u32(bytes.data() + kOffHeaderSize);
  if (header_size != kHeaderSize) {
    throw FormatError(
        fmt::format("{}: header size {}, format version {} has {}", file, header_size, version, kHeaderSize));
  }
  FileHeader header;
  header.kind = expected;
  header.version = version;
  std::copy_n(bytes.begin() + kOffContainer, header.container.size(), header.container.begin());
  header.writer = get_u32(bytes.data() + kOffWriter);
  return header;
}

}  // namespace h5mf::format
