// Write patterns from MPI ranks, each written twice with the same calls: into an h5mf container
// and, with the raw HDF5 C API over MPI-IO, into a reference file. Rank 0 then reads the container
// directly, merges it, and requires the merged file to equal the reference element by element
// (libhdf5), by h5diff, and by h5py. Data are random with fixed seeds, so a wrong offset, order or
// conversion cannot pass. Every rank gets rank 0's verdict, so a failure never hangs the job.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <random>
#include <string_view>

#include "support.hpp"
#include "writers.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using u64 = std::uint64_t;

// A seed per (pattern, rank, step): every rank writes different values, every run the same ones.
u64 seed(std::string_view tag, int r, int step = 0) {
  u64 h = 1469598103934665603ull;
  for (char c : tag) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h ^ (static_cast<u64>(r) << 32) ^ static_cast<u64>(step) * 0x9E3779B97F4A7C15ull;
}

// Random values over the whole range of an integer type; floats in [-1000, 1000).
template <class T>
std::vector<T> random_values(u64 s, std::size_t n) {
  std::mt19937_64 g(s);
  std::vector<T> out(n);
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<double> u(-1000.0, 1000.0);
    for (auto& v : out) v = static_cast<T>(u(g));
  } else {
    for (auto& v : out) v = static_cast<T>(g());
  }
  return out;
}

template <class T>
std::vector<T> random_in(u64 s, std::size_t n, double lo, double hi) {
  std::mt19937_64 g(s);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> out(n);
  for (auto& v : out) v = static_cast<T>(u(g));
  return out;
}

// Rank r's share [first, end) of `total` items split as evenly as possible (uneven on purpose).
std::pair<u64, u64> share(u64 total, int r, int n) {
  return {total * static_cast<u64>(r) / static_cast<u64>(n), total * static_cast<u64>(r + 1) / static_cast<u64>(n)};
}

// Ends the job when a rank fails while writing: the other ranks may be inside a collective call
// that will never complete, so a clear message and MPI_Abort beat a hang until the ctest timeout.
template <class F>
void or_abort(const std::string& what, F&& step) {
  try {
    step();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] %s: %s\n[rank %d] aborting the job: the other ranks may wait for this one\n",
                 rank(), what.c_str(), e.what(), rank());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
}

struct Options {
  bool in_place = false;         // merge without output: the container is replaced by the file
  std::size_t buffer_bytes = 0;  // h5mf's per-writer buffer; 0: the default
};

// A check of the merged file that rank 0 makes after the common ones; returns failures as text.
using Check = std::function<std::string(const std::string& merged)>;

