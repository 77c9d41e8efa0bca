#include "view/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <span>
#include <unordered_set>

#include "h5mf/error.hpp"
#include "merge/hdf5_structure.hpp"
#include "selection/runs.hpp"

namespace h5mf::view_detail {
namespace {

using container::CatalogObject;
using container::IndexedWrite;
using hdf5::Handle;
using merge_detail::make_space;

// HDF5 keeps a dataset's external file list in one object header message of at most 64 KiB:
// 1.10.8 accepts 2,000 segments and refuses 3,000.
constexpr std::size_t kMaxSegments = 2000;

// "1 record", "2 records".
std::string count_of(std::uint64_t n, const std::string& thing) {
  return fmt::format("{} {}{}", n, thing, n == 1 ? "" : "s");
}

std::vector<hsize_t> to_hsizes(const Extent& e) { return std::vector<hsize_t>(e.begin(), e.end()); }

Handle copy_space(hid_t space) { return Handle(hdf5::check_id(H5Scopy(space), "H5Scopy")); }

std::uint64_t selected(hid_t space) {
  const hssize_t n = H5Sget_select_npoints(space);
  if (n < 0) hdf5::check(-1, "H5Sget_select_npoints");
  return static_cast<std::uint64_t>(n);
}

void select_slab(hid_t space, H5S_seloper_t op, const Hyperslab& slab) {
  std::vector<hsize_t> start = to_hsizes(slab.start), stride = to_hsizes(slab.stride), count = to_hsizes(slab.count),
                       block = to_hsizes(slab.block);
  for (std::size_t d = 0; d < stride.size(); ++d) {
    // Touching blocks as one: HDF5 counts (and stores, and iterates) every block it is given.
    if (count[d] > 1 && stride[d] == block[d]) {
      block[d] *= count[d];
      count[d] = 1;
    }
    if (count[d] <= 1) stride[d] = 1;  // HDF5 refuses a zero stride even where it means nothing
  }
  hdf5::check(H5Sselect_hyperslab(space, op, start.data(), stride.data(), count.data(), block.data()),
              "H5Sselect_hyperslab");
}

void select_point(hid_t space, H5S_seloper_t op, const std::uint64_t* point, std::size_t rank) {
  const std::vector<hsize_t> start(point, point + rank), ones(rank, 1);
  hdf5::check(H5Sselect_hyperslab(space, op, start.data(), nullptr, ones.data(), nullptr), "H5Sselect_hyperslab");
}

Handle selection_of(hid_t space, const Hyperslab& slab) {
  Handle s = copy_space(space);
  select_slab(s.get(), H5S_SELECT_SET, slab);
  return s;
}

Handle all_of(const Extent& dims) {
  Handle s = make_space(dims, {});
  hdf5::check(H5Sselect_all(s.get()), "H5Sselect_all");
  return s;
}

// Whether {start + k*stride + j : k < count, j < block} meets [lo, hi).
bool meets(std::uint64_t start, std::uint64_t stride, std::uint64_t count, std::uint64_t block, std::uint64_t lo,
           std::uint64_t hi) {
  if (count == 0 || block == 0 || lo >= hi) return false;
  if (count == 1) return start < hi && start + block > lo;
  // The first block ending past lo; if it starts at or past hi, so do all later ones.
  const std::uint64_t k = start + block > lo ? 0 : (lo - start - block) / stride + 1;
  return k < count && start + k * stride < hi;
}

// A regular hyperslab is the product of its dimensions' selections, so two meet exactly when they
// meet in every dimension: no HDF5 call, and no span tree for slabs that interleave.
bool slabs_meet(const Hyperslab& a, const Hyperslab& b) {
  for (std::size_t d = 0; d < a.start.size(); ++d) {
    const bool a_fewer = a.count[d] <= b.count[d];
    const Hyperslab& few = a_fewer ? a : b;
    const Hyperslab& many = a_fewer ? b : a;
    bool met = false;
    if (few.count[d] == 1 || few.stride[d] == few.block[d]) {  // one interval
      met = meets(many.start[d], many.stride[d], many.count[d], many.block[d], few.start[d],
                  few.start[d] + few.count[d] * few.block[d]);
    } else {
      for (std::uint64_t k = 0; k < few.count[d] && !met; ++k) {
        const std::uint64_t lo = few.start[d] + k * few.stride[d];
        met = meets(many.start[d], many.stride[d], many.count[d], many.block[d], lo, lo + few.block[d]);
      }
    }
    if (!met) return false;
  }
  return true;
}

bool slab_contains(const Hyperslab& s, const std::uint64_t* point) {
  for (std::size_t d = 0; d < s.start.size(); ++d) {
    if (!meets(s.start[d], s.stride[d], s.count[d], s.block[d], point[d], point[d] + 1)) return false;
  }
  return true;
}

// One box: in every dimension a single block, or blocks that touch.
bool is_box(const Hyperslab& s) {
  for (std::size_t d = 0; d < s.start.size(); ++d) {
    if (s.count[d] > 1 && s.stride[d] != s.block[d]) return false;
  }
  return true;
}

// The part of a hyperslab inside [0, keep) (a write made before a shrink, cut to what it kept), as
// regular hyperslabs: per dimension its whole blocks below keep, and the block that keep cuts. Each
// with the box its elements fill in the record's dense data (its buffer_shape).
struct SlabPart {
  Hyperslab slab;
  Extent dense_start, dense_count;
};

std::vector<SlabPart> kept_parts(const Hyperslab& h, const Extent& keep) {
  const std::size_t rank = h.start.size();
  std::vector<std::vector<std::array<std::uint64_t, 6>>> along(rank);  // start stride count block dense_start n
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint64_t s = h.start[d], t = std::max<std::uint64_t>(h.stride[d], 1), c = h.count[d], b = h.block[d];
    if (c == 0 || b == 0 || s >= keep[d]) return {};
    const std::uint64_t whole = s + b > keep[d] ? 0 : std::min(c, (keep[d] - s - b) / t + 1);
    if (whole > 0) along[d].push_back({s, t, whole, b, 0, whole * b});
    if (whole < c && s + whole * t < keep[d]) {
      const std::uint64_t cut = std::min(b, keep[d] - (s + whole * t));
      along[d].push_back({s + whole * t, 1, 1, cut, whole * b, cut});
    }
    if (along[d].empty()) return {};
  }
  std::vector<SlabPart> out;
  std::vector<std::size_t> at(rank, 0);
  while (true) {
    SlabPart part{{Extent(rank), Extent(rank), Extent(rank), Extent(rank)}, Extent(rank), Extent(rank)};
    for (std::size_t d = 0; d < rank; ++d) {
      const auto& a = along[d][at[d]];
      part.slab.start[d] = a[0];
      part.slab.stride[d] = a[1];
      part.slab.count[d] = a[2];
      part.slab.block[d] = a[3];
      part.dense_start[d] = a[4];
      part.dense_count[d] = a[5];
    }
    out.push_back(std::move(part));
    std::size_t d = rank;
    while (d-- > 0) {
      if (++at[d] < along[d].size()) break;
      at[d] = 0;
    }
    if (d == static_cast<std::size_t>(-1)) break;
  }
  return out;
}

bool inside(const std::uint64_t* point, const Extent& keep) {
  for (std::size_t d = 0; d < keep.size(); ++d) {
    if (point[d] >= keep[d]) return false;
  }
  return true;
}

void add_segment(std::vector<Segment>& segments, const IndexedWrite& w) {
  if (!segments.empty() && segments.back().data_file == w.data_file &&
      segments.back().offset + segments.back().length == w.record.data_offset) {
    segments.back().length += w.record.data_length;  // adjacent in the same data file
    return;
  }
  segments.push_back({w.data_file, w.record.data_offset, w.record.data_length});
}

std::uint64_t blocks_of(hid_t space) {
  const H5S_sel_type type = H5Sget_select_type(space);
  if (type == H5S_SEL_ALL) return 1;
  if (type != H5S_SEL_HYPERSLABS)
    return static_cast<std::uint64_t>(std::max<hssize_t>(H5Sget_select_npoints(space), 0));
  const hssize_t n = H5Sget_select_hyper_nblocks(space);
  hdf5::check(n < 0 ? -1 : 0, "H5Sget_select_hyper_nblocks");
  return static_cast<std::uint64_t>(n);
}

// Plans one dataset: which piece of which record every element shows, as few mappings as possible.
class Planner {
 public:
  Planner(const CatalogObject& o, std::string path, std::size_t element_size, const ViewOptions& options,
          ViewReport& report)
      : o_(o),
        path_(std::move(path)),
        element_size_(element_size),
        options_(options),
        report_(report),
        space_(make_space(o.dims, o.maxdims)),
        widest_(o.shapes.widest(o.dims)) {}

