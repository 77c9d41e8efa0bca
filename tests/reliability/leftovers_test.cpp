// What a merge leaves when it is killed, at each of its phases, and what a stray file in a
// container proves: the next merge or open tidies up, the path holds the whole container or the
// whole merged file, and nothing is removed on a marker that does not prove its claim
// (docs/format.md, "atomic replacement" and "A container over an existing HDF5 file").
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "container/layout.hpp"
#include "container/merge_marker.hpp"
#include "container/metafile.hpp"
#include "h5mf/h5mf.hpp"
#include "h5mf/merge.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kCount = 2u << 20;

std::vector<std::int32_t> values(std::int32_t from, std::size_t n) {
  std::vector<std::int32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = from + static_cast<std::int32_t>(i);
  return v;
}

FileOptions with(Driver driver) {
  FileOptions o;
  o.driver = driver;
  return o;
}

void write_container(const std::string& path) {
  File f(path, "w", with(Driver::Multifile));
  f.create_dataset<std::int32_t>("x", {kCount}).write(values(3, kCount));
}

std::string check_merged(const std::string& path) {
  if (!fs::is_regular_file(path)) return "not a file";
  File f(path, "r", with(Driver::Sec2));
  return f.dataset("x").read<std::int32_t>() == values(3, kCount) ? "" : "data differ";
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A merge killed the moment `reached` holds (polled as fast as the test can), else run to its end.
// Returns whether the kill landed with `reached` true.
bool merge_killed_when(const std::string& path, const std::function<bool()>& reached) {
  const Spawned merge = spawn({h5mf_tool(), "merge", "-q", "-j", "1", path}, false);
  bool hit = false;
  for (;;) {
    if (reached()) {
      ::kill(merge.pid, SIGKILL);
      hit = true;
      break;
    }
    int status = 0;
    if (::waitpid(merge.pid, &status, WNOHANG) == merge.pid) return false;
  }
  wait_for(merge.pid, 60s);
  return hit;
}

// 23.6: killed between its exchange and its clean-up, a merge leaves PATH (the file) and
// PATH.h5mf-tmp (the old container); the next merge removes the latter and reports success.
TEST(Leftovers, MergeKilledAfterItsExchangeIsFinishedByTheNextMerge) {
  Scratch scratch("leftovers-exchange");
  const std::string master = scratch / "master.h5";
  write_container(master);
  int hits = 0;
  for (int trial = 0; trial < 40 && hits < 3; ++trial) {
    const std::string path = scratch / ("c" + std::to_string(trial) + ".h5");
    copy_tree(master, path);
    const bool killed = merge_killed_when(path, [&] { return is_regular(path); });
    if (!killed || !fs::is_directory(path + ".h5mf-tmp")) {  // the clean-up won the race
      fs::remove_all(path);
      fs::remove_all(path + ".h5mf-tmp");
      continue;
    }
    ++hits;
    EXPECT_EQ(check_merged(path), "") << "trial " << trial;
    const ChildResult next = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
    EXPECT_EQ(next.exit_code, 0) << "trial " << trial << ": " << next.describe();
    EXPECT_FALSE(fs::exists(path + ".h5mf-tmp")) << "trial " << trial;
    EXPECT_EQ(check_merged(path), "") << "trial " << trial;
    fs::remove_all(path);
  }
  EXPECT_GT(hits, 0) << "no kill landed between the exchange and the clean-up";
}

// Killed in its data phase: the container and a partial PATH.h5mf-tmp; the next merge removes
// the partial file and merges.
TEST(Leftovers, MergeKilledInItsDataPhaseIsRedoneByTheNextMerge) {
  Scratch scratch("leftovers-data");
  const std::string path = scratch / "c.h5";
  write_container(path);
  ASSERT_TRUE(merge_killed_when(path, [&] { return is_regular(path + ".h5mf-tmp"); }));
  ASSERT_TRUE(fs::is_directory(path));
  const ChildResult next = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
  ASSERT_EQ(next.exit_code, 0) << next.describe();
  EXPECT_FALSE(fs::exists(path + ".h5mf-tmp"));
  EXPECT_EQ(check_merged(path), "");
}

// The fallback where a file system cannot exchange (two renames), each phase's leftovers made as
// the merge makes them: its complete output at PATH.h5mf-tmp (a merge to that path), its marker
// (the merge's own function), then the renames. The next merge or writable open finishes or
// undoes the job: the path ends as the whole merged file, and nothing beside it is left.
TEST(Leftovers, FallbackPhasesAreFinishedByTheNextMergeOrOpen) {
  Scratch scratch("leftovers-fallback");
  for (int phase = 0; phase < 3; ++phase) {
    for (bool by_open : {false, true}) {
      const std::string path = scratch / ("p" + std::to_string(phase) + (by_open ? "o" : "m") + ".h5");
      const std::string temporary = path + ".h5mf-tmp", old = path + ".h5mf-old";
      write_container(path);
      const ChildResult out = run_program({h5mf_tool(), "merge", "-q", path, "-o", temporary}, 60s);
      ASSERT_EQ(out.exit_code, 0) << out.describe();
      container::write_merge_marker(
          path, container::describe_merge_output(temporary,
                                                 container::load_metafile(container::Layout(path)).header.container));
      if (phase >= 1) fs::rename(path, old);        // the first rename
      if (phase >= 2) fs::rename(temporary, path);  // the second
      if (by_open) {
        try {
          File f(path, "a", with(Driver::Multifile));  // over a merged file: a new container beside it
        } catch (const Unsupported&) {                 // the path became a file during the open
        }
        fs::remove_all(path + ".h5mf");
      } else {
        const ChildResult next = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
        EXPECT_EQ(next.exit_code, 0) << "phase " << phase << ": " << next.describe();
      }
      EXPECT_FALSE(fs::exists(temporary)) << "phase " << phase << (by_open ? " (open)" : " (merge)");
      EXPECT_FALSE(fs::exists(old)) << "phase " << phase << (by_open ? " (open)" : " (merge)");
      if (phase == 0 && by_open) {
        ASSERT_TRUE(fs::is_directory(path)) << "phase 0: the container must stay";
        ASSERT_EQ(run_program({h5mf_tool(), "merge", "-q", path}, 60s).exit_code, 0);
      }
      EXPECT_EQ(check_merged(path), "") << "phase " << phase << (by_open ? " (open)" : " (merge)");
    }
  }
}

// 17.3: a stray `merged` in the container over an existing HDF5 file is no proof of a finished
// merge: neither an open nor a merge removes the container; the merge merges it.
TEST(Leftovers, AStrayMarkerDoesNotRemoveTheContainerOverAFile) {
  Scratch scratch("leftovers-stray");
  const std::string file = scratch / "coords.h5";
  {
    File f(file, "w", with(Driver::Sec2));
    f.create_dataset<std::int32_t>("coords", {4}).write(values(100, 4));
  }
  {
    File f(file, "a", with(Driver::Multifile));
    f.create_dataset<std::int32_t>("distances", {6}).write(values(200, 6));
  }
  ASSERT_TRUE(fs::is_directory(file + ".h5mf"));
  write_text(file + ".h5mf/merged", "");
  {
    File f(file, "a", with(Driver::Multifile));
    ASSERT_TRUE(f.contains("distances")) << "an open removed the container on a stray marker";
    EXPECT_EQ(f.dataset("distances").read<std::int32_t>(), values(200, 6));
  }
  ASSERT_TRUE(fs::is_directory(file + ".h5mf"));
  write_text(file + ".h5mf/merged", "h5mf merged 1\ncontainer 00000000000000000000000000000000\n");
  const ChildResult merge = run_program({h5mf_tool(), "merge", file}, 60s);
  EXPECT_NE(merge.exit_code, 1) << merge.describe();
  EXPECT_FALSE(fs::exists(file + ".h5mf"));
  File f(file, "r", with(Driver::Sec2));
  EXPECT_EQ(f.dataset("coords").read<std::int32_t>(), values(100, 4));
  ASSERT_TRUE(f.contains("distances")) << "the merge dropped the container's data: " << merge.describe();
  EXPECT_EQ(f.dataset("distances").read<std::int32_t>(), values(200, 6));
}

// A stray directory at PATH.h5mf-tmp beside a merged file, without a marker proving it is the
// container that file was made from, stays where it is (and is reported).
TEST(Leftovers, AnUnprovenDirectoryBesideAMergedFileStays) {
  Scratch scratch("leftovers-unproven");
  const std::string path = scratch / "c.h5";
  write_container(path);
  ASSERT_EQ(run_program({h5mf_tool(), "merge", "-q", path}, 60s).exit_code, 0);
  const std::string other = path + ".h5mf-tmp";
  write_container(other);  // someone's container, at a name a merge uses
  const ChildResult next = run_program({h5mf_tool(), "merge", path}, 60s);
  EXPECT_NE(next.exit_code, 0) << next.describe();
  EXPECT_NE(next.err.find("not proven"), std::string::npos) << next.describe();
  EXPECT_TRUE(fs::is_regular_file(other + "/metafile"));
  EXPECT_EQ(recover_interrupted_merge(path).size(), 1u);  // reported, not removed
  EXPECT_TRUE(fs::is_regular_file(other + "/metafile"));
  EXPECT_EQ(check_merged(path), "");
}

}  // namespace
}  // namespace h5mf::reliability
