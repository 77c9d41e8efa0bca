// Gathers the elements of a selection from the writers' data files: start from the fill value,
// then replay every overlapping write in replay order, so a later write wins. Serves direct reads
// of a container and the merge (which reads the dataset window by window).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "container/coverage.hpp"
#include "container/file_cache.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "container/shape_history.hpp"

namespace h5mf::container {

struct ElementLayout {
  Extent shape;                     // the dataset's current shape
  std::size_t element_size = 0;     // bytes per element in the file type
  std::span<const std::byte> fill;  // one element, or empty for zeros
  bool prefilled = false;           // the output already holds the starting content (a base file's)
  // Writes of an earlier epoch are ignored: a write always follows its dataset's creation, so an
  // older one was aimed at another object with the same id (one that mismatched collective calls
  // made on some ranks only, and that the container no longer has).
  std::uint64_t first_epoch = 0;
  // Records hold 16-byte slots followed by the values (docs/format.md), so more bytes than
  // element_size per element.
  bool variable_length = false;
  // The dataset's shapes over time (the catalog's), or null: writes made before a shrink are cut
  // to what it kept.
  const ShapeHistory* shapes = nullptr;
};

// The element of a variable-length dataset's records (format/vlen.hpp): `fixed` bytes (compounds
// with variable-length members; 0 for strings and sequences), then `slots` 16-byte slots.
struct VlenElement {
  std::size_t fixed = 0, slots = 1;
};

class DataReader {
 public:
  // `span_limit`: the most a read may stage in memory to gather many small pieces of one record.
  // `max_open_files`: data files kept open at once (least recently used ones are closed); 0 for
  // FileCache's default.
  explicit DataReader(Layout layout, std::size_t span_limit = std::size_t{64} << 20, std::size_t max_open_files = 0);

  // Direct reads check each record's data against its checksum the first time they use it and
  // leave out (and report on stderr) records that fail. The merge checks all records beforehand
  // and leaves this off.
  void check_checksums(bool on) { check_checksums_ = on; }

  // Data file `<f>` (valid until the next call).
  const PosixFile& data_file(std::uint32_t file) { return files_.get(file); }

  // `out` receives the selection's elements in data order, in the file type.
  void read(const DatasetWrites& writes, const Selection& resolved, const ElementLayout& layout,
            std::span<std::byte> out);
  // `out` receives elements [first, first + count) of the dataset's linear (row-major) order.
  void read_linear(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count, const ElementLayout& layout,
                   std::span<std::byte> out);
  // Where the bytes of a linear window lie when a single write alone decides all of them (the last
  // write overlapping the window covers it whole, in one contiguous piece of its data): the merge
  // then copies them file to file with the kernel. nullopt when the window needs a gather.
  struct SourceRange {
    std::uint32_t data_file = 0;
    std::uint64_t offset = 0;  // in that data file
  };
  static std::optional<SourceRange> single_source(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                                                  const ElementLayout& layout);
  // Who decides each stretch of a linear window: the last write covering it in replay order, or
  // nobody. Pieces tile [0, count) in order; adjacent pieces whose bytes are adjacent in one data
  // file are joined, so consecutive writes of a rank become one copy.
  struct WindowPiece {
    std::uint64_t first = 0, count = 0;  // elements, relative to the window
    bool written = false;                // false: nobody wrote here
    std::uint32_t data_file = 0;
    std::uint64_t source = 0;  // byte offset of the piece in that data file
  };
  static std::vector<WindowPiece> resolve_window(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                                                 const ElementLayout& layout);
  // Variable-length datasets: records hold 16-byte slots (format/vlen.hpp), which are resolved
  // like fixed-size elements (layout.element_size and fill are ignored); then each winning slot's
  // bytes are fetched from the record that holds it. A slot outside its record throws FormatError.
  // Compounds with variable-length members: each element is `fixed` bytes then `slots` slots.
  enum class VlenState : std::uint8_t { Unwritten, Null, Value };
  struct VlenValues {
    std::vector<VlenState> state;    // per slot: element i's slot j at i * slots + j
    std::vector<std::string> value;  // empty unless state is Value
    std::vector<std::byte> fixed;    // the elements' fixed bytes (zero where nobody wrote)
  };
  VlenValues read_vlen(const DatasetWrites& writes, const Selection& resolved, const ElementLayout& layout,
                       VlenElement element = {});
  VlenValues read_vlen_linear(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                              const ElementLayout& layout, VlenElement element = {});
  // Whether any write overlaps the linear window (the merge skips windows of pure fill).
  static bool any_overlap(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count, const Extent& shape);

