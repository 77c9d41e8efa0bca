// Selection arithmetic against a brute-force reference: enumerate every selected element, map it
// to its linear offset, and compare with the runs, overlaps and boxes the layer computes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <tuple>
#include <vector>

#include "h5mf/error.hpp"
#include "h5mf/selection.hpp"
#include "selection/runs.hpp"

namespace h5mf::selection {

// Readable failure messages.
void PrintTo(const Run& run, std::ostream* os) {
  *os << "{offset " << run.offset << ", length " << run.length << ", data " << run.data_index << "}";
}
void PrintTo(const Overlap& o, std::ostream* os) {
  *os << "{offset " << o.offset << ", length " << o.length << ", source " << o.source_index << ", target "
      << o.target_index << "}";
}

namespace {

using u64 = std::uint64_t;
// Inside TEST bodies a bare `Run` names testing::Test::Run.
using Runs = std::vector<selection::Run>;

// One selected element: its linear offset and its position in data order.
struct Element {
  u64 offset = 0;
  u64 data_index = 0;
  friend auto operator<=>(const Element&, const Element&) = default;
};

struct Triple {
  u64 offset = 0, source_index = 0, target_index = 0;
  friend auto operator<=>(const Triple&, const Triple&) = default;
};

// Selected coordinates in data order.
std::vector<Extent> reference_coordinates(const Selection& selection, const Extent& shape) {
  const std::size_t rank = shape.size();
  std::vector<Extent> coordinates;
  if (selection.kind() == Selection::Kind::Points) {
    const auto& flat = selection.flat_points();
    for (u64 p = 0; p < selection.num_points(); ++p) {
      coordinates.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(p * rank),
                               flat.begin() + static_cast<std::ptrdiff_t>((p + 1) * rank));
    }
    return coordinates;
  }
  const Selection slab = selection.resolved(shape);
  std::vector<Extent> indices(rank);  // selected indices per dimension, increasing
  for (std::size_t d = 0; d < rank; ++d) {
    const Hyperslab& h = slab.slab();
    for (u64 i = 0; i < h.count[d]; ++i) {
      for (u64 j = 0; j < h.block[d]; ++j) indices[d].push_back(h.start[d] + i * h.stride[d] + j);
    }
    if (indices[d].empty()) return coordinates;
  }
  Extent position(rank, 0);
  while (true) {
    Extent coordinate(rank);
    for (std::size_t d = 0; d < rank; ++d) coordinate[d] = indices[d][position[d]];
    coordinates.push_back(coordinate);
    std::size_t d = rank;
    while (d > 0 && ++position[d - 1] == indices[d - 1].size()) position[--d] = 0;
    if (d == 0) return coordinates;
  }
}

u64 reference_linear(const Extent& shape, const Extent& coordinate) {
  u64 index = 0, pitch = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    index += coordinate[d] * pitch;
    pitch *= shape[d];
  }
  return index;
}

// Every selected element in data order (duplicated points included).
std::vector<Element> reference_elements(const Selection& selection, const Extent& shape) {
  std::vector<Element> elements;
  u64 data_index = 0;
  for (const Extent& c : reference_coordinates(selection, shape)) {
    elements.push_back({reference_linear(shape, c), data_index++});
  }
  return elements;
}

std::vector<Element> linear_elements(u64 offset, u64 length) {
  std::vector<Element> elements;
  for (u64 i = 0; i < length; ++i) elements.push_back({offset + i, i});
  return elements;
}

// The maximal runs a source cursor must yield: the last occurrence of each offset wins.
Runs reference_source_runs(const std::vector<Element>& elements) {
  std::map<u64, u64> latest;
  for (const Element& e : elements) latest[e.offset] = e.data_index;
  Runs runs;
  for (const auto& [offset, data_index] : latest) {
    if (!runs.empty() && runs.back().offset + runs.back().length == offset &&
        runs.back().data_index + runs.back().length == data_index) {
      ++runs.back().length;
    } else {
      runs.push_back({offset, 1, data_index});
    }
  }
  return runs;
}

// For each target element: which source data index covers it, if any.
std::vector<Triple> reference_overlaps(const std::vector<Element>& source, const std::vector<Element>& target) {
  std::map<u64, u64> latest;
  for (const Element& e : source) latest[e.offset] = e.data_index;
  std::vector<Triple> triples;
  for (const Element& t : target) {
    if (const auto it = latest.find(t.offset); it != latest.end()) {
      triples.push_back({t.offset, it->second, t.data_index});
    }
  }
  std::sort(triples.begin(), triples.end());
  return triples;
}

