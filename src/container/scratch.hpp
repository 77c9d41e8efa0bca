// A byte buffer for data that is always written before it is read: it grows without zeroing, so
// pages nobody touches are never faulted in (std::vector<std::byte>::resize zeroes every byte).
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace h5mf::container {

class Scratch {
 public:
  // The first `bytes` bytes, growing the buffer if needed; what they held before growing is lost.
  std::span<std::byte> first(std::size_t bytes) {
    if (bytes > capacity_) {
      data_ = std::make_unique_for_overwrite<std::byte[]>(bytes);
      capacity_ = bytes;
    }
    return {data_.get(), bytes};
  }

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t capacity_ = 0;
};

}  // namespace h5mf::container
