#include "h5mf/group.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "api/file_state.hpp"
#include "format/limits.hpp"
#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/filters.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_fill.hpp"
#include "values/vlen_strings.hpp"
#include "values/vlen_values.hpp"

namespace h5mf {
namespace {

struct SplitPath {
  bool absolute = false;
  std::vector<std::string> parts;
};

SplitPath split(std::string_view path) {
  SplitPath out;
  out.absolute = !path.empty() && path.front() == '/';
  std::size_t at = 0;
  while (at <= path.size()) {
    const std::size_t slash = std::min(path.find('/', at), path.size());
    const std::string_view part = path.substr(at, slash - at);
    if (part == "..") throw InvalidArgument(fmt::format("path '{}': '..' is not supported", path));
    if (part.find('\0') != std::string_view::npos) {
      throw InvalidArgument(fmt::format("path '{}' contains a NUL character", path));
    }
    if (!part.empty() && part != ".") out.parts.emplace_back(part);
    at = slash + 1;
  }
  return out;
}

std::string join(const std::string& base, const std::string& name) {
  return base == "/" ? "/" + name : base + "/" + name;
}

}  // namespace

Group::Group(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::GroupNode> node)
    : file_(std::move(file)), node_(std::move(node)) {}

std::string Group::name() const { return node_->path(); }

std::optional<std::string> Group::current_name() const {
  file_->checked();
  return node_->current_name();
}

std::pair<std::shared_ptr<driver::GroupNode>, std::string> Group::walk(std::string_view path, bool create) const {
  driver::FileDriver& driver = file_->checked();
  SplitPath parts = split(path);
  std::shared_ptr<driver::GroupNode> at = parts.absolute ? driver.root() : node_;
  if (parts.parts.empty()) return {at, std::string()};
  if (create) {  // before any group on the way is made
    const std::string& from = at->path();
    const auto depth =
        static_cast<std::uint64_t>(from == "/" ? 0 : std::count(from.begin(), from.end(), '/')) + parts.parts.size();
    if (depth > format::kMaxDepth) {
      throw InvalidArgument(
          fmt::format("cannot create '{}' in file '{}': it would nest {} deep, more than the {} "
                      "levels h5mf allows (docs/design.md, \"Hostile files\")",
                      path.size() > 200 ? std::string(path.substr(0, 200)) + "..." : std::string(path), file_->path,
                      depth, format::kMaxDepth));
    }
  }
  for (std::size_t i = 0; i + 1 < parts.parts.size(); ++i) {
    const std::string& part = parts.parts[i];
    const auto kind = at->child_kind(part);
    if (!kind) {
      if (!create) {
        throw NotFound(
            fmt::format("'{}' not found in file '{}' (no '{}' in '{}')", path, file_->path, part, at->path()));
      }
      file_->require_structure_change(fmt::format("create group '{}'", join(at->path(), part)));
      at = at->create_group(part);
    } else if (*kind == driver::NodeKind::Dataset) {
      throw InvalidArgument(fmt::format("'{}' in path '{}' of file '{}' is a dataset, not a group",
                                        join(at->path(), part), path, file_->path));
    } else {
      at = at->open_group(part);
    }
  }
  return {at, parts.parts.back()};
}

std::pair<std::shared_ptr<driver::GroupNode>, std::string> Group::new_name(std::string_view path,
                                                                           std::string_view verb) const {
  auto [parent, leaf] = walk(path, true);
  if (leaf.empty()) {
    throw AlreadyExists(fmt::format("cannot {} '{}': the group exists in file '{}'", verb, path, file_->path));
  }
  const std::string full = join(parent->path(), leaf);
  file_->require_structure_change(fmt::format("{} '{}'", verb, full));
  if (parent->link_value(leaf)) {
    throw AlreadyExists(fmt::format("cannot {} '{}': '{}' already exists in file '{}'", verb, path, full, file_->path));
  }
  return {std::move(parent), std::move(leaf)};
}

Group Group::create_group(std::string_view path) {
  auto [parent, leaf] = walk(path, true);
  if (leaf.empty()) throw AlreadyExists(fmt::format("group '{}' already exists in file '{}'", path, file_->path));
  file_->require_structure_change(fmt::format("create group '{}'", join(parent->path(), leaf)));
  if (parent->link_value(leaf)) {
    throw AlreadyExists(fmt::format("cannot create group '{}': '{}' already exists in file '{}'", path,
                                    join(parent->path(), leaf), file_->path));
  }
  return Group(file_, parent->create_group(leaf));
}

Group Group::require_group(std::string_view path) {
  auto [parent, leaf] = walk(path, true);
  if (leaf.empty()) return Group(file_, parent);
  const auto kind = parent->child_kind(leaf);
  if (!kind) {
    file_->require_structure_change(fmt::format("create group '{}'", join(parent->path(), leaf)));
    return Group(file_, parent->create_group(leaf));
  }
  if (*kind != driver::NodeKind::Group) {
    throw InvalidArgument(
        fmt::format("'{}' in file '{}' is a dataset, not a group", join(parent->path(), leaf), file_->path));
  }
  return Group(file_, parent->open_group(leaf));
}

Group Group::group(std::string_view path) const {
  auto [parent, leaf] = walk(path, false);
  if (leaf.empty()) return Group(file_, parent);
  const auto kind = parent->child_kind(leaf);
  if (!kind) throw NotFound(fmt::format("group '{}' not found in file '{}'", join(parent->path(), leaf), file_->path));
  if (*kind != driver::NodeKind::Group) {
    throw InvalidArgument(
        fmt::format("'{}' in file '{}' is a dataset, not a group", join(parent->path(), leaf), file_->path));
  }
  return Group(file_, parent->open_group(leaf));
}

Dataset Group::create_dataset(std::string_view path, const DatasetCreate& spec) {
  auto [parent, leaf] = walk(path, true);
  const std::string full = leaf.empty() ? std::string(path) : join(parent->path(), leaf);
  if (leaf.empty()) throw InvalidArgument(fmt::format("create_dataset: '{}' names no dataset", path));
  file_->require_structure_change(fmt::format("create dataset '{}'", full));
  if (parent->link_value(leaf)) {
    throw AlreadyExists(fmt::format("cannot create dataset '{}': it already exists in file '{}'", full, file_->path));
  }
  driver::DatasetSpec out;
  if (!spec.named_type.empty()) {
    auto [type_group, type_name] = walk(spec.named_type, false);
    std::optional<Datatype> committed = type_name.empty() ? std::nullopt : type_group->named_type(type_name);
    if (!committed) {
      throw NotFound(fmt::format("create_dataset '{}': '{}' is no named datatype in file '{}'", full, spec.named_type,
                                 file_->path));
    }
    if (spec.dtype.valid() && spec.dtype.file_type() != *committed) {
      throw InvalidArgument(fmt::format("create_dataset '{}': dtype {} differs from named datatype '{}' ({})", full,
                                        spec.dtype.file_type().describe(), spec.named_type, committed->describe()));
    }
    out.file_type = *std::move(committed);
    out.named_type = driver::NamedTypeRef{std::move(type_group), std::move(type_name)};
  } else if (!spec.dtype.valid()) {
    throw InvalidArgument(fmt::format("create_dataset '{}': no datatype given", full));
  } else {
    out.file_type = spec.dtype.file_type();
  }
  if (spec.shape.size() > 32) {
    throw InvalidArgument(
        fmt::format("create_dataset '{}': rank {} exceeds HDF5's limit of 32", full, spec.shape.size()));
  }
  values::require_supported_vlen(out.file_type, fmt::format("create_dataset '{}'", full));
  if (spec.null) {
    if (!spec.shape.empty() || !spec.maxshape.empty() || !spec.chunks.empty() || !spec.filters.empty()) {
      throw InvalidArgument(
          fmt::format("create_dataset '{}': a null dataspace (Empty) has no shape, maxshape, "
                      "chunks or filters",
                      full));
    }
    out.null = true;
  }
  out.shape = spec.shape;
  out.maxshape = spec.maxshape.empty() ? spec.shape : spec.maxshape;
  if (out.maxshape.size() != out.shape.size()) {
    throw InvalidArgument(fmt::format("create_dataset '{}': shape has rank {} but maxshape has rank {}", full,
                                      out.shape.size(), out.maxshape.size()));
  }
  for (std::size_t d = 0; d < out.shape.size(); ++d) {
    if (out.shape[d] > out.maxshape[d]) {
      throw InvalidArgument(fmt::format("create_dataset '{}': shape[{}] = {} exceeds maxshape[{}] = {}", full, d,
                                        out.shape[d], d, out.maxshape[d]));
    }
  }
  out.chunks = spec.chunks;
  out.filters = spec.filters;
  if (spec.contiguous_layout) {
    if (!out.chunks.empty()) {
      throw InvalidArgument(
          fmt::format("create_dataset '{}': both contiguous and chunks [{}] asked", full, fmt::join(out.chunks, ",")));
    }
    if (!out.filters.empty()) {
      throw InvalidArgument(
          fmt::format("create_dataset '{}': the {} filter needs a chunked dataset, but a "
                      "contiguous one was asked",
                      full, filter_name(out.filters.front().id)));
    }
    if (out.maxshape != out.shape) {
      throw InvalidArgument(
          fmt::format("create_dataset '{}': a resizable dataset (maxshape [{}]) needs chunks, but "
                      "a contiguous one was asked",
                      full, fmt::join(out.maxshape, ",")));
    }
  }
  if (!out.filters.empty() && out.shape.empty()) {
    throw InvalidArgument(fmt::format("create_dataset '{}': the {} filter needs chunks, and a scalar dataset has none",
                                      full, filter_name(out.filters.front().id)));
  }
  for (auto& f : out.filters) {
    if (f.id == H5Z_FILTER_DEFLATE && (f.cd_values.size() != 1 || f.cd_values[0] > 9)) {
      throw InvalidArgument(fmt::format("create_dataset '{}': the deflate filter takes one level, 0 to 9 (given [{}])",
                                        full, fmt::join(f.cd_values, ",")));
    }
    // h5py's scaleoffset: the scale type follows the dataset's type.
    if (f.id != H5Z_FILTER_SCALEOFFSET || f.cd_values.empty() || f.cd_values[0] != DatasetCreate::kScaleOffsetByType) {
      continue;
    }
    const H5T_class_t type_class = out.file_type.type_class();
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
      throw Unsupported(
          fmt::format("create_dataset '{}': the scaleoffset filter takes integer and floating-point "
                      "types only, not {}",
                      full, out.file_type.describe()));
    }
    f.cd_values[0] = type_class == H5T_INTEGER ? H5Z_SO_INT : H5Z_SO_FLOAT_DSCALE;
  }
  if (!out.chunks.empty()) {
    if (out.chunks.size() != out.shape.size()) {
      throw InvalidArgument(fmt::format("create_dataset '{}': chunks have rank {} but the dataset has rank {}", full,
                                        out.chunks.size(), out.shape.size()));
    }
    for (std::size_t d = 0; d < out.chunks.size(); ++d) {
      if (out.chunks[d] == 0)
        throw InvalidArgument(fmt::format("create_dataset '{}': chunk dimension {} is 0", full, d));
    }
  } else if (!out.filters.empty()) {
    out.chunks = hdf5::guess_chunk(out.shape, out.maxshape, out.file_type.size());
  } else if (out.maxshape != out.shape) {
    // HDF5 can only resize chunked datasets; pick a chunk as the Python package does (about 64 KiB
    // or less, filled from the last dimension). A dimension that may grow counts with its maximum
    // (as much as fits, when unlimited), not its current length: appending to a dataset created
    // empty must not get one-element chunks.
    out.chunks.assign(out.shape.size(), 1);
    std::uint64_t budget = std::max<std::uint64_t>((std::uint64_t{64} << 10) / out.file_type.size(), 1);
    for (std::size_t d = out.shape.size(); d-- > 0;) {
      const std::uint64_t n = out.shape[d], m = out.maxshape[d];
      const std::uint64_t want = m == n ? n : (m == DatasetCreate::kUnlimited ? budget : m);
      out.chunks[d] = std::clamp<std::uint64_t>(want, 1, budget);
      budget = std::max<std::uint64_t>(budget / out.chunks[d], 1);
    }
  }
  if (const auto problem = format::extent_problem(out.shape, out.maxshape, out.chunks, out.file_type.size());
      !problem.empty()) {
    throw InvalidArgument(fmt::format("create_dataset '{}': {}", full, problem));
  }
  if (!out.filters.empty()) {
    hdf5::check_pipeline(out.file_type, out.chunks, out.filters, fmt::format("create_dataset '{}'", full));
  }
  if (!spec.fill.empty()) {
    const Datatype& fill_type = spec.fill_type.valid() ? spec.fill_type
                                : spec.dtype.valid()   ? spec.dtype
                                                       : out.file_type;
    if (values::has_vlen_members(out.file_type)) {  // one element, self-contained (DatasetCreate::fill)
      try {
        out.fill = values::convert_vlen_elements(fill_type, spec.fill, 1, out.file_type,
                                                 fmt::format("create_dataset '{}': its fill value", full));
      } catch (const FormatError& e) {
        throw InvalidArgument(e.what());
      }
    } else if (values::uses_vlen_slots(out.file_type)) {  // a string or sequence, in the stored form
      out.fill = values::vlen_fill_for(fill_type, out.file_type, spec.fill, fmt::format("create_dataset '{}'", full));
    } else if (spec.fill.size() != fill_type.size()) {
      throw InvalidArgument(fmt::format("create_dataset '{}': fill value has {} bytes but its type {} has {}", full,
                                        spec.fill.size(), fill_type.describe(), fill_type.size()));
    } else {
      out.fill = hdf5::convert(fill_type, out.file_type, 1, spec.fill);
    }
  }
  return Dataset(file_, parent->create_dataset(leaf, out));
}