template <class Cursor>
Runs collect(Cursor&& cursor) {
  Runs runs;
  selection::Run run;
  while (cursor.next(run)) runs.push_back(run);
  return runs;
}

std::vector<Element> expand(const Runs& runs) {
  std::vector<Element> elements;
  for (const Run& r : runs) {
    for (u64 i = 0; i < r.length; ++i) elements.push_back({r.offset + i, r.data_index + i});
  }
  return elements;
}

template <class Target>
std::vector<Overlap> overlaps_of(RunCursor source, Target target) {
  std::vector<Overlap> overlaps;
  intersect(source, target, [&overlaps](const Overlap& o) { overlaps.push_back(o); });
  return overlaps;
}

std::vector<Triple> expand(const std::vector<Overlap>& overlaps) {
  std::vector<Triple> triples;
  for (const Overlap& o : overlaps) {
    for (u64 i = 0; i < o.length; ++i) {
      triples.push_back({o.offset + i, o.source_index + i, o.target_index + i});
    }
  }
  std::sort(triples.begin(), triples.end());
  return triples;
}

// The source-cursor guarantees: increasing, non-overlapping, maximal, non-empty runs.
void expect_source_runs(const Selection& selection, const Extent& shape) {
  SCOPED_TRACE(selection.describe());
  const auto expected = reference_source_runs(reference_elements(selection, shape));
  EXPECT_EQ(collect(RunCursor(selection, shape)), expected);
}

// The target-cursor guarantees: every occurrence, stable order by offset, runs overlapping only
// as repeated single elements.
void expect_target_runs(const Selection& selection, const Extent& shape) {
  SCOPED_TRACE(selection.describe());
  const auto runs = collect(TargetCursor(selection, shape));
  auto expected = reference_elements(selection, shape);
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Element& a, const Element& b) { return a.offset < b.offset; });
  EXPECT_EQ(expand(runs), expected);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_GT(runs[i].length, 0u);
    if (i == 0) continue;
    const Run& previous = runs[i - 1];
    const bool repeated = runs[i].offset == previous.offset && runs[i].length == 1 && previous.length == 1;
    EXPECT_TRUE(repeated || runs[i].offset >= previous.offset + previous.length) << "run " << i;
  }
}

void expect_overlaps_sorted(const std::vector<Overlap>& overlaps) {
  for (std::size_t i = 0; i < overlaps.size(); ++i) {
    EXPECT_GT(overlaps[i].length, 0u);
    if (i > 0) {
      EXPECT_LE(overlaps[i - 1].offset, overlaps[i].offset);
    }
  }
}

Selection slab(Extent start, Extent count, Extent stride = {}, Extent block = {}) {
  return Selection::hyperslab(std::move(start), std::move(count), std::move(stride), std::move(block));
}

// ---------------------------------------------------------------------------------------------
TEST(LinearIndex, RowMajor) {
  const Extent shape{3, 4, 5};
  const Extent c{2, 1, 3};
  EXPECT_EQ(linear_index(shape, c), 2u * 20 + 1 * 5 + 3);
  EXPECT_EQ(linear_index(Extent{}, Extent{}), 0u);
  EXPECT_EQ(num_elements(shape), 60u);
  EXPECT_EQ(num_elements(Extent{}), 1u);
  EXPECT_EQ(num_elements(Extent{4, 0}), 0u);
}

TEST(RunCursor, OneDimensional) {
  const Extent shape{20};
  // stride == block: the blocks touch, one run
  EXPECT_EQ(collect(RunCursor(slab({2}, {3}, {2}, {2}), shape)), (Runs{{2, 6, 0}}));
  // stride > block: one run per block
  EXPECT_EQ(collect(RunCursor(slab({1}, {3}, {5}, {2}), shape)), (Runs{{1, 2, 0}, {6, 2, 2}, {11, 2, 4}}));
  EXPECT_EQ(collect(RunCursor(slab({7}, {1}), shape)), (Runs{{7, 1, 0}}));
  EXPECT_EQ(collect(RunCursor(Selection::all(), shape)), (Runs{{0, 20, 0}}));
  for (const auto& s : {slab({1}, {3}, {5}, {2}), slab({0}, {5}, {3}, {1}), slab({19}, {1}, {1}, {1})}) {
    expect_source_runs(s, shape);
    expect_target_runs(s, shape);
  }
}

