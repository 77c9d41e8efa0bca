// Bad input at the API level, from every rank of a job: each call fails with a clear error of the
// right category on every rank that made it, nothing hangs, and the data written before the error
// is intact after the merge.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using h5mf::Selection;
using u64 = std::uint64_t;

// Rank r's block of "d": 10 random values at [10r, 10r + 10).
std::vector<std::int32_t> block_of(int r) {
  std::mt19937 g(1234u + static_cast<unsigned>(r));
  std::vector<std::int32_t> v(10);
  for (auto& x : v) x = static_cast<std::int32_t>(g());
  return v;
}

std::vector<std::int32_t> all_blocks() {
  std::vector<std::int32_t> all;
  for (int r = 0; r < size(); ++r) {
    const auto b = block_of(r);
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

// The good data every test writes before it misbehaves.
h5mf::Dataset write_good(h5mf::File& f) {
  auto d = f.create_dataset<std::int32_t>("d", {10 * ranks()});
  d.write(block_of(rank()), Selection::hyperslab({10 * me()}, {10}));
  return d;
}

// Rank 0 merges the container and checks that "d" holds every rank's good block; every rank
// expects rank 0's verdict.
void expect_intact_after_merge(const fs::path& container, const std::vector<std::string>& groups = {}) {
  std::string failures;
  if (rank() == 0) {
    const std::string merged = (container.parent_path() / "merged.h5").string();
    failures = capture("merge", [&] { h5mf::merge(container.string(), merge_to(merged)); });
    if (failures.empty()) {
      failures += capture("reading the merged file", [&] {
        if (read_as<std::int32_t>(merged, "/d", H5T_NATIVE_INT32) != all_blocks()) {
          failures += "/d in the merged file is not the data written before the error\n";
        }
        const hid_t file = H5Fopen(merged.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        for (const auto& g : groups) {
          if (H5Lexists(file, g.c_str(), H5P_DEFAULT) <= 0) failures += "group " + g + " is missing\n";
        }
        H5Fclose(file);
      });
    }
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// Runs `step`, which must throw E with a message containing `needle`.
template <class E, class F>
void expect_error(F&& step, const std::string& needle, const char* what) {
  try {
    step();
    ADD_FAILURE() << what << ": no exception";
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << what << ": the message does not mention '" << needle << "': " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": threw another kind of error: " << e.what();
  }
}

TEST(BadInput, OutOfBoundsSelections) {
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  auto d = write_good(f);
  const u64 n = 10 * ranks();
  // Partly inside: nothing of it may land.
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(5, -1), Selection::hyperslab({n - 2}, {5})); }, "dimension 0",
      "hyperslab past the end");
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(3, -1), Selection::hyperslab({0}, {3}, {n})); }, "dimension 0",
      "strided hyperslab past the end");
  expect_error<h5mf::InvalidArgument>(
      [&] {
        d.write(std::vector<std::int32_t>(1, -1), Selection::hyperslab({0, 0}, {1, 1}));
      },
      "rank", "hyperslab of rank 2 on a 1-D dataset");
  expect_error<h5mf::InvalidArgument>(
      [&] {
        d.write(std::vector<std::int32_t>(2, -1), Selection::points({{0}, {n}}));
      },
      "point 1", "point past the end");
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(6, -1), Selection::hyperslab({0}, {2}, {2}, {3})); }, "overlap",
      "overlapping blocks");
  expect_error<h5mf::InvalidArgument>([&] { (void)d.read<std::int32_t>(Selection::hyperslab({n}, {1})); }, "/d",
                                      "read past the end names the dataset");
  f.close();
  expect_intact_after_merge(container);
}

TEST(BadInput, WrongBufferSize) {
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  auto d = write_good(f);
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(9, -1), Selection::hyperslab({10 * me()}, {10})); }, "holds 9 elements",
      "buffer too small");
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(11, -1), Selection::hyperslab({10 * me()}, {10})); }, "holds 11 elements",
      "buffer too large");
  expect_error<h5mf::InvalidArgument>([&] { d.write(std::vector<std::int32_t>(1, -1)); }, "holds 1 elements",
                                      "buffer too small for the whole dataset");
  std::vector<std::int32_t> out(3);
  expect_error<h5mf::InvalidArgument>([&] { d.read(std::span<std::int32_t>(out), Selection::hyperslab({0}, {4})); },
                                      "holds 3 elements", "read buffer too small");
  f.close();
  expect_intact_after_merge(container);
}