Dataset Group::require_dataset(std::string_view path, const DatasetCreate& spec) {
  if (!contains(path)) return create_dataset(path, spec);
  Dataset existing = dataset(path);
  if (existing.is_null() != spec.null || existing.shape() != spec.shape ||
      !(existing.dtype() == spec.dtype.file_type())) {
    throw InvalidArgument(
        fmt::format("require_dataset '{}': exists with type {} and another shape or type than "
                    "requested ({})",
                    existing.name(), existing.dtype().describe(), spec.dtype.describe()));
  }
  return existing;
}

Dataset Group::dataset(std::string_view path) const {
  auto [parent, leaf] = walk(path, false);
  if (leaf.empty()) throw InvalidArgument(fmt::format("'{}' names a group, not a dataset", path));
  const auto kind = parent->child_kind(leaf);
  if (!kind)
    throw NotFound(fmt::format("dataset '{}' not found in file '{}'", join(parent->path(), leaf), file_->path));
  if (*kind != driver::NodeKind::Dataset) {
    throw InvalidArgument(
        fmt::format("'{}' in file '{}' is a group, not a dataset", join(parent->path(), leaf), file_->path));
  }
  return Dataset(file_, parent->open_dataset(leaf));
}

void Group::create_hard_link(std::string_view path, const Group& target) { link(path, *target.node_, target.file_); }

