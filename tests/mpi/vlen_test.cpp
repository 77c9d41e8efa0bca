// Variable-length strings written by every rank: 1-D and 2-D datasets (contiguous and chunked),
// overlapping writes across epochs, unwritten elements, NULL, empty, long and non-ASCII UTF-8
// strings. Checked by direct reads on every rank, then merged (by rank 0 and by every rank) and
// compared with a reference that libhdf5 writes alone (HDF5 1.10 cannot write variable-length
// data in parallel) through libhdf5 reads, h5diff, h5dump and h5py. Sequences of int32 likewise.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <optional>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using h5mf::Selection;
using u64 = std::uint64_t;
using Value = std::optional<std::string>;  // nullopt: HDF5's NULL string

// One write of the program: dataset, selection, values, in the order the program makes them.
struct Write {
  std::string dataset;
  Selection selection;
  std::vector<Value> values;
};

std::string text(int r, u64 i, int epoch) {
  if ((i + static_cast<u64>(r)) % 7 == 3) return "";                                      // empty
  if ((i + static_cast<u64>(r)) % 11 == 5) return std::string(70000 + i, char('a' + r));  // long
  return "r" + std::to_string(r) + "-\xcf\x81\xc3\xa9\xe2\x82\xac-" + std::to_string(i) + "-e" + std::to_string(epoch);
}

// The writes of rank `r`, epoch by epoch (a collective flush between epochs).
std::vector<std::vector<Write>> writes_of(int r) {
  const u64 R = ranks(), me = static_cast<u64>(r), next = (me + 1) % R;
  std::vector<std::vector<Write>> epochs(2);
  // Epoch 0: each rank its own block, leaving some elements unwritten.
  std::vector<Value> line;
  for (u64 i = 0; i < 6; ++i) line.push_back(text(r, i, 0));
  epochs[0].push_back({"line", Selection::hyperslab({8 * me}, {6}), line});
  std::vector<Value> rows;
  for (u64 i = 0; i < 12; ++i) rows.push_back(text(r, i, 0));
  epochs[0].push_back({"grid", Selection::hyperslab({3 * me, 0}, {3, 4}), rows});
  epochs[0].push_back({"chunked", Selection::hyperslab({3 * me, 0}, {3, 4}), rows});
  // Epoch 1: over the neighbour's block, with NULL and empty strings among the values.
  epochs[1].push_back({"line", Selection::hyperslab({8 * next + 2}, {3}), {std::nullopt, "", text(r, 100, 1)}});
  epochs[1].push_back({"grid",
                       Selection::points(2, {3 * next + 1, 1, 3 * next + 2, 4, 3 * next, 0}),
                       {text(r, 7, 1), std::nullopt, ""}});
  epochs[1].push_back({"chunked",
                       Selection::hyperslab({3 * next, 1}, {2, 2}, {2, 2}),
                       {text(r, 8, 1), text(r, 9, 1), std::nullopt, text(r, 10, 1)}});
  // A rank's own later write in the same epoch wins over its earlier one.
  epochs[1].push_back({"line", Selection::points(1, {8 * next + 3}), {"own later write"}});
  return epochs;
}

std::vector<const char*> pointers(const std::vector<Value>& values) {
  std::vector<const char*> out;
  for (const auto& v : values) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

const std::vector<std::pair<std::string, h5mf::Extent>>& shapes() {
  static const std::vector<std::pair<std::string, h5mf::Extent>> s{
      {"line", {8 * ranks()}}, {"grid", {3 * ranks(), 5}}, {"chunked", {3 * ranks(), 5}}};
  return s;
}

// Linear indices of a selection's elements in selection order.
std::vector<u64> linear(const Selection& s, const h5mf::Extent& shape) {
  std::vector<u64> out;
  if (s.kind() == Selection::Kind::Points) {
    const auto& p = s.flat_points();
    for (std::size_t i = 0; i < s.num_points(); ++i) {
      u64 at = 0;
      for (std::size_t d = 0; d < shape.size(); ++d) at = at * shape[d] + p[i * shape.size() + d];
      out.push_back(at);
    }
    return out;
  }
  const auto& h = s.slab();
  std::function<void(std::size_t, u64)> walk = [&](std::size_t d, u64 base) {
    if (d == shape.size()) {
      out.push_back(base);
      return;
    }
    const u64 stride = h.stride.empty() ? 1 : h.stride[d], block = h.block.empty() ? 1 : h.block[d];
    for (u64 c = 0; c < h.count[d]; ++c) {
      for (u64 b = 0; b < block; ++b) walk(d + 1, base * shape[d] + h.start[d] + c * stride + b);
    }
  };
  walk(0, 0);
  return out;
}

// What every dataset holds after the program: replay order is epoch, then rank, then sequence.
std::map<std::string, std::vector<Value>> expected() {
  std::map<std::string, std::vector<Value>> out;
  for (const auto& [name, shape] : shapes()) {
    out[name].assign(std::accumulate(shape.begin(), shape.end(), u64{1}, std::multiplies<>()), std::nullopt);
  }
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (int r = 0; r < size(); ++r) {
      const auto program = writes_of(r);
      for (const Write& w : program[static_cast<std::size_t>(epoch)]) {
        const h5mf::Extent& shape =
            std::find_if(shapes().begin(), shapes().end(), [&](auto& s) { return s.first == w.dataset; })->second;
        const auto at = linear(w.selection, shape);
        for (std::size_t i = 0; i < at.size(); ++i) out[w.dataset][at[i]] = w.values[i];
      }
    }
  }
  return out;
}

