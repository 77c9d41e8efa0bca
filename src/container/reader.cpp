#include "container/reader.hpp"

#include "format/checksum.hpp"
#include "format/vlen.hpp"
#include "h5mf/warnings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <tuple>

namespace h5mf::container {
namespace {

// Reading a record's whole span at once beats one pread per piece when pieces are many and small.
constexpr std::uint64_t kSmallPiece = 64u << 10;

// The box of a linear window [first, first + count): whole rows of the outer dimension in general.
selection::Box linear_box(std::uint64_t first, std::uint64_t count, const Extent& shape) {
  if (shape.empty()) return {{}, {}};
  std::uint64_t row = 1;
  for (std::size_t d = 1; d < shape.size(); ++d) row *= shape[d];
  selection::Box box;
  box.lo.assign(shape.size(), 0);
  box.hi = shape;
  if (row == 0 || count == 0) {
    box.hi[0] = box.lo[0];
    return box;
  }
  box.lo[0] = first / row;
  box.hi[0] = (first + count + row - 1) / row;
  return box;
}

}  // namespace

bool fits(const IndexedWrite& write, const Extent& shape) {
  const selection::Box box = write.box();
  if (box.hi.size() != shape.size()) return box.hi.empty() && shape.empty();
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (box.hi[d] > shape[d] && box.hi[d] > box.lo[d]) return false;
  }
  return true;
}

bool reaches_inside(const IndexedWrite& write, const ElementLayout& layout) {
  return fits(write, layout.shape) ||
         (layout.shapes && layout.shapes->shrank() && fits(write, layout.shapes->widest(layout.shape)));
}

// A length that disagrees with the selection is a writer's bug, not a torn write (index records
// are checksummed): the record is skipped, as `h5mf verify` reports it, rather than read past.
bool usable(const IndexedWrite& write, const ElementLayout& layout) {
  if (write.record.epoch < layout.first_epoch || !reaches_inside(write, layout)) return false;
  const std::uint64_t need = write.record.selection.num_elements() * layout.element_size;
  return layout.variable_length ? write.record.data_length >= need : write.record.data_length == need;
}

selection::RunCursor placed_runs(const IndexedWrite& write, const ElementLayout& layout) {
  const Selection selection = write.record.selection.get();
  if (!layout.shapes || !layout.shapes->shrank() || write.record.selection.rank() != layout.shape.size()) {
    return selection::RunCursor(selection, layout.shape);
  }
  const Extent keep = layout.shapes->kept(write.record.epoch, layout.shape);
  const selection::Box box = write.box();
  bool whole = true;
  for (std::size_t d = 0; d < keep.size(); ++d) whole = whole && box.hi[d] <= keep[d];
  if (whole || box.empty()) return selection::RunCursor(selection, layout.shape);
  Extent extent = layout.shape;
  for (std::size_t d = 0; d < extent.size(); ++d) extent[d] = std::max(extent[d], box.hi[d]);
  return selection::RunCursor::kept(selection, extent, keep, layout.shape);
}

std::uint64_t data_checksum(const PosixFile& data_file, const StoredWrite& record, std::vector<std::byte>& buffer) {
  return bytes_checksum(data_file, record.data_offset, record.data_length, buffer);
}

std::uint64_t bytes_checksum(const PosixFile& file, std::uint64_t offset, std::uint64_t length,
                             std::vector<std::byte>& buffer) {
  format::Checksum sum;
  for (std::uint64_t done = 0; done < length;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    file.read_at(offset + done, std::span(buffer).first(n));
    sum.update(std::span(buffer).first(n));
    done += n;
  }
  return sum.digest();
}

std::optional<bool> DataReader::known_verdict(const IndexedWrite& w) const {
  if (auto it = verdicts_.find(verdict_key(w)); it != verdicts_.end()) return it->second;
  return std::nullopt;
}

bool DataReader::record_verdict(const IndexedWrite& w, bool ok) {
  if (!ok) {
    warn(fmt::format("{}: data of record {} ({} bytes at offset {}) fails its checksum; left out of reads",
                     layout_.data_file(w.data_file), w.record.sequence, w.record.data_length, w.record.data_offset));
  }
  verdicts_.emplace(verdict_key(w), ok);
  return ok;
}

bool DataReader::intact(const IndexedWrite& w) {
  if (const auto verdict = known_verdict(w)) return *verdict;
  std::vector<std::byte> buffer(static_cast<std::size_t>(std::clamp<std::uint64_t>(w.record.data_length, 1, 4u << 20)));
  return record_verdict(w, data_checksum(data_file(w.data_file), w.record, buffer) == w.record.data_checksum);
}