  DatasetPlan plan(std::uint64_t id, const container::DatasetWrites* writes, bool in_base) {
    plan_.id = id;
    static const container::WriteList none;
    const container::WriteList& all = writes ? writes->in_replay_order() : none;
    for (const auto& w : all) check_record(w);
    if (o_.dims.empty()) {
      plan_scalar(all, in_base);
    } else {
      if (writes) classify(all, *writes);
      map_visible_points();
      coalesce_boxes();
      if (in_base) map_base(all);
    }
    check_limits(all.size());
    return std::move(plan_);
  }

 private:
  // A record must fit its dataset, and its data length its selection (or HDF5 would fail later
  // with less to say).
  void check_record(const IndexedWrite& w) {
    const Selection s = w.record.selection.get();
    try {
      (void)s.resolved(widest_, fmt::format("dataset '{}'", path_));  // (a write before a shrink is cut)
    } catch (const InvalidArgument& e) {
      throw FormatError(fmt::format("record {} of writer {} does not fit: {}", w.record.sequence, w.writer, e.what()));
    }
    if (s.num_elements() * element_size_ != w.record.data_length) {
      throw FormatError(fmt::format(
          "record {} of writer {} for dataset '{}' holds {} bytes, but its selection ({}) "
          "needs {}",
          w.record.sequence, w.writer, path_, w.record.data_length, s.describe(), s.num_elements() * element_size_));
    }
  }

