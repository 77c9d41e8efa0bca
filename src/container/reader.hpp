// Gathers the elements of a selection from the writers' data files: start from the fill value,
// then replay every overlapping write in replay order, so a later write wins. Serves direct reads
// of a container and the merge (which reads the dataset window by window).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "container/index.hpp"
#include "container/layout.hpp"
#include "container/posix_file.hpp"

namespace h5mf::container {

struct ElementLayout {
  Extent shape;                     // the dataset's current shape
  std::size_t element_size = 0;     // bytes per element in the file type
  std::span<const std::byte> fill;  // one element, or empty for zeros
};

class DataReader {
 public:
  explicit DataReader(Layout layout) : layout_(std::move(layout)) {}

  // `out` receives the selection's elements in data order, in the file type.
  void read(const DatasetWrites& writes, const Selection& resolved, const ElementLayout& layout,
            std::span<std::byte> out);
  // `out` receives elements [first, first + count) of the dataset's linear (row-major) order.
  void read_linear(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                   const ElementLayout& layout, std::span<std::byte> out);
  // Whether any write overlaps the linear window (the merge skips windows of pure fill).
  static bool any_overlap(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                          const Extent& shape);

 private:
  template <class Target>
  void gather(const DatasetWrites& writes, const sel::Box& target_box, Target make_target,
              const ElementLayout& layout, std::span<std::byte> out);
  const PosixFile& data_file(std::uint32_t writer);

  Layout layout_;
  std::vector<PosixFile> files_;
  std::vector<std::byte> scratch_;
};

void fill_elements(std::span<std::byte> out, std::span<const std::byte> fill, std::size_t element_size);

}  // namespace h5mf::container