void fill_elements(std::span<std::byte> out, std::span<const std::byte> fill, std::size_t element_size) {
  const bool zero =
      fill.empty() || std::all_of(fill.begin(), fill.end(), [](std::byte b) { return b == std::byte{0}; });
  if (zero) {
    std::memset(out.data(), 0, out.size());
    return;
  }
  for (std::size_t at = 0; at + element_size <= out.size(); at += element_size) {
    std::memcpy(out.data() + at, fill.data(), element_size);
  }
}

DataReader::DataReader(Layout layout, std::size_t span_limit, std::size_t max_open_files)
    : layout_(std::move(layout)),
      span_limit_(span_limit),
      files_([layout = layout_](std::uint32_t writer) { return layout.data_file(writer); }, max_open_files) {}

template <class Target>
void DataReader::gather(const DatasetWrites& writes, const selection::Box& target_box, Target make_target,
                        const ElementLayout& layout, std::span<std::byte> out, std::span<const IndexedWrite*> owners) {
  // A record that fails its checksum after its bytes were placed is known bad afterwards: the
  // next pass leaves it out (at most one more pass per damaged record; none without damage).
  while (!gather_pass(writes, target_box, make_target, layout, out, owners)) {
    std::fill(owners.begin(), owners.end(), nullptr);
  }
}

template <class Target>
bool DataReader::gather_pass(const DatasetWrites& writes, const selection::Box& target_box, Target& make_target,
                             const ElementLayout& layout, std::span<std::byte> out,
                             std::span<const IndexedWrite*> owners) {
  const std::uint64_t esize = layout.element_size;
  if (!layout.prefilled) coverage_.reset(out.size() / esize);
  std::vector<selection::Overlap> pieces;
  for (const IndexedWrite* candidate : writes.overlapping(target_box)) {
    const IndexedWrite& w = *candidate;
    if (!usable(w, layout)) continue;
    // Checksums on first use: a record read whole is checked on the bytes just read (one read);
    // one read in part is checked apart first.
    std::optional<bool> verdict;
    if (check_checksums_) {
      verdict = known_verdict(w);
      if (verdict && !*verdict) continue;
    }
    const bool unchecked = check_checksums_ && !verdict;
    pieces.clear();
    selection::RunCursor source = placed_runs(w, layout);
    auto target = make_target();
    selection::intersect(source, target, [&](const selection::Overlap& o) { pieces.push_back(o); });
    if (pieces.empty()) continue;

    const PosixFile& file = data_file(w.data_file);
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
    for (const auto& p : pieces) {
      lo = std::min(lo, p.source_index);
      hi = std::max(hi, p.source_index + p.length);
    }
    // Whether [lo, hi) is all of the record's data.
    const bool whole = lo == 0 && hi * esize == w.record.data_length;
    const std::uint64_t span_bytes = (hi - lo) * esize;
    const bool many_small = pieces.size() > 1 && span_bytes / pieces.size() < kSmallPiece;
    if (unchecked && whole && pieces.size() == 1 && !layout.prefilled) {
      // The whole record lands in one run of `out`: read it there and check it there (not over a
      // base file's content, which a new pass could not restore).
      const auto run = out.subspan(pieces[0].target_index * esize, span_bytes);
      file.read_at(w.record.data_offset, run);
      if (!record_verdict(w, format::checksum(run) == w.record.data_checksum)) return false;
    } else if (many_small && span_bytes <= span_limit_) {
      scratch_.resize(span_bytes);
      file.read_at(w.record.data_offset + lo * esize, scratch_);
      if (unchecked && !(whole ? record_verdict(w, format::checksum(scratch_) == w.record.data_checksum) : intact(w))) {
        continue;
      }
      for (const auto& p : pieces) {
        std::memcpy(out.data() + p.target_index * esize, scratch_.data() + (p.source_index - lo) * esize,
                    p.length * esize);
      }
    } else {
      if (unchecked && !intact(w)) continue;
      for (const auto& p : pieces) {
        file.read_at(w.record.data_offset + p.source_index * esize,
                     out.subspan(p.target_index * esize, p.length * esize));
      }
    }
    if (!owners.empty()) {
      for (const auto& p : pieces)
        std::fill_n(owners.begin() + static_cast<std::ptrdiff_t>(p.target_index), p.length, &w);
    }
    if (!layout.prefilled) {
      for (const auto& p : pieces) coverage_.mark(p.target_index, p.length);
    }
  }
  if (!layout.prefilled) {
    coverage_.for_each_gap([&](std::uint64_t first, std::uint64_t count) {
      fill_elements(out.subspan(first * esize, count * esize), layout.fill, layout.element_size);
    });
  }
  return true;
}

