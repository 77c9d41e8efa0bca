// What a killed writer can leave behind, built deterministically (a child process that dies by
// SIGKILL at a chosen point), and what readers, `merge`, `verify` and a reopened container must
// make of it. Each case is a state the random crash test can reach only by luck.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The end of a writer: SIGKILL, with its File still open (its destructor would write buffers out).
[[noreturn]] void die() {
  ::kill(::getpid(), SIGKILL);
  std::abort();
}

// Runs `work` in a child, which must end by die().
void die_after(const std::function<void()>& work) {
  const ChildResult r = run_in_child(
      [&](std::string&) {
        work();
        return 0;
      },
      30s);
  ASSERT_EQ(r.signal, SIGKILL) << r.describe();
}

FileOptions small_buffer() {
  FileOptions o = multifile();
  o.buffer_bytes = 1024;  // index records go out every ten or so writes, between flushes
  return o;
}

std::vector<std::uint64_t> merged_read(const std::string& container, const std::string& merged,
                                       const std::string& dataset) {
  MergeOptions m;
  m.output = merged;
  m.threads = 1;
  merge(container, m);
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  return File(merged, "r", sec2).dataset(dataset).read<std::uint64_t>();
}

std::vector<std::string> damage_reasons(const VerifyReport& r) {
  std::vector<std::string> out;
  for (const auto& d : r.metafile_damage) out.push_back(d.reason);
  for (const auto& w : r.data_files) {
    for (const auto& d : w.damage) out.push_back(d.reason);
  }
  return out;
}

bool any_reason_contains(const VerifyReport& r, const std::string& text) {
  for (const auto& reason : damage_reasons(r)) {
    if (reason.find(text) != std::string::npos) return true;
  }
  return false;
}

