// Filtered chunked datasets written by every rank into a container, merged by the chunk stage (rank
// 0 alone with 1, 2 and 3 threads, and every rank together), and compared with a reference that
// libhdf5 writes itself (sec2, on rank 0, the same dataset creation properties and the same
// selections): element by element, chunk by chunk (the same chunks allocated, the rest left
// unallocated), the same filter pipeline, by h5py, and by h5dump -p. Also the mpio driver: filtered
// datasets are written there with collective transfers and refused clearly with independent ones.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <random>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using h5mf::DatasetCreate;
using h5mf::Extent;
using h5mf::Selection;
using u64 = std::uint64_t;

// One write: a selection and its elements (as doubles, converted to the dataset's type).
struct Write {
  Selection selection;
  std::vector<double> values;
};

struct Spec {
  std::string name;
  DatasetCreate create;
  hid_t file_type;
  // The writes of rank `r` of `n`; no two ranks write the same element.
  std::function<std::vector<Write>(int r, int n)> writes;
};

std::vector<double> values(u64 seed, std::size_t n, double lo, double hi, bool integral) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> out(n);
  for (auto& v : out) v = integral ? std::floor(u(g)) : u(g);
  return out;
}

std::vector<Spec> specs() {
  std::vector<Spec> out;
  // 1-D: ranks share [0, 600) unevenly; elements 960..985 of the last, partial chunk; chunks 10..14
  // (640..959) nobody writes.
  out.push_back({"one", DatasetCreate::of<std::int32_t>({1000}).chunk_shape({64}).fill_value(-5).shuffle().deflate(5),
                 H5T_STD_I32LE, [](int r, int n) {
                   std::vector<Write> w;
                   const u64 first = 600 * static_cast<u64>(r) / static_cast<u64>(n),
                             end = 600 * static_cast<u64>(r + 1) / static_cast<u64>(n);
                   w.push_back({Selection::hyperslab({first}, {end - first}),
                                values(11 + static_cast<u64>(r), end - first, -1e6, 1e6, true)});
                   if (r == n - 1) w.push_back({Selection::hyperslab({960}, {26}), values(99, 26, 0, 100, true)});
                   return w;
                 }});
  // 2-D, edge chunks both ways (45 x 37 in 8 x 10): rank r writes rows r, r + n, ... of columns
  // 3..33 (strided), and rank 0 a point in the corner chunk.
  out.push_back({"two",
                 DatasetCreate::of<double>({45, 37}).chunk_shape({8, 10}).fill_value(-7.0).deflate(1).fletcher32(),
                 H5T_IEEE_F64LE, [](int r, int n) {
                   std::vector<Write> w;
                   const u64 rows = (45 - static_cast<u64>(r) + static_cast<u64>(n) - 1) / static_cast<u64>(n);
                   w.push_back({Selection::hyperslab({static_cast<u64>(r), 3}, {rows, 31}, {static_cast<u64>(n), 1}),
                                values(21 + static_cast<u64>(r), rows * 31, -1, 1, false)});
                   if (r == 0) w.push_back({Selection::points({{44, 36}}), {3.25}});
                   return w;
                 }});
  // 3-D through libhdf5's own scaleoffset (with shuffle and deflate after it): a block per rank
  // along the first dimension, half of the third.
  out.push_back(
      {"three",
       DatasetCreate::of<std::uint16_t>({9, 10, 11}).chunk_shape({4, 4, 4}).scaleoffset(0).shuffle().deflate(3),
       H5T_STD_U16LE, [](int r, int n) {
         std::vector<Write> w;
         const u64 first = 9 * static_cast<u64>(r) / static_cast<u64>(n),
                   end = 9 * static_cast<u64>(r + 1) / static_cast<u64>(n);
         if (end > first) {
           w.push_back({Selection::hyperslab({first, 0, 0}, {end - first, 10, 6}),
                        values(31 + static_cast<u64>(r), (end - first) * 60, 0, 4000, true)});
         }
         return w;
       }});
  // Chunked without filters: the same stage.
  out.push_back({"plain", DatasetCreate::of<float>({30, 20}).chunk_shape({7, 6}), H5T_IEEE_F32LE, [](int r, int n) {
                   std::vector<Write> w;
                   const u64 first = 25 * static_cast<u64>(r) / static_cast<u64>(n),
                             end = 25 * static_cast<u64>(r + 1) / static_cast<u64>(n);
                   w.push_back({Selection::hyperslab({first, 0}, {end - first, 13}),
                                values(41 + static_cast<u64>(r), (end - first) * 13, -5, 5, false)});
                   return w;
                 }});
  return out;
}