  std::size_t add_source(Extent dims, std::vector<Segment> segments) {
    plan_.sources.push_back({std::move(dims), std::move(segments)});
    return plan_.sources.size() - 1;
  }

  void add_mapping(Handle virtual_selection, std::size_t source, Handle source_selection) {
    blocks_ += blocks_of(virtual_selection.get());
    plan_.mappings.push_back({std::move(virtual_selection), source, std::move(source_selection)});
  }

  // A scalar dataset shows its last write.
  void plan_scalar(const container::WriteList& all, bool in_base) {
    const IndexedWrite* last = nullptr;
    for (const auto& w : all) {
      if (w.record.data_length > 0) last = &w;
    }
    for (const auto& w : all) {
      if (&w != last) ++report_.records_hidden;
    }
    if (last) {
      add_mapping(all_of({}), add_source({}, {{last->data_file, last->record.data_offset, last->record.data_length}}),
                  all_of({}));
    } else if (in_base) {
      add_mapping(all_of({}), kBaseSource, all_of({}));
    }
  }

  // The records after `w` in replay order whose bounding boxes meet its own, with elements. By
  // position: the records live in a deque, whose addresses say nothing about order.
  static std::vector<const IndexedWrite*> later_overlapping(const container::DatasetWrites& writes,
                                                            const IndexedWrite& w) {
    const std::vector<const IndexedWrite*> meeting = writes.overlapping(w.box());
    std::vector<const IndexedWrite*> later;
    const auto self = std::find(meeting.begin(), meeting.end(), &w);
    for (auto it = self == meeting.end() ? self : self + 1; it != meeting.end(); ++it) {
      if ((*it)->record.selection.num_elements() > 0) later.push_back(*it);
    }
    return later;
  }

