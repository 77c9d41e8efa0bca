// The container's write index: every writer's `.offset` records, grouped by dataset and sorted in
// replay order (epoch, writer, sequence). Loaded incrementally: refresh() reads only what the
// index files gained since the last call, so in-session readers can refresh cheaply.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "container/layout.hpp"
#include "container/overlap_index.hpp"
#include "container/posix_file.hpp"
#include "container/stored_write.hpp"
#include "format/header.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "selection/runs.hpp"

namespace h5mf::container {

// A write record as readers use it. `writer` made the write (replay order); `data_file` is the file
// pair `<f>`, `<f>.offset` holding it: the same without aggregation, the aggregator's file with it.
// Held compactly (stored_write.hpp): a container may hold millions.
struct IndexedWrite {
  StoredWrite record;
  std::uint32_t writer = 0;
  std::uint32_t data_file = 0;
  // Bounding box of the selection, to skip records that cannot overlap a read.
  selection::Box box() const { return record.selection.box(); }
};

// A dataset's records. A deque: it grows block by block, never holding the old and a new copy of
// every record at once as a vector does when it reallocates (a million records are ~100 MB).
using WriteList = std::deque<IndexedWrite>;

// One dataset's writes: in replay order, with an index answering "which writes can overlap this
// box". prepare() (re)builds both after additions; the const queries need a prepared object and
// are then safe to call from many threads at once.
class DatasetWrites {
 public:
  void add(IndexedWrite write);
  void prepare();
  bool prepared() const { return prepared_; }
  const WriteList& in_replay_order() const { return writes_; }
  // Writes whose bounding box intersects `query`, in replay order.
  std::vector<const IndexedWrite*> overlapping(const selection::Box& query) const;
  std::size_t size() const { return writes_.size(); }
  // The writes in replay order, moved out (this object is then empty).
  WriteList take();

 private:
  WriteList writes_;
  OverlapIndex index_;  // over writes_' boxes
  bool prepared_ = true;
};

// A WRITE or WRITE_FROM log record of index file `data_file` (`index_path`); throws FormatError.
IndexedWrite decode_indexed(const format::LogRecord& record, std::uint32_t data_file, const std::string& index_path);

// Something a reader dropped, never silently.
struct DamageReport {
  std::string file;
  std::uint64_t offset = 0;  // where the dropped bytes start
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;  // whole records dropped (0 for a torn tail)
  bool torn_tail = false;
  std::string reason;
};

// THE rule for what a reader accepts from an index file (docs/format.md, "Index records"), used
// by ContainerIndex (reads, merges, views) and by verify alike, so that what they use and what
// verify reports cannot disagree. One data file pair as the scan sees it:
struct IndexScanFile {
  std::uint32_t data_file = 0;
  std::string index_path, data_path;
  std::uint64_t data_size = 0;  // bytes of `<f>`, read once before the scan
};
// Scans `bytes`, the index file from offset `from` on. Calls `on_write` for every WRITE and
// WRITE_FROM record accepted, in order, with its index offset; skips other record types (a later
// minor format); stops at the first record that is torn, fails its checksum, has an impossible
// length or flags, does not decode, or places its data outside `<f>` (checked before anything
// reads the data, so a record claiming terabytes costs nothing), and reports it through
// `on_damage` (bytes: to the end of `bytes`). Returns the offset just past the last record
// accepted or skipped. Never throws for what the bytes hold.
std::uint64_t scan_index_records(const IndexScanFile& file, format::ByteView bytes, std::uint64_t from,
                                 const std::function<void(IndexedWrite&&, std::uint64_t offset)>& on_write,
                                 const std::function<void(const DamageReport&)>& on_damage);
// A WRITE or WRITE_FROM record as readers accept it (nullopt: another type, skipped); throws
// FormatError for one that makes no sense.
std::optional<IndexedWrite> accepted_write(const format::LogRecord& r, const IndexScanFile& file);
// The framing half of that rule, for every kind of index record: `accept` decodes and delivers one
// record (ignoring types it does not know) and throws Error for one that makes no sense, which ends
// the scan there as damage.
std::uint64_t scan_records(const IndexScanFile& file, format::ByteView bytes, std::uint64_t from,
                           const std::function<void(const format::LogRecord&)>& accept,
                           const std::function<void(const DamageReport&)>& on_damage);
// scan_records over bytes [from, end) of the open index file `index`, read a window at a time
// (kScanWindow bytes, more only for a record larger than that): memory for a window, not for the
// whole index. Reports damage as scan_records would over the whole range.
inline constexpr std::uint64_t kScanWindow = std::uint64_t{4} << 20;
std::uint64_t scan_file_records(const PosixFile& index, const IndexScanFile& file, std::uint64_t from,
                                std::uint64_t end, const std::function<void(const format::LogRecord&)>& accept,
                                const std::function<void(const DamageReport&)>& on_damage);
// Throws FormatError unless the headers of `<f>.offset` (open as `index`) and `<f>` (when it has
// one) say they are file `scan.data_file` of `container`, in a format this build reads.
void check_pair_headers(const PosixFile& index, const IndexScanFile& scan, const format::ContainerId& container);
// Throws FormatError unless `data_length` bytes at `data_offset` lie inside the data file, after
// its header (checked before anything reads them: a record claiming terabytes costs nothing).
void check_data_inside(const IndexScanFile& file, std::uint64_t record_offset, std::uint64_t data_offset,
                       std::uint64_t data_length);

// The rules for a data file pair as a whole, once its writers are done (a final refresh, verify).
// `index_size` is nullopt when `<f>.offset` does not exist; `covered` is the end of the data of
// the records the scan accepted (kHeaderSize when none), meaningful when the scan found no damage.
// Data bytes past what the index covers are a loss: an index cut short (to its header, to nothing,
// or deleted) or a writer killed between its data and their records; either way those writes
// cannot be placed. An index shorter than its header with no data is what a writer killed while
// creating its files leaves (a torn tail, nothing lost but reported).
std::optional<DamageReport> pair_damage(const IndexScanFile& file, std::optional<std::uint64_t> index_size,
                                        std::uint64_t covered);

// Data file pairs [first, last] of a session whose writers are known to have opened (Catalog::
// required_data_files) that are missing whole: every write of those writers is lost.
DamageReport missing_pairs_damage(const Layout& layout, std::uint32_t first, std::uint32_t last);

// The runs [first, last] of numbers below `required` that `present` (ascending) lacks.
std::vector<std::pair<std::uint32_t, std::uint32_t>> missing_runs(const std::vector<std::uint32_t>& present,
                                                                  std::uint32_t required);

// The data file numbers below `data_files` for which `<f>` or `<f>.offset` exists, ascending: one
// directory listing, so that a count read from disk never sizes anything by itself.
std::vector<std::uint32_t> present_data_files(const Layout& layout, std::uint32_t data_files);

// One data file pair's index as a reader follows it, for both kinds of container: what was read
// so far, the header check, the rules for the pair as a whole once its writer is done, and damage
// reported once. read() reads what `<f>.offset` gained since the last call and passes every
// record to `accept` (scan_records' rules), which returns the end of the data the record places in
// `<f>` (0 for none).
class PairScan {
 public:
  void read(const Layout& layout, const format::ContainerId& container, std::uint32_t data_file, bool final,
            const std::function<std::uint64_t(const format::LogRecord&, const IndexScanFile&)>& accept,
            std::vector<DamageReport>& damage);

