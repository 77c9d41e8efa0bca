// HDF5's fixed-size types from MPI ranks: a registered compound (with bool, enum, array and
// fixed-length string members), an enum, bool, arrays and fixed-length strings, each dataset with a
// fill value and some elements left unwritten, and attributes of each type. Written three times
// with the same values: into an h5mf container, through h5mf's mpio driver, and with the raw HDF5 C
// API over MPI-IO into a reference file whose types are built by hand here (what h5py stores for
// the same numpy dtypes). Rank 0 reads the container directly, merges it, and requires the merged
// file and the mpio driver's file to equal the reference (libhdf5, h5diff, h5py), h5py to read
// the merged file as numpy would hold it, and `h5mf view` to dump like the merged file.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <filesystem>

#include "h5mf/h5mf.hpp"
#include "h5mf/view.hpp"
#include "support.hpp"

namespace types_mpi {

enum class Color : std::uint8_t { none = 0, red = 1, green = 2, blue = 200 };

struct Sample {
  double t;
  std::int32_t rank;
  bool valid;
  Color color;
  std::array<float, 3> position;
  char tag[8];
};

}  // namespace types_mpi

using types_mpi::Color;
using types_mpi::Sample;

H5MF_REGISTER_TYPE(Color,
                   h5mf::Enum<Color>{
                       {"NONE", Color::none}, {"RED", Color::red}, {"GREEN", Color::green}, {"BLUE", Color::blue}});
H5MF_REGISTER_TYPE(Sample, h5mf::Compound<Sample>{{"t", &Sample::t},
                                                  {"rank", &Sample::rank},
                                                  {"valid", &Sample::valid},
                                                  {"color", &Sample::color},
                                                  {"position", &Sample::position},
                                                  {"tag", &Sample::tag, h5mf::Datatype::fixed_string(8)}});