  // Every record maps what no later record overwrites: all of it, nothing, or a part. Records are
  // taken latest first. While the union of the records already taken (all later ones) stays a few
  // blocks, each record is simply compared with it: a dataset rewritten whole 40,000 times costs
  // 40,000 cheap comparisons. Once the union grows complex, each record is compared with the later
  // records whose bounding boxes meet its own, found by the dataset's overlap index.
  void classify(const container::WriteList& all, const container::DatasetWrites& writes) {
    Handle later = copy_space(space_.get());  // the union of the later records, while valid
    hdf5::check(H5Sselect_none(later.get()), "H5Sselect_none");
    bool later_empty = true;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      const IndexedWrite& w = *it;
      const Selection s = w.record.selection.get();
      if (s.num_elements() == 0) continue;
      const bool points = s.kind() == Selection::Kind::Points;
      // A write made before a shrink shows only what the shrink kept.
      const std::optional<Extent> keep = kept_of(w);
      keep_ = keep ? &*keep : nullptr;
      if (keep && !points) {
        place_cut_slab(w, *keep, later, later_empty, writes);
        continue;
      }
      if (later.valid()) {
        if (points) {
          place_points(w, points_left_by_union(w, later.get(), later_empty));
        } else {
          place_slab(w, slab_left_by_union(w, later.get(), later_empty));
        }
        add_to_union(later, s);
        later_empty = false;
        continue;
      }
      std::vector<const IndexedWrite*> candidates = later_overlapping(writes, w);
      // Latest first: the records most likely to cover this one end the search soonest.
      std::reverse(candidates.begin(), candidates.end());
      if (points) {
        place_points(w, points_left_by_candidates(w, candidates));
      } else {
        place_slab(w, slab_left_by_candidates(w, candidates));
      }
    }
    keep_ = nullptr;
    if (!later_empty) written_ = std::move(later);
  }

  // Adds a record's selection to the union of later records, or gives the union up (an invalid
  // handle) once it has more blocks than comparisons with it stay cheap for.
  static constexpr std::uint64_t kMaxUnionBlocks = 64;

  void add_to_union(Handle& later, const Selection& s) {
    if (s.kind() == Selection::Kind::Hyperslab) {
      select_slab(later.get(), H5S_SELECT_OR, s.slab());
    } else {
      if (s.num_points() > kMaxUnionBlocks) {
        later = Handle();
        return;
      }
      for (std::uint64_t p = 0; p < s.num_points(); ++p) {
        const std::uint64_t* point = &s.flat_points()[p * s.rank()];
        if (keep_ && !inside(point, *keep_)) continue;  // cut by a shrink
        select_point(later.get(), H5S_SELECT_OR, point, s.rank());
      }
    }
    if (blocks_of(later.get()) > kMaxUnionBlocks) later = Handle();
  }

  // The box [0, keep) of a record that a later shrink cut, or nullopt when it is whole.
  std::optional<Extent> kept_of(const IndexedWrite& w) const {
    if (!o_.shapes.shrank() || w.record.selection.rank() != o_.dims.size()) return std::nullopt;
    Extent keep = o_.shapes.kept(w.record.epoch, o_.dims);
    const selection::Box box = w.box();
    for (std::size_t d = 0; d < keep.size(); ++d) {
      if (box.hi[d] > keep[d]) return keep;
    }
    return std::nullopt;
  }

