#include "container/verify_image.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "container/image_index.hpp"
#include "container/posix_file.hpp"
#include "container/progress_meter.hpp"
#include "container/reader.hpp"
#include "container/threads.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

// One RANGE record named in a finding, as the merge's report names it (format::describe).
VerifyDamage range_damage(std::string file, std::uint64_t offset, std::uint64_t bytes, std::uint64_t records,
                          const format::RangeRecord& r, const std::string& why) {
  VerifyDamage d;
  d.file = std::move(file);
  d.offset = offset;
  d.bytes = bytes;
  d.records = records;
  d.reason = fmt::format("{}: {}", format::describe(r), why);
  d.sequence = r.sequence;
  d.epoch = r.epoch;
  return d;
}

// A reader's damage of one pair, with the whole records it dropped counted in the index file.
VerifyDamage pair_finding(const Layout& layout, std::uint32_t file, DamageReport damage) {
  VerifyDamage d = to_verify(std::move(damage));
  if (d.file == layout.index_file(file) && d.bytes > 0 && d.records == 0) {
    try {
      const auto tail = PosixFile(d.file, PosixFile::Access::Read).read_all(d.offset);
      d.records = count_records(tail);
    } catch (const Error&) {  // the count is a courtesy; the damage stands without it
    }
  }
  return d;
}

// Why each Data record's bytes fail (empty: they pass), read with `threads` threads.
std::vector<std::string> check_data(const Layout& layout, const std::vector<ImageIndex::KeptRecord>& records,
                                    unsigned threads, const ProgressCallback& progress) {
  std::vector<std::string> why(records.size());
  std::vector<std::size_t> todo;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].record.source == format::RangeSource::Data) {
      todo.push_back(i);
      total += records[i].record.length;
    }
  }
  ProgressMeter meter(progress, total);
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::min<std::size_t>(todo.size(), 64))));
  std::atomic<std::size_t> next{0};
  run_on_threads(threads, [&] {
    std::map<std::uint32_t, PosixFile> files;
    std::vector<std::byte> buffer(kBufferBytes);
    for (std::size_t k = next++; k < todo.size(); k = next++) {
      const auto& [file, r] = records[todo[k]];
      try {
        auto it = files.find(file);
        if (it == files.end())
          it = files.emplace(file, PosixFile(layout.data_file(file), PosixFile::Access::Read)).first;
        const std::uint64_t computed = bytes_checksum(it->second, r.data_offset, r.length, buffer);
        if (computed != r.data_checksum) {
          why[todo[k]] =
              fmt::format("data fail their checksum: stored {:#018x}, computed {:#018x}", r.data_checksum, computed);
        }
      } catch (const Error& e) {
        why[todo[k]] = fmt::format("data cannot be read: {}", e.what());
      }
      meter.advance(r.length);
    }
  });
  meter.finish();
  return why;
}

// Whether the record shows, whole and alone, at its addresses in `map`.
bool shows_whole(const RangeMap& map, std::uint32_t file, const format::RangeRecord& r) {
  const RangeKey key{r.epoch, file, r.sequence};
  std::size_t pieces = 0;
  bool whole = false;
  map.visit(r.address, r.length, [&](std::uint64_t start, const RangePiece& piece) {
    ++pieces;
    whole = start == r.address && piece.end == r.address + r.length && piece.key == key;
  });
  return pieces == 1 && whole;
}

}  // namespace

