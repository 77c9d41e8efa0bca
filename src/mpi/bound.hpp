// A bounded wait for a collective call that may never be matched. A rank that leaves a file on an
// error makes the collective call the others' close() (or flush()) waits in, so that they hear of
// the error instead of hanging. It cannot know that they will ever get there: they may be blocked
// in another collective call that it skipped (an application's barrier, say). So it waits only
// until a deadline (H5MF_COLLECTIVE_TIMEOUT seconds, default 60), and then ends the job with
// MPI_Abort and a message on stderr: a job that ends beats a job that hangs.
#pragma once

#include <mpi.h>

#include <chrono>
#include <string>

namespace h5mf::mpi {

class Bound {
 public:
  // Starts now. `why`: what this rank is doing, for the message should the deadline pass.
  explicit Bound(std::string why);

  // Waits for `request` (a nonblocking call on `comm`); at the deadline, aborts the job.
  void wait(MPI_Request& request, MPI_Comm comm) const;
  // For waits of another shape (polling MPI_Iprobe): call between polls; at the deadline, aborts.
  void check(MPI_Comm comm) const;

  // H5MF_COLLECTIVE_TIMEOUT in seconds (a positive number), or the default of 60.
  static double seconds();

 private:
  [[noreturn]] void abort(MPI_Comm comm) const;

  std::string why_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace h5mf::mpi
