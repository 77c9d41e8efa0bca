#include "h5mf/dataset.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "api/file_state.hpp"
#include "format/limits.hpp"
#include "hdf5/convert.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_fill.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf {

Dataset::Dataset(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::DatasetNode> node)
    : file_(std::move(file)), node_(std::move(node)) {}

std::string Dataset::name() const { return node_->path(); }

std::optional<std::string> Dataset::current_name() const {
  file_->checked();
  return node_->current_name();
}
std::uint64_t Dataset::object_id() const {
  file_->checked();
  return node_->object_id();
}
Extent Dataset::shape() const {
  file_->checked();
  return node_->shape();
}
bool Dataset::is_null() const {
  file_->checked();
  return node_->is_null();
}
Extent Dataset::maxshape() const {
  file_->checked();
  return node_->maxshape();
}
Extent Dataset::chunks() const {
  file_->checked();
  return node_->chunks();
}
FilterPipeline Dataset::filters() const {
  file_->checked();
  return node_->filters();
}
Datatype Dataset::dtype() const {
  file_->checked();
  return node_->file_type();
}
std::optional<std::uint64_t> Dataset::named_type_id() const {
  file_->checked();
  return node_->named_type_id();
}
std::vector<std::byte> Dataset::fill_value() const {
  file_->checked();
  return node_->fill();
}

std::optional<std::string> Dataset::fill_string() const {
  const Datatype type = dtype();
  const std::string what = fmt::format("fill value of dataset '{}' in file '{}'", name(), file_->path);
  if (!values::is_vlen_string(type)) {
    throw InvalidArgument(fmt::format("{}: the dataset holds {}, not variable-length strings", what, type.describe()));
  }
  return values::vlen_fill_value(type, node_->fill(), what);
}

std::vector<std::byte> Dataset::fill_sequence(const Datatype& element) const {
  const Datatype type = dtype();
  const std::string what = fmt::format("fill value of dataset '{}' in file '{}'", name(), file_->path);
  if (!values::is_vlen_sequence(type)) {
    throw InvalidArgument(
        fmt::format("{}: the dataset holds {}, not variable-length sequences", what, type.describe()));
  }
  const auto value = values::vlen_fill_value(type, node_->fill(), what);
  if (!value) return {};
  const Datatype base = values::sequence_base(type);
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(value->data()), value->size());
  return hdf5::convert(base, element, value->size() / base.size(), bytes);
}
StorageInfo Dataset::storage() const {
  file_->checked();
  return node_->storage();
}

std::uint64_t Dataset::size() const {
  if (is_null()) return 0;
  std::uint64_t n = 1;
  for (auto d : shape()) n *= d;
  return n;
}

std::uint64_t Dataset::count(const Selection& selection) const { return resolve(selection).num_elements(); }

Selection Dataset::resolve(const Selection& selection) const {
  file_->checked();
  if (node_->is_null()) {
    throw InvalidArgument(
        fmt::format("dataset '{}' in file '{}' has a null dataspace (Empty): it has no elements to "
                    "select, read or write",
                    name(), file_->path));
  }
  return selection.resolved(node_->shape(),
                            [this] { return fmt::format("dataset '{}' in file '{}'", name(), file_->path); });
}

Selection Dataset::resolve_for(const Selection& selection, std::uint64_t count, const void* buffer) const {
  Selection resolved = resolve(selection);
  const std::uint64_t n = resolved.num_elements();
  if (count != kAnyCount && count != n) {
    throw InvalidArgument(
        fmt::format("dataset '{}' in file '{}': the buffer holds {} elements but the selection "
                    "({}) selects {}",
                    name(), file_->path, count, resolved.describe(), n));
  }
  if (n > 0 && buffer == nullptr) {
    throw InvalidArgument(fmt::format("dataset '{}': null buffer for {} elements", name(), n));
  }
  return resolved;
}

