// Checking every record's data against its checksum before the merge uses it, split over the
// ranks and threads of the merge.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "container/index.hpp"
#include "container/layout.hpp"
#include "mpi/comm.hpp"

namespace h5mf::merge_detail {

struct Verified {
  std::map<std::uint64_t, container::DatasetWrites> writes;  // the records that pass, prepared
  std::vector<std::string> damage;                            // one line per record dropped
  std::uint64_t dropped = 0;
};

// Every rank reads 1/ranks of the records (by position), with `threads` threads; the verdicts are
// combined so that every rank ends with the same records.
// At most `max_open_files` data files are open at once over all threads.
Verified verify_records(container::ContainerIndex& index, const container::Layout& layout, mpi::Comm& comm,
                        unsigned threads, bool check_data, std::size_t max_open_files);

}  // namespace h5mf::merge_detail
