// Keeping ranks in step. Structure calls cost no communication: each rank only records them here.
// Every operation that does communicate (flush, close, set_atomic) starts with a handshake, one
// allreduce over (which operation, how many so far, a hash of every structure call). Since every
// such operation's first collective call is that handshake, handshakes always pair with each
// other: a mismatch, of operations or of structure calls, is seen by every rank in the same step,
// before anything else is exchanged, so nothing can hang. On a mismatch, per-call hashes,
// descriptions and metafile offsets find and name the first call that differs, and say where to
// cut the metafile back to the last call all ranks agreed on.
//
// A rank that leaves the file on an exception makes the same handshake, saying so: whatever the
// others are doing (close(), flush(), setting atomic), every rank learns in that step which rank
// left and why. The one allreduce is nonblocking, so that the leaving rank can bound its wait
// (mpi::Bound): it cannot know whether the others will ever get there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/encoding.hpp"
#include "mpi/bound.hpp"
#include "mpi/comm.hpp"

namespace h5mf::driver {

class CollectiveLog {
 public:
  // `metafile_offset`: where the coordinator's metafile stood before the call (0 elsewhere).
  void record(const std::string& description, format::ByteView encoded, std::uint64_t metafile_offset);

  struct Disagreement {
    std::string message;                        // names the call and the ranks on each side
    std::optional<std::uint64_t> metafile_cut;  // the coordinator's offset before that call
  };
  // This rank leaves the file because of an exception.
  struct Leaving {
    std::string reason;       // the exception, "ValueError: ..."
    const mpi::Bound* bound;  // how long to wait for the others
  };
  // Collective: `operation` is what this rank is doing now ("flush()", "close()", ...). nullopt
  // when every rank is doing the same and made the same structure calls since the last handshake;
  // otherwise the same message on every rank. When a rank leaves (`leaving` there), the message
  // names it and its exception; structure calls it did not make because it left early are no
  // disagreement (only calls it made differently are).
  std::optional<Disagreement> handshake(mpi::Comm& comm, const std::string& container, const std::string& operation,
                                        const Leaving* leaving = nullptr);

 private:
  std::uint64_t running_ = 0;  // over every call since the file was opened
  std::uint64_t calls_ = 0;
  std::uint64_t handshakes_ = 0;
  std::vector<std::uint64_t> cumulative_;  // running_ after each call since the last check
  std::vector<std::string> descriptions_;
  std::vector<std::uint64_t> offsets_;
};

}  // namespace h5mf::driver