  // A hyperslab record cut by a shrink: each part it kept maps what later records leave of it,
  // from the elements of the record's data that the part holds.
  void place_cut_slab(const IndexedWrite& w, const Extent& keep, Handle& later, bool& later_empty,
                      const container::DatasetWrites& writes) {
    const Extent shape = w.record.selection.buffer_shape();
    std::optional<std::size_t> source;
    std::vector<const IndexedWrite*> candidates;
    if (!later.valid()) {
      candidates = later_overlapping(writes, w);
      std::reverse(candidates.begin(), candidates.end());
    }
    bool shown = false;
    for (const SlabPart& part : kept_parts(w.record.selection.slab(), keep)) {
      const std::uint64_t total = selection::num_elements(part.slab.count) * selection::num_elements(part.slab.block);
      selection::Box box{part.slab.start, part.slab.start};
      for (std::size_t d = 0; d < box.hi.size(); ++d) {
        box.hi[d] += (part.slab.count[d] - 1) * part.slab.stride[d] + part.slab.block[d];
      }
      Left left = later.valid() ? slab_left_by_union(part.slab, box, total, later.get(), later_empty)
                                : slab_left_by_candidates(part.slab, total, candidates);
      if (later.valid()) {
        select_slab(later.get(), H5S_SELECT_OR, part.slab);
        later_empty = false;
        if (blocks_of(later.get()) > kMaxUnionBlocks) later = Handle();
      }
      if (left.count == 0) continue;
      shown = true;
      ++clipped_;
      if (clipped_ > options_.max_mappings) refuse_mappings(std::nullopt);
      if (!source) source = add_source(shape, {{w.data_file, w.record.data_offset, w.record.data_length}});
      Handle dense = make_space(shape, {});
      select_slab(dense.get(), H5S_SELECT_SET,
                  Hyperslab{part.dense_start, Extent(shape.size(), 1), Extent(shape.size(), 1), part.dense_count});
      if (!left.visible.valid()) {
        add_mapping(selection_of(space_.get(), part.slab), *source, std::move(dense));
        continue;
      }
      Handle whole = selection_of(space_.get(), part.slab);
      Handle projected(
          hdf5::check_id(H5Sselect_project_intersection(whole.get(), dense.get(), left.visible.get()),
                         [&] { return fmt::format("project the visible part of a record of '{}'", path_); }));
      add_mapping(std::move(left.visible), *source, std::move(projected));
    }
    if (!shown) ++report_.records_hidden;
  }

  // What later records leave of a hyperslab record: `count` elements; `visible` selects them when
  // they are fewer than the record's.
  struct Left {
    Handle visible;
    std::uint64_t count = 0;
  };

  Left slab_left_by_union(const IndexedWrite& w, hid_t later, bool later_empty) {
    return slab_left_by_union(w.record.selection.slab(), w.box(), w.record.selection.num_elements(), later,
                              later_empty);
  }

  Left slab_left_by_union(const Hyperslab& slab, const selection::Box& box, std::uint64_t total, hid_t later,
                          bool later_empty) {
    const std::vector<hsize_t> lo = to_hsizes(box.lo);
    std::vector<hsize_t> last = to_hsizes(box.hi);
    for (auto& x : last) --x;
    if (later_empty ||
        !hdf5::check_bool(H5Sselect_intersect_block(later, lo.data(), last.data()), "H5Sselect_intersect_block")) {
      return {Handle(), total};
    }
    Handle visible = selection_of(space_.get(), slab);
    hdf5::check(H5Smodify_select(visible.get(), H5S_SELECT_NOTB, later), "H5Smodify_select");
    const std::uint64_t left = selected(visible.get());
    return {left == total ? Handle() : std::move(visible), left};
  }

  Left slab_left_by_candidates(const IndexedWrite& w, const std::vector<const IndexedWrite*>& later) {
    return slab_left_by_candidates(w.record.selection.slab(), w.record.selection.num_elements(), later);
  }

  Left slab_left_by_candidates(const Hyperslab& slab, std::uint64_t total,
                               const std::vector<const IndexedWrite*>& later) {
    const std::size_t rank = slab.start.size();
    Handle visible;  // made only when a later record really overlaps
    std::uint64_t left = total;
    for (const IndexedWrite* c : later) {
      const Selection cs = c->record.selection.get();
      if (cs.kind() == Selection::Kind::Hyperslab) {
        if (!slabs_meet(slab, cs.slab())) continue;
        if (!visible.valid()) visible = selection_of(space_.get(), slab);
        select_slab(visible.get(), H5S_SELECT_NOTB, cs.slab());
      } else {
        const auto& flat = cs.flat_points();
        for (std::uint64_t p = 0; p < cs.num_points(); ++p) {
          if (!slab_contains(slab, &flat[p * rank])) continue;
          if (!visible.valid()) visible = selection_of(space_.get(), slab);
          select_point(visible.get(), H5S_SELECT_NOTB, &flat[p * rank], rank);
        }
      }
      if (visible.valid()) left = selected(visible.get());
      if (left == 0) break;
    }
    return {left == total ? Handle() : std::move(visible), left};
  }

