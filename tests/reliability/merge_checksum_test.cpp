// The merge checks every record's data against its checksum, most of them while copying them
// (merge/passing_checks.hpp) and the rest in a pass of their own. Whichever way a damaged record
// is found, it is dropped and the output holds what the container holds without it: the earlier
// write it had overwritten, or the fill value.
#include <gtest/gtest.h>

#include <numeric>

#include "container/index.hpp"
#include "container/metafile.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

constexpr std::uint64_t kElements = 262144;  // int64: 2 MiB
constexpr std::int64_t kFill = -1;

// Three writes of one writer, each large enough to bypass the write buffer:
// A = [0, 131072) -> i; B = [65536, 196608) -> 1'000'000 + i (overwrites half of A);
// C = [200000, 262144) -> 2'000'000 + i (alone; the rest is fill).
struct Write {
  std::uint64_t first, count;
  std::int64_t base;
};
const std::vector<Write> kWrites{{0, 131072, 0}, {65536, 131072, 1'000'000}, {200000, 62144, 2'000'000}};

void write_container(const std::string& path) {
  FileOptions o;
  o.driver = Driver::Multifile;
  File f(path, "w", o);
  auto d = f.create_dataset("d", DatasetCreate::of<std::int64_t>({kElements}).fill_value(kFill));
  for (const auto& w : kWrites) {
    std::vector<std::int64_t> v(w.count);
    std::iota(v.begin(), v.end(), w.base + static_cast<std::int64_t>(w.first));
    d.write(v, Selection::hyperslab({w.first}, {w.count}));
  }
  f.close();
}

// What the dataset holds when the writes `kept` are replayed.
std::vector<std::int64_t> expected(const std::vector<bool>& kept) {
  std::vector<std::int64_t> out(kElements, kFill);
  for (std::size_t k = 0; k < kWrites.size(); ++k) {
    if (!kept[k]) continue;
    for (std::uint64_t i = kWrites[k].first; i < kWrites[k].first + kWrites[k].count; ++i) {
      out[i] = kWrites[k].base + static_cast<std::int64_t>(i);
    }
  }
  return out;
}

// Where write k's data lie in the data file of writer 0.
std::uint64_t data_offset(const std::string& path, std::size_t k) {
  const container::Layout layout(path);
  container::ContainerIndex index(layout, container::load_metafile(layout).header.container);
  index.refresh(1, true);
  const auto& writes = index.writes(index.datasets_written().at(0)).in_replay_order();
  EXPECT_EQ(writes.size(), kWrites.size());
  return writes.at(k).record.data_offset;
}

struct Case {
  std::vector<std::size_t> damaged;  // writes whose data get a flipped byte
  unsigned threads;
  std::size_t memory_budget;  // small: windows smaller than a record, which the copy never sees whole
  std::uint64_t checked_in_copy;
};

void run(const Case& c) {
  Scratch scratch("merge-checksum");
  const std::string container = scratch / "c.h5";
  write_container(container);
  std::vector<bool> kept(kWrites.size(), true);
  for (const auto k : c.damaged) {
    const std::string data = container + "/0";
    auto bytes = read_bytes(data);
    bytes.at(data_offset(container, k) + 4097) ^= std::byte{0x5a};
    write_bytes(data, bytes);
    kept[k] = false;
  }
  MergeOptions m;
  m.output = scratch / "out.h5";
  m.threads = c.threads;
  m.memory_budget = c.memory_budget;
  m.sync = false;
  const MergeReport report = merge(container, m);
  EXPECT_EQ(report.records_dropped, c.damaged.size());
  EXPECT_EQ(report.records, kWrites.size() - c.damaged.size());
  EXPECT_EQ(report.records_checked_in_copy, c.checked_in_copy);
  std::size_t checksum_lines = 0;
  for (const auto& line : report.damage) checksum_lines += line.find("fails its checksum") != std::string::npos;
  EXPECT_EQ(checksum_lines, c.damaged.size());

  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File out(m.output, "r", sec2);
  const auto got = out.dataset("d").read<std::int64_t>();
  const auto want = expected(kept);
  ASSERT_EQ(got.size(), want.size());
  std::size_t wrong = 0, first_wrong = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i] && wrong++ == 0) first_wrong = i;
  }
  EXPECT_EQ(wrong, 0u) << "first at element " << first_wrong << ": " << got[first_wrong] << " instead of "
                       << want[first_wrong];

  // Direct reads check records on first use, a record read whole on the bytes it reads (and, when
  // it fails, read again without it): the same content, whole or in a slice across the damage.
  FileOptions multifile;
  multifile.driver = Driver::Multifile;
  File direct(container, "r", multifile);
  EXPECT_EQ(direct.dataset("d").read<std::int64_t>(Selection::hyperslab({60000}, {150000})),
            std::vector<std::int64_t>(want.begin() + 60000, want.begin() + 210000));
  EXPECT_EQ(direct.dataset("d").read<std::int64_t>(), want);
}

constexpr std::size_t kDefaultBudget = std::size_t{256} << 20;
constexpr std::size_t kSmallBudget = std::size_t{768} << 10;  // 256 KiB windows

// With windows larger than the records, B and C pass whole through the copy and are checked there;
// half of A is overwritten by B, so A is checked apart. With small windows nothing passes whole.
TEST(MergeChecksums, IntactContainerIsCopiedWhole) { run({{}, 2, kDefaultBudget, 2}); }
TEST(MergeChecksums, AnOverwritingRecordFoundWhileCopyingGivesBackTheOlderWrite) { run({{1}, 1, kDefaultBudget, 2}); }
TEST(MergeChecksums, ARecordAloneFoundWhileCopyingGivesBackTheFill) { run({{2}, 3, kDefaultBudget, 2}); }
TEST(MergeChecksums, AllDamagedRecordsFound) { run({{0, 1, 2}, 2, kDefaultBudget, 2}); }
TEST(MergeChecksums, RecordsSplitOverWindowsAreCheckedApart) { run({{1, 2}, 2, kSmallBudget, 0}); }
TEST(MergeChecksums, TheFirstRecordSplitOverWindows) { run({{0}, 1, kSmallBudget, 0}); }

// The checks are not vacuous: without verification the flipped bytes reach the output.
TEST(MergeChecksums, WithoutVerificationTheDamageShows) {
  Scratch scratch("merge-checksum");
  const std::string container = scratch / "c.h5";
  write_container(container);
  const std::string data = container + "/0";
  auto bytes = read_bytes(data);
  bytes.at(data_offset(container, 2) + 4097) ^= std::byte{0x5a};
  write_bytes(data, bytes);
  MergeOptions m;
  m.output = scratch / "out.h5";
  m.verify_data = false;
  m.sync = false;
  EXPECT_EQ(merge(container, m).records_dropped, 0u);
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  EXPECT_NE(File(m.output, "r", sec2).dataset("d").read<std::int64_t>(), expected({true, true, true}));
}

}  // namespace
}  // namespace h5mf::reliability