std::string hex(const std::vector<unsigned char>& bytes, std::size_t at, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = at; i < at + n && i < bytes.size(); ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// What rank 0 verifies once the container and the reference are written and closed.
std::string verify(const fs::path& container, const fs::path& reference, const fs::path& merged_path,
                   const Options& options, const Check& extra) {
  std::string failures;
  const std::string ref = reference.string();

  // Direct reads: the container before any merge reads like the reference.
  std::string read_failures;
  failures += capture("direct read of the container", [&] {
    h5mf::FileOptions o;
    o.driver = h5mf::Driver::Multifile;
    h5mf::File f(container.string(), "r", o);
    for (const auto& path : dataset_paths(ref)) {
      const DatasetBytes expected = read_dataset(ref, path);
      h5mf::Dataset d = f.dataset(path);
      const Extent shape = d.shape();
      if (shape != Extent(expected.dims.begin(), expected.dims.end())) {
        read_failures += "direct read: " + path + " has another shape\n";
        continue;
      }
      std::vector<unsigned char> bytes(expected.bytes.size());
      d.read_raw(bytes.data(), d.dtype(), Selection::all());
      if (bytes != expected.bytes) {
        const std::size_t esize = expected.element_size;
        std::size_t first = 0, differing = 0;
        for (std::size_t i = bytes.size() / esize; i-- > 0;) {
          if (std::memcmp(bytes.data() + i * esize, expected.bytes.data() + i * esize, esize) != 0) {
            first = i;
            ++differing;
          }
        }
        read_failures += "direct read: " + path + ": " + std::to_string(differing) + " of " +
                         std::to_string(bytes.size() / esize) + " elements differ from the reference, the first at " +
                         "linear index " + std::to_string(first) + " (bytes " + hex(bytes, first * esize, esize) +
                         ", expected " + hex(expected.bytes, first * esize, esize) + ")\n";
      }
    }
    f.close();
  });
  failures += read_failures;

  const std::string merged = options.in_place ? container.string() : merged_path.string();
  const std::string merge_error = capture("merge", [&] {
    h5mf::MergeReport report;
    if (options.in_place) {
      report = h5mf::merge(container.string());
    } else {
      report = h5mf::merge(container.string(), merge_to(merged));
    }
    if (report.records_dropped != 0 || !report.damage.empty()) {
      std::string lines;
      for (const auto& d : report.damage) lines += "\n  " + d;
      throw std::runtime_error("merge dropped " + std::to_string(report.records_dropped) + " records" + lines);
    }
  });
  if (!merge_error.empty()) return failures + merge_error;
  if (options.in_place) {
    // The directory is replaced by the file at the same path, and nothing is left beside it.
    if (!fs::is_regular_file(container)) failures += container.string() + " is not a file after an in-place merge\n";
    for (const char* suffix : {".h5mf-tmp", ".h5mf-old"}) {
      if (fs::exists(container.string() + suffix)) failures += "leftover " + container.string() + suffix + "\n";
    }
  }

  const std::string differences = compare_hdf5(merged, ref);
  if (!differences.empty()) failures += "libhdf5 comparison of the merged file with the reference:\n" + differences;

  std::string output;
  if (int status = run(std::string(h5diff()) + " " + quoted(merged) + " " + quoted(ref), &output); status != 0) {
    failures += "h5diff exited with " + std::to_string(status) + ":\n" + output;
  }
  if (int status =
          run(std::string(python()) + " " + quoted(h5py_compare_script()) + " " + quoted(merged) + " " + quoted(ref),
              &output);
      status != 0) {
    failures += "h5py comparison exited with " + std::to_string(status) + ":\n" + output;
  }
  if (extra) {
    std::string extra_failures;
    failures += capture("pattern check", [&] { extra_failures = extra(merged); });
    failures += extra_failures;
  }
  return failures;
}

// Runs `pattern` (a generic callable taking a writer) on an h5mf container and on a reference
// file, then has rank 0 verify the merge; every rank expects rank 0's verdict.
template <class Pattern>
void check_pattern(Pattern&& pattern, const Check& extra = {}, const Options& options = {}) {
  const fs::path dir = test_dir();
  const fs::path container = dir / "container.h5", reference = dir / "reference.h5", merged = dir / "merged.h5",
                 parallel_merged = dir / "merged_parallel.h5";
  or_abort("writing the h5mf container", [&] {
    H5mfWriter w(container.string(), options.buffer_bytes);
    pattern(w);
    w.close();
  });
  or_abort("writing the reference file", [&] {
    ReferenceWriter w(reference.string());
    pattern(w);
    w.close();
  });
  // The same program through h5mf's mpio driver (issue 6: one word switches the back end).
  const fs::path through_mpio = dir / "mpio.h5";
  or_abort("writing through the mpio driver", [&] {
    H5mfWriter w(through_mpio.string(), options.buffer_bytes, h5mf::Driver::Mpio);
    pattern(w);
    w.close();
  });
  barrier();
  std::string mpio_failures;
  if (rank() == 0) {
    mpio_failures = capture("mpio comparison", [&] {
      const std::string differences = compare_hdf5(through_mpio.string(), reference.string());
      if (!differences.empty()) mpio_failures += "the mpio driver's file differs from the reference:\n" + differences;
      std::string output;
      if (int status = run(
              std::string(h5diff()) + " " + quoted(through_mpio.string()) + " " + quoted(reference.string()), &output);
          status != 0) {
        mpio_failures += "h5diff of the mpio driver's file exited with " + std::to_string(status) + ":\n" + output;
      }
    });
  }

  // The merge engine over every rank of the job (collective), with small windows and two threads
  // per rank, so that records straddle windows and ranks.
  std::string failures = gathered(capture("parallel merge", [&] {
    h5mf::MergeOptions o = merge_to(parallel_merged.string());
    o.comm = MPI_COMM_WORLD;
    o.threads = 2;
    o.memory_budget = std::size_t{1} << 20;
    h5mf::merge(container.string(), o);
  }));
  if (rank() == 0 && failures.empty()) {
    const std::string differences = compare_hdf5(parallel_merged.string(), reference.string());
    if (!differences.empty())
      failures += "parallel merge (" + std::to_string(size()) + " ranks) differs from the reference:\n" + differences;
  }

  failures += mpio_failures;
  if (rank() == 0) {
    failures += verify(container, reference, merged, options, extra);
    if (!failures.empty()) failures = "container " + container.string() + ":\n" + failures;
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// Rank 0's check that `path` in the merged file holds `expected`, read as T.
template <class T>
std::string expect_values(const std::string& merged, const std::string& path, const std::vector<T>& expected) {
  const auto actual = read_as<T>(merged, path, Types<T>::native());
  if (actual.size() != expected.size()) {
    return path + ": " + std::to_string(actual.size()) + " elements, expected " + std::to_string(expected.size()) +
           "\n";
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::memcmp(&actual[i], &expected[i], sizeof(T)) != 0) {
      return path + ": element " + std::to_string(i) + " is " + std::to_string(actual[i]) + ", expected " +
             std::to_string(expected[i]) + "\n";
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Contiguous blocks

auto blocks_1d = [](auto& w) {
  const u64 total = 4099;
  w.create_dataset("x", as<double>, {total});
  const auto [first, end] = share(total, rank(), size());
  w.write("x", random_values<double>(seed("blocks1d", rank()), end - first),
          Selection::hyperslab({first}, {end - first}));
};

TEST(Patterns, Blocks1D) { check_pattern(blocks_1d); }

// The same pattern merged in place: `merge(path)` replaces the directory by the file.
TEST(Patterns, Blocks1DMergedInPlace) { check_pattern(blocks_1d, {}, {.in_place = true}); }

TEST(Patterns, RowBlocks2D) {
  check_pattern([](auto& w) {
    const u64 rows = 10 * ranks() + 3, cols = 17;
    w.create_dataset("m", as<float>, {rows, cols});
    const auto [r0, r1] = share(rows, rank(), size());
    w.write("m", random_values<float>(seed("rows", rank()), (r1 - r0) * cols),
            Selection::hyperslab({r0, 0}, {r1 - r0, cols}));
  });
}

TEST(Patterns, ColumnBlocks2D) {
  check_pattern([](auto& w) {
    const u64 rows = 19, cols = 8 * ranks() + 5;
    w.create_dataset("m", as<std::int64_t>, {rows, cols});
    const auto [c0, c1] = share(cols, rank(), size());
    w.write("m", random_values<std::int64_t>(seed("cols", rank()), rows * (c1 - c0)),
            Selection::hyperslab({0, c0}, {rows, c1 - c0}));
  });
}

// Ranks on a px x py grid over dimensions 1 and 2; every rank spans dimension 0.
TEST(Patterns, Blocks3D) {
  check_pattern([](auto& w) {
    const Extent shape{6, 9, 11};
    const int py = size() >= 2 ? 2 : 1, px = size() / py;
    w.create_dataset("cube", as<std::uint16_t>, shape);
    const auto [y0, y1] = share(shape[1], rank() / py, px);
    const auto [z0, z1] = share(shape[2], rank() % py, py);
    w.write("cube", random_values<std::uint16_t>(seed("cube", rank()), shape[0] * (y1 - y0) * (z1 - z0)),
            Selection::hyperslab({0, y0, z0}, {shape[0], y1 - y0, z1 - z0}));
  });
}

// ---------------------------------------------------------------------------------------------
// Strided selections

// Rank r writes elements r, r+n, r+2n...: interleaved with the other ranks. Then the same with a
// period of n+1, leaving one element per period that nobody writes, and blocks of 3 with a stride
// of 3n+2.
TEST(Patterns, StridedInterleaved) {
  check_pattern([](auto& w) {
    const u64 n = ranks(), count = 500;
    w.create_dataset("s", as<std::int32_t>, {n * count});
    w.write("s", random_values<std::int32_t>(seed("s", rank()), count), Selection::hyperslab({me()}, {count}, {n}));

    w.create_dataset("s_gaps", as<std::int32_t>, {(n + 1) * count}, std::optional<std::int32_t>(-1));
    w.write("s_gaps", random_values<std::int32_t>(seed("s_gaps", rank()), count),
            Selection::hyperslab({me()}, {count}, {n + 1}));

    const u64 bperiod = 3 * n + 2, bcount = 200;
    w.create_dataset("sb", as<std::int16_t>, {bperiod * bcount});
    w.write("sb", random_values<std::int16_t>(seed("sb", rank()), bcount * 3),
            Selection::hyperslab({3 * me()}, {bcount}, {bperiod}, {3}));
  });
}

// 2-D tiles: blocks of 3 rows x 2 columns, strided in both dimensions, interleaved by row bands
// between ranks, with a fill value where no tile lands; the same into a chunked dataset.
TEST(Patterns, Tiles2D) {
  check_pattern([](auto& w) {
    const u64 n = ranks();
    const Extent shape{12 * n, 40};
    const auto tiles = Selection::hyperslab({3 * me(), 1}, {4, 7}, {3 * n, 5}, {3, 2});
    w.create_dataset("t", as<double>, shape, std::optional<double>(-1.5));
    w.write("t", random_values<double>(seed("t", rank()), 4 * 3 * 7 * 2), tiles);
    w.create_dataset("tc", as<double>, shape, std::optional<double>(0.25), Layout{{}, {5, 7}});
    w.write("tc", random_values<double>(seed("tc", rank()), 4 * 3 * 7 * 2), tiles);
  });
}

// ---------------------------------------------------------------------------------------------
// Point selections: each rank a scattered, shuffled set of points that no other rank writes.

std::vector<u64> my_points(u64 total, int r, int n, std::size_t want, u64 s) {
  std::vector<u64> mine;
  for (u64 i = static_cast<u64>(r); i < total; i += static_cast<u64>(n)) mine.push_back(i);
  std::mt19937_64 g(s);
  std::shuffle(mine.begin(), mine.end(), g);
  mine.resize(std::min(want, mine.size()));
  return mine;
}

TEST(Patterns, Points) {
  check_pattern([](auto& w) {
    w.create_dataset("p1", as<std::uint8_t>, {1000}, std::optional<std::uint8_t>(7));
    const auto linear1 = my_points(1000, rank(), size(), 100, seed("p1-points", rank()));
    std::vector<Extent> points1;
    for (u64 i : linear1) points1.push_back({i});
    w.write("p1", random_values<std::uint8_t>(seed("p1", rank()), points1.size()), Selection::points(points1));

    w.create_dataset("p2", as<std::int32_t>, {50, 40});
    std::vector<u64> flat;
    for (u64 i : my_points(2000, rank(), size(), 300, seed("p2-points", rank()))) {
      flat.push_back(i / 40);
      flat.push_back(i % 40);
    }
    w.write("p2", random_values<std::int32_t>(seed("p2", rank()), flat.size() / 2), Selection::points(2, flat));

    w.create_dataset("p3", as<double>, {5, 6, 7}, std::optional<double>(3.5));
    std::vector<Extent> points3;
    for (u64 i : my_points(210, rank(), size(), 50, seed("p3-points", rank())))
      points3.push_back({i / 42, i / 7 % 6, i % 7});
    w.write("p3", random_values<double>(seed("p3", rank()), points3.size()), Selection::points(points3));
  });
}

// ---------------------------------------------------------------------------------------------
// The last rank writes nothing (only an empty selection) while the others write their blocks; it
// still takes part in every collective call.

TEST(Patterns, IdleRank) {
  check_pattern(
      [](auto& w) {
        const u64 block = 100, total = block * ranks();
        w.create_dataset("y", as<std::int16_t>, {total}, std::optional<std::int16_t>(42));
        if (rank() != size() - 1) {
          w.write("y", random_values<std::int16_t>(seed("idle", rank()), block),
                  Selection::hyperslab({me() * block}, {block}));
        } else {
          w.write("y", std::vector<std::int16_t>{}, Selection::hyperslab({0}, {0}));
        }
        w.attr("y", "idle_rank", static_cast<std::int32_t>(size() - 1));
      },
      [](const std::string& merged) {
        const auto y = read_as<std::int16_t>(merged, "/y", H5T_NATIVE_INT16);
        const u64 block = 100;
        for (u64 i = (ranks() - 1) * block; i < ranks() * block; ++i) {
          if (y.at(i) != 42)
            return "/y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", expected the fill 42\n";
        }
        return std::string();
      });
}

// ---------------------------------------------------------------------------------------------
// Every integer and float type, and writes whose memory type differs from the dataset's type
// (converted by HDF5's routines, including out-of-range values that HDF5 clips).

TEST(Patterns, MixedTypes) {
  check_pattern(
      [](auto& w) {
        const u64 block = 256, total = block * ranks();
        const auto mine = Selection::hyperslab({me() * block}, {block});
        auto same = [&](auto tag, const std::string& name) {
          using T = typename decltype(tag)::type;
          w.create_dataset(name, as<T>, {total});
          w.write(name, random_values<T>(seed(name, rank()), block), mine);
        };
        same(as<std::int8_t>, "i8");
        same(as<std::uint8_t>, "u8");
        same(as<std::int16_t>, "i16");
        same(as<std::uint16_t>, "u16");
        same(as<std::int32_t>, "i32");
        same(as<std::uint32_t>, "u32");
        same(as<std::int64_t>, "i64");
        same(as<std::uint64_t>, "u64");
        same(as<float>, "f32");
        same(as<double>, "f64");

        w.create_dataset("f64_from_i32", as<double>, {total});
        w.write("f64_from_i32", random_values<std::int32_t>(seed("f64_from_i32", rank()), block), mine);
        w.create_dataset("f32_from_f64", as<float>, {total});
        w.write("f32_from_f64", random_values<double>(seed("f32_from_f64", rank()), block), mine);
        w.create_dataset("i16_from_f64", as<std::int16_t>, {total});
        w.write("i16_from_f64", random_in<double>(seed("i16_from_f64", rank()), block, -50000, 50000), mine);
        w.create_dataset("u8_from_i64", as<std::uint8_t>, {total});
        w.write("u8_from_i64", random_in<std::int64_t>(seed("u8_from_i64", rank()), block, -300, 300), mine);
        w.create_dataset("i64_from_u16", as<std::int64_t>, {total});
        w.write("i64_from_u16", random_values<std::uint16_t>(seed("i64_from_u16", rank()), block), mine);
        w.create_dataset("u32_from_f32", as<std::uint32_t>, {total});
        w.write("u32_from_f32", random_in<float>(seed("u32_from_f32", rank()), block, -10, 1e9), mine);
      },
      [](const std::string& merged) {
        // Independent of the reference: int32 -> float64 is exact.
        std::vector<double> expected;
        for (int r = 0; r < size(); ++r) {
          for (auto v : random_values<std::int32_t>(seed("f64_from_i32", r), 256)) expected.push_back(v);
        }
        return expect_values(merged, "/f64_from_i32", expected);
      });
}

// ---------------------------------------------------------------------------------------------
// Fill values: regions nobody writes read as the dataset's fill value after the merge.

TEST(Patterns, FillValues) {
  check_pattern(
      [](auto& w) {
        const u64 n = ranks();
        w.create_dataset("fi", as<std::int32_t>, {30 * n, 20}, std::optional<std::int32_t>(-7));
        w.write("fi", random_values<std::int32_t>(seed("fi", rank()), 18 * 12),
                Selection::hyperslab({30 * me() + 2, 3}, {18, 12}));
        w.create_dataset("fd", as<double>, {64 * n}, std::optional<double>(2.5));
        w.write("fd", random_values<double>(seed("fd", rank()), 32), Selection::hyperslab({64 * me()}, {32}));
        w.create_dataset("never", as<std::uint32_t>, {100}, std::optional<std::uint32_t>(0xDEADBEEF));
        w.create_dataset("zero", as<std::int64_t>, {10 * n});
        w.write("zero", random_values<std::int64_t>(seed("zero", rank()), 5),
                Selection::hyperslab({10 * me() + 5}, {5}));
        // A float dataset with an int fill value (h5py: dtype='f4', fillvalue=-1): the dataset stays float.
        w.create_dataset_filled("ff", as<float>, {8 * n}, std::int32_t{-1});
        w.write("ff", random_values<float>(seed("ff", rank()), 1), Selection::hyperslab({8 * me() + 7}, {1}));
      },
      [](const std::string& merged) {
        std::string failures;
        const auto never = read_as<std::uint32_t>(merged, "/never", H5T_NATIVE_UINT32);
        if (std::any_of(never.begin(), never.end(), [](auto v) { return v != 0xDEADBEEF; })) {
          failures += "/never: an element is not the fill value 0xDEADBEEF\n";
        }
        const auto fi = read_as<std::int32_t>(merged, "/fi", H5T_NATIVE_INT32);
        for (u64 i = 0; i < fi.size(); ++i) {
          const u64 row = i / 20 % 30, col = i % 20;
          const bool written = row >= 2 && row < 20 && col >= 3 && col < 15;
          if (!written && fi[i] != -7) {
            failures +=
                "/fi: element " + std::to_string(i) + " is " + std::to_string(fi[i]) + ", expected the fill -7\n";
            break;
          }
        }
        const auto fd = read_as<double>(merged, "/fd", H5T_NATIVE_DOUBLE);
        for (u64 i = 0; i < fd.size(); ++i) {
          if (i % 64 >= 32 && fd[i] != 2.5) {
            failures += "/fd: element " + std::to_string(i) + " is not the fill 2.5\n";
            break;
          }
        }
        return failures;
      });
}

// ---------------------------------------------------------------------------------------------
// Overlapping writes. By one rank in sequence, the later write wins; by different ranks in
// different epochs (separated by flush, a collective call), the later epoch wins whatever the
// writer ids.

// One rank's steps over its own block of "o", each a selection with its indices and values.
struct Step {
  Selection selection;
  std::vector<u64> indices;
  std::vector<std::int32_t> values;
};

std::vector<Step> overlap_steps(int r) {
  const u64 base = 100 * static_cast<u64>(r);
  std::vector<Step> steps;
  auto range = [&](u64 first, u64 count, int k) {
    Step s{Selection::hyperslab({base + first}, {count}), {}, random_values<std::int32_t>(seed("o", r, k), count)};
    for (u64 i = 0; i < count; ++i) s.indices.push_back(base + first + i);
    steps.push_back(std::move(s));
  };
  range(0, 100, 0);  // the whole block
  range(10, 50, 1);  // over part of it
  {
    Step s{Selection::points({{base + 20}, {base + 5}, {base + 99}, {base + 20}}),
           {base + 20, base + 5, base + 99, base + 20},
           random_values<std::int32_t>(seed("o", r, 2), 4)};
    steps.push_back(std::move(s));  // a point listed twice: its later value wins
  }
  {
    Step s{Selection::hyperslab({base + 1}, {25}, {4}), {}, random_values<std::int32_t>(seed("o", r, 3), 25)};
    for (u64 i = 0; i < 25; ++i) s.indices.push_back(base + 1 + 4 * i);
    steps.push_back(std::move(s));
  }
  range(40, 2, 4);
  return steps;
}

TEST(Patterns, OverlapSameRank) {
  check_pattern(
      [](auto& w) {
        w.create_dataset("o", as<std::int32_t>, {100 * ranks()});
        for (const auto& s : overlap_steps(rank())) {
          if constexpr (std::decay_t<decltype(w)>::is_reference) {
            // HDF5 does not define which of two equal points in one selection wins; replay the
            // point step one point at a time in the reference, in list order.
            if (s.selection.kind() == Selection::Kind::Points) {
              for (std::size_t i = 0; i < s.indices.size(); ++i) {
                w.write("o", std::vector<std::int32_t>{s.values[i]}, Selection::points({{s.indices[i]}}));
              }
              continue;
            }
          }
          w.write("o", s.values, s.selection);
        }
      },
      [](const std::string& merged) {
        std::vector<std::int32_t> expected(100 * ranks());
        for (int r = 0; r < size(); ++r) {
          for (const auto& s : overlap_steps(r)) {
            for (std::size_t i = 0; i < s.indices.size(); ++i) expected[s.indices[i]] = s.values[i];
          }
        }
        return expect_values(merged, "/o", expected);
      });
}

// Epoch 1: rank 0 writes everything. Epoch 2: the last rank overwrites the middle. Epoch 3: rank 0
// overwrites part of that again, and the last rank writes the head.
std::vector<double> epoch_values(int step, u64 count) { return random_values<double>(seed("epochs", 0, step), count); }

TEST(Patterns, OverlapAcrossEpochs) {
  check_pattern(
      [](auto& w) {
        const int last = size() - 1;
        w.create_dataset("e", as<double>, {200});
        if (rank() == 0) w.write("e", epoch_values(0, 200), Selection::hyperslab({0}, {200}));
        w.flush();
        if (rank() == last) w.write("e", epoch_values(1, 100), Selection::hyperslab({50}, {100}));
        w.flush();
        if (rank() == 0) w.write("e", epoch_values(2, 20), Selection::hyperslab({100}, {20}));
        if (rank() == last) w.write("e", epoch_values(3, 10), Selection::hyperslab({0}, {10}));
      },
      [](const std::string& merged) {
        std::vector<double> expected = epoch_values(0, 200);
        auto put = [&](u64 first, const std::vector<double>& v) {
          std::copy(v.begin(), v.end(), expected.begin() + static_cast<std::ptrdiff_t>(first));
        };
        put(50, epoch_values(1, 100));
        put(100, epoch_values(2, 20));
        put(0, epoch_values(3, 10));
        return expect_values(merged, "/e", expected);
      });
}

// ---------------------------------------------------------------------------------------------
// Nested groups and attributes (numeric scalars, arrays, strings) on the file, groups, datasets.

TEST(Patterns, GroupsAndAttributes) {
  check_pattern(
      [](auto& w) {
        w.create_group("a/b/c");
        w.create_group("a/d");
        w.create_group("e");
        w.create_dataset("a/b/c/data", as<std::int32_t>, {10 * ranks()});
        w.write("a/b/c/data", random_values<std::int32_t>(seed("data", rank()), 10),
                Selection::hyperslab({10 * me()}, {10}));
        w.create_dataset("e/values", as<float>, {5});
        if (rank() == 0) w.write("e/values", random_values<float>(seed("values", 0), 5), Selection::all());

        w.attr("/", "title", std::string("h5mf test"));
        w.attr("/", "version", std::int32_t{3});
        w.attr("/", "coeffs", std::vector<double>{0.5, -1.25, 3e10});
        w.attr("/", "tags", std::vector<std::string>{"x", "yy", "zzz"});
        w.attr("/a/b", "count", std::uint64_t{18446744073709551615ull});
        w.attr("/a/b", "bytes", std::vector<std::uint8_t>{0, 1, 254, 255});
        w.attr("/a/d", "empty_string", std::string());
        w.attr("/a/b/c/data", "units", std::string("m/s"));
        w.attr("/a/b/c/data", "scale", 0.125f);
        w.attr("/a/b/c/data", "range", std::vector<std::int64_t>{-9000000000ll, 9000000000ll});
        w.attr("/a/b/c/data", "non_ascii", std::string("Dichte ρ in kg/m³"));
        w.attr("/", "version", std::int32_t{4});  // replaces 3
        w.attr("/e", "temporary", std::int8_t{1});
        w.remove_attr("/e", "temporary");
      },
      [](const std::string& merged) {
        std::string output, failures;
        if (int status = run(std::string(h5dump()) + " -A " + quoted(merged), &output); status != 0) {
          return "h5dump -A exited with " + std::to_string(status) + ":\n" + output;
        }
        for (const char* needle : {"GROUP \"c\"", "ATTRIBUTE \"title\"", "\"h5mf test\"", "ATTRIBUTE \"units\"",
                                   "\"m/s\"", "\"zzz\"", "18446744073709551615", "ATTRIBUTE \"version\""}) {
          if (output.find(needle) == std::string::npos)
            failures += "h5dump -A does not show " + std::string(needle) + "\n";
        }
        if (output.find("temporary") != std::string::npos) failures += "h5dump -A shows the removed attribute\n";
        const std::string script =
            "import h5py, numpy\n"
            "f = h5py.File('" +
            merged +
            "', 'r')\n"
            "assert f.attrs['title'] == 'h5mf test', f.attrs['title']\n"
            "assert f.attrs['version'] == 4\n"
            "assert list(f.attrs['tags']) == ['x', 'yy', 'zzz'], f.attrs['tags']\n"
            "assert f['a/b'].attrs['count'] == 2**64 - 1\n"
            "assert f['a/b/c/data'].attrs['non_ascii'] == 'Dichte \\u03c1 in kg/m\\u00b3'\n"
            "assert 'temporary' not in f['e'].attrs\n"
            "assert f['a/b/c/data'].shape == (" +
            std::to_string(10 * ranks()) + ",)\n";
        if (int status = run(std::string(python()) + " -c " + quoted(script), &output); status != 0) {
          failures += "h5py attribute checks failed:\n" + output;
        }
        return failures;
      });
}

// ---------------------------------------------------------------------------------------------
// Many 1-element writes (through a small buffer that fills and drains many times), rewriting some
// elements later; and one large write per rank that bypasses the buffer between small ones.

TEST(Patterns, SmallWrites) {
  check_pattern(
      [](auto& w) {
        const u64 n = ranks(), slots = 2000;
        w.create_dataset("sw", as<std::int32_t>, {slots * n});
        std::vector<u64> order(slots);
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 g(seed("sw-order", rank()));
        std::shuffle(order.begin(), order.end(), g);
        const auto values = random_values<std::int32_t>(seed("sw", rank()), slots + 200);
        for (u64 k = 0; k < slots; ++k) {
          w.write("sw", std::vector<std::int32_t>{values[k]}, Selection::hyperslab({order[k] * n + me()}, {1}));
        }
        for (u64 k = 0; k < 200; ++k) {  // later writes to slots already written
          w.write("sw", std::vector<std::int32_t>{values[slots + k]},
                  Selection::hyperslab({order[k * 7 % slots] * n + me()}, {1}));
        }

        w.create_dataset("sw2", as<double>, {20 * n, 30}, std::optional<double>(-2.0));
        std::uniform_int_distribution<u64> row(20 * me(), 20 * me() + 19), col(0, 29);
        const auto v2 = random_values<double>(seed("sw2", rank()), 600);
        for (u64 k = 0; k < 600; ++k) w.write("sw2", std::vector<double>{v2[k]}, Selection::points({{row(g), col(g)}}));
      },
      {}, {.buffer_bytes = 4096});
}

TEST(Patterns, LargeWrite) {
  check_pattern([](auto& w) {
    // 16 MiB in all: a rank's block is at least 4 MiB, half of the default 8 MiB buffer, so it
    // goes straight to the data file, between buffered writes that must stay in order around it.
    const u64 total = u64{2} << 20;
    w.create_dataset("big", as<double>, {total});
    const auto [first, end] = share(total, rank(), size());
    const u64 count = end - first;
    std::mt19937_64 g(seed("big-positions", rank()));
    std::uniform_int_distribution<u64> at(first, end - 1);
    const auto before = random_values<double>(seed("big-before", rank()), 1000);
    for (double v : before) w.write("big", std::vector<double>{v}, Selection::hyperslab({at(g)}, {1}));
    w.write("big", random_values<double>(seed("big", rank()), count), Selection::hyperslab({first}, {count}));
    const auto after = random_values<double>(seed("big-after", rank()), 100);
    for (double v : after) w.write("big", std::vector<double>{v}, Selection::hyperslab({at(g)}, {1}));
    const u64 medium = u64{1} << 17;  // 1 MiB, buffered, over the large write
    w.write("big", random_values<double>(seed("big-medium", rank()), medium),
            Selection::hyperslab({first + count / 3}, {medium}));
  });
}

// ---------------------------------------------------------------------------------------------
// Chunked, extendible datasets resized collectively between writes, in the first and in a later
// dimension (where element coordinates, not linear offsets, must survive the resize).

TEST(Patterns, ChunkedResize) {
  check_pattern([](auto& w) {
    const u64 n = ranks(), inf = h5mf::DatasetCreate::kUnlimited;
    w.create_dataset("grow", as<std::int32_t>, {50 * n}, std::optional<std::int32_t>(-3), Layout{{inf}, {64}});
    w.write("grow", random_values<std::int32_t>(seed("grow", rank()), 50), Selection::hyperslab({50 * me()}, {50}));
    w.resize("grow", {120 * n});
    w.write("grow", random_values<std::int32_t>(seed("grow", rank(), 1), 70),
            Selection::hyperslab({50 * n + 70 * me()}, {70}));

    w.create_dataset("grow2", as<float>, {4, 10}, std::optional<float>(9.0f), Layout{{inf, 20}, {3, 4}});
    const u64 my_rows = (4 - std::min<u64>(me(), 4) + n - 1) / n;  // rows r, r+n, ... below 4
    if (my_rows > 0) {
      w.write("grow2", random_values<float>(seed("grow2", rank()), my_rows * 10),
              Selection::hyperslab({me(), 0}, {my_rows, 10}, {n, 1}));
    }
    w.resize("grow2", {4 + 2 * n, 20});
    w.write("grow2", random_values<float>(seed("grow2", rank(), 1), 2 * 20),
            Selection::hyperslab({4 + 2 * me(), 0}, {2, 20}));
    if (my_rows > 0) {
      w.write("grow2", random_values<float>(seed("grow2", rank(), 2), my_rows * 5),
              Selection::hyperslab({me(), 12}, {my_rows, 5}, {n, 1}));
    }

    // Mostly unwritten: most chunks (and merge windows) hold nothing but the fill value.
    w.create_dataset("sparse", as<std::int32_t>, {4000, 100}, std::optional<std::int32_t>(5), Layout{{}, {10, 100}});
    w.write("sparse", random_values<std::int32_t>(seed("sparse", rank()), 5 * 100),
            Selection::hyperslab({1000 * me() + 990, 0}, {5, 100}));
  });
}

// ---------------------------------------------------------------------------------------------
// Explicit file types (DatasetCreate::dtype "a memory type or an explicit file type"): big-endian
// numbers and a compound, written from native memory and converted by HDF5.

struct Particle {
  std::int32_t id;
  double energy;
};

TEST(Patterns, ExplicitFileTypes) {
  check_pattern([](auto& w) {
    const u64 block = 64, total = block * ranks();
    const auto mine = Selection::hyperslab({me() * block}, {block});
    w.create_dataset_typed("i32be", H5T_STD_I32BE, {total});
    w.write("i32be", random_values<std::int32_t>(seed("i32be", rank()), block), mine);
    w.create_dataset_typed("f64be", H5T_IEEE_F64BE, {total});
    w.write("f64be", random_values<double>(seed("f64be", rank()), block), mine);
    w.create_dataset_typed("u16be", H5T_STD_U16BE, {total});
    w.write("u16be", random_values<std::uint16_t>(seed("u16be", rank()), block), mine);

    // A packed little-endian compound in the file, written from the padded native struct.
    const hid_t file_type = H5Tcreate(H5T_COMPOUND, 12);
    H5Tinsert(file_type, "id", 0, H5T_STD_I32LE);
    H5Tinsert(file_type, "energy", 4, H5T_IEEE_F64LE);
    const hid_t memory_type = H5Tcreate(H5T_COMPOUND, sizeof(Particle));
    H5Tinsert(memory_type, "id", offsetof(Particle, id), H5T_NATIVE_INT32);
    H5Tinsert(memory_type, "energy", offsetof(Particle, energy), H5T_NATIVE_DOUBLE);
    w.create_dataset_typed("particles", file_type, {total});
    const auto ids = random_values<std::int32_t>(seed("ids", rank()), block);
    const auto energies = random_values<double>(seed("energies", rank()), block);
    std::vector<Particle> particles(block);
    for (u64 i = 0; i < block; ++i) particles[i] = {ids[i], energies[i]};
    w.write_raw("particles", memory_type, particles.data(), mine);
    H5Tclose(memory_type);
    H5Tclose(file_type);
  });
}

// ---------------------------------------------------------------------------------------------
// Scalar and zero-sized datasets.

TEST(Patterns, ScalarAndEmptyDatasets) {
  check_pattern([](auto& w) {
    w.create_dataset("scalar", as<double>, {});
    if (rank() == size() - 1) w.write("scalar", std::vector<double>{3.25}, Selection::all());
    w.create_dataset("scalar_fill", as<std::int32_t>, {}, std::optional<std::int32_t>(17));
    w.create_dataset("empty", as<float>, {0});
    w.create_dataset("empty2", as<std::int64_t>, {3, 0});
    w.write("empty2", std::vector<std::int64_t>{}, Selection::all());
  });
}

// ---------------------------------------------------------------------------------------------
// Later sessions: the container closed and opened again ("a", then "r+") by the same job; writes
// of a later session win over earlier ones, new objects and attribute values are added.

struct Session {
  u64 first, count;
  std::vector<std::int32_t> values;
};
std::vector<Session> session_writes(int r) {
  const u64 base = 100 * static_cast<u64>(r);
  return {{base, 60, random_values<std::int32_t>(seed("session", r, 0), 60)},
          {base + 50, 50, random_values<std::int32_t>(seed("session", r, 1), 50)},
          {base + 55, 1, random_values<std::int32_t>(seed("session", r, 2), 1)}};
}

TEST(Patterns, ReopenedSessions) {
  check_pattern(
      [](auto& w) {
        const auto writes = session_writes(rank());
        auto put = [&](const Session& s) { w.write("r", s.values, Selection::hyperslab({s.first}, {s.count})); };
        w.create_dataset("r", as<std::int32_t>, {100 * ranks()}, std::optional<std::int32_t>(-1));
        put(writes[0]);
        w.attr("/", "session", std::int32_t{1});
        w.reopen("a");
        put(writes[1]);
        w.create_dataset("g/later", as<double>, {ranks()});
        w.write("g/later", std::vector<double>{0.5 * rank()}, Selection::hyperslab({me()}, {1}));
        w.attr("/", "session", std::int32_t{2});
        w.reopen("r+");
        put(writes[2]);
      },
      [](const std::string& merged) {
        std::vector<std::int32_t> expected(100 * ranks(), -1);
        for (int r = 0; r < size(); ++r) {
          for (const auto& s : session_writes(r))
            std::copy(s.values.begin(), s.values.end(), expected.begin() + static_cast<std::ptrdiff_t>(s.first));
        }
        return expect_values(merged, "/r", expected);
      });
}

// ---------------------------------------------------------------------------------------------
// Two writers writing the same elements in one epoch: undefined under MPI-IO (so no reference),
// deterministic in h5mf (docs/format.md, Order): the higher writer id wins.

TEST(Patterns, SameEpochOverlapHigherWriterWins) {
  const fs::path dir = test_dir();
  const fs::path container = dir / "container.h5";
  or_abort("writing the h5mf container", [&] {
    H5mfWriter w(container.string());
    w.create_dataset("z", as<std::int32_t>, {64});
    w.write("z", random_values<std::int32_t>(seed("z", rank()), 64), Selection::all());
    w.close();
  });
  std::string failures;
  if (rank() == 0) {
    const std::string merged = (dir / "merged.h5").string();
    failures = capture("merge", [&] { h5mf::merge(container.string(), merge_to(merged)); });
    if (failures.empty()) {
      failures += capture("check", [&] {
        failures += expect_values(merged, "/z", random_values<std::int32_t>(seed("z", size() - 1), 64));
      });
    }
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// ---------------------------------------------------------------------------------------------
// Sessions run by jobs of different sizes on one container: the lower half of the ranks creates
// it, every rank appends in a second session, the upper half (as writers 0, 1... of its own
// communicator) in a third. Later sessions win where they overlap earlier ones.

std::vector<std::int32_t> session_block(int session, int r, u64 count) {
  return random_values<std::int32_t>(seed("sizes", r, session), count);
}

TEST(Patterns, SessionsOfDifferentSizes) {
  const fs::path dir = test_dir();
  const fs::path container = dir / "container.h5";
  const int half = std::max(1, size() / 2);
  auto sub = [](bool member) {
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, member ? 0 : MPI_UNDEFINED, rank(), &comm);
    return comm;
  };
  auto options = [](MPI_Comm comm) {
    h5mf::FileOptions o;
    o.comm = comm;
    o.driver = h5mf::Driver::Multifile;
    return o;
  };
  const bool lower = rank() < half, upper = size() == 1 || rank() >= size() / 2;
  MPI_Comm first = sub(lower), third = sub(upper);
  or_abort("session 1 (the lower ranks)", [&] {
    if (!lower) return;
    h5mf::File f(container.string(), "w", options(first));
    auto d = f.create_dataset("d", h5mf::DatasetCreate::of<std::int32_t>({10 * ranks()}).fill_value(std::int32_t{-1}));
    d.write(session_block(1, rank(), 5), Selection::hyperslab({10 * me()}, {5}));
    f.close();
  });
  barrier();
  or_abort("session 2 (every rank)", [&] {
    h5mf::File f(container.string(), "a", options(MPI_COMM_WORLD));
    f.dataset("d").write(session_block(2, rank(), 6), Selection::hyperslab({10 * me() + 4}, {6}));
    f.create_group("second");
    f.close();
  });
  barrier();
  or_abort("session 3 (the upper ranks)", [&] {
    if (!upper) return;
    h5mf::File f(container.string(), "r+", options(third));
    f.dataset("d").write(session_block(3, rank(), 2), Selection::hyperslab({10 * me() + 8}, {2}));
    f.close();
  });
  barrier();
  for (MPI_Comm* c : {&first, &third}) {
    if (*c != MPI_COMM_NULL) MPI_Comm_free(c);
  }

  std::string failures;
  if (rank() == 0) {
    std::vector<std::int32_t> expected(10 * ranks(), -1);
    for (int r = 0; r < size(); ++r) {
      auto put = [&](u64 first_index, const std::vector<std::int32_t>& v) {
        std::copy(v.begin(), v.end(), expected.begin() + static_cast<std::ptrdiff_t>(first_index));
      };
      if (r < half) put(10 * static_cast<u64>(r), session_block(1, r, 5));
      put(10 * static_cast<u64>(r) + 4, session_block(2, r, 6));
      if (size() == 1 || r >= size() / 2) put(10 * static_cast<u64>(r) + 8, session_block(3, r, 2));
    }
    const std::string merged = (dir / "merged.h5").string();
    failures = capture("merge", [&] { h5mf::merge(container.string(), merge_to(merged)); });
    if (failures.empty()) {
      failures += capture("check", [&] {
        failures += expect_values(merged, "/d", expected);
        const hid_t file = H5Fopen(merged.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (H5Lexists(file, "second", H5P_DEFAULT) <= 0) failures += "group /second is missing\n";
        H5Fclose(file);
      });
    }
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

}  // namespace
}  // namespace h5mf_test
