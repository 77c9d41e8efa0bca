// Library warnings (include/h5mf/warnings.hpp) as Python warnings of a category the package
// defines (h5mf.H5mfWarning), through the `warnings` module, so that filters, pytest.warns and
// `-W error` apply to them.
//
// A warning may come from any thread: the one that called into the library with the GIL held, the
// same thread after it released the GIL for I/O, or a worker thread of a merge. Only the first
// may call Python at once. The others must not wait for the GIL (the thread that holds it may be
// waiting for the library lock they run under, common.hpp), so their messages are queued and
// issued by the interpreter's main thread as soon as it runs Python again (Py_AddPendingCall, which
// needs no GIL). A warning the filters turn into an error is issued again that way too, so that
// its exception is raised in Python, after the call that caused it returns.
#include <Python.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "h5mf/warnings.hpp"

namespace h5mf::python {
namespace {

struct Queue {
  std::mutex mutex;
  std::vector<std::string> messages;
  bool scheduled = false;  // a pending call will issue them
};

Queue& queue() {
  static Queue* q = new Queue;  // never destroyed: warnings may come during interpreter exit
  return *q;
}

PyObject* category = nullptr;  // h5mf.H5mfWarning, one reference kept for good

void print(const std::string& message) { std::fprintf(stderr, "h5mf: warning: %s\n", message.c_str()); }

// In the main thread, with the GIL: issues the queued messages. -1 (with the exception set) when
// the filters turned one into an error; the messages after it are issued as plain lines.
int issue_queued(void*) {
  std::vector<std::string> messages;
  {
    std::lock_guard lock(queue().mutex);
    messages.swap(queue().messages);
    queue().scheduled = false;
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (PyErr_WarnEx(category, messages[i].c_str(), 1) < 0) {
      for (std::size_t j = i + 1; j < messages.size(); ++j) print(messages[j]);
      return -1;
    }
  }
  return 0;
}

void defer(const std::string& message) {
  std::lock_guard lock(queue().mutex);
  queue().messages.push_back(message);
  if (queue().scheduled) return;
  if (Py_AddPendingCall(issue_queued, nullptr) == 0) {
    queue().scheduled = true;
  } else {  // the interpreter's queue is full: say them the default way
    for (const auto& m : queue().messages) print(m);
    queue().messages.clear();
  }
}

void handle(const std::string& message) {
  if (category == nullptr || !Py_IsInitialized()) {
    print(message);
    return;
  }
  if (PyGILState_Check() && !PyErr_Occurred()) {
    if (PyErr_WarnEx(category, message.c_str(), 1) == 0) return;
    PyErr_Clear();  // an error by the filters: raised once the call returns to Python (below)
  }
  defer(message);
}

}  // namespace

void bind_warnings(py::module_& m) {
  m.def(
      "_install_warning_handler",
      [](py::object warning_category) {
        Py_XDECREF(category);
        category = warning_category.release().ptr();
        set_warning_handler(handle);
      },
      "Route the library's warnings to warnings.warn(message, category)");
  m.def(
      "_restore_warning_handler", [] { set_warning_handler({}); },
      "Route the library's warnings to stderr again (at interpreter exit)");
}

}  // namespace h5mf::python
