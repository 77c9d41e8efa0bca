// Groups and datasets of the sec2/mpio driver: each node owns the HDF5 id of its object (tracked by
// the State, which closes it at close()), and maps the driver interface onto the HDF5 calls.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include "driver/hdf5/hdf5_state.hpp"
#include "h5mf/dataset.hpp"
#include "h5mf/error.hpp"
#include "hdf5/attribute_fit.hpp"
#include "hdf5/creation_properties.hpp"
#include "hdf5/filters.hpp"
#include "values/attribute_codec.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_strings.hpp"
#include "values/vlen_values.hpp"

#include <hdf5_hl.h>

namespace h5mf::driver::hdf5_driver {
namespace {

using hdf5::check;
using hdf5::check_bool;
using hdf5::check_id;
using hdf5::Handle;

std::vector<hsize_t> to_hsize(const Extent& extent) { return {extent.begin(), extent.end()}; }

format::ByteView as_bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// Link and attribute names as UTF-8, as h5py creates them.
Handle utf8_names(hid_t plist_class, const std::string& what) {
  Handle plist(check_id(H5Pcreate(plist_class), what));
  check(H5Pset_char_encoding(plist.get(), H5T_CSET_UTF8), what);
  return plist;
}

// A dataspace for `dims`: scalar for rank 0; kUnlimited in `maxdims` is H5S_UNLIMITED.
Handle make_space(const Extent& dims, const Extent& maxdims, const std::string& what) {
  if (dims.empty()) return Handle(check_id(H5Screate(H5S_SCALAR), what));
  const auto current = to_hsize(dims);
  std::vector<hsize_t> maximum;
  for (const auto m : maxdims) maximum.push_back(m == DatasetCreate::kUnlimited ? H5S_UNLIMITED : m);
  return Handle(check_id(
      H5Screate_simple(static_cast<int>(current.size()), current.data(), maximum.empty() ? nullptr : maximum.data()),
      what));
}

// The named datatype a dataset's or attribute's type shares, by its address (which is that
// type's object_id() here), or nullopt when the type is its own.
std::optional<std::uint64_t> committed_address(hid_t type, const std::string& what) {
  if (!check_bool(H5Tcommitted(type), what)) return std::nullopt;
  H5O_info_t info{};
  check(H5Oget_info2(type, &info, H5O_INFO_BASIC), what);
  return static_cast<std::uint64_t>(info.addr);
}

// HDF5's null dataspace (h5py's Empty): no element, no shape.
Handle null_space(const std::string& what) { return Handle(check_id(H5Screate(H5S_NULL), what)); }

struct Extents {
  Extent dims, maxdims;
  bool null = false;
};

// A null dataspace (h5py's Empty) has rank 0, as a scalar, and no element.
Extents extents_of(hid_t space, const std::string& what) {
  const H5S_class_t space_class = H5Sget_simple_extent_type(space);
  if (space_class == H5S_NO_CLASS) check(-1, what);
  if (space_class == H5S_NULL) return {{}, {}, true};
  const int rank = H5Sget_simple_extent_ndims(space);
  check(rank, what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), maxdims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), maxdims.data()), what);
  Extents out{{dims.begin(), dims.end()}, {}};
  for (const auto m : maxdims) out.maxdims.push_back(m == H5S_UNLIMITED ? DatasetCreate::kUnlimited : m);
  return out;
}

std::string object_name(hid_t id) {
  const char* what = "getting the name of an HDF5 object";
  const ssize_t length = H5Iget_name(id, nullptr, 0);
  if (length < 0) check(-1, what);
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  if (H5Iget_name(id, name.data(), name.size()) < 0) check(-1, what);
  name.resize(static_cast<std::size_t>(length));
  return name;
}

std::string join(const std::string& base, const std::string& name) {
  return base == "/" ? "/" + name : base + "/" + name;
}

// C callbacks must not throw through HDF5: they park the exception here and stop the iteration.
struct Collected {
  std::vector<std::string> names;
  std::exception_ptr error;
};

// Group or dataset behind a link; nullopt for other objects (named datatypes), external and
// user-defined links, and dangling soft links.
std::optional<NodeKind> kind_of_link(hid_t group, const char* name, H5L_type_t link_type) {
  if (link_type != H5L_TYPE_HARD && link_type != H5L_TYPE_SOFT) return std::nullopt;
  H5O_info_t info{};
  if (H5Oget_info_by_name2(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
    hdf5::error_stack();  // a dangling soft link: not an error of ours
    return std::nullopt;
  }
  if (info.type == H5O_TYPE_GROUP) return NodeKind::Group;
  if (info.type == H5O_TYPE_DATASET) return NodeKind::Dataset;
  return std::nullopt;
}

// Calls visit(group, name, info) for every link of `group` in name order; an exception thrown by
// `visit` stops the iteration and is rethrown here. `what` names the listing for HDF5's errors.
template <typename Visit>
void for_each_link(hid_t group, Visit&& visit, const std::function<std::string()>& what) {
  struct State {
    Visit& visit;
    std::exception_ptr error;
  } state{visit, nullptr};
  const auto step = [](hid_t g, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    auto& s = *static_cast<State*>(data);
    try {
      s.visit(g, name, *info);
      return 0;
    } catch (...) {
      s.error = std::current_exception();
      return -1;
    }
  };
  const herr_t status = H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, step, &state);
  if (state.error) std::rethrow_exception(state.error);
  check(status, what);
}

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* data) {
  auto& out = *static_cast<Collected*>(data);
  try {
    out.names.emplace_back(name);
    return 0;
  } catch (...) {
    out.error = std::current_exception();
    return -1;
  }
}

