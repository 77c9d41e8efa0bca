#include "support.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace h5mf_test {
namespace {

std::filesystem::path g_scratch;

// Closes an HDF5 id of any kind when it goes out of scope.
struct Id {
  hid_t id = H5I_INVALID_HID;
  Id() = default;
  explicit Id(hid_t i) : id(i) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& other) noexcept : id(other.id) { other.id = H5I_INVALID_HID; }
  ~Id() {
    if (id < 0) return;
    switch (H5Iget_type(id)) {
      case H5I_FILE: H5Fclose(id); break;
      case H5I_GROUP: H5Gclose(id); break;
      case H5I_DATASET: H5Dclose(id); break;
      case H5I_DATASPACE: H5Sclose(id); break;
      case H5I_DATATYPE: H5Tclose(id); break;
      case H5I_ATTR: H5Aclose(id); break;
      case H5I_GENPROP_LST: H5Pclose(id); break;
      default: H5Oclose(id); break;
    }
  }
  hid_t get() const { return id; }
  bool ok() const { return id >= 0; }
};

std::vector<std::uint64_t> dims_of(hid_t space, std::vector<std::uint64_t>* maxdims = nullptr) {
  const int n = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> d(static_cast<std::size_t>(std::max(n, 0))), m(d.size());
  H5Sget_simple_extent_dims(space, d.data(), m.data());
  if (maxdims) maxdims->assign(m.begin(), m.end());
  return {d.begin(), d.end()};
}

std::string join(const std::vector<std::uint64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::string type_name(hid_t type) {
  std::ostringstream out;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: out << (H5Tget_sign(type) == H5T_SGN_2 ? "signed" : "unsigned") << " integer"; break;
    case H5T_FLOAT: out << "float"; break;
    case H5T_STRING: out << (H5Tis_variable_str(type) > 0 ? "variable-length string" : "string"); break;
    case H5T_COMPOUND: out << "compound of " << H5Tget_nmembers(type) << " members"; break;
    default: out << "class " << H5Tget_class(type); break;
  }
  out << ", " << H5Tget_size(type) << " bytes";
  const H5T_order_t order = H5Tget_order(type);
  if (order == H5T_ORDER_LE) out << ", little-endian";
  if (order == H5T_ORDER_BE) out << ", big-endian";
  return out.str();
}

// Every object below the root, by path, with whether it is a group.
std::map<std::string, H5I_type_t> objects_of(hid_t file) {
  std::map<std::string, H5I_type_t> out;
  out["/"] = H5I_GROUP;
  struct Walk {
    static herr_t visit(hid_t group, const char* name, const H5L_info_t*, void* data) {
      auto& found = *static_cast<std::map<std::string, H5I_type_t>*>(data);
      Id object(H5Oopen(group, name, H5P_DEFAULT));
      found["/" + std::string(name)] = object.ok() ? H5Iget_type(object.get()) : H5I_BADID;
      return 0;
    }
  };
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, &Walk::visit, &out);
  return out;
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  struct Walk {
    static herr_t visit(hid_t, const char* name, const H5A_info_t*, void* data) {
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
      return 0;
    }
  };
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, &Walk::visit, &names);
  return names;
}

// An attribute's value as comparable text-free bytes: strings for variable-length strings.
struct AttributeValue {
  bool ok = false;
  Id type;
  std::vector<std::uint64_t> dims;
  bool scalar = false;
  std::vector<unsigned char> bytes;
  std::vector<std::string> strings;
};

AttributeValue read_attribute(hid_t object, const std::string& name) {
  AttributeValue v;
  Id attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT));
  if (!attribute.ok()) return v;
  v.type.id = H5Aget_type(attribute.get());
  Id space(H5Aget_space(attribute.get()));
  v.scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  v.dims = dims_of(space.get());
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  if (H5Tis_variable_str(v.type.get()) > 0) {
    std::vector<char*> pointers(n);
    if (H5Aread(attribute.get(), v.type.get(), pointers.data()) < 0) return v;
    for (char* p : pointers) v.strings.emplace_back(p ? p : "<null>");
    H5Dvlen_reclaim(v.type.get(), space.get(), H5P_DEFAULT, pointers.data());
  } else {
    v.bytes.resize(n * H5Tget_size(v.type.get()));
    if (H5Aread(attribute.get(), v.type.get(), v.bytes.data()) < 0) return v;
  }
  v.ok = true;
  return v;
}

