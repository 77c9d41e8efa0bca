// Aggregation (issue 10) at many ranks: the same program writes a container without aggregation,
// with a given number of data files, with groups of a given size and by node, and a reference file
// through libhdf5's MPI-IO driver. Every container must hold exactly M data file pairs, verify
// healthy with every rank's records, read directly like the reference, and merge into a file that
// h5diff finds equal to the reference and to the merged file of the container without aggregation.
// Buffers are small (4 KiB) so that members ship full buffers between collective calls and split
// large writes into pieces that the aggregator interleaves with other members' messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "h5mf/verify.hpp"
#include "h5mf/view.hpp"
#include "support.hpp"
#include "writers.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using u64 = std::uint64_t;

constexpr std::size_t kBuffer = 4096;

template <class T>
std::vector<T> values(unsigned seed, std::size_t n) {
  std::mt19937_64 g(seed * 7919u + static_cast<unsigned>(rank()));
  std::vector<T> out(n);
  for (auto& v : out) v = static_cast<T>(g() % 1000000);
  return out;
}

// The program every container (and the reference) is written with.
template <class W>
void pattern(W& w) {
  const u64 n = ranks(), r = me();
  w.create_group("g");
  w.attr("/g", "ranks", static_cast<std::int64_t>(n));
  w.create_dataset("g/rows", as<std::int32_t>, {n * 8, 16});
  w.create_dataset("points", as<double>, {n * 5});
  w.create_dataset("big", as<std::int64_t>, {n * 3000});
  w.create_dataset("small", as<std::uint16_t>, {n * 40}, std::uint16_t{7});
  // Epoch of the creations: each rank's rows in two writes, interleaved points, one write of 24 KB
  // (larger than the buffer: shipped in pieces), and 30 one-element writes.
  const auto rows = values<std::int32_t>(1, 8 * 16);
  w.write("g/rows", std::vector<std::int32_t>(rows.begin(), rows.begin() + 64),
          Selection::hyperslab({r * 8, 0}, {4, 16}));
  w.write("g/rows", std::vector<std::int32_t>(rows.begin() + 64, rows.end()),
          Selection::hyperslab({r * 8 + 4, 0}, {4, 16}));
  w.write("points", values<double>(2, 5), Selection::points(1, {r, r + n, r + 2 * n, r + 3 * n, r + 4 * n}));
  w.write("big", values<std::int64_t>(3, 3000), Selection::hyperslab({r * 3000}, {3000}));
  for (u64 k = 0; k < 30; ++k) {
    w.write("small", std::vector<std::uint16_t>{static_cast<std::uint16_t>(r * 100 + k)},
            Selection::hyperslab({k * n + r}, {1}));
  }
  if constexpr (!W::is_reference) {
    // Read-your-writes before any flush: a member's writes are with its aggregator, or in its buffer.
    const auto back = w.file().dataset("g/rows").template read<std::int32_t>(Selection::hyperslab({r * 8, 0}, {8, 16}));
    if (back != rows) throw std::runtime_error("rank " + std::to_string(r) + " does not read its own rows back");
    const auto big = w.file().dataset("big").template read<std::int64_t>(Selection::hyperslab({r * 3000}, {3000}));
    if (big != values<std::int64_t>(3, 3000)) throw std::runtime_error("rank " + std::to_string(r) + ": big differs");
  }
  w.flush();
  // A later epoch: every rank overwrites two rows of the next rank's block (the later epoch wins
  // whoever holds the records) and some of the small elements.
  w.write("g/rows", values<std::int32_t>(4, 2 * 16), Selection::hyperslab({((r + 1) % n) * 8 + 3, 0}, {2, 16}));
  w.write("small", std::vector<std::uint16_t>(10, static_cast<std::uint16_t>(60000 + r)),
          Selection::hyperslab({30 * n + r}, {10}, {n}));
  w.attr("/", "done", std::string("yes"));
}

