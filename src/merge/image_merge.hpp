// The merge of a file-image container (written through the HDF5 file driver): the file HDF5 wrote
// is the image (its metadata in place) with every rank's raw data laid over it where the index
// says, in replay order. No HDF5 call is needed: the bytes are the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "container/image_index.hpp"
#include "container/posix_file.hpp"
#include "h5mf/dropped.hpp"
#include "h5mf/merge.hpp"
#include "mpi/comm.hpp"

namespace h5mf::merge_detail {

struct ImageOutcome {
  std::uint64_t records = 0, bytes_written = 0, bytes_kernel_copied = 0;
  std::vector<Dropped> dropped;  // records whose data failed their checksums
  // The job never closed: the file's metadata is the image of its last completed flush.
  bool from_snapshot = false;
};

// Copies `from` into `to` (empty) hole for hole (SEEK_DATA/SEEK_HOLE), with copy_file_range when
// `use_kernel` and the file systems allow it: a sparse image stays sparse. Returns the data bytes
// copied; `kernel_copied` grows by those the kernel copied.
std::uint64_t copy_sparse(const container::PosixFile& from, container::PosixFile& to, bool use_kernel,
                          std::uint64_t& kernel_copied);

// Checks the checksum of every RANGE record whose bytes are in a data file (`verify`), split over
// the ranks of `comm` and `threads` threads each; a record that fails is dropped from `index`
// (every rank drops the same ones); records whose bytes show whole are checked as they are copied.
// Writes the file to `output` (a new file, made by rank 0):
// the image (`image.flushed` when the job did not close: its last flush), then the pieces of data and zeros, split over
// ranks and threads, then its size (the last END record, else the end of what was written). Collective.
ImageOutcome write_image_output(mpi::Comm& comm, container::ImageIndex& index, const std::string& output,
                                unsigned threads, bool verify, bool kernel_copy, bool sync);

}  // namespace h5mf::merge_detail
