// What h5dump and h5ls show of a file beyond the public API's groups, datasets and attributes:
// the objects an object reference names (h5dump prints `DATASET 800 "/x"`: the kind, libhdf5's
// address and the first path of h5dump's walk), named datatypes' identities, and attributes that
// hold references or NULL strings. A file read through libhdf5 (a plain HDF5 file, or a file-image
// container) is also opened here, read-only, with libhdf5 itself: references are addresses, and
// the library reads variable-length attributes of references. A multifile container has no
// references: its dimension scales are records, shown as the attributes the merge's H5DS calls
// write (DIMENSION_LIST, REFERENCE_LIST, DIMENSION_LABELS), naming objects without an address,
// which only the merged file gives.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "h5mf/file.hpp"

namespace h5mf::tools {

// libhdf5's read-only handle of the file a File reads through libhdf5; invalid for a container.
class Hdf5File {
 public:
  explicit Hdf5File(const File& file);
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;
  ~Hdf5File();
  bool valid() const { return id_ >= 0; }
  hid_t id() const { return id_; }
  // The address of the object at `path` (libhdf5's, as h5dump prints it); nullopt when invalid.
  std::optional<std::uint64_t> address(const std::string& path) const;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// An attribute's value as h5dump shows it: `data` as Attributes::get_raw gives it, except that
// variable-length sequences are hvl_t in `data.bytes` (pointing into `keep`) and NULL strings are
// marked in `null`.
struct AttributeValue {
  AttributeData data;
  std::vector<bool> null;
  std::shared_ptr<const void> keep;
  std::optional<std::string> named_type;  // the path of the named datatype its type is, if any
};

class ObjectIndex {
 public:
  // Walks `file` in h5dump's order (links by name, depth first), noting each object's first path.
  explicit ObjectIndex(const File& file);

  // True when references carry libhdf5's addresses (a file read through libhdf5).
  bool has_addresses() const { return hdf5_.valid(); }
  // A reference value as h5dump prints it inside a sequence or compound: `DATASET 800 "/x"` (a
  // container's: `DATASET "/x"`), `NULL` for 0.
  std::string reference(std::uint64_t value) const;
  // The dataset a reference names, if it names one (to print its data as h5dump does).
  std::optional<Dataset> referenced_dataset(std::uint64_t value) const;
  // A named datatype's identity for HARDLINK lines (a container's: its id; none without one).
  std::optional<std::uint64_t> named_type_id(const std::string& path) const;
  // The path of the named datatype a dataset's type is (h5dump's `DATATYPE  "/t"`), if it is one.
  std::optional<std::string> committed_type_path(const Dataset& dataset) const;
  std::optional<std::string> committed_type_path(hid_t type) const;

  // The attributes of an object as the merged file has them, in byte order of their names: a
  // container's datasets gain DIMENSION_LIST, REFERENCE_LIST and DIMENSION_LABELS.
  std::vector<std::string> attribute_names(const Attributes& attributes, const Dataset* dataset) const;
  AttributeValue attribute(const Attributes& attributes, const std::string& name, const std::string& owner,
                           const Dataset* dataset) const;
  // A named datatype's attributes (a plain file's read with libhdf5).
  std::vector<std::string> named_type_attribute_names(const std::string& path) const;
  AttributeValue named_type_attribute(const std::string& path, const std::string& name) const {
    if (!has_addresses()) return container_attribute(file_.named_type_attrs(path).get_raw(name));
    return hdf5_attribute(path, name, nullptr);
  }

 private:
  struct Entry {
    const char* kind;  // "GROUP", "DATASET", "DATATYPE"
    std::string path;
  };
  void walk(const Group& top);
  // A container's named datatype `id`'s first path in the walk; a container's attribute value.
  std::optional<std::string> named_type_path(std::optional<std::uint64_t> id) const;
  AttributeValue container_attribute(AttributeData data) const;
  // `attributes`: the API's, which reads fixed-size values (nullptr: libhdf5 reads them too).
  AttributeValue hdf5_attribute(const std::string& owner, const std::string& name, const Attributes* attributes) const;
  std::optional<AttributeValue> dimension_attribute(const std::string& name, const Dataset& dataset) const;

  const File& file_;
  Hdf5File hdf5_;
  std::map<std::uint64_t, Entry> objects_;  // address (container: object id) -> first path
  // A container's scales, read once in the walk (each read names every object): dataset id -> the
  // scales of each dimension; scale id -> (dataset id, dimension) attached, by dataset id (creation).
  std::map<std::uint64_t, std::vector<std::vector<std::uint64_t>>> scales_;
  std::map<std::uint64_t, std::vector<std::pair<std::uint64_t, std::uint32_t>>> users_;
};

}  // namespace h5mf::tools
