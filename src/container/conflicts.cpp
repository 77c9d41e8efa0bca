#include "container/conflicts.hpp"
#include "container/overlap_index.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace h5mf::container {

Extent coordinates_of(const Extent& shape, std::uint64_t linear) {
  Extent c(shape.size(), 0);
  for (std::size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 0) continue;
    c[d] = linear % shape[d];
    linear /= shape[d];
  }
  return c;
}

void extend_box(const Extent& shape, std::uint64_t offset, std::uint64_t length, Extent& lo, Extent& hi) {
  if (length == 0) return;
  const Extent first = coordinates_of(shape, offset);
  const Extent last = coordinates_of(shape, offset + length - 1);
  const std::size_t rank = shape.size();
  Extent run_lo(rank), run_hi(rank);
  // A dimension spans [first, last] while every slower dimension stays put; once a slower one
  // moves, the run has wrapped through all of its indices.
  bool same_prefix = true;
  for (std::size_t d = 0; d < rank; ++d) {
    if (same_prefix) {
      run_lo[d] = first[d];
      run_hi[d] = last[d] + 1;
      same_prefix = first[d] == last[d];
    } else {
      run_lo[d] = 0;
      run_hi[d] = shape[d];
    }
  }
  if (lo.empty() && hi.empty()) {
    lo = std::move(run_lo);
    hi = std::move(run_hi);
    return;
  }
  for (std::size_t d = 0; d < rank; ++d) {
    lo[d] = std::min(lo[d], run_lo[d]);
    hi[d] = std::max(hi[d], run_hi[d]);
  }
}

std::vector<Conflict> find_conflicts(std::span<const IndexedWrite* const> writes, const Extent& shape) {
  // Positions by epoch; replay order within an epoch (writer, sequence) is kept by the index.
  std::map<std::uint64_t, std::vector<std::size_t>> by_epoch;
  for (std::size_t i = 0; i < writes.size(); ++i) by_epoch[writes[i]->record.epoch].push_back(i);

  std::vector<Conflict> out;
  for (const auto& entry : by_epoch) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture those in lambdas.
    const std::uint64_t epoch = entry.first;
    const std::vector<std::size_t>& positions = entry.second;
    const std::uint32_t first_writer = writes[positions.front()]->writer;
    const bool one_writer = std::all_of(positions.begin(), positions.end(),
                                        [&](std::size_t i) { return writes[i]->writer == first_writer; });
    if (one_writer) continue;  // a writer's own writes are ordered by its sequence numbers

    // An overlap index over the epoch's boxes only: the records stay where they are (a copy of
    // them cost as much memory as the records themselves). `positions` are in replay order.
    const auto selection = [&](std::size_t k) -> const StoredSelection& {
      return writes[positions[k]]->record.selection;
    };
    const OverlapIndex index(
        positions.size(), [&](std::size_t k) { return selection(k).lower0(); },
        [&](std::size_t k) { return selection(k).upper0(); });

    std::map<std::pair<std::uint32_t, std::uint32_t>, Conflict> pairs;
    for (std::size_t i : positions) {
      const IndexedWrite& a = *writes[i];
      const selection::Box a_box = a.box();
      if (a_box.empty()) continue;
      for (std::uint32_t at :
           index.overlapping(a_box, [&](std::uint32_t k) { return selection(k).box_intersects(a_box); })) {
        const IndexedWrite& b = *writes[positions[at]];
        if (b.writer <= a.writer) continue;  // each pair once, from its lower writer
        selection::RunCursor source(a.record.selection.get(), shape);
        selection::RunCursor target(b.record.selection.get(), shape);
        Conflict* conflict = nullptr;
        selection::intersect(source, target, [&](const selection::Overlap& o) {
          if (conflict == nullptr) {
            auto [it, fresh] = pairs.try_emplace({a.writer, b.writer});
            conflict = &it->second;
            if (fresh) {
              conflict->epoch = epoch;
              conflict->writer_a = a.writer;
              conflict->writer_b = b.writer;
              conflict->first_linear = o.offset;
            }
            ++conflict->record_pairs;
          }
          conflict->elements += o.length;
          conflict->first_linear = std::min(conflict->first_linear, o.offset);
          extend_box(shape, o.offset, o.length, conflict->lo, conflict->hi);
        });
      }
    }
    for (auto& [key, conflict] : pairs) {
      conflict.first = coordinates_of(shape, conflict.first_linear);
      out.push_back(std::move(conflict));
    }
  }
  return out;
}

}  // namespace h5mf::container
