// The container's write index: every writer's `.offset` records, grouped by dataset and sorted in
// replay order (epoch, writer, sequence). Loaded incrementally: refresh() reads only what the
// index files gained since the last call, so in-session readers can refresh cheaply.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "container/layout.hpp"
#include "container/overlap_index.hpp"
#include "container/posix_file.hpp"
#include "format/header.hpp"
#include "format/records.hpp"
#include "selection/runs.hpp"

namespace h5mf::container {

struct IndexedWrite {
  format::WriteRecord record;
  std::uint32_t writer = 0;
  sel::Box box;  // bounding box of the selection, to skip records that cannot overlap a read
};

// One dataset's writes: in replay order, with an index answering "which writes can overlap this
// box". prepare() (re)builds both after additions; the const queries need a prepared object and
// are then safe to call from many threads at once.
class DatasetWrites {
 public:
  void add(IndexedWrite write);
  void prepare();
  bool prepared() const { return prepared_; }
  const std::vector<IndexedWrite>& in_replay_order() const { return writes_; }
  // Writes whose bounding box intersects `query`, in replay order.
  std::vector<const IndexedWrite*> overlapping(const sel::Box& query) const;
  std::size_t size() const { return writes_.size(); }

 private:
  std::vector<IndexedWrite> writes_;
  std::vector<sel::Box> boxes_;  // boxes_[i] is writes_[i].box, contiguous for the index
  OverlapIndex index_;
  bool prepared_ = true;
};

// Something a reader dropped, never silently.
struct DamageReport {
  std::string file;
  std::uint64_t offset = 0;  // where the dropped bytes start
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;  // whole records dropped (0 for a torn tail)
  bool torn_tail = false;
  std::string reason;
};

class ContainerIndex {
 public:
  ContainerIndex(Layout layout, format::ContainerId container);

  // Reads new records of writers [0, writer_files). `final` marks the last refresh of a closed
  // container: an incomplete tail is then reported as damage; while writers may still be
  // appending it is simply not read yet.
  void refresh(std::uint32_t writer_files, bool final);
  // The same for one writer's index file only (an in-session reader's own writes).
  void refresh_writer(std::uint32_t writer, bool final);

  // Writes to one dataset, prepared; empty if none.
  const DatasetWrites& writes(std::uint64_t dataset);
  std::vector<std::uint64_t> datasets_written() const;
  std::uint64_t record_count() const { return records_; }
  const std::vector<DamageReport>& damage() const { return damage_; }
  const Layout& layout() const { return layout_; }

 private:
  // What was read of each writer's index file. Files are opened only while being read, so the
  // number of writers never bounds on the open-file limit.
  struct WriterState {
    std::uint64_t consumed = 0;  // bytes of the index file read so far
    bool checked = false;        // header verified
  };
  void read_writer(std::uint32_t writer, bool final);

  Layout layout_;
  format::ContainerId container_;
  std::vector<WriterState> writers_;
  std::map<std::uint64_t, DatasetWrites> by_dataset_;
  std::vector<DamageReport> damage_;
  std::uint64_t records_ = 0;
};

}  // namespace h5mf::container
