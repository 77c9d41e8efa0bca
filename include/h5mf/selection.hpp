// Selections are values: which elements of a dataset a read or write touches. A hyperslab is
// {start, stride, count, block} per dimension, as H5Sselect_hyperslab; a point list is explicit
// coordinates in data order. The caller's buffer holds the selected elements in selection order:
// row-major over the selected coordinates for a hyperslab, list order for points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace h5mf {

using Extent = std::vector<std::uint64_t>;

struct Hyperslab {
  Extent start, stride, count, block;
  friend bool operator==(const Hyperslab&, const Hyperslab&) = default;
};

class Selection {
 public:
  enum class Kind { All, Hyperslab, Points };

  // Every element of the dataset, whatever its shape at the time of the call.
  static Selection all();
  // Empty stride or block means 1 in every dimension.
  static Selection hyperslab(Extent start, Extent count, Extent stride = {}, Extent block = {});
  // Points given as one coordinate vector each (all of the same rank).
  static Selection points(const std::vector<Extent>& coordinates);
  // Points given flat: n * rank coordinates, point after point.
  static Selection points(std::size_t rank, std::vector<std::uint64_t> flat);

  Kind kind() const { return kind_; }
  std::size_t rank() const;  // 0 for All (until resolved)
  const Hyperslab& slab() const { return slab_; }
  const std::vector<std::uint64_t>& flat_points() const { return points_; }
  std::uint64_t num_points() const;  // for Points

  // The same selection made explicit and checked against a dataset shape: All becomes the
  // hyperslab of the whole shape; ranks, overlapping blocks and bounds are validated. Throws
  // InvalidArgument with the offending dimension and values; `what` names the dataset.
  Selection resolved(const Extent& shape, const std::string& what = "dataset") const;
  // The same, with the name made only when there is an error to report (the hot path of writes).
  Selection resolved(const Extent& shape, const std::function<std::string()>& what) const;

  // Number of selected elements (a resolved selection; All throws).
  std::uint64_t num_elements() const;
  // Natural shape of a buffer holding the selection: count*block per dimension for a
  // hyperslab, {n} for points.
  Extent buffer_shape() const;

  std::string describe() const;  // for error messages: "hyperslab start=[0,0] count=[2,3] ..."

  friend bool operator==(const Selection&, const Selection&) = default;

 private:
  Kind kind_ = Kind::All;
  Hyperslab slab_;
  std::size_t point_rank_ = 0;
  std::vector<std::uint64_t> points_;
};

}  // namespace h5mf
