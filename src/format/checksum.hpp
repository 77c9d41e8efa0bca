// XXH3-64 (xxHash, Debian's libxxhash) over records and data: fast enough to run on the write
// path at memory bandwidth.
#pragma once

#include <cstdint>
#include <memory>

#include "format/encoding.hpp"

namespace h5mf::format {

std::uint64_t checksum(ByteView bytes);

// Streaming form, for data that arrives in pieces; equals checksum() of the concatenation.
class Checksum {
 public:
  Checksum();
  Checksum(Checksum&&) noexcept;
  Checksum& operator=(Checksum&&) noexcept;
  ~Checksum();
  void update(ByteView bytes);
  std::uint64_t digest() const;
  void reset();  // as new

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace h5mf::format