TEST(RunCursor, EmptyHyperslabsYieldNothing) {
  EXPECT_TRUE(collect(RunCursor(slab({0}, {0}), Extent{5})).empty());
  EXPECT_TRUE(collect(RunCursor(slab({1, 1}, {2, 2}, {2, 2}, {1, 0}), Extent{5, 5})).empty());
  EXPECT_TRUE(collect(RunCursor(slab({0, 0, 0}, {2, 0, 1}), Extent{3, 3, 3})).empty());
  EXPECT_TRUE(collect(TargetCursor(slab({0}, {0}), Extent{5})).empty());
  EXPECT_TRUE(collect(RunCursor(Selection::all(), Extent{4, 0})).empty());
  EXPECT_TRUE(collect(RunCursor::linear(3, 0)).empty());
}

TEST(RunCursor, FullRowsCoalesceAcrossRows) {
  const Extent shape{4, 5};
  // Rows 1 and 2 in full: one run of 10.
  EXPECT_EQ(collect(RunCursor(slab({1, 0}, {2, 1}, {1, 1}, {1, 5}), shape)), (Runs{{5, 10, 0}}));
  // The same with touching blocks in the inner dimension.
  EXPECT_EQ(collect(RunCursor(slab({1, 0}, {2, 5}), shape)), (Runs{{5, 10, 0}}));
  // Every other row: separate runs.
  EXPECT_EQ(collect(RunCursor(slab({0, 0}, {2, 5}, {2, 1}), shape)), (Runs{{0, 5, 0}, {10, 5, 5}}));
  // Part of each row: one run per row.
  EXPECT_EQ(collect(RunCursor(slab({1, 1}, {2, 3}), shape)), (Runs{{6, 3, 0}, {11, 3, 3}}));
  // Whole planes of a 3-D dataset.
  EXPECT_EQ(collect(RunCursor(slab({1, 0, 0}, {2, 3, 4}), Extent{4, 3, 4})), (Runs{{12, 24, 0}}));
  EXPECT_EQ(collect(RunCursor(Selection::all(), Extent{2, 3, 4})), (Runs{{0, 24, 0}}));
}

TEST(RunCursor, BlocksTouchingAcrossRowEndsCoalesce) {
  // Columns 0 and 3 of a 3x4 dataset: column 3 of a row touches column 0 of the next.
  const Extent shape{3, 4};
  const Selection s = slab({0, 0}, {3, 2}, {1, 3});
  EXPECT_EQ(collect(RunCursor(s, shape)), (Runs{{0, 1, 0}, {3, 2, 1}, {7, 2, 3}, {11, 1, 5}}));
  expect_target_runs(s, shape);
}

TEST(RunCursor, TwoAndThreeDimensional) {
  const Extent shape2{6, 7};
  for (const auto& s : {slab({1, 2}, {2, 2}, {3, 3}, {2, 2}), slab({0, 0}, {6, 7}), slab({5, 6}, {1, 1}),
                        slab({0, 1}, {3, 3}, {2, 2}, {1, 1}), slab({0, 0}, {2, 7}, {4, 1}, {2, 1})}) {
    expect_source_runs(s, shape2);
    expect_target_runs(s, shape2);
  }
  const Extent shape3{4, 5, 6};
  for (const auto& s : {slab({1, 0, 0}, {2, 5, 6}), slab({0, 1, 1}, {2, 2, 2}, {2, 2, 3}, {1, 2, 2}),
                        slab({0, 0, 0}, {2, 2, 6}, {3, 3, 1}, {1, 2, 1}),
                        slab({0, 0, 0}, {4, 1, 1}, {1, 1, 1}, {1, 5, 6}), slab({3, 4, 5}, {1, 1, 1})}) {
    expect_source_runs(s, shape3);
    expect_target_runs(s, shape3);
  }
}

