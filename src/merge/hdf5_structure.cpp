#include "merge/hdf5_structure.hpp"

#include <fmt/format.h>
#include <hdf5_hl.h>

#include <map>
#include <vector>

#include "format/constants.hpp"
#include "h5mf/datatype.hpp"
#include "merge/base_names.hpp"
#include "values/attribute_codec.hpp"

namespace h5mf::merge_detail {

using hdf5::Handle;

hsize_t to_hsize(std::uint64_t v) { return v == format::kUnlimited ? H5S_UNLIMITED : static_cast<hsize_t>(v); }

Handle make_space(const Extent& dims, const Extent& maxdims) {
  if (dims.empty()) return Handle(hdf5::check_id(H5Screate(H5S_SCALAR), "H5Screate(scalar)"));
  std::vector<hsize_t> d(dims.size()), m(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    d[i] = to_hsize(dims[i]);
    m[i] = to_hsize(maxdims.empty() ? dims[i] : maxdims[i]);
  }
  return Handle(hdf5::check_id(H5Screate_simple(static_cast<int>(d.size()), d.data(), m.data()),
                               [&] { return fmt::format("H5Screate_simple(rank {})", dims.size()); }));
}

Handle null_space() { return Handle(hdf5::check_id(H5Screate(H5S_NULL), "H5Screate(null)")); }

void write_attributes(hid_t object, const container::CatalogObject& o, const std::string& path,
                      const std::string& output, std::uint64_t& count, bool in_base, const CommittedTypes* types) {
  if (in_base) {
    std::vector<std::string> present;
    H5Aiterate2(
        object, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
          static_cast<std::vector<std::string>*>(data)->emplace_back(name);
          return 0;
        },
        &present);
    for (const auto& name : present) {
      if (container::is_dimension_scale_attribute(name))
        continue;  // the base's own; apply_dimension_scales changes them
      const auto it = o.attributes.find(name);
      if (it == o.attributes.end() || it->second.epoch > 0) {
        hdf5::check(H5Adelete(object, name.c_str()),
                    [&] { return fmt::format("delete attribute '{}' of '{}'", name, path); });
      }
    }
  }
  for (const auto& [name, entry] : o.attributes) {
    if (in_base && entry.epoch == 0) continue;
    const std::string what = fmt::format("attribute '{}' of '{}' in '{}'", name, path, output);
    const AttributeData value =
        values::load_attribute({entry.type, entry.dims, entry.value, entry.null, entry.variable_length_elements}, what);
    Handle space = value.null ? null_space() : make_space(value.dims, {});
    const hid_t shared = types != nullptr && entry.named_type ? types->committed(*entry.named_type) : H5I_INVALID_HID;
    Handle attribute(
        hdf5::check_id(H5Acreate2(object, name.c_str(), shared != H5I_INVALID_HID ? shared : value.type.id(),
                                  space.get(), H5P_DEFAULT, H5P_DEFAULT),
                       [&] { return "create " + what; }));
    values::write_attribute_value(attribute.get(), value, "write " + what);
    attribute.close("close " + what);
    ++count;
  }
}

CommittedTypes::CommittedTypes(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                               const std::string& output, bool base_exists, std::uint64_t& attributes) {
  std::map<std::uint64_t, std::string> wanted;  // id -> a path for messages
  for (const auto& entry : names.symlinks) {
    if (entry.link.type_id) wanted.emplace(*entry.link.type_id, entry.path);
  }
  auto attributes_of = [&](const container::CatalogObject& o) {
    for (const auto& [name, entry] : o.attributes) {
      if (entry.named_type) wanted.emplace(*entry.named_type, catalog.path_of(*entry.named_type));
    }
  };
  attributes_of(catalog.object(0));
  for (const auto& placed : names.objects) {
    const auto& o = catalog.object(placed.id);
    if (o.named_type) wanted.emplace(*o.named_type, catalog.path_of(*o.named_type));
    attributes_of(o);
  }
  for (const auto& [id, path] : std::map<std::uint64_t, std::string>(wanted)) attributes_of(catalog.object(id));
  for (const auto& [id, path] : wanted) {
    if (base_exists && catalog.in_base(id)) {  // a base file's names stay: the copy has it there
      const std::string base_path = catalog.path_of(id);
      types_.emplace(id, Handle(hdf5::check_id(H5Topen2(file, base_path.c_str(), H5P_DEFAULT), [&] {
                       return fmt::format("open named datatype '{}' in '{}'", base_path, output);
                     })));
      continue;
    }
    Handle type(hdf5::check_id(H5Tcopy(Datatype::decode(catalog.object(id).type).id()), "H5Tcopy(named datatype)"));
    const std::string& name = path;  // a lambda may not capture a structured binding (clang 14)
    hdf5::check(H5Tcommit_anon(file, type.get(), H5P_DEFAULT, H5P_DEFAULT),
                [&] { return fmt::format("commit named datatype '{}' in '{}'", name, output); });
    types_.emplace(id, std::move(type));
  }
  for (const auto& [id, path] : wanted) {  // once all are committed: attributes may share them too
    write_attributes(types_.at(id).get(), catalog.object(id), path, output, attributes,
                     base_exists && catalog.in_base(id), this);
  }
}