void verify_image_files(const Layout& layout, const MetafileContents& contents, const VerifyOptions& options,
                        VerifyReport& report) {
  const std::vector<std::uint32_t> present = present_data_files(layout, contents.catalog.data_files());
  const std::vector<std::uint32_t> listed = listed_pairs(present, contents.catalog.data_files());

  // 1. Every pair's records, by the rule readers and the merge follow.
  ImageIndex index(layout, contents.header.container, true);
  std::map<std::uint32_t, std::size_t> slot;  // data file -> its entry in report.data_files
  for (const std::uint32_t f : listed) {
    DataFileVerifyReport r;
    r.file = f;
    r.index_present = is_regular_file(layout.index_file(f));
    r.data_present = is_regular_file(layout.data_file(f));
    if (r.index_present) r.index_bytes = file_size(layout.index_file(f));
    if (r.data_present) r.data_bytes = file_size(layout.data_file(f));
    const std::size_t damage_before = index.damage().size();
    const std::uint64_t records_before = index.record_count();
    try {
      index.refresh_file(f, true);
    } catch (const Error& e) {
      // A header of another container or file: readers and the merge refuse the container.
      VerifyDamage d;
      d.file = layout.index_file(f);
      d.reason = e.what();
      r.damage.push_back(std::move(d));
      report.errors.push_back(fmt::format("{}: readers refuse the container while this header is damaged", e.what()));
    }
    for (std::size_t i = damage_before; i < index.damage().size(); ++i) {
      r.damage.push_back(pair_finding(layout, f, index.damage()[i]));
    }
    r.records = index.record_count() - records_before;  // RANGE and END records accepted
    slot[f] = report.data_files.size();
    report.data_files.push_back(std::move(r));
  }

  report_missing_pairs(
      layout, present, contents.catalog.required_data_files(),
      [&](std::uint32_t f) {
        const auto it = slot.find(f);
        return it != slot.end() ? &report.data_files[it->second] : nullptr;
      },
      report);

  // 2. Data against their checksums; a record that fails is dropped, as the merge drops it, and
  // what it hid shows again.
  if (options.check_data) {
    const auto why =
        check_data(layout, index.records(), options.threads > 0 ? options.threads : usable_cpus(), options.progress);
    bool any = false;
    for (std::size_t i = 0; i < why.size(); ++i) {
      if (why[i].empty()) continue;
      any = true;
      const auto& [file, r] = index.records()[i];
      DataFileVerifyReport& w = report.data_files[slot.at(file)];
      w.damage.push_back(
          range_damage(layout.data_file(file), r.data_offset, r.length, 1, r, why[i] + "; record dropped"));
      --w.records;
    }
    if (any) {
      const auto* first = index.records().data();
      index.rebuild_without(
          [&](const ImageIndex::KeptRecord& k) { return !why[static_cast<std::size_t>(&k - first)].empty(); });
    }
  }
  std::map<std::uint32_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges;  // kept data, per file
  for (const auto& [file, r] : index.records()) {
    if (r.source != format::RangeSource::Data) continue;
    report.data_files[slot.at(file)].record_bytes += r.length;
    ranges[file].emplace_back(r.data_offset, r.data_offset + r.length);
  }
  for (auto& w : report.data_files) {
    w.unreferenced_bytes = unreferenced(w.data_bytes, std::move(ranges[w.file]));
    if (w.records > 0) w.records_by_writer[w.file] = w.records;
    for (const auto& d : w.damage) {
      w.records_dropped += d.records;
      w.bytes_dropped += d.bytes;
    }
  }

  // 3. The metadata: where the image still holds the bytes of the Image record that shows there
  // last, whole, they must match its checksum. The merge copies the image as it is, so a mismatch
  // is reported, not dropped (nothing else holds those bytes).
  if (exists(layout.image_snapshot())) {
    // A job that never closed: its live image may hold metadata written after the last index
    // records reached the disk, and the merge starts from the image of the last flush instead.
    try {
      // What the merge opens (no link, no FIFO...).
      if (PosixFile(layout.image_snapshot(), PosixFile::Access::Read).size() == 0) {
        report.errors.push_back(never_flushed(layout));
        return;
      }
    } catch (const Error& e) {
      report.errors.push_back(fmt::format("{}: the merge starts from it and refuses the container", e.what()));
      return;
    }
    report.notes.push_back(
        fmt::format("'{}' did not close: a merge starts from the image of its last flush, '{}'; "
                    "the metadata in '{}' is not checked",
                    layout.path(), layout.image_snapshot(), layout.image()));
    return;
  }
  const bool has_image_records = std::any_of(index.records().begin(), index.records().end(), [](const auto& k) {
    return k.record.source == format::RangeSource::Image;
  });
  if (!is_regular_file(layout.image())) {
    if (has_image_records || index.end().value_or(0) > 0) {
      report.errors.push_back(
          fmt::format("'{}' is missing: the file's HDF5 metadata is lost, and with it the file", layout.image()));
    }
    return;
  }
  const PosixFile image(layout.image(), PosixFile::Access::Read);
  if (image.size() < index.image_needed()) {
    report.errors.push_back(image_cut_short(layout, image.size(), index));
    return;
  }
  if (!options.check_data) return;
  const std::uint64_t held = std::min(image.size(), index.end().value_or(~std::uint64_t{0}));
  std::vector<std::byte> buffer(kBufferBytes);
  for (const auto& [file, r] : index.records()) {
    if (r.source != format::RangeSource::Image || r.length > held || r.address > held - r.length) continue;
    if (!shows_whole(index.map(), file, r)) continue;
    const std::uint64_t computed = bytes_checksum(image, r.address, r.length, buffer);
    if (computed == r.data_checksum) continue;
    report.data_files[slot.at(file)].damage.push_back(range_damage(
        layout.image(), r.address, 0, 0, r,
        fmt::format("the image's bytes there fail its checksum (stored {:#018x}, computed {:#018x}): HDF5 metadata "
                    "damaged, or written after its writer's last index record reached the disk; merges copy them as "
                    "they are",
                    r.data_checksum, computed)));
  }
}

}  // namespace h5mf::container
