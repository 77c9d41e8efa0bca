#include "values/attribute_codec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"

namespace h5mf::values {

bool is_variable_string(const Datatype& type) { return type.type_class() == H5T_STRING && type.is_variable_length(); }

StoredAttribute store_attribute(const AttributeData& value) {
  StoredAttribute out;
  out.dims = value.dims;
  out.null = value.null;
  if (value.null && !value.dims.empty()) {
    throw InvalidArgument(fmt::format("a null dataspace has no dims (given [{}])", fmt::join(value.dims, ",")));
  }
  if (is_variable_string(value.type)) {
    out.type = value.type.encode();  // keeps its character set (ASCII or UTF-8) and padding
    format::Encoder encoder(out.value);
    for (const auto& s : value.strings) encoder.str(s);
    return out;
  }
  if (value.type.is_variable_length()) {
    throw Unsupported(
        fmt::format("attributes of variable-length type {} are not supported yet", value.type.describe()));
  }
  const Datatype file_type = value.type.file_type();
  out.type = file_type.encode();
  out.value = hdf5::convert(value.type, file_type, value.num_elements(), value.bytes);
  return out;
}

AttributeData load_attribute(const StoredAttribute& stored, const std::string& context) {
  AttributeData out;
  out.type = Datatype::decode(stored.type);
  out.dims = stored.dims;
  out.null = stored.null;
  if (is_variable_string(out.type)) {
    format::Decoder decoder(stored.value, context);
    for (std::uint64_t i = 0; i < out.num_elements(); ++i) out.strings.push_back(decoder.str("string"));
    decoder.finish();
  } else {
    if (stored.value.size() != out.num_elements() * out.type.size()) {
      throw FormatError(fmt::format("{}: {} value bytes for {} elements of {}", context, stored.value.size(),
                                    out.num_elements(), out.type.describe()));
    }
    out.bytes = stored.value;
  }
  return out;
}

}  // namespace h5mf::values
