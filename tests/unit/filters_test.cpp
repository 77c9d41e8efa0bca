// Chunked datasets with HDF5 filters through the public API, over the multifile and sec2 drivers:
// the pipeline is kept and reported, the data read back directly (a container holds them
// uncompressed) and, for multifile, from the merged file, where libhdf5 must see the same pipeline,
// decode every chunk, and find the chunks nobody wrote unallocated.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint32_t> ids_of(const FilterPipeline& filters) {
  std::vector<std::uint32_t> ids;
  for (const auto& f : filters) ids.push_back(f.id);
  return ids;
}

// What libhdf5 finds in a file: the dataset's filter ids, allocated chunks, and its elements.
struct Seen {
  std::vector<std::uint32_t> filter_ids;
  hsize_t chunks = 0;
  std::vector<double> data;
};

Seen seen_by_libhdf5(const std::string& file, const std::string& dataset) {
  Seen seen;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << file;
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << dataset;
  const hid_t dcpl = H5Dget_create_plist(d);
  for (int i = 0; i < H5Pget_nfilters(dcpl); ++i) {
    unsigned flags = 0, config = 0;
    std::size_t n = 0;
    seen.filter_ids.push_back(static_cast<std::uint32_t>(
        H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config)));
  }
  const hid_t space = H5Dget_space(d);
  EXPECT_GE(H5Dget_num_chunks(d, space, &seen.chunks), 0);
  seen.data.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  EXPECT_GE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, seen.data.data()), 0);
  H5Sclose(space);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(f);
  return seen;
}

class Filters : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h5mf-filters-" + std::to_string(::getpid()) + "-" + to_string(GetParam()) +
                                        "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "f.h5").string(); }
  File open(std::string_view mode) {
    FileOptions o;
    o.driver = GetParam();
    return File(path(), mode, o);
  }
  // The file libhdf5 reads: the merged one for multifile.
  std::string hdf5_file() {
    if (GetParam() != Driver::Multifile) return path();
    MergeOptions m;
    m.output = (dir_ / "merged.h5").string();
    m.threads = 3;
    const MergeReport report = merge(path(), m);
    last_report_ = report;
    return m.output;
  }
  fs::path dir_;
  MergeReport last_report_;
};

TEST_P(Filters, PipelineKeptDataDecodedUnwrittenChunksUnallocated) {
  const Extent shape{50, 33}, chunk{8, 8};  // a 7 x 5 grid, edge chunks in both dimensions
  std::vector<double> expected(50 * 33, -1.0);
  {
    File f = open("w");
    auto d = f.create_dataset(
        "d", DatasetCreate::of<double>(shape).chunk_shape(chunk).fill_value(-1.0).shuffle().deflate(6).fletcher32());
    EXPECT_EQ(ids_of(d.filters()),
              (std::vector<std::uint32_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32}));
    EXPECT_EQ(d.filters()[1].cd_values.at(0), 6u);
    // Rows 3..19, columns 30..32 (grid columns 3 and 4, the edge), and one point in the corner chunk.
    std::vector<double> block(17 * 3);
    std::iota(block.begin(), block.end(), 1.0);
    d.write(block, Selection::hyperslab({3, 30}, {17, 3}));
    for (std::uint64_t r = 0; r < 17; ++r) {
      for (std::uint64_t c = 0; c < 3; ++c) expected[(3 + r) * 33 + 30 + c] = block[r * 3 + c];
    }
    d.write(std::vector<double>{99.5}, Selection::points({{49, 0}}));
    expected[49 * 33] = 99.5;
    EXPECT_EQ(d.read<double>(), expected);
    f.close();
  }
  {
    File f = open("r");
    EXPECT_EQ(ids_of(f.dataset("d").filters()).size(), 3u);
    EXPECT_EQ(f.dataset("d").read<double>(), expected);
  }
  const Seen seen = seen_by_libhdf5(hdf5_file(), "d");
  EXPECT_EQ(seen.filter_ids,
            (std::vector<std::uint32_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32}));
  EXPECT_EQ(seen.data, expected);
  EXPECT_EQ(seen.chunks, 7u);  // grid rows 0, 1 and 2 of columns 3 and 4, and the corner chunk (6, 0)
  if (GetParam() == Driver::Multifile) {
    EXPECT_EQ(last_report_.chunks_written, 7u);
    EXPECT_EQ(last_report_.chunk_bytes_raw, 7u * 64 * 8);
    EXPECT_GT(last_report_.chunk_bytes_stored, 0u);
  }
}

TEST_P(Filters, ChunksChosenLikeH5pyWhenNoneGiven) {
  File f = open("w");
  EXPECT_EQ(f.create_dataset("a", DatasetCreate::of<double>({100, 200}).deflate()).chunks(), (Extent{25, 50}));
  EXPECT_EQ(f.create_dataset("b", DatasetCreate::of<float>({3, 1000, 1000}).shuffle()).chunks(), (Extent{1, 63, 125}));
  EXPECT_EQ(f.create_dataset("c", DatasetCreate::of<std::uint8_t>({7}).fletcher32()).chunks(), (Extent{7}));
  EXPECT_EQ(
      f.create_dataset("e", DatasetCreate::of<double>({10'000'000}).max_shape({DatasetCreate::kUnlimited}).deflate(1))
          .chunks(),
      (Extent{9766}));
}

