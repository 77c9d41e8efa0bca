#include "container/catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "format/limits.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {

namespace {

// The `named_type` of a dataset or attribute (`kind`) called `name`, if any, must be the id of a
// named datatype (in `objects`, indexed by id) whose type is `type`, byte for byte.
void check_named_type(const std::vector<CatalogObject>& objects, std::optional<std::uint64_t> named_type,
                      const format::Bytes& type, const char* kind, const std::string& name,
                      const std::string& context) {
  if (!named_type) return;
  const std::uint64_t t = *named_type;
  const bool is_type = t < objects.size() && objects[t].kind == ObjectKind::Datatype;
  if (!is_type || objects[t].type != type) {
    throw FormatError(fmt::format("{}: {} '{}' names object {} as its named datatype, which {}", context, kind, name, t,
                                  is_type ? "has another type" : "is no named datatype"));
  }
}

}  // namespace

Catalog::Catalog() {
  CatalogObject root;
  root.kind = ObjectKind::Group;
  objects_.push_back(std::move(root));
}

const CatalogObject& Catalog::object(std::uint64_t id) const {
  if (!contains(id)) throw NotFound(fmt::format("no object with id {} in the catalog", id));
  return objects_[id];
}

CatalogObject& Catalog::mutable_object(std::uint64_t id, const std::string& context) {
  if (!contains(id)) throw FormatError(fmt::format("{}: refers to object {} which does not exist", context, id));
  return objects_[id];
}

std::optional<std::uint64_t> Catalog::child(std::uint64_t parent, std::string_view name) const {
  const auto& children = object(parent).children;
  auto it = children.find(name);
  if (it == children.end()) return std::nullopt;
  return it->second;
}

const SymbolicLink* Catalog::symlink(std::uint64_t parent, std::string_view name) const {
  const auto& links = object(parent).symlinks;
  auto it = links.find(name);
  return it == links.end() ? nullptr : &it->second;
}

bool Catalog::has_name(std::uint64_t parent, std::string_view name) const {
  return child(parent, name).has_value() || symlink(parent, name) != nullptr;
}

std::optional<std::uint64_t> Catalog::resolve(std::uint64_t parent, std::string_view name) const {
  return resolve_link(parent, name, 0);
}

std::optional<std::uint64_t> Catalog::resolve_link(std::uint64_t group, std::string_view name, int hops) const {
  if (!contains(group) || object(group).kind != ObjectKind::Group) return std::nullopt;
  if (name.empty() || name == ".") return group;
  if (auto id = child(group, name)) return id;
  const SymbolicLink* link = symlink(group, name);
  if (link == nullptr || link->external() || link->named_type() || hops >= 16) return std::nullopt;  // H5L_NUM_LINKS
  return resolve_path(group, link->path, hops + 1);
}

std::optional<std::uint64_t> Catalog::resolve_path(std::uint64_t group, std::string_view path, int hops) const {
  std::optional<std::uint64_t> at = path.starts_with('/') ? 0 : group;
  for (std::size_t start = 0; start <= path.size() && at;) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    at = resolve_link(*at, path.substr(start, slash - start), hops);
    start = slash + 1;
  }
  return at;
}

void Catalog::add_symlink(std::uint64_t parent, const std::string& name, SymbolicLink link,
                          const std::string& context) {
  CatalogObject& up = mutable_object(parent, context);
  if (up.kind != ObjectKind::Group) {
    throw FormatError(fmt::format("{}: parent '{}' of link '{}' is not a group", context, path_of(parent), name));
  }
  if (has_name(parent, name)) {
    throw FormatError(fmt::format("{}: '{}' already exists in '{}'", context, name, path_of(parent)));
  }
  if (link.epoch == 0) base_names_.push_back({parent, name, std::nullopt, link});
  up.symlinks.emplace(name, std::move(link));
}

