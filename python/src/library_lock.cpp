#include "common.hpp"

namespace h5mf::python {

std::recursive_mutex& library_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

}  // namespace h5mf::python