// A write made before a shrink: its runs over a wider extent, cut to what the shrink kept and
// placed in the current shape's linear order, with their data indices in the whole write.
TEST(RunCursor, KeptCutsToTheBoxAndPlacesInTheCurrentShape) {
  // A 4x5 write of a dataset shrunk to 2x3 and grown to 3x4: rows 0-1, columns 0-2 survive.
  const Selection whole = slab({0, 0}, {4, 5});
  EXPECT_EQ(collect(RunCursor::kept(whole, Extent{4, 5}, Extent{2, 3}, Extent{3, 4})), (Runs{{0, 3, 0}, {4, 3, 5}}));
  // Strided blocks (rows 1 and 3, columns 1-2 and 4-5): the cut keeps row 1's columns 1-2.
  const Selection strided = slab({1, 1}, {2, 2}, {2, 3}, {1, 2});
  EXPECT_EQ(collect(RunCursor::kept(strided, Extent{4, 6}, Extent{2, 3}, Extent{2, 3})), (Runs{{4, 2, 0}}));
  // One dimension: elements 0-9 cut to 4, in a dataset grown to 12.
  EXPECT_EQ(collect(RunCursor::kept(slab({0}, {10}), Extent{12}, Extent{4}, Extent{12})), (Runs{{0, 4, 0}}));
  // Points keep their data index; those outside the box are gone.
  const Selection points = Selection::points(2, {3, 0, 0, 2, 1, 1});
  EXPECT_EQ(collect(RunCursor::kept(points, Extent{4, 3}, Extent{2, 3}, Extent{2, 3})), (Runs{{2, 1, 1}, {4, 1, 2}}));
  // Nothing kept.
  EXPECT_TRUE(collect(RunCursor::kept(whole, Extent{4, 5}, Extent{0, 5}, Extent{0, 5})).empty());
}

TEST(RunCursor, RankZero) {
  const Extent scalar{};
  const Runs one{{0, 1, 0}};
  EXPECT_EQ(collect(RunCursor(slab({}, {}), scalar)), one);
  EXPECT_EQ(collect(RunCursor(Selection::all(), scalar)), one);
  EXPECT_EQ(collect(TargetCursor(slab({}, {}), scalar)), one);
  EXPECT_TRUE(collect(RunCursor(Selection::points(0, {}), scalar)).empty());
}

TEST(RunCursor, Points) {
  const Extent shape{10};
  // Consecutive in both offset and data order: one run.
  EXPECT_EQ(collect(RunCursor(Selection::points({{3}, {4}, {5}}), shape)), (Runs{{3, 3, 0}}));
  // Data indices go backwards: separate runs.
  EXPECT_EQ(collect(RunCursor(Selection::points({{5}, {4}}), shape)), (Runs{{4, 1, 1}, {5, 1, 0}}));
  // The later write wins.
  EXPECT_EQ(collect(RunCursor(Selection::points({{2}, {3}, {2}}), shape)), (Runs{{2, 1, 2}, {3, 1, 1}}));
  // The winning duplicate can coalesce with its neighbours.
  EXPECT_EQ(collect(RunCursor(Selection::points({{4}, {1}, {2}, {3}, {4}}), shape)), (Runs{{1, 4, 1}}));
  EXPECT_TRUE(collect(RunCursor(Selection::points(1, {}), shape)).empty());

  const Extent shape2{4, 5};
  for (const auto& s : {Selection::points({{1, 2}, {0, 4}, {1, 3}, {1, 2}, {3, 0}, {2, 4}}),
                        Selection::points({{0, 4}, {1, 0}, {1, 1}}), Selection::points({{3, 3}, {3, 3}, {3, 3}})}) {
    expect_source_runs(s, shape2);
    expect_target_runs(s, shape2);
  }
}

TEST(TargetCursor, PointsKeepEveryOccurrence) {
  const Extent shape{10};
  const auto runs = collect(TargetCursor(Selection::points({{4}, {2}, {4}, {3}, {5}, {6}}), shape));
  EXPECT_EQ(expand(runs), (std::vector<Element>{{2, 1}, {3, 3}, {4, 0}, {4, 2}, {5, 4}, {6, 5}}));
  expect_target_runs(Selection::points({{4}, {2}, {4}, {3}, {5}, {6}}), shape);
  // Without duplicates, consecutive points still coalesce.
  EXPECT_EQ(collect(TargetCursor(Selection::points({{3}, {4}, {5}, {7}}), shape)), (Runs{{3, 3, 0}, {7, 1, 3}}));
}

TEST(RunCursor, Linear) {
  EXPECT_EQ(collect(RunCursor::linear(7, 3)), (Runs{{7, 3, 0}}));
  EXPECT_EQ(collect(RunCursor::linear(0, 1)), (Runs{{0, 1, 0}}));
}

