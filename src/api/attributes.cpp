#include "h5mf/attributes.hpp"

#include <fmt/format.h>

#include <cstring>

#include "api/file_state.hpp"
#include "hdf5/attribute_fit.hpp"
#include "hdf5/convert.hpp"
#include "values/vlen_values.hpp"

namespace h5mf {

Attributes::Attributes(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::Node> node)
    : file_(std::move(file)), node_(std::move(node)) {}

void Attributes::set_raw(const std::string& name, AttributeData value) {
  file_->require_structure_change(fmt::format("set attribute '{}' of '{}'", name, node_->path()));
  if (name.empty() || name.find('\0') != std::string::npos || name.find('/') != std::string::npos) {
    throw InvalidArgument(
        fmt::format("invalid attribute name '{}' on '{}': empty, or contains '/' or NUL", name, node_->path()));
  }
  if (value.null && !value.dims.empty()) {
    throw InvalidArgument(fmt::format("attribute '{}' of '{}': a null dataspace (Empty) has no dims (given {})", name,
                                      node_->path(), value.dims.size()));
  }
  const std::uint64_t n = value.num_elements();
  if (value.has_vlen_elements()) {
    try {  // exactly n well-formed elements (the driver converts them later)
      values::convert_vlen_elements(value.type, value.bytes, n, value.type, "its value");
    } catch (const FormatError& e) {
      throw InvalidArgument(fmt::format("attribute '{}' of '{}': {}", name, node_->path(), e.what()));
    }
  }
  const bool strings = value.type.is_variable_length() && value.type.type_class() == H5T_STRING;
  const std::uint64_t have =
      strings ? value.strings.size() : value.bytes.size() / std::max<std::size_t>(value.type.size(), 1);
  if (!value.has_vlen_elements() && (have != n || (!strings && value.bytes.size() != n * value.type.size()))) {
    throw InvalidArgument(
        fmt::format("attribute '{}' of '{}': {} elements for dims of {} elements", name, node_->path(), have, n));
  }
  // What the merged file could not hold is refused now, on every driver, by libhdf5's own rule.
  hdf5::check_attribute_fits(name, value.type.file_type(), value.dims,
                             fmt::format("attribute '{}' of '{}' in file '{}'", name, node_->path(), file_->path));
  node_->set_attribute(name, value);
}

AttributeData Attributes::get_raw(const std::string& name) const {
  file_->checked();
  if (!node_->has_attribute(name)) {
    throw NotFound(fmt::format("attribute '{}' not found on '{}' in file '{}'", name, node_->path(), file_->path));
  }
  return node_->get_attribute(name);
}

bool Attributes::contains(const std::string& name) const {
  file_->checked();
  return node_->has_attribute(name);
}

std::vector<std::string> Attributes::names() const {
  file_->checked();
  return node_->attribute_names();
}

void Attributes::remove(const std::string& name) {
  file_->require_structure_change(fmt::format("delete attribute '{}' of '{}'", name, node_->path()));
  if (!node_->has_attribute(name)) {
    throw NotFound(fmt::format("attribute '{}' not found on '{}' in file '{}'", name, node_->path(), file_->path));
  }
  node_->delete_attribute(name);
}

void Attributes::convert_to(const AttributeData& stored, const Datatype& type, void* out, std::uint64_t count,
                            const std::string& name) const {
  if (count != stored.num_elements()) {
    throw InvalidArgument(fmt::format("attribute '{}' of '{}' has {} elements, not {}", name, node_->path(),
                                      stored.num_elements(), count));
  }
  // Numbers convert among themselves, fixed-length strings among themselves, enums, arrays and
  // compounds to ones with matching names and convertible members (HDF5's rules); variable-length
  // strings are read as strings (get<std::string>).
  const auto refuse = [&](const std::string& why) {
    return InvalidArgument(fmt::format("attribute '{}' of '{}' has type {}, which does not convert to {}{}", name,
                                       node_->path(), stored.type.describe(), type.describe(), why));
  };
  // (HDF5 converts fixed-length strings to fixed-length strings only)
  const bool one_string = (stored.type.type_class() == H5T_STRING) != (type.type_class() == H5T_STRING);
  if (stored.type.is_variable_length() || type.is_variable_length() || one_string) throw refuse("");
  std::vector<std::byte> converted;
  try {
    converted = hdf5::convert(stored.type, type, count, stored.bytes);
  } catch (const IoError& e) {
    throw refuse(std::string(": ") + e.what());
  }
  // An empty attribute reads into an empty vector, whose data() may be null: no memcpy then.
  if (!converted.empty()) std::memcpy(out, converted.data(), converted.size());
}

bool AttributeData::has_vlen_elements() const { return values::uses_vlen_elements(type); }

AttributeData AttributeData::from_elements(Datatype type, Extent dims, const void* elements) {
  AttributeData out;
  out.type = std::move(type);
  out.dims = std::move(dims);
  out.bytes = values::encode_vlen_elements(out.type, elements, out.num_elements(), out.type,
                                           fmt::format("an attribute of {}", out.type.describe()));
  return out;
}

void AttributeData::read_elements(const Datatype& memory, void* out) const {
  values::decode_vlen_elements(type, bytes, num_elements(), memory, out,
                               fmt::format("an attribute of {}", type.describe()));
}

}  // namespace h5mf