void DataReader::read(const DatasetWrites& writes, const Selection& resolved, const ElementLayout& layout,
                      std::span<std::byte> out) {
  gather(
      writes, selection::bounding_box(resolved), [&] { return selection::TargetCursor(resolved, layout.shape); },
      layout, out);
}

void DataReader::read_linear(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                             const ElementLayout& layout, std::span<std::byte> out) {
  gather(
      writes, linear_box(first, count, layout.shape),
      // A linear run has data index 0 at `first`: overlap target indices count from the window.
      [&] { return selection::RunCursor::linear(first, count); }, layout, out);
}

template <class Target>
DataReader::VlenValues DataReader::gather_vlen(const DatasetWrites& writes, const selection::Box& target_box,
                                               Target make_target, const ElementLayout& layout, std::uint64_t count,
                                               VlenElement element) {
  ElementLayout slots_layout = layout;
  slots_layout.element_size = element.fixed + element.slots * format::kVlenSlotSize;
  slots_layout.fill = {};
  slots_layout.prefilled = false;
  slots_layout.variable_length = true;
  std::vector<std::byte> elements(count * slots_layout.element_size);
  std::vector<const IndexedWrite*> owners(count, nullptr);
  gather(writes, target_box, make_target, slots_layout, elements, owners);
  return fetch_vlen(elements, owners, element);
}

DataReader::VlenValues DataReader::fetch_vlen(std::span<const std::byte> elements,
                                              std::span<const IndexedWrite*> owners, VlenElement element) {
  const std::size_t count = owners.size();
  const std::size_t per = element.slots;
  const std::size_t esize = element.fixed + per * format::kVlenSlotSize;
  const std::size_t n = count * per;
  VlenValues out;
  out.state.assign(n, VlenState::Unwritten);
  out.value.resize(n);
  out.fixed.resize(count * element.fixed);
  if (element.fixed > 0) {
    for (std::size_t e = 0; e < count; ++e) {
      std::memcpy(out.fixed.data() + e * element.fixed, elements.data() + e * esize, element.fixed);
    }
  }
  // Decoded slots, then the values grouped by record and by position in it, so that each
  // record's bytes are read once when they are close together.
  std::vector<format::VlenSlot> decoded(n);
  std::vector<std::size_t> order;
  std::vector<const IndexedWrite*> slot_owners(n, nullptr);
  for (std::size_t i = 0; i < n; ++i) {
    const IndexedWrite* w = owners[i / per];
    slot_owners[i] = w;
    if (w == nullptr) continue;
    const std::uint64_t elements_in_record = w->record.selection.num_elements();
    decoded[i] = format::decode_vlen_slot(
        elements.subspan((i / per) * esize + element.fixed + (i % per) * format::kVlenSlotSize, format::kVlenSlotSize),
        elements_in_record, w->record.data_length,
        [&] {
          return fmt::format(
              "{}: record {} of dataset id {} ({} elements, {} data bytes at offset {}), the slot of "
              "element {} of this read{}",
              layout_.data_file(w->data_file), w->record.sequence, w->record.dataset, elements_in_record,
              w->record.data_length, w->record.data_offset, i / per,
              per == 1 && element.fixed == 0 ? std::string() : fmt::format(", variable-length member {}", i % per));
        },
        esize);
    if (decoded[i].null()) {
      out.state[i] = VlenState::Null;
      continue;
    }
    out.state[i] = VlenState::Value;
    if (decoded[i].length > 0) order.push_back(i);
  }
  owners = slot_owners;  // from here on, the record of each slot
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(owners[a]->data_file, owners[a]->record.data_offset, decoded[a].offset) <
           std::tie(owners[b]->data_file, owners[b]->record.data_offset, decoded[b].offset);
  });
  for (std::size_t at = 0; at < order.size();) {
    const IndexedWrite* w = owners[order[at]];
    std::size_t end = at;
    std::uint64_t lo = decoded[order[at]].offset, hi = lo;
    while (end < order.size() && owners[order[end]] == w) {
      hi = std::max(hi, decoded[order[end]].offset + decoded[order[end]].length);
      ++end;
    }
    const PosixFile& file = data_file(w->data_file);
    const bool together = hi - lo <= span_limit_;
    if (together) {
      scratch_.resize(hi - lo);
      file.read_at(w->record.data_offset + lo, scratch_);
    }
    for (std::size_t k = at; k < end; ++k) {
      const format::VlenSlot& s = decoded[order[k]];
      std::string& value = out.value[order[k]];
      value.resize(s.length);
      auto* target = reinterpret_cast<std::byte*>(value.data());
      if (together) {
        std::memcpy(target, scratch_.data() + (s.offset - lo), s.length);
      } else {
        file.read_at(w->record.data_offset + s.offset, std::span<std::byte>(target, s.length));
      }
    }
    at = end;
  }
  return out;
}

