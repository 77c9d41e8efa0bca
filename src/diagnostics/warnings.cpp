#include "h5mf/warnings.hpp"

#include <cstdio>
#include <mutex>
#include <utility>

namespace h5mf {
namespace {

void print_warning(const std::string& message) { std::fprintf(stderr, "h5mf: warning: %s\n", message.c_str()); }

struct Handler {
  std::mutex mutex;                 // guards `installed`
  std::recursive_mutex call_mutex;  // one call of the handler at a time (a handler may warn)
  WarningHandler installed;
};

Handler& handler() {
  static Handler* h = new Handler;  // never destroyed: warnings may come from static destructors
  return *h;
}

}  // namespace

WarningHandler set_warning_handler(WarningHandler replacement) {
  Handler& h = handler();
  std::lock_guard lock(h.mutex);
  return std::exchange(h.installed, std::move(replacement));
}

void warn(const std::string& message) noexcept {
  Handler& h = handler();
  try {
    WarningHandler current;
    {
      std::lock_guard lock(h.mutex);
      current = h.installed;  // a copy: the handler may replace itself
    }
    if (current) {
      std::lock_guard call(h.call_mutex);
      current(message);
      return;
    }
  } catch (...) {  // warnings come from places that must not throw: the default handler's way
  }
  print_warning(message);
}

}  // namespace h5mf
