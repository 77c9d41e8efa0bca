// Two processes and one path (docs/design.md): no process deletes, replaces, merges or views a
// container that another process holds. Mode 'w', a merge and a view refuse, naming the holder,
// while a job writes it; a second merge refuses while the first runs; and nothing is lost.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "container/holder_lock.hpp"
#include "h5mf/h5mf.hpp"
#include "h5mf/merge.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::int32_t> values(std::int32_t from, std::size_t n) {
  std::vector<std::int32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = from + static_cast<std::int32_t>(i);
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Holders, WriteModeRefusesAContainerAnotherProcessWrites) {
  Scratch scratch("holders-w");
  const std::string path = scratch / "job.h5";
  std::optional<File> job;
  std::optional<Dataset> x;
  // The job: creates the container, writes half, flushes; later writes the rest and closes.
  Peer peer(
      [&] {
        job.emplace(path, "w", multifile());
        x.emplace(job->create_dataset<std::int32_t>("x", {8}));
        x->write(values(0, 4), Selection::hyperslab({0}, {4}));
        job->flush();
      },
      [&] {
        x->write(values(4, 4), Selection::hyperslab({4}, {4}));
        job->close();
        return 0;
      });
  ASSERT_TRUE(peer.wait_ready(60s));

  // Another process opens the same path with 'w': refused, naming the job.
  try {
    File again(path, "w", multifile());
    ADD_FAILURE() << "mode 'w' opened a container another process writes";
  } catch (const Busy& e) {
    EXPECT_TRUE(contains(e.what(), "held by pid ")) << e.what();
    EXPECT_TRUE(contains(e.what(), "which has it open")) << e.what();
  }
  // Readers and further writers share it.
  {
    File reader(path, "r", multifile());
    EXPECT_EQ(reader.dataset("x").shape(), (std::vector<std::uint64_t>{8}));
  }
  const ChildResult done = peer.go_and_finish(60s);
  ASSERT_EQ(done.exit_code, 0) << done.describe();

  // The job's data are all there.
  File f(path, "r", multifile());
  EXPECT_EQ(f.dataset("x").read<std::int32_t>(), values(0, 8));
}

// Two processes opening one container for writing at once (workers without MPI joining, say):
// each holds it exclusively for a moment to check for an interrupted merge, then shares it. The
// second must wait that moment out, not fail with "held by" (Crash.IndependentProcesses met this
// on a loaded machine). One that stays exclusive (a merge) is still refused.
TEST(Holders, AnOpenerWaitsOutAnotherOpenersCheck) {
  Scratch scratch("holders-check");
  const std::string path = scratch / "c.h5";
  fs::create_directories(path);
  auto checking = container::HolderLock::try_acquire(path, container::HolderLock::Kind::Exclusive);
  ASSERT_TRUE(checking.has_value());
  std::thread opener([&] {
    std::this_thread::sleep_for(200ms);  // the check (recovery of an interrupted merge)
    checking->share("open '" + path + "' with mode 'a'");
  });
  EXPECT_NO_THROW(container::HolderLock::acquire(path, container::HolderLock::Kind::Shared, "open it"));
  opener.join();

  const std::string other = scratch / "merging.h5";
  fs::create_directories(other);
  auto merging = container::HolderLock::try_acquire(other, container::HolderLock::Kind::Exclusive);
  ASSERT_TRUE(merging.has_value());
  EXPECT_THROW(container::HolderLock::acquire(other, container::HolderLock::Kind::Shared, "open it"), Busy);
}

TEST(Holders, MergeAndViewRefuseAContainerAJobStillWrites) {
  Scratch scratch("holders-merge");
  const std::string path = scratch / "job.h5";
  {
    File f(path, "w", multifile());
    f.create_dataset<std::int32_t>("x", {8}).write(values(0, 4), Selection::hyperslab({0}, {4}));
  }
  std::optional<File> job;
  Peer peer([&] { job.emplace(path, "a", multifile()); },
            [&] {
              job->dataset("x").write(values(4, 4), Selection::hyperslab({4}, {4}));
              job->close();
              return 0;
            });
  ASSERT_TRUE(peer.wait_ready(60s));

  const ChildResult merge = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
  EXPECT_NE(merge.exit_code, 0) << merge.describe();
  EXPECT_TRUE(contains(merge.err, "held by pid ")) << merge.describe();
  EXPECT_TRUE(fs::is_directory(path));
  const ChildResult view = run_program({h5mf_tool(), "view", path}, 60s);
  EXPECT_NE(view.exit_code, 0) << view.describe();
  EXPECT_TRUE(contains(view.err, "held by pid ")) << view.describe();

  const ChildResult done = peer.go_and_finish(60s);
  ASSERT_EQ(done.exit_code, 0) << done.describe();
  const ChildResult again = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File f(path, "r", sec2);
  EXPECT_EQ(f.dataset("x").read<std::int32_t>(), values(0, 8));
}

// A merge paused in its data phase (by its progress callback) holds the container: a second merge,
// mode 'w', an open and a view all refuse; the first merge then finishes and its file is right.
TEST(Holders, ASecondMergeRefusesWhileTheFirstRuns) {
  Scratch scratch("holders-two-merges");
  const std::string path = scratch / "c.h5";
  constexpr std::size_t kCount = 1u << 20;
  {
    File f(path, "w", multifile());
    f.create_dataset<std::int32_t>("x", {kCount}).write(values(7, kCount));
  }
  const std::string started = scratch / "started", go = scratch / "go";
  const pid_t first = ::fork();
  if (first == 0) {
    int code = 1;
    try {
      MergeOptions options;
      options.threads = 1;
      options.progress = [&](const MergeProgress&) {
        if (fs::exists(started)) return;
        std::FILE* mark = std::fopen(started.c_str(), "w");
        if (mark != nullptr) std::fclose(mark);
        for (int i = 0; i < 1200 && !fs::exists(go); ++i) std::this_thread::sleep_for(50ms);
      };
      merge(path, options);
      code = 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "first merge: %s\n", e.what());
    }
    ::_exit(code);
  }
  for (int i = 0; i < 1200 && !fs::exists(started); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(fs::exists(started)) << "the first merge never reached its data phase";

  const ChildResult second = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
  EXPECT_NE(second.exit_code, 0) << second.describe();
  EXPECT_TRUE(contains(second.err, "held by pid " + std::to_string(first))) << second.describe();
  EXPECT_TRUE(contains(second.err, "which is merging")) << second.describe();
  for (const char* mode : {"w", "r", "a"}) {
    try {
      File f(path, mode, multifile());
      ADD_FAILURE() << "mode '" << mode << "' opened a container being merged";
    } catch (const Busy& e) {
      EXPECT_TRUE(contains(e.what(), "pid " + std::to_string(first))) << e.what();
    }
  }
  const ChildResult view = run_program({h5mf_tool(), "view", path}, 60s);
  EXPECT_NE(view.exit_code, 0) << view.describe();

  std::FILE* mark = std::fopen(go.c_str(), "w");
  ASSERT_NE(mark, nullptr);
  std::fclose(mark);
  const ChildResult finished = wait_for(first, 120s);
  ASSERT_EQ(finished.exit_code, 0) << finished.describe();
  ASSERT_TRUE(fs::is_regular_file(path));
  EXPECT_FALSE(fs::exists(path + ".h5mf-tmp"));
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File f(path, "r", sec2);
  EXPECT_EQ(f.dataset("x").read<std::int32_t>(), values(7, kCount));
}

}  // namespace
}  // namespace h5mf::reliability
