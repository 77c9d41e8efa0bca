// Describes an existing HDF5 file's structure as epoch-0 metafile records, so that a container
// over it (docs/format.md) starts with one catalog of everything already there.
#pragma once

#include <string>

#include "container/catalog.hpp"
#include "container/metafile.hpp"

namespace h5mf::driver {

// Reads `base` with the sec2 driver and appends (and applies to `catalog`) a record for every
// name, group, dataset, named datatype and attribute in it: names depth first in name order, then
// the datasets, then the attributes, so that what shares a named datatype can name its id.
void import_base(const std::string& base, container::MetafileAppender& metafile, container::Catalog& catalog);

}  // namespace h5mf::driver
