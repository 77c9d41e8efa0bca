// Encoding one chunk with a dataset's filter pipeline, into the bytes libhdf5 stores for it (to be
// written with H5Dwrite_chunk). Deflate (zlib), shuffle and fletcher32 are done here, on any thread;
// a pipeline with any other filter (scaleoffset, szip, a registered plugin) is run by libhdf5 itself
// on a one-chunk dataset in an in-memory file, one chunk at a time under libhdf5_mutex().
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::merge_detail {

// libhdf5 is not thread-safe: every call into it from the merge's threads holds this.
std::mutex& libhdf5_mutex();

// HDF5's shuffle: byte j of element i goes to position j * n + i (n = whole elements); the bytes
// after the last whole element are copied as they are. `out` has the size of `in`.
void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out);
// HDF5's Fletcher-32 over 16-bit big-endian words (an odd last byte is the high byte of a word).
std::uint32_t fletcher32(std::span<const std::byte> data);
// zlib's compress2 at `level`: a zlib stream, as HDF5's deflate filter stores it.
void deflate_bytes(std::span<const std::byte> in, int level, std::vector<std::byte>& out);

class ChunkEncoder {
 public:
  // `what` names the dataset for error messages; `fill` is one element or empty.
  ChunkEncoder(FilterPipeline filters, Datatype type, Extent chunk, std::vector<std::byte> fill, std::string what);
  ChunkEncoder(const ChunkEncoder&) = delete;
  ChunkEncoder& operator=(const ChunkEncoder&) = delete;

  // Encodes the whole, uncompressed chunk in `data` in place (`scratch` is a work buffer). Returns
  // the filter mask for H5Dwrite_chunk (a bit set for each optional filter libhdf5 skipped).
  std::uint32_t encode(std::vector<std::byte>& data, std::vector<std::byte>& scratch);

  // Whether every filter is done here, without libhdf5.
  bool native() const { return native_; }

 private:
  std::uint32_t encode_with_libhdf5(std::vector<std::byte>& data);
  FilterPipeline filters_;
  Datatype type_;  // used under libhdf5_mutex() only
  std::size_t element_size_ = 0;
  Extent chunk_;
  std::vector<std::byte> fill_;
  std::string what_;
  bool native_ = true;
  // The in-memory file and its one-chunk dataset, made on first use (under libhdf5_mutex()).
  hdf5::Handle file_, dataset_;
};

}  // namespace h5mf::merge_detail