TEST_P(Filters, WhatCannotWorkIsRefusedNamingDatasetAndFilter) {
  File f = open("w");
  const auto message = [](const std::function<void()>& call) {
    try {
      call();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string contiguous =
      message([&] { f.create_dataset("c", DatasetCreate::of<int>({10}).contiguous().deflate()); });
  EXPECT_NE(contiguous.find("'/c'"), std::string::npos) << contiguous;
  EXPECT_NE(contiguous.find("deflate"), std::string::npos) << contiguous;
  EXPECT_THROW(f.create_dataset("c", DatasetCreate::of<int>({10}).contiguous().deflate()), InvalidArgument);
  EXPECT_THROW(f.create_dataset("s", DatasetCreate::of<int>({}).shuffle()), InvalidArgument);  // scalar
  DatasetCreate text;
  text.dtype = Datatype::fixed_string(8);
  text.shape = {10};
  text.scaleoffset(0);
  EXPECT_THROW(f.create_dataset("t", text), Unsupported);
  const std::string unknown =
      message([&] { f.create_dataset("u", DatasetCreate::of<int>({10}).filter(32000, 0, {})); });
  EXPECT_NE(unknown.find("filter 32000"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("'/u'"), std::string::npos) << unknown;
  EXPECT_THROW(f.create_dataset("u", DatasetCreate::of<int>({10}).filter(32000, 0, {})), Unsupported);
  EXPECT_THROW(f.create_dataset("l", DatasetCreate::of<int>({10}).deflate(12)), InvalidArgument);  // libhdf5: level > 9
  EXPECT_FALSE(f.contains("c") || f.contains("s") || f.contains("t") || f.contains("u") || f.contains("l"));
}

TEST_P(Filters, FiltersLibhdf5RunsScaleoffsetAndSzip) {
  unsigned config = 0;
  const bool szip = H5Zfilter_avail(H5Z_FILTER_SZIP) > 0 && H5Zget_filter_info(H5Z_FILTER_SZIP, &config) >= 0 &&
                    (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
  std::vector<double> ints(1000), floats(1000);
  std::iota(ints.begin(), ints.end(), -300.0);
  for (std::size_t i = 0; i < floats.size(); ++i) floats[i] = std::sin(static_cast<double>(i)) * 100;
  {
    File f = open("w");
    f.create_dataset("i", DatasetCreate::of<std::int32_t>({1000}).chunk_shape({128}).scaleoffset(0).deflate())
        .write_raw(ints.data(), Datatype::of<double>(), Selection::all());
    f.create_dataset("f", DatasetCreate::of<double>({1000}).chunk_shape({100}).scaleoffset(2)).write(floats);
    if (szip) {
      f.create_dataset("z", DatasetCreate::of<std::int32_t>({1000}).chunk_shape({200}).szip())
          .write_raw(ints.data(), Datatype::of<double>(), Selection::all());
    }
  }
  const std::string file = hdf5_file();
  const Seen i = seen_by_libhdf5(file, "i");
  EXPECT_EQ(i.filter_ids, (std::vector<std::uint32_t>{H5Z_FILTER_SCALEOFFSET, H5Z_FILTER_DEFLATE}));
  EXPECT_EQ(i.data, ints);  // integer scaleoffset with automatic bits is lossless
  const Seen fl = seen_by_libhdf5(file, "f");
  ASSERT_EQ(fl.data.size(), floats.size());
  for (std::size_t k = 0; k < floats.size(); ++k)
    EXPECT_NEAR(fl.data[k], floats[k], 0.0101) << k;  // two decimal digits
  if (szip) {
    const Seen z = seen_by_libhdf5(file, "z");
    EXPECT_EQ(z.filter_ids, (std::vector<std::uint32_t>{H5Z_FILTER_SZIP}));
    EXPECT_EQ(z.data, ints);
  }
}

// A container over an existing file: the base's filtered dataset is partly overwritten (libhdf5
// writes it, over its old content), and a new filtered dataset goes through the chunk stage.
TEST(FiltersOverABaseFile, BaseAndNewDatasetsKeepTheirFilters) {
  const fs::path dir = fs::temp_directory_path() / ("h5mf-filters-base-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string base = (dir / "base.h5").string();
  FileOptions sec2, multifile;
  sec2.driver = Driver::Sec2;
  multifile.driver = Driver::Multifile;
  std::vector<double> old(400);
  std::iota(old.begin(), old.end(), 0.0);
  {
    File f(base, "w", sec2);
    f.create_dataset("old", DatasetCreate::of<double>({20, 20}).chunk_shape({5, 5}).shuffle().deflate(3)).write(old);
  }
  std::vector<double> fresh(30, 2.5);
  {
    File f(base, "a", multifile);
    EXPECT_EQ(ids_of(f.dataset("old").filters()).size(), 2u);  // imported from the base
    f.dataset("old").write(std::vector<double>{-1, -2, -3}, Selection::hyperslab({7, 4}, {1, 3}));
    f.create_dataset("fresh", DatasetCreate::of<double>({30}).fletcher32().deflate(9)).write(fresh);
  }
  merge(base);
  old[7 * 20 + 4] = -1;
  old[7 * 20 + 5] = -2;
  old[7 * 20 + 6] = -3;
  const Seen o = seen_by_libhdf5(base, "old");
  EXPECT_EQ(o.filter_ids, (std::vector<std::uint32_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE}));
  EXPECT_EQ(o.data, old);
  const Seen n = seen_by_libhdf5(base, "fresh");
  EXPECT_EQ(n.filter_ids, (std::vector<std::uint32_t>{H5Z_FILTER_FLETCHER32, H5Z_FILTER_DEFLATE}));
  EXPECT_EQ(n.data, fresh);
  fs::remove_all(dir);
}

std::string driver_name(const ::testing::TestParamInfo<Driver>& param) { return to_string(param.param); }

INSTANTIATE_TEST_SUITE_P(Drivers, Filters, ::testing::Values(Driver::Multifile, Driver::Sec2), driver_name);

}  // namespace
}  // namespace h5mf
