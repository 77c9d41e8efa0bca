// Writing the view's two files from its datasets' plans (view/plan.hpp), docs/design.md, "The
// zero-copy view":
// - the sources file: per mapped piece of data, a dataset with external storage (H5Pset_external)
//   whose raw data are byte ranges of the writers' data files, named by absolute path, because
//   HDF5 1.10.8 resolves relative external names against the reader's working directory;
// - the view: the container's groups and attributes, and per dataset a virtual dataset whose
//   mappings read those source datasets. The sources file is named by absolute path; where that
//   is missing HDF5 looks for its name in the view's directory, so the view can be copied alone,
//   or moved together with its sources. (A second file rather than a hidden group in the view:
//   h5dump and h5py then show exactly the merged file's objects.)
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "container/catalog.hpp"
#include "container/layout.hpp"
#include "h5mf/view.hpp"
#include "view/plan.hpp"

namespace h5mf::view_detail {

// The files a view writes and the names it gives them inside HDF5.
struct ViewNames {
  std::string output, sources;      // the files to write
  std::string sources_in_vds;       // the sources file as the view names it (absolute, escaped)
  std::optional<std::string> base;  // the base file as the view names it (absolute, escaped)
  // The sources file's top group, new for every view: a copy of an older view that finds a newer
  // sources file at its old place reads nothing from it rather than other data.
  std::string generation;
};

// '%' starts a substitution in the names H5Pset_virtual is given.
std::string escape_vds_name(const std::string& name);

// A path as the view names files: absolute and normal, to be read from any working directory.
std::filesystem::path absolute_path(const std::string& path);

// The image of the sources file: per dataset a group, per source an external-storage dataset.
std::vector<std::byte> write_sources(const ViewNames& names, const std::vector<DatasetPlan>& plans,
                                     const container::Catalog& catalog, const container::Layout& layout,
                                     ViewReport& report);

// The image of the view: the container's groups, attributes, links and dimension scales, and per
// dataset a virtual dataset of its plan's mappings.
std::vector<std::byte> write_view(const ViewNames& names, const std::vector<DatasetPlan>& plans,
                                  const container::Catalog& catalog, ViewReport& report);

// Writes `image` to `path`: a file in the container's directory follows no link; one opened and not
// written whole is removed.
void save_image(const std::string& path, std::span<const std::byte> image, const container::Layout& layout);

}  // namespace h5mf::view_detail
