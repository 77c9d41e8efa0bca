// A barrier that sleeps instead of spinning, for the bench and growth measurements: on 2
// oversubscribed cores (64 ranks in the growth runs) a spinning rank takes the CPU from the rank
// everybody is waiting for.
#pragma once

#include <mpi.h>
#include <time.h>

namespace h5mf::tools {

inline void idle_barrier(MPI_Comm comm) {
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(comm, &request);
  int done = 0;
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  const timespec pause{0, 50'000};
  while (!done) {
    nanosleep(&pause, nullptr);
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

}  // namespace h5mf::tools
