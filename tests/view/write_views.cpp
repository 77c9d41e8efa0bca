// Writes one h5mf container per test pattern for the `h5mf view` checks (view_check.cmake), which
// compare h5dump and h5py of the view with the merged file.
//
//   write_views PATH PATTERN [SEED]
//
// Patterns:
//   layout       nested groups, attributes, 1-D/2-D/3-D hyperslab writes (boxes and strided), fill
//                values, unwritten regions, a grown unlimited dataset, chunked, scalar, empty
//   overlap      overwrites in later epochs and within an epoch, partial and whole, strided; and
//                two workers writing the same rows in the same epoch (the higher writer id wins)
//   writers      three independent writers, row blocks over four steps: coalesced to few mappings
//   points       a few point writes: duplicates within a record, overwritten points, points over
//                hyperslabs
//   random       300 random writes (boxes, strided slabs, points) over 2-D and 3-D datasets, with
//                flushes between some: overlaps of every kind, checked against the merge
//   base         a container over an existing HDF5 file (PATH is the file; the container is
//                PATH.h5mf): new datasets, and base datasets partly overwritten (also by more
//                scattered records than the view keeps a union of)
//   damaged      a record whose data fail their checksum: left out of the view, as of the merge
//   filtered     chunked datasets with filters (shuffle, deflate, fletcher32; scaleoffset), partly
//                written: the view maps the container's raw bytes, the merge compresses them
//   many_points  refused: 1500 points in one dataset
//   many_records refused: 12000 single-element writes that no mapping can join
//   many_blocks  refused: two interleaved strided writes of 15000 blocks each
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace {

using h5mf::DatasetCreate;
using h5mf::Extent;
using h5mf::File;
using h5mf::FileOptions;
using h5mf::Selection;
constexpr std::uint64_t kUnlimited = DatasetCreate::kUnlimited;

FileOptions coordinator(int writers) {
  FileOptions o;
  o.driver = h5mf::Driver::Multifile;
  o.writers = writers;
  return o;
}

FileOptions worker(int writer) {
  FileOptions o;
  o.driver = h5mf::Driver::Multifile;
  o.writer = writer;
  return o;
}

template <class T>
std::vector<T> counting(std::uint64_t n, T first) {
  std::vector<T> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<T>(first + static_cast<T>(i));
  return v;
}

void layout(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.attrs().set("title", "h5mf view test");
  f.attrs().set("version", std::int32_t{3});
  f.attrs().set("weights", std::vector<double>{0.25, 0.5, 1e-300});
  auto c = f.create_group("a/b/c");
  c.attrs().set("depth", std::int64_t{3});
  f.group("a").attrs().set("names", std::vector<std::string>{"x", "yy", ""});
  f.create_group("a/empty_group");

  // Three boxes, two of them adjacent (one mapping), and a gap that reads as the fill value.
  auto d1 = f.create_dataset("a/b/c/d1", DatasetCreate::of<std::int32_t>({100}).fill_value<std::int32_t>(-1));
  d1.write(counting<std::int32_t>(10, 0), Selection::hyperslab({0}, {10}));
  d1.write(counting<std::int32_t>(20, 10), Selection::hyperslab({10}, {20}));
  d1.write(counting<std::int32_t>(10, 50), Selection::hyperslab({50}, {10}));
  d1.attrs().set("units", "m");

  // Strided blocks, and two whole rows.
  auto d2 = f.create_dataset("a/d2", DatasetCreate::of<double>({8, 10}).fill_value<double>(0.5));
  d2.write(counting<double>(4 * 3 * 2, 100.25), Selection::hyperslab({0, 1}, {4, 3}, {2, 3}, {1, 2}));
  d2.write(counting<double>(2 * 10, -20.0), Selection::hyperslab({1, 0}, {2, 10}));
  d2.attrs().set("matrix", std::vector<float>{1, 2, 3, 4});

  // 3-D: a box and a strided selection in the fastest dimension.
  auto d3 = f.create_dataset<std::int16_t>("d3", {4, 5, 6});
  d3.write(counting<std::int16_t>(2 * 3 * 4, 1), Selection::hyperslab({1, 1, 1}, {2, 3, 4}));
  d3.write(counting<std::int16_t>(5 * 3, 100), Selection::hyperslab({0, 0, 0}, {1, 5, 3}, {1, 1, 2}, {1, 1, 1}));

  // Grown after creation; the rows written last are the ones the resize added.
  auto grown =
      f.create_dataset("grown", DatasetCreate::of<float>({2, 4}).max_shape({kUnlimited, 4}).fill_value<float>(7.0f));
  grown.write(counting<float>(8, 0.5f));
  grown.resize({6, 4});
  grown.write(counting<float>(8, 10.5f), Selection::hyperslab({2, 0}, {2, 4}));

  auto chunked = f.create_dataset("chunked", DatasetCreate::of<std::uint8_t>({10, 10}).chunk_shape({3, 3}));
  chunked.write(counting<std::uint8_t>(16, 200), Selection::hyperslab({2, 3}, {4, 4}));

  auto scalar = f.create_dataset<std::int64_t>("scalar", {});
  scalar.write(std::vector<std::int64_t>{42});
  scalar.write(std::vector<std::int64_t>{-43});  // the later write wins
  f.create_dataset("scalar_unwritten", DatasetCreate::of<double>({}).fill_value<double>(2.5));
  f.create_dataset("empty", DatasetCreate::of<std::int32_t>({0}).max_shape({kUnlimited}));
  f.create_dataset("unwritten", DatasetCreate::of<std::uint16_t>({5, 5}).fill_value<std::uint16_t>(9));
  f.create_dataset("wide", DatasetCreate::of<std::uint64_t>({3, 2}).max_shape({kUnlimited, kUnlimited}))
      .write(counting<std::uint64_t>(6, ~std::uint64_t{0} - 6));
  f.close();
}

void overlap(const std::string& path) {
  {
    File f(path, "w", coordinator(3));
    auto o1 = f.create_dataset("o1", DatasetCreate::of<std::int32_t>({20, 12}).fill_value<std::int32_t>(-9));
    auto o2 = f.create_dataset("sub/o2", DatasetCreate::of<std::int32_t>({30}).fill_value<std::int32_t>(-1));
    auto o3 = f.create_dataset("sub/o3", DatasetCreate::of<std::int16_t>({6, 6, 6}).fill_value<std::int16_t>(5));
    f.flush();
    o1.write(counting<std::int32_t>(20 * 12, 1000));
    o2.write(counting<std::int32_t>(10, 100), Selection::hyperslab({0}, {10}));
    o3.write(counting<std::int16_t>(6 * 6 * 6, 0));
    f.flush();  // next epoch: everything below replays after the writes above
    o1.write(counting<std::int32_t>(5 * 12, 2000), Selection::hyperslab({5, 0}, {5, 12}));
    // Same epoch, later sequence: wins over the rows just written where they meet.
    o1.write(counting<std::int32_t>(5 * 4, 3000), Selection::hyperslab({0, 2}, {5, 1}, {4, 1}, {1, 4}));
    o2.write(counting<std::int32_t>(10, 200), Selection::hyperslab({5}, {10}));
    o3.write(counting<std::int16_t>(3 * 3 * 3, 300), Selection::hyperslab({0, 0, 0}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}));
    f.flush();
    o1.write(counting<std::int32_t>(20 * 2, 4000), Selection::hyperslab({0, 0}, {20, 2}));
    o1.write(counting<std::int32_t>(2 * 2, 5000), Selection::hyperslab({15, 8}, {2, 2}));
    o1.write(counting<std::int32_t>(4 * 6, 6000), Selection::hyperslab({14, 6}, {4, 6}));  // hides the one before
    o2.write(counting<std::int32_t>(8, 300), Selection::hyperslab({12}, {8}));
    o2.write(counting<std::int32_t>(3, 400), Selection::hyperslab({1}, {3}, {4}, {1}));
    o3.write(counting<std::int16_t>(2 * 6 * 2, 500), Selection::hyperslab({2, 0, 1}, {2, 6, 2}, {2, 1, 3}, {1, 1, 1}));
    f.close();
  }
  // Two workers in one epoch, writer 2 before writer 1: where their rows meet, writer 2 still
  // wins (replay order is epoch, writer, sequence).
  for (int w : {2, 1}) {
    File f(path, "a", worker(w));
    const std::uint64_t first = w == 1 ? 10 : 12;
    f.dataset("o1").write(counting<std::int32_t>(4 * 12, 7000 * w), Selection::hyperslab({first, 0}, {4, 12}));
    f.dataset("sub/o2").write(counting<std::int32_t>(6, 50 * w), Selection::hyperslab({w == 1 ? 20u : 22u}, {6}));
    f.close();
  }
}