void Group::create_hard_link(std::string_view path, const Dataset& target) { link(path, *target.node_, target.file_); }

void Group::link(std::string_view path, driver::Node& target, const std::shared_ptr<detail::FileState>& target_file) {
  if (target_file != file_) {
    throw InvalidArgument(
        fmt::format("cannot link '{}' in file '{}' to '{}' of file '{}': hard links stay inside "
                    "one open file",
                    path, file_->path, target.path(), target_file->path));
  }
  auto [parent, leaf] = walk(path, true);
  if (leaf.empty())
    throw AlreadyExists(fmt::format("cannot link '{}': the group exists in file '{}'", path, file_->path));
  const std::string full = join(parent->path(), leaf);
  file_->require_structure_change(fmt::format("create hard link '{}'", full));
  if (parent->link_value(leaf)) {
    throw AlreadyExists(fmt::format("cannot link '{}' to '{}': '{}' already exists in file '{}'", path, target.path(),
                                    full, file_->path));
  }
  parent->create_hard_link(leaf, target);
}

void Group::unlink(std::string_view path) {
  auto [parent, leaf] = walk(path, false);
  if (leaf.empty()) throw NotFound(fmt::format("cannot unlink '{}' in file '{}': it names no link", path, file_->path));
  const std::string full = join(parent->path(), leaf);
  file_->require_structure_change(fmt::format("unlink '{}'", full));
  if (!parent->link_value(leaf))
    throw NotFound(fmt::format("cannot unlink '{}': it does not exist in file '{}'", full, file_->path));
  parent->unlink(leaf);
}