void compare_attributes(hid_t actual, hid_t expected, const std::string& path, std::ostringstream& out) {
  const auto names_a = attribute_names(actual), names_e = attribute_names(expected);
  if (names_a != names_e) {
    out << path << ": attributes differ: has {";
    for (auto& n : names_a) out << n << ' ';
    out << "}, expected {";
    for (auto& n : names_e) out << n << ' ';
    out << "}\n";
  }
  for (const auto& name : names_e) {
    if (std::find(names_a.begin(), names_a.end(), name) == names_a.end()) continue;
    const AttributeValue a = read_attribute(actual, name), e = read_attribute(expected, name);
    const std::string what = path + " attribute '" + name + "'";
    if (!a.ok || !e.ok) {
      out << what << ": cannot be read\n";
      continue;
    }
    if (H5Tequal(a.type.get(), e.type.get()) <= 0) {
      out << what << ": type " << type_name(a.type.get()) << " differs from " << type_name(e.type.get()) << "\n";
    }
    if (a.scalar != e.scalar || a.dims != e.dims) {
      out << what << ": shape " << (a.scalar ? "scalar" : join(a.dims)) << ", expected "
          << (e.scalar ? "scalar" : join(e.dims)) << "\n";
    }
    if (a.bytes != e.bytes || a.strings != e.strings) out << what << ": value differs\n";
  }
}

std::vector<unsigned char> fill_of(hid_t dataset, hid_t type, H5D_fill_value_t* status) {
  Id dcpl(H5Dget_create_plist(dataset));
  H5Pfill_value_defined(dcpl.get(), status);
  std::vector<unsigned char> fill(H5Tget_size(type));
  H5Pget_fill_value(dcpl.get(), type, fill.data());
  return fill;
}

void compare_dataset(hid_t file_a, hid_t file_e, const std::string& path, std::ostringstream& out) {
  Id a(H5Dopen2(file_a, path.c_str(), H5P_DEFAULT)), e(H5Dopen2(file_e, path.c_str(), H5P_DEFAULT));
  if (!a.ok() || !e.ok()) {
    out << path << ": cannot open the dataset\n";
    return;
  }
  Id type_a(H5Dget_type(a.get())), type_e(H5Dget_type(e.get()));
  if (H5Tequal(type_a.get(), type_e.get()) <= 0) {
    out << path << ": type " << type_name(type_a.get()) << " differs from " << type_name(type_e.get()) << "\n";
    return;
  }
  Id space_a(H5Dget_space(a.get())), space_e(H5Dget_space(e.get()));
  std::vector<std::uint64_t> max_a, max_e;
  const auto dims_a = dims_of(space_a.get(), &max_a), dims_e = dims_of(space_e.get(), &max_e);
  if (dims_a != dims_e || max_a != max_e) {
    out << path << ": shape " << join(dims_a) << "/" << join(max_a) << ", expected " << join(dims_e) << "/"
        << join(max_e) << "\n";
    return;
  }
  H5D_fill_value_t defined_a{}, defined_e{};
  const auto fill_a = fill_of(a.get(), type_a.get(), &defined_a), fill_e = fill_of(e.get(), type_e.get(), &defined_e);
  if (fill_a != fill_e) out << path << ": fill value differs\n";

  const std::size_t esize = H5Tget_size(type_e.get());
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space_e.get()));
  std::vector<unsigned char> bytes_a(n * esize), bytes_e(n * esize);
  if (n > 0 && (H5Dread(a.get(), type_a.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes_a.data()) < 0 ||
                H5Dread(e.get(), type_e.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes_e.data()) < 0)) {
    out << path << ": cannot read the data\n";
    return;
  }
  std::size_t differing = 0, first = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::memcmp(bytes_a.data() + i * esize, bytes_e.data() + i * esize, esize) != 0) {
      if (differing++ == 0) first = i;
    }
  }
  if (differing > 0) {
    out << path << ": " << differing << " of " << n << " elements differ, the first at linear index " << first << "\n";
  }
  compare_attributes(a.get(), e.get(), path, out);
}

}  // namespace

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void barrier() { MPI_Barrier(MPI_COMM_WORLD); }

const std::filesystem::path& scratch_root() { return g_scratch; }
void set_scratch_root(std::filesystem::path root) { g_scratch = std::move(root); }

std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const auto dir = g_scratch / name;
  if (rank() == 0) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  barrier();
  return dir;
}

std::string shared(const std::string& text_on_rank0) {
  std::uint64_t length = text_on_rank0.size();
  MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::string out = rank() == 0 ? text_on_rank0 : std::string(length, '\0');
  MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
}