  void place_slab(const IndexedWrite& w, Left left) {
    const Hyperslab& slab = w.record.selection.slab();
    if (left.count == 0) {
      ++report_.records_hidden;
    } else if (!left.visible.valid()) {
      (is_box(slab) ? boxes_ : whole_).push_back(&w);
    } else {
      // The part left: its elements in the record's data are found by projecting the part from
      // the record's selection onto the record's own (dense) shape.
      ++clipped_;
      if (clipped_ > options_.max_mappings) refuse_mappings(std::nullopt);
      const Extent shape = w.record.selection.buffer_shape();
      const std::size_t source = add_source(shape, {{w.data_file, w.record.data_offset, w.record.data_length}});
      Handle whole = selection_of(space_.get(), slab);
      Handle dense = all_of(shape);
      Handle part(hdf5::check_id(H5Sselect_project_intersection(whole.get(), dense.get(), left.visible.get()),
                                 [&] { return fmt::format("project the visible part of a record of '{}'", path_); }));
      add_mapping(std::move(left.visible), source, std::move(part));
    }
  }

  // The positions (in the record's data) of the points of a point record that later records, and
  // later occurrences in the same record (the last occurrence is the one written), leave visible.
  template <class Covered>
  std::vector<std::uint64_t> points_left(const IndexedWrite& w, Covered&& covered) {
    const Selection s = w.record.selection.get();
    const std::size_t rank = s.rank();
    std::unordered_set<std::uint64_t> seen;
    std::vector<std::uint64_t> visible;
    for (std::uint64_t p = s.num_points(); p-- > 0;) {
      const std::uint64_t* point = &s.flat_points()[p * rank];
      if (keep_ && !inside(point, *keep_)) continue;  // cut by a shrink
      if (!seen.insert(selection::linear_index(o_.dims, std::span(point, rank))).second) continue;
      if (!covered(point)) visible.push_back(p);
    }
    return visible;
  }

  std::vector<std::uint64_t> points_left_by_union(const IndexedWrite& w, hid_t later, bool later_empty) {
    return points_left(w, [&](const std::uint64_t* point) {
      if (later_empty) return false;
      const std::vector<hsize_t> at(point, point + w.record.selection.rank());
      return hdf5::check_bool(H5Sselect_intersect_block(later, at.data(), at.data()), "H5Sselect_intersect_block");
    });
  }

  std::vector<std::uint64_t> points_left_by_candidates(const IndexedWrite& w,
                                                       const std::vector<const IndexedWrite*>& later) {
    const std::size_t rank = w.record.selection.rank();
    std::unordered_set<std::uint64_t> later_points;
    for (const IndexedWrite* c : later) {
      const Selection cs = c->record.selection.get();
      if (cs.kind() != Selection::Kind::Points) continue;
      for (std::uint64_t p = 0; p < cs.num_points(); ++p) {
        const std::uint64_t* point = &cs.flat_points()[p * rank];
        if (!inside(point, o_.dims)) continue;  // cut by a shrink (and no point of this record's)
        later_points.insert(selection::linear_index(o_.dims, std::span(point, rank)));
      }
    }
    std::vector<Hyperslab> later_slabs;
    for (const IndexedWrite* c : later) {
      if (c->record.selection.kind() == Selection::Kind::Hyperslab) later_slabs.push_back(c->record.selection.slab());
    }
    return points_left(w, [&](const std::uint64_t* point) {
      if (later_points.contains(selection::linear_index(o_.dims, std::span(point, rank)))) return true;
      for (const Hyperslab& slab : later_slabs) {
        if (slab_contains(slab, point)) return true;
      }
      return false;
    });
  }

  // HDF5 1.10 refuses point selections in mappings ("point selections not currently supported
  // with virtual datasets"), so each visible point becomes a one-element mapping: fine for a few.
  void place_points(const IndexedWrite& w, std::vector<std::uint64_t> visible) {
    ++point_records_;
    if (visible.empty()) {
      ++report_.records_hidden;
      return;
    }
    visible_points_ += visible.size();
    points_.push_back({&w, std::move(visible)});
  }

