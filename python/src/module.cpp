// h5mf._core: the compiled half of the h5mf package. Users import h5mf, whose plain-Python modules
// add slicing, context managers and dict-like attributes on top of these classes.
#include "common.hpp"

PYBIND11_MODULE(_core, m) {
  namespace python = h5mf::python;
  m.doc() = "h5mf's compiled core; use the h5mf package instead";
  m.attr("__version__") = H5MF_VERSION;
  python::bind_errors(m);
  python::bind_selection(m);
  python::bind_attributes(m);
  python::bind_dataset(m);
  python::bind_group(m);
  python::bind_file(m);
  python::bind_merge(m);
  python::bind_view(m);
  python::bind_verify(m);
  python::bind_driver(m);
  python::bind_warnings(m);
}
