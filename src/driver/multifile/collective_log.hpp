// Keeping ranks in step. Structure calls cost no communication: each rank only records them here.
// Every operation that does communicate (flush, close, set_atomic) starts with a handshake, one
// allreduce over (which operation, how many so far, a hash of every structure call). Since every
// such operation's first collective call is that handshake, handshakes always pair with each
// other: a mismatch, of operations or of structure calls, is seen by every rank in the same step,
// before anything else is exchanged, so nothing can hang. On a mismatch, per-call hashes,
// descriptions and metafile offsets find and name the first call that differs, and say where to
// cut the metafile back to the last call all ranks agreed on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/encoding.hpp"
#include "mpi/comm.hpp"

namespace h5mf::driver {

class CollectiveLog {
 public:
  // `metafile_offset`: where the coordinator's metafile stood before the call (0 elsewhere).
  void record(const std::string& description, format::ByteView encoded, std::uint64_t metafile_offset);

  struct Disagreement {
    std::string message;                         // names the call and the ranks on each side
    std::optional<std::uint64_t> metafile_cut;   // the coordinator's offset before that call
  };
  // Collective: `operation` is what this rank is doing now ("flush()", "close()", ...). nullopt
  // when every rank is doing the same and made the same structure calls since the last handshake;
  // otherwise the same message on every rank.
  std::optional<Disagreement> handshake(mpi::Comm& comm, const std::string& container, const std::string& operation);

 private:
  std::uint64_t running_ = 0;               // over every call since the file was opened
  std::uint64_t calls_ = 0;
  std::uint64_t handshakes_ = 0;
  std::vector<std::uint64_t> cumulative_;   // running_ after each call since the last check
  std::vector<std::string> descriptions_;
  std::vector<std::uint64_t> offsets_;
};

}  // namespace h5mf::driver
