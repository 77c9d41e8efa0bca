// A merge killed at any moment (SIGKILL) loses nothing: afterwards the path holds either the whole
// container (and a new merge succeeds) or the whole merged file, and the leftovers of the killed
// merge are recognised and cleaned (docs/format.md, "atomic replacement").
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kElements = 4u << 20;  // 16 MiB of int32
constexpr std::uint64_t kSlab = 16u << 10;

std::int32_t expected(std::uint64_t i) { return static_cast<std::int32_t>(i * 2654435761u); }

// A container from two independent writers, interleaved slabs, plus groups and attributes.
void write_container(const std::string& path) {
  FileOptions coordinator;
  coordinator.writers = 2;
  File f(path, "w", coordinator);
  f.create_group("meta").attrs().set("note", "merge me");
  auto x = f.create_dataset<std::int32_t>("x", {kElements});
  f.flush();
  FileOptions worker;
  worker.writer = 1;
  File w(path, "a", worker);
  auto wx = w.dataset("x");
  std::vector<std::int32_t> slab(kSlab);
  for (std::uint64_t first = 0; first < kElements; first += kSlab) {
    for (std::uint64_t i = 0; i < kSlab; ++i) slab[i] = expected(first + i);
    ((first / kSlab) % 2 ? wx : x).write(slab, Selection::hyperslab({first}, {kSlab}));
  }
  w.close();
  f.close();
}

std::string check_merged_file(const std::string& path) {
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File f(path, "r", sec2);
  if (f.group("meta").attrs().get<std::string>("note") != "merge me") return "attribute lost";
  const auto x = f.dataset("x").read<std::int32_t>();
  for (std::uint64_t i = 0; i < kElements; ++i) {
    if (x[i] != expected(i)) return "element " + std::to_string(i) + " differs";
  }
  return {};
}

TEST(MergeKilled, AtManyPointsTheDataSurvives) {
  Scratch scratch("merge-kill");
  const std::string master = scratch / "master.h5";
  write_container(master);

  // How long a whole merge takes here, to spread the kills over it.
  const std::string timing = scratch / "timing.h5";
  copy_tree(master, timing);
  const auto started = std::chrono::steady_clock::now();
  const ChildResult full = run_program({h5mf_tool(), "merge", "-q", "-j", "2", timing}, 60s);
  ASSERT_EQ(full.exit_code, 0) << full.describe();
  const auto duration = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(check_merged_file(timing), "");

  std::mt19937 random(11);
  int containers = 0, files = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const std::string path = scratch / ("c" + std::to_string(trial) + ".h5");
    copy_tree(master, path);
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(duration * (random() % 1200) / 1000);
    const Spawned merge = spawn({h5mf_tool(), "merge", "-q", "-j", "2", path}, false);
    std::this_thread::sleep_until(merge.started + delay);
    ::kill(merge.pid, SIGKILL);
    wait_for(merge.pid, 60s);

    // What the killed merge left is recognised and cleaned; the path is one of the two, whole.
    recover_interrupted_merge(path);
    EXPECT_FALSE(fs::exists(path + ".h5mf-tmp")) << "trial " << trial;
    EXPECT_FALSE(fs::exists(path + ".h5mf-old")) << "trial " << trial;
    if (fs::is_directory(path)) {
      ++containers;
      const ChildResult again = run_program({h5mf_tool(), "merge", "-q", path}, 60s);
      ASSERT_EQ(again.exit_code, 0) << "trial " << trial << ": " << again.describe();
    } else {
      ++files;
    }
    ASSERT_TRUE(fs::is_regular_file(path)) << "trial " << trial;
    EXPECT_EQ(check_merged_file(path), "") << "trial " << trial << " (killed after " << delay.count() << " us)";
    fs::remove(path);
  }
  // The kills fell both before and after the point of no return.
  std::printf("killed merges: %d left the container, %d the finished file\n", containers, files);
  EXPECT_GT(containers, 0);
}

}  // namespace
}  // namespace h5mf::reliability
