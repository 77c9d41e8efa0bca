// Datatypes in words, as h5dump names them ("H5T_STD_I32LE", "compound {...}"): for error
// messages and the tools. Never throws an h5mf error, so that it can build the message of one.
#pragma once

#include <hdf5.h>

#include <string>

namespace h5mf::hdf5 {

std::string describe_type(hid_t id);

// The name of member `index` of a compound or enum type (HDF5 allocates it; freed here). Throws
// (hdf5::check) when HDF5 gives none.
std::string member_name(hid_t id, unsigned index);

}  // namespace h5mf::hdf5
