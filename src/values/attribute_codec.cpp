#include "values/attribute_codec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/handle.hpp"
#include "values/vlen_values.hpp"

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
  if (uses_vlen_elements(value.type)) {
    const Datatype file_type = value.type.file_type();
    out.type = file_type.encode();
    out.variable_length_elements = true;
    out.value = convert_vlen_elements(value.type, value.bytes, value.num_elements(), file_type,
                                      fmt::format("an attribute value of {}", value.type.describe()));
    return out;
  }
  if (value.type.is_variable_length()) {
    throw Unsupported(fmt::format(
        "attributes of variable-length type {} are not supported yet (strings, sequences of fixed-size types "
        "and compounds with such members are)",
        value.type.describe()));
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
  if (stored.variable_length_elements != uses_vlen_elements(out.type)) {
    throw FormatError(fmt::format("{}: {} of type {}", context,
                                  stored.variable_length_elements ? "variable-length elements flagged for a value"
                                                                  : "no variable-length elements flagged for a value",
                                  out.type.describe()));
  }
  if (stored.variable_length_elements) {
    // Checked, slot by slot and value by value, and the same bytes again.
    out.bytes = convert_vlen_elements(out.type, stored.value, out.num_elements(), out.type, context);
  } else if (is_variable_string(out.type)) {
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

void write_attribute_value(hid_t attribute, const AttributeData& value, const std::string& what) {
  const std::size_t n = value.num_elements();
  if (n == 0) return;  // nothing to write (HDF5 refuses a null buffer even for zero elements)
  if (is_variable_string(value.type)) {
    std::vector<const char*> pointers;
    pointers.reserve(value.strings.size());
    for (const auto& s : value.strings) pointers.push_back(s.c_str());
    hdf5::check(H5Awrite(attribute, value.type.id(), pointers.data()), what);
  } else if (uses_vlen_elements(value.type)) {
    std::vector<std::byte> elements(n * value.type.size());
    decode_vlen_elements(value.type, value.bytes, n, value.type, elements.data(), what);
    struct Free {
      const Datatype& type;
      std::vector<std::byte>& elements;
      std::size_t n;
      ~Free() { free_vlen_elements(type, elements.data(), n); }
    } free{value.type, elements, n};
    hdf5::check(H5Awrite(attribute, value.type.id(), elements.data()), what);
  } else {
    hdf5::check(H5Awrite(attribute, value.type.id(), value.bytes.data()), what);
  }
}

void read_attribute_value(hid_t attribute, hid_t space, AttributeData& out, const std::string& what) {
  const std::size_t n = out.num_elements();
  if (n == 0) return;
  if (!is_variable_string(out.type) && !uses_vlen_elements(out.type)) {
    if (out.type.is_variable_length()) {
      throw Unsupported(fmt::format("{}: variable-length type {} is not supported", what, out.type.describe()));
    }
    out.bytes.resize(n * out.type.size());
    hdf5::check(H5Aread(attribute, out.type.id(), out.bytes.data()), what);
    return;
  }
  std::vector<std::byte> elements(n * out.type.size());
  hdf5::check(H5Aread(attribute, out.type.id(), elements.data()), what);
  struct Reclaim {  // what libhdf5 allocated, it frees
    hid_t type, space;
    void* elements;
    ~Reclaim() {
      if (H5Dvlen_reclaim(type, space, H5P_DEFAULT, elements) < 0) H5Eclear2(H5E_DEFAULT);
    }
  } reclaim{out.type.id(), space, elements.data()};
  if (is_variable_string(out.type)) {
    out.strings.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = nullptr;
      std::memcpy(&s, elements.data() + i * sizeof s, sizeof s);
      out.strings.emplace_back(s == nullptr ? "" : s);
    }
  } else {
    out.bytes = encode_vlen_elements(out.type, elements.data(), n, out.type, what);
  }
}

}  // namespace h5mf::values
