#include "merge/base_names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::merge_detail {
namespace {

std::string join(const std::string& group, const std::string& name) {
  return (group == "/" ? "/" : group + "/") + name;
}

}  // namespace

BaseNameChanges::BaseNameChanges(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                                 const std::string& output)
    : output_(output) {
  for (const auto& name : catalog.base_names()) {
    if (catalog.keeps(name) && names.contains(name.parent)) kept_.insert(join(names.path(name.parent), name.name));
  }
  // Held first, by the paths of the unchanged copy (their creation paths).
  auto hold = [&](std::uint64_t id) {
    const std::string from = catalog.path_of(id);
    const std::string temporary = fmt::format("/.h5mf-moving-{}", id);
    if (hdf5::check_bool(H5Lexists(file, temporary.c_str(), H5P_DEFAULT), "H5Lexists")) {
      throw FormatError(fmt::format("cannot merge into '{}': its base file has a name '{}', which the merge needs",
                                    output_, temporary));
    }
    hdf5::check(H5Lcreate_hard(file, from.c_str(), file, temporary.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                [&] { return fmt::format("hold '{}' in '{}' as '{}'", from, output_, temporary); });
    held_.emplace(id, temporary);
  };
  for (const auto& placed : names.objects) {
    if (catalog.in_base(placed.id) && !kept(placed.path)) hold(placed.id);
  }
  // Removed deepest first: the paths of what is left above them are still those of the copy. A
  // named datatype losing a name is held too (create_links may link it again elsewhere).
  std::vector<const container::BaseName*> removed;
  for (const auto& name : catalog.base_names()) {
    if (catalog.keeps(name)) continue;
    removed.push_back(&name);
    if (const auto type = name.link.type_id; type && !held_.contains(*type)) hold(*type);
  }
  std::stable_sort(removed.begin(), removed.end(), [&](const auto* a, const auto* b) {
    return catalog.object(a->parent).depth > catalog.object(b->parent).depth;
  });
  for (const auto* name : removed) {
    const std::string path = join(catalog.path_of(name->parent), name->name);
    hdf5::check(H5Ldelete(file, path.c_str(), H5P_DEFAULT), [&] {
      return fmt::format("remove '{}' (unlinked or moved in the container) from '{}'", path, output_);
    });
  }
}

void BaseNameChanges::place(hid_t file, std::uint64_t id, hid_t parent, const std::string& name,
                            const std::string& path) {
  const auto it = held_.find(id);
  if (it == held_.end()) return;
  const std::string& temporary = it->second;
  hdf5::check(H5Lmove(file, temporary.c_str(), parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              [&] { return fmt::format("move '{}' to '{}' in '{}'", temporary, path, output_); });
  held_.erase(it);
}

void BaseNameChanges::finish(hid_t file) {
  for (const auto& [id, temporary] : held_) {
    const std::string& name = temporary;  // a lambda may not capture a structured binding (clang 14)
    hdf5::check(H5Ldelete(file, name.c_str(), H5P_DEFAULT),
                [&] { return fmt::format("remove '{}' from '{}'", name, output_); });
  }
  held_.clear();
}

}  // namespace h5mf::merge_detail
