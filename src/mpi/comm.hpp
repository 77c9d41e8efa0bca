// The communicator the library talks through: an MPI communicator (duplicated, so our collectives
// never mix with the application's), or a serial stand-in for a single process with no MPI at all
// (MPI_Init is never called in that case).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace h5mf::mpi {

class Bound;

class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void barrier() = 0;
  // Minimum and maximum of `value` over all ranks (one collective call).
  struct MinMax {
    std::uint64_t min, max;
  };
  virtual MinMax min_max(std::uint64_t value) = 0;
  virtual std::uint64_t sum(std::uint64_t value) = 0;
  // Element-wise maximum of `values` over all ranks, in place, through a nonblocking allreduce
  // (MPI_Iallreduce). Nonblocking collective calls match only each other, never blocking ones: a
  // call site uses this on every rank or on none. With `bound`, the wait ends at its deadline
  // (the job is aborted); without, it waits as long as it takes.
  virtual void max_nonblocking(std::span<std::uint64_t> values, const Bound* bound) = 0;
  // Every rank's value, indexed by rank.
  virtual std::vector<std::uint64_t> all_gather(std::uint64_t value) = 0;
  // Element-wise OR of `flags` over all ranks (every rank passes the same length).
  virtual void all_or(std::vector<std::uint8_t>& flags) = 0;
  // Root's bytes reach every rank (the size travels first).
  virtual void broadcast(std::vector<std::byte>& bytes, int root) = 0;
  // Root's `text` (others pass anything) is returned on every rank.
  std::string broadcast_text(const std::string& text, int root);
  // The communicator to hand to HDF5's MPI-IO driver (MPI_COMM_SELF for the serial stand-in).
  virtual MPI_Comm handle() const = 0;
  bool is_parallel() const { return size() > 1; }
};

// A single process, no MPI.
std::shared_ptr<Comm> serial();
// Duplicates `comm` (MPI_Comm_dup; freed with the returned object). MPI must be initialised.
std::shared_ptr<Comm> duplicate(MPI_Comm comm);
// True between MPI_Init and MPI_Finalize.
bool mpi_initialised();

// Throws h5mf::Error naming the MPI call and MPI's error string when `code` is not MPI_SUCCESS.
void check(int code, const char* call);

}  // namespace h5mf::mpi