 private:
  std::uint64_t consumed_ = 0;                   // bytes of the index file read so far
  std::uint64_t covered_ = format::kHeaderSize;  // end of the data of the records accepted
  bool checked_ = false;                         // headers verified
  bool pair_reported_ = false;                   // pair_damage() reported once
};

class ContainerIndex {
 public:
  ContainerIndex(Layout layout, format::ContainerId container);

  // Reads new records of data files [0, data_files) (those present: the count is not trusted to
  // size anything). `final` marks the last refresh of a closed container: an incomplete tail is
  // then reported as damage, and so are the losses pair_damage() names and missing pairs below
  // `required_files` (Catalog::required_data_files); while writers may still be appending, a tail
  // is simply not read yet.
  void refresh(std::uint32_t data_files, bool final, std::uint32_t required_files = 0);
  // The same for one data file only (an in-session reader's own writes).
  void refresh_file(std::uint32_t data_file, bool final);

  // Writes to one dataset, prepared; empty if none.
  const DatasetWrites& writes(std::uint64_t dataset);
  std::vector<std::uint64_t> datasets_written() const;
  // Every dataset's writes, prepared, moved out: a caller that keeps the records (the merge, the
  // view) then holds the only copy of them.
  std::map<std::uint64_t, DatasetWrites> take_writes();
  std::uint64_t record_count() const { return records_; }
  const std::vector<DamageReport>& damage() const { return damage_; }
  const Layout& layout() const { return layout_; }

 private:
  // What was read of each data file's index. Files are opened only while being read, so the
  // number of files never bounds on the open-file limit.
  void read_file(std::uint32_t data_file, bool final);

  Layout layout_;
  format::ContainerId container_;
  std::map<std::uint32_t, PairScan> files_;  // by data file number: only files present
  bool missing_reported_ = false;
  std::map<std::uint64_t, DatasetWrites> by_dataset_;
  std::vector<DamageReport> damage_;
  std::uint64_t records_ = 0;
};

}  // namespace h5mf::container