bool Catalog::keeps(const BaseName& name) const {
  if (name.target) return child(name.parent, name.name) == name.target;
  const SymbolicLink* now = symlink(name.parent, name.name);
  return now != nullptr && *now == name.link;
}

CatalogObject& Catalog::add_object(std::uint64_t id, std::uint64_t parent, const std::string& name, ObjectKind kind,
                                   std::uint64_t epoch, const std::string& context) {
  if (id != next_id()) {
    throw FormatError(fmt::format("{}: object id {} out of sequence (expected {})", context, id, next_id()));
  }
  CatalogObject& up = mutable_object(parent, context);
  if (up.kind != ObjectKind::Group) {
    throw FormatError(fmt::format("{}: parent '{}' of '{}' is not a group", context, path_of(parent), name));
  }
  if (has_name(parent, name)) {
    throw FormatError(fmt::format("{}: '{}' already exists in '{}'", context, name, path_of(parent)));
  }
  if (up.depth >= format::kMaxDepth) {
    throw FormatError(fmt::format("{}: '{}' would nest deeper than {} levels, the most h5mf allows", context, name,
                                  format::kMaxDepth));
  }
  up.children.emplace(name, id);
  if (epoch == 0) base_names_.push_back({parent, name, id, {}});
  CatalogObject object;
  object.depth = up.depth + 1;
  object.id = id;
  object.parent = parent;
  object.name = name;
  object.kind = kind;
  object.created_epoch = epoch;
  objects_.push_back(std::move(object));
  return objects_.back();
}