namespace h5mf_test {
namespace {

namespace fs = std::filesystem;
using Vector = std::array<std::int16_t, 4>;
using Label = std::array<char, 6>;

constexpr std::uint64_t kPerRank = 5;  // samples per rank; the last one is left unwritten

// `text` NUL-padded (or cut) to `n` bytes.
void put(char* out, std::size_t n, const std::string& text) {
  std::memset(out, 0, n);
  std::memcpy(out, text.data(), std::min(n, text.size()));
}

Sample sample(int r, std::uint64_t i) {
  Sample s{};
  s.t = r * 100.0 + static_cast<double>(i) * 0.25;
  s.rank = r;
  s.valid = (i + static_cast<std::uint64_t>(r)) % 2 == 0;
  s.color = i % 3 == 0 ? Color::red : i % 3 == 1 ? Color::green : Color::blue;
  s.position = {static_cast<float>(r), static_cast<float>(i), -1.5f};
  put(s.tag, sizeof s.tag, "r" + std::to_string(r) + "." + std::to_string(i));
  return s;
}

Sample fill_sample() {
  Sample s{};
  s.t = -1;
  s.rank = -1;
  s.valid = false;
  s.color = Color::none;
  s.position = {0, 0, 0};
  std::memcpy(s.tag, "unset", 5);
  return s;
}

Label label(int r) {
  Label l{};
  put(l.data(), l.size(), "r" + std::to_string(r));
  return l;
}

const Vector kFillVector{9, 9, 9, 9};
const Label kFillLabel{'n', 'o', 'n', 'e', 0, 0};

bool operator==(const Sample& a, const Sample& b) {
  return a.t == b.t && a.rank == b.rank && a.valid == b.valid && a.color == b.color && a.position == b.position &&
         std::memcmp(a.tag, b.tag, sizeof a.tag) == 0;
}

// ---- the h5mf side -----------------------------------------------------------------------------

void write_h5mf(const std::string& path, h5mf::Driver driver) {
  h5mf::FileOptions o;
  o.comm = MPI_COMM_WORLD;
  o.driver = driver;
  h5mf::File f(path, "w", o);
  const auto n = static_cast<std::uint64_t>(size());
  const int r = rank();
  const auto me = static_cast<std::uint64_t>(r);
  auto samples = f.create_dataset("samples", h5mf::DatasetCreate::of<Sample>({n * kPerRank}).fill_value(fill_sample()));
  std::vector<Sample> mine;
  for (std::uint64_t i = 0; i + 1 < kPerRank; ++i) mine.push_back(sample(r, i));
  samples.write(mine, h5mf::Selection::hyperslab({me * kPerRank}, {kPerRank - 1}));
  auto colors = f.create_dataset("colors", h5mf::DatasetCreate::of<Color>({n, 5}).fill_value(Color::blue));
  colors.write(std::vector<Color>{Color::red, Color::green, Color::none}, h5mf::Selection::hyperslab({me, 0}, {1, 3}));
  auto flags = f.create_dataset("flags", h5mf::DatasetCreate::of<bool>({n * 3}).fill_value(true));
  flags.write(std::vector<bool>{r % 2 == 0, false}, h5mf::Selection::hyperslab({me * 3}, {2}));
  auto vectors = f.create_dataset("vectors", h5mf::DatasetCreate::of<Vector>({n * 2}).fill_value(kFillVector));
  const auto v = static_cast<std::int16_t>(r);
  vectors.write(std::vector<Vector>{{v, 1, 2, -3}}, h5mf::Selection::hyperslab({me * 2}, {1}));
  h5mf::DatasetCreate labels_spec;
  labels_spec.dtype = h5mf::Datatype::fixed_string(6);
  labels_spec.shape = {n * 2};
  labels_spec.fill.resize(6);
  std::memcpy(labels_spec.fill.data(), kFillLabel.data(), 6);
  auto labels = f.create_dataset("labels", labels_spec);
  labels.write_raw(label(r).data(), h5mf::Datatype::fixed_string(6), h5mf::Selection::hyperslab({me * 2 + 1}, {1}));

  f.attrs().set("sample", sample(7, 7));
  f.attrs().set("color", Color::green);
  f.attrs().set("flag", true);
  f.attrs().set("flags", std::vector<bool>{true, false, true});
  f.attrs().set("vector", Vector{1, -2, 3, -4});
  samples.attrs().set("origin", std::vector<Sample>{sample(0, 0), fill_sample()});
  f.close();
}

// ---- the raw-libhdf5 reference -----------------------------------------------------------------

// RAII for the reference's ids (no h5mf code is used to build them).
struct Raw {
  hid_t id;
  explicit Raw(hid_t i) : id(i) {
    if (id < 0) throw std::runtime_error("reference: an HDF5 call failed");
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    if (id < 0) return;
    switch (H5Iget_type(id)) {
      case H5I_DATATYPE: H5Tclose(id); break;
      case H5I_DATASPACE: H5Sclose(id); break;
      case H5I_DATASET: H5Dclose(id); break;
      case H5I_ATTR: H5Aclose(id); break;
      case H5I_GENPROP_LST: H5Pclose(id); break;
      case H5I_FILE: H5Fclose(id); break;
      default: break;
    }
  }
};

void ok(herr_t status) {
  if (status < 0) throw std::runtime_error("reference: an HDF5 call failed");
}

// h5py's bool and this test's Color, over `base` (native in memory, little-endian in the file).
hid_t bool_type(hid_t base) {
  const hid_t t = H5Tenum_create(base);
  const std::int8_t no = 0, yes = 1;
  ok(H5Tenum_insert(t, "FALSE", &no));
  ok(H5Tenum_insert(t, "TRUE", &yes));
  return t;
}

hid_t color_type(hid_t base) {
  const hid_t t = H5Tenum_create(base);
  const std::pair<const char*, std::uint8_t> members[] = {{"NONE", 0}, {"RED", 1}, {"GREEN", 2}, {"BLUE", 200}};
  for (const auto& [name, value] : members) ok(H5Tenum_insert(t, name, &value));
  return t;
}

hid_t string_type(std::size_t n) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  ok(H5Tset_size(t, n));
  ok(H5Tset_strpad(t, H5T_STR_NULLPAD));
  return t;
}

// The sample as C lays it out, in native types (memory) or little-endian standard ones (file): a
// compound's file type keeps the struct's offsets and size, as h5py keeps numpy's.
hid_t sample_type(bool file) {
  const hsize_t three[1] = {3};
  const Raw b(bool_type(file ? H5T_STD_I8LE : H5T_NATIVE_INT8));
  const Raw c(color_type(file ? H5T_STD_U8LE : H5T_NATIVE_UINT8));
  const Raw pos(H5Tarray_create2(file ? H5T_IEEE_F32LE : H5T_NATIVE_FLOAT, 1, three));
  const Raw tag(string_type(8));
  const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(Sample));
  ok(H5Tinsert(t, "t", offsetof(Sample, t), file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE));
  ok(H5Tinsert(t, "rank", offsetof(Sample, rank), file ? H5T_STD_I32LE : H5T_NATIVE_INT32));
  ok(H5Tinsert(t, "valid", offsetof(Sample, valid), b.id));
  ok(H5Tinsert(t, "color", offsetof(Sample, color), c.id));
  ok(H5Tinsert(t, "position", offsetof(Sample, position), pos.id));
  ok(H5Tinsert(t, "tag", offsetof(Sample, tag), tag.id));
  return t;
}