// Memory HDF5 allocated for the variable-length strings read into `buffer`; freed however the
// copy out of it ends.
class VlenReclaim {
 public:
  VlenReclaim(hid_t type, hid_t space, void* buffer) : type_(type), space_(space), buffer_(buffer) {}
  VlenReclaim(const VlenReclaim&) = delete;
  VlenReclaim& operator=(const VlenReclaim&) = delete;
  ~VlenReclaim() {
    if (H5Dvlen_reclaim(type_, space_, H5P_DEFAULT, buffer_) < 0) hdf5::error_stack();
  }

 private:
  hid_t type_, space_;
  void* buffer_;
};

// Attribute calls shared by groups and datasets; `Base` is GroupNode or DatasetNode.
template <class Base>
class Object : public Base {
 public:
  Object(std::shared_ptr<State> state, hid_t id, const std::string& what)
      : state_(std::move(state)), id_(state_->track(id, what)), path_(object_name(id_->get())) {}

  // Cached at open: a closed file has no names.
  std::string path() const override { return path_; }
  std::optional<std::string> current_name() override {
    std::string name = object_name(id());  // HDF5 follows moves and unlinks; "" for none
    if (name.empty()) return std::nullopt;
    return name;
  }

  // The object header's address: one per object, whatever name it was opened by.
  std::uint64_t object_id() override {
    H5O_info_t info{};
    check(H5Oget_info2(id(), &info, H5O_INFO_BASIC), [&] { return fmt::format("getting the address of {}", where()); });
    return static_cast<std::uint64_t>(info.addr);
  }

  std::vector<std::string> attribute_names() override {
    Collected collected;
    const herr_t status = H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute, &collected);
    if (collected.error) std::rethrow_exception(collected.error);
    check(status, [&] { return fmt::format("listing the attributes of {}", where()); });
    std::sort(collected.names.begin(), collected.names.end());
    return collected.names;
  }

  bool has_attribute(const std::string& name) override {
    return check_bool(H5Aexists(id(), name.c_str()), attribute_where("looking for", name));
  }

  void set_attribute(const std::string& name, const AttributeData& value) override {
    if (value.type.is_variable_length() && !values::is_variable_string(value.type) &&
        !values::uses_vlen_elements(value.type)) {
      throw Unsupported(fmt::format("attribute '{}' of {}: variable-length type {} is not supported", name, where(),
                                    value.type.describe()));
    }
    const Datatype file_type = value.type.file_type();
    // Every rank must write the same attribute: its type, dims and value are part of the call.
    const auto describe = [&] {
      const std::string space = value.null ? "null dataspace" : fmt::format("dims [{}]", fmt::join(value.dims, ","));
      State::Call call{fmt::format("set attribute '{}' of '{}' ({}, {}{})", name, path_, file_type.describe(), space,
                                   value.named_type ? fmt::format(", named datatype at {}", *value.named_type) : ""),
                       file_type.encode()};
      for (const auto d : value.dims) {
        const auto* p = reinterpret_cast<const std::byte*>(&d);
        call.args.insert(call.args.end(), p, p + sizeof d);
      }
      call.args.insert(call.args.end(), value.bytes.begin(), value.bytes.end());
      for (const auto& s : value.strings) {
        const auto b = as_bytes(s);
        call.args.insert(call.args.end(), b.begin(), b.end());
        call.args.push_back(std::byte{0});
      }
      return call;
    };
    state_->collective(describe, [&] { write_attribute(name, value, file_type); });
  }

  AttributeData get_attribute(const std::string& name) override {
    const std::string what = attribute_where("reading", name);
    const Handle attribute(check_id(H5Aopen(id(), name.c_str(), H5P_DEFAULT), what));
    AttributeData out;
    out.type = Datatype::adopt(check_id(H5Aget_type(attribute.get()), what));
    out.named_type = committed_address(out.type.id(), what);
    const Handle space(check_id(H5Aget_space(attribute.get()), what));
    const Extents extents = extents_of(space.get(), what);
    out.dims = extents.dims;
    out.null = extents.null;
    values::read_attribute_value(attribute.get(), space.get(), out, what);
    return out;
  }

  void delete_attribute(const std::string& name) override {
    state_->collective(fmt::format("delete attribute '{}' of '{}'", name, path_),
                       [&] { check(H5Adelete(id(), name.c_str()), attribute_where("deleting", name)); });
  }

 protected:
  hid_t id() const { return id_->get(); }
  std::string where() const { return state_->where(path_); }
  std::string attribute_where(const char* doing, const std::string& name) const {
    return fmt::format("{} attribute '{}' of {}", doing, name, where());
  }

  std::shared_ptr<State> state_;
  std::shared_ptr<Handle> id_;
  std::string path_;

 private:
  // A replaced attribute is written under a temporary name first and renamed over the old one,
  // so that a value HDF5 refuses (too large for the object header, say) loses nothing.
  void write_attribute(const std::string& name, const AttributeData& value, const Datatype& file_type) {
    const std::string what = attribute_where("writing", name);
    bool replacing = check_bool(H5Aexists(id(), name.c_str()), what);
    std::string target = replacing ? name + ".h5mf-replacing" : name;
    if (replacing && check_bool(H5Aexists(id(), target.c_str()), what)) check(H5Adelete(id(), target.c_str()), what);

    const Handle space = value.null ? null_space(what) : make_space(value.dims, value.dims, what);
    const Handle acpl = utf8_names(H5P_ATTRIBUTE_CREATE, what);
    // An attribute of a named datatype shares it (value.named_type: its address, as object_id()).
    const Handle committed =
        value.named_type ? Handle(check_id(H5Oopen_by_addr(id(), static_cast<haddr_t>(*value.named_type)), what))
                         : Handle();
    const hid_t type = value.named_type ? committed.get() : file_type.id();
    if (value.named_type && !check_bool(H5Tequal(type, file_type.id()), what)) {
      throw InvalidArgument(
          fmt::format("{}: its type {} is not that of the named datatype it names", what, file_type.describe()));
    }
    Handle attribute(H5Acreate2(id(), target.c_str(), type, space.get(), acpl.get(), H5P_DEFAULT));
    if (!attribute.valid() && replacing) {
      // The API checked that it fits under its own name (hdf5/attribute_fit.hpp); the temporary
      // name is longer, and can tip a value at the limit over it: replace in place then.
      const std::string stack = hdf5::error_stack();
      if (stack.find("too large") == std::string::npos) hdf5::attribute_not_created(stack, file_type, value.dims, what);
      check(H5Adelete(id(), name.c_str()), what);
      replacing = false;
      target = name;
      attribute = Handle(H5Acreate2(id(), target.c_str(), type, space.get(), acpl.get(), H5P_DEFAULT));
    }
    if (!attribute.valid()) hdf5::attribute_not_created(hdf5::error_stack(), file_type, value.dims, what);
    values::write_attribute_value(attribute.get(), value, what);  // HDF5 converts
    attribute.close(what);
    if (replacing) {
      check(H5Adelete(id(), name.c_str()), what);
      check(H5Arename(id(), target.c_str(), name.c_str()), what);
    }
  }
};

