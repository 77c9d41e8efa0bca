// A growing time series over two jobs (issue 9): a dataset of unlimited maxshape grows by one slab
// per rank at every step (a collective resize, then each rank writes its part). The first job does
// steps 0..99 and closes; a second job (a new mpiexec: ctest runs `First` as the fixture of
// `Second`) reopens the container with mode "a" and does steps 100..199, then checks every element
// by direct read, merge, libhdf5, h5dump and h5py. A 1-D series (time) and a 2-D one (time x space).
//
// The container lives in H5MF_TEST_SESSION_DIR (set by ctest), outside the per-job scratch
// directory that each job clears.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using h5mf::Selection;
using u64 = std::uint64_t;

constexpr u64 kSteps = 200;
constexpr u64 kFirstJobSteps = 100;
constexpr u64 kSlab = 5;   // 1-D: elements each rank appends per step
constexpr u64 kWidth = 8;  // 2-D: columns each rank owns
constexpr auto kUnlimited = h5mf::DatasetCreate::kUnlimited;

fs::path session_dir() {
  const char* dir = std::getenv("H5MF_TEST_SESSION_DIR");
  if (dir == nullptr || *dir == '\0') return scratch_root() / "sessions";
  return dir;
}
fs::path container() { return session_dir() / "series.h5"; }

// Every element's value says where and when it was written, so a misplaced slab cannot pass.
std::int64_t value_1d(u64 step, u64 r, u64 i) { return static_cast<std::int64_t>(step * 1'000'000 + r * 1'000 + i); }
double value_2d(u64 step, u64 column) { return static_cast<double>(step) + static_cast<double>(column) / 1024.0; }

std::vector<std::int64_t> expected_1d(u64 steps) {
  std::vector<std::int64_t> out;
  for (u64 s = 0; s < steps; ++s)
    for (u64 r = 0; r < ranks(); ++r)
      for (u64 i = 0; i < kSlab; ++i) out.push_back(value_1d(s, r, i));
  return out;
}
std::vector<double> expected_2d(u64 steps) {
  std::vector<double> out;
  for (u64 s = 0; s < steps; ++s)
    for (u64 c = 0; c < ranks() * kWidth; ++c) out.push_back(value_2d(s, c));
  return out;
}

// One step of both series: grow (collective), then write this rank's part.
void append_step(h5mf::Dataset& series, h5mf::Dataset& field, u64 step) {
  const u64 row = ranks() * kSlab;
  series.resize({(step + 1) * row});
  std::vector<std::int64_t> slab(kSlab);
  for (u64 i = 0; i < kSlab; ++i) slab[i] = value_1d(step, me(), i);
  series.write(slab, Selection::hyperslab({step * row + me() * kSlab}, {kSlab}));

  field.resize({step + 1, ranks() * kWidth});
  std::vector<double> part(kWidth);
  for (u64 c = 0; c < kWidth; ++c) part[c] = value_2d(step, me() * kWidth + c);
  field.write(part, Selection::hyperslab({step, me() * kWidth}, {1, kWidth}));
}

// The reference file, written by libhdf5 alone (rank 0), for h5diff-style and h5py comparison.
void write_reference(const std::string& path) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const auto put = [&](const char* name, hid_t type, const std::vector<hsize_t>& dims, const void* data) {
    std::vector<hsize_t> max(dims.size(), H5S_UNLIMITED);
    max.back() = dims.size() == 2 ? dims.back() : H5S_UNLIMITED;
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data());
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    std::vector<hsize_t> chunk(dims.size(), 64);
    if (dims.size() == 2) chunk.back() = dims.back();
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    const hid_t dset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(dset);
    H5Pclose(dcpl);
    H5Sclose(space);
  };
  const auto series = expected_1d(kSteps);
  const auto field = expected_2d(kSteps);
  put("series", H5T_NATIVE_INT64, {series.size()}, series.data());
  put("field", H5T_NATIVE_DOUBLE, {kSteps, ranks() * kWidth}, field.data());
  H5Fclose(file);
}

TEST(TimeSeries, FirstJob) {
  if (rank() == 0) {
    fs::remove_all(session_dir());
    fs::create_directories(session_dir());
  }
  barrier();
  h5mf::File f(container().string(), "w", parallel());
  auto series = f.create_dataset("series", h5mf::DatasetCreate::of<std::int64_t>({0}).max_shape({kUnlimited}));
  auto field = f.create_dataset(
      "field", h5mf::DatasetCreate::of<double>({0, ranks() * kWidth}).max_shape({kUnlimited, ranks() * kWidth}));
  for (u64 step = 0; step < kFirstJobSteps; ++step) append_step(series, field, step);
  // In the session, after a flush: every rank sees every rank's steps so far.
  f.flush();
  EXPECT_EQ(series.read<std::int64_t>(), expected_1d(kFirstJobSteps));
  EXPECT_EQ(field.read<double>(), expected_2d(kFirstJobSteps));
  f.close();
}

