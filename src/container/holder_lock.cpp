#include "container/holder_lock.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "container/posix_file.hpp"
#include "h5mf/error.hpp"
#include "h5mf/warnings.hpp"

namespace h5mf::container {
namespace {

bool unsupported(int error) { return error == ENOSYS || error == EOPNOTSUPP || error == ENOLCK; }

void warn_unsupported_once(const std::string& path, int error) {
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  warn(
      fmt::format("cannot lock '{}' ({}): this file system has no flock, so nothing keeps another process from "
                  "replacing or merging a container while it is open",
                  path, errno_text(error)));
}

// The descriptors of this process's holder locks. A child forked without exec shares their open
// file descriptions, and with them the locks: it would keep a container held after the parent
// closed it. The child closes its copies at once (the parent's locks stay), and its HolderLock
// objects, no longer registered, then close nothing. Atomics only: a fork handler may not lock.
constexpr std::size_t kSlots = 256;
std::array<std::atomic<int>, kSlots> registered_fds{};  // fd + 1; 0 is a free slot

void close_in_forked_child() {
  for (auto& slot : registered_fds) {
    const int entry = slot.exchange(0);
    if (entry > 0) ::close(entry - 1);
  }
}

// When every slot is taken, that lock stays with a forked child too (and is closed as usual).
bool register_fd(int fd) {
  static std::once_flag once;
  std::call_once(once, [] { ::pthread_atfork(nullptr, nullptr, close_in_forked_child); });
  for (auto& slot : registered_fds) {
    int expected = 0;
    if (slot.compare_exchange_strong(expected, fd + 1)) return true;
  }
  return false;
}

// False when `fd` is not ours to close: a forked child closed it already.
bool unregister_fd(int fd) {
  for (auto& slot : registered_fds) {
    int expected = fd + 1;
    if (slot.compare_exchange_strong(expected, 0)) return true;
  }
  return false;
}

struct Holder {
  long pid = 0;
  bool exclusive = false;
};

// The flock locks /proc/locks lists on the inode at `path`. Lines read
// "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5309727 0 EOF"; "->" marks a waiter, which holds nothing.
std::vector<Holder> flock_holders(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  const std::string exact = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  const std::string inode = fmt::format(":{}", st.st_ino);
  std::ifstream locks("/proc/locks");
  std::vector<Holder> same_device, any_device;  // an overlay file system may show another device
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string number, type, advisory, access, where;
    long pid = 0;
    if (!(in >> number >> type) || type == "->" || type != "FLOCK") continue;
    if (!(in >> advisory >> access >> pid >> where)) continue;
    const Holder h{pid, access == "WRITE"};
    if (where == exact) same_device.push_back(h);
    if (where.size() > inode.size() && where.compare(where.size() - inode.size(), inode.size(), inode) == 0) {
      any_device.push_back(h);
    }
  }
  return same_device.empty() ? any_device : same_device;
}

std::string command_of(long pid) {
  std::ifstream comm(fmt::format("/proc/{}/comm", pid));
  std::string name;
  std::getline(comm, name);
  return name;
}

std::string busy_message(const std::string& action, const std::string& path) {
  return fmt::format(
      "cannot {}: '{}' is held by {}; h5mf refuses rather than destroy or race with its work "
      "(close it there, or wait for that process to end)",
      action, path, describe_holders(path));
}

}  // namespace

HolderLock::HolderLock(HolderLock&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), registered_(o.registered_), path_(std::move(o.path_)) {}

HolderLock& HolderLock::operator=(HolderLock&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = std::exchange(o.fd_, -1);
    registered_ = o.registered_;
    path_ = std::move(o.path_);
  }
  return *this;
}

HolderLock::~HolderLock() { release(); }

void HolderLock::release() noexcept {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (unregister_fd(fd) || !registered_) ::close(fd);  // closing the last descriptor drops the lock
}

std::optional<HolderLock> HolderLock::try_acquire(const std::string& path, Kind kind) {
  // O_NONBLOCK: a FIFO put at the path must not hang the open; the type is checked next.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return HolderLock{};
    if (error == ELOOP) {
      throw IoError(fmt::format("'{}' is a symbolic link: h5mf does not follow links to containers", path));
    }
    if (error == EACCES) return HolderLock{};  // cannot be opened, so no one's data goes through us
    throw IoError(fmt::format("cannot open '{}' to lock it: {}", path, errno_text(error)));
  }
  HolderLock lock(fd, path);
  lock.registered_ = register_fd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError(fmt::format("cannot stat '{}': {}", path, errno_text(errno)));
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
    throw IoError(fmt::format("'{}' is neither a directory nor a regular file", path));
  }
  if (::flock(fd, (kind == Kind::Exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return lock;
  const int error = errno;
  if (error == EWOULDBLOCK) return std::nullopt;
  if (unsupported(error)) {
    warn_unsupported_once(path, error);
    return HolderLock{};
  }
  throw IoError(fmt::format("cannot lock '{}': {}", path, errno_text(error)));
}

HolderLock HolderLock::acquire(const std::string& path, Kind kind, const std::string& action) {
  // Every opener for writing holds the container exclusively for a moment (claim_existing: the
  // check for an interrupted merge) before it shares it: another process opening at the same
  // time waits that moment out instead of failing. A merge or a job holds it far longer.
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  auto lock = try_acquire(path, kind);
  while (!lock && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock = try_acquire(path, kind);
  }
  if (!lock) throw Busy(busy_message(action, path));
  return std::move(*lock);
}

void HolderLock::share(const std::string& action) {
  if (fd_ < 0) return;
  if (::flock(fd_, LOCK_SH | LOCK_NB) == 0) return;
  const int error = errno;
  if (error == EWOULDBLOCK) throw Busy(busy_message(action, path_));
  throw IoError(fmt::format("cannot lock '{}': {}", path_, errno_text(error)));
}

std::string describe_holders(const std::string& path) {
  const std::vector<Holder> holders = flock_holders(path);
  if (holders.empty()) return "another process";
  std::string out;
  for (const Holder& h : holders) {
    if (!out.empty()) out += "; ";
    const std::string command = command_of(h.pid);
    out += fmt::format("pid {}", h.pid);
    if (!command.empty()) out += fmt::format(" ({})", command);
    out += h.pid == ::getpid() ? ", this process itself, through another open of it" : "";
    out += h.exclusive ? ", which is merging, viewing or replacing it, or writing it through the HDF5 file driver"
                       : ", which has it open";
  }
  return out;
}

}  // namespace h5mf::container
