// Dataset creation property lists: the one rule for what a merged file's dataset is created with
// (used by the merge, and by the multifile driver to say beforehand what the merged file will
// hold), and reading the storage properties of any creation property list.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <span>
#include <string>

#include "h5mf/storage.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {

// What a dataset is created with in the merged file: its fill value (none when `fill` is empty),
// its chunk shape and filters when chunked. A contiguous dataset of fixed-size elements is
// allocated at once and never filled by HDF5 (`variable_length` false): the merge must know its
// address before writing, and writes every byte whose value is not zero itself. `what` names the
// dataset.
Handle merged_creation_plist(const Datatype& type, std::span<const std::byte> fill, const Extent& chunk,
                             const FilterPipeline& filters, bool variable_length, const std::string& what);

// The layout, fill time, allocation time and fill value status of `dcpl`; size and address are
// left unset (they belong to a dataset, not to its creation properties).
StorageInfo storage_properties(hid_t dcpl, const std::string& what);

}  // namespace h5mf::hdf5