void Catalog::apply(const format::StructureRecord& record, const std::string& context) {
  auto note_epoch = [this](std::uint64_t epoch) {
    last_epoch_ = std::max(last_epoch_, epoch);
    // Epoch 0 is a base file's import, written before the session's writers open.
    if (epoch > 0 && !records_in_session_.empty()) ++records_in_session_.back();
  };
  std::visit(
      [&](const auto& r) {
        using R = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<R, format::SessionRecord>) {
          if (r.session != sessions_.size()) {
            throw FormatError(
                fmt::format("{}: session {} out of sequence (expected {})", context, r.session, sessions_.size()));
          }
          if (r.writers == 0) throw FormatError(fmt::format("{}: session {} has 0 writers", context, r.session));
          sessions_.push_back(r);
          records_in_session_.push_back(0);
          opened_.push_back(false);
          last_epoch_ = std::max(last_epoch_, r.first_epoch);
        } else if constexpr (std::is_same_v<R, format::CreateGroupRecord>) {
          add_object(r.id, r.parent, r.name, ObjectKind::Group, r.epoch, context);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::CreateDatasetRecord>) {
          if (r.dims.size() != r.maxdims.size()) {
            throw FormatError(fmt::format("{}: dataset '{}' dims and maxdims differ in rank", context, r.name));
          }
          for (std::size_t d = 0; d < r.dims.size(); ++d) {
            if (r.dims[d] > r.maxdims[d]) {
              throw FormatError(fmt::format("{}: dataset '{}' dims [{}] exceed maxdims [{}]", context, r.name,
                                            fmt::join(r.dims, ","), fmt::join(r.maxdims, ",")));
            }
          }
          if (!r.filters.empty() && r.chunk.empty()) {
            throw FormatError(fmt::format("{}: dataset '{}' has filters but no chunks", context, r.name));
          }
          if (!r.chunk.empty() && r.chunk.size() != r.dims.size()) {
            throw FormatError(fmt::format("{}: dataset '{}' chunk rank {} differs from its rank {}", context, r.name,
                                          r.chunk.size(), r.dims.size()));
          }
          if (const auto problem =
                  format::extent_problem(r.dims, r.maxdims, r.chunk, format::encoded_type_size(r.type));
              !problem.empty()) {
            throw FormatError(fmt::format("{}: dataset '{}': {}", context, r.name, problem));
          }
          check_named_type(objects_, r.named_type, r.type, "dataset", r.name, context);
          CatalogObject& o = add_object(r.id, r.parent, r.name, ObjectKind::Dataset, r.epoch, context);
          o.named_type = r.named_type;
          o.type = r.type;
          o.dims = r.dims;
          o.maxdims = r.maxdims;
          o.fill = r.fill;
          o.chunk = r.chunk;
          o.filters = r.filters;
          o.null = r.null;
          o.variable_length_members = r.variable_length_members;
          o.shapes.add(r.epoch, r.dims);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::SetAttributeRecord>) {
          check_named_type(objects_, r.named_type, r.type, "attribute", r.name, context);
          CatalogObject& o = mutable_object(r.id, context);
          AttributeEntry entry{
              r.type, r.dims, r.value, r.null, attribute_order_++, r.epoch, r.named_type, r.variable_length_elements};
          auto it = o.attributes.find(r.name);
          if (it != o.attributes.end()) entry.order = it->second.order;  // overwrite keeps its place
          o.attributes.insert_or_assign(r.name, std::move(entry));
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::DeleteAttributeRecord>) {
          CatalogObject& o = mutable_object(r.id, context);
          if (o.attributes.erase(r.name) == 0) {
            throw FormatError(
                fmt::format("{}: deletes attribute '{}' of '{}' which does not exist", context, r.name, path_of(r.id)));
          }
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::BaseRecord>) {
          if (base_ || objects_.size() > 1) {
            throw FormatError(fmt::format("{}: a BASE record must come once, before any object", context));
          }
          base_ = r;
        } else if constexpr (std::is_same_v<R, format::LinkRecord>) {
          if (!contains(r.target)) {
            throw FormatError(
                fmt::format("{}: link '{}' names object {} which does not exist", context, r.name, r.target));
          }
          if (objects_[r.target].kind == ObjectKind::Datatype) {
            // One more name of a named datatype: listed as its NAMED_TYPE name is, sharing its id.
            const CatalogObject& type = objects_[r.target];
            add_symlink(r.parent, r.name, SymbolicLink{"", "", r.epoch, type.type, type.id}, context);
            note_epoch(r.epoch);
            return;
          }
          CatalogObject& up = mutable_object(r.parent, context);
          if (up.kind != ObjectKind::Group) {
            throw FormatError(
                fmt::format("{}: parent '{}' of link '{}' is not a group", context, path_of(r.parent), r.name));
          }
          if (up.symlinks.contains(r.name) || !up.children.emplace(r.name, r.target).second) {
            throw FormatError(fmt::format("{}: '{}' already exists in '{}'", context, r.name, path_of(r.parent)));
          }
          links_.push_back({r.parent, r.name, r.target, r.epoch});
          if (r.epoch == 0) base_names_.push_back({r.parent, r.name, r.target, {}});
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::UnlinkRecord>) {
          CatalogObject& up = mutable_object(r.parent, context);
          if (up.kind != ObjectKind::Group || up.children.erase(r.name) + up.symlinks.erase(r.name) == 0) {
            throw FormatError(
                fmt::format("{}: unlinks '{}' in '{}', which does not exist", context, r.name, path_of(r.parent)));
          }
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::MoveRecord>) {
          CatalogObject& from = mutable_object(r.parent, context);
          const auto it = from.kind == ObjectKind::Group ? from.children.find(r.name) : from.children.end();
          const auto soft = from.kind == ObjectKind::Group ? from.symlinks.find(r.name) : from.symlinks.end();
          if (it == from.children.end() && soft == from.symlinks.end()) {
            throw FormatError(
                fmt::format("{}: moves '{}' in '{}', which does not exist", context, r.name, path_of(r.parent)));
          }
          CatalogObject& to = mutable_object(r.new_parent, context);
          if (to.kind != ObjectKind::Group) {
            throw FormatError(
                fmt::format("{}: moves '{}' into '{}', which is not a group", context, r.name, path_of(r.new_parent)));
          }
          if (has_name(r.new_parent, r.new_name) && !(r.new_parent == r.parent && r.new_name == r.name)) {
            throw FormatError(fmt::format("{}: moves '{}' to '{}' in '{}', which already exists", context, r.name,
                                          r.new_name, path_of(r.new_parent)));
          }
          if (it != from.children.end()) {  // a hard link: the object is renamed
            const std::uint64_t target = it->second;
            objects_[r.parent].children.erase(r.name);
            objects_[r.new_parent].children.insert_or_assign(r.new_name, target);
          } else {  // a soft or external link moves with its value unchanged
            SymbolicLink link = soft->second;
            objects_[r.parent].symlinks.erase(r.name);
            objects_[r.new_parent].symlinks.insert_or_assign(r.new_name, std::move(link));
          }
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::SoftLinkRecord>) {
          add_symlink(r.parent, r.name, SymbolicLink{"", r.path, r.epoch, {}}, context);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::ExternalLinkRecord>) {
          add_symlink(r.parent, r.name, SymbolicLink{r.file, r.path, r.epoch, {}}, context);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::NamedTypeRecord>) {
          if (r.id && *r.id != next_id()) {
            throw FormatError(fmt::format("{}: object id {} out of sequence (expected {})", context, *r.id, next_id()));
          }
          add_symlink(r.parent, r.name, SymbolicLink{"", "", r.epoch, r.type, r.id}, context);
          if (r.id) {
            CatalogObject object;
            object.depth = objects_[r.parent].depth + 1;
            object.id = *r.id;
            object.parent = r.parent;
            object.name = r.name;
            object.kind = ObjectKind::Datatype;
            object.created_epoch = r.epoch;
            object.type = r.type;
            objects_.push_back(std::move(object));
          }
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::OpenedRecord>) {
          if (sessions_.empty() || r.session != sessions_.size() - 1) {
            throw FormatError(
                fmt::format("{}: OPENED names session {}, but the last session is {}", context, r.session,
                            sessions_.empty() ? std::string("none") : std::to_string(sessions_.size() - 1)));
          }
          opened_.back() = true;
        } else if constexpr (std::is_same_v<R, format::DimensionScaleRecord>) {
          apply_scale_change(r, context);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::DimensionLabelRecord>) {
          CatalogObject& o = dimension_of(r.dataset, r.dim, "labels", context);
          o.labels.resize(o.dims.size());
          o.labels[r.dim] = r.label;
          label_changes_.push_back(r);
          note_epoch(r.epoch);
        } else if constexpr (std::is_same_v<R, format::ResizeRecord>) {
          CatalogObject& o = mutable_object(r.id, context);
          if (o.kind != ObjectKind::Dataset || o.null || r.dims.size() != o.dims.size()) {
            throw FormatError(
                fmt::format("{}: resize of '{}' to rank {} does not fit", context, path_of(r.id), r.dims.size()));
          }
          for (std::size_t d = 0; d < r.dims.size(); ++d) {
            if (r.dims[d] > o.maxdims[d]) {
              throw FormatError(fmt::format("{}: resize of '{}' to [{}] exceeds maxshape [{}]", context, path_of(r.id),
                                            fmt::join(r.dims, ","), fmt::join(o.maxdims, ",")));
            }
          }
          if (const auto problem = format::extent_problem(r.dims, o.maxdims, {}, format::encoded_type_size(o.type));
              !problem.empty()) {
            throw FormatError(fmt::format("{}: resize of '{}': {}", context, path_of(r.id), problem));
          }
          o.dims = r.dims;
          o.shapes.add(r.epoch, r.dims);
          note_epoch(r.epoch);
        }
      },
      record);
}

