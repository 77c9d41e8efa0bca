// The tool joins an MPI job only when it was started by mpiexec (so that `h5mf merge` runs alone
// without MPI, and `mpiexec -n 4 h5mf merge` merges with 4 ranks).
#pragma once

#include <mpi.h>

namespace h5mf::tools {

class MpiSession {
 public:
  MpiSession();   // MPI_Init when launched by mpiexec
  ~MpiSession();  // MPI_Finalize if it initialised
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool active() const { return active_; }
  MPI_Comm comm() const { return active_ ? MPI_COMM_WORLD : MPI_COMM_NULL; }
  int rank() const { return rank_; }
  // This process's rank in the job that launched it, without joining the job (0 when not launched
  // by mpiexec): commands that run alone in each process print progress only from rank 0.
  static int launched_rank();

 private:
  bool active_ = false;
  int rank_ = 0;
};

}  // namespace h5mf::tools
