// What the binding files share: the library lock, the holder type, and one bind_* function per
// class (each in its own bind_<thing>.cpp, called from module.cpp).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // in every file: type casters must be the same in all of them

#include <memory>
#include <mutex>

namespace h5mf::python {

namespace py = pybind11;

// libhdf5 (Debian's build is not thread-safe) and the h5mf objects are used by one thread at a
// time. The GIL gave us that until we release it for I/O, so every call into the library holds this
// lock as well: calls made with the GIL held take it as they are (py::call_guard<Locked>), I/O
// releases the GIL first and then takes it (Unlocked). Nobody waits for the GIL while holding the
// lock, so the two cannot deadlock. Recursive: a deleter may run inside a locked call.
std::recursive_mutex& library_mutex();

class Locked {
 public:
  Locked() : lock_(library_mutex()) {}

 private:
  std::lock_guard<std::recursive_mutex> lock_;
};

// The GIL released (other Python threads run) while this thread uses the library.
class Unlocked {
 public:
  Unlocked() = default;

 private:
  py::gil_scoped_release release_;  // first released, last re-acquired
  Locked locked_;
};

// Python objects own their C++ object through this: destroying an h5mf object closes HDF5 ids, so
// it takes the lock too.
template <class T>
struct LockedDelete {
  void operator()(T* object) const noexcept {
    Locked lock;
    delete object;
  }
};
template <class T>
using Held = std::unique_ptr<T, LockedDelete<T>>;

void bind_errors(py::module_& m);
void bind_selection(py::module_& m);
void bind_attributes(py::module_& m);
void bind_dataset(py::module_& m);
void bind_group(py::module_& m);
void bind_file(py::module_& m);
void bind_merge(py::module_& m);
void bind_view(py::module_& m);
void bind_verify(py::module_& m);
void bind_driver(py::module_& m);
void bind_warnings(py::module_& m);

}  // namespace h5mf::python