// Every element of a dataset through libhdf5 or h5mf's raw read: NULL stays distinct from "".
std::vector<Value> values_of(char** strings, std::size_t n) {
  std::vector<Value> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(strings[i] ? Value(strings[i]) : std::nullopt);
  return out;
}

std::vector<Value> read_with_libhdf5(const std::string& file, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const hid_t type = H5Dget_type(d), space = H5Dget_space(d);
  std::vector<char*> strings(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)), nullptr);
  std::vector<Value> out;
  if (H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings.data()) >= 0)
    out = values_of(strings.data(), strings.size());
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, strings.data());
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

std::string describe(const std::vector<Value>& a, const std::vector<Value>& b) {
  std::string out;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const Value x = i < a.size() ? a[i] : Value("<missing>"), y = i < b.size() ? b[i] : Value("<missing>");
    if (x != y)
      out += "  [" + std::to_string(i) + "] " + (x ? "'" + x->substr(0, 40) + "'" : "NULL") +
             " != " + (y ? "'" + y->substr(0, 40) + "'" : "NULL") + "\n";
  }
  return out;
}

// The reference: the whole program's writes made by libhdf5 alone, in replay order.
void write_reference(const std::string& path) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::map<std::string, hid_t> datasets;
  for (const auto& [name, shape] : shapes()) {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (name == "chunked") {
      const hsize_t chunk[2] = {2, 2};
      H5Pset_chunk(dcpl, 2, chunk);
    }
    datasets[name] = H5Dcreate2(f, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (int r = 0; r < size(); ++r) {
      const auto program = writes_of(r);
      for (const Write& w : program[static_cast<std::size_t>(epoch)]) {
        const hid_t d = datasets[w.dataset];
        const hid_t space = H5Dget_space(d);
        if (w.selection.kind() == Selection::Kind::Points) {
          std::vector<hsize_t> c(w.selection.flat_points().begin(), w.selection.flat_points().end());
          H5Sselect_elements(space, H5S_SELECT_SET, w.selection.num_points(), c.data());
        } else {
          const auto& h = w.selection.slab();
          std::vector<hsize_t> start(h.start.begin(), h.start.end()), count(h.count.begin(), h.count.end());
          std::vector<hsize_t> stride(h.start.size(), 1), block(h.start.size(), 1);
          if (!h.stride.empty()) stride.assign(h.stride.begin(), h.stride.end());
          if (!h.block.empty()) block.assign(h.block.begin(), h.block.end());
          H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data());
        }
        const hsize_t n = w.values.size();
        const hid_t memory = H5Screate_simple(1, &n, nullptr);
        const auto p = pointers(w.values);
        EXPECT_GE(H5Dwrite(d, type, memory, space, H5P_DEFAULT, p.data()), 0);
        H5Sclose(memory);
        H5Sclose(space);
      }
    }
  }
  for (auto& [name, d] : datasets) H5Dclose(d);
  H5Tclose(type);
  H5Fclose(f);
}

// h5dump's text of a file without its first line (which names the file).
std::string dump(const std::string& file) {
  std::string out;
  run(std::string(h5dump()) + " " + quoted(file), &out);
  return out.substr(out.find('\n') + 1);
}