void writers(const std::string& path) {
  constexpr std::uint64_t kWriters = 3, kSteps = 4, kRows = 2, kCols = 5;
  {
    File f(path, "w", coordinator(static_cast<int>(kWriters)));
    f.create_dataset("rows", DatasetCreate::of<double>({kWriters * kSteps * kRows, kCols}).fill_value<double>(-1));
    f.create_dataset("series", DatasetCreate::of<std::int64_t>({kWriters * kSteps * 3}).max_shape({kUnlimited}));
    f.attrs().set("writers", std::int32_t{kWriters});
    f.close();
  }
  for (std::uint64_t w = 0; w < kWriters; ++w) {
    File f(path, "a", worker(static_cast<int>(w)));
    auto rows = f.dataset("rows");
    auto series = f.dataset("series");
    for (std::uint64_t t = 0; t < kSteps; ++t) {
      const std::uint64_t row = (t * kWriters + w) * kRows;
      rows.write(counting<double>(kRows * kCols, static_cast<double>(row) * 10.0),
                 Selection::hyperslab({row, 0}, {kRows, kCols}));
      series.write(counting<std::int64_t>(3, static_cast<std::int64_t>(100 * t + w)),
                   Selection::hyperslab({(t * kWriters + w) * 3}, {3}));
    }
    f.close();
  }
}

