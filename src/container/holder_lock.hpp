// The holder lock of a container (docs/design.md, "Two processes and one path"): an flock on the
// container DIRECTORY. Every process that has the container open holds it shared for as long as
// it does; mode 'w' (before it removes anything), a merge and a view hold it exclusively. Locks
// follow the inode, so a merge's lock stays on the old container when it is renamed aside, and a
// leftover directory still locked is still in use.
//
// flock locks conflict between two open file descriptions even within one process: take one per
// process at the top level (open, merge, view), never again in the layers those call. A child
// forked without exec does not inherit this process's locks (its copies are closed at the fork).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace h5mf::container {

class HolderLock {
 public:
  enum class Kind { Shared, Exclusive };

  HolderLock() = default;  // holds nothing
  HolderLock(HolderLock&& o) noexcept;
  HolderLock& operator=(HolderLock&& o) noexcept;
  HolderLock(const HolderLock&) = delete;
  HolderLock& operator=(const HolderLock&) = delete;
  ~HolderLock();

  // Locks the directory (or regular file) at `path` without waiting, never following a symbolic
  // link. Throws Busy, naming the holder, when another open file description holds it in a
  // conflicting way: "cannot <action>: '<path>' is held by pid ...". A missing `path` gives a lock that holds
  // nothing. Where the file system has no flock, warns once on stderr and holds nothing.
  // A conflicting holder is waited for up to kPatience first: openers hold a container
  // exclusively for a moment while they check it (a second opener must not fail on that).
  static HolderLock acquire(const std::string& path, Kind kind, const std::string& action);
  static constexpr std::chrono::milliseconds kPatience{2000};
  // The same, but a conflicting holder gives nullopt instead of an error.
  static std::optional<HolderLock> try_acquire(const std::string& path, Kind kind);

  // Exclusive to shared, without letting go in between for anyone that does not wait (every
  // taker here uses LOCK_NB). Throws Busy if the kernel lets another in after all.
  void share(const std::string& action);
  // Lets go now (as the destructor does).
  void release() noexcept;

  bool holds() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  HolderLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  bool registered_ = false;  // closed by a forked child (see holder_lock.cpp)
  std::string path_;
};

// Who holds flock locks on `path` now, from /proc/locks and /proc/<pid>/comm: "pid 1234
// (python3), holding it shared" (several: comma-separated), or "another process" when the holder
// cannot be named (no /proc, another PID namespace, a network file system).
std::string describe_holders(const std::string& path);

}  // namespace h5mf::container