hid_t vector_type(bool file) {
  const hsize_t four[1] = {4};
  return H5Tarray_create2(file ? H5T_STD_I16LE : H5T_NATIVE_INT16, 1, four);
}

void raw_dataset(hid_t file, const char* name, hid_t file_type, hid_t memory_type, hsize_t n, hsize_t columns,
                 const void* fill, hsize_t start, hsize_t count, const void* data, hsize_t row = 0) {
  const hsize_t dims[2] = {n, columns};
  const int rank2 = columns == 0 ? 1 : 2;
  const Raw space(H5Screate_simple(rank2, dims, nullptr));
  const Raw dcpl(H5Pcreate(H5P_DATASET_CREATE));
  ok(H5Pset_fill_value(dcpl.id, memory_type, fill));
  const Raw d(H5Dcreate2(file, name, file_type, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT));
  const hsize_t start2[2] = {rank2 == 1 ? start : row, start}, count2[2] = {rank2 == 1 ? count : 1, count};
  ok(H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start2, nullptr, count2, nullptr));
  const hsize_t elements = count;
  const Raw memory(H5Screate_simple(1, &elements, nullptr));
  ok(H5Dwrite(d.id, memory_type, memory.id, space.id, H5P_DEFAULT, data));
}

void raw_attribute(hid_t object, const char* name, hid_t file_type, hid_t memory_type, hsize_t n, const void* value) {
  const Raw space(n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
  const Raw a(H5Acreate2(object, name, file_type, space.id, H5P_DEFAULT, H5P_DEFAULT));
  ok(H5Awrite(a.id, memory_type, value));
}

void write_reference(const std::string& path) {
  const Raw fapl(H5Pcreate(H5P_FILE_ACCESS));
  ok(H5Pset_fapl_mpio(fapl.id, MPI_COMM_WORLD, MPI_INFO_NULL));
  const Raw file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id));
  const auto n = static_cast<hsize_t>(size());
  const int r = rank();
  const auto me = static_cast<hsize_t>(r);
  const Raw sample_file(sample_type(true)), sample_memory(sample_type(false));
  const Sample fill = fill_sample();
  std::vector<Sample> mine;
  for (std::uint64_t i = 0; i + 1 < kPerRank; ++i) mine.push_back(sample(r, i));
  raw_dataset(file.id, "samples", sample_file.id, sample_memory.id, n * kPerRank, 0, &fill, me * kPerRank, kPerRank - 1,
              mine.data());
  const Raw color_file(color_type(H5T_STD_U8LE)), color_memory(color_type(H5T_NATIVE_UINT8));
  const Color blue = Color::blue, row[3] = {Color::red, Color::green, Color::none};
  raw_dataset(file.id, "colors", color_file.id, color_memory.id, n, 5, &blue, 0, 3, row, me);
  const Raw bool_file(bool_type(H5T_STD_I8LE)), bool_memory(bool_type(H5T_NATIVE_INT8));
  const bool yes = true, flags[2] = {r % 2 == 0, false};
  raw_dataset(file.id, "flags", bool_file.id, bool_memory.id, n * 3, 0, &yes, me * 3, 2, flags);
  const Raw vector_file(vector_type(true)), vector_memory(vector_type(false));
  const auto v = static_cast<std::int16_t>(r);
  const Vector one{v, 1, 2, -3};
  raw_dataset(file.id, "vectors", vector_file.id, vector_memory.id, n * 2, 0, kFillVector.data(), me * 2, 1, &one);
  const Raw label_type(string_type(6));
  const Label mine_label = label(r);
  raw_dataset(file.id, "labels", label_type.id, label_type.id, n * 2, 0, kFillLabel.data(), me * 2 + 1, 1,
              mine_label.data());

  const Sample seven = sample(7, 7);
  raw_attribute(file.id, "sample", sample_file.id, sample_memory.id, 0, &seven);
  const Color green = Color::green;
  raw_attribute(file.id, "color", color_file.id, color_memory.id, 0, &green);
  raw_attribute(file.id, "flag", bool_file.id, bool_memory.id, 0, &yes);
  const bool three[3] = {true, false, true};
  raw_attribute(file.id, "flags", bool_file.id, bool_memory.id, 3, three);
  const Vector vector{1, -2, 3, -4};
  raw_attribute(file.id, "vector", vector_file.id, vector_memory.id, 0, &vector);
  const Raw samples(H5Dopen2(file.id, "samples", H5P_DEFAULT));
  const Sample origin[2] = {sample(0, 0), fill_sample()};
  raw_attribute(samples.id, "origin", sample_file.id, sample_memory.id, 2, origin);
}

