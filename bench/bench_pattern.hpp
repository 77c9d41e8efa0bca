// h5mf bench: where each rank's bytes go. One pattern drives every method, so that HDF5, h5mf and
// POSIX write exactly the same bytes to the same places of the logical file in the same transfers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "h5mf/selection.hpp"

namespace h5mf::tools::bench {

enum class PatternKind { Blocks1d, Blocks2d, Blocks3d, Strided, Interleaved };
PatternKind parse_pattern(const std::string& name);  // "1d", "2d", "3d", "strided", "interleaved"
std::string to_string(PatternKind kind);

// Elements of an interleaved record: eight float64 fields, like an h5bench particle.
inline constexpr std::uint64_t kRecordElements = 8;

class Pattern {
 public:
  // `elements` per rank and `transfer` elements per write; both must tile the pattern (the
  // constructor throws InvalidArgument naming what does not fit).
  Pattern(PatternKind kind, int ranks, int rank, std::uint64_t elements, std::uint64_t transfer);

  PatternKind kind() const { return kind_; }
  const Extent& shape() const { return shape_; }          // the dataset's shape
  const Extent& chunk() const { return chunk_; }          // "big chunk": one rank's worth
  std::uint64_t transfers() const { return transfers_; }  // per rank
  std::uint64_t transfer_elements() const { return transfer_; }
  std::uint64_t rank_elements() const { return elements_; }

  // Transfer i of this rank, as a hyperslab of the dataset.
  Selection transfer(std::uint64_t i) const;
  // Everything this rank writes, as one hyperslab; its row-major order is the transfers' order.
  Selection rank_selection() const;

  // The contiguous runs (first element, number of elements) of the dataset, in row-major file
  // order, that a hyperslab covers; adjacent runs are merged.
  void for_each_run(const Selection& slab,
                    const std::function<void(std::uint64_t first, std::uint64_t count)>& run) const;

  std::string describe() const;  // "2d blocks: dataset [2048,4096], rank block [1024,4096], ..."

 private:
  PatternKind kind_;
  int ranks_, rank_;
  std::uint64_t elements_, transfer_, transfers_;
  Extent shape_, chunk_;
  Extent block_, block_start_;  // blocks patterns: this rank's block and its corner
  std::size_t level_ = 0;       // blocks patterns: the dimension a transfer advances along
};

}  // namespace h5mf::tools::bench
