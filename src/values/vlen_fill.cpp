#include "values/vlen_fill.hpp"

#include <fmt/format.h>

#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/vlen_types.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf::values {

std::vector<std::byte> vlen_fill_for(const Datatype& given, const Datatype& file, std::span<const std::byte> fill,
                                     const std::string& what) {
  const bool strings = is_vlen_string(file);
  if (strings ? !is_vlen_string(given) : !is_vlen_sequence(given)) {
    throw InvalidArgument(fmt::format("{}: the fill value of a dataset of {} must be a {} too, not {}", what,
                                      file.describe(), strings ? "variable-length string" : "sequence",
                                      given.describe()));
  }
  std::optional<format::Bytes> value;
  try {
    value = format::decode_vlen_fill(fill, hdf5::vlen_unit(given), what);
  } catch (const FormatError& e) {
    throw InvalidArgument(e.what());
  }
  if (!value) return {};
  if (strings) return format::encode_vlen_fill(*value);
  const Datatype from = sequence_base(given), to = sequence_base(file);
  return format::encode_vlen_fill(hdf5::convert(from, to, value->size() / from.size(), *value));
}

std::optional<std::string> vlen_fill_value(const Datatype& file, std::span<const std::byte> fill,
                                           const std::string& what) {
  const auto value = format::decode_vlen_fill(fill, hdf5::vlen_unit(file), what);
  if (!value) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(value->data()), value->size());
}

}  // namespace h5mf::values