// ---- rank 0's checks ---------------------------------------------------------------------------

// Every element as the container returns it without a merge, against the values written.
std::string direct_reads(const std::string& container) {
  std::string failures;
  h5mf::FileOptions o;
  o.driver = h5mf::Driver::Multifile;
  h5mf::File f(container, "r", o);
  const int n = size();
  const auto samples = f.dataset("samples").read<Sample>();
  for (int r = 0; r < n; ++r) {
    for (std::uint64_t i = 0; i < kPerRank; ++i) {
      const Sample want = i + 1 < kPerRank ? sample(r, i) : fill_sample();
      if (!(samples.at(static_cast<std::size_t>(r) * kPerRank + i) == want)) {
        failures += "direct read: samples[" + std::to_string(r * kPerRank + i) + "] differs\n";
      }
    }
  }
  const auto colors = f.dataset("colors").read<Color>();
  const auto flags = f.dataset("flags").read<bool>();
  const auto vectors = f.dataset("vectors").read<Vector>();
  std::vector<Label> labels(static_cast<std::size_t>(n) * 2);
  f.dataset("labels").read_raw(labels.data(), h5mf::Datatype::fixed_string(6), h5mf::Selection::all());
  for (int r = 0; r < n; ++r) {
    const auto at = static_cast<std::size_t>(r);
    const std::vector<Color> row(colors.begin() + static_cast<std::ptrdiff_t>(at * 5),
                                 colors.begin() + static_cast<std::ptrdiff_t>(at * 5 + 5));
    if (row != std::vector<Color>{Color::red, Color::green, Color::none, Color::blue, Color::blue}) {
      failures += "direct read: colors row " + std::to_string(r) + " differs\n";
    }
    if (flags[at * 3] != (r % 2 == 0) || flags[at * 3 + 1] || !flags[at * 3 + 2]) {
      failures += "direct read: flags of rank " + std::to_string(r) + " differ\n";
    }
    const auto v = static_cast<std::int16_t>(r);
    if (vectors[at * 2] != Vector{v, 1, 2, -3} || vectors[at * 2 + 1] != kFillVector) {
      failures += "direct read: vectors of rank " + std::to_string(r) + " differ\n";
    }
    if (labels[at * 2] != kFillLabel || labels[at * 2 + 1] != label(r)) {
      failures += "direct read: labels of rank " + std::to_string(r) + " differ\n";
    }
  }
  if (!(f.attrs().get<Sample>("sample") == sample(7, 7))) failures += "direct read: attribute 'sample' differs\n";
  if (f.attrs().get<Color>("color") != Color::green) failures += "direct read: attribute 'color' differs\n";
  if (!f.attrs().get<bool>("flag")) failures += "direct read: attribute 'flag' differs\n";
  if (f.attrs().get<std::vector<bool>>("flags") != std::vector<bool>{true, false, true}) {
    failures += "direct read: attribute 'flags' differs\n";
  }
  const auto origin = f.dataset("samples").attrs().get<std::vector<Sample>>("origin");
  if (origin.size() != 2 || !(origin[0] == sample(0, 0)) || !(origin[1] == fill_sample())) {
    failures += "direct read: attribute 'origin' differs\n";
  }
  return failures;
}

