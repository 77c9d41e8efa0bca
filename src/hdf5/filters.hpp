// Filter pipelines against libhdf5: setting and reading them on dataset creation property lists,
// checking that this libhdf5 can encode them for a given type and chunk, and h5py's automatic chunk
// shape for datasets that need chunks but were given none.
#pragma once

#include <hdf5.h>

#include <string>

#include "h5mf/datatype.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"

namespace h5mf::hdf5 {

// Appends every filter to `dcpl` with H5Pset_filter, in order. `what` names the dataset.
void set_pipeline(hid_t dcpl, const FilterPipeline& filters, const std::string& what);

// The pipeline of `dcpl` as H5Pget_filter2 reports it.
FilterPipeline get_pipeline(hid_t dcpl, const std::string& what);

// Throws Unsupported when this libhdf5 lacks a filter or its encoder, and InvalidArgument when a
// filter cannot take the type or chunk (libhdf5's own can_apply check, run by creating the dataset
// in an in-memory file). `what` names the dataset.
void check_pipeline(const Datatype& file_type, const Extent& chunk, const FilterPipeline& filters,
                    const std::string& what);

// h5py's guess_chunk: halve dimensions in turn, outermost first, until the chunk is near a target
// of 16 KiB * 2^log10(dataset MiB), clamped to [8 KiB, 1 MiB]. Zero-length dimensions count as
// 1024; fixed dimensions cap the chunk.
Extent guess_chunk(const Extent& shape, const Extent& maxshape, std::size_t element_size);

}  // namespace h5mf::hdf5