TEST(BadInput, WriteToReadOnlyFile) {
  const fs::path container = test_dir() / "c.h5";
  {
    h5mf::File f(container.string(), "w", parallel());
    write_good(f);
    f.close();
  }
  h5mf::File f(container.string(), "r", parallel());
  auto d = f.dataset("d");
  expect_error<h5mf::InvalidArgument>(
      [&] { d.write(std::vector<std::int32_t>(10, -1), Selection::hyperslab({10 * me()}, {10})); }, "read-only",
      "write in mode r");
  expect_error<h5mf::InvalidArgument>([&] { f.create_group("g"); }, "read-only", "create_group in mode r");
  expect_error<h5mf::InvalidArgument>([&] { f.create_dataset<double>("e", {3}); }, "read-only",
                                      "create_dataset in mode r");
  expect_error<h5mf::InvalidArgument>([&] { f.attrs().set("a", 1); }, "read-only", "attribute in mode r");
  // Reading is what 'r' is for: every rank sees every rank's data.
  EXPECT_EQ(d.read<std::int32_t>(), all_blocks());
  f.close();
  expect_intact_after_merge(container);
}

TEST(BadInput, CreateExistingObjects) {
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  f.create_group("g/h");
  expect_error<h5mf::AlreadyExists>([&] { f.create_dataset<std::int32_t>("d", {10}); }, "already exists",
                                    "dataset twice");
  expect_error<h5mf::AlreadyExists>([&] { f.create_group("d"); }, "already exists", "group over a dataset");
  expect_error<h5mf::AlreadyExists>([&] { f.create_group("g/h"); }, "already exists", "group twice");
  expect_error<h5mf::AlreadyExists>([&] { f.create_dataset<float>("g", {2}); }, "already exists",
                                    "dataset over a group");
  // The failed calls changed nothing, so the ranks still agree and close cleanly.
  EXPECT_NO_THROW(f.close());
  expect_intact_after_merge(container, {"/g", "/g/h"});
}

TEST(BadInput, OpenMissingContainer) {
  const fs::path dir = test_dir();
  const fs::path missing = dir / "missing.h5";
  expect_error<h5mf::NotFound>([&] { h5mf::File f(missing.string(), "r", parallel()); }, missing.string(), "mode r");
  expect_error<h5mf::NotFound>([&] { h5mf::File f(missing.string(), "r+", parallel()); }, missing.string(), "mode r+");
  barrier();
  EXPECT_FALSE(fs::exists(missing)) << "opening a missing container created something";
}

// Every rank leaves the file without close() (as when unwinding from an exception): each gives the
// file up (File::abandon), nothing hangs, and what was written is still there for the merge (with
// aggregation too: giving up ships a member's writes to its aggregator, as close() would).
TEST(BadInput, FileDestroyedWithoutClose) {
  const fs::path container = test_dir() / "c.h5";
  {
    h5mf::File f(container.string(), "w", parallel());
    write_good(f);
    f.create_group("g");
  }
  barrier();
  expect_intact_after_merge(container, {"/g"});
}

// ---------------------------------------------------------------------------------------------
// Mismatched collective calls: every rank gets CollectiveMismatch (a hang fails at ctest's limit).

// Runs `call` (close or flush) on every rank and expects CollectiveMismatch on every rank.
template <class F>
void expect_mismatch(F&& call, const char* what) {
  std::string local;
  try {
    call();
    local = std::string(what) + " did not report the mismatch";
  } catch (const h5mf::CollectiveMismatch& e) {
    if (std::string(e.what()).find("collective") == std::string::npos)
      local = std::string("unclear message: ") + e.what();
  } catch (const std::exception& e) {
    local = std::string(what) + " threw another kind of error: " + e.what();
  }
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << "every rank must get CollectiveMismatch from " << what << ":\n"
                           << (rank() == 0 ? all : "(rank 0 prints the failures)");
}

