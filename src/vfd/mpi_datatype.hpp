// MPI derived datatypes as byte runs. A collective transfer reaches a file driver as one buffer,
// a count of a memory datatype and a file datatype laid from an address (the API context of
// H5FDmpio.c); the driver writes each contiguous piece of the file datatype as its own record.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace h5mf::vfd {

struct ByteRun {
  std::int64_t offset = 0;  // from the start of the buffer (may be negative for a negative lb)
  std::uint64_t length = 0;
};

// The bytes `count` elements of `type` cover, in type-map order (the order MPI packs them), with
// adjacent runs joined. Throws h5mf::Unsupported for a type constructor it does not know
// (subarray, darray), naming it.
std::vector<ByteRun> flatten(MPI_Datatype type, std::uint64_t count);

// The size of `count` elements of `type` in bytes (the data, not the extent).
std::uint64_t type_bytes(MPI_Datatype type, std::uint64_t count);

// The file addresses of `bytes` bytes laid through a file view (displacement `address`, filetype
// `file_type`, tiled by its extent as MPI-IO does when the data outrun one filetype).
std::vector<ByteRun> file_runs(MPI_Datatype file_type, std::uint64_t address, std::uint64_t bytes);

}  // namespace h5mf::vfd
