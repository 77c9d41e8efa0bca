// At most `capacity` files open at once, whatever the number of writers: the least recently used
// file is closed to make room. A container of 100,000 writer files then reads, merges and verifies
// within the process's open-file limit. Not thread-safe: one cache per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>

#include "container/posix_file.hpp"

namespace h5mf::container {

class FileCache {
 public:
  // 256, or half the process's open-file limit when that is lower (the rest is for everything else).
  static std::size_t default_capacity();

  // `path_of(key)` names the file for a key (e.g. a writer's data file); files open read-only.
  // Capacity 0 means default_capacity().
  FileCache(std::function<std::string(std::uint32_t)> path_of, std::size_t capacity = 0);

  // The open file for `key`, opening it (and closing the least recently used one) if needed. The
  // reference stays valid until the next call.
  const PosixFile& get(std::uint32_t key);
  std::size_t open_files() const { return files_.size(); }

 private:
  struct Entry {
    PosixFile file;
    std::list<std::uint32_t>::iterator position;
  };
  std::function<std::string(std::uint32_t)> path_of_;
  std::size_t capacity_;
  std::list<std::uint32_t> recent_;  // most recently used first
  std::unordered_map<std::uint32_t, Entry> files_;
};

}  // namespace h5mf::container
