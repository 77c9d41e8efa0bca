// Dataset creation property lists: the one rule for what a merged file's dataset is created with
// (used by the merge, and by the multifile driver to say beforehand what the merged file will
// hold), and reading the storage properties of any creation property list.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"
#include "h5mf/storage.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {

// A dataset's fill value as h5mf keeps it (the container's CREATE_DATASET `fill`, docs/format.md):
// one element in `type` for fixed-size types; for a variable-length string or sequence the value
// as format::encode_vlen_fill makes it (HDF5 takes and gives a char* or hvl_t). Empty: HDF5's
// default, nothing set. A garbled variable-length value is a FormatError naming `what`. For a
// compound with variable-length members, one element in HDF5's memory form (char*, hvl_t), as
// values::Hdf5Fill makes it from the stored one.
void set_fill_value(hid_t dcpl, const Datatype& type, std::span<const std::byte> fill, const std::string& what);
// The same form back from `dcpl`: a fixed-size type's element (zeros when undefined or default),
// a variable-length type's value (empty for HDF5's default).
std::vector<std::byte> get_fill_value(hid_t dcpl, const Datatype& type, const std::string& what);

// What a dataset is created with in the merged file: its fill value (none when `fill` is empty),
// its chunk shape and filters when chunked. A contiguous dataset of fixed-size elements is
// allocated at once and never filled by HDF5 (`variable_length` false): the merge must know its
// address before writing, and writes every byte whose value is not zero itself. A chunked
// variable-length dataset with a fill value is allocated at once too: HDF5 1.10 cannot read an
// unallocated chunk of one (it writes the fill value to the file's heap) from a file opened
// read-only once other chunks exist. `what` names the dataset.
Handle merged_creation_plist(const Datatype& type, std::span<const std::byte> fill, const Extent& chunk,
                             const FilterPipeline& filters, bool variable_length, const std::string& what);

// The layout, fill time, allocation time and fill value status of `dcpl`; size and address are
// left unset (they belong to a dataset, not to its creation properties).
StorageInfo storage_properties(hid_t dcpl, const std::string& what);

}  // namespace h5mf::hdf5
