#include "h5mf/options.hpp"

#include <fmt/format.h>

#include "h5mf/error.hpp"

namespace h5mf {

Mode parse_mode(std::string_view mode) {
  if (mode == "r") return Mode::Read;
  if (mode == "r+") return Mode::ReadWrite;
  if (mode == "w") return Mode::Truncate;
  if (mode == "w-" || mode == "x") return Mode::Exclusive;
  if (mode == "a") return Mode::Append;
  throw InvalidArgument(fmt::format("invalid mode '{}': use 'r', 'r+', 'w', 'w-' (or 'x') or 'a'", mode));
}

std::string to_string(Mode mode) {
  switch (mode) {
    case Mode::Read: return "r";
    case Mode::ReadWrite: return "r+";
    case Mode::Truncate: return "w";
    case Mode::Exclusive: return "w-";
    case Mode::Append: return "a";
  }
  return "?";
}

Driver parse_driver(std::string_view name) {
  if (name.empty() || name == "auto") return Driver::Auto;
  if (name == "multifile") return Driver::Multifile;
  if (name == "mpio") return Driver::Mpio;
  if (name == "sec2") return Driver::Sec2;
  throw InvalidArgument(fmt::format("unknown driver '{}': use 'multifile', 'mpio' or 'sec2'", name));
}

std::string to_string(Driver driver) {
  switch (driver) {
    case Driver::Auto: return "auto";
    case Driver::Multifile: return "multifile";
    case Driver::Mpio: return "mpio";
    case Driver::Sec2: return "sec2";
  }
  return "?";
}

}  // namespace h5mf
