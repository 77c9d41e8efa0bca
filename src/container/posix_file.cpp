#include "container/posix_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw IoError(fmt::format("{} '{}': {}", what, path, errno_text(error)));
}

int open_flags(PosixFile::Access access) {
  switch (access) {
    case PosixFile::Access::Read: return O_RDONLY;
    case PosixFile::Access::ReadWrite: return O_RDWR;
    case PosixFile::Access::CreateExclusive: return O_RDWR | O_CREAT | O_EXCL;
    case PosixFile::Access::CreateOrOpen: return O_RDWR | O_CREAT;
    case PosixFile::Access::CreateTruncate: return O_RDWR | O_CREAT | O_TRUNC;
  }
  return O_RDONLY;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

}  // namespace

std::string errno_text(int error) { return fmt::format("{} (errno {})", std::strerror(error), error); }

PosixFile::PosixFile(std::string path, Access access, Links links) : path_(std::move(path)) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It is
  // cleared again once fstat has shown a regular file (where it means nothing anyway).
  int flags = open_flags(access) | O_CLOEXEC | O_NONBLOCK;
  if (links == Links::Refuse) flags |= O_NOFOLLOW;
  do {
    fd_ = ::open(path_.c_str(), flags, 0644);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) {
    const int error = errno;
    // O_NOFOLLOW reports a link as ELOOP; say what it is.
    struct stat st {};
    if (links == Links::Refuse && error == ELOOP && ::lstat(path_.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      throw IoError(
          fmt::format("refusing to open '{}': it is a symbolic link, and h5mf follows no link inside a "
                      "container",
                      path_));
    }
    fail("cannot open", path_, error);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int error = errno;
    ::close(std::exchange(fd_, -1));
    fail("cannot stat", path_, error);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(std::exchange(fd_, -1));
    throw IoError(fmt::format("refusing to open '{}': it is {}, not a regular file", path_, kind_of(st.st_mode)));
  }
  if (::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK) != 0) {
    const int error = errno;
    ::close(std::exchange(fd_, -1));
    fail("cannot clear O_NONBLOCK on", path_, error);
  }
}

PosixFile& PosixFile::operator=(PosixFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

PosixFile::~PosixFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t PosixFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail("cannot stat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

void PosixFile::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(fmt::format("cannot write {} bytes at offset {} of", bytes.size(), offset), path_, errno);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

void PosixFile::write_at(std::uint64_t offset, std::span<const std::span<const std::byte>> pieces) {
  std::vector<iovec> iov;
  iov.reserve(pieces.size());
  std::size_t total = 0;
  for (auto piece : pieces) {
    if (piece.empty()) continue;
    iov.push_back({const_cast<std::byte*>(piece.data()), piece.size()});
    total += piece.size();
  }
  std::size_t first = 0;
  while (first < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - first, IOV_MAX));
    const ssize_t n = ::pwritev(fd_, iov.data() + first, count, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(fmt::format("cannot write {} bytes at offset {} of", total, offset), path_, errno);
    }
    // Advance past what was written, possibly partway into a buffer.
    auto left = static_cast<std::size_t>(n);
    offset += left;
    while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (first < iov.size() && left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
}

void PosixFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  const std::size_t wanted = out.size();
  while (!out.empty()) {
    const ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(fmt::format("cannot read {} bytes at offset {} of", out.size(), offset), path_, errno);
    }
    if (n == 0) {
      throw FormatError(fmt::format("'{}' ends before offset {}: {} of {} bytes missing (truncated?)", path_,
                                    offset + out.size(), out.size(), wanted));
    }
    out = out.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

std::vector<std::byte> PosixFile::read_all(std::uint64_t from) const {
  const std::uint64_t end = size();
  std::vector<std::byte> bytes(end > from ? end - from : 0);
  read_at(from, bytes);
  return bytes;
}

void PosixFile::truncate(std::uint64_t new_size) {
  if (::ftruncate(fd_, static_cast<off_t>(new_size)) != 0) {
    fail(fmt::format("cannot truncate to {} bytes", new_size), path_, errno);
  }
}

void PosixFile::sync() {
  if (::fsync(fd_) != 0) fail("cannot fsync", path_, errno);
}

bool PosixFile::try_lock() {
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  fail("cannot lock", path_, errno);
}

void PosixFile::close() {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0 && errno != EINTR) fail("cannot close", path_, errno);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) fail("cannot create directory", path, errno);
}

void remove_tree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) fail("cannot remove", path, error.value());
}

void remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("cannot remove", path, errno);
}

void sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", path, errno);
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // Some file systems do not support fsync on directories; that is not a failure of ours.
  if (status != 0 && error != EINVAL && error != EROFS) fail("cannot fsync directory", path, error);
}

}  // namespace h5mf::container