 private:
  // `owners`, when not empty, receives for each output element the write that decided it.
  template <class Target>
  void gather(const DatasetWrites& writes, const selection::Box& target_box, Target make_target,
              const ElementLayout& layout, std::span<std::byte> out, std::span<const IndexedWrite*> owners = {});
  template <class Target>
  VlenValues gather_vlen(const DatasetWrites& writes, const selection::Box& target_box, Target make_target,
                         const ElementLayout& layout, std::uint64_t count, VlenElement element);
  VlenValues fetch_vlen(std::span<const std::byte> elements, std::span<const IndexedWrite*> owners,
                        VlenElement element);

  Layout layout_;
  std::size_t span_limit_;
  FileCache files_;
  std::vector<std::byte> scratch_;
  Coverage coverage_;  // of the output, in a pass that must fill what no record placed
  bool check_checksums_ = false;
  std::unordered_map<std::uint64_t, bool> verdicts_;  // (data file, data offset) -> data intact

  bool intact(const IndexedWrite& w);
  // A verdict already reached, or nullopt; record_verdict() keeps one (and warns when it is bad).
  static std::uint64_t verdict_key(const IndexedWrite& w) {
    return (std::uint64_t{w.data_file} << 44) ^ w.record.data_offset;
  }
  std::optional<bool> known_verdict(const IndexedWrite& w) const;
  bool record_verdict(const IndexedWrite& w, bool ok);
  // One pass of gather(); false when a record placed in `out` failed its checksum on the way (its
  // verdict is then known, and a new pass leaves it out).
  template <class Target>
  bool gather_pass(const DatasetWrites& writes, const selection::Box& target_box, Target& make_target,
                   const ElementLayout& layout, std::span<std::byte> out, std::span<const IndexedWrite*> owners);
};

// The checksum of a write's data as its data file holds them, read in pieces through `buffer`
// (sized by the caller). Used wherever record data must be checked before use.
std::uint64_t data_checksum(const PosixFile& data_file, const StoredWrite& record, std::vector<std::byte>& buffer);
// The same for any `length` bytes at `offset` of `file` (a RANGE record's data or image bytes).
std::uint64_t bytes_checksum(const PosixFile& file, std::uint64_t offset, std::uint64_t length,
                             std::vector<std::byte>& buffer);

// Whether a write's selection lies within `shape`: one that does not (its resize was lost in a
// crash, or ranks disagreed on the shape) must not be placed by the linear order of another shape.
bool fits(const IndexedWrite& write, const Extent& shape);
// Whether a write lies inside its dataset: within the current shape, or, once the dataset shrank,
// within the widest shape it had (a write made before the shrink, which placed_runs() cuts).
bool reaches_inside(const IndexedWrite& write, const ElementLayout& layout);
// The runs of a write's selection that a read places, in the linear order of the current shape:
// all of them, or, after a shrink, the part that every later shrink kept.
selection::RunCursor placed_runs(const IndexedWrite& write, const ElementLayout& layout);
// Whether a read may use the record: aimed at this dataset (epoch), inside its current shape
// (fits; or, after a shrink, inside the widest shape it had), and holding its selection's bytes exactly (at least, for
// variable-length slots).
bool usable(const IndexedWrite& write, const ElementLayout& layout);

void fill_elements(std::span<std::byte> out, std::span<const std::byte> fill, std::size_t element_size);

}  // namespace h5mf::container
