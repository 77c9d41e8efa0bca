// Variable-length datasets (strings, sequences) in the merge: their container records hold slots
// and bytes (format/vlen.hpp), which no file-to-file copy can place, so rank 0 writes them through
// libhdf5 (H5Dwrite of string pointers or hvl_t; HDF5 puts the bytes in its global heap),
// contiguous or chunked, in windows of whole rows. Kept apart from the fixed-size paths (engine,
// chunked writes) on purpose.
#pragma once

#include <hdf5.h>

#include <string>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/merge.hpp"

namespace h5mf::merge_detail {

// Writes what the container holds for `dataset` (already created in `output`, of file type
// `type`). A window holds at most `window_bytes` of 16-byte slots (at least one row); the strings
// it holds come on top. With `in_base` the output already holds the base file's strings, which
// stay where nobody wrote. Elements nobody wrote stay NULL (empty sequences), HDF5's default fill.
void write_vlen_dataset(hid_t dataset, const container::CatalogObject& o, const Datatype& type,
                        const container::Layout& layout, const container::DatasetWrites& writes,
                        const std::string& path, const std::string& output, std::size_t window_bytes, bool in_base,
                        MergeReport& report);

}  // namespace h5mf::merge_detail
