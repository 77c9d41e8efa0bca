// A container over an existing HDF5 file (docs/format.md): the container lives beside the file,
// at `F.h5mf/`, and the merge replaces `F` by a plain rename once a marker says the copy is whole.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "container/layout.hpp"
#include "container/replace.hpp"
#include "format/records.hpp"

namespace h5mf::container {

// Where the container for `path` is: `path` itself if it is a container, else `path.h5mf` when
// `path` is an HDF5 file (whether or not that container exists yet).
struct Location {
  Layout layout;
  std::optional<std::string> base;  // the HDF5 file, when `path` named one
};
Location locate(const std::string& path);

// The base file a container's BASE record names, as a path (beside the container).
std::string base_path(const Layout& layout, const format::BaseRecord& base);
// What a BASE record says of the file at `path` now.
format::BaseRecord describe_base(const std::string& path);
// Throws FormatError when the base file is gone or changed since the container was made.
void check_base_unchanged(const Layout& layout, const format::BaseRecord& base);

// The merge of a container over base file F writes F.h5mf-tmp, then `merged` in the container.
std::string base_merge_temporary(const std::string& base);
std::string base_merge_marker(const Layout& layout);
// Steps 1-2 of docs/format.md: marker (naming the container `id` and the merged copy), rename over
// the base. Returns the container directory, for the caller to remove (step 3: remove_data_files,
// then remove_replaced_container).
[[nodiscard]] std::string replace_base_with_file(const Layout& layout, const std::string& base,
                                                 const format::ContainerId& id);
// Finishes or undoes an interrupted base merge, and tidies a plain merge's leftovers beside
// `base`. The caller holds the container exclusively (HolderLock). Only a marker that proves
// its claim (container/merge_marker.hpp) finishes a merge or removes the container.
Recovery recover_interrupted_base_merge(const Layout& layout, const std::string& base);

}  // namespace h5mf::container
