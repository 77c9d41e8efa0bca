#include "bench_pattern.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mpi.h>

#include <algorithm>
#include <optional>

#include "h5mf/error.hpp"

namespace h5mf::tools::bench {
namespace {

std::uint64_t product(const Extent& e, std::size_t from = 0) {
  std::uint64_t n = 1;
  for (std::size_t k = from; k < e.size(); ++k) n *= e[k];
  return n;
}

// The rank grid of a blocks pattern: MPI's own balanced factorisation.
Extent grid_of(int ranks, int dims) {
  std::vector<int> g(static_cast<std::size_t>(dims), 0);
  MPI_Dims_create(ranks, dims, g.data());
  return {g.begin(), g.end()};
}

// The dimension along which a transfer of `t` elements advances through a block of shape `s` (row
// major), so that every transfer is one hyperslab: t must be a whole number q of the sub-blocks
// below that dimension, and q must divide the extent there. Outermost first (bigger pieces).
std::optional<std::size_t> transfer_level(const Extent& s, std::uint64_t t) {
  for (std::size_t level = 0; level < s.size(); ++level) {
    const std::uint64_t below = product(s, level + 1);
    if (t % below != 0) continue;
    const std::uint64_t q = t / below;
    if (q <= s[level] && s[level] % q == 0) return level;
  }
  return std::nullopt;
}

}  // namespace

PatternKind parse_pattern(const std::string& name) {
  if (name == "1d") return PatternKind::Blocks1d;
  if (name == "2d") return PatternKind::Blocks2d;
  if (name == "3d") return PatternKind::Blocks3d;
  if (name == "strided") return PatternKind::Strided;
  if (name == "interleaved") return PatternKind::Interleaved;
  throw InvalidArgument(fmt::format("unknown pattern '{}' (1d, 2d, 3d, strided, interleaved)", name));
}

std::string to_string(PatternKind kind) {
  switch (kind) {
    case PatternKind::Blocks1d: return "1d";
    case PatternKind::Blocks2d: return "2d";
    case PatternKind::Blocks3d: return "3d";
    case PatternKind::Strided: return "strided";
    case PatternKind::Interleaved: return "interleaved";
  }
  return "?";
}

Pattern::Pattern(PatternKind kind, int ranks, int rank, std::uint64_t elements, std::uint64_t transfer)
    : kind_(kind), ranks_(ranks), rank_(rank), elements_(elements), transfer_(transfer) {
  if (transfer == 0 || elements == 0 || elements % transfer != 0) {
    throw InvalidArgument(
        fmt::format("the bytes per rank ({} elements) must be a non-zero multiple of the transfer "
                    "size ({} elements)",
                    elements, transfer));
  }
  transfers_ = elements / transfer;
  const auto n = static_cast<std::uint64_t>(ranks), r = static_cast<std::uint64_t>(rank);
  switch (kind) {
    case PatternKind::Strided:
    case PatternKind::Interleaved:
      if (kind == PatternKind::Interleaved && transfer % kRecordElements != 0) {
        throw InvalidArgument(
            fmt::format("--pattern interleaved needs a transfer size that is a multiple of {} "
                        "bytes (one record)",
                        kRecordElements * 8));
      }
      shape_ = {n * elements};
      chunk_ = {elements};
      return;
    case PatternKind::Blocks1d:
    case PatternKind::Blocks2d:
    case PatternKind::Blocks3d: break;
  }
  const int dims = kind == PatternKind::Blocks1d ? 1 : kind == PatternKind::Blocks2d ? 2 : 3;
  // Inner extents: the largest power of two s with s^dims <= elements that still lets transfers be
  // hyperslabs; the outer extent takes the rest. Squarish blocks make transfers span several rows,
  // as a domain decomposition's do.
  std::uint64_t s = 1;
  while (dims > 1 && [&] {
    std::uint64_t p = 1;
    for (int k = 0; k < dims; ++k) p *= 2 * s;
    return p <= elements;
  }()) {
    s *= 2;
  }
  for (; s >= 1; s /= 2) {
    std::uint64_t inner = 1;
    for (int k = 1; k < dims; ++k) inner *= s;
    if (elements % inner != 0) continue;
    Extent block{elements / inner};
    for (int k = 1; k < dims; ++k) block.push_back(s);
    if (const auto level = transfer_level(block, transfer)) {
      block_ = block;
      level_ = *level;
      break;
    }
  }
  if (block_.empty()) {
    throw InvalidArgument(
        fmt::format("--pattern {}: {} elements per rank cannot be cut into transfers of {} "
                    "elements that are hyperslabs (use powers of two)",
                    to_string(kind), elements, transfer));
  }
  const Extent grid = grid_of(ranks, dims);
  Extent coord(grid.size());
  std::uint64_t rest = r;
  for (std::size_t k = grid.size(); k-- > 0;) {
    coord[k] = rest % grid[k];
    rest /= grid[k];
  }
  for (std::size_t k = 0; k < grid.size(); ++k) {
    shape_.push_back(grid[k] * block_[k]);
    block_start_.push_back(coord[k] * block_[k]);
  }
  chunk_ = block_;
}

Selection Pattern::transfer(std::uint64_t i) const {
  const auto n = static_cast<std::uint64_t>(ranks_), r = static_cast<std::uint64_t>(rank_);
  switch (kind_) {
    case PatternKind::Strided: return Selection::hyperslab({(i * n + r) * transfer_}, {transfer_});
    case PatternKind::Interleaved: {
      const std::uint64_t records = transfer_ / kRecordElements;
      return Selection::hyperslab({(i * records * n + r) * kRecordElements}, {records}, {n * kRecordElements},
                                  {kRecordElements});
    }
    default: break;
  }
  // Blocks: the flat range [i t, (i+1) t) of the block, row major.
  Extent start(block_.size()), count(block_.size());
  std::uint64_t flat = i * transfer_;
  for (std::size_t k = block_.size(); k-- > 0;) {
    start[k] = block_start_[k] + flat % block_[k];
    flat /= block_[k];
  }
  const std::uint64_t below = product(block_, level_ + 1);
  for (std::size_t k = 0; k < block_.size(); ++k) {
    count[k] = k < level_ ? 1 : k == level_ ? transfer_ / below : block_[k];
  }
  return Selection::hyperslab(start, count);
}

Selection Pattern::rank_selection() const {
  const auto n = static_cast<std::uint64_t>(ranks_), r = static_cast<std::uint64_t>(rank_);
  switch (kind_) {
    case PatternKind::Strided: return Selection::hyperslab({r * transfer_}, {transfers_}, {n * transfer_}, {transfer_});
    case PatternKind::Interleaved:
      return Selection::hyperslab({r * kRecordElements}, {elements_ / kRecordElements}, {n * kRecordElements},
                                  {kRecordElements});
    default: return Selection::hyperslab(block_start_, block_);
  }
}

void Pattern::for_each_run(const Selection& selection,
                           const std::function<void(std::uint64_t, std::uint64_t)>& run) const {
  const Hyperslab& h = selection.slab();
  const std::size_t d = shape_.size();
  auto stride = [&](std::size_t k) { return h.stride.empty() ? 1 : std::max<std::uint64_t>(1, h.stride[k]); };
  auto block = [&](std::size_t k) { return h.block.empty() ? 1 : h.block[k]; };
  // The selected coordinates of each outer dimension, in order.
  std::vector<std::vector<std::uint64_t>> coords(d - 1);
  for (std::size_t k = 0; k + 1 < d; ++k) {
    for (std::uint64_t c = 0; c < h.count[k]; ++c) {
      for (std::uint64_t j = 0; j < block(k); ++j) coords[k].push_back(h.start[k] + c * stride(k) + j);
    }
  }
  std::uint64_t pending_first = 0, pending_count = 0;
  auto emit = [&](std::uint64_t first, std::uint64_t count) {
    if (pending_count > 0 && pending_first + pending_count == first) {
      pending_count += count;
      return;
    }
    if (pending_count > 0) run(pending_first, pending_count);
    pending_first = first;
    pending_count = count;
  };
  const std::size_t last = d - 1;
  const bool solid = h.count[last] == 1 || stride(last) == block(last);
  std::vector<std::size_t> at(d - 1, 0);
  while (true) {
    std::uint64_t base = 0;
    for (std::size_t k = 0; k + 1 < d; ++k) base += coords[k][at[k]] * product(shape_, k + 1);
    if (solid) {
      emit(base + h.start[last], h.count[last] * block(last));
    } else {
      for (std::uint64_t c = 0; c < h.count[last]; ++c) emit(base + h.start[last] + c * stride(last), block(last));
    }
    // Odometer over the outer dimensions, last fastest.
    bool done = true;
    for (std::size_t k = d - 1; k-- > 0;) {
      if (++at[k] < coords[k].size()) {
        done = false;
        break;
      }
      at[k] = 0;
    }
    if (done) break;
  }
  if (pending_count > 0) run(pending_first, pending_count);
}

std::string Pattern::describe() const {
  switch (kind_) {
    case PatternKind::Strided:
      return fmt::format("strided: dataset [{}]; rank r's transfer i at element (i*ranks + r)*{}", shape_[0],
                         transfer_);
    case PatternKind::Interleaved:
      return fmt::format("interleaved: dataset [{}]; records of {} float64 alternate between ranks", shape_[0],
                         kRecordElements);
    default:
      return fmt::format("{} blocks: dataset [{}], rank block [{}], transfer [{}]", to_string(kind_),
                         fmt::join(shape_, ","), fmt::join(block_, ","), fmt::join(transfer(0).slab().count, ","));
  }
}

}  // namespace h5mf::tools::bench