TEST(TimeSeries, SecondJob) {
  ASSERT_TRUE(fs::is_directory(container())) << container() << ": run the FirstJob test first";
  {
    h5mf::File f(container().string(), "a", parallel());
    auto series = f.dataset("series");
    auto field = f.dataset("field");
    // The first job's state is what this job starts from.
    ASSERT_EQ(series.shape(), (h5mf::Extent{kFirstJobSteps * ranks() * kSlab}));
    ASSERT_EQ(field.shape(), (h5mf::Extent{kFirstJobSteps, ranks() * kWidth}));
    EXPECT_EQ(series.maxshape(), (h5mf::Extent{kUnlimited}));
    EXPECT_EQ(series.read<std::int64_t>(), expected_1d(kFirstJobSteps));
    for (u64 step = kFirstJobSteps; step < kSteps; ++step) append_step(series, field, step);
    f.close();
  }
  // Direct reads of the container by every rank, in a third session.
  {
    h5mf::File f(container().string(), "r", parallel());
    EXPECT_EQ(f.dataset("series").shape(), (h5mf::Extent{kSteps * ranks() * kSlab}));
    EXPECT_EQ(f.dataset("series").read<std::int64_t>(), expected_1d(kSteps));
    EXPECT_EQ(f.dataset("field").read<double>(), expected_2d(kSteps));
    // A slab from each session, read alone.
    const u64 row = ranks() * kSlab;
    EXPECT_EQ(f.dataset("series").read<std::int64_t>(Selection::hyperslab({99 * row + me() * kSlab}, {kSlab})),
              (std::vector<std::int64_t>{value_1d(99, me(), 0), value_1d(99, me(), 1), value_1d(99, me(), 2),
                                         value_1d(99, me(), 3), value_1d(99, me(), 4)}));
    EXPECT_EQ(f.dataset("field").read<double>(Selection::hyperslab({150, me() * kWidth}, {1, 1})),
              std::vector<double>{value_2d(150, me() * kWidth)});
    f.close();
  }
  barrier();
  const fs::path merged = session_dir() / "merged.h5";
  const fs::path reference = session_dir() / "reference.h5";
  std::string verdict;
  if (rank() == 0) {
    verdict = capture("merge and compare", [&] {
      const auto report = h5mf::merge(container().string(), merge_to(merged.string()));
      ASSERT_EQ(report.records_dropped, 0u);
      ASSERT_EQ(report.records, 2 * kSteps * ranks());
      EXPECT_EQ(read_as<std::int64_t>(merged.string(), "/series", H5T_NATIVE_INT64), expected_1d(kSteps));
      EXPECT_EQ(read_as<double>(merged.string(), "/field", H5T_NATIVE_DOUBLE), expected_2d(kSteps));
      write_reference(reference.string());
      EXPECT_EQ(compare_hdf5(merged.string(), reference.string()), "");
      std::string out;
      EXPECT_EQ(run(std::string(h5diff()) + " " + quoted(merged.string()) + " " + quoted(reference.string()), &out), 0)
          << out;
      EXPECT_EQ(run(std::string(python()) + " " + quoted(h5py_compare_script()) + " " + quoted(merged.string()) + " " +
                        quoted(reference.string()),
                    &out),
                0)
          << out;
      // h5dump: the data sections of the merged file and the reference are the same text.
      const auto data_of = [](const fs::path& file, const char* dset) {
        std::string text;
        run(std::string(h5dump()) + " -d " + dset + " -y -w 0 " + quoted(file.string()), &text);
        const auto at = text.find("DATA {");
        return at == std::string::npos ? std::string("no DATA in: ") + text : text.substr(at);
      };
      for (const char* dset : {"/series", "/field"}) {
        const std::string got = data_of(merged, dset);
        EXPECT_EQ(got.rfind("DATA {", 0), 0u) << got;
        EXPECT_EQ(got, data_of(reference, dset)) << dset;
        if (std::string(dset) == "/series") {
          EXPECT_NE(got.find(std::to_string(value_1d(kSteps - 1, ranks() - 1, kSlab - 1))), std::string::npos);
        }
      }
    });
  }
  verdict = shared(verdict);
  EXPECT_EQ(verdict, "");
  barrier();
  if (rank() == 0 && !::testing::Test::HasFailure() && std::getenv("H5MF_TEST_KEEP") == nullptr) {
    fs::remove_all(session_dir());
  }
}

}  // namespace
}  // namespace h5mf_test