// A named datatype (committed): attributes, like a group's or a dataset's.
class Hdf5NamedType final : public Object<Node> {
 public:
  using Object::Object;
};

class Hdf5Dataset final : public Object<DatasetNode> {
 public:
  Hdf5Dataset(std::shared_ptr<State> state, hid_t id, const std::string& what)
      : Object(std::move(state), id, what),
        type_(Datatype::adopt(check_id(H5Dget_type(this->id()), what))),
        transfer_(state_->access->transfer(false)) {}

  Datatype file_type() override { return type_; }
  std::optional<std::uint64_t> named_type_id() override {
    return committed_address(type_.id(), fmt::format("reading the named datatype of {}", where()));
  }
  Extent shape() override { return extents().dims; }
  bool is_null() override { return extents().null; }
  Extent maxshape() override { return extents().maxdims; }

  Extent chunks() override {
    const std::string what = fmt::format("reading the chunk shape of {}", where());
    const Handle dcpl(check_id(H5Dget_create_plist(id()), what));
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    if (layout == H5D_LAYOUT_ERROR) check(-1, what);
    if (layout != H5D_CHUNKED) return {};
    std::vector<hsize_t> dims(H5S_MAX_RANK);
    const int rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, dims.data());
    check(rank, what);
    return {dims.begin(), dims.begin() + rank};
  }

  FilterPipeline filters() override {
    const std::string what = fmt::format("reading the filters of {}", where());
    const Handle dcpl(check_id(H5Dget_create_plist(id()), what));
    return hdf5::get_pipeline(dcpl.get(), what);
  }

  std::vector<std::byte> fill() override {
    const std::string what = where();
    const Handle dcpl(check_id(H5Dget_create_plist(id()),
                               [&] { return fmt::format("reading the creation properties of {}", what); }));
    if (values::has_vlen_members(type_)) return compound_fill(dcpl.get(), what);
    return hdf5::get_fill_value(dcpl.get(), type_, what);
  }

  // A compound with variable-length members: its fill value as the container keeps it (one
  // element's record data), empty for HDF5's default.
  std::vector<std::byte> compound_fill(hid_t dcpl, const std::string& what) {
    H5D_fill_value_t status = H5D_FILL_VALUE_ERROR;
    check(H5Pfill_value_defined(dcpl, &status), what);
    if (status != H5D_FILL_VALUE_USER_DEFINED) return {};
    std::vector<std::byte> element(type_.size());
    check(H5Pget_fill_value(dcpl, type_.id(), element.data()), what);  // HDF5 allocates its members
    const Handle scalar(check_id(H5Screate(H5S_SCALAR), what));
    const VlenReclaim reclaim(type_.id(), scalar.get(), element.data());
    return values::encode_vlen_elements(type_, element.data(), 1, type_, what);
  }

  StorageInfo storage() override {
    const std::string what = where();
    const Handle dcpl(check_id(H5Dget_create_plist(id()),
                               [&] { return fmt::format("reading the creation properties of {}", what); }));
    StorageInfo info = hdf5::storage_properties(dcpl.get(), what);
    // H5Dget_storage_size has no error value: 0 is also "nothing allocated", as h5dump prints it.
    info.size = H5Dget_storage_size(id());
    if (info.layout == H5D_CONTIGUOUS) info.address = H5Dget_offset(id());
    return info;
  }

  void write(const Selection& selection, const Datatype& memory_type, const void* buffer) override {
    if (values::uses_vlen_slots(type_)) {
      if (values::is_vlen_string(type_)) {
        values::require_string_memory(memory_type, type_, where());
      } else if (values::is_vlen_sequence(type_)) {
        values::require_sequence_memory(memory_type, type_, where());
      }
      if (state_->access->name() == "mpio") {
        throw Unsupported(
            fmt::format("{}: HDF5 {}.{} cannot write variable-length data in parallel (mpio driver); "
                        "write it with the multifile driver (and merge) or sec2",
                        where(), H5_VERS_MAJOR, H5_VERS_MINOR));
      }
    }
    transfer(true, selection, memory_type, const_cast<void*>(buffer));
  }
  void read(const Selection& selection, const Datatype& memory_type, void* buffer) override {
    if (values::is_vlen_sequence(type_)) {
      read_sequences(selection, memory_type, static_cast<hvl_t*>(buffer));
      return;
    }
    if (values::has_vlen_members(type_)) {
      read_compounds(selection, memory_type, buffer);
      return;
    }
    if (!values::is_vlen_string(type_)) {
      transfer(false, selection, memory_type, buffer);
      return;
    }
    // HDF5 allocates the strings it reads with its own allocator: hand the caller std::malloc'd
    // copies instead, so that every driver's strings are freed the same way (reclaim_strings).
    values::require_string_memory(memory_type, type_, where());
    const std::uint64_t n = selection.num_elements();
    std::vector<char*> hdf5_strings(n, nullptr);
    transfer(false, selection, memory_type, hdf5_strings.data());
    struct Reclaim {
      std::vector<char*>& p;
      ~Reclaim() {
        for (char* s : p) H5free_memory(s);
      }
    } reclaim{hdf5_strings};
    std::vector<values::MallocString> copies(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (hdf5_strings[i] != nullptr) copies[i] = values::malloc_copy(hdf5_strings[i]);
    }
    auto* out = static_cast<char**>(buffer);
    for (std::uint64_t i = 0; i < n; ++i) out[i] = copies[i].release();
  }

  // As read() for strings: HDF5's allocations of the members handed over as std::malloc'd copies.
  void read_compounds(const Selection& selection, const Datatype& memory_type, void* out) {
    const values::VlenCompound memory = values::vlen_compound(memory_type, where());
    const std::uint64_t n = selection.num_elements();
    std::vector<std::byte> elements(n * memory_type.size());
    transfer(false, selection, memory_type, elements.data());
    std::vector<std::byte> copies = elements;
    for (std::uint64_t i = 0; i < n; ++i) {
      for (const values::VlenMember& m : memory.members) {
        std::byte* at = copies.data() + i * memory_type.size() + m.offset;
        std::memset(at, 0, m.string ? sizeof(char*) : sizeof(hvl_t));
      }
    }
    struct Reclaim {
      const values::VlenCompound& memory;
      std::vector<std::byte>&hdf5, &copies;
      std::uint64_t n;
      ~Reclaim() {
        for (std::uint64_t i = 0; i < n; ++i) {
          for (const values::VlenMember& m : memory.members) {
            void* p = nullptr;
            std::memcpy(&p, hdf5.data() + i * memory.type.size() + m.offset + (m.string ? 0 : sizeof(std::size_t)),
                        sizeof p);
            H5free_memory(p);
          }
        }
        values::free_vlen_members(memory, copies.data(), n);
      }
    } reclaim{memory, elements, copies, n};
    for (std::uint64_t i = 0; i < n; ++i) {
      for (const values::VlenMember& m : memory.members) {
        const std::byte* from = elements.data() + i * memory_type.size() + m.offset;
        std::byte* to = copies.data() + i * memory_type.size() + m.offset;
        if (m.string) {
          const char* p = nullptr;
          std::memcpy(&p, from, sizeof p);
          char* copy = p ? values::malloc_copy(p).release() : nullptr;
          std::memcpy(to, &copy, sizeof copy);
          continue;
        }
        hvl_t v{};
        std::memcpy(&v, from, sizeof v);
        hvl_t copy{0, nullptr};
        if (v.len > 0) {
          copy.p = std::malloc(v.len * m.base.size());
          if (copy.p == nullptr) throw std::bad_alloc();
          std::memcpy(copy.p, v.p, v.len * m.base.size());
          copy.len = v.len;
        }
        std::memcpy(to, &copy, sizeof copy);
      }
    }
    std::memcpy(out, copies.data(), copies.size());
    std::fill(copies.begin(), copies.end(), std::byte{0});  // handed out
  }

  // As read() for strings: HDF5's allocations handed over as std::malloc'd copies.
  void read_sequences(const Selection& selection, const Datatype& memory_type, hvl_t* out) {
    values::require_sequence_memory(memory_type, type_, where());
    const std::uint64_t n = selection.num_elements();
    std::vector<hvl_t> hdf5_sequences(n, hvl_t{0, nullptr});
    transfer(false, selection, memory_type, hdf5_sequences.data());
    struct Reclaim {
      std::vector<hvl_t>& s;
      ~Reclaim() {
        for (hvl_t& v : s) H5free_memory(v.p);
      }
    } reclaim{hdf5_sequences};
    const std::size_t size = values::sequence_base(memory_type).size();
    values::OwnedSequences owned(n);
    std::vector<hvl_t>& copies = owned.items;
    for (std::uint64_t i = 0; i < n; ++i) {
      const hvl_t& v = hdf5_sequences[i];
      if (v.len == 0) continue;
      copies[i].p = std::malloc(v.len * size);
      if (copies[i].p == nullptr) throw std::bad_alloc();
      std::memcpy(copies[i].p, v.p, v.len * size);
      copies[i].len = v.len;
    }
    for (std::uint64_t i = 0; i < n; ++i) std::swap(out[i], copies[i]);
  }

  void resize(const Extent& new_shape) override {
    state_->collective(fmt::format("resize '{}' to [{}]", path_, fmt::join(new_shape, ",")), [&] {
      const auto dims = to_hsize(new_shape);
      const Extent old = shape();
      const herr_t status = H5Dset_extent(id(), dims.data());
      if (status < 0) {
        check(status, [&] {
          return fmt::format("resizing {} from [{}] to [{}]", where(), fmt::join(old, ","), fmt::join(new_shape, ","));
        });
      }
      // A shrink fills the cut part of edge chunks through the chunk cache; parallel HDF5 (1.10)
      // writes raw data around that cache, so the cached chunk, written out later, would undo the
      // independent writes made meanwhile. Writing it out now (collectively, as resize is) keeps
      // them, as on one process.
      bool shrinks = false;
      for (std::size_t d = 0; d < old.size() && d < new_shape.size(); ++d) shrinks = shrinks || new_shape[d] < old[d];
      if (shrinks && state_->access->name() == "mpio") {
        check(H5Dflush(id()), [&] { return fmt::format("writing out {} after shrinking it", where()); });
      }
    });
  }

  void set_collective(bool collective) override {
    transfer_ = state_->access->transfer(collective);
    collective_ = collective;
  }

  // Dimension scales: libhdf5's own H5DS calls, collective like every attribute change.
  void make_scale(const std::string& name) override {
    state_->collective(fmt::format("make '{}' a dimension scale named '{}'", path_, name), [&] {
      check(H5DSset_scale(id(), name.c_str()), [&] { return fmt::format("making {} a dimension scale", where()); });
    });
  }
  bool is_scale() override {
    return check_bool(H5DSis_scale(id()),
                      [&] { return fmt::format("asking whether {} is a dimension scale", where()); });
  }
  std::string scale_name() override {
    const auto what = [&] { return fmt::format("reading the dimension scale name of {}", where()); };
    const ssize_t size = H5DSget_scale_name(id(), nullptr, 0);
    check(static_cast<herr_t>(size < 0 ? -1 : 0), what);
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    if (size > 0) check(static_cast<herr_t>(H5DSget_scale_name(id(), name.data(), name.size()) < 0 ? -1 : 0), what);
    name.resize(std::strlen(name.c_str()));
    return name;
  }
  void attach_scale(DatasetNode& scale, std::uint32_t dim) override {
    auto& s = dynamic_cast<Hdf5Dataset&>(scale);
    state_->collective(fmt::format("attach scale '{}' to dimension {} of '{}'", s.path_, dim, path_), [&] {
      check(H5DSattach_scale(id(), s.id(), dim),
            [&] { return fmt::format("attaching scale '{}' to dimension {} of {}", s.path_, dim, where()); });
    });
  }
  void detach_scale(DatasetNode& scale, std::uint32_t dim) override {
    auto& s = dynamic_cast<Hdf5Dataset&>(scale);
    state_->collective(fmt::format("detach scale '{}' from dimension {} of '{}'", s.path_, dim, path_), [&] {
      check(H5DSdetach_scale(id(), s.id(), dim),
            [&] { return fmt::format("detaching scale '{}' from dimension {} of {}", s.path_, dim, where()); });
    });
  }
  std::vector<std::shared_ptr<DatasetNode>> scales(std::uint32_t dim) override {
    const std::string what = fmt::format("listing the dimension scales of dimension {} of {}", dim, where());
    std::vector<std::shared_ptr<DatasetNode>> out;
    if (check(H5DSget_num_scales(id(), dim), what) == 0) return out;  // H5DSiterate_scales fails then
    std::vector<hid_t> ids;  // each kept open past the iteration, which closes its own
    const auto keep = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
      if (H5Iinc_ref(scale) < 0) return -1;
      static_cast<std::vector<hid_t>*>(data)->push_back(scale);
      return 0;
    };
    const herr_t status = H5DSiterate_scales(id(), dim, nullptr, keep, &ids);
    for (const hid_t scale : ids) out.push_back(std::make_shared<Hdf5Dataset>(state_, scale, what));
    check(status, what);
    return out;
  }
  std::string label(std::uint32_t dim) override {
    const auto what = [&] { return fmt::format("reading the label of dimension {} of {}", dim, where()); };
    const ssize_t size = H5DSget_label(id(), dim, nullptr, 0);
    check(static_cast<herr_t>(size < 0 ? -1 : 0), what);
    std::string label(static_cast<std::size_t>(size) + 1, '\0');
    if (size > 0) check(static_cast<herr_t>(H5DSget_label(id(), dim, label.data(), label.size()) < 0 ? -1 : 0), what);
    label.resize(std::strlen(label.c_str()));
    return label;
  }
  void set_label(std::uint32_t dim, const std::string& label) override {
    state_->collective(fmt::format("label dimension {} of '{}' '{}'", dim, path_, label), [&] {
      check(H5DSset_label(id(), dim, label.c_str()),
            [&] { return fmt::format("labelling dimension {} of {}", dim, where()); });
    });
  }

 private:
  Extents extents() {
    const std::string what = fmt::format("reading the shape of {}", where());
    const Handle space(check_id(H5Dget_space(id()), what));
    return extents_of(space.get(), what);
  }

  // One H5Dwrite or H5Dread of the selection; HDF5 converts between memory and file type.
  void transfer(bool writing, const Selection& selection, const Datatype& memory_type, void* buffer) {
    const std::uint64_t n = selection.num_elements();
    // A rank with nothing to move still takes part in a collective transfer, selecting nothing.
    if (n == 0 && !collective_) return;
    if (writing && !collective_ && filtered() && state_->access->name() == "mpio") {
      throw Unsupported(
          fmt::format("writing to {}: it has filters, and parallel HDF5 writes filtered datasets only "
                      "with collective transfers (set_collective(true), and write on every rank)",
                      where()));
    }
    const auto what = [&] {
      return fmt::format("{} {} {} {} (memory type {}, file type {})", writing ? "writing" : "reading",
                         selection.describe(), writing ? "to" : "from", where(), memory_type.describe(),
                         type_.describe());
    };
    const auto checked = [&](herr_t status) {
      if (status < 0) check(status, what());
    };
    const Handle file_space(check_id(H5Dget_space(id()), what()));
    Handle memory_space;
    if (n == 0) {
      memory_space = Handle(check_id(H5Screate(H5S_SCALAR), what()));
      checked(H5Sselect_none(memory_space.get()));
      checked(H5Sselect_none(file_space.get()));
    } else {
      select(file_space.get(), selection, checked);
      const hsize_t count = n;
      memory_space = Handle(check_id(H5Screate_simple(1, &count, nullptr), what()));
    }
    // HDF5 refuses a null buffer even when it moves nothing.
    std::byte nothing{};
    void* data = buffer != nullptr ? buffer : &nothing;
    const hid_t dxpl = transfer_.valid() ? transfer_.get() : H5P_DEFAULT;
    checked(writing ? H5Dwrite(id(), memory_type.id(), memory_space.get(), file_space.get(), dxpl, data)
                    : H5Dread(id(), memory_type.id(), memory_space.get(), file_space.get(), dxpl, data));
  }

  template <class Checked>
  static void select(hid_t space, const Selection& selection, const Checked& checked) {
    if (selection.kind() == Selection::Kind::Points) {
      const auto coordinates = to_hsize(selection.flat_points());
      checked(H5Sselect_elements(space, H5S_SELECT_SET, selection.num_points(), coordinates.data()));
      return;
    }
    const Hyperslab& slab = selection.slab();
    if (selection.kind() == Selection::Kind::All || slab.start.empty()) {  // rank 0: the one element
      checked(H5Sselect_all(space));
      return;
    }
    const auto start = to_hsize(slab.start), count = to_hsize(slab.count), block = to_hsize(slab.block);
    auto stride = to_hsize(slab.stride);
    for (auto& s : stride) s = std::max<hsize_t>(s, 1);  // HDF5 refuses 0 even where count is 1
    checked(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data()));
  }

  bool filtered() {
    if (!filtered_) filtered_ = !filters().empty();
    return *filtered_;
  }

  Datatype type_;
  Handle transfer_;
  bool collective_ = false;
  std::optional<bool> filtered_;
};

