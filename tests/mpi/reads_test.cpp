// Reading a container during the job, before any merge: a rank reads its own writes at once,
// every rank's writes after a collective flush (MPI-IO's sync-barrier-sync), and with atomic mode
// every write as soon as the writing call returned (seed 001's atomicity demo prints 42).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <filesystem>
#include <random>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using h5mf::Selection;
using u64 = std::uint64_t;

std::vector<std::int32_t> block_of(int r, u64 n, unsigned step = 0) {
  std::mt19937 g(777u + 31u * static_cast<unsigned>(r) + step);
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = static_cast<std::int32_t>(g());
  return v;
}

TEST(Reads, AtomicModeSeed001) {
  h5mf::File f((test_dir() / "atomicdemo.h5").string(), "w", parallel());
  if (const char* aggregate = std::getenv("H5MF_AGGREGATE"); aggregate != nullptr && std::string(aggregate) != "off") {
    // Aggregated ranks' writes reach the files at flush or close: atomic mode is refused, on every
    // rank alike.
    EXPECT_THROW(f.set_atomic(true), h5mf::Unsupported);
    f.close();
    return;
  }
  f.set_atomic(true);
  auto dset = f.create_dataset<std::int32_t>("x", {1});
  // The reader has looked before the write: what it saw then must not stick.
  if (rank() == size() - 1) {
    EXPECT_EQ(dset.read<std::int32_t>(), std::vector<std::int32_t>{0});
  }
  barrier();
  if (rank() == 0) dset.write(std::vector<std::int32_t>{42}, Selection::hyperslab({0}, {1}));
  barrier();
  if (rank() == size() - 1) {
    EXPECT_EQ(dset.read<std::int32_t>(), std::vector<std::int32_t>{42});
  }
  barrier();
  if (rank() == 0) dset.write(std::vector<std::int32_t>{43}, Selection::hyperslab({0}, {1}));
  barrier();
  if (rank() == size() - 1) {
    EXPECT_EQ(dset.read<std::int32_t>(), std::vector<std::int32_t>{43});
  }
  f.close();
}

TEST(Reads, OwnWritesAtOnce) {
  h5mf::FileOptions o = parallel();
  o.buffer_bytes = 1024;  // the large write below bypasses the buffer, the small ones stay in it
  h5mf::File f((test_dir() / "c.h5").string(), "w", o);
  auto d = f.create_dataset<std::int32_t>("d", {1000 * ranks()});
  const auto large = block_of(rank(), 1000), small = block_of(rank(), 3, 1);
  d.write(large, Selection::hyperslab({1000 * me()}, {1000}));
  d.write(small, Selection::hyperslab({1000 * me() + 10}, {3}));
  auto expected = large;
  std::copy(small.begin(), small.end(), expected.begin() + 10);
  EXPECT_EQ(d.read<std::int32_t>(Selection::hyperslab({1000 * me()}, {1000})), expected);
  f.close();
}

TEST(Reads, EveryRanksWritesAfterFlush) {
  h5mf::File f((test_dir() / "c.h5").string(), "w", parallel());
  auto d = f.create_dataset("d", h5mf::DatasetCreate::of<std::int32_t>({ranks(), 50}).fill_value(std::int32_t{-9}));
  // Read before anyone wrote: the fill value everywhere (and an index built that must be refreshed).
  EXPECT_EQ(d.read<std::int32_t>(), std::vector<std::int32_t>(ranks() * 50, -9));
  barrier();  // nobody writes before every rank has looked
  // Each rank writes the first 40 columns of its row; the last 10 stay unwritten.
  d.write(block_of(rank(), 40), Selection::hyperslab({me(), 0}, {1, 40}));
  f.flush();
  std::vector<std::int32_t> expected;
  for (int r = 0; r < size(); ++r) {
    const auto row = block_of(r, 40);
    expected.insert(expected.end(), row.begin(), row.end());
    expected.insert(expected.end(), 10, -9);
  }
  EXPECT_EQ(d.read<std::int32_t>(), expected);
  // A strided selection across every rank's row, converted to double on the way.
  std::vector<double> column;
  for (int r = 0; r < size(); ++r) {
    for (u64 c = 5; c < 50; c += 20) column.push_back(expected[static_cast<std::size_t>(r) * 50 + c]);
  }
  EXPECT_EQ(d.read<double>(Selection::hyperslab({0, 5}, {ranks(), 3}, {1, 20})), column);
  // Points, in list order.
  const auto points = Selection::points({{ranks() - 1, 49}, {0, 0}, {ranks() - 1, 1}});
  EXPECT_EQ(d.read<std::int32_t>(points),
            (std::vector<std::int32_t>{-9, expected[0], expected[(ranks() - 1) * 50 + 1]}));
  f.close();
}