std::string gathered(const std::string& local) {
  const std::string mine = local.empty() ? std::string() : "rank " + std::to_string(rank()) + ": " + local + "\n";
  std::string all;
  for (int r = 0; r < size(); ++r) {
    std::uint64_t length = mine.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, r, MPI_COMM_WORLD);
    std::string text = rank() == r ? mine : std::string(length, '\0');
    MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, r, MPI_COMM_WORLD);
    all += text;
  }
  return all;
}

std::string capture(const std::string& what, const std::function<void()>& step) {
  try {
    step();
    return {};
  } catch (const std::exception& e) {
    return what + ": " + e.what() + "\n";
  }
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> chunk{};
  std::string text;
  while (std::size_t n = std::fread(chunk.data(), 1, chunk.size(), pipe)) text.append(chunk.data(), n);
  const int status = pclose(pipe);
  if (output) *output = std::move(text);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string compare_hdf5(const std::string& actual, const std::string& expected) {
  std::ostringstream out;
  Id a(H5Fopen(actual.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  Id e(H5Fopen(expected.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!a.ok()) return "cannot open '" + actual + "' with libhdf5\n";
  if (!e.ok()) return "cannot open '" + expected + "' with libhdf5\n";
  const auto objects_a = objects_of(a.get()), objects_e = objects_of(e.get());
  for (const auto& [path, kind] : objects_e) {
    const auto it = objects_a.find(path);
    if (it == objects_a.end()) {
      out << path << ": missing\n";
    } else if (it->second != kind) {
      out << path << ": is a " << (it->second == H5I_GROUP ? "group" : "dataset") << ", expected a "
          << (kind == H5I_GROUP ? "group" : "dataset") << "\n";
    } else if (kind == H5I_DATASET) {
      compare_dataset(a.get(), e.get(), path, out);
    } else {
      Id ga(H5Gopen2(a.get(), path.c_str(), H5P_DEFAULT)), ge(H5Gopen2(e.get(), path.c_str(), H5P_DEFAULT));
      compare_attributes(ga.get(), ge.get(), path, out);
    }
  }
  for (const auto& [path, kind] : objects_a) {
    if (!objects_e.contains(path)) out << path << ": not expected\n";
  }
  return out.str();
}

std::vector<unsigned char> read_converted(const std::string& file, const std::string& path, hid_t memory_type,
                                          std::size_t element_size) {
  Id f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.ok()) throw std::runtime_error("cannot open '" + file + "'");
  Id d(H5Dopen2(f.get(), path.c_str(), H5P_DEFAULT));
  if (!d.ok()) throw std::runtime_error("no dataset '" + path + "' in '" + file + "'");
  Id space(H5Dget_space(d.get()));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<unsigned char> out(n * element_size);
  if (n > 0 && H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    throw std::runtime_error("cannot read '" + path + "' from '" + file + "'");
  }
  return out;
}

std::vector<std::string> dataset_paths(const std::string& file) {
  Id f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.ok()) throw std::runtime_error("cannot open '" + file + "'");
  std::vector<std::string> out;
  for (const auto& [path, kind] : objects_of(f.get())) {
    if (kind == H5I_DATASET) out.push_back(path);
  }
  return out;
}

DatasetBytes read_dataset(const std::string& file, const std::string& path) {
  Id f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.ok()) throw std::runtime_error("cannot open '" + file + "'");
  Id d(H5Dopen2(f.get(), path.c_str(), H5P_DEFAULT));
  if (!d.ok()) throw std::runtime_error("no dataset '" + path + "' in '" + file + "'");
  Id type(H5Dget_type(d.get())), space(H5Dget_space(d.get()));
  DatasetBytes out;
  out.dims = dims_of(space.get());
  out.element_size = H5Tget_size(type.get());
  out.bytes.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())) * out.element_size);
  if (!out.bytes.empty() && H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.bytes.data()) < 0) {
    throw std::runtime_error("cannot read '" + path + "' from '" + file + "'");
  }
  return out;
}

h5mf::MergeOptions merge_to(const std::string& output) {
  h5mf::MergeOptions options;
  options.output = output;
  return options;
}

const char* h5diff() { return H5MF_TEST_H5DIFF; }
const char* h5dump() { return H5MF_TEST_H5DUMP; }
const char* python() { return H5MF_TEST_PYTHON; }
std::string h5py_compare_script() { return H5MF_TEST_SOURCE_DIR "/h5py_compare.py"; }

}  // namespace h5mf_test
