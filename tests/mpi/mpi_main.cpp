// main() of the MPI test programs: GoogleTest between MPI_Init and MPI_Finalize.
//
//   mpiexec -n N prog --scratch=DIR [--keep] [gtest flags]
//
// Rank 0 prints GoogleTest's usual output; the other ranks print only their failures, prefixed
// with the rank, so that a failure seen by one rank alone is not lost. Every rank exits with the
// same status. The scratch directory is removed when every test passed on every rank (and --keep is not given).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "support.hpp"

namespace {

class FailuresOnly : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  // The test's name is kept here: GoogleTest holds its lock while it reports a part result.
  void OnTestStart(const ::testing::TestInfo& test) override {
    test_ = std::string(test.test_suite_name()) + "." + test.name();
  }
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s: %s:%d: failure\n%s\n", rank_, test_.c_str(),
                 result.file_name() ? result.file_name() : "?", result.line_number(), result.message());
    std::fflush(stderr);
  }

 private:
  int rank_;
  std::string test_;
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int rank = h5mf_test::rank();

  std::filesystem::path scratch;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--scratch=", 10) == 0) scratch = argv[i] + 10;
    if (std::strcmp(argv[i], "--keep") == 0) keep = true;
  }
  if (scratch.empty()) scratch = std::filesystem::current_path() / ("scratch." + std::to_string(h5mf_test::size()));
  scratch = std::filesystem::absolute(scratch);
  h5mf_test::set_scratch_root(scratch);
  if (rank == 0) {
    std::filesystem::remove_all(scratch);
    std::filesystem::create_directories(scratch);
  }
  MPI_Barrier(MPI_COMM_WORLD);

  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnly(rank));
  }
  const int local = RUN_ALL_TESTS();
  // Rank 0's summary covers its own results only: name what failed on other ranks alone (most
  // verdicts are shared, so those fail on rank 0 too).
  std::string failed;  // "\nSuite.Test\n" per failed test
  const auto& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const auto& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const auto& test = *suite.GetTestInfo(j);
      if (test.result()->Failed()) failed += "\n" + std::string(suite.name()) + "." + test.name() + "\n";
    }
  }
  const std::string on_rank0 = h5mf_test::shared(failed);
  std::string only_here;
  for (std::size_t at = 0; at < failed.size();) {
    const std::size_t end = failed.find('\n', at + 1) + 1;
    const std::string entry = failed.substr(at, end - at);
    if (on_rank0.find(entry) == std::string::npos) only_here += entry.substr(1, entry.size() - 2) + " ";
    at = end;
  }
  const std::string elsewhere = h5mf_test::gathered(rank == 0 ? std::string() : only_here);
  if (rank == 0 && !elsewhere.empty()) std::fprintf(stderr, "Failed on other ranks only:\n%s", elsewhere.c_str());
  int status = 0;
  MPI_Allreduce(&local, &status, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (status == 0 && rank == 0 && !keep) std::filesystem::remove_all(scratch);
  MPI_Finalize();
  return status;
}