void Group::move(std::string_view source, std::string_view dest) {
  if (source == dest) return;  // as h5py
  auto [from, name] = walk(source, false);
  if (name.empty()) throw NotFound(fmt::format("cannot move '{}' in file '{}': it names no link", source, file_->path));
  const std::string full = join(from->path(), name);
  if (!from->link_value(name)) {
    throw NotFound(
        fmt::format("cannot move '{}' to '{}': '{}' does not exist in file '{}'", source, dest, full, file_->path));
  }
  file_->require_structure_change(fmt::format("move '{}'", full));
  auto [to, new_name] = walk(dest, true);
  if (new_name.empty() || to->link_value(new_name)) {
    throw AlreadyExists(fmt::format("cannot move '{}' to '{}': '{}' already exists in file '{}'", source, dest,
                                    new_name.empty() ? to->path() : join(to->path(), new_name), file_->path));
  }
  from->move(name, *to, new_name);
}

void Group::commit_type(std::string_view path, const Datatype& type) {
  if (!type.valid()) throw InvalidArgument(fmt::format("commit_type '{}': no datatype given", path));
  const auto [parent, leaf] = new_name(path, "commit datatype");
  parent->commit_type(leaf, type.file_type());
}

Datatype Group::named_type(std::string_view path) const {
  auto [parent, leaf] = walk(path, false);
  std::optional<Datatype> type = leaf.empty() ? std::nullopt : parent->named_type(leaf);
  if (!type) {
    throw NotFound(fmt::format("'{}' is no named datatype in file '{}'",
                               leaf.empty() ? std::string(path) : join(parent->path(), leaf), file_->path));
  }
  return *std::move(type);
}