// h5py reads the merged file as numpy holds these types.
const char* kH5pyCheck = R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); n = int(sys.argv[2])
s = f["samples"]
assert s.dtype.names == ("t", "rank", "valid", "color", "position", "tag"), s.dtype
assert s.dtype["valid"] == np.bool_ and s.dtype["position"] == np.dtype(("<f4", (3,))) and s.dtype["tag"] == "S8"
assert h5py.check_enum_dtype(s.dtype["color"]) == {"NONE": 0, "RED": 1, "GREEN": 2, "BLUE": 200}
a = s[...]
assert a["rank"].tolist() == sum([[r] * 4 + [-1] for r in range(n)], []), a["rank"]
assert a["tag"][4] == b"unset" and a["tag"][1] == b"r0.1" and a["position"][1].tolist() == [0, 1, -1.5]
assert s.fillvalue["t"] == -1 and s.fillvalue["tag"] == b"unset"
assert h5py.check_enum_dtype(f["colors"].dtype) == {"NONE": 0, "RED": 1, "GREEN": 2, "BLUE": 200}
assert f["colors"][...].tolist() == [[1, 2, 0, 200, 200]] * n
assert f["flags"].dtype == np.bool_ and f["flags"][...].tolist() == sum([[r % 2 == 0, False, True] for r in range(n)], [])
assert f["vectors"][...].tolist() == sum([[[r, 1, 2, -3], [9, 9, 9, 9]] for r in range(n)], [])
assert f["labels"][...].tolist() == sum([[b"none", b"r%d" % r] for r in range(n)], [])
assert f.attrs["flag"] == True and f.attrs["flags"].tolist() == [True, False, True]
assert f.attrs["sample"]["tag"] == b"r7.7" and f.attrs["vector"].tolist() == [1, -2, 3, -4]
assert s.attrs["origin"]["rank"].tolist() == [0, -1]
print("ok")
)";

// `h5dump -d NAME` of a file, without its first line (the file's name).
std::string dump(const std::string& file, const std::string& dataset, std::string* failures) {
  std::string out;
  if (run(std::string(h5dump()) + " -d " + dataset + " " + quoted(file), &out) != 0) {
    *failures += "h5dump -d " + dataset + " " + file + " failed:\n" + out;
  }
  return out.substr(std::min(out.size(), out.find('\n')));
}

TEST(Types, EveryFixedSizeTypeThroughEveryPath) {
  const fs::path dir = test_dir();
  const std::string container = (dir / "container.h5").string(), reference = (dir / "reference.h5").string(),
                    merged = (dir / "merged.h5").string(), mpio = (dir / "mpio.h5").string(),
                    view_file = (dir / "view.h5").string();
  const std::string written = gathered(capture("writing", [&] {
    write_h5mf(container, h5mf::Driver::Multifile);
    write_reference(reference);
    write_h5mf(mpio, h5mf::Driver::Mpio);
  }));
  ASSERT_EQ(written, "");
  barrier();
  std::string failures;
  if (rank() == 0) {
    failures += capture("direct reads", [&] { failures += direct_reads(container); });
    failures += capture("view", [&] {
      h5mf::ViewOptions v;
      v.output = view_file;
      h5mf::view(container, v);
    });
    failures += capture("merge", [&] {
      const auto report = h5mf::merge(container, merge_to(merged));
      if (report.records_dropped != 0) failures += "merge dropped records\n";
    });
    for (const auto& [file, what] : {std::pair{merged, "merged file"}, std::pair{mpio, "mpio driver's file"}}) {
      const std::string differences = compare_hdf5(file, reference);
      if (!differences.empty()) failures += std::string(what) + " differs from the reference:\n" + differences;
      std::string out;
      if (run(std::string(h5diff()) + " " + quoted(file) + " " + quoted(reference), &out) != 0) {
        failures += std::string("h5diff of the ") + what + ":\n" + out;
      }
      if (run(std::string(python()) + " " + quoted(h5py_compare_script()) + " " + quoted(file) + " " +
                  quoted(reference),
              &out) != 0) {
        failures += std::string("h5py comparison of the ") + what + ":\n" + out;
      }
    }
    std::string out;
    if (run(std::string(python()) + " -c " + quoted(kH5pyCheck) + " " + quoted(merged) + " " + std::to_string(size()),
            &out) != 0 ||
        out != "ok\n") {
      failures += "h5py's reading of the merged file:\n" + out;
    }
    for (const char* name : {"/samples", "/colors", "/flags", "/vectors", "/labels"}) {
      const std::string of_view = dump(view_file, name, &failures), of_merged = dump(merged, name, &failures);
      if (of_view != of_merged) failures += std::string("h5dump of the view differs for ") + name + ":\n" + of_view;
    }
  }
  EXPECT_EQ(shared(failures), "");
}

}  // namespace
}  // namespace h5mf_test