  void map_visible_points() {
    if (visible_points_ > options_.max_point_mappings) refuse_points();
    for (const auto& [w, visible] : points_) {
      const Selection s = w->record.selection.get();
      const std::size_t rank = s.rank();
      const std::uint64_t n = s.num_points();
      const std::size_t source = add_source({n}, {{w->data_file, w->record.data_offset, w->record.data_length}});
      for (std::uint64_t p : visible) {
        Handle v = copy_space(space_.get());
        select_point(v.get(), H5S_SELECT_SET, &s.flat_points()[p * rank], rank);
        Handle element = make_space({n}, {});
        const hsize_t at = p, one = 1;
        hdf5::check(H5Sselect_hyperslab(element.get(), H5S_SELECT_SET, &at, nullptr, &one, nullptr),
                    "H5Sselect_hyperslab");
        add_mapping(std::move(v), source, std::move(element));
      }
    }
  }

  // Whole boxes that share their extent beyond dimension 0 and follow each other along it are one
  // box whose row-major bytes are theirs, concatenated: one mapping over a source of several
  // segments. Row blocks written by many writers over many steps become a handful of mappings.
  void coalesce_boxes() {
    std::map<std::pair<Extent, Extent>, std::vector<const IndexedWrite*>> rows;
    for (const IndexedWrite* w : boxes_) {
      const selection::Box box = w->box();
      rows[{Extent(box.lo.begin() + 1, box.lo.end()), Extent(box.hi.begin() + 1, box.hi.end())}].push_back(w);
    }
    for (auto& [inner, group] : rows) {
      std::sort(group.begin(), group.end(), [](const IndexedWrite* a, const IndexedWrite* b) {
        return a->record.selection.lower0() < b->record.selection.lower0();
      });
      std::size_t first = 0;
      std::vector<Segment> segments;
      for (std::size_t i = 0; i < group.size(); ++i) {
        const bool follows =
            i > first && group[i]->record.selection.lower0() == group[i - 1]->record.selection.upper0();
        if (i > first && (!follows || segments.size() >= kMaxSegments)) {
          map_box_run(group, first, i, std::move(segments));
          segments.clear();
          first = i;
        }
        add_segment(segments, *group[i]);
      }
      if (!group.empty()) map_box_run(group, first, group.size(), std::move(segments));
    }
    for (const IndexedWrite* w : whole_) {
      const Extent shape = w->record.selection.buffer_shape();
      const std::size_t source = add_source(shape, {{w->data_file, w->record.data_offset, w->record.data_length}});
      add_mapping(selection_of(space_.get(), w->record.selection.slab()), source, all_of(shape));
    }
  }

  void map_box_run(const std::vector<const IndexedWrite*>& group, std::size_t first, std::size_t end,
                   std::vector<Segment> segments) {
    const selection::Box a = group[first]->box();
    const selection::Box z = group[end - 1]->box();
    Hyperslab box{a.lo, Extent(a.lo.size(), 1), Extent(a.lo.size(), 1), Extent(a.lo.size())};
    for (std::size_t d = 0; d < a.lo.size(); ++d) box.block[d] = a.hi[d] - a.lo[d];
    box.block[0] = z.hi[0] - a.lo[0];
    const std::size_t source = add_source(box.block, std::move(segments));
    add_mapping(selection_of(space_.get(), box), source, all_of(box.block));
  }

