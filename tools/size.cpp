#include "size.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>

#include "h5mf/error.hpp"

namespace h5mf::tools {

std::uint64_t parse_size(std::string_view text, std::string_view option) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string unit(end, text.data() + text.size());
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::toupper(c); });
  if (unit.ends_with("IB")) unit.resize(unit.size() - 2);
  if (unit.ends_with("B")) unit.resize(unit.size() - 1);
  constexpr std::string_view units = "KMGT";
  const std::size_t at = unit.size() == 1 ? units.find(unit[0]) : std::string_view::npos;
  const int shift = unit.empty() ? 0 : at == std::string_view::npos ? -1 : 10 * static_cast<int>(at + 1);
  if (error != std::errc{} || end == text.data() || shift < 0 ||
      value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    throw InvalidArgument(
        fmt::format("{} '{}': expected a number or a size such as 64K, 256M or 1G (K = 1024)", option, text));
  }
  return value << shift;
}

}  // namespace h5mf::tools
