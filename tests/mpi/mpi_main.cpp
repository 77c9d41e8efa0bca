// main() of the MPI test programs: GoogleTest between MPI_Init and MPI_Finalize.
//
//   mpiexec -n N prog --scratch=DIR [gtest flags]
//
// Rank 0 prints GoogleTest's usual output; the other ranks print only their failures, prefixed
// with the rank, so that a failure seen by one rank alone is not lost. Every rank exits with the
// same status. The scratch directory is removed when every test passed on every rank.
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
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::fprintf(stderr, "[rank %d] %s.%s: %s:%d: failure\n%s\n", rank_, test ? test->test_suite_name() : "?",
                 test ? test->name() : "?", result.file_name() ? result.file_name() : "?", result.line_number(),
                 result.message());
    std::fflush(stderr);
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int rank = h5mf_test::rank();

  std::filesystem::path scratch;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--scratch=", 10) == 0) scratch = argv[i] + 10;
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
  int status = 0;
  MPI_Allreduce(&local, &status, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (status == 0 && rank == 0) std::filesystem::remove_all(scratch);
  MPI_Finalize();
  return status;
}