hid_t CommittedTypes::type_of(const container::CatalogObject& o, hid_t own) const {
  const hid_t shared = o.named_type ? committed(*o.named_type) : H5I_INVALID_HID;
  return shared == H5I_INVALID_HID ? own : shared;
}

hid_t CommittedTypes::committed(std::uint64_t id) const {
  const auto it = types_.find(id);
  return it == types_.end() ? H5I_INVALID_HID : it->second.get();
}

void CommittedTypes::close(const std::string& output) {
  for (auto& [id, type] : types_) type.close(fmt::format("close named datatype {} in '{}'", id, output));
  types_.clear();
}

void create_links(hid_t file, const container::MergedNames& names, const std::string& output,
                  const BaseNameChanges* base, const CommittedTypes& types) {
  for (const auto& link : names.links) {
    if (base != nullptr && base->kept(link.path)) continue;
    const std::string& path = link.path;
    const std::string target = names.path(link.target);
    hdf5::check(H5Lcreate_hard(file, target.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                [&] { return fmt::format("create hard link '{}' to '{}' in '{}'", path, target, output); });
  }
  for (const auto& entry : names.symlinks) {
    const std::string& path = entry.path;  // not a structured binding: a lambda captures it (clang 14)
    const auto& link = entry.link;
    if (base != nullptr && base->kept(path)) continue;
    if (link.named_type() && link.type_id && types.committed(*link.type_id) != H5I_INVALID_HID) {
      hdf5::check(H5Olink(types.committed(*link.type_id), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                  [&] { return fmt::format("link named datatype '{}' in '{}'", path, output); });
    } else if (link.named_type()) {
      const Datatype committed = Datatype::decode(link.type);  // H5Tcommit2 makes this copy the file's object
      hdf5::check(H5Tcommit2(file, path.c_str(), committed.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  [&] { return fmt::format("commit datatype '{}' ({}) in '{}'", path, committed.describe(), output); });
    } else if (link.external()) {
      hdf5::check(
          H5Lcreate_external(link.file.c_str(), link.path.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
          fmt::format("create external link '{}' to '{}' in '{}' in '{}'", path, link.path, link.file, output));
    } else {
      hdf5::check(H5Lcreate_soft(link.path.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                  fmt::format("create soft link '{}' to '{}' in '{}'", path, link.path, output));
    }
  }
}

void apply_dimension_scales(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                            const std::string& output, bool base_exists) {
  std::map<std::uint64_t, Handle> open;
  auto dataset = [&](std::uint64_t id) {
    auto it = open.find(id);
    if (it == open.end()) {
      const std::string path = names.path(id);
      it = open.emplace(id, Handle(hdf5::check_id(H5Dopen2(file, path.c_str(), H5P_DEFAULT),
                                                  [&] {
                                                    return fmt::format(
                                                        "open dataset '{}' in '{}' for its dimension scales", path,
                                                        output);
                                                  })))
               .first;
    }
    return it->second.get();
  };
  for (const auto& change : catalog.scale_changes()) {
    if ((base_exists && change.epoch == 0) || !names.contains(change.dataset) || !names.contains(change.scale))
      continue;
    const hid_t d = dataset(change.dataset), scale = dataset(change.scale);
    const auto what = [&] {
      return fmt::format("{} scale '{}' {} dimension {} of '{}' in '{}'", change.attach ? "attach" : "detach",
                         names.path(change.scale), change.attach ? "to" : "from", change.dim,
                         names.path(change.dataset), output);
    };
    hdf5::check(change.attach ? H5DSattach_scale(d, scale, change.dim) : H5DSdetach_scale(d, scale, change.dim), what);
  }
  for (const auto& label : catalog.label_changes()) {
    if ((base_exists && label.epoch == 0) || !names.contains(label.dataset)) continue;
    hdf5::check(H5DSset_label(dataset(label.dataset), label.dim, label.label.c_str()), [&] {
      return fmt::format("label dimension {} of '{}' in '{}'", label.dim, names.path(label.dataset), output);
    });
  }
  for (auto& [id, handle] : open) handle.close(fmt::format("close dataset '{}' in '{}'", names.path(id), output));
}

}  // namespace h5mf::merge_detail