// Data file pairs in a container directory: `<f>` and `<f>.offset`.
std::size_t data_file_pairs(const fs::path& container, std::size_t* strays) {
  std::size_t data = 0, index = 0;
  *strays = 0;
  for (const auto& entry : fs::directory_iterator(container)) {
    std::string name = entry.path().filename().string();
    if (name == "metafile") continue;
    const bool is_index = name.ends_with(".offset");
    if (is_index) name.resize(name.size() - 7);
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ++*strays;
      continue;
    }
    ++(is_index ? index : data);
  }
  if (data != index) ++*strays;
  return std::min(data, index);
}

// The nodes of the job, as MPI_COMM_TYPE_SHARED sees them.
u64 nodes() {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank(), MPI_INFO_NULL, &node);
  int node_rank = 0;
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_free(&node);
  int leader = node_rank == 0 ? 1 : 0, count = 0;
  MPI_Allreduce(&leader, &count, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return static_cast<u64>(count);
}

struct Variant {
  std::string name;
  h5mf::Aggregation aggregation;
  u64 files;  // M
};

TEST(Aggregation, SameContentInFewerFiles) {
  const fs::path dir = test_dir();
  const u64 n = ranks();
  const std::vector<Variant> variants{
      {"off", {}, n},
      {"files", {h5mf::Aggregation::Kind::Files, static_cast<int>(std::max<u64>(n / 4, 1))}, std::max<u64>(n / 4, 1)},
      {"groups_of_5", {h5mf::Aggregation::Kind::GroupSize, 5}, (n + 4) / 5},
      {"node", {h5mf::Aggregation::Kind::Node, 0}, nodes()},
  };
  const fs::path reference = dir / "reference.h5";
  std::string failures = gathered(capture("writing the reference", [&] {
    ReferenceWriter w(reference.string());
    pattern(w);
    w.close();
  }));
  for (const auto& v : variants) {
    failures += gathered(capture("writing container '" + v.name + "'", [&] {
      H5mfWriter w((dir / (v.name + ".h5")).string(), kBuffer, h5mf::Driver::Multifile, v.aggregation);
      pattern(w);
      w.close();
    }));
  }
  barrier();
  if (rank() == 0 && failures.empty()) {
    for (const auto& v : variants) {
      failures += capture("checking '" + v.name + "'", [&] {
        const fs::path container = dir / (v.name + ".h5");
        std::size_t strays = 0;
        const std::size_t pairs = data_file_pairs(container, &strays);
        if (pairs != v.files || strays != 0) {
          failures += v.name + ": " + std::to_string(pairs) + " data file pairs (and " + std::to_string(strays) +
                      " other files), expected " + std::to_string(v.files) + "\n";
        }
        const h5mf::VerifyReport report = h5mf::verify(container.string());
        if (report.exit_code() != 0) {
          failures += v.name + ": verify exit code " + std::to_string(report.exit_code()) + "\n";
        }
        std::map<std::uint32_t, std::uint64_t> per_writer;
        for (const auto& f : report.data_files) {
          for (const auto& [writer, records] : f.records_by_writer) per_writer[writer] += records;
        }
        // Each rank: 2 + 1 + 1 + 30 writes, then 2 more.
        for (std::uint32_t w = 0; w < n; ++w) {
          if (per_writer[w] != 36) {
            failures += v.name + ": writer " + std::to_string(w) + " has " + std::to_string(per_writer[w]) +
                        " records, expected 36\n";
          }
        }
        // Direct reads of the container (what `h5mf dump` and `h5mf ls` use) equal the reference.
        {
          h5mf::FileOptions read_options;
          read_options.driver = h5mf::Driver::Multifile;
          h5mf::File f(container.string(), "r", read_options);
          for (const auto& path : dataset_paths(reference.string())) {
            const DatasetBytes expected = read_dataset(reference.string(), path);
            h5mf::Dataset d = f.dataset(path);
            std::vector<unsigned char> bytes(expected.bytes.size());
            d.read_raw(bytes.data(), d.dtype(), Selection::all());
            if (bytes != expected.bytes) failures += v.name + ": direct read of " + path + " differs\n";
          }
          f.close();
        }
        const std::string merged = (dir / (v.name + "-merged.h5")).string();
        const auto merge = h5mf::merge(container.string(), merge_to(merged));
        if (merge.records_dropped != 0) failures += v.name + ": merge dropped records\n";
        const std::string differences = compare_hdf5(merged, reference.string());
        if (!differences.empty()) failures += v.name + " differs from the reference:\n" + differences;
        if (v.name == "files") {
          // The zero-copy view maps each record's bytes in the data file it lives in.
          h5mf::ViewOptions view_options;
          view_options.output = (dir / "files-view.h5").string();
          h5mf::view(container.string(), view_options);
          std::string view_output;
          const std::string view_command =
              std::string(h5diff()) + " " + h5mf_test::quoted(view_options.output) + " " + quoted(reference.string());
          if (int status = run(view_command, &view_output); status != 0) {
            failures += "h5diff of the view exited with " + std::to_string(status) + ":\n" + view_output;
          }
          // A torn tail of an aggregator's index (what a kill leaves): the records before it are
          // kept, the torn one is dropped and reported.
          const fs::path copy = dir / "torn.h5";
          fs::copy(container, copy);
          fs::resize_file(copy / "0.offset", fs::file_size(copy / "0.offset") - 10);
          const h5mf::VerifyReport torn = h5mf::verify(copy.string());
          if (torn.exit_code() != 2 || torn.records() + 1 != report.records() || torn.data_files.empty() ||
              torn.data_files[0].damage.size() != 1 || !torn.data_files[0].damage[0].torn_tail) {
            failures += "torn tail: verify exit " + std::to_string(torn.exit_code()) + ", " +
                        std::to_string(torn.records()) + " of " + std::to_string(report.records()) + " records kept\n";
          }
          const auto torn_merge = h5mf::merge(copy.string(), merge_to((dir / "torn-merged.h5").string()));
          if (torn_merge.damage.empty()) failures += "torn tail: the merge does not report it\n";
        }
        const std::string against = v.name == "off" ? reference.string() : (dir / "off-merged.h5").string();
        std::string output;
        if (int status = run(std::string(h5diff()) + " " + quoted(merged) + " " + quoted(against), &output);
            status != 0) {
          failures += "h5diff " + merged + " " + against + " exited with " + std::to_string(status) + ":\n" + output;
        }
      });
    }
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// Read-your-writes without waiting: a member's writes since the last collective call that are all
// still in its buffer are painted over what it reads, so it does not need its aggregator, which
// here sits in an MPI_Barrier (no h5mf call) while the members read. A wait would hang the job.
TEST(Aggregation, MembersReadTheirBufferedWritesWithoutTheAggregator) {
  const u64 n = ranks(), r = me();
  h5mf::FileOptions o;
  o.comm = MPI_COMM_WORLD;
  o.driver = h5mf::Driver::Multifile;
  o.aggregation = {h5mf::Aggregation::Kind::Files, 1};
  h5mf::File f((test_dir() / "c.h5").string(), "w", o);
  auto d = f.create_dataset<std::int32_t>("d", {n * 10});
  auto first = values<std::int32_t>(5, 10);
  d.write(first, Selection::hyperslab({r * 10}, {10}));
  f.flush();  // on disk now, in the aggregator's files
  // Then, buffered: a strided overwrite and points, read back through the overlay.
  d.write(std::vector<std::int32_t>{-1, -2, -3}, Selection::hyperslab({r * 10 + 1}, {3}, {3}));
  d.write(std::vector<std::int32_t>{-7, -8}, Selection::points(1, {r * 10 + 9, r * 10 + 4}));
  auto expected = first;
  expected[1] = -1;
  expected[4] = -2;
  expected[7] = -3;
  expected[9] = -7;
  expected[4] = -8;  // the later write wins
  barrier();
  std::string failures;
  if (r != 0) {
    if (d.read<std::int32_t>(Selection::hyperslab({r * 10}, {10})) != expected) failures += "own block differs\n";
    const std::vector<std::int32_t> two = d.read<std::int32_t>(Selection::points(1, {r * 10 + 4, r * 10 + 4}));
    if (two != std::vector<std::int32_t>{-8, -8}) failures += "a point read twice differs\n";
  }
  barrier();
  f.close();
  failures = gathered(failures);
  EXPECT_TRUE(failures.empty()) << failures;
}

}  // namespace
}  // namespace h5mf_test
