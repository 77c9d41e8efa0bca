// Unit tests of the merge's chunk stage pieces: the filters done without libhdf5 (shuffle, deflate,
// fletcher32) and ChunkEncoder's pipelines, checked by libhdf5 itself: each encoded chunk is
// written with H5Dwrite_chunk into a dataset with the same pipeline and read back with H5Dread; and
// the chunks a write touches.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <vector>

#include "format/checksum.hpp"
#include "h5mf/error.hpp"
#include "hdf5/filters.hpp"
#include "hdf5/handle.hpp"
#include "merge/chunk_filters.hpp"
#include "merge/chunks.hpp"
#include "merge/passing_checks.hpp"

namespace h5mf::merge_detail {
namespace {

using hdf5::Handle;

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Writes `encoded` (with `mask`) as the one chunk of a dataset of `type`, shape == chunk, with
// `filters`, closes the file and returns what H5Dread gives back after reopening it. (libhdf5 1.10.8
// stores H5Dwrite_chunk's filter mask in the file, but reads within the same open file do not see a
// non-zero one: the merge's readers always open the file afresh.)
std::vector<std::byte> decode_with_libhdf5(const FilterPipeline& filters, const Datatype& type, const Extent& chunk,
                                           const std::vector<std::byte>& encoded, std::uint32_t mask) {
  hdf5::silence_hdf5_errors();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("h5mf-merge-test-" + std::to_string(::getpid()) + ".h5")).string();
  {
    Handle file(hdf5::check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "file"));
    std::vector<hsize_t> dims(chunk.begin(), chunk.end());
    Handle space(hdf5::check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space"));
    Handle dcpl(hdf5::check_id(H5Pcreate(H5P_DATASET_CREATE), "dcpl"));
    hdf5::check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()), "chunk");
    hdf5::set_pipeline(dcpl.get(), filters, "test");
    Handle dataset(hdf5::check_id(
        H5Dcreate2(file.get(), "d", type.id(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), "create"));
    std::vector<hsize_t> origin(dims.size(), 0);
    hdf5::check(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, mask, origin.data(), encoded.size(), encoded.data()),
                "write chunk");
    dataset.close("close dataset");
    file.close("close file");
  }
  Handle file(hdf5::check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "reopen"));
  Handle dataset(hdf5::check_id(H5Dopen2(file.get(), "d", H5P_DEFAULT), "open"));
  std::vector<std::byte> out(selection::num_elements(chunk) * type.size());
  const herr_t status = H5Dread(dataset.get(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  dataset.close("close dataset");
  file.close("close file");
  std::filesystem::remove(path);
  hdf5::check(status, "read");
  return out;
}

std::vector<std::int32_t> smooth_ints(std::size_t n) {
  std::vector<std::int32_t> v(n);
  std::mt19937 random(7);
  std::int32_t x = 1000;
  for (auto& e : v) e = x += static_cast<std::int32_t>(random() % 7) - 3;
  return v;
}

Filter deflate(unsigned level) { return {H5Z_FILTER_DEFLATE, H5Z_FLAG_OPTIONAL, {level}}; }
const Filter kShuffle{H5Z_FILTER_SHUFFLE, H5Z_FLAG_OPTIONAL, {}};
const Filter kFletcher{H5Z_FILTER_FLETCHER32, H5Z_FLAG_MANDATORY, {}};

struct Case {
  const char* name;
  FilterPipeline filters;
};

TEST(ChunkEncoder, NativePipelinesDecodeWithLibhdf5) {
  const Extent chunk{37, 11};  // odd sizes: shuffle and fletcher32 see ragged tails
  const auto values = smooth_ints(37 * 11);
  const auto raw = bytes_of(values);
  const Datatype type = Datatype::of<std::int32_t>().file_type();
  for (const Case& c : {Case{"deflate 1", {deflate(1)}}, Case{"deflate 9", {deflate(9)}}, Case{"shuffle", {kShuffle}},
                        Case{"fletcher32", {kFletcher}}, Case{"shuffle deflate", {kShuffle, deflate(4)}},
                        Case{"shuffle deflate fletcher32", {kShuffle, deflate(6), kFletcher}},
                        Case{"fletcher32 deflate", {kFletcher, deflate(2)}}}) {
    ChunkEncoder encoder(c.filters, type, chunk, {}, "test");
    EXPECT_TRUE(encoder.native()) << c.name;
    std::vector<std::byte> data = raw, scratch;
    const std::uint32_t mask = encoder.encode(data, scratch);
    EXPECT_EQ(mask, 0u) << c.name;
    EXPECT_EQ(decode_with_libhdf5(c.filters, type, chunk, data, mask), raw) << c.name;
  }
}

TEST(ChunkEncoder, FletcherOfOddLengthsPassesLibhdf5sCheck) {
  const Datatype type = Datatype::of<std::uint8_t>().file_type();
  for (std::uint64_t n : {1u, 2u, 3u, 719u, 720u, 721u, 1441u}) {
    std::vector<std::uint8_t> values(n);
    std::iota(values.begin(), values.end(), std::uint8_t{200});
    const auto raw = bytes_of(values);
    ChunkEncoder encoder({kFletcher}, type, {n}, {}, "test");
    std::vector<std::byte> data = raw, scratch;
    encoder.encode(data, scratch);
    ASSERT_EQ(data.size(), raw.size() + 4);
    EXPECT_EQ(decode_with_libhdf5({kFletcher}, type, {n}, data, 0), raw) << n;
    data[0] ^= std::byte{1};  // damage: libhdf5 must notice
    EXPECT_THROW(decode_with_libhdf5({kFletcher}, type, {n}, data, 0), IoError) << n;
  }
}

TEST(ChunkEncoder, IncompressibleChunksSkipOptionalDeflateAsLibhdf5Does) {
  std::vector<std::uint64_t> values(512);
  std::mt19937_64 random(3);
  for (auto& v : values) v = random();
  const auto raw = bytes_of(values);
  const Datatype type = Datatype::of<std::uint64_t>().file_type();
  const FilterPipeline pipeline{kShuffle, deflate(9), kFletcher};
  ChunkEncoder encoder(pipeline, type, {512}, {}, "test");
  std::vector<std::byte> data = raw, scratch;
  const std::uint32_t mask = encoder.encode(data, scratch);
  EXPECT_EQ(mask, 2u);                     // deflate (filter 1) skipped
  EXPECT_EQ(data.size(), raw.size() + 4);  // shuffled, checksummed, not deflated
  EXPECT_EQ(decode_with_libhdf5(pipeline, type, {512}, data, mask), raw);
}

TEST(ChunkEncoder, ShuffleIsHdf5sByteTransposition) {
  const std::vector<std::byte> in{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                  std::byte{5}, std::byte{6}, std::byte{7}};
  std::vector<std::byte> out(in.size());
  shuffle_bytes(in, 3, out);  // two whole elements, then one byte as it is
  EXPECT_EQ(out, (std::vector<std::byte>{std::byte{1}, std::byte{4}, std::byte{2}, std::byte{5}, std::byte{3},
                                         std::byte{6}, std::byte{7}}));
}

TEST(ChunkEncoder, OtherFiltersGoThroughLibhdf5) {
  const Extent chunk{64};
  const auto values = smooth_ints(64);
  const auto raw = bytes_of(values);
  const Datatype type = Datatype::of<std::int32_t>().file_type();
  const FilterPipeline pipeline{{H5Z_FILTER_SCALEOFFSET, H5Z_FLAG_OPTIONAL, {H5Z_SO_INT, 0}}, kShuffle, deflate(5)};
  ChunkEncoder encoder(pipeline, type, chunk, {}, "test");
  EXPECT_FALSE(encoder.native());
  std::vector<std::byte> data = raw, scratch;
  const std::uint32_t mask = encoder.encode(data, scratch);
  EXPECT_LT(data.size(), raw.size());
  EXPECT_EQ(decode_with_libhdf5(pipeline, type, chunk, data, mask), raw);
}

// A prepared DatasetWrites of the given selections (no data: only their chunks are asked).
container::DatasetWrites writes_of(const std::vector<Selection>& selections, const Extent& dims) {
  container::DatasetWrites writes;
  std::uint64_t sequence = 0;
  for (const auto& s : selections) {
    container::IndexedWrite w;
    w.record.sequence = sequence++;
    const Selection resolved = s.resolved(dims);
    w.record.selection = container::StoredSelection(resolved, selection::bounding_box(resolved));
    writes.add(w);
  }
  writes.prepare();
  return writes;
}

TEST(ChunkStage, TouchedChunksAreExactlyTheWrittenOnes) {
  const Extent dims{10, 9}, chunk{4, 4};  // a 3 x 3 grid with edge chunks
  // A block inside chunk (0,0); a strided row that skips grid column 1; a point in the last chunk.
  const auto writes = writes_of(
      {Selection::hyperslab({1, 1}, {2, 2}), Selection::hyperslab({5, 0}, {1, 2}, {1, 8}), Selection::points({{9, 8}})},
      dims);
  EXPECT_EQ(touched_chunks(writes, dims, chunk), (std::vector<std::uint64_t>{0, 3, 5, 8}));
  const auto all = writes_of({Selection::all()}, dims);
  EXPECT_EQ(touched_chunks(all, dims, chunk).size(), 9u);
}

// PassingChecks: records lying whole in a stretch are checked once, however the stretch arrives
// (whole, or in parts of any size, cutting records anywhere); records reaching outside it are left
// for the separate pass; a damaged byte fails exactly its record.
TEST(PassingChecks, RecordsInAStretchAreCheckedWhicheverWayItArrives) {
  std::mt19937_64 rng(42);
  std::vector<std::byte> file(1 << 20);
  for (auto& b : file) b = std::byte(rng());
  // Records of file 3 at irregular offsets and lengths, with gaps (alignment holes) between some.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> records;
  for (std::uint64_t at = 64; at < file.size();) {
    const std::uint64_t length = std::min<std::uint64_t>(1 + rng() % 70000, file.size() - at);
    records.emplace_back(at, length);
    at += length + (rng() % 3 == 0 ? rng() % 4096 : 0);
  }
  const std::size_t damaged = records.size() / 2;
  const std::uint64_t stretch_begin = records[1].first + 5, stretch_end = records[records.size() - 2].first + 3;
  for (const std::uint64_t part_bytes :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4093}, std::uint64_t{65536}}) {
    PassingChecks checks;
    for (std::size_t i = 0; i < records.size(); ++i) {
      auto sum = format::checksum(std::span(file).subspan(records[i].first, records[i].second));
      checks.expect(i, 3, records[i].first, records[i].second, i == damaged ? sum ^ 1 : sum);
    }
    checks.expect(records.size(), 4, 64, 100, 0);  // another file's record, never met
    checks.seal(records.size() + 1);
    const auto stretch = std::span(file).subspan(stretch_begin, stretch_end - stretch_begin);
    if (part_bytes == 0) {
      checks.observe(3, stretch_begin, stretch);
    } else {
      PassingChecks::Stream stream(checks, 3, stretch_begin, stretch.size());
      for (std::uint64_t done = 0; done < stretch.size(); done += part_bytes) {
        stream.feed(stretch.subspan(done, std::min<std::uint64_t>(part_bytes, stretch.size() - done)));
      }
    }
    const auto checked = checks.checked(), failed = checks.failed();
    for (std::size_t i = 0; i < records.size(); ++i) {
      const bool whole = records[i].first >= stretch_begin && records[i].first + records[i].second <= stretch_end;
      EXPECT_EQ(checked[i], whole ? 1 : 0) << "record " << i << ", parts of " << part_bytes;
      EXPECT_EQ(failed[i], whole && i == damaged ? 1 : 0) << "record " << i << ", parts of " << part_bytes;
    }
    EXPECT_EQ(checked[records.size()], 0);
  }
}

}  // namespace
}  // namespace h5mf::merge_detail
