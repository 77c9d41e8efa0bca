#include "object_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <utility>

#include "h5mf/H5FDh5mf.h"
#include "h5mf/error.hpp"
#include "h5mf/limits.hpp"

namespace h5mf::tools {
namespace {

// An id of libhdf5 closed by `close` when it goes out of scope.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// libhdf5 calls whose failure is an answer (no such object), not an error: silent.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

std::string join(const std::string& group, const std::string& name) {
  return (group == "/" ? "/" : group + "/") + name;
}

const char* kind_name(H5O_type_t type) {
  switch (type) {
    case H5O_TYPE_GROUP: return "GROUP";
    case H5O_TYPE_DATASET: return "DATASET";
    case H5O_TYPE_NAMED_DATATYPE: return "DATATYPE";
    default: return "UNKNOWN";
  }
}

constexpr const char* kDimensionList = "DIMENSION_LIST";
constexpr const char* kReferenceList = "REFERENCE_LIST";
constexpr const char* kDimensionLabels = "DIMENSION_LABELS";

}  // namespace

Hdf5File::Hdf5File(const File& file) {
  if (file.driver() == "multifile") return;
  const Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  // A file-image container is a directory, read through h5mf's file driver (as image_driver.cpp).
  if (std::filesystem::is_directory(file.filename()) &&
      H5Pset_fapl_h5mf(fapl.get(), MPI_COMM_NULL, MPI_INFO_NULL) < 0) {
    throw IoError(fmt::format("cannot set h5mf's file driver to read '{}'", file.filename()));
  }
  id_ = H5Fopen(file.filename().c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id_ < 0) throw IoError(fmt::format("cannot open '{}' with libhdf5 to read its references", file.filename()));
}

Hdf5File::~Hdf5File() {
  if (id_ >= 0) H5Fclose(id_);
}

std::optional<std::uint64_t> Hdf5File::address(const std::string& path) const {
  if (!valid()) return std::nullopt;
  const QuietErrors quiet;
  H5O_info_t info{};
  if (H5Oget_info_by_name2(id_, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return std::nullopt;
  return static_cast<std::uint64_t>(info.addr);
}

ObjectIndex::ObjectIndex(const File& file) : file_(file), hdf5_(file) {
  objects_.emplace(file.object_id(), Entry{"GROUP", "/"});
  walk(file);
  // The merge attaches scales in the order of the records, which the API does not show; object
  // ids follow creation, and a scale is most often attached to a dataset soon after its creation.
  for (auto& [scale, users] : users_) {
    std::stable_sort(users.begin(), users.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
}

// Iterative, with an explicit stack of groups still to walk (an HDF5 file from elsewhere may nest
// far deeper than a call stack holds), in the order of a recursive walk: links by name, depth first.
void ObjectIndex::walk(const Group& top) {
  struct Pending {
    Group group;
    std::vector<std::string> names;  // its links still to visit, the next last
  };
  auto pending = [](const Group& group) {
    std::vector<std::string> names = group.keys();
    std::reverse(names.begin(), names.end());
    return Pending{group, std::move(names)};
  };
  std::vector<Pending> stack{pending(top)};
  while (!stack.empty()) {
    if (stack.back().names.empty()) {
      stack.pop_back();
      continue;
    }
    const Group group = stack.back().group;
    const std::string name = std::move(stack.back().names.back());
    stack.back().names.pop_back();
    if (group.link_info(name).kind != LinkKind::Hard) continue;
    const std::string path = join(group.name(), name);
    if (!group.contains(name)) {  // a named datatype (a container's: if it has an id)
      if (const auto id = named_type_id(path)) objects_.emplace(*id, Entry{"DATATYPE", path});
      continue;
    }
    if (group.type_of(name) == ObjectType::Group) {
      const Group child = group.group(name);
      if (!objects_.emplace(child.object_id(), Entry{"GROUP", path}).second) continue;
      if (stack.size() > kMaxDepth) {
        throw Unsupported(fmt::format("group '{}...' has groups nested deeper than {} levels; h5mf stops there",
                                      path.substr(0, 200), kMaxDepth));
      }
      stack.push_back(pending(child));
      continue;
    }
    const Dataset child = group.dataset(name);
    if (!objects_.emplace(child.object_id(), Entry{"DATASET", path}).second || has_addresses()) continue;
    std::vector<std::vector<std::uint64_t>> attached(child.shape().size());
    bool any = false;
    for (std::size_t dim = 0; dim < attached.size(); ++dim) {
      for (const Dataset& scale : child.scales(dim)) {
        attached[dim].push_back(scale.object_id());
        users_[scale.object_id()].emplace_back(child.object_id(), static_cast<std::uint32_t>(dim));
        any = true;
      }
    }
    if (any) scales_.emplace(child.object_id(), std::move(attached));
  }
}

std::string ObjectIndex::reference(std::uint64_t value) const {
  if (value == 0) return "NULL";
  if (const auto it = objects_.find(value); it != objects_.end()) {
    if (!has_addresses()) return fmt::format("{} \"{}\"", it->second.kind, it->second.path);
    return fmt::format("{} {} \"{}\"", it->second.kind, value, it->second.path);
  }
  if (!has_addresses()) throw FormatError(fmt::format("a reference names object {}, which no name reaches", value));
  // An object no hard link of the walk reaches: libhdf5's own name for it.
  const QuietErrors quiet;
  auto ref = static_cast<hobj_ref_t>(value);
  H5O_type_t type = H5O_TYPE_UNKNOWN;
  H5Rget_obj_type2(hdf5_.id(), H5R_OBJECT, &ref, &type);
  std::string path(1024, '\0');
  const ssize_t n = H5Rget_name(hdf5_.id(), H5R_OBJECT, &ref, path.data(), path.size());
  path.resize(n > 0 ? std::min(static_cast<std::size_t>(n), path.size() - 1) : 0);
  return fmt::format("{} {} \"{}\"", kind_name(type), value, path);
}

std::optional<Dataset> ObjectIndex::referenced_dataset(std::uint64_t value) const {
  const auto it = objects_.find(value);
  if (value == 0 || it == objects_.end() || std::strcmp(it->second.kind, "DATASET") != 0) return std::nullopt;
  return file_.dataset(it->second.path);
}

std::optional<std::uint64_t> ObjectIndex::named_type_id(const std::string& path) const {
  if (has_addresses()) return hdf5_.address(path);
  try {
    return file_.named_type_id(path);
  } catch (const Unsupported&) {
    return std::nullopt;  // committed by an older h5mf: no identity
  } catch (const NotFound&) {
    return std::nullopt;  // another kind of object
  }
}

std::optional<std::string> ObjectIndex::named_type_path(std::optional<std::uint64_t> id) const {
  const auto it = id ? objects_.find(*id) : objects_.end();
  if (it == objects_.end()) return std::nullopt;
  return it->second.path;
}

AttributeValue ObjectIndex::container_attribute(AttributeData data) const {
  AttributeValue out{std::move(data), {}, {}, {}};
  out.named_type = named_type_path(out.data.named_type);
  return out;
}

std::optional<std::string> ObjectIndex::committed_type_path(const Dataset& dataset) const {
  // A container's: the first name of the named datatype, if a name reaches it.
  if (!has_addresses()) return named_type_path(dataset.named_type_id());
  const QuietErrors quiet;
  const Id id(H5Dopen2(hdf5_.id(), dataset.name().c_str(), H5P_DEFAULT), H5Dclose);
  if (!id) return std::nullopt;
  const Id type(H5Dget_type(id.get()), H5Tclose);
  return committed_type_path(type.get());
}

std::optional<std::string> ObjectIndex::committed_type_path(hid_t type) const {
  const QuietErrors quiet;
  if (type < 0 || H5Tcommitted(type) <= 0) return std::nullopt;
  H5O_info_t info{};
  if (H5Oget_info2(type, &info, H5O_INFO_BASIC) < 0) return std::nullopt;
  const auto it = objects_.find(static_cast<std::uint64_t>(info.addr));
  if (it == objects_.end()) return std::nullopt;
  return it->second.path;
}

std::vector<std::string> ObjectIndex::attribute_names(const Attributes& attributes, const Dataset* dataset) const {
  std::vector<std::string> names = attributes.names();
  if (dataset != nullptr && !has_addresses()) {
    for (const char* name : {kDimensionList, kReferenceList, kDimensionLabels}) {
      if (std::find(names.begin(), names.end(), name) == names.end() && dimension_attribute(name, *dataset)) {
        names.emplace_back(name);
      }
    }
  }
  std::sort(names.begin(), names.end());  // byte order, as h5dump's name index
  return names;
}

AttributeValue ObjectIndex::attribute(const Attributes& attributes, const std::string& name, const std::string& owner,
                                      const Dataset* dataset) const {
  if (dataset != nullptr && !has_addresses() && !attributes.contains(name)) {
    if (auto value = dimension_attribute(name, *dataset)) return *std::move(value);
  }
  if (!has_addresses()) return container_attribute(attributes.get_raw(name));
  return hdf5_attribute(owner, name, &attributes);
}

std::vector<std::string> ObjectIndex::named_type_attribute_names(const std::string& path) const {
  std::vector<std::string> names;
  if (!has_addresses()) {  // a container's: those of its id, if it has one
    if (!named_type_id(path)) return names;
    names = file_.named_type_attrs(path).names();
    std::sort(names.begin(), names.end());
    return names;
  }
  const Id type(H5Topen2(hdf5_.id(), path.c_str(), H5P_DEFAULT), H5Tclose);
  if (!type) throw IoError(fmt::format("cannot open named datatype '{}' with libhdf5", path));
  H5O_info_t info{};
  if (H5Oget_info2(type.get(), &info, H5O_INFO_NUM_ATTRS) < 0) {
    throw IoError(fmt::format("cannot count the attributes of named datatype '{}'", path));
  }
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const ssize_t length = H5Aget_name_by_idx(type.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw IoError(fmt::format("cannot read an attribute name of named datatype '{}'", path));
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Aget_name_by_idx(type.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Through libhdf5: variable-length values as they are (sequences of references; NULL strings).
AttributeValue ObjectIndex::hdf5_attribute(const std::string& owner, const std::string& name,
                                           const Attributes* attributes) const {
  const std::string what = fmt::format("attribute '{}' of '{}'", name, owner);
  const Id attribute(H5Aopen_by_name(hdf5_.id(), owner.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attribute) throw IoError(fmt::format("cannot open {} with libhdf5", what));
  const Id type(H5Aget_type(attribute.get()), H5Tclose);
  const bool string = H5Tis_variable_str(type.get()) > 0;
  if (attributes != nullptr && !string && H5Tget_class(type.get()) != H5T_VLEN) {
    return AttributeValue{attributes->get_raw(name), {}, {}, committed_type_path(type.get())};  // as the API reads it
  }
  const Id space(H5Aget_space(attribute.get()), H5Sclose);
  AttributeValue out;
  out.named_type = committed_type_path(type.get());
  out.data.type = Datatype::copy_of(type.get());
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw IoError(fmt::format("cannot read the dataspace of {}", what));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  out.data.dims.assign(dims.begin(), dims.end());
  out.data.null = H5Sget_simple_extent_type(space.get()) == H5S_NULL;  // h5py's Empty: no elements
  const std::uint64_t n = out.data.num_elements();
  if (n == 0) return out;
  if (out.data.has_vlen_elements() && H5Tget_class(type.get()) == H5T_COMPOUND) {
    std::vector<std::byte> elements(n * H5Tget_size(type.get()));
    if (H5Aread(attribute.get(), type.get(), elements.data()) < 0) throw IoError(fmt::format("cannot read {}", what));
    struct Reclaim {  // what libhdf5 allocated, however this ends
      hid_t type, space;
      void* elements;
      ~Reclaim() { H5Dvlen_reclaim(type, space, H5P_DEFAULT, elements); }
    } reclaim{type.get(), space.get(), elements.data()};
    out.data = AttributeData::from_elements(out.data.type, out.data.dims, elements.data());  // self-contained
    return out;
  }
  if (!string && H5Tget_class(type.get()) != H5T_VLEN) {  // fixed-size elements, in the file type
    out.data.bytes.resize(n * H5Tget_size(type.get()));
    if (H5Aread(attribute.get(), type.get(), out.data.bytes.data()) < 0) {
      throw IoError(fmt::format("cannot read {}", what));
    }
    return out;
  }
  if (string) {
    std::vector<char*> pointers(n, nullptr);
    if (H5Aread(attribute.get(), type.get(), pointers.data()) < 0) throw IoError(fmt::format("cannot read {}", what));
    for (const char* s : pointers) {
      out.data.strings.emplace_back(s == nullptr ? "" : s);
      out.null.push_back(s == nullptr);
    }
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
    return out;
  }
  // Sequences: copied out of libhdf5's buffers, each element in the file's base type.
  std::vector<hvl_t> read(n);
  if (H5Aread(attribute.get(), type.get(), read.data()) < 0) throw IoError(fmt::format("cannot read {}", what));
  const Id base(H5Tget_super(type.get()), H5Tclose);
  const std::size_t size = H5Tget_size(base.get());
  auto storage = std::make_shared<std::vector<std::vector<std::byte>>>();
  std::vector<hvl_t> sequences(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto* p = static_cast<const std::byte*>(read[i].p);
    storage->emplace_back(p, p + read[i].len * size);
    sequences[i] = hvl_t{read[i].len, storage->back().data()};
  }
  H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, read.data());
  out.data.bytes.resize(n * sizeof(hvl_t));
  std::memcpy(out.data.bytes.data(), sequences.data(), out.data.bytes.size());
  out.keep = storage;
  return out;
}

// The attributes H5DS writes for a container's scale records, as the merge's H5DS calls write
// them: references as object ids (the merged file's addresses do not exist yet).
std::optional<AttributeValue> ObjectIndex::dimension_attribute(const std::string& name, const Dataset& dataset) const {
  const std::size_t rank = dataset.shape().size();
  AttributeValue out;
  if (name == kDimensionList) {
    const auto it = scales_.find(dataset.object_id());
    if (it == scales_.end()) return std::nullopt;
    auto storage = std::make_shared<std::vector<std::vector<std::uint64_t>>>(it->second);
    out.data.type = Datatype::adopt(H5Tvlen_create(H5T_STD_REF_OBJ));
    out.data.dims = {rank};
    std::vector<hvl_t> sequences;
    for (auto& ids : *storage) sequences.push_back(hvl_t{ids.size(), ids.data()});
    out.data.bytes.resize(rank * sizeof(hvl_t));
    std::memcpy(out.data.bytes.data(), sequences.data(), out.data.bytes.size());
    out.keep = storage;
    return out;
  }
  if (name == kDimensionLabels) {
    bool any = false;
    for (std::size_t dim = 0; dim < rank; ++dim) {
      std::string label = dataset.label(dim);
      any = any || !label.empty();
      out.null.push_back(label.empty());
      out.data.strings.push_back(std::move(label));
    }
    if (!any) return std::nullopt;
    out.data.type = Datatype::variable_ascii_string();
    out.data.dims = {rank};
    return out;
  }
  if (name == kReferenceList) {
    const auto it = users_.find(dataset.object_id());
    if (it == users_.end() || it->second.empty()) return std::nullopt;
    // H5DS's struct { hobj_ref_t ref; int dim_idx; }, as its file type.
    struct Reference {
      hobj_ref_t ref;
      int dim;
    };
    const Id type(H5Tcreate(H5T_COMPOUND, sizeof(Reference)), H5Tclose);
    H5Tinsert(type.get(), "dataset", HOFFSET(Reference, ref), H5T_STD_REF_OBJ);
    H5Tinsert(type.get(), "dimension", HOFFSET(Reference, dim), H5T_STD_I32LE);
    out.data.type = Datatype::copy_of(type.get());
    out.data.dims = {it->second.size()};
    out.data.bytes.resize(it->second.size() * sizeof(Reference));
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      const Reference entry{static_cast<hobj_ref_t>(it->second[i].first), static_cast<int>(it->second[i].second)};
      std::memcpy(out.data.bytes.data() + i * sizeof(Reference), &entry, sizeof entry);
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace h5mf::tools