// A dataset whose creation never reached the metafile (the coordinator was killed before its next
// flush) while some of its records did. The records must be dropped and reported, and a dataset
// created later, which takes the same object id, must not inherit them.
TEST(Recovery, RecordsOfALostDatasetAreNotAdoptedByTheNextDataset) {
  Scratch scratch("lost-dataset");
  const std::string c = scratch / "c.h5";
  die_after([&] {
    File f(c, "w", small_buffer());
    f.create_dataset("kept", DatasetCreate::of<std::uint64_t>({4}).fill_value(kFill));
    f.dataset("kept").write(std::vector<std::uint64_t>{1, 2, 3, 4});
    f.flush();
    Dataset lost = f.create_dataset("lost", DatasetCreate::of<std::uint64_t>({40}));  // id 2, never written out
    for (std::uint64_t i = 0; i < 40; i += 2)
      lost.write(std::vector<std::uint64_t>{111, 111}, Selection::hyperslab({i}, {2}));
    die();
  });
  const VerifyReport before = verify(c);
  EXPECT_EQ(before.exit_code(), 2);
  EXPECT_TRUE(any_reason_contains(before, "which the metafile does not define")) << before.exit_code();

  {
    File f(c, "a", multifile());
    f.create_dataset("fresh", DatasetCreate::of<std::uint64_t>({40}).fill_value(kFill));  // takes id 2
    f.close();
  }
  const std::vector<std::uint64_t> fill(40, kFill);
  EXPECT_EQ(File(c, "r").dataset("fresh").read<std::uint64_t>(), fill)
      << "direct reads of /fresh show the records of the lost dataset /lost";
  EXPECT_EQ(merged_read(c, scratch / "m.h5", "fresh"), fill) << "the merged /fresh holds the records of /lost";
  EXPECT_EQ(File(c, "r").dataset("kept").read<std::uint64_t>(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  const VerifyReport after = verify(c);
  EXPECT_TRUE(any_reason_contains(after, "a record of a dataset whose creation was lost"))
      << "verify must still report the orphaned records";
}

// The same, when the next dataset has another rank: the orphaned records' selections do not even
// fit its shape. Reading and merging the new dataset must work (and nothing may crash).
TEST(Recovery, RecordsOfALostDatasetOfAnotherRankDoNotBreakReads) {
  Scratch scratch("lost-rank");
  const std::string c = scratch / "c.h5";
  die_after([&] {
    File f(c, "w", small_buffer());
    f.flush();
    Dataset lost = f.create_dataset("lost", DatasetCreate::of<std::uint64_t>({400}));
    for (std::uint64_t i = 0; i < 400; i += 20) {
      lost.write(std::vector<std::uint64_t>(20, 111), Selection::hyperslab({i}, {20}));
    }
    die();
  });
  {
    File f(c, "a", multifile());
    f.create_dataset("fresh", DatasetCreate::of<std::uint64_t>({4, 4}).fill_value(kFill));  // id 1, rank 2
    f.close();
  }
  const ChildResult r = run_in_child(
      [&](std::string& report) {
        const auto data = File(c, "r").dataset("fresh").read<std::uint64_t>();
        for (auto v : data) {
          if (v != kFill) report = "read a value that is not the fill value";
        }
        MergeOptions m;
        m.output = scratch / "m.h5";
        m.threads = 1;
        merge(c, m);
        return report.empty() ? 0 : 1;
      },
      60s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(verify(c).exit_code(), 2);
}

// A resize that never reached the metafile, and records written into the grown part that did: the
// records reach outside the dataset's shape as the container knows it. Readers must drop them (as
// verify reports), not place their elements elsewhere in the dataset (a record is all or nothing).
TEST(Recovery, RecordsOutsideTheKnownShapeAreNotPlacedElsewhere) {
  Scratch scratch("lost-resize");
  const std::string c = scratch / "c.h5";
  die_after([&] {
    File f(c, "w", small_buffer());
    Dataset grid = f.create_dataset("grid", DatasetCreate::of<std::uint64_t>({4, 4})
                                                .max_shape({4, DatasetCreate::kUnlimited})
                                                .chunk_shape({4, 4})
                                                .fill_value(kFill));
    grid.write(std::vector<std::uint64_t>(16, 1));
    f.flush();
    grid.resize({4, 8});  // held in the coordinator's buffer: lost with it
    for (int round = 0; round < 4; ++round) {
      for (std::uint64_t row = 0; row < 4; ++row) {
        // Columns 2..5: inside the old shape and outside it at once.
        grid.write(std::vector<std::uint64_t>(4, 2), Selection::hyperslab({row, 2}, {1, 4}));
      }
    }
    die();
  });
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_TRUE(any_reason_contains(report, "outside dataset '/grid'"));
  const std::vector<std::uint64_t> ones(16, 1);
  EXPECT_EQ(File(c, "r").dataset("grid").read<std::uint64_t>(), ones)
      << "direct reads place the records' columns 4..5 into the next row's columns 0..1";
  EXPECT_EQ(merged_read(c, scratch / "m.h5", "grid"), ones) << "the merge places them there too";
}

// A writer killed between creating its index file and writing its header leaves an empty file.
// That writer wrote nothing: the container must still open, merge and reopen.
TEST(Recovery, EmptyIndexFileOfAWriterKilledAtOpen) {
  Scratch scratch("empty-index");
  const std::string c = scratch / "c.h5";
  {
    FileOptions o = multifile();
    o.writers = 2;
    File f(c, "w", o);
    f.create_dataset("d", DatasetCreate::of<std::uint64_t>({4}).fill_value(kFill));
    f.dataset("d").write(std::vector<std::uint64_t>{1, 2, 3, 4});
    f.close();
  }
  write_bytes(c + "/1.offset", {});
  const VerifyReport report = verify(c);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_TRUE(any_reason_contains(report, "empty index file"));
  const std::vector<std::uint64_t> expected{1, 2, 3, 4};
  try {
    EXPECT_EQ(File(c, "r").dataset("d").read<std::uint64_t>(), expected);
  } catch (const Error& e) {
    ADD_FAILURE() << "the container does not open for reading: " << e.what();
  }
  try {
    EXPECT_EQ(merged_read(c, scratch / "m.h5", "d"), expected);
  } catch (const Error& e) {
    ADD_FAILURE() << "the container does not merge: " << e.what();
  }
  FileOptions worker = multifile();
  worker.writer = 1;
  EXPECT_NO_THROW(File(c, "a", worker).close()) << "writer 1 cannot start again";
}

// Opening read-only must report what it drops, never silently (docs/design.md, brief: "reports
// what it dropped"): a torn metafile tail (the coordinator killed while writing structure out).
TEST(Recovery, ReadersReportATornMetafileTail) {
  Scratch scratch("torn-metafile");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_dataset("a", DatasetCreate::of<std::uint64_t>({4}));
    f.create_dataset("b", DatasetCreate::of<std::uint64_t>({4}));
    f.close();
  }
  auto bytes = read_bytes(c + "/metafile");
  bytes.resize(bytes.size() - 5);  // the CREATE_DATASET of /b, torn
  write_bytes(c + "/metafile", bytes);
  EXPECT_EQ(verify(c).metafile_damage.size(), 1u);
  const ChildResult r = run_in_child(
      [&](std::string& report) {
        File f(c, "r");
        report = f.contains("b") ? "b" : "";
        return 0;
      },
      30s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("metafile"), std::string::npos)
      << "opening read-only dropped the torn tail of the metafile (and with it /b) without a word; stderr: " << r.err;
}

// Issue 18: the name records (UNLINK, MOVE, SOFT_LINK, EXTERNAL_LINK) survive a crash as the others
// do: a torn last one is reported and dropped, every one before it stays, and a reopen for writing
// cuts the tail and goes on.
TEST(Recovery, NameRecordsBeforeATornTailStay) {
  Scratch scratch("torn-names");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_dataset("a", DatasetCreate::of<std::uint64_t>({4}));
    f.create_soft_link("s", "/a");
    f.create_external_link("e", "other.h5", "/x");
    f.move("a", "b");
    f.unlink("e");  // the last record: torn below
    f.close();
  }
  auto bytes = read_bytes(c + "/metafile");
  bytes.resize(bytes.size() - 3);
  write_bytes(c + "/metafile", bytes);
  EXPECT_EQ(verify(c).metafile_damage.size(), 1u);
  const ChildResult r = run_in_child(
      [&](std::string& report) {
        File f(c, "a", multifile());  // cuts the torn UNLINK off
        for (const auto& k : f.keys()) report += k + ",";
        f.unlink("e");
        f.close();
        return 0;
      },
      30s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "b,e,s,") << "the names before the torn record: " << r.describe();
  EXPECT_TRUE(verify(c).metafile_damage.empty());
  File f(c, "r", multifile());
  EXPECT_EQ(f.keys(), (std::vector<std::string>{"b", "s"}));
  EXPECT_EQ(f.link_info("s").path, "/a");  // a soft link keeps its value: it dangles now
  EXPECT_FALSE(f.contains("s"));
}

}  // namespace
}  // namespace h5mf::reliability
