// The chunk stage of the merge: every chunk of a new chunked dataset that some write touched is
// assembled (uncompressed, edge chunks padded with the fill value), encoded with the dataset's
// filter pipeline, and written with H5Dwrite_chunk. Assembly and encoding are spread over the
// threads of every rank; the writing is done by rank 0's main thread alone (libhdf5 is not
// thread-safe, and its direct chunk write is serial), fed through a bounded queue by its own
// threads and by the other ranks in bounded batches. Chunks nobody wrote stay unallocated.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "mpi/comm.hpp"

namespace h5mf::merge_detail {

struct ChunkStageInput {
  const container::Layout* layout = nullptr;
  const container::Catalog* catalog = nullptr;
  const std::map<std::uint64_t, container::DatasetWrites>* writes = nullptr;  // prepared
  std::string output;  // created, closed; rank 0 opens it with libhdf5
  unsigned threads = 1;
  std::size_t window_bytes = 0;  // a thread's share of the memory budget (a third of it)
  std::size_t max_open_files = 256;
};

struct ChunkStats {
  std::uint64_t chunks = 0;        // chunks written
  std::uint64_t bytes_raw = 0;     // their bytes before the filters
  std::uint64_t bytes_stored = 0;  // and after
};

// The datasets the stage writes: chunked, made by the container (not a base file's), not empty,
// of a fixed-size type.
std::vector<std::uint64_t> staged_datasets(const container::Catalog& catalog);

// The chunks of a dataset that any of `writes` touches, as indices into its chunk grid (row-major),
// sorted.
std::vector<std::uint64_t> touched_chunks(const container::DatasetWrites& writes, const Extent& dims,
                                          const Extent& chunk);

// Collective over `comm`. Totals are this rank's (sum them over ranks).
ChunkStats run_chunk_stage(const ChunkStageInput& input, mpi::Comm& comm);

}  // namespace h5mf::merge_detail