// libhdf5's reference, on rank 0: the same creation properties (set with libhdf5's own calls), every
// rank's writes replayed.
void write_reference(const std::string& path) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (const auto& s : specs()) {
    std::vector<hsize_t> dims(s.create.shape.begin(), s.create.shape.end()),
        chunk(s.create.chunks.begin(), s.create.chunks.end());
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_fill_value(dcpl, s.create.fill_type.id(), s.create.fill.data());
    for (const auto& f : s.create.filters) {
      switch (f.id) {
        case H5Z_FILTER_SHUFFLE: H5Pset_shuffle(dcpl); break;
        case H5Z_FILTER_DEFLATE: H5Pset_deflate(dcpl, f.cd_values[0]); break;
        case H5Z_FILTER_FLETCHER32: H5Pset_fletcher32(dcpl); break;
        case H5Z_FILTER_SCALEOFFSET: H5Pset_scaleoffset(dcpl, H5Z_SO_INT, static_cast<int>(f.cd_values[1])); break;
        default: throw std::runtime_error("no reference for filter " + std::to_string(f.id));
      }
    }
    const hid_t d = H5Dcreate2(file, s.name.c_str(), s.file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("reference: cannot create " + s.name);
    for (int r = 0; r < size(); ++r) {
      for (const auto& w : s.writes(r, size())) {
        const Selection sel = w.selection.resolved(s.create.shape);
        const hid_t file_space = H5Dget_space(d);
        if (sel.kind() == Selection::Kind::Points) {
          std::vector<hsize_t> coords(sel.flat_points().begin(), sel.flat_points().end());
          H5Sselect_elements(file_space, H5S_SELECT_SET, sel.num_points(), coords.data());
        } else {
          const auto& h = sel.slab();
          std::vector<hsize_t> start(h.start.begin(), h.start.end()), count(h.count.begin(), h.count.end()),
              stride(h.stride.begin(), h.stride.end()), block(h.block.begin(), h.block.end());
          for (auto& v : stride) v = std::max<hsize_t>(v, 1);
          H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data());
        }
        const hsize_t n = w.values.size();
        const hid_t memory_space = H5Screate_simple(1, &n, nullptr);
        if (H5Dwrite(d, H5T_NATIVE_DOUBLE, memory_space, file_space, H5P_DEFAULT, w.values.data()) < 0) {
          throw std::runtime_error("reference: cannot write " + s.name);
        }
        H5Sclose(memory_space);
        H5Sclose(file_space);
      }
    }
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  H5Fclose(file);
}

// Filter ids and allocated chunks of a dataset, as libhdf5 reports them.
std::string storage_of(const std::string& file, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(d);
  std::string out = "filters";
  for (int i = 0; i < H5Pget_nfilters(dcpl); ++i) {
    unsigned flags = 0, config = 0;
    std::size_t n = 0;
    out +=
        " " + std::to_string(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config));
  }
  hsize_t chunks = 0;
  const hid_t space = H5Dget_space(d);
  H5Dget_num_chunks(d, space, &chunks);
  out += ", " + std::to_string(chunks) + " chunks";
  H5Sclose(space);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

// Every difference of `merged` from the reference: elements, allocated chunks, filters, h5py.
std::string differences(const std::string& merged, const std::string& reference, const std::string& label) {
  std::string out = compare_hdf5(merged, reference);
  for (const auto& s : specs()) {
    const std::string got = storage_of(merged, s.name), want = storage_of(reference, s.name);
    if (got != want) out += s.name + ": " + got + ", the reference " + want + "\n";
  }
  std::string output;
  if (run(std::string(python()) + " " + quoted(h5py_compare_script()) + " " + quoted(merged) + " " + quoted(reference),
          &output) != 0) {
    out += "h5py: " + output;
  }
  return out.empty() ? out : label + ":\n" + out;
}

