// The fixed mapping from h5mf's C++ exceptions to Python's (include/h5mf/error.hpp), messages
// unchanged. Two get classes of their own so that they can be caught apart from the builtin ones.
#include "common.hpp"
#include "h5mf/error.hpp"

#include <cerrno>

namespace h5mf::python {

void bind_errors(py::module_& m) {
  // Created once and never freed: the translator may run until the interpreter is gone.
  static PyObject* format_error = PyErr_NewExceptionWithDoc(
      "h5mf.FormatError", "Bytes on disk are not what the format says (bad magic, checksum, truncation).",
      PyExc_OSError, nullptr);
  static PyObject* mismatch_error = PyErr_NewExceptionWithDoc(
      "h5mf.CollectiveMismatchError",
      "The ranks of an MPI job made different collective calls (names, shapes, types or order differ).",
      PyExc_RuntimeError, nullptr);
  if (format_error == nullptr || mismatch_error == nullptr) throw py::error_already_set();
  m.attr("FormatError") = py::handle(format_error);
  m.attr("CollectiveMismatchError") = py::handle(mismatch_error);

  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const NotFound& e) {
      PyErr_SetString(PyExc_KeyError, e.what());
    } catch (const InvalidArgument& e) {  // AlreadyExists too
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Busy& e) {
      // h5py raises BlockingIOError(EAGAIN) for a file another process has locked.
      PyObject* value = Py_BuildValue("(is)", EAGAIN, e.what());
      if (value != nullptr) {
        PyErr_SetObject(PyExc_BlockingIOError, value);
        Py_DECREF(value);
      }
    } catch (const FormatError& e) {
      PyErr_SetString(format_error, e.what());
    } catch (const IoError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const CollectiveMismatch& e) {
      PyErr_SetString(mismatch_error, e.what());
    } catch (const Unsupported& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace h5mf::python