DataReader::VlenValues DataReader::read_vlen(const DatasetWrites& writes, const Selection& resolved,
                                             const ElementLayout& layout, VlenElement element) {
  return gather_vlen(
      writes, selection::bounding_box(resolved), [&] { return selection::TargetCursor(resolved, layout.shape); },
      layout, resolved.num_elements(), element);
}

DataReader::VlenValues DataReader::read_vlen_linear(const DatasetWrites& writes, std::uint64_t first,
                                                    std::uint64_t count, const ElementLayout& layout,
                                                    VlenElement element) {
  return gather_vlen(
      writes, linear_box(first, count, layout.shape), [&] { return selection::RunCursor::linear(first, count); },
      layout, count, element);
}

std::optional<DataReader::SourceRange> DataReader::single_source(const DatasetWrites& writes, std::uint64_t first,
                                                                 std::uint64_t count, const ElementLayout& layout) {
  const auto candidates = writes.overlapping(linear_box(first, count, layout.shape));
  // From the last write back: the first one that really touches the window decides.
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    const IndexedWrite& w = **it;
    if (!usable(w, layout)) continue;
    selection::RunCursor source = placed_runs(w, layout);
    auto window = selection::RunCursor::linear(first, count);
    std::uint64_t pieces = 0;
    selection::Overlap only;
    selection::intersect(source, window, [&](const selection::Overlap& o) {
      ++pieces;
      only = o;
    });
    if (pieces == 0) continue;
    if (pieces == 1 && only.length == count) {
      return SourceRange{w.data_file, w.record.data_offset + only.source_index * layout.element_size};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<DataReader::WindowPiece> DataReader::resolve_window(const DatasetWrites& writes, std::uint64_t first,
                                                                std::uint64_t count, const ElementLayout& layout) {
  // Pieces keyed by their first element; painting a later write over earlier ones splits them.
  std::map<std::uint64_t, WindowPiece> pieces;
  pieces.emplace(0, WindowPiece{0, count, false, 0, 0});
  const std::uint64_t esize = layout.element_size;
  auto split_at = [&](std::uint64_t at) {
    if (at >= count) return;
    auto it = std::prev(pieces.upper_bound(at));
    WindowPiece& p = it->second;
    if (p.first == at) return;
    WindowPiece tail = p;
    tail.first = at;
    tail.count = p.first + p.count - at;
    if (tail.written) tail.source += (at - p.first) * esize;
    p.count = at - p.first;
    pieces.emplace(at, tail);
  };
  for (const IndexedWrite* candidate : writes.overlapping(linear_box(first, count, layout.shape))) {
    const IndexedWrite& w = *candidate;
    if (!usable(w, layout)) continue;
    selection::RunCursor source = placed_runs(w, layout);
    auto window = selection::RunCursor::linear(first, count);
    selection::intersect(source, window, [&](const selection::Overlap& o) {
      split_at(o.target_index);
      split_at(o.target_index + o.length);
      pieces.erase(pieces.lower_bound(o.target_index), pieces.lower_bound(o.target_index + o.length));
      pieces.emplace(o.target_index, WindowPiece{o.target_index, o.length, true, w.data_file,
                                                 w.record.data_offset + o.source_index * esize});
    });
  }
  std::vector<WindowPiece> out;
  out.reserve(pieces.size());
  for (const auto& [at, p] : pieces) {
    if (!out.empty()) {
      WindowPiece& last = out.back();
      const bool joins =
          last.written == p.written &&
          (!p.written || (last.data_file == p.data_file && last.source + last.count * esize == p.source));
      if (joins) {
        last.count += p.count;
        continue;
      }
    }
    out.push_back(p);
  }
  return out;
}

bool DataReader::any_overlap(const DatasetWrites& writes, std::uint64_t first, std::uint64_t count,
                             const Extent& shape) {
  return !writes.overlapping(linear_box(first, count, shape)).empty();
}

}  // namespace h5mf::container
