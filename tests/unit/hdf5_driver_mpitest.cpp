// The mpio driver as one MPI process (no mpiexec: a singleton MPI_COMM_WORLD, or MPI_COMM_SELF):
// opening with and without a communicator, independent and collective transfers (including a
// collective transfer of nothing), atomicity, resize, attributes, and files that sec2 reads back.
// Several ranks (and mismatched collective calls) are tested under mpiexec in tests/mpi.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace {

namespace fs = std::filesystem;
using h5mf::DatasetCreate;
using h5mf::Extent;
using h5mf::File;
using h5mf::FileOptions;
using h5mf::Selection;

FileOptions mpio(MPI_Comm comm = MPI_COMM_NULL) {
  FileOptions options;
  options.driver = h5mf::Driver::Mpio;
  options.comm = comm;
  return options;
}

FileOptions sec2() {
  FileOptions options;
  options.driver = h5mf::Driver::Sec2;
  return options;
}

class MpioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("h5mf-mpio-driver-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "." + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name = "test.h5") const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(MpioTest, WithoutACommunicatorUsesCommSelf) {
  File f(path(), "w", mpio());
  EXPECT_EQ(f.driver(), "mpio");
  EXPECT_EQ(f.writer(), 0);
  EXPECT_EQ(f.writers(), 1);
  auto d = f.create_dataset<int>("a/b/d", {2, 3});
  d.write(std::vector<int>{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(d.read<int>(Selection::hyperslab({0, 1}, {2, 2})), (std::vector<int>{2, 3, 5, 6}));
  f.attrs().set("title", std::string("mpio"));
  f.close();

  File r(path(), "r", sec2());  // a conventional HDF5 file
  EXPECT_EQ(r.dataset("a/b/d").read<int>(), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(r.attrs().get<std::string>("title"), "mpio");
  r.close();
}

TEST_F(MpioTest, WithTheWorldCommunicator) {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  File f(path(), "w", mpio(MPI_COMM_WORLD));
  EXPECT_EQ(f.writers(), size);
  f.create_group("g");
  f.close();
  File r(path(), "a", mpio(MPI_COMM_WORLD));
  EXPECT_EQ(r.keys(), std::vector<std::string>{"g"});
  r.close();
}

TEST_F(MpioTest, CollectiveAndIndependentTransfers) {
  File f(path(), "w", mpio(MPI_COMM_SELF));
  auto d = f.create_dataset("d", DatasetCreate::of<double>({4, 4}).fill_value(-1.0));
  d.write(std::vector<double>{1, 2}, Selection::hyperslab({0, 0}, {1, 2}));  // independent
  d.set_collective(true);
  d.write(std::vector<double>{3, 4}, Selection::hyperslab({1, 0}, {2, 1}, {2, 1}));
  d.write(std::vector<double>{9}, Selection::points({{3, 3}}));
  // A rank with nothing to write still takes part in the collective call.
  d.write(std::vector<double>{}, Selection::hyperslab({0, 0}, {0, 4}));
  d.write(std::vector<double>{}, Selection::points(2, {}));
  EXPECT_TRUE(d.read<double>(Selection::hyperslab({2, 2}, {0, 0})).empty());
  const std::vector<double> expected{1, 2, -1, -1, 3, -1, -1, -1, -1, -1, -1, -1, 4, -1, -1, 9};
  EXPECT_EQ(d.read<double>(), expected);
  d.set_collective(false);
  EXPECT_EQ(d.read<float>(Selection::points({{3, 0}, {0, 1}})), (std::vector<float>{4, 2}));
  d.write(std::vector<double>{}, Selection::points(2, {}));
  f.close();

  File r(path(), "r", sec2());
  EXPECT_EQ(r.dataset("d").read<double>(), expected);
  r.close();
}

TEST_F(MpioTest, ScalarAndResizableDatasets) {
  File f(path(), "w", mpio());
  auto scalar = f.create_dataset<std::int64_t>("scalar", {});
  scalar.set_collective(true);
  scalar.write(std::vector<std::int64_t>{42});
  EXPECT_EQ(scalar.read<std::int64_t>(), std::vector<std::int64_t>{42});

  auto grow = f.create_dataset("grow", DatasetCreate::of<int>({2}).max_shape({DatasetCreate::kUnlimited}));
  grow.write(std::vector<int>{1, 2});
  grow.resize({5});
  grow.write(std::vector<int>{5}, Selection::hyperslab({4}, {1}));
  EXPECT_EQ(grow.read<int>(), (std::vector<int>{1, 2, 0, 0, 5}));
  f.close();
}

TEST_F(MpioTest, Atomicity) {
  FileOptions options = mpio();
  options.atomic = true;
  File f(path(), "w", options);
  EXPECT_TRUE(f.atomic());
  f.set_atomic(false);
  EXPECT_FALSE(f.atomic());
  f.set_atomic(true);
  EXPECT_TRUE(f.atomic());
  f.close();
}

TEST_F(MpioTest, AttributesAndModes) {
  {
    File f(path(), "x", mpio());
    f.attrs().set("n", 1);
    f.attrs().set("n", std::vector<float>{1.5f, 2.5f});  // replaced, other type and shape
    f.attrs().set("gone", 2);
    f.attrs().remove("gone");
    EXPECT_EQ(f.attrs().names(), std::vector<std::string>{"n"});
    f.close();
  }
  EXPECT_THROW(File(path(), "w-", mpio()), h5mf::AlreadyExists);
  EXPECT_THROW(File(path("missing.h5"), "r", mpio()), h5mf::NotFound);
  File r(path(), "r", mpio());
  EXPECT_EQ(r.attrs().get<std::vector<float>>("n"), (std::vector<float>{1.5f, 2.5f}));
  EXPECT_THROW(r.attrs().set("x", 1), h5mf::InvalidArgument);
  r.close();
}

TEST_F(MpioTest, OneRankClosesAnAbandonedFile) {
  {
    File f(path(), "w", mpio());
    f.create_dataset<int>("d", {2}).write(std::vector<int>{3, 4});
  }  // destroyed without close(): with one rank the file can still be closed locally
  File r(path(), "r", mpio());
  EXPECT_EQ(r.dataset("d").read<int>(), (std::vector<int>{3, 4}));
  r.close();
}

TEST_F(MpioTest, Sec2AcceptsACommunicatorOfOneRank) {
  FileOptions options = sec2();
  options.comm = MPI_COMM_SELF;
  File f(path(), "w", options);
  EXPECT_EQ(f.driver(), "sec2");
  EXPECT_EQ(f.writers(), 1);
  f.close();
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int result = RUN_ALL_TESTS();
  MPI_Finalize();
  return result;
}