TEST(Filters, MergedChunksEqualLibhdf5s) {
  const fs::path dir = test_dir();
  const std::string container = (dir / "container.h5").string(), reference = (dir / "reference.h5").string();
  std::string failures = gathered(capture("writing the container", [&] {
    h5mf::FileOptions o;
    o.driver = h5mf::Driver::Multifile;
    o.comm = MPI_COMM_WORLD;
    h5mf::File f(container, "w", o);
    for (const auto& s : specs()) {
      auto d = f.create_dataset(s.name, s.create);
      for (const auto& w : s.writes(rank(), size())) d.write(w.values, w.selection);
    }
    f.close();
  }));
  if (rank() == 0) failures += capture("writing the reference", [&] { write_reference(reference); });
  failures = shared(failures);
  ASSERT_TRUE(failures.empty()) << failures;

  // Rank 0 alone, with 1, 2 and 3 threads.
  if (rank() == 0) {
    for (unsigned threads : {1u, 2u, 3u}) {
      const std::string merged = (dir / ("merged-j" + std::to_string(threads) + ".h5")).string();
      failures += capture("merge -j " + std::to_string(threads), [&] {
        h5mf::MergeOptions m = merge_to(merged);
        m.threads = threads;
        const h5mf::MergeReport report = h5mf::merge(container, m);
        if (report.chunks_written == 0 || report.chunk_bytes_stored == 0) failures += "no chunks reported\n";
        failures += differences(merged, reference, "merge -j " + std::to_string(threads));
      });
    }
    std::string dump;
    run(std::string(h5dump()) + " -p -H " + quoted((dir / "merged-j2.h5").string()), &dump);
    for (const char* needle : {"DEFLATE", "LEVEL 5", "SHUFFLE", "CHECKSUM FLETCHER32", "SCALEOFFSET"}) {
      if (dump.find(needle) == std::string::npos) failures += std::string("h5dump -p does not show ") + needle + "\n";
    }
  }
  // Every rank, two threads each, a small budget: many small batches reach rank 0.
  const std::string parallel = (dir / "merged-parallel.h5").string();
  std::string parallel_failures = gathered(capture("parallel merge", [&] {
    h5mf::MergeOptions m = merge_to(parallel);
    m.comm = MPI_COMM_WORLD;
    m.threads = 2;
    m.memory_budget = std::size_t{1} << 20;
    const h5mf::MergeReport report = h5mf::merge(container, m);
    if (report.ranks != static_cast<unsigned>(size())) throw std::runtime_error("report.ranks is wrong");
  }));
  if (rank() == 0 && parallel_failures.empty()) parallel_failures = differences(parallel, reference, "parallel merge");
  failures = shared(failures + parallel_failures);
  EXPECT_TRUE(failures.empty()) << failures;
}

TEST(Filters, MpioWritesFilteredDatasetsCollectivelyOnly) {
  const fs::path dir = test_dir();
  const std::string path = (dir / "mpio.h5").string();
  std::string failures = gathered(capture("mpio", [&] {
    h5mf::FileOptions o;
    o.driver = h5mf::Driver::Mpio;
    o.comm = MPI_COMM_WORLD;
    h5mf::File f(path, "w", o);
    const u64 n = 16 * static_cast<u64>(size());
    auto d = f.create_dataset("z", DatasetCreate::of<double>({n}).chunk_shape({8}).shuffle().deflate(4));
    std::vector<double> mine(16);
    std::iota(mine.begin(), mine.end(), 16.0 * rank());
    const Selection part = Selection::hyperslab({16 * static_cast<u64>(rank())}, {16});
    try {
      d.write(mine, part);
      throw std::runtime_error("an independent write of a filtered dataset was not refused");
    } catch (const h5mf::Unsupported& e) {
      if (std::string(e.what()).find("collective") == std::string::npos) throw;
    }
    d.set_collective(true);
    d.write(mine, part);
    f.close();
  }));
  if (rank() == 0 && failures.empty()) {
    failures += capture("reading back", [&] {
      const auto got = read_as<double>(path, "/z", H5T_NATIVE_DOUBLE);
      std::vector<double> want(got.size());
      std::iota(want.begin(), want.end(), 0.0);
      if (got != want) failures += "the mpio driver's filtered dataset reads back wrong\n";
      if (storage_of(path, "z").rfind("filters 2 1,", 0) != 0) failures += "mpio: " + storage_of(path, "z") + "\n";
    });
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << failures;
}

}  // namespace
}  // namespace h5mf_test