TEST(Vlen, StringsFromEveryRankMergeLikeLibhdf5) {
  const fs::path dir = test_dir();
  const std::string container = (dir / "container.h5").string(), reference = (dir / "reference.h5").string(),
                    merged = (dir / "merged.h5").string(), parallel_merged = (dir / "merged_parallel.h5").string();
  h5mf::FileOptions options;
  options.comm = MPI_COMM_WORLD;
  options.driver = h5mf::Driver::Multifile;
  options.buffer_bytes = 4096;  // long strings go straight to the file, short ones through the buffer
  {
    h5mf::File f(container, "w", options);
    for (const auto& [name, shape] : shapes()) {
      auto spec = h5mf::DatasetCreate::of<std::string>(shape);
      if (name == "chunked") spec.chunk_shape({2, 2});
      f.create_dataset(name, spec);
    }
    const auto mine = writes_of(rank());
    for (std::size_t epoch = 0; epoch < mine.size(); ++epoch) {
      if (epoch > 0) f.flush();
      for (const Write& w : mine[epoch]) {
        const auto p = pointers(w.values);
        f.dataset(w.dataset).write_raw(p.data(), h5mf::Datatype::variable_string(), w.selection);
      }
    }
    f.close();
  }
  const auto want = expected();
  // Direct reads on every rank, before any merge.
  {
    h5mf::File f(container, "r", options);
    for (const auto& [name, shape] : shapes()) {
      h5mf::Dataset d = f.dataset(name);
      std::vector<char*> strings(want.at(name).size(), nullptr);
      d.read_raw(strings.data(), h5mf::Datatype::variable_string(), Selection::all());
      const auto got = values_of(strings.data(), strings.size());
      h5mf::reclaim_strings(strings.data(), strings.size());
      EXPECT_EQ(got, want.at(name)) << "direct read of '" << name << "' on rank " << rank() << ":\n"
                                    << describe(got, want.at(name));
      // std::string reads give "" for NULL.
      const auto as_strings = d.read<std::string>();
      for (std::size_t i = 0; i < as_strings.size(); ++i) EXPECT_EQ(as_strings[i], want.at(name)[i].value_or(""));
    }
    f.close();
  }
  // Merged by every rank together (the structure and the strings are rank 0's work).
  std::string failures = gathered(capture("parallel merge", [&] {
    h5mf::MergeOptions o = merge_to(parallel_merged);
    o.comm = MPI_COMM_WORLD;
    o.memory_budget = std::size_t{1} << 16;  // windows of a few rows
    h5mf::merge(container, o);
  }));
  if (rank() == 0) {
    failures += capture("checks by rank 0", [&] {
      write_reference(reference);
      const h5mf::MergeReport report = h5mf::merge(container, merge_to(merged));
      if (report.records_dropped != 0) failures += "merge dropped records\n";
      for (const std::string& file : {merged, parallel_merged, reference}) {
        for (const auto& [name, shape] : shapes()) {
          const auto got = read_with_libhdf5(file, name);
          if (got != want.at(name))
            failures += file + " '" + name + "' differs from the model:\n" + describe(got, want.at(name));
        }
      }
      std::string output;
      for (const std::string& file : {merged, parallel_merged}) {
        if (run(std::string(h5diff()) + " " + quoted(file) + " " + quoted(reference), &output) != 0) {
          failures += "h5diff " + file + ":\n" + output;
        }
        if (dump(file) != dump(reference)) failures += "h5dump of " + file + " differs from the reference's\n";
        if (run(std::string(python()) + " " + quoted(h5py_compare_script()) + " " + quoted(file) + " " +
                    quoted(reference),
                &output) != 0) {
          failures += "h5py comparison of " + file + ":\n" + output;
        }
      }
    });
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// Sequences of int32 from every rank (lengths 0 to 4, one long one), the neighbour's element
// overwritten after a flush: direct reads, then the merge against libhdf5's file of the same writes.
using Ints = std::vector<std::int32_t>;

Ints sequence(int r, u64 i, int epoch) {
  Ints out((i + static_cast<u64>(r)) % 5 == 4 ? 50000 : (i + static_cast<u64>(r)) % 5);
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<std::int32_t>(1000 * r + 100 * epoch + 10 * i + k);
  return out;
}

std::vector<Ints> sequences_expected() {
  const u64 R = ranks();
  std::vector<Ints> out(4 * R);
  for (int r = 0; r < size(); ++r) {
    for (u64 i = 0; i < 3; ++i) out[4 * static_cast<u64>(r) + i] = sequence(r, i, 0);
  }
  for (int r = 0; r < size(); ++r) out[4 * ((static_cast<u64>(r) + 1) % R) + 1] = sequence(r, 7, 1);
  return out;
}

std::vector<Ints> read_sequences_with_libhdf5(const std::string& file) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, "seq", H5P_DEFAULT);
  const hid_t type = H5Tvlen_create(H5T_NATIVE_INT32), space = H5Dget_space(d);
  std::vector<hvl_t> raw(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)), hvl_t{0, nullptr});
  std::vector<Ints> out;
  if (H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) >= 0) {
    for (const hvl_t& v : raw) {
      const auto* p = static_cast<const std::int32_t*>(v.p);
      out.emplace_back(p, p + v.len);
    }
  }
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw.data());
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