class Hdf5Group final : public Object<GroupNode> {
 public:
  using Object::Object;

  std::vector<std::pair<std::string, NodeKind>> children() override {
    std::vector<std::pair<std::string, NodeKind>> children;
    for_each_link(
        id(),
        [&](hid_t group, const char* name, const H5L_info_t& info) {
          if (const auto kind = kind_of_link(group, name, info.type)) children.emplace_back(name, *kind);
        },
        [&] { return fmt::format("listing the members of {}", where()); });
    std::sort(children.begin(), children.end());
    return children;
  }

  std::optional<NodeKind> child_kind(const std::string& name) override {
    const auto what = [&] { return fmt::format("looking for '{}' in {}", name, where()); };
    if (!check_bool(H5Lexists(id(), name.c_str(), H5P_DEFAULT), what)) return std::nullopt;
    H5L_info_t info{};
    check(H5Lget_info(id(), name.c_str(), &info, H5P_DEFAULT), what);
    return kind_of_link(id(), name.c_str(), info.type);
  }

  std::vector<std::string> link_names() override {
    std::vector<std::string> names;
    for_each_link(
        id(), [&](hid_t, const char* name, const H5L_info_t&) { names.emplace_back(name); },
        [&] { return fmt::format("listing the links of {}", where()); });
    std::sort(names.begin(), names.end());
    return names;
  }

