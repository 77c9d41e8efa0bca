#include "h5mf/selection.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "h5mf/error.hpp"

namespace h5mf {
namespace {

Extent ones(std::size_t rank) { return Extent(rank, 1); }

}  // namespace

Selection Selection::all() { return Selection{}; }

Selection Selection::hyperslab(Extent start, Extent count, Extent stride, Extent block) {
  const std::size_t rank = start.size();
  if (count.size() != rank) {
    throw InvalidArgument(fmt::format("hyperslab: start has rank {} but count has rank {}", rank, count.size()));
  }
  if (stride.empty()) stride = ones(rank);
  if (block.empty()) block = ones(rank);
  if (stride.size() != rank || block.size() != rank) {
    throw InvalidArgument(fmt::format("hyperslab: start has rank {} but stride has rank {} and block has rank {}", rank,
                                      stride.size(), block.size()));
  }
  Selection s;
  s.kind_ = Kind::Hyperslab;
  s.slab_ = Hyperslab{std::move(start), std::move(stride), std::move(count), std::move(block)};
  return s;
}

Selection Selection::points(const std::vector<Extent>& coordinates) {
  const std::size_t rank = coordinates.empty() ? 0 : coordinates.front().size();
  std::vector<std::uint64_t> flat;
  flat.reserve(coordinates.size() * rank);
  for (std::size_t i = 0; i < coordinates.size(); ++i) {
    if (coordinates[i].size() != rank) {
      throw InvalidArgument(
          fmt::format("points: point {} has rank {} but point 0 has rank {}", i, coordinates[i].size(), rank));
    }
    flat.insert(flat.end(), coordinates[i].begin(), coordinates[i].end());
  }
  return points(rank, std::move(flat));
}

Selection Selection::points(std::size_t rank, std::vector<std::uint64_t> flat) {
  if (rank == 0 ? !flat.empty() : flat.size() % rank != 0) {
    throw InvalidArgument(fmt::format("points: {} coordinates do not make whole points of rank {}", flat.size(), rank));
  }
  Selection s;
  s.kind_ = Kind::Points;
  s.point_rank_ = rank;
  s.points_ = std::move(flat);
  return s;
}

std::size_t Selection::rank() const {
  switch (kind_) {
    case Kind::All: return 0;
    case Kind::Hyperslab: return slab_.start.size();
    case Kind::Points: return point_rank_;
  }
  return 0;
}

std::uint64_t Selection::num_points() const { return point_rank_ == 0 ? 0 : points_.size() / point_rank_; }

Selection Selection::resolved(const Extent& shape, const std::string& what) const {
  return resolved(shape, [&what] { return what; });
}

Selection Selection::resolved(const Extent& shape, const std::function<std::string()>& what_of) const {
  const std::size_t rank = shape.size();
  if (kind_ == Kind::All) {
    return hyperslab(Extent(rank, 0), shape);
  }
  if (kind_ == Kind::Points) {
    if (num_points() > 0 && point_rank_ != rank) {
      throw InvalidArgument(
          fmt::format("{}: point selection has rank {} but the dataset has rank {}", what_of(), point_rank_, rank));
    }
    for (std::uint64_t p = 0; p < num_points(); ++p) {
      for (std::size_t d = 0; d < rank; ++d) {
        if (points_[p * rank + d] >= shape[d]) {
          throw InvalidArgument(
              fmt::format("{}: point {} coordinate {} is {} but the extent of dimension {} is {} (shape [{}])",
                          what_of(), p, d, points_[p * rank + d], d, shape[d], fmt::join(shape, ", ")));
        }
      }
    }
    Selection s = *this;
    s.point_rank_ = rank;
    return s;
  }
  if (slab_.start.size() != rank) {
    throw InvalidArgument(
        fmt::format("{}: hyperslab has rank {} but the dataset has rank {}", what_of(), slab_.start.size(), rank));
  }
  for (std::size_t d = 0; d < rank; ++d) {
    const auto start = slab_.start[d], stride = slab_.stride[d], count = slab_.count[d], block = slab_.block[d];
    if (count == 0 || block == 0) continue;  // empty selection: nothing to check
    if (count > 1 && stride < block) {
      throw InvalidArgument(
          fmt::format("{}: hyperslab blocks overlap in dimension {}: stride {} is smaller than block {}", what_of(), d,
                      stride, block));
    }
    // Last selected coordinate, start + (count-1)*stride + block - 1, checked for overflow.
    std::uint64_t last = 0;
    const bool overflow = __builtin_mul_overflow(count - 1, stride, &last) ||
                          __builtin_add_overflow(last, start, &last) || __builtin_add_overflow(last, block - 1, &last);
    if (overflow || last >= shape[d]) {
      throw InvalidArgument(fmt::format(
          "{}: hyperslab reaches {} in dimension {} but its extent is {} (start {}, stride {}, count {}, block {}; "
          "shape [{}])",
          what_of(), overflow ? std::string("past 2^64") : fmt::format("index {}", last), d, shape[d], start, stride,
          count, block, fmt::join(shape, ", ")));
    }
  }
  return *this;
}

std::uint64_t Selection::num_elements() const {
  switch (kind_) {
    case Kind::All: throw InvalidArgument("Selection::all() has no size until resolved against a shape");
    case Kind::Points: return num_points();
    case Kind::Hyperslab: {
      std::uint64_t n = 1;
      for (std::size_t d = 0; d < slab_.start.size(); ++d) n *= slab_.count[d] * slab_.block[d];
      return n;
    }
  }
  return 0;
}

Extent Selection::buffer_shape() const {
  switch (kind_) {
    case Kind::All: throw InvalidArgument("Selection::all() has no shape until resolved");
    case Kind::Points: return Extent{num_points()};
    case Kind::Hyperslab: {
      Extent shape(slab_.start.size());
      for (std::size_t d = 0; d < shape.size(); ++d) shape[d] = slab_.count[d] * slab_.block[d];
      return shape;
    }
  }
  return {};
}

std::string Selection::describe() const {
  switch (kind_) {
    case Kind::All: return "all";
    case Kind::Points: return fmt::format("{} points of rank {}", num_points(), point_rank_);
    case Kind::Hyperslab:
      return fmt::format("hyperslab start=[{}] stride=[{}] count=[{}] block=[{}]", fmt::join(slab_.start, ","),
                         fmt::join(slab_.stride, ","), fmt::join(slab_.count, ","), fmt::join(slab_.block, ","));
  }
  return {};
}

}  // namespace h5mf