TEST(Vlen, SequencesFromEveryRankMergeLikeLibhdf5) {
  const fs::path dir = test_dir();
  const std::string container = (dir / "container.h5").string(), reference = (dir / "reference.h5").string(),
                    merged = (dir / "merged.h5").string();
  const u64 R = ranks(), me = static_cast<u64>(rank());
  h5mf::FileOptions options;
  options.comm = MPI_COMM_WORLD;
  options.driver = h5mf::Driver::Multifile;
  {
    h5mf::File f(container, "w", options);
    h5mf::Dataset d = f.create_dataset("seq", h5mf::DatasetCreate::of<Ints>({4 * R}));
    d.write(std::vector<Ints>{sequence(rank(), 0, 0), sequence(rank(), 1, 0), sequence(rank(), 2, 0)},
            Selection::hyperslab({4 * me}, {3}));
    f.flush();
    d.write(std::vector<Ints>{sequence(rank(), 7, 1)}, Selection::points(1, {4 * ((me + 1) % R) + 1}));
    f.close();
  }
  const auto want = sequences_expected();
  {
    h5mf::File f(container, "r", options);
    EXPECT_EQ(f.dataset("seq").read<Ints>(), want) << "direct read on rank " << rank();
    f.close();
  }
  barrier();
  std::string failures;
  if (rank() == 0) {
    failures = capture("checks by rank 0", [&] {
      {  // The reference: libhdf5 alone, the same writes in replay order.
        const hid_t f = H5Fcreate(reference.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t file_type = H5Tvlen_create(H5T_STD_I32LE), memory_type = H5Tvlen_create(H5T_NATIVE_INT32);
        const hsize_t n = 4 * R;
        const hid_t space = H5Screate_simple(1, &n, nullptr);
        const hid_t d = H5Dcreate2(f, "seq", file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        for (int epoch = 0; epoch < 2; ++epoch) {
          for (int r = 0; r < size(); ++r) {
            std::vector<Ints> values;
            std::vector<hsize_t> at;
            if (epoch == 0) {
              for (u64 i = 0; i < 3; ++i) {
                values.push_back(sequence(r, i, 0));
                at.push_back(4 * static_cast<u64>(r) + i);
              }
            } else {
              values.push_back(sequence(r, 7, 1));
              at.push_back(4 * ((static_cast<u64>(r) + 1) % R) + 1);
            }
            std::vector<hvl_t> raw;
            for (auto& v : values) raw.push_back(hvl_t{v.size(), v.data()});
            H5Sselect_elements(space, H5S_SELECT_SET, at.size(), at.data());
            const hsize_t m = at.size();
            const hid_t memory = H5Screate_simple(1, &m, nullptr);
            EXPECT_GE(H5Dwrite(d, memory_type, memory, space, H5P_DEFAULT, raw.data()), 0);
            H5Sclose(memory);
          }
        }
        H5Dclose(d);
        H5Sclose(space);
        H5Tclose(memory_type);
        H5Tclose(file_type);
        H5Fclose(f);
      }
      h5mf::merge(container, merge_to(merged));
      if (read_sequences_with_libhdf5(merged) != want) failures += "the merged file differs from the model\n";
      if (read_sequences_with_libhdf5(reference) != want) failures += "the reference differs from the model\n";
      std::string output;
      if (run(std::string(h5diff()) + " " + quoted(merged) + " " + quoted(reference), &output) != 0) {
        failures += "h5diff:\n" + output;
      }
      if (dump(merged) != dump(reference)) failures += "h5dump of the merged file differs from the reference's\n";
    });
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

// HDF5 1.10 refuses variable-length writes over MPI-IO: the mpio driver says so, naming the
// dataset and the way out, instead of passing on libhdf5's error stack.
TEST(Vlen, MpioRefusesWritesClearly) {
  h5mf::FileOptions options;
  options.comm = MPI_COMM_WORLD;
  options.driver = h5mf::Driver::Mpio;
  h5mf::File f((test_dir() / "mpio.h5").string(), "w", options);
  h5mf::Dataset d = f.create_dataset("names", h5mf::DatasetCreate::of<std::string>({ranks()}));
  try {
    d.write(std::vector<std::string>{"x"}, Selection::points(1, {static_cast<u64>(rank())}));
    ADD_FAILURE() << "the mpio driver wrote variable-length strings";
  } catch (const h5mf::Unsupported& e) {
    EXPECT_NE(std::string(e.what()).find("'/names'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("multifile"), std::string::npos) << e.what();
  }
  // Reading works: unwritten elements are empty.
  EXPECT_EQ(d.read<std::string>(), std::vector<std::string>(ranks()));
  f.close();
}

}  // namespace
}  // namespace h5mf_test