void Dataset::write_elements(const void* data, std::uint64_t count, const Datatype& memory_type,
                             const Selection& selection) {
  file_->require_writable([this] { return fmt::format("write to dataset '{}'", name()); });
  node_->write(resolve_for(selection, count, data), memory_type, data);
}

void Dataset::read_elements(void* data, std::uint64_t count, const Datatype& memory_type,
                            const Selection& selection) const {
  node_->read(resolve_for(selection, count, data), memory_type, data);
}

void reclaim_strings(char** strings, std::size_t count) noexcept { values::free_strings(strings, count); }
void reclaim_sequences(hvl_t* sequences, std::size_t count) noexcept { values::free_sequences(sequences, count); }
void reclaim_members(const Datatype& type, void* elements, std::size_t count) {
  values::free_vlen_members(values::vlen_compound(type, "reclaim_members"), static_cast<std::byte*>(elements), count);
}

void Dataset::write_strings(std::span<const std::string> data, const Selection& selection) {
  std::vector<const char*> pointers(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) pointers[i] = data[i].c_str();
  write_elements(pointers.data(), pointers.size(), Datatype::variable_string(), selection);
}

void Dataset::read_strings(std::span<std::string> out, const Selection& selection) const {
  std::vector<char*> pointers(out.size(), nullptr);
  struct Reclaim {
    std::vector<char*>& p;
    ~Reclaim() { values::free_strings(p.data(), p.size()); }
  } reclaim{pointers};
  read_elements(pointers.data(), pointers.size(), Datatype::variable_string(), selection);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = pointers[i] == nullptr ? std::string() : pointers[i];
}

void Dataset::write_raw(const void* buffer, const Datatype& memory_type, const Selection& selection) {
  write_elements(buffer, kAnyCount, memory_type, selection);
}

void Dataset::read_raw(void* buffer, const Datatype& memory_type, const Selection& selection) const {
  read_elements(buffer, kAnyCount, memory_type, selection);
}

void Dataset::write_raw(const void* buffer, std::uint64_t count, const Datatype& memory_type,
                        const Selection& selection) {
  write_elements(buffer, count, memory_type, selection);
}

void Dataset::read_raw(void* buffer, std::uint64_t count, const Datatype& memory_type,
                       const Selection& selection) const {
  read_elements(buffer, count, memory_type, selection);
}

void Dataset::resize(const Extent& new_shape) {
  file_->require_structure_change(fmt::format("resize dataset '{}'", name()));
  if (is_null()) {
    throw InvalidArgument(
        fmt::format("resize of dataset '{}': it has a null dataspace (Empty), which cannot be "
                    "resized",
                    name()));
  }
  const Extent max = maxshape();
  if (new_shape.size() != max.size()) {
    throw InvalidArgument(fmt::format("resize of dataset '{}': new shape has rank {} but the dataset has rank {}",
                                      name(), new_shape.size(), max.size()));
  }
  for (std::size_t d = 0; d < max.size(); ++d) {
    if (new_shape[d] > max[d]) {
      throw InvalidArgument(fmt::format("resize of dataset '{}' to [{}]: dimension {} exceeds maxshape [{}]", name(),
                                        fmt::join(new_shape, ", "), d, fmt::join(max, ", ")));
    }
  }
  if (const auto problem = format::extent_problem(new_shape, max, {}, dtype().size()); !problem.empty()) {
    throw InvalidArgument(fmt::format("resize of dataset '{}': {}", name(), problem));
  }
  node_->resize(new_shape);
}

void Dataset::set_collective(bool collective) {
  file_->checked();
  node_->set_collective(collective);
}

Attributes Dataset::attrs() const { return Attributes(file_, node_); }

std::uint32_t Dataset::checked_dim(std::size_t dim) const {
  const std::size_t r = rank();
  if (dim >= r) {
    throw InvalidArgument(
        fmt::format("dataset '{}' in file '{}' has {} dimensions, not dimension {}", name(), file_->path, r, dim));
  }
  return static_cast<std::uint32_t>(dim);
}

