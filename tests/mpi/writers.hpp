// Two writers with one interface, so that a test pattern (a function template over the writer) makes
// exactly the same calls on an h5mf container and on a reference file written with the raw HDF5 C
// API (MPI-IO driver, independent transfers). The reference is what the merged file must equal.
#pragma once

#include <mpi.h>

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace h5mf_test {

using h5mf::Extent;
using h5mf::Selection;

template <class T>
struct Types;
#define H5MF_TEST_TYPES(T, NATIVE, FILE)     \
  template <>                                \
  struct Types<T> {                          \
    static hid_t native() { return NATIVE; } \
    static hid_t file() { return FILE; }     \
  };
H5MF_TEST_TYPES(std::int8_t, H5T_NATIVE_INT8, H5T_STD_I8LE)
H5MF_TEST_TYPES(std::uint8_t, H5T_NATIVE_UINT8, H5T_STD_U8LE)
H5MF_TEST_TYPES(std::int16_t, H5T_NATIVE_INT16, H5T_STD_I16LE)
H5MF_TEST_TYPES(std::uint16_t, H5T_NATIVE_UINT16, H5T_STD_U16LE)
H5MF_TEST_TYPES(std::int32_t, H5T_NATIVE_INT32, H5T_STD_I32LE)
H5MF_TEST_TYPES(std::uint32_t, H5T_NATIVE_UINT32, H5T_STD_U32LE)
H5MF_TEST_TYPES(std::int64_t, H5T_NATIVE_INT64, H5T_STD_I64LE)
H5MF_TEST_TYPES(std::uint64_t, H5T_NATIVE_UINT64, H5T_STD_U64LE)
H5MF_TEST_TYPES(float, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE)
H5MF_TEST_TYPES(double, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE)
#undef H5MF_TEST_TYPES

template <class T>
inline constexpr bool is_vector_v = false;
template <class T>
inline constexpr bool is_vector_v<std::vector<T>> = true;
// The element type of an attribute value: T for T and for std::vector<T>.
template <class T>
struct element {
  using type = T;
};
template <class T>
struct element<std::vector<T>> {
  using type = T;
};

// Names a dataset's element type in a call: w.create_dataset("x", as<double>, {10}).
template <class T>
struct Tag {
  using type = T;
};
template <class T>
inline constexpr Tag<T> as{};

// Optional creation settings shared by both writers.
struct Layout {
  Extent maxshape;  // empty: fixed size
  Extent chunks;    // empty: contiguous
};

class H5mfWriter {
 public:
  static constexpr bool is_reference = false;

  // `driver`: the container (multifile), or classic parallel HDF5 (mpio) through the same API.
  // `aggregation`: groups of ranks funnel their writes into fewer data files (H5MF_AGGREGATE
  // decides when Off).
  explicit H5mfWriter(const std::string& path, std::size_t buffer_bytes = 0,
                      h5mf::Driver driver = h5mf::Driver::Multifile, h5mf::Aggregation aggregation = {})
      : path_(path),
        buffer_bytes_(buffer_bytes),
        driver_(driver),
        aggregation_(aggregation),
        file_(path, "w", options(buffer_bytes, driver, aggregation)) {}

  // Closes the file and opens it again as a new session ("a" or "r+").
  void reopen(const std::string& mode) {
    datasets_.clear();
    file_.close();
    file_ = h5mf::File(path_, mode, options(buffer_bytes_, driver_, aggregation_));
  }

  void create_group(const std::string& path) { file_.create_group(path); }

  template <class T>
  void create_dataset(const std::string& path, Tag<T>, const Extent& shape,
                      std::type_identity_t<std::optional<T>> fill = {}, const Layout& layout = {}) {
    auto spec = h5mf::DatasetCreate::of<T>(shape);
    if (fill) spec.fill_value(*fill);
    if (!layout.maxshape.empty()) spec.max_shape(layout.maxshape);
    if (!layout.chunks.empty()) spec.chunk_shape(layout.chunks);
    datasets_.insert_or_assign(path, file_.create_dataset(path, spec));
  }

  // A fill value given in another type than the dataset's (h5py: dtype='f4', fillvalue=-1).
  template <class T, class F>
  void create_dataset_filled(const std::string& path, Tag<T>, const Extent& shape, F fill) {
    auto spec = h5mf::DatasetCreate::of<T>(shape);
    spec.fill_value(fill);
    datasets_.insert_or_assign(path, file_.create_dataset(path, spec));
  }

  // An explicit file type (big-endian, compound...), as DatasetCreate::dtype allows.
  void create_dataset_typed(const std::string& path, hid_t file_type, const Extent& shape) {
    h5mf::DatasetCreate spec;
    spec.dtype = h5mf::Datatype::copy_of(file_type);
    spec.shape = shape;
    datasets_.insert_or_assign(path, file_.create_dataset(path, spec));
  }

  template <class M>
  void write(const std::string& path, const std::vector<M>& data, const Selection& selection) {
    dataset(path).write(data, selection);
  }

  void write_raw(const std::string& path, hid_t memory_type, const void* buffer, const Selection& selection) {
    dataset(path).write_raw(buffer, h5mf::Datatype::copy_of(memory_type), selection);
  }

  void resize(const std::string& path, const Extent& shape) { dataset(path).resize(shape); }

  template <class T>
  void attr(const std::string& path, const std::string& name, const T& value) {
    attributes(path).set(name, value);
  }
  void remove_attr(const std::string& path, const std::string& name) { attributes(path).remove(name); }

  void flush() { file_.flush(); }
  void close() { file_.close(); }
  h5mf::File& file() { return file_; }

 private:
  static h5mf::FileOptions options(std::size_t buffer_bytes, h5mf::Driver driver, h5mf::Aggregation aggregation) {
    h5mf::FileOptions o;
    o.comm = MPI_COMM_WORLD;
    o.driver = driver;
    o.aggregation = aggregation;
    if (buffer_bytes) o.buffer_bytes = buffer_bytes;
    return o;
  }
  h5mf::Dataset& dataset(const std::string& path) {
    auto it = datasets_.find(path);
    if (it == datasets_.end()) it = datasets_.emplace(path, file_.dataset(path)).first;
    return it->second;
  }
  h5mf::Attributes attributes(const std::string& path) {
    if (path == "/") return file_.attrs();
    return file_.type_of(path) == h5mf::ObjectType::Group ? file_.group(path).attrs() : file_.dataset(path).attrs();
  }

  std::string path_;
  std::size_t buffer_bytes_;
  h5mf::Driver driver_;
  h5mf::Aggregation aggregation_;
  h5mf::File file_;
  std::map<std::string, h5mf::Dataset> datasets_;
};

// The same calls through libhdf5's MPI-IO driver. Every failure throws: a reference that cannot be
// written would make every comparison meaningless.
class ReferenceWriter {
 public:
  static constexpr bool is_reference = true;

  explicit ReferenceWriter(const std::string& path) : path_(path) { open(true); }

  // Closes the file and opens it again for writing (h5py's "a" and "r+" of an existing file).
  void reopen(const std::string&) {
    close();
    open(false);
  }
  ReferenceWriter(const ReferenceWriter&) = delete;
  ReferenceWriter& operator=(const ReferenceWriter&) = delete;
  ~ReferenceWriter() {
    try {
      close();
    } catch (...) {  // only reached while unwinding; the first error is the one to report
    }
  }

  void create_group(const std::string& path) {
    const hid_t g = H5Gcreate2(file_, path.c_str(), lcpl_, H5P_DEFAULT, H5P_DEFAULT);
    check(g, "H5Gcreate2 " + path);
    H5Gclose(g);
  }

  template <class T>
  void create_dataset(const std::string& path, Tag<T>, const Extent& shape,
                      std::type_identity_t<std::optional<T>> fill = {}, const Layout& layout = {}) {
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (fill) check(H5Pset_fill_value(dcpl, Types<T>::native(), &*fill), "H5Pset_fill_value");
    if (!layout.chunks.empty()) {
      const std::vector<hsize_t> c(layout.chunks.begin(), layout.chunks.end());
      check(H5Pset_chunk(dcpl, static_cast<int>(c.size()), c.data()), "H5Pset_chunk");
    }
    std::vector<hsize_t> dims(shape.begin(), shape.end()), max = dims;
    for (std::size_t d = 0; d < layout.maxshape.size(); ++d) {
      max[d] = layout.maxshape[d] == h5mf::DatasetCreate::kUnlimited ? H5S_UNLIMITED : layout.maxshape[d];
    }
    const hid_t space =
        dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data());
    const hid_t d = H5Dcreate2(file_, path.c_str(), Types<T>::file(), space, lcpl_, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(dcpl);
    check(d, "H5Dcreate2 " + path);
    datasets_[path] = d;
  }

  template <class T, class F>
  void create_dataset_filled(const std::string& path, Tag<T>, const Extent& shape, F fill) {
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    check(H5Pset_fill_value(dcpl, Types<F>::native(), &fill), "H5Pset_fill_value");
    create(path, Types<T>::file(), shape, dcpl);
    H5Pclose(dcpl);
  }

  void create_dataset_typed(const std::string& path, hid_t file_type, const Extent& shape) {
    create(path, file_type, shape, H5P_DEFAULT);
  }

  template <class M>
  void write(const std::string& path, const std::vector<M>& data, const Selection& selection) {
    write_raw(path, Types<M>::native(), data.data(), selection);
  }

  void write_raw(const std::string& path, hid_t memory_type, const void* buffer, const Selection& selection) {
    const hid_t d = dataset(path);
    const hid_t file_space = H5Dget_space(d);
    hid_t memory_space = H5S_ALL;
    switch (selection.kind()) {
      case Selection::Kind::All: {
        const auto n = static_cast<hsize_t>(H5Sget_simple_extent_npoints(file_space));
        memory_space = H5Screate_simple(1, &n, nullptr);
        break;
      }
      case Selection::Kind::Hyperslab: {
        const auto& s = selection.slab();
        const std::size_t rank = s.start.size();
        auto h = [](const Extent& e) { return std::vector<hsize_t>(e.begin(), e.end()); };
        std::vector<hsize_t> start = h(s.start), count = h(s.count);
        std::vector<hsize_t> stride = s.stride.empty() ? std::vector<hsize_t>(rank, 1) : h(s.stride);
        std::vector<hsize_t> block = s.block.empty() ? std::vector<hsize_t>(rank, 1) : h(s.block);
        hsize_t n = 1;
        for (std::size_t i = 0; i < rank; ++i) n *= count[i] * block[i];
        if (n == 0) {
          check(H5Sselect_none(file_space), "H5Sselect_none");
        } else {
          check(
              H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data()),
              "H5Sselect_hyperslab " + path);
        }
        memory_space = H5Screate_simple(1, &n, nullptr);
        break;
      }
      case Selection::Kind::Points: {
        const hsize_t n = selection.num_points();
        const std::vector<hsize_t> coords(selection.flat_points().begin(), selection.flat_points().end());
        if (n == 0) {
          check(H5Sselect_none(file_space), "H5Sselect_none");
        } else {
          check(H5Sselect_elements(file_space, H5S_SELECT_SET, n, coords.data()), "H5Sselect_elements " + path);
        }
        memory_space = H5Screate_simple(1, &n, nullptr);
        break;
      }
    }
    const herr_t status = H5Dwrite(d, memory_type, memory_space, file_space, H5P_DEFAULT, buffer);
    H5Sclose(memory_space);
    H5Sclose(file_space);
    check(status, "H5Dwrite " + path);
  }

  void resize(const std::string& path, const Extent& shape) {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    check(H5Dset_extent(dataset(path), dims.data()), "H5Dset_extent " + path);
  }

  template <class T>
  void attr(const std::string& path, const std::string& name, const T& value) {
    const hid_t object = H5Oopen(file_, path.c_str(), H5P_DEFAULT);
    check(object, "H5Oopen " + path);
    if (H5Aexists(object, name.c_str()) > 0) check(H5Adelete(object, name.c_str()), "H5Adelete " + name);
    hsize_t n = 1;
    hid_t space;
    if constexpr (is_vector_v<T>) {
      n = value.size();
      space = H5Screate_simple(1, &n, nullptr);
    } else {
      space = H5Screate(H5S_SCALAR);
    }
    using E = typename element<T>::type;
    herr_t status;
    if constexpr (std::is_same_v<E, std::string>) {
      // h5py's str: variable-length, NUL-terminated, UTF-8.
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, H5T_VARIABLE);
      H5Tset_strpad(type, H5T_STR_NULLTERM);
      H5Tset_cset(type, H5T_CSET_UTF8);
      std::vector<const char*> pointers;
      if constexpr (is_vector_v<T>) {
        for (const auto& s : value) pointers.push_back(s.c_str());
      } else {
        pointers.push_back(value.c_str());
      }
      const hid_t a = H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
      status = H5Awrite(a, type, pointers.data());
      H5Aclose(a);
      H5Tclose(type);
    } else {
      const hid_t a = H5Acreate2(object, name.c_str(), Types<E>::file(), space, H5P_DEFAULT, H5P_DEFAULT);
      if constexpr (is_vector_v<T>) {
        status = H5Awrite(a, Types<E>::native(), value.data());
      } else {
        status = H5Awrite(a, Types<E>::native(), &value);
      }
      H5Aclose(a);
    }
    H5Sclose(space);
    H5Oclose(object);
    check(status, "attribute " + name + " of " + path);
  }

  void remove_attr(const std::string& path, const std::string& name) {
    check(H5Adelete_by_name(file_, path.c_str(), name.c_str(), H5P_DEFAULT), "H5Adelete_by_name " + name);
  }

  // Makes every rank's writes so far land before anything written after it (MPI-IO's
  // sync-barrier rule), which is what h5mf's epochs promise for its flush().
  void flush() {
    check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "H5Fflush");
    MPI_Barrier(MPI_COMM_WORLD);
  }

  void close() {
    if (file_ < 0) return;
    for (auto& [path, d] : datasets_) H5Dclose(d);
    datasets_.clear();
    H5Pclose(lcpl_);
    const herr_t status = H5Fclose(file_);
    file_ = H5I_INVALID_HID;
    check(status, "H5Fclose");
  }

 private:
  void create(const std::string& path, hid_t type, const Extent& shape, hid_t dcpl) {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t d = H5Dcreate2(file_, path.c_str(), type, space, lcpl_, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    check(d, "H5Dcreate2 " + path);
    datasets_[path] = d;
  }
  void open(bool fresh) {
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
    file_ =
        fresh ? H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    check(file_, "opening " + path_);
    lcpl_ = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl_, 1);  // "a/b/c" creates a and b, as h5mf does
  }
  static void check(hid_t status, const std::string& what) {
    if (status < 0) throw std::runtime_error("reference file: " + what + " failed");
  }
  hid_t dataset(const std::string& path) {
    auto it = datasets_.find(path);
    if (it != datasets_.end()) return it->second;
    const hid_t d = H5Dopen2(file_, path.c_str(), H5P_DEFAULT);
    check(d, "H5Dopen2 " + path);
    datasets_[path] = d;
    return d;
  }

  std::string path_;
  hid_t file_ = H5I_INVALID_HID;
  hid_t lcpl_ = H5I_INVALID_HID;
  std::map<std::string, hid_t> datasets_;
};

}  // namespace h5mf_test
