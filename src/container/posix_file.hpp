// A file descriptor with RAII and whole-transfer calls that retry short reads/writes and EINTR and
// throw IoError naming the path, the operation, the offset and the OS error (ENOSPC included).
//
// Hostile containers (docs/design.md, "Hostile files"): every open refuses anything but a regular
// file (a FIFO, device, socket or directory put where a file belongs) and never blocks doing so;
// and, unless the caller names a path the user chose (Links::Follow), a symbolic link at the path
// is refused too (O_NOFOLLOW): a link planted in a container must not make h5mf read, truncate or
// write the file it points at.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace h5mf::container {

class PosixFile {
 public:
  enum class Access { Read, ReadWrite, CreateExclusive, CreateOrOpen, CreateTruncate };
  // Refuse: the path's last component must not be a symbolic link (every file of a container).
  // Follow: a path the user named (a merge output), opened as any tool would.
  enum class Links { Refuse, Follow };

  PosixFile() = default;
  PosixFile(std::string path, Access access, Links links = Links::Refuse);
  PosixFile(PosixFile&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}
  PosixFile& operator=(PosixFile&& o) noexcept;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;
  ~PosixFile();  // closes, never throws

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  std::uint64_t size() const;
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  // Gathers several buffers into one positioned write (pwritev).
  void write_at(std::uint64_t offset, std::span<const std::span<const std::byte>> pieces);
  void read_at(std::uint64_t offset, std::span<std::byte> out) const;  // exact; short is an error
  std::vector<std::byte> read_all(std::uint64_t from = 0) const;
  void truncate(std::uint64_t size);
  void sync();
  // Non-blocking exclusive advisory lock (flock); false if another process holds it.
  bool try_lock();
  void close();  // throws on failure (a close can report a deferred write error)

 private:
  std::string path_;
  int fd_ = -1;
};

// Directory and name helpers, all throwing IoError with the path and errno text.
bool exists(const std::string& path);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);
std::uint64_t file_size(const std::string& path);  // 0 if it does not exist
void make_directory(const std::string& path);
void remove_tree(const std::string& path);  // rm -r; no error if missing
void remove_file(const std::string& path);  // no error if missing
void sync_directory(const std::string& path);
std::string errno_text(int error);

}  // namespace h5mf::container
