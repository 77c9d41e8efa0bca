#include "mpi_session.hpp"

#include <cstdlib>
#include <initializer_list>

namespace h5mf::tools {
namespace {

// Launchers of OpenMPI (ORTE/PRRTE), MPICH/Hydra and Slurm set one of these in each process.
bool launched_by_mpiexec() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

int MpiSession::launched_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  return 0;
}

MpiSession::MpiSession() {
  if (!launched_by_mpiexec()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  active_ = true;
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

}  // namespace h5mf::tools
