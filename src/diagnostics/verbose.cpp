#include "diagnostics/verbose.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace h5mf::diagnostics {

bool verbose_enabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("H5MF_VERBOSE");
    return value != nullptr && value[0] != '\0' && std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

void verbose_line(const std::string& line) {
  const std::string text = "h5mf: " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);  // one write: lines of threads do not mix
}

}  // namespace h5mf::diagnostics