// Within one epoch a read refreshes only the reader's own index file (the others cannot have
// anything new for it before the next collective call); across a flush it reads every writer's.
TEST(Reads, ManyReadsOfOneEpochThenAFlush) {
  h5mf::File f((test_dir() / "c.h5").string(), "w", parallel());
  auto d = f.create_dataset("d", h5mf::DatasetCreate::of<std::int32_t>({ranks(), 20}).fill_value(std::int32_t{-1}));
  const u64 next = (me() + 1) % ranks();
  for (u64 c = 0; c < 10; ++c) {
    d.write(std::vector<std::int32_t>{static_cast<std::int32_t>(100 * me() + c)},
            Selection::hyperslab({me(), c}, {1, 1}));
    // Own writes at once, each read after a write of the same epoch.
    EXPECT_EQ(d.read<std::int32_t>(Selection::hyperslab({me(), 0}, {1, c + 1})).back(),
              static_cast<std::int32_t>(100 * me() + c));
  }
  f.flush();
  // The neighbour's ten writes, seen after the flush, then its next ones after the next flush.
  // Whether its next ones show before that flush is undefined under MPI-IO's rules, and they may:
  // an aggregator takes in what its members ship at whichever of its calls they arrive.
  std::vector<std::int32_t> row(20, -1);
  for (u64 c = 0; c < 10; ++c) row[c] = static_cast<std::int32_t>(100 * next + c);
  const auto seen = d.read<std::int32_t>(Selection::hyperslab({next, 0}, {1, 20}));
  EXPECT_EQ(std::vector<std::int32_t>(seen.begin(), seen.begin() + 10),
            std::vector<std::int32_t>(row.begin(), row.begin() + 10));
  for (u64 c = 10; c < 20; ++c) {
    EXPECT_TRUE(seen[c] == -1 || seen[c] == static_cast<std::int32_t>(next)) << "column " << c << ": " << seen[c];
  }
  d.write(std::vector<std::int32_t>(10, static_cast<std::int32_t>(me())), Selection::hyperslab({me(), 10}, {1, 10}));
  f.flush();
  for (u64 c = 10; c < 20; ++c) row[c] = static_cast<std::int32_t>(next);
  EXPECT_EQ(d.read<std::int32_t>(Selection::hyperslab({next, 0}, {1, 20})), row);
  f.close();
}

TEST(Reads, ReopenedReadOnly) {
  const fs::path path = test_dir() / "c.h5";
  {
    h5mf::File f(path.string(), "w", parallel());
    auto d = f.create_dataset<float>("g/h/d", {ranks(), 4});
    std::vector<float> row{0.5f * static_cast<float>(rank()), 1.f, 2.f, 3.f};
    d.write(row, Selection::hyperslab({me(), 0}, {1, 4}));
    f.attrs().set("title", "readers");
    f.group("g").attrs().set("coeffs", std::vector<double>{1.5, -2.5});
    d.attrs().set("n", std::int64_t{7});
    f.close();
  }
  h5mf::File f(path.string(), "r", parallel());
  EXPECT_EQ(f.keys(), std::vector<std::string>{"g"});
  EXPECT_EQ(f.group("g").keys(), std::vector<std::string>{"h"});
  EXPECT_EQ(f.attrs().get<std::string>("title"), "readers");
  EXPECT_EQ(f.group("g").attrs().get<std::vector<double>>("coeffs"), (std::vector<double>{1.5, -2.5}));
  auto d = f.dataset("/g/h/d");
  EXPECT_EQ(d.attrs().get<std::int64_t>("n"), 7);
  EXPECT_EQ(d.shape(), (h5mf::Extent{ranks(), 4}));
  const auto all = d.read<float>();
  for (u64 r = 0; r < ranks(); ++r) {
    EXPECT_EQ(all[r * 4], 0.5f * static_cast<float>(r));
    EXPECT_EQ(all[r * 4 + 3], 3.f);
  }
  f.close();
}

}  // namespace
}  // namespace h5mf_test