void points(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto p = f.create_dataset("p", DatasetCreate::of<std::int32_t>({10, 10}).fill_value<std::int32_t>(-1));
  p.write(counting<std::int32_t>(50, 0), Selection::hyperslab({0, 0}, {5, 10}, {2, 1}, {1, 1}));
  f.flush();
  // (1,1) twice: the second value wins. (3,3) is overwritten by a row below.
  p.write(std::vector<std::int32_t>{10, 20, 30, 40, 50}, Selection::points({{1, 1}, {2, 2}, {3, 3}, {1, 1}, {9, 9}}));
  f.flush();
  p.write(counting<std::int32_t>(10, 500), Selection::hyperslab({3, 0}, {1, 10}));
  p.write(std::vector<std::int32_t>{60, 70}, Selection::points({{5, 5}, {6, 6}}));
  p.write(counting<std::int32_t>(4, 900), Selection::hyperslab({5, 5}, {2, 2}));  // hides both points
  auto only = f.create_dataset("only_points", DatasetCreate::of<float>({8}).fill_value<float>(0.5f));
  only.write(std::vector<float>{1.5f, 2.5f, 3.5f}, Selection::points({{7}, {0}, {3}}));
  f.close();
}

// A random selection inside `shape`: mostly hyperslabs (strided in some dimensions), some points.
Selection random_selection(std::mt19937_64& rng, const Extent& shape) {
  auto below = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
  if (below(8) == 0) {
    std::vector<Extent> where(1 + below(6));
    for (auto& p : where) {
      for (auto n : shape) p.push_back(below(n));
    }
    return Selection::points(where);
  }
  Extent start, count, stride, block;
  for (auto n : shape) {
    const std::uint64_t b = 1 + below(std::min<std::uint64_t>(n, 4));
    const std::uint64_t st = b + below(3);  // stride == block: touching blocks
    const std::uint64_t s0 = below(n - b + 1);
    const std::uint64_t most = (n - s0 - b) / st + 1;
    start.push_back(s0);
    block.push_back(b);
    stride.push_back(st);
    count.push_back(1 + below(most));
  }
  return Selection::hyperslab(start, count, stride, block);
}

std::uint64_t seed = 20261120;  // of the random pattern

void random_writes(const std::string& path) {
  std::mt19937_64 rng(seed);
  File f(path, "w", coordinator(1));
  auto d2 = f.create_dataset("r2", DatasetCreate::of<std::int32_t>({40, 50}).fill_value<std::int32_t>(-1));
  auto d3 = f.create_dataset("deep/r3", DatasetCreate::of<std::int16_t>({7, 8, 9}).fill_value<std::int16_t>(-2));
  for (int i = 0; i < 300; ++i) {
    const bool deep = i % 3 == 0;
    const Selection s = random_selection(rng, deep ? d3.shape() : d2.shape());
    const std::uint64_t n = s.kind() == Selection::Kind::Points ? s.num_points() : s.num_elements();
    if (deep) {
      d3.write(counting<std::int16_t>(n, static_cast<std::int16_t>(i * 97 % 30000)), s);
    } else {
      d2.write(counting<std::int32_t>(n, i * 1000), s);
    }
    if (rng() % 10 == 0) f.flush();
  }
  f.close();
}