#define NEEDS_TWO_RANKS() \
  if (size() < 2) GTEST_SKIP() << "a mismatch needs two ranks"

TEST(CollectiveMismatch, GroupNamesAtClose) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  f.flush();
  f.create_group(rank() == 1 ? "y" : "x");  // seed 000's "wrong" way
  expect_mismatch([&] { f.close(); }, "close()");
  EXPECT_FALSE(f.is_open());
  expect_intact_after_merge(container);
}

TEST(CollectiveMismatch, DatasetShapesAtFlush) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  f.create_dataset<double>("z", {rank() == 1 ? u64{5} : u64{4}});
  expect_mismatch([&] { f.flush(); }, "flush()");
  // Still mismatched: close reports it again rather than hanging or succeeding.
  expect_mismatch([&] { f.close(); }, "close() after a failed flush()");
  expect_intact_after_merge(container);
}

// After a shape mismatch each rank has written within its own idea of the dataset. The container
// keeps the structure up to the last call all ranks agreed on (issue 8): "z" (the first call that
// differs) and everything created after it are gone, and the records aimed at them are dropped and
// reported instead of landing anywhere. What was written before is intact.
TEST(CollectiveMismatch, WritesBeyondTheRecordedShape) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  auto z = f.create_dataset<double>("z", {rank() == 1 ? u64{100000} : u64{4}});
  auto after = f.create_dataset<std::int32_t>("after", {8});
  auto m = f.create_dataset<std::int32_t>("m", {4, rank() == 1 ? u64{10} : u64{5}});
  if (rank() == 1) {
    z.write(std::vector<double>(1000, 1e300), Selection::hyperslab({99000}, {1000}));
    m.write(std::vector<std::int32_t>(20, -1), Selection::hyperslab({0, 5}, {4, 5}));
  } else {
    z.write(std::vector<double>{1, 2, 3, 4}, Selection::all());
    if (rank() == 0) m.write(std::vector<std::int32_t>(20, 7), Selection::all());
  }
  if (rank() == 0) after.write(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 7, 8}, Selection::all());
  expect_mismatch([&] { f.close(); }, "close()");
  expect_intact_after_merge(container);
  std::string failures;
  if (rank() == 0) {
    const std::string merged = (container.parent_path() / "merged.h5").string();
    failures = capture("reading the merged file", [&] {
      const hid_t file = H5Fopen(merged.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
      for (const char* name : {"/z", "/after", "/m"}) {
        if (H5Lexists(file, name, H5P_DEFAULT) > 0) failures += std::string(name) + " exists, but ranks disagreed\n";
      }
      H5Fclose(file);
    });
    std::string output;
    if (run(std::string(h5dump()) + " " + quoted(merged) + " > /dev/null", &output) != 0)
      failures += "h5dump fails on the merged file:\n" + output;
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

TEST(CollectiveMismatch, DatasetTypesAtClose) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  if (rank() == 1) {
    f.create_dataset<float>("z", {4});
  } else {
    f.create_dataset<std::int32_t>("z", {4});
  }
  expect_mismatch([&] { f.close(); }, "close()");
  expect_intact_after_merge(container);
}

TEST(CollectiveMismatch, OrderAtClose) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  for (const char* name : rank() == 1 ? std::vector<const char*>{"q", "p"} : std::vector<const char*>{"p", "q"}) {
    f.create_group(name);
  }
  expect_mismatch([&] { f.close(); }, "close()");
  expect_intact_after_merge(container);
}

TEST(CollectiveMismatch, ExtraCallOnOneRank) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  if (rank() == 1) f.attrs().set("only_on_rank_1", 1);
  expect_mismatch([&] { f.close(); }, "close()");
  expect_intact_after_merge(container);
}

TEST(CollectiveMismatch, AttributeValuesAtClose) {
  NEEDS_TWO_RANKS();
  const fs::path container = test_dir() / "c.h5";
  h5mf::File f(container.string(), "w", parallel());
  write_good(f);
  f.attrs().set("step", rank());
  expect_mismatch([&] { f.close(); }, "close()");
  expect_intact_after_merge(container);
}

}  // namespace
}  // namespace h5mf_test