void Dataset::make_scale(const std::string& scale_name) {
  file_->require_structure_change(fmt::format("make dataset '{}' a dimension scale", name()));
  if (scale_name.find('\0') != std::string::npos) {
    throw InvalidArgument(fmt::format("dimension scale name for '{}' holds a NUL character", name()));
  }
  for (std::size_t d = 0; d < rank(); ++d) {
    if (!node_->scales(static_cast<std::uint32_t>(d)).empty()) {
      throw Error(
          fmt::format("cannot make dataset '{}' in file '{}' a dimension scale: it has dimension scales "
                      "attached (libhdf5's H5DSset_scale refuses it)",
                      name(), file_->path));
    }
  }
  node_->make_scale(scale_name);
}

bool Dataset::is_scale() const {
  file_->checked();
  return node_->is_scale();
}
std::string Dataset::scale_name() const {
  file_->checked();
  return node_->scale_name();
}

std::string Dataset::scale_problem(const Dataset& scale, std::size_t dim, bool attach) const {
  if (scale.file_ != file_) return "it is a dataset of another file";
  if (scale.object_id() == object_id()) return "a dataset cannot be a scale of itself";
  const std::uint32_t d = checked_dim(dim);
  if (attach) {
    if (is_scale()) return fmt::format("'{}' is a dimension scale, and a scale has no scales", name());
    for (std::size_t i = 0; i < scale.rank(); ++i) {
      if (!scale.node_->scales(static_cast<std::uint32_t>(i)).empty()) {
        return fmt::format("'{}' has dimension scales of its own, so it cannot be one", scale.name());
      }
    }
    return "";
  }
  for (const auto& attached : node_->scales(d)) {
    if (attached->object_id() == scale.object_id()) return "";
  }
  return "it is not attached there";
}

void Dataset::attach_scale(const Dataset& scale, std::size_t dim) {
  file_->require_structure_change(fmt::format("attach a dimension scale to dataset '{}'", name()));
  if (const std::string problem = scale_problem(scale, dim, true); !problem.empty()) {
    throw Error(
        fmt::format("cannot attach '{}' as a dimension scale to dimension {} of '{}' in file '{}': {} "
                    "(libhdf5's H5DSattach_scale refuses it)",
                    scale.name(), dim, name(), file_->path, problem));
  }
  node_->attach_scale(*scale.node_, static_cast<std::uint32_t>(dim));
}

void Dataset::detach_scale(const Dataset& scale, std::size_t dim) {
  file_->require_structure_change(fmt::format("detach a dimension scale from dataset '{}'", name()));
  if (const std::string problem = scale_problem(scale, dim, false); !problem.empty()) {
    throw Error(
        fmt::format("cannot detach '{}' from dimension {} of '{}' in file '{}': {} (libhdf5's "
                    "H5DSdetach_scale refuses it)",
                    scale.name(), dim, name(), file_->path, problem));
  }
  node_->detach_scale(*scale.node_, static_cast<std::uint32_t>(dim));
}

std::vector<Dataset> Dataset::scales(std::size_t dim) const {
  std::vector<Dataset> out;
  for (auto& node : node_->scales(checked_dim(dim))) out.emplace_back(file_, std::move(node));
  return out;
}

std::string Dataset::label(std::size_t dim) const { return node_->label(checked_dim(dim)); }

void Dataset::set_label(std::size_t dim, const std::string& label) {
  file_->require_structure_change(fmt::format("label a dimension of dataset '{}'", name()));
  if (label.find('\0') != std::string::npos) {
    throw InvalidArgument(fmt::format("label for dimension {} of '{}' holds a NUL character", dim, name()));
  }
  node_->set_label(checked_dim(dim), label);
}

}  // namespace h5mf
