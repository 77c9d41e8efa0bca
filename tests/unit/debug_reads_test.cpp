// Debug reads (FileOptions::check_conflicts): overlapping writes of two writers in one epoch are
// reported once, naming the dataset, the writers and the epoch; results stay deterministic.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

TEST(DebugReads, OverlappingWritesOfOneEpochAreReported) {
  const fs::path dir = fs::temp_directory_path() / ("h5mf-debug-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "c.h5").string();
  {
    FileOptions coordinator;
    coordinator.writers = 2;
    File f(path, "w", coordinator);
    f.create_dataset<int>("x", {8}).write(std::vector<int>(4, 1), Selection::hyperslab({0}, {4}));
    f.flush();  // the structure is durable for the worker
    FileOptions worker;
    worker.writer = 1;
    File w(path, "a", worker);  // joins in the same epoch as the coordinator's writes
    w.dataset("x").write(std::vector<int>(4, 2), Selection::hyperslab({2}, {4}));
    w.close();
    f.close();
  }
  FileOptions debug;
  debug.check_conflicts = true;
  File r(path, "r", debug);
  ::testing::internal::CaptureStderr();
  const auto x = r.dataset("x").read<int>();
  r.dataset("x").read<int>();  // reported once only
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(x, (std::vector<int>{1, 1, 2, 2, 2, 2, 0, 0}));  // the higher writer id wins
  EXPECT_NE(said.find("dataset '/x': writers 0 and 1 wrote 2 of the same elements"), std::string::npos) << said;
  EXPECT_EQ(said.find("writers 0 and 1", said.find("writers 0 and 1") + 1), std::string::npos) << said;
  // Reads apart from the overlap say nothing.
  File quiet(path, "r", debug);
  ::testing::internal::CaptureStderr();
  quiet.dataset("x").read<int>(Selection::hyperslab({6}, {2}));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace h5mf