  // A dataset of the base file shows the base file's elements wherever no record wrote, within
  // what is left of them: a resize since may have grown it past them (or shrunk it, discarding
  // some), and there it shows the fill value.
  void map_base(const container::WriteList& all) {
    const std::size_t rank = o_.dims.size();
    const Extent keep = o_.shapes.created_kept(o_.dims);
    if (selection::num_elements(keep) == 0) return;
    const Hyperslab kept{Extent(rank, 0), Extent(rank, 1), Extent(rank, 1), keep};
    Handle rest = copy_space(space_.get());
    select_slab(rest.get(), H5S_SELECT_SET, kept);  // (H5Smodify_select combines hyperslabs only)
    bool whole = true;
    if (written_.valid()) {  // the union of every record, from classify()
      hdf5::check(H5Smodify_select(rest.get(), H5S_SELECT_NOTB, written_.get()), "H5Smodify_select");
      if (selected(rest.get()) == 0) return;
      Handle same = copy_space(rest.get());
      add_mapping(std::move(rest), kBaseSource, std::move(same));
      return;
    }
    for (const auto& w : all) {
      const Selection s = w.record.selection.get();
      if (s.num_elements() == 0) continue;
      whole = false;
      if (s.kind() == Selection::Kind::Hyperslab) {
        select_slab(rest.get(), H5S_SELECT_NOTB, s.slab());
      } else {
        for (std::uint64_t p = 0; p < s.num_points(); ++p) {
          select_point(rest.get(), H5S_SELECT_NOTB, &s.flat_points()[p * rank], rank);
        }
      }
      if (selected(rest.get()) == 0) return;
    }
    if (whole && keep == o_.dims) {
      add_mapping(all_of(o_.dims), kBaseSource, all_of(o_.dims));
      return;
    }
    Handle same = copy_space(rest.get());
    add_mapping(std::move(rest), kBaseSource, std::move(same));
  }

  [[noreturn]] void refuse(const std::string& what, std::uint64_t limit, const char* option) const {
    throw Unsupported(fmt::format(
        "cannot view dataset '{}': {}, more than the {} a view allows per dataset ({}). HDF5 1.10 opens every "
        "mapping of a virtual dataset on each access and projects every block on each read, so reading this one "
        "would be impractically slow. Use 'h5mf merge' instead (or raise the limit)",
        path_, what, limit, option));
  }

  [[noreturn]] void refuse_points() const {
    refuse(fmt::format("{} points left visible by {}; HDF5 1.10's virtual datasets cannot map point "
                       "selections, so each point would need a mapping of its own",
                       visible_points_, count_of(point_records_, "point-selection write record")),
           options_.max_point_mappings, "--max-points");
  }

  [[noreturn]] void refuse_mappings(std::optional<std::uint64_t> records) const {
    refuse(records ? fmt::format("{} virtual-dataset mappings needed for {}", plan_.mappings.size(),
                                 count_of(*records, "write record"))
                   : fmt::format("more than {} virtual-dataset mappings needed for its write records",
                                 options_.max_mappings),
           options_.max_mappings, "--max-mappings");
  }

  void check_limits(std::uint64_t records) const {
    if (plan_.mappings.size() > options_.max_mappings) refuse_mappings(records);
    if (blocks_ > options_.max_blocks) {
      refuse(fmt::format("{} hyperslab blocks selected by the {} for {} (strided or partly overwritten "
                         "writes)",
                         blocks_, count_of(plan_.mappings.size(), "mapping"), count_of(records, "write record")),
             options_.max_blocks, "--max-blocks");
    }
  }

  const CatalogObject& o_;
  std::string path_;
  std::size_t element_size_;
  const ViewOptions& options_;
  ViewReport& report_;
  Handle space_;                  // the dataset's dataspace, copied for every selection
  Extent widest_;                 // the widest shape it had: a write made before a shrink reaches that far
  const Extent* keep_ = nullptr;  // while a record a shrink cut is placed: what it kept
  Handle written_;                // the union of all records, when classify() could keep it
  DatasetPlan plan_;
  std::vector<const IndexedWrite*> boxes_, whole_;  // records shown whole: boxes, and strided ones
  std::vector<std::pair<const IndexedWrite*, std::vector<std::uint64_t>>> points_;  // and their visible points
  std::uint64_t clipped_ = 0, point_records_ = 0, visible_points_ = 0, blocks_ = 0;
};

}  // namespace

DatasetPlan plan_dataset(const CatalogObject& o, std::string path, std::size_t element_size, const ViewOptions& options,
                         ViewReport& report, std::uint64_t id, const container::DatasetWrites* writes, bool in_base) {
  return Planner(o, std::move(path), element_size, options, report).plan(id, writes, in_base);
}

}  // namespace h5mf::view_detail
