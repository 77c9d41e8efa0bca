// Errors in collective operations must reach every rank: if rank 2 fails to create its files while
// the others go on to the next collective call, the job hangs. These helpers run a step and then
// agree on its outcome, so that either every rank succeeds or every rank throws (the same
// exception type, with the message of the lowest failing rank).
#pragma once

#include <functional>

#include "mpi/comm.hpp"

namespace h5mf::mpi {

// Runs `step` on `root` only; every rank returns, or every rank throws root's error.
void on_root(Comm& comm, int root, const std::function<void()>& step);

// Runs `step` on every rank; every rank returns, or every rank throws.
void on_all(Comm& comm, const std::function<void()>& step);

}  // namespace h5mf::mpi
