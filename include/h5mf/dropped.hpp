// What a merge or a view left out of its output, as data: a damaged region of a container file (a
// log from `offset` to its end, or data no index record places) or one write record.
#pragma once

#include <cstdint>
#include <string>

namespace h5mf {

struct Dropped {
  std::string file;           // the container file the dropped bytes are in
  std::uint64_t offset = 0;   // where they start (a record's: its data's offset in its data file)
  std::uint64_t bytes = 0;    // how many
  std::uint64_t records = 0;  // write records dropped with them (0 when they cannot be told)
  std::string reason;
};

}  // namespace h5mf
