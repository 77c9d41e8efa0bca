#include "verify/records.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "container/file_cache.hpp"
#include "container/posix_file.hpp"
#include "container/progress_meter.hpp"
#include "container/reader.hpp"
#include "container/threads.hpp"

namespace h5mf::verify_detail {

std::vector<const container::IndexedWrite*> list_records(container::ContainerIndex& index) {
  std::vector<const container::IndexedWrite*> all;
  for (auto dataset : index.datasets_written()) {
    for (const auto& w : index.writes(dataset).in_replay_order()) all.push_back(&w);
  }
  return all;
}

std::vector<std::uint8_t> check_records(const std::vector<const container::IndexedWrite*>& records,
                                        const std::vector<std::uint8_t>& which, const container::Layout& layout,
                                        mpi::Comm& comm, unsigned threads, std::size_t max_open_files,
                                        const ProgressCallback& progress) {
  std::vector<std::uint8_t> bad(records.size(), 0);
  // The positions to check, the same list on every rank; rank r takes r, r + ranks, ...
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (which.empty() || which[i]) todo.push_back(i);
  }
  std::atomic<std::size_t> next{static_cast<std::size_t>(comm.rank())};
  const auto stride = static_cast<std::size_t>(comm.size());
  std::uint64_t share = 0;
  for (std::size_t k = next; k < todo.size(); k += stride) share += records[todo[k]]->record.data_length;
  container::ProgressMeter meter(progress, share);
  container::run_on_threads(threads, [&] {
    container::FileCache files([&](std::uint32_t file) { return layout.data_file(file); },
                               std::max<std::size_t>(1, max_open_files / std::max(threads, 1u)));
    std::vector<std::byte> buffer(std::size_t{4} << 20);
    for (std::size_t k = next.fetch_add(stride); k < todo.size(); k = next.fetch_add(stride)) {
      const auto& w = *records[todo[k]];
      if (container::data_checksum(files.get(w.data_file), w.record, buffer) != w.record.data_checksum)
        bad[todo[k]] = 1;
      meter.advance(w.record.data_length);
    }
  });
  meter.finish();
  comm.all_or(bad);
  return bad;
}

Dropped checksum_damage(const container::Layout& layout, const container::IndexedWrite& w) {
  return record_dropped(layout, w, "its data fails its checksum");
}

Dropped record_dropped(const container::Layout& layout, const container::IndexedWrite& w, std::string why) {
  return Dropped{layout.data_file(w.data_file), w.record.data_offset, w.record.data_length, 1,
                 fmt::format("record {} of writer {} (dataset id {}, epoch {}): {}", w.record.sequence, w.writer,
                             w.record.dataset, w.record.epoch, why)};
}

Dropped region_dropped(const container::DamageReport& d) {
  return Dropped{d.file, d.offset, d.bytes, d.records, d.reason};
}

std::string describe(const Dropped& d) {
  if (d.records == 1) {
    return fmt::format("{}: {} bytes at offset {}: {}; record dropped", d.file, d.bytes, d.offset, d.reason);
  }
  return fmt::format("{}: dropped {} bytes from offset {} ({})", d.file, d.bytes, d.offset, d.reason);
}

void keep_passing(container::ContainerIndex& index, const std::vector<std::uint8_t>& bad,
                  const container::Layout& layout, Verified& out) {
  std::size_t at = 0;  // position in list_records' order: datasets ascending, each in replay order
  for (auto& [dataset, writes] : index.take_writes()) {
    const std::size_t n = writes.size();
    const bool any_bad = std::any_of(bad.begin() + static_cast<std::ptrdiff_t>(at),
                                     bad.begin() + static_cast<std::ptrdiff_t>(at + n), [](auto b) { return b != 0; });
    if (!any_bad) {
      out.writes.emplace(dataset, std::move(writes));
    } else {
      container::DatasetWrites kept;
      auto all = writes.take();
      for (std::size_t k = 0; k < n; ++k) {
        if (bad[at + k]) {
          ++out.dropped;
          out.damage.push_back(checksum_damage(layout, all[k]));
        } else {
          kept.add(std::move(all[k]));
        }
      }
      kept.prepare();
      out.writes.emplace(dataset, std::move(kept));
    }
    at += n;
  }
}

Verified verify_records(container::ContainerIndex& index, const container::Layout& layout, mpi::Comm& comm,
                        unsigned threads, bool check_data, std::size_t max_open_files,
                        const ProgressCallback& progress) {
  const auto all = list_records(index);
  const std::vector<std::uint8_t> bad = check_data
                                            ? check_records(all, {}, layout, comm, threads, max_open_files, progress)
                                            : std::vector<std::uint8_t>(all.size(), 0);
  Verified out;
  keep_passing(index, bad, layout, out);
  return out;
}

}  // namespace h5mf::verify_detail