bool is_dimension_scale(const CatalogObject& o) {
  if (o.kind != ObjectKind::Dataset) return false;
  const auto it = o.attributes.find("CLASS");
  if (it == o.attributes.end() || !it->second.dims.empty()) return false;
  // A fixed-length string (as H5DSset_scale writes it) up to its first NUL, or a variable-length
  // one (u32 length, then the bytes).
  constexpr std::string_view kScale = "DIMENSION_SCALE";
  const auto& v = it->second.value;
  const std::string_view text(reinterpret_cast<const char*>(v.data()), v.size());
  if (text.substr(0, text.find('\0')) == kScale) return true;
  return v.size() == 4 + kScale.size() && text.substr(4) == kScale;
}

bool is_dimension_scale_attribute(std::string_view name) {
  return name == "DIMENSION_LIST" || name == "REFERENCE_LIST" || name == "DIMENSION_LABELS";
}

CatalogObject& Catalog::dimension_of(std::uint64_t dataset, std::uint32_t dim, const char* what,
                                     const std::string& context) {
  CatalogObject& o = mutable_object(dataset, context);
  if (o.kind != ObjectKind::Dataset || dim >= o.dims.size()) {
    throw FormatError(
        fmt::format("{}: {} dimension {} of '{}', which has no such dimension", context, what, dim, path_of(dataset)));
  }
  return o;
}