  std::optional<LinkValue> link_value(const std::string& name) override {
    const auto what = [&] { return fmt::format("reading link '{}' in {}", name, where()); };
    if (!check_bool(H5Lexists(id(), name.c_str(), H5P_DEFAULT), what)) return std::nullopt;
    H5L_info_t info{};
    check(H5Lget_info(id(), name.c_str(), &info, H5P_DEFAULT), what);
    if (info.type == H5L_TYPE_HARD) return LinkValue{};
    std::vector<char> value(info.u.val_size + 1, '\0');
    check(H5Lget_val(id(), name.c_str(), value.data(), value.size(), H5P_DEFAULT), what);
    if (info.type == H5L_TYPE_SOFT) return LinkValue{LinkValue::Kind::Soft, "", value.data()};
    if (info.type != H5L_TYPE_EXTERNAL) throw Unsupported(fmt::format("{}: a user-defined link", what()));
    const char* file = nullptr;
    const char* path = nullptr;
    check(H5Lunpack_elink_val(value.data(), info.u.val_size, nullptr, &file, &path), what);
    return LinkValue{LinkValue::Kind::External, file, path};
  }

  void create_soft_link(const std::string& name, const std::string& path) override {
    state_->collective(fmt::format("create soft link '{}' to '{}'", join(path_, name), path), [&] {
      const std::string what =
          fmt::format("creating soft link '{}' to '{}' in file '{}'", join(path_, name), path, state_->path);
      refuse_existing(name, what);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      check(H5Lcreate_soft(path.c_str(), id(), name.c_str(), lcpl.get(), H5P_DEFAULT), what);
    });
  }

