#include "container/file_cache.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace h5mf::container {

std::size_t FileCache::default_capacity() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 256;
  return std::clamp<std::size_t>(static_cast<std::size_t>(limit.rlim_cur) / 2, 4, 256);
}

FileCache::FileCache(std::function<std::string(std::uint32_t)> path_of, std::size_t capacity)
    : path_of_(std::move(path_of)), capacity_(capacity == 0 ? default_capacity() : capacity) {}

const PosixFile& FileCache::get(std::uint32_t key) {
  if (auto it = files_.find(key); it != files_.end()) {
    recent_.splice(recent_.begin(), recent_, it->second.position);
    return it->second.file;
  }
  if (files_.size() >= capacity_) {
    files_.erase(recent_.back());
    recent_.pop_back();
  }
  PosixFile file(path_of_(key), PosixFile::Access::Read);
  recent_.push_front(key);
  auto [it, inserted] = files_.emplace(key, Entry{std::move(file), recent_.begin()});
  return it->second.file;
}

}  // namespace h5mf::container
