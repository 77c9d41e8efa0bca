// What every handle of one open file shares: the driver and whether the file is still open.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "driver/driver.hpp"
#include "h5mf/error.hpp"
#include "h5mf/options.hpp"

namespace h5mf::detail {

struct FileState {
  std::unique_ptr<driver::FileDriver> driver;
  std::string path;
  Mode mode = Mode::Read;
  bool open = true;

  driver::FileDriver& checked() const {
    if (!open) throw InvalidArgument("file '" + path + "' is closed");
    return *driver;
  }
  // Structure changes and data writes need a writable file.
  void require_writable(const std::string& what) const {
    require_writable([&what] { return what; });
  }
  // The same, with the message made only when needed (the hot path of writes).
  template <class What>
  void require_writable(const What& what) const requires std::is_invocable_r_v<std::string, What> {
    checked();
    if (!driver->writable()) {
      throw InvalidArgument("cannot " + what() + ": file '" + path + "' is open read-only (mode 'r')");
    }
  }
  // Structure changes also need a process allowed to make them.
  void require_structure_change(const std::string& what) const {
    require_writable(what);
    driver->check_structure_change(what);
  }
};

}  // namespace h5mf::detail