  void create_external_link(const std::string& name, const std::string& file, const std::string& path) override {
    state_->collective(fmt::format("create external link '{}' to '{}' in '{}'", join(path_, name), path, file), [&] {
      const std::string what = fmt::format("creating external link '{}' to '{}' in '{}' in file '{}'",
                                           join(path_, name), path, file, state_->path);
      refuse_existing(name, what);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      check(H5Lcreate_external(file.c_str(), path.c_str(), id(), name.c_str(), lcpl.get(), H5P_DEFAULT), what);
    });
  }

  std::shared_ptr<GroupNode> create_group(const std::string& name) override {
    std::shared_ptr<GroupNode> out;
    state_->collective(fmt::format("create group '{}'", join(path_, name)), [&] {
      const std::string what = fmt::format("creating group '{}' in file '{}'", join(path_, name), state_->path);
      refuse_existing(name, what);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      out = std::make_shared<Hdf5Group>(state_, H5Gcreate2(id(), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                                        what);
    });
    return out;
  }

  std::shared_ptr<DatasetNode> create_dataset(const std::string& name, const DatasetSpec& spec) override {
    const auto describe = [&] {
      State::Call call{fmt::format("create dataset '{}' ({}, {}shape [{}], maxshape [{}], chunks [{}], {})",
                                   join(path_, name), spec.file_type.describe(), spec.null ? "null dataspace, " : "",
                                   fmt::join(spec.shape, ","), fmt::join(spec.maxshape, ","),
                                   fmt::join(spec.chunks, ","), spec.fill.empty() ? "default fill" : "fill given"),
                       spec.file_type.encode()};
      call.args.insert(call.args.end(), spec.fill.begin(), spec.fill.end());
      if (spec.named_type) {
        call.text += fmt::format(", named datatype '{}'", join(spec.named_type->group->path(), spec.named_type->name));
      }
      for (const auto& f : spec.filters) {  // ranks must agree on the pipeline too
        call.text += fmt::format(", {} filter", filter_name(f.id));
        std::vector<std::uint32_t> values{f.id, f.flags, static_cast<std::uint32_t>(f.cd_values.size())};
        values.insert(values.end(), f.cd_values.begin(), f.cd_values.end());
        for (std::uint32_t v : values) {
          for (int shift = 0; shift < 32; shift += 8) call.args.push_back(static_cast<std::byte>((v >> shift) & 0xff));
        }
      }
      return call;
    };
    std::shared_ptr<DatasetNode> out;
    state_->collective(describe, [&] {
      const std::string what = fmt::format("creating dataset '{}' in file '{}' ({}, shape [{}])", join(path_, name),
                                           state_->path, spec.file_type.describe(), fmt::join(spec.shape, ","));
      refuse_existing(name, what);
      const Handle space = spec.null ? null_space(what) : make_space(spec.shape, spec.maxshape, what);
      const Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), what));
      if (!spec.chunks.empty()) {
        const auto chunks = to_hsize(spec.chunks);
        check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunks.size()), chunks.data()), what);
      }
      const values::Hdf5Fill fill(spec.file_type, spec.fill, what);
      hdf5::set_fill_value(dcpl.get(), spec.file_type, fill.bytes(), what);
      if (values::has_vlen_members(spec.file_type) && !spec.fill.empty() && !spec.chunks.empty()) {
        // HDF5 1.10 cannot read an unallocated chunk of such a dataset read-only (it would write
        // the fill value's members to the heap): allocated at once, as the merge makes them.
        check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), what);
      }
      hdf5::set_pipeline(dcpl.get(), spec.filters, what);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      // A dataset of a named datatype shares it (HDF5's shared datatype message): created with it.
      const Handle committed = spec.named_type
                                   ? Handle(check_id(H5Topen2(dynamic_cast<Hdf5Group&>(*spec.named_type->group).id(),
                                                              spec.named_type->name.c_str(), H5P_DEFAULT),
                                                     what))
                                   : Handle();
      out = std::make_shared<Hdf5Dataset>(
          state_,
          H5Dcreate2(id(), name.c_str(), spec.named_type ? committed.get() : spec.file_type.id(), space.get(),
                     lcpl.get(), dcpl.get(), H5P_DEFAULT),
          what);
    });
    return out;
  }

  void create_hard_link(const std::string& name, Node& target) override {
    const std::string target_path = target.path();
    state_->collective(fmt::format("create hard link '{}' to '{}'", join(path_, name), target_path), [&] {
      const std::string what =
          fmt::format("creating hard link '{}' to '{}' in file '{}'", join(path_, name), target_path, state_->path);
      refuse_existing(name, what);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      check(H5Lcreate_hard(id(), target_path.c_str(), id(), name.c_str(), lcpl.get(), H5P_DEFAULT), what);
    });
  }

  void unlink(const std::string& name) override {
    state_->collective(fmt::format("unlink '{}'", join(path_, name)), [&] {
      const std::string what = fmt::format("unlinking '{}' in file '{}'", join(path_, name), state_->path);
      check(H5Ldelete(id(), name.c_str(), H5P_DEFAULT), what);
    });
  }

  void move(const std::string& name, GroupNode& new_parent, const std::string& new_name) override {
    auto& to = dynamic_cast<Hdf5Group&>(new_parent);
    const std::string from_path = join(path_, name), to_path = join(to.path_, new_name);
    state_->collective(fmt::format("move '{}' to '{}'", from_path, to_path), [&] {
      const std::string what = fmt::format("moving '{}' to '{}' in file '{}'", from_path, to_path, state_->path);
      const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
      check(H5Lmove(id(), name.c_str(), to.id(), new_name.c_str(), lcpl.get(), H5P_DEFAULT), what);
    });
  }

  std::optional<Datatype> named_type(const std::string& name) override {
    const std::string what = fmt::format("opening named datatype '{}' in file '{}'", join(path_, name), state_->path);
    if (!check_bool(H5Lexists(id(), name.c_str(), H5P_DEFAULT), what)) return std::nullopt;
    H5O_info_t info{};
    if (H5Oget_info_by_name2(id(), name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      hdf5::error_stack();  // a dangling soft link or an external link: no named datatype here
      return std::nullopt;
    }
    if (info.type != H5O_TYPE_NAMED_DATATYPE) return std::nullopt;
    const Handle committed(check_id(H5Topen2(id(), name.c_str(), H5P_DEFAULT), what));
    return Datatype::copy_of(committed.get());  // a transient copy: the file's object stays its own
  }

  void commit_type(const std::string& name, const Datatype& type) override {
    State::Call call{fmt::format("commit datatype '{}' ({})", join(path_, name), type.describe()), type.encode()};
    state_->collective([&] { return call; },
                       [&] {
                         const std::string what = fmt::format("committing datatype '{}' in file '{}' ({})",
                                                              join(path_, name), state_->path, type.describe());
                         refuse_existing(name, what);
                         const Datatype copy = type;  // H5Tcommit2 makes its argument the committed object
                         const Handle lcpl = utf8_names(H5P_LINK_CREATE, what);
                         check(H5Tcommit2(id(), name.c_str(), copy.id(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), what);
                       });
  }

  std::shared_ptr<Node> open_named_type(const std::string& name) override {
    const std::string what = fmt::format("opening named datatype '{}' in file '{}'", join(path_, name), state_->path);
    return std::make_shared<Hdf5NamedType>(state_, H5Topen2(id(), name.c_str(), H5P_DEFAULT), what);
  }

  std::shared_ptr<GroupNode> open_group(const std::string& name) override {
    const std::string what = fmt::format("opening group '{}' in file '{}'", join(path_, name), state_->path);
    return std::make_shared<Hdf5Group>(state_, H5Gopen2(id(), name.c_str(), H5P_DEFAULT), what);
  }

  std::shared_ptr<DatasetNode> open_dataset(const std::string& name) override {
    const std::string what = fmt::format("opening dataset '{}' in file '{}'", join(path_, name), state_->path);
    return std::make_shared<Hdf5Dataset>(state_, H5Dopen2(id(), name.c_str(), H5P_DEFAULT), what);
  }

 private:
  // The API checks for groups and datasets; this catches the links it cannot see (a named
  // datatype, an external or dangling link), which HDF5 would report less clearly.
  void refuse_existing(const std::string& name, const std::string& what) {
    if (check_bool(H5Lexists(id(), name.c_str(), H5P_DEFAULT), what)) {
      throw AlreadyExists(
          fmt::format("{}: a link named '{}' already exists there (not a group or dataset)", what, name));
    }
  }
};

}  // namespace

std::shared_ptr<GroupNode> open_root(const std::shared_ptr<State>& state) {
  const std::string what = fmt::format("opening the root group of file '{}'", state->path);
  return std::make_shared<Hdf5Group>(state, H5Gopen2(state->file.get(), "/", H5P_DEFAULT), what);
}

}  // namespace h5mf::driver::hdf5_driver
