// The merge drops records that reach outside their dataset's recorded shape (a resize lost from
// the metafile) and keeps the others of the same dataset in replay order.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <thread>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

TEST(MergeDrops, RecordsBeyondALostResizeAmongKeptOnes) {
  const fs::path dir = fs::temp_directory_path() / ("h5mf-merge-drop-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "c.h5").string(), out = (dir / "out.h5").string();
  std::uintmax_t before_resize = 0;
  {
    FileOptions multifile;
    multifile.driver = Driver::Multifile;
    File f(path, "w", multifile);
    auto d = f.create_dataset("d", DatasetCreate::of<std::int32_t>({4}).max_shape({DatasetCreate::kUnlimited}));
    d.write(std::vector<std::int32_t>{1, 2, 3, 4}, Selection::hyperslab({0}, {4}));
    f.flush();
    before_resize = fs::file_size(path + "/metafile");
    d.resize({8});
    d.write(std::vector<std::int32_t>{5, 6, 7, 8}, Selection::hyperslab({4}, {4}));
    d.write(std::vector<std::int32_t>{9, 9}, Selection::hyperslab({1}, {2}));  // after the other, wins
    f.close();
  }
  // The RESIZE record is the metafile's last: lose it.
  fs::resize_file(path + "/metafile", before_resize);
  MergeOptions o;
  o.output = out;
  const MergeReport report = merge(path, o);
  EXPECT_EQ(report.records, 2u);
  EXPECT_EQ(report.records_dropped, 1u);
  ASSERT_EQ(report.damage.size(), 1u);
  EXPECT_NE(report.damage[0].find("outside its shape"), std::string::npos) << report.damage[0];
  const hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t dset = H5Dopen2(file, "/d", H5P_DEFAULT);
  std::vector<std::int32_t> values(4);
  EXPECT_GE(H5Dread(dset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  EXPECT_EQ(values, (std::vector<std::int32_t>{1, 9, 9, 4}));
  H5Dclose(dset);
  H5Fclose(file);
  fs::remove_all(dir);
}

// More merge threads than the CPUs this process may run on (as under mpiexec, which binds each
// rank to a core) work, and the report says that they take turns; the default count does not.
TEST(MergeNotes, MoreThreadsThanUsableCpus) {
  const fs::path dir = fs::temp_directory_path() / ("h5mf-merge-notes-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "c.h5").string();
  {
    FileOptions multifile;
    multifile.driver = Driver::Multifile;
    File f(path, "w", multifile);
    f.create_dataset("d", DatasetCreate::of<std::int32_t>({4})).write(std::vector<std::int32_t>{1, 2, 3, 4});
  }
  MergeOptions o;
  o.output = (dir / "a.h5").string();
  EXPECT_TRUE(merge(path, o).notes.empty());
  o.output = (dir / "b.h5").string();
  o.threads = std::thread::hardware_concurrency() + 1;
  const MergeReport report = merge(path, o);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("may run on"), std::string::npos) << report.notes[0];
  EXPECT_NE(report.notes[0].find("--bind-to none"), std::string::npos) << report.notes[0];
  fs::remove_all(dir);
}

}  // namespace
}  // namespace h5mf
