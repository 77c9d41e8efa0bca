#include "mpi/bound.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "h5mf/warnings.hpp"

namespace h5mf::mpi {

Bound::Bound(std::string why)
    : why_(std::move(why)),
      deadline_(std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                       std::chrono::duration<double>(seconds()))) {}

double Bound::seconds() {
  constexpr double kDefault = 60;
  const char* text = std::getenv("H5MF_COLLECTIVE_TIMEOUT");
  if (text == nullptr || *text == '\0') return kDefault;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (*end != '\0' || !(value > 0)) {
    warn(fmt::format("H5MF_COLLECTIVE_TIMEOUT='{}' is not a positive number of seconds; using {}", text, kDefault));
    return kDefault;
  }
  return value;
}

void Bound::wait(MPI_Request& request, MPI_Comm comm) const {
  for (;;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    check(comm);
    // Polling, not spinning: the ranks this one waits for may need the core.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Bound::check(MPI_Comm comm) const {
  if (std::chrono::steady_clock::now() >= deadline_) abort(comm);
}

void Bound::abort(MPI_Comm comm) const {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::fprintf(stderr,
               "h5mf: rank %d: %s, and waited %g s for the other ranks to make the matching collective call (close() "
               "or flush() of the file); they did not, so the job is aborted rather than left to hang (set "
               "H5MF_COLLECTIVE_TIMEOUT to wait longer)\n",
               rank, why_.c_str(), seconds());
  std::fflush(stderr);
  MPI_Abort(comm, 1);
  std::abort();  // MPI_Abort does not return; should it, this process must end all the same
}

}  // namespace h5mf::mpi
