// Checking records' data against their checksums before (or while) the merge or the view uses
// them, split over ranks and threads; and the report lines of the records and regions dropped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "container/index.hpp"
#include "container/layout.hpp"
#include "h5mf/dropped.hpp"
#include "h5mf/progress.hpp"
#include "mpi/comm.hpp"

namespace h5mf::verify_detail {

// The records of every written dataset, in one order that every rank lists alike.
std::vector<const container::IndexedWrite*> list_records(container::ContainerIndex& index);

// Checks the data of the records that `which` marks (all when empty) against their checksums:
// every rank reads 1/ranks of them (by position) with `threads` threads and at most
// `max_open_files` data files open over all threads. Returns, on every rank, which records failed.
// `progress` hears of this rank's share.
std::vector<std::uint8_t> check_records(const std::vector<const container::IndexedWrite*>& records,
                                        const std::vector<std::uint8_t>& which, const container::Layout& layout,
                                        mpi::Comm& comm, unsigned threads, std::size_t max_open_files,
                                        const ProgressCallback& progress = {});

// A record whose data fail their checksum, dropped.
Dropped checksum_damage(const container::Layout& layout, const container::IndexedWrite& write);
// One write record dropped for `why`.
Dropped record_dropped(const container::Layout& layout, const container::IndexedWrite& write, std::string why);
// What a reader dropped (the metafile's or an index file's damage).
Dropped region_dropped(const container::DamageReport& damage);
// The report line of a drop.
std::string describe(const Dropped& dropped);

struct Verified {
  std::map<std::uint64_t, container::DatasetWrites> writes;  // the records that pass, prepared
  std::vector<Dropped> damage;                               // one per record dropped
  std::uint64_t dropped = 0;
};

// Moves the records of `index` (listed by list_records) into `out`: those `bad` marks are dropped
// and reported, the others kept by dataset, prepared. The index holds no records afterwards, so
// that the records exist once, not twice, while the merge runs.
void keep_passing(container::ContainerIndex& index, const std::vector<std::uint8_t>& bad,
                  const container::Layout& layout, Verified& out);

// Every record checked (when `check_data`) and those that pass, by dataset (moved out of `index`).
Verified verify_records(container::ContainerIndex& index, const container::Layout& layout, mpi::Comm& comm,
                        unsigned threads, bool check_data, std::size_t max_open_files,
                        const ProgressCallback& progress = {});

}  // namespace h5mf::verify_detail
