// A container over an existing conventional HDF5 file (docs/format.md): seed 001's "favourite
// example" in one process. The base file stays untouched until the merge replaces it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "container/layout.hpp"
#include "container/merge_marker.hpp"
#include "container/metafile.hpp"
#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

class BaseFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h5mf-base-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // coords.hdf5: a conventional file, as seed 004's first cell makes it.
    File f(base(), "w", sec2());
    coords_.resize(2 * kPoints);
    for (std::size_t i = 0; i < coords_.size(); ++i) coords_[i] = static_cast<float>(i % 17) / 4.0f;
    f.create_dataset<float>("coords", {kPoints, 2}).write(coords_);
    auto chunked = f.create_dataset("chunked", DatasetCreate::of<std::int32_t>({6, 4}).chunk_shape({2, 2}));
    chunked.write(std::vector<std::int32_t>(24, 5));
    f.attrs().set("source", "seed 004");
    f.attrs().set("obsolete", 1);
    f.create_group("meta").attrs().set("version", 1);
    f.close();
    base_bytes_ = fs::file_size(base());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static FileOptions sec2() {
    FileOptions o;
    o.driver = Driver::Sec2;
    return o;
  }
  static FileOptions multifile() {
    FileOptions o;
    o.driver = Driver::Multifile;
    return o;
  }
  std::string base() const { return (dir_ / "coords.hdf5").string(); }

  // The job: read coords from the base, write distances (and change a few things) in a container.
  void run_job() {
    File f(base(), "a", multifile());
    EXPECT_EQ(f.driver(), "multifile");
    const auto coords = f.dataset("coords").read<float>();
    EXPECT_EQ(coords, coords_);  // base data reads through the container
    std::vector<float> distances(kPoints);
    for (std::size_t i = 0; i < kPoints; ++i) distances[i] = std::hypot(coords[2 * i], coords[2 * i + 1]);
    f.create_dataset<float>("distances", {kPoints}).write(distances);
    // Overwrite part of base datasets, contiguous and chunked.
    f.dataset("coords").write(std::vector<float>{-1, -2}, Selection::hyperslab({3, 0}, {1, 2}));
    f.dataset("chunked").write(std::vector<std::int32_t>{7, 8, 9}, Selection::hyperslab({1, 1}, {1, 3}));
    f.attrs().set("source", "h5mf");  // replaces a base attribute
    f.attrs().remove("obsolete");
    f.group("meta").attrs().set("added", 2.5);
    EXPECT_EQ(f.dataset("coords").read<float>(Selection::hyperslab({3, 0}, {1, 2})), (std::vector<float>{-1, -2}));
    f.close();
  }

  void expect_merged_content(File& f) {
    auto coords = f.dataset("coords").read<float>();
    EXPECT_EQ(coords[6], -1);
    EXPECT_EQ(coords[7], -2);
    coords[6] = coords_[6];
    coords[7] = coords_[7];
    EXPECT_EQ(coords, coords_);
    const auto distances = f.dataset("distances").read<float>();
    EXPECT_FLOAT_EQ(distances[10], std::hypot(coords_[20], coords_[21]));
    const auto chunked = f.dataset("chunked").read<std::int32_t>();
    for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(chunked[i], i == 5 ? 7 : i == 6 ? 8 : i == 7 ? 9 : 5) << i;
    EXPECT_EQ(f.attrs().get<std::string>("source"), "h5mf");
    EXPECT_FALSE(f.attrs().contains("obsolete"));
    EXPECT_EQ(f.group("meta").attrs().get<int>("version"), 1);
    EXPECT_EQ(f.group("meta").attrs().get<double>("added"), 2.5);
  }

  static constexpr std::uint64_t kPoints = 100;
  fs::path dir_;
  std::vector<float> coords_;
  std::uintmax_t base_bytes_ = 0;
};

TEST_F(BaseFile, SeedOneFavouriteExample) {
  run_job();
  // The base file is untouched until the merge; the container sits beside it.
  EXPECT_EQ(fs::file_size(base()), base_bytes_);
  EXPECT_TRUE(fs::is_directory(base() + ".h5mf"));
  {
    File f(base(), "r");  // Auto finds the container beside the file
    EXPECT_EQ(f.driver(), "multifile");
    expect_merged_content(f);
  }
  const MergeReport report = merge(base());
  EXPECT_EQ(report.output, base());
  EXPECT_FALSE(fs::exists(base() + ".h5mf"));
  EXPECT_FALSE(fs::exists(base() + ".h5mf-tmp"));
  File f(base(), "r");
  EXPECT_EQ(f.driver(), "sec2");
  expect_merged_content(f);
}