void base(const std::string& path) {
  {
    FileOptions sec2;
    sec2.driver = h5mf::Driver::Sec2;
    File f(path, "w", sec2);
    f.attrs().set("origin", "base file");
    auto coords = f.create_dataset<double>("coords", {10, 3});
    coords.write(counting<double>(30, 0.5));
    coords.attrs().set("units", "km");
    f.create_dataset<std::int32_t>("group/untouched", {5}).write(counting<std::int32_t>(5, 11));
    f.create_dataset("group/partly", DatasetCreate::of<std::int32_t>({6}).fill_value<std::int32_t>(-3))
        .write(std::vector<std::int32_t>{1, 2}, Selection::hyperslab({1}, {2}));
    f.create_dataset<std::int16_t>("scattered", {300}).write(counting<std::int16_t>(300, 1));
    f.close();
  }
  File f(path, "a", coordinator(1));
  f.dataset("coords").write(counting<double>(6, -100.0), Selection::hyperslab({2, 0}, {2, 3}));
  f.dataset("group/partly").write(std::vector<std::int32_t>{9}, Selection::hyperslab({2}, {1}));
  // More scattered records than the view keeps a union of: the base shows through the gaps.
  for (std::uint64_t i = 0; i < 100; ++i) {
    f.dataset("scattered")
        .write(std::vector<std::int16_t>{static_cast<std::int16_t>(-i)}, Selection::hyperslab({3 * i}, {1}));
  }
  auto distances = f.create_dataset("distances", DatasetCreate::of<double>({10}).fill_value<double>(-1));
  distances.write(counting<double>(5, 1.0), Selection::hyperslab({0}, {5}));
  f.attrs().set("added", std::int32_t{1});
  f.close();
}

void damaged(const std::string& path) {
  {
    File f(path, "w", coordinator(1));
    auto d = f.create_dataset("d", DatasetCreate::of<std::int32_t>({10}).fill_value<std::int32_t>(-1));
    d.write(counting<std::int32_t>(5, 1), Selection::hyperslab({0}, {5}));
    d.write(counting<std::int32_t>(5, 6), Selection::hyperslab({5}, {5}));
    f.close();
  }
  // One byte of the first record's data (after the data file's 64-byte header) flipped.
  std::FILE* file = std::fopen((path + "/0").c_str(), "r+b");
  if (!file || std::fseek(file, 65, SEEK_SET) != 0) throw std::runtime_error("cannot open " + path + "/0");
  const int byte = std::fgetc(file);
  std::fseek(file, 65, SEEK_SET);
  std::fputc(byte ^ 0xff, file);
  std::fclose(file);
}

void many_points(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto p = f.create_dataset<std::int32_t>("scattered", {3000});
  std::vector<Extent> where;
  for (std::uint64_t i = 0; i < 1500; ++i) where.push_back({2 * i});
  p.write(counting<std::int32_t>(1500, 0), Selection::points(where));
  f.close();
}

void many_records(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto r = f.create_dataset<std::int32_t>("elements", {30000});
  for (std::uint64_t i = 0; i < 12000; ++i) {
    r.write(std::vector<std::int32_t>{static_cast<std::int32_t>(i)}, Selection::hyperslab({2 * i}, {1}));
  }
  f.close();
}

void filtered(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto a = f.create_dataset(
      "packed",
      DatasetCreate::of<double>({40, 30}).chunk_shape({8, 8}).fill_value(-1.5).shuffle().deflate(6).fletcher32());
  std::vector<double> block(25 * 17);
  std::iota(block.begin(), block.end(), 0.5);
  a.write(block, Selection::hyperslab({3, 5}, {25, 17}));
  auto b = f.create_dataset("scaled", DatasetCreate::of<std::int32_t>({500}).scaleoffset(0).deflate(2));
  b.write(counting<std::int32_t>(200, -100), Selection::hyperslab({100}, {200}));
  f.close();
}

void many_blocks(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto s = f.create_dataset<std::int32_t>("interleaved", {30000});
  s.write(counting<std::int32_t>(15000, 0), Selection::hyperslab({0}, {15000}, {2}, {1}));
  s.write(counting<std::int32_t>(15000, -15000), Selection::hyperslab({1}, {15000}, {2}, {1}));
  f.close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: write_views PATH PATTERN [SEED]\n");
    return 2;
  }
  if (argc == 4) seed = std::stoull(argv[3]);
  const std::map<std::string, std::function<void(const std::string&)>> patterns = {
      {"layout", layout},           {"overlap", overlap},         {"writers", writers},
      {"points", points},           {"random", random_writes},    {"base", base},
      {"damaged", damaged},         {"many_points", many_points}, {"many_records", many_records},
      {"many_blocks", many_blocks}, {"filtered", filtered}};
  const auto it = patterns.find(argv[2]);
  if (it == patterns.end()) {
    std::fprintf(stderr, "write_views: unknown pattern '%s'\n", argv[2]);
    return 2;
  }
  try {
    it->second(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_views %s: %s\n", argv[2], e.what());
    return 1;
  }
  return 0;
}
