// Selections are values: the Python package turns slicing into these, the same objects the C++
// API takes.
#include <pybind11/operators.h>

#include "common.hpp"
#include "h5mf/error.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::python {

void bind_selection(py::module_& m) {
  using Array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;
  py::class_<Selection>(m, "Selection")
      .def_static("all", &Selection::all, "Every element of the dataset.")
      .def_static("hyperslab", &Selection::hyperslab, py::arg("start"), py::arg("count"), py::arg("stride") = Extent{},
                  py::arg("block") = Extent{}, "A regular hyperslab, as H5Sselect_hyperslab (empty stride/block: 1).")
      .def_static(
          "points",
          [](const Array& coordinates) {
            if (coordinates.ndim() != 2) {
              throw InvalidArgument("points: coordinates must be an array of shape (points, rank)");
            }
            const auto rank = static_cast<std::size_t>(coordinates.shape(1));
            const std::uint64_t* begin = coordinates.data();
            return Selection::points(rank, std::vector<std::uint64_t>(begin, begin + coordinates.size()));
          },
          py::arg("coordinates"), "Points in buffer order, one row of coordinates per point.")
      .def_property_readonly("kind",
                             [](const Selection& s) {
                               switch (s.kind()) {
                                 case Selection::Kind::All: return "all";
                                 case Selection::Kind::Hyperslab: return "hyperslab";
                                 case Selection::Kind::Points: return "points";
                               }
                               return "?";
                             })
      .def("__repr__", [](const Selection& s) { return "<h5mf selection: " + s.describe() + ">"; })
      .def(py::self == py::self);
}

}  // namespace h5mf::python
