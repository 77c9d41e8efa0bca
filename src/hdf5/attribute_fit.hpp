// Whether an HDF5 file can hold an attribute. The container stores attributes of any size, but the
// merged file keeps each in one object header message (at most 64 KiB with HDF5's default file
// settings, which h5mf's merge and view use): what it could not hold must be refused when it is
// written, not at the end of the job. The rule is libhdf5's own: the attribute is created in an
// in-memory file of the merge's settings (merge_file_access), which is then read back, so that it
// cannot drift from what the merge will do. (HDF5 1.10.8 creates attributes a few bytes under its
// limit that it cannot read back, "message not aligned": those are refused too.)
#pragma once

#include <string>

#include "h5mf/datatype.hpp"
#include "h5mf/selection.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {

// The file access settings of merged files (the merge creates them with these).
Handle merge_file_access();

// Throws h5mf::Error (Python: RuntimeError), with h5py's message "Unable to create attribute
// (object header message is too large)" and then `what`, when an attribute `name` of `file_type`
// and `dims` (empty: scalar) does not fit in an object header.
void check_attribute_fits(const std::string& name, const Datatype& file_type, const Extent& dims,
                          const std::string& what);

// The same error, for a driver whose own H5Acreate2 failed with HDF5's error stack `stack`: thrown
// when the stack says the message is too large, else IoError naming `what` and the stack.
[[noreturn]] void attribute_not_created(const std::string& stack, const Datatype& file_type, const Extent& dims,
                                        const std::string& what);

}  // namespace h5mf::hdf5
