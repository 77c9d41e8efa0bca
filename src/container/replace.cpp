#include "container/replace.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "container/holder_lock.hpp"
#include "container/merge_marker.hpp"
#include "container/posix_file.hpp"
#include "container/threads.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

std::string parent_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

void rename_or_throw(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", from, to, errno_text(errno)));
  }
}

// renameat2(RENAME_EXCHANGE) through syscall(): glibc 2.36 has the wrapper, older ones do not.
bool exchange(const std::string& a, const std::string& b) {
  return ::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
}

}  // namespace

std::string output_merge_temporary(const std::string& output) { return output + ".h5mf-tmp"; }

void publish_merged_output(const std::string& output) {
  rename_or_throw(output_merge_temporary(output), output);
  sync_directory(parent_of(output));
}

std::string replace_container_with_file(const Layout& layout, const format::ContainerId& id) {
  const std::string& path = layout.path();
  const std::string temporary = layout.merge_temporary();
  write_merge_marker(path, describe_merge_output(temporary, id));
  if (exchange(temporary, path)) {
    // One step: `path` is the file now; the container sits at the temporary name.
    sync_directory(parent_of(path));
    return temporary;
  }
  const int error = errno;
  if (error != EINVAL && error != ENOSYS && error != EOPNOTSUPP) {
    throw IoError(fmt::format("cannot exchange '{}' and '{}': {}", temporary, path, errno_text(error)));
  }
  // The file system cannot exchange: two renames; recover_interrupted_merge finishes the job if a
  // crash falls between them.
  const std::string old = layout.replaced_container();
  rename_or_throw(path, old);
  rename_or_throw(temporary, path);
  sync_directory(parent_of(path));
  return old;
}

void remove_data_files(const std::string& dir, unsigned part, unsigned parts, unsigned threads) {
  // The share goes by file number, so that removers listing the directory at different moments
  // agree on it.
  std::vector<std::string> mine;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string_view stem = std::string_view(name).substr(0, name.find('.'));
    const bool data_pair = !stem.empty() && stem.size() <= 9 &&
                           std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                           (stem.size() == name.size() || name.substr(stem.size()) == ".offset");
    if (data_pair && std::stoul(std::string(stem)) % std::max(parts, 1u) == part) mine.push_back(entry.path().string());
  }
  std::atomic<std::size_t> next{0};
  run_on_threads(static_cast<unsigned>(std::min<std::size_t>(threads, mine.size())), [&] {
    for (std::size_t i = next++; i < mine.size(); i = next++) remove_file(mine[i]);
  });
}

void remove_replaced_container(const std::string& dir) {
  const std::string metafile = Layout(dir).metafile(), marker = merge_marker_path(dir);
  if (is_directory(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string p = entry.path().string();
      if (p != metafile && p != marker) remove_tree(p);
    }
  }
  remove_file(metafile);
  remove_file(marker);
  remove_tree(dir);
}

void remove_finished_container(const std::string& dir) {
  remove_data_files(dir, 0, 1, usable_cpus());
  remove_replaced_container(dir);
}

void Recovery::add(Recovery other) {
  done.insert(done.end(), other.done.begin(), other.done.end());
  left.insert(left.end(), other.left.begin(), other.left.end());
  busy = busy || other.busy;
}

namespace {

bool is_empty_directory(const std::string& dir) { return is_directory(dir) && std::filesystem::is_empty(dir); }

// A leftover directory beside `path` that no one holds and whose marker proves that `file` was
// made from it is removed; otherwise it stays, with the reason in `out`.
void remove_if_proven(const std::string& dir, const std::string& file, Recovery& out) {
  const auto lock = HolderLock::try_acquire(dir, HolderLock::Kind::Exclusive);
  if (!lock) {
    out.busy = true;
    out.left.push_back(
        fmt::format("left '{}' in place: it is held by {} (a merge still finishing)", dir, describe_holders(dir)));
    return;
  }
  const std::string why = is_empty_directory(dir) ? std::string() : merge_unproven(dir, file);
  if (!why.empty()) {
    out.left.push_back(
        fmt::format("left '{}' in place: it is not proven to be the container of a finished merge "
                    "into '{}': {}",
                    dir, file, why));
    return;
  }
  remove_finished_container(dir);
  out.done.push_back(fmt::format("removed '{}', the container of a finished merge into '{}'", dir, file));
}

}  // namespace

Recovery recover_interrupted_merge(const Layout& layout) {
  Recovery out;
  const std::string& path = layout.path();
  const std::string temporary = layout.merge_temporary();
  const std::string old = layout.replaced_container();
  // Killed between the fallback's two renames: the marker in the old container names the file.
  if (is_directory(old) && !exists(path) && is_regular_file(temporary)) {
    const auto lock = HolderLock::try_acquire(old, HolderLock::Kind::Exclusive);
    const std::string why = !lock ? fmt::format("it is held by {} (a merge still finishing)", describe_holders(old))
                                  : merge_unproven(old, temporary);
    if (why.empty()) {
      rename_or_throw(temporary, path);
      sync_directory(parent_of(path));
      out.done.push_back(fmt::format("finished an interrupted merge: moved '{}' to '{}'", temporary, path));
    } else {
      out.busy = out.busy || !lock;
      out.left.push_back(fmt::format("left '{}' and '{}' in place: {}", old, temporary, why));
    }
  }
  if (is_directory(old) && is_regular_file(path)) remove_if_proven(old, path, out);
  if (is_directory(temporary) && is_regular_file(path)) remove_if_proven(temporary, path, out);
  if (is_regular_file(temporary) && layout.is_container()) {
    // The caller holds the container: the merge that wrote this is over, and got no further than
    // its marker at most (which named this file and so goes with it).
    remove_file(temporary);
    out.done.push_back(fmt::format("removed '{}', the output of an interrupted merge", temporary));
    if (read_merge_marker(path)) remove_file(merge_marker_path(path));
  }
  return out;
}

bool looks_like_hdf5(const std::string& path) {
  static constexpr std::array<unsigned char, 8> kSignature{0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (!is_regular_file(path)) return false;
  PosixFile file(path, PosixFile::Access::Read, PosixFile::Links::Follow);  // a path the user named
  const std::uint64_t size = file.size();
  for (std::uint64_t at = 0; at + kSignature.size() <= size; at = at == 0 ? 512 : at * 2) {
    std::array<std::byte, 8> bytes{};
    file.read_at(at, bytes);
    if (std::memcmp(bytes.data(), kSignature.data(), kSignature.size()) == 0) return true;
  }
  return false;
}

}  // namespace h5mf::container