// As H5DSattach_scale and H5DSdetach_scale change DIMENSION_LIST (the tests compare with libhdf5).
void Catalog::apply_scale_change(const format::DimensionScaleRecord& r, const std::string& context) {
  const char* verb = r.attach ? "attaches a scale to" : "detaches a scale from";
  CatalogObject& o = dimension_of(r.dataset, r.dim, verb, context);
  CatalogObject& scale = mutable_object(r.scale, context);
  const std::string names = fmt::format("'{}' and '{}'", path_of(r.scale), path_of(r.dataset));
  if (r.scale == r.dataset || scale.kind != ObjectKind::Dataset || !is_dimension_scale(scale) ||
      is_dimension_scale(o) || !scale.scales.empty()) {
    throw FormatError(
        fmt::format("{}: {} dimension {} ({}), which libhdf5 refuses: the scale must be another "
                    "dataset that is a dimension scale without scales of its own, the dataset no scale",
                    context, verb, r.dim, names));
  }
  if (o.scales.empty()) o.scales.resize(o.dims.size());
  auto& attached = o.scales[r.dim];
  const auto at = std::find(attached.begin(), attached.end(), r.scale);
  if (r.attach) {
    // Attached already: DIMENSION_LIST stays, but libhdf5 1.10 still adds to the scale's
    // REFERENCE_LIST, so the change is replayed all the same.
    if (at == attached.end()) attached.push_back(r.scale);
  } else {
    if (at == attached.end()) {
      throw FormatError(fmt::format("{}: detaches {} in dimension {}, which is not attached", context, names, r.dim));
    }
    *at = attached.back();  // libhdf5 moves the last reference into the freed place
    attached.pop_back();
    if (std::all_of(o.scales.begin(), o.scales.end(), [](const auto& d) { return d.empty(); })) o.scales.clear();
  }
  scale_changes_.push_back(r);
}

std::string Catalog::path_of(std::uint64_t id) const {
  if (id == 0) return "/";
  std::vector<const std::string*> names;
  for (std::uint64_t at = id; at != 0; at = object(at).parent) names.push_back(&object(at).name);
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) path += "/" + **it;
  return path;
}

