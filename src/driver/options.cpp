#include "h5mf/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

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

Aggregation parse_aggregation(std::string_view text) {
  Aggregation a;
  auto number = [&](std::string_view digits) {
    const bool ok = !digits.empty() && digits.size() <= 9 &&
                    std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int n = ok ? std::stoi(std::string(digits)) : 0;
    if (n <= 0) {
      throw InvalidArgument(
          fmt::format("invalid aggregation '{}': use 'off', 'node', a number of ranks per group "
                      "(e.g. '8') or 'files:<number of data files>' (e.g. 'files:4')",
                      text));
    }
    return n;
  };
  if (text.empty() || text == "off" || text == "0") return a;
  if (text == "node") {
    a.kind = Aggregation::Kind::Node;
  } else if (text.starts_with("files:")) {
    a.kind = Aggregation::Kind::Files;
    a.count = number(text.substr(6));
  } else {
    a.kind = Aggregation::Kind::GroupSize;
    a.count = number(text);
  }
  return a;
}

std::string to_string(const Aggregation& aggregation) {
  switch (aggregation.kind) {
    case Aggregation::Kind::Off: return "off";
    case Aggregation::Kind::Node: return "node";
    case Aggregation::Kind::GroupSize: return std::to_string(aggregation.count);
    case Aggregation::Kind::Files: return "files:" + std::to_string(aggregation.count);
  }
  return "?";
}

}  // namespace h5mf
