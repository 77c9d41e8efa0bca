#include "merge/chunk_filters.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "format/encoding.hpp"
#include "h5mf/error.hpp"
#include "hdf5/creation_properties.hpp"
#include "hdf5/filters.hpp"

namespace h5mf::merge_detail {

std::mutex& libhdf5_mutex() {
  static std::mutex mutex;
  return mutex;
}

void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t n = element_size > 0 ? in.size() / element_size : 0;
  if (element_size <= 1 || n <= 1) {
    std::memcpy(out.data(), in.data(), in.size());
    return;
  }
  for (std::size_t j = 0; j < element_size; ++j) {
    std::byte* to = out.data() + j * n;
    const std::byte* from = in.data() + j;
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i * element_size];
  }
  const std::size_t whole = n * element_size;
  std::memcpy(out.data() + whole, in.data() + whole, in.size() - whole);
}

std::uint32_t fletcher32(std::span<const std::byte> data) {
  // Two running sums of 16-bit words, folded back to 16 bits before they can overflow 32 (360
  // words at most between folds).
  std::uint32_t sum1 = 0, sum2 = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t words = data.size() / 2;
  const auto fold = [](std::uint32_t s) { return (s & 0xffff) + (s >> 16); };
  while (words > 0) {
    const std::size_t block = std::min<std::size_t>(words, 360);
    words -= block;
    for (std::size_t k = 0; k < block; ++k, p += 2) {
      sum1 += static_cast<std::uint32_t>((p[0] << 8) | p[1]);
      sum2 += sum1;
    }
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  if (data.size() % 2 != 0) {
    sum1 += static_cast<std::uint32_t>(p[0] << 8);
    sum2 += sum1;
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  sum1 = fold(sum1);
  sum2 = fold(sum2);
  return (sum2 << 16) | sum1;
}

void deflate_bytes(std::span<const std::byte> in, int level, std::vector<std::byte>& out) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  out.resize(size);
  const int status = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(in.data()),
                               static_cast<uLong>(in.size()), level);
  if (status != Z_OK) throw IoError(fmt::format("zlib compress2 failed ({}) on {} bytes", status, in.size()));
  out.resize(size);
}

ChunkEncoder::ChunkEncoder(FilterPipeline filters, Datatype type, Extent chunk, std::vector<std::byte> fill,
                           std::string what)
    : filters_(std::move(filters)),
      type_(std::move(type)),
      chunk_(std::move(chunk)),
      fill_(std::move(fill)),
      what_(std::move(what)) {
  element_size_ = type_.size();
  for (const auto& f : filters_) {
    const bool done_here = f.id == H5Z_FILTER_DEFLATE || f.id == H5Z_FILTER_SHUFFLE || f.id == H5Z_FILTER_FLETCHER32;
    if (!done_here) native_ = false;
  }
}

std::uint32_t ChunkEncoder::encode(std::vector<std::byte>& data, std::vector<std::byte>& scratch) {
  if (!native_) return encode_with_libhdf5(data);
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    const Filter& f = filters_[i];
    switch (f.id) {
      case H5Z_FILTER_SHUFFLE:
        scratch.resize(data.size());
        shuffle_bytes(data, element_size_, scratch);
        data.swap(scratch);
        break;
      case H5Z_FILTER_DEFLATE: {
        const int level = f.cd_values.empty() ? 6 : static_cast<int>(std::min(f.cd_values[0], 9u));
        deflate_bytes(data, level, scratch);
        // libhdf5's deflate gives up where the output would grow, and an optional filter that
        // gives up is skipped for that chunk (its bit in the mask): the same here.
        if (scratch.size() > data.size() && (f.flags & H5Z_FLAG_OPTIONAL) != 0) {
          mask |= 1u << i;
          break;
        }
        data.swap(scratch);
        break;
      }
      case H5Z_FILTER_FLETCHER32: {
        const std::uint32_t sum = fletcher32(data);
        const std::size_t at = data.size();
        data.resize(at + 4);
        format::put_u32(data.data() + at, sum);  // stored little-endian, as libhdf5 does
        break;
      }
      default: break;
    }
  }
  return mask;
}

std::uint32_t ChunkEncoder::encode_with_libhdf5(std::vector<std::byte>& data) {
  std::lock_guard lock(libhdf5_mutex());
  const std::string what = fmt::format("{}: encoding a chunk with libhdf5's filters", what_);
  if (!dataset_.valid()) {
    hdf5::Handle fapl(hdf5::check_id(H5Pcreate(H5P_FILE_ACCESS), what));
    hdf5::check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, 0), what);
    static std::atomic<unsigned> counter{0};
    const std::string name = fmt::format("h5mf-chunk-encoder-{}", counter++);
    file_ = hdf5::Handle(hdf5::check_id(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), what));
    std::vector<hsize_t> dims(chunk_.begin(), chunk_.end());
    hdf5::Handle space(hdf5::check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), what));
    // The merged dataset's own creation properties, so that the filters encode as they would there.
    const hdf5::Handle dcpl = hdf5::merged_creation_plist(type_, fill_, chunk_, filters_, false, what);
    dataset_ = hdf5::Handle(hdf5::check_id(
        H5Dcreate2(file_.get(), "chunk", type_.id(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what));
  }
  hdf5::check(H5Dwrite(dataset_.get(), type_.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
  std::vector<hsize_t> origin(chunk_.size(), 0);
  hsize_t stored = 0;
  hdf5::check(H5Dget_chunk_storage_size(dataset_.get(), origin.data(), &stored), what);
  data.resize(static_cast<std::size_t>(stored));
  std::uint32_t mask = 0;
  hdf5::check(H5Dread_chunk(dataset_.get(), H5P_DEFAULT, origin.data(), &mask, data.data()), what);
  return mask;
}

}  // namespace h5mf::merge_detail