MergedNames Catalog::merged_names() const {
  const std::size_t n = objects_.size();
  std::vector<bool> reachable(n, false);
  reachable[0] = true;
  for (std::vector<std::uint64_t> stack{0}; !stack.empty();) {
    const std::uint64_t g = stack.back();
    stack.pop_back();
    for (const auto& [name, c] : objects_[g].children) {
      if (reachable[c]) continue;  // each once: hard links may close cycles
      reachable[c] = true;
      if (objects_[c].kind == ObjectKind::Group) stack.push_back(c);
    }
  }
  MergedNames out;
  const auto place = [&](std::uint64_t id, std::uint64_t parent, const std::string& name) {
    const std::string up = out.path(parent);
    out.index.emplace(id, out.objects.size());
    out.objects.push_back({id, parent, name, (up == "/" ? "/" : up + "/") + name});
  };
  // First every object still named as it was created (the usual case: all of them), in id order,
  // which puts parents first (a parent is older than what is created in it).
  for (std::uint64_t id = 1; id < n; ++id) {
    const CatalogObject& o = objects_[id];
    if (reachable[id] && out.contains(o.parent) && child(o.parent, o.name) == id) place(id, o.parent, o.name);
  }
  // Then the rest (moved, or whose creation name is gone), breadth-first from placed groups.
  std::vector<std::uint64_t> groups{0};
  for (const auto& m : out.objects) {
    if (objects_[m.id].kind == ObjectKind::Group) groups.push_back(m.id);
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    for (const auto& [name, c] : objects_[groups[i]].children) {
      if (out.contains(c)) continue;
      place(c, groups[i], name);
      if (objects_[c].kind == ObjectKind::Group) groups.push_back(c);
    }
  }
  // Every other name of a reachable group's children is a hard link. Its epoch says whether a base
  // file has it already (epoch 0: a base object's own name, or an imported link).
  std::map<std::pair<std::uint64_t, std::string>, std::uint64_t> link_epochs;
  for (const auto& l : links_) link_epochs[{l.parent, l.name}] = l.epoch;
  for (const std::uint64_t g : groups) {
    for (const auto& [name, c] : objects_[g].children) {
      if (c != 0) {  // the root has no name: every name of it is a link
        const MergedObject& m = out.objects[out.index.at(c)];
        if (m.parent == g && m.name == name) continue;
      }
      const auto e = link_epochs.find({g, name});
      const std::uint64_t epoch = e != link_epochs.end()                                ? e->second
                                  : objects_[c].parent == g && objects_[c].name == name ? objects_[c].created_epoch
                                                                                        : last_epoch_ + 1;
      const std::string up = out.path(g);
      out.links.push_back({(up == "/" ? "/" : up + "/") + name, c, epoch});
    }
    const std::string up = out.path(g);
    for (const auto& [name, link] : objects_[g].symlinks)
      out.symlinks.push_back({(up == "/" ? "/" : up + "/") + name, link});
  }
  return out;
}

std::vector<std::uint64_t> Catalog::datasets() const {
  std::vector<std::uint64_t> ids;
  for (const auto& o : objects_) {
    if (o.kind == ObjectKind::Dataset) ids.push_back(o.id);
  }
  return ids;
}

std::vector<std::uint64_t> Catalog::groups() const {
  std::vector<std::uint64_t> ids;
  for (const auto& o : objects_) {
    if (o.kind == ObjectKind::Group) ids.push_back(o.id);
  }
  return ids;
}

bool Catalog::is_file_image() const {
  return !sessions_.empty() && (sessions_.front().flags & format::kSessionImage) != 0;
}

std::uint32_t Catalog::data_files() const {
  std::uint32_t n = 0;
  for (const auto& s : sessions_) n = std::max(n, (s.flags & format::kSessionAggregated) ? s.data_files : s.writers);
  return n;
}

std::uint32_t Catalog::required_data_files() const {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < sessions_.size(); ++i) {
    const auto& s = sessions_[i];
    // A session whose open may not have finished (killed before its writers made their files)
    // requires nothing; OPENED, or any later structure record (older containers), proves it did.
    if (!opened_[i] && records_in_session_[i] == 0) continue;
    const std::uint32_t files = (s.flags & format::kSessionAggregated) ? s.data_files : s.writers;
    n = std::max(n, (s.flags & format::kSessionCollective) ? files : 1u);
  }
  return n;
}

std::uint32_t Catalog::max_writers() const {
  std::uint32_t n = 0;
  for (const auto& s : sessions_) n = std::max(n, s.writers);
  return n;
}

}  // namespace h5mf::container
