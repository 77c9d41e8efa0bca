// The index of a file-image container (written through the HDF5 file driver, docs/format.md
// "File-image containers"): every writer's RANGE and END records laid into one RangeMap.
// Incremental like ContainerIndex: refresh() reads only what the index files gained since the
// last call, so that a rank in a session sees other ranks' writes cheaply at each sync.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "container/index.hpp"
#include "container/layout.hpp"
#include "container/range_map.hpp"
#include "format/header.hpp"
#include "format/range_records.hpp"

namespace h5mf::container {

class ImageIndex {
 public:
  // `keep_records`: also keep every RANGE record (a merge checks those with bytes in a data file
  // and lays the index out again without those that fail).
  ImageIndex(Layout layout, format::ContainerId container, bool keep_records = false);

  // Reads the new records of data files [0, data_files) present, except `skip` (the file this
  // process appends to itself, whose records it add()s as it writes). `final`: the writers are
  // done, so an incomplete tail and data past the last record are damage (reported, never used).
  // With `final`, pairs below `required_files` (Catalog::required_data_files) missing whole are
  // damage too: every write of their writers is lost.
  void refresh(std::uint32_t data_files, bool final, std::uint32_t required_files = 0,
               std::optional<std::uint32_t> skip = std::nullopt);
  // The same for one data file pair, if present (verify: each pair's findings apart). Throws
  // FormatError when a header names another container or file (readers refuse the container).
  void refresh_file(std::uint32_t data_file, bool final);
  void add(std::uint32_t data_file, const format::RangeRecord& record);
  void add_end(std::uint32_t data_file, const format::EndRecord& record);

  const RangeMap& map() const { return map_; }
  struct KeptRecord {
    std::uint32_t data_file = 0;
    format::RangeRecord record;
  };
  const std::vector<KeptRecord>& records() const { return kept_; }
  // The map again without the kept records for which `drop` is true (what they hid shows again).
  template <typename Drop>
  void rebuild_without(Drop&& drop) {
    RangeMap without;
    std::vector<KeptRecord> kept;
    for (const KeptRecord& k : kept_) {
      if (drop(k)) continue;
      const auto& r = k.record;
      without.insert(r.address, r.length, RangeKey{r.epoch, k.data_file, r.sequence}, r.source, k.data_file,
                     r.data_offset);
      kept.push_back(k);
    }
    map_ = std::move(without);
    kept_ = std::move(kept);
  }
  // The size of the file: the END record last in replay order; nullopt before the first flush.
  std::optional<std::uint64_t> end() const;
  // How far the metadata that shows in the file reaches: the end of the last Image piece, cut to
  // end(). The image of a job that closed (or never flushed) holds at least that many bytes: it
  // is written in place and cut only to each END. Less means the image was cut short.
  std::uint64_t image_needed() const;
  std::uint64_t max_epoch() const { return max_epoch_; }
  std::uint64_t record_count() const { return records_; }
  const std::vector<DamageReport>& damage() const { return damage_; }
  const Layout& layout() const { return layout_; }

 private:
  void read_file(std::uint32_t data_file, bool final);

  Layout layout_;
  format::ContainerId container_;
  std::map<std::uint32_t, PairScan> files_;
  RangeMap map_;
  bool keep_records_ = false;
  std::vector<KeptRecord> kept_;
  std::optional<std::pair<RangeKey, std::uint64_t>> end_;  // key and END value
  std::uint64_t max_epoch_ = 0;
  std::uint64_t records_ = 0;
  std::vector<DamageReport> damage_;
  bool missing_reported_ = false;
};

// What an image shorter than ImageIndex::image_needed() means, naming it and the numbers.
std::string image_cut_short(const Layout& layout, std::uint64_t image_size, const ImageIndex& index);
// What an empty `image.flushed` means: the job ended before its first flush of a new file, so no
// HDF5 file was ever complete in the container.
std::string never_flushed(const Layout& layout);

}  // namespace h5mf::container