std::shared_ptr<driver::Node> Group::named_type_node(std::string_view path) const {
  named_type(path);  // NotFound unless it is one
  auto [parent, leaf] = walk(path, false);
  std::shared_ptr<driver::Node> node = parent->open_named_type(leaf);
  if (!node) {
    throw Unsupported(
        fmt::format("named datatype '{}' in file '{}' was committed by an older h5mf, without an id: "
                    "it takes no attributes",
                    join(parent->path(), leaf), file_->path));
  }
  return node;
}

Attributes Group::named_type_attrs(std::string_view path) const { return Attributes(file_, named_type_node(path)); }

std::uint64_t Group::named_type_id(std::string_view path) const {
  file_->checked();
  return named_type_node(path)->object_id();
}

void Group::link_named_type(std::string_view path, std::string_view named_type) {
  link(path, *named_type_node(named_type), file_);
}

void Group::create_soft_link(std::string_view path, std::string_view target) {
  if (target.empty() || target.find('\0') != std::string_view::npos) {
    throw InvalidArgument(
        fmt::format("cannot create soft link '{}' in file '{}': its target '{}' must be a non-empty "
                    "path without NUL characters",
                    path, file_->path, target));
  }
  const auto [parent, leaf] = new_name(path, "create soft link");
  parent->create_soft_link(leaf, std::string(target));
}

void Group::create_external_link(std::string_view path, std::string_view file, std::string_view target) {
  for (const std::string_view value : {file, target}) {
    if (value.empty() || value.find('\0') != std::string_view::npos) {
      throw InvalidArgument(
          fmt::format("cannot create external link '{}' to '{}' in '{}' in file '{}': file name and "
                      "path must be non-empty, without NUL characters",
                      path, target, file, file_->path));
    }
  }
  const auto [parent, leaf] = new_name(path, "create external link");
  parent->create_external_link(leaf, std::string(file), std::string(target));
}

LinkInfo Group::link_info(std::string_view path) const {
  auto [parent, leaf] = walk(path, false);
  if (leaf.empty()) return LinkInfo{};  // the group itself: as h5py, a hard link
  const auto value = parent->link_value(leaf);
  if (!value) throw NotFound(fmt::format("link '{}' not found in file '{}'", join(parent->path(), leaf), file_->path));
  using Kind = driver::LinkValue::Kind;
  const LinkKind kind = value->kind == Kind::Hard   ? LinkKind::Hard
                        : value->kind == Kind::Soft ? LinkKind::Soft
                                                    : LinkKind::External;
  return LinkInfo{kind, value->file, value->path};
}

std::uint64_t Group::object_id() const {
  file_->checked();
  return node_->object_id();
}

bool Group::contains(std::string_view path) const {
  try {
    auto [parent, leaf] = walk(path, false);
    return leaf.empty() || parent->child_kind(leaf).has_value();
  } catch (const NotFound&) {
    return false;
  } catch (const InvalidArgument&) {
    return false;  // a dataset in the middle of the path
  }
}

ObjectType Group::type_of(std::string_view path) const {
  auto [parent, leaf] = walk(path, false);
  if (leaf.empty()) return ObjectType::Group;
  const auto kind = parent->child_kind(leaf);
  if (!kind) throw NotFound(fmt::format("'{}' not found in file '{}'", join(parent->path(), leaf), file_->path));
  return *kind == driver::NodeKind::Group ? ObjectType::Group : ObjectType::Dataset;
}

std::vector<std::string> Group::keys() const {
  file_->checked();
  std::vector<std::string> names;
  for (auto& name : node_->link_names()) names.push_back(name);
  return names;
}

Attributes Group::attrs() const { return Attributes(file_, node_); }

}  // namespace h5mf