TEST(RunCursor, MovedFromIsEmpty) {
  RunCursor a(slab({0}, {3}), Extent{5});
  RunCursor b = std::move(a);
  selection::Run run;
  EXPECT_TRUE(b.next(run));
  EXPECT_FALSE(a.next(run));  // NOLINT(bugprone-use-after-move): documented as empty
  a = RunCursor::linear(1, 1);
  EXPECT_TRUE(a.next(run));
  EXPECT_EQ(run, (selection::Run{1, 1, 0}));
}

TEST(RunCursor, RankMismatchThrows) {
  EXPECT_THROW(RunCursor(slab({0}, {1}), Extent{3, 3}), InvalidArgument);
  EXPECT_THROW(TargetCursor(Selection::points({{0, 0}}), Extent{3}), InvalidArgument);
}

TEST(RunCursor, HugeHyperslabIsLazy) {
  const auto began = std::chrono::steady_clock::now();
  RunCursor sparse(slab({0}, {1'000'000'000}, {2}, {1}), Extent{2'000'000'000});
  selection::Run run;
  for (u64 i = 0; i < 5; ++i) {
    ASSERT_TRUE(sparse.next(run));
    EXPECT_EQ(run, (selection::Run{2 * i, 1, i}));
  }
  // 10^9 touching blocks: one run, without visiting the blocks.
  EXPECT_EQ(collect(RunCursor(slab({0}, {1'000'000'000}, {2}, {2}), Extent{2'000'000'000})),
            (Runs{{0, 2'000'000'000, 0}}));
  // 10^9 full rows of a 10^12-element dataset: one run, without visiting the rows.
  EXPECT_EQ(collect(RunCursor(Selection::all(), Extent{1'000'000'000, 1'000})), (Runs{{0, 1'000'000'000'000, 0}}));
  EXPECT_EQ(collect(RunCursor(slab({1, 0, 0}, {999'999'998, 10, 100}), Extent{1'000'000'000, 10, 100})),
            (Runs{{1'000, 999'999'998'000, 0}}));
  // A small target at the start of a huge source stops early.
  const auto overlaps =
      overlaps_of(RunCursor(slab({0, 0}, {1'000'000, 1'000'000}, {1, 2}, {1, 1}), Extent{1'000'000, 2'000'000}),
                  RunCursor::linear(0, 5));
  EXPECT_EQ(overlaps, (std::vector<Overlap>{{0, 1, 0, 0}, {2, 1, 1, 2}, {4, 1, 2, 4}}));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(1));
}

TEST(Intersect, HyperslabByHyperslab) {
  const Extent shape{4, 6};
  // Source: rows 0-1, columns 1-4. Target: rows 1-2, columns 3-5.
  const auto overlaps = overlaps_of(RunCursor(slab({0, 1}, {2, 4}), shape), TargetCursor(slab({1, 3}, {2, 3}), shape));
  EXPECT_EQ(overlaps, (std::vector<Overlap>{{9, 2, 6, 0}}));
  // A source run spanning several target runs and the other way round.
  const auto many =
      overlaps_of(RunCursor(slab({0, 0}, {2, 6}), shape), TargetCursor(slab({0, 1}, {3, 2}, {1, 3}), shape));
  EXPECT_EQ(many, (std::vector<Overlap>{{1, 1, 1, 0}, {4, 1, 4, 1}, {7, 1, 7, 2}, {10, 1, 10, 3}}));
  const auto reverse =
      overlaps_of(RunCursor(slab({0, 1}, {3, 2}, {1, 3}), shape), TargetCursor(slab({0, 0}, {2, 6}), shape));
  EXPECT_EQ(reverse, (std::vector<Overlap>{{1, 1, 0, 1}, {4, 1, 1, 4}, {7, 1, 2, 7}, {10, 1, 3, 10}}));
}

TEST(Intersect, HyperslabByPoints) {
  const Extent shape{3, 4};
  const Selection source = slab({1, 0}, {1, 4});  // offsets 4..7
  const Selection target = Selection::points({{1, 3}, {0, 0}, {1, 1}, {2, 2}, {1, 2}});
  const auto overlaps = overlaps_of(RunCursor(source, shape), TargetCursor(target, shape));
  EXPECT_EQ(expand(overlaps), (std::vector<Triple>{{5, 1, 2}, {6, 2, 4}, {7, 3, 0}}));
  EXPECT_EQ(overlaps, (std::vector<Overlap>{{5, 1, 1, 2}, {6, 1, 2, 4}, {7, 1, 3, 0}}));
}

TEST(Intersect, PointsWithDuplicatedTargets) {
  const Extent shape{10};
  // Source: 2 written twice (the second write, data index 2, wins), 3 and 4.
  const Selection source = Selection::points({{2}, {3}, {2}, {4}});
  const Selection target = Selection::points({{4}, {2}, {4}, {9}, {2}, {3}, {4}});
  const auto overlaps = overlaps_of(RunCursor(source, shape), TargetCursor(target, shape));
  EXPECT_EQ(expand(overlaps), (std::vector<Triple>{{2, 2, 1}, {2, 2, 4}, {3, 1, 5}, {4, 3, 0}, {4, 3, 2}, {4, 3, 6}}));
  expect_overlaps_sorted(overlaps);
  // Duplicates at the end of a long source run, which must not be left behind.
  const auto tail =
      overlaps_of(RunCursor(slab({0}, {5}), shape), TargetCursor(Selection::points({{4}, {4}, {3}, {4}}), shape));
  EXPECT_EQ(tail, (std::vector<Overlap>{{3, 1, 3, 2}, {4, 1, 4, 0}, {4, 1, 4, 1}, {4, 1, 4, 3}}));
}

TEST(Intersect, LinearWindowsByHyperslabs) {
  const Extent shape{5, 4};
  const Selection s = slab({1, 1}, {3, 2}, {1, 1}, {1, 1});  // offsets 5,6 9,10 13,14
  // Which data of the hyperslab lies in the linear window [6, 14)?
  EXPECT_EQ(overlaps_of(RunCursor(s, shape), RunCursor::linear(6, 8)),
            (std::vector<Overlap>{{6, 1, 1, 0}, {9, 2, 2, 3}, {13, 1, 4, 7}}));
  // Which part of a linear window does the hyperslab cover?
  EXPECT_EQ(overlaps_of(RunCursor::linear(6, 8), TargetCursor(s, shape)),
            (std::vector<Overlap>{{6, 1, 0, 1}, {9, 2, 3, 2}, {13, 1, 7, 4}}));
  EXPECT_TRUE(overlaps_of(RunCursor::linear(15, 5), TargetCursor(s, shape)).empty());
  EXPECT_TRUE(overlaps_of(RunCursor::linear(6, 0), TargetCursor(s, shape)).empty());
}

TEST(BoundingBox, HyperslabsAndPoints) {
  const Box box = bounding_box(slab({1, 2}, {2, 3}, {3, 2}, {2, 1}));
  EXPECT_EQ(box.lo, (Extent{1, 2}));
  EXPECT_EQ(box.hi, (Extent{1 + 3 + 2, 2 + 4 + 1}));
  EXPECT_FALSE(box.empty());

  EXPECT_TRUE(bounding_box(slab({1, 2}, {0, 3})).empty());
  EXPECT_TRUE(bounding_box(slab({1, 2}, {2, 3}, {3, 3}, {1, 0})).empty());

  const Box points = bounding_box(Selection::points({{3, 1}, {0, 4}, {2, 2}}));
  EXPECT_EQ(points.lo, (Extent{0, 1}));
  EXPECT_EQ(points.hi, (Extent{4, 5}));
  EXPECT_TRUE(bounding_box(Selection::points(2, {})).empty());

  // Rank 0: one element, not empty; an empty rank-0 point list is empty.
  const Box scalar = bounding_box(slab({}, {}));
  EXPECT_TRUE(scalar.lo.empty());
  EXPECT_FALSE(scalar.empty());
  EXPECT_TRUE(scalar.intersects(scalar));
  EXPECT_TRUE(bounding_box(Selection::points(0, {})).empty());

  EXPECT_THROW(bounding_box(Selection::all()), InvalidArgument);
  EXPECT_NO_THROW(bounding_box(Selection::all().resolved(Extent{3})));
}

TEST(BoundingBox, Intersects) {
  const Box a{{0, 0}, {2, 3}};
  EXPECT_TRUE(a.intersects(Box{{1, 2}, {5, 5}}));
  EXPECT_FALSE(a.intersects(Box{{2, 0}, {5, 5}}));  // touching is not overlapping
  EXPECT_FALSE(a.intersects(Box{{0, 3}, {1, 4}}));
  EXPECT_FALSE(a.intersects(Box{{1, 1}, {1, 2}}));  // empty
  EXPECT_FALSE(Box({{1, 1}, {1, 2}}).intersects(a));
}

// ---------------------------------------------------------------------------------------------
// Randomized: small shapes, every kind of selection, cursors and intersections against brute force.

struct Spec {
  std::optional<Selection> selection;  // or, without one, a linear window
  u64 offset = 0, length = 0;
  std::vector<Element> elements(const Extent& shape) const {
    return selection ? reference_elements(*selection, shape) : linear_elements(offset, length);
  }
  RunCursor source(const Extent& shape) const {
    return selection ? RunCursor(*selection, shape) : RunCursor::linear(offset, length);
  }
};

class RandomSelections {
 public:
  explicit RandomSelections(u64 seed) : random_(seed) {}

  u64 uniform(u64 lo, u64 hi) { return std::uniform_int_distribution<u64>(lo, hi)(random_); }

  Extent shape() {
    Extent shape(uniform(0, 3));
    for (auto& e : shape) e = uniform(1, 6);
    return shape;
  }

  Selection hyperslab(const Extent& shape) {
    Extent start, stride, count, block;
    for (const u64 extent : shape) {
      const u64 b = uniform(1, extent);
      const u64 s = uniform(0, extent - b);
      const u64 t = uniform(b, b + 2);
      const u64 max_count = (extent - s - b) / t + 1;
      u64 c = uniform(1, max_count);
      if (uniform(0, 30) == 0) c = 0;
      start.push_back(s);
      stride.push_back(t);
      count.push_back(c);
      block.push_back(b);
    }
    return Selection::hyperslab(start, count, stride, block).resolved(shape);
  }

  Selection points(const Extent& shape) {
    const u64 n = uniform(0, 12);
    std::vector<u64> flat;
    for (u64 p = 0; p < n; ++p) {
      for (const u64 extent : shape) flat.push_back(uniform(0, extent - 1));
    }
    if (shape.empty()) flat.clear();  // rank-0 point lists hold no points
    // Often a sorted run of points, as callers write them.
    if (uniform(0, 2) == 0 && shape.size() == 1) std::sort(flat.begin(), flat.end());
    return Selection::points(shape.size(), flat).resolved(shape);
  }

  Spec spec(const Extent& shape, bool allow_linear) {
    switch (uniform(0, allow_linear ? 4 : 3)) {
      case 0:
      case 1: return {hyperslab(shape)};
      case 2: return {points(shape)};
      case 3: return {Selection::all().resolved(shape)};
      default: {
        const u64 n = num_elements(shape);
        const u64 offset = uniform(0, n);
        return {std::nullopt, offset, uniform(0, n - offset)};
      }
    }
  }

 private:
  std::mt19937_64 random_;
};

TEST(RandomizedAgainstBruteForce, CursorsAndIntersections) {
  RandomSelections random(20240611);
  for (int round = 0; round < 600; ++round) {
    const Extent shape = random.shape();
    const Spec source = random.spec(shape, true);
    const Spec target = random.spec(shape, true);
    SCOPED_TRACE(::testing::Message() << "round " << round << ", rank " << shape.size() << ", source "
                                      << (source.selection ? source.selection->describe() : "linear") << ", target "
                                      << (target.selection ? target.selection->describe() : "linear"));

    const auto source_elements = source.elements(shape);
    EXPECT_EQ(collect(source.source(shape)), reference_source_runs(source_elements));
    if (target.selection) expect_target_runs(*target.selection, shape);

    const std::vector<Overlap> overlaps =
        target.selection ? overlaps_of(source.source(shape), TargetCursor(*target.selection, shape))
                         : overlaps_of(source.source(shape), target.source(shape));
    EXPECT_EQ(expand(overlaps), reference_overlaps(source_elements, target.elements(shape)));
    expect_overlaps_sorted(overlaps);

    // The bounding boxes must not rule out a real overlap.
    if (source.selection && target.selection && !overlaps.empty()) {
      EXPECT_TRUE(bounding_box(*source.selection).intersects(bounding_box(*target.selection)));
    }
    if (source.selection) {
      const Box box = bounding_box(*source.selection);
      EXPECT_EQ(box.empty(), source_elements.empty());
      for (const Extent& c : reference_coordinates(*source.selection, shape)) {
        for (std::size_t d = 0; d < c.size(); ++d) {
          EXPECT_LE(box.lo[d], c[d]);
          EXPECT_LT(c[d], box.hi[d]);
        }
      }
    }
  }
}

}  // namespace
}  // namespace h5mf::selection