// Issue 18: hard links of the base file (one a cycle) are imported as links, not copies; links the
// container adds to base objects reach their data; the merge keeps both kinds.
TEST_F(BaseFile, HardLinksOfTheBaseFileAndToIt) {
  {
    File f(base(), "r+", sec2());
    f.create_hard_link("coords_alias", f.dataset("coords"));
    f.create_hard_link("meta/self", f.group("meta"));
    f.close();
  }
  {
    File f(base(), "a", multifile());
    EXPECT_EQ(f.dataset("coords_alias").object_id(), f.dataset("coords").object_id());
    EXPECT_EQ(f.group("meta/self").object_id(), f.group("meta").object_id());
    f.create_hard_link("meta/coords", f.dataset("coords_alias"));  // a new name of a base dataset
    EXPECT_EQ(f.dataset("meta/coords").read<float>(), coords_);    // read from the base file
    f.dataset("meta/coords").write(std::vector<float>{-1, -2}, Selection::hyperslab({3, 0}, {1, 2}));
    EXPECT_EQ(f.dataset("coords").read<float>(Selection::hyperslab({3, 0}, {1, 2})), (std::vector<float>{-1, -2}));
    f.close();
  }
  merge(base());
  File f(base(), "r", sec2());
  const std::uint64_t coords = f.dataset("coords").object_id();
  EXPECT_EQ(f.dataset("coords_alias").object_id(), coords);
  EXPECT_EQ(f.dataset("meta/coords").object_id(), coords);
  EXPECT_EQ(f.group("meta/self/self").object_id(), f.group("meta").object_id());
  EXPECT_EQ(f.dataset("meta/coords").read<float>(Selection::hyperslab({3, 0}, {1, 2})), (std::vector<float>{-1, -2}));
}

// Variable-length strings of the base file: reads start from the base file's strings (NULL ones
// included), the container's writes win where they fall, and the merge keeps the rest.
TEST_F(BaseFile, VariableLengthStringsOfTheBaseFile) {
  {
    File f(base(), "r+", sec2());
    const char* names[] = {"base0", nullptr, "base2", ""};
    f.create_dataset("names", DatasetCreate::of<std::string>({5}))
        .write_raw(names, Datatype::variable_string(), Selection::hyperslab({0}, {4}));
    f.close();
  }
  const std::vector<std::string> want{"base0", "new1", "base2", "", "new4"};
  {
    File f(base(), "a", multifile());
    EXPECT_EQ(f.dataset("names").read<std::string>(), (std::vector<std::string>{"base0", "", "base2", "", ""}));
    f.dataset("names").write(std::vector<std::string>{"new1", "new4"}, Selection::points({{1}, {4}}));
    EXPECT_EQ(f.dataset("names").read<std::string>(), want);
    std::vector<char*> raw(5);
    f.dataset("names").read_raw(raw.data(), Datatype::variable_string(), Selection::all());
    EXPECT_STREQ(raw[3], "");  // the base file's empty string stays empty, not NULL
    reclaim_strings(raw.data(), raw.size());
    f.close();
  }
  merge(base());
  File f(base(), "r", sec2());
  EXPECT_EQ(f.dataset("names").read<std::string>(), want);
  std::vector<char*> raw(5);
  f.dataset("names").read_raw(raw.data(), Datatype::variable_string(), Selection::all());
  EXPECT_STREQ(raw[3], "");
  EXPECT_STREQ(raw[1], "new1");
  reclaim_strings(raw.data(), raw.size());
}

TEST_F(BaseFile, ReopenedContainerAppends) {
  run_job();
  {
    File f(base(), "a", multifile());
    f.create_dataset<int>("more", {2}).write(std::vector<int>{4, 2});
    f.close();
  }
  merge(base() + ".h5mf");  // naming the container works as well
  File f(base(), "r");
  expect_merged_content(f);
  EXPECT_EQ(f.dataset("more").read<int>(), (std::vector<int>{4, 2}));
}

TEST_F(BaseFile, ChangedBaseIsRefused) {
  run_job();
  {
    File f(base(), "r+", sec2());  // somebody edits the file behind the container's back
    f.create_group("sneaky");
    f.close();
  }
  EXPECT_THROW(File(base(), "r", multifile()), FormatError);
  EXPECT_THROW(merge(base()), FormatError);
  EXPECT_TRUE(fs::is_directory(base() + ".h5mf"));  // nothing lost
}

TEST_F(BaseFile, InterruptedMergeIsFinishedOrUndone) {
  run_job();
  // Killed while writing the copy: the partial copy goes, the container stays.
  fs::copy_file(base(), base() + ".h5mf-tmp");
  {
    File f(base(), "r");
    expect_merged_content(f);
  }
  EXPECT_EQ(fs::file_size(base()), base_bytes_);
  // Killed after the marker, before the rename: the next open finishes the merge.
  {
    MergeOptions o;
    o.output = base() + ".h5mf-tmp";
    merge(base(), o);
  }
  // The marker a merge writes before its rename: it names the container and the finished copy.
  const std::string dir = base() + ".h5mf";
  const auto id = h5mf::container::load_metafile(h5mf::container::Layout(dir)).header.container;
  h5mf::container::write_merge_marker(dir, h5mf::container::describe_merge_output(base() + ".h5mf-tmp", id));
  const MergeReport report = merge(base());  // finishes the interrupted one
  ASSERT_FALSE(report.damage.empty());
  EXPECT_NE(report.damage.front().find("finished an interrupted merge"), std::string::npos);
  {
    File f(base(), "r");
    EXPECT_EQ(f.driver(), "sec2");  // merged: a conventional file again
    expect_merged_content(f);
  }
  EXPECT_FALSE(fs::exists(base() + ".h5mf"));
  EXPECT_FALSE(fs::exists(base() + ".h5mf-tmp"));
}

TEST_F(BaseFile, TruncatingModesStartAfresh) {
  File f(base(), "w", multifile());  // 'w' replaces the file by a new container, as h5py truncates
  EXPECT_FALSE(f.contains("coords"));
  f.close();
  EXPECT_TRUE(fs::is_directory(base()));
}

}  // namespace
}  // namespace h5mf
