// The driver interface: one small set of virtual classes that every back end implements
// (multifile, mpio, sec2). The public API validates arguments (paths, selections, buffer sizes,
// modes) and then calls these; drivers do no argument checking of their own beyond what only they
// can know.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "h5mf/attributes.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/options.hpp"
#include "h5mf/selection.hpp"
#include "h5mf/storage.hpp"

namespace h5mf::driver {

enum class NodeKind { Group, Dataset };

// What a link is: a hard link (to a group or dataset), a soft link holding `path`, or an external
// link holding `file` and `path`.
struct LinkValue {
  enum class Kind { Hard, Soft, External } kind = Kind::Hard;
  std::string file, path;
};

class GroupNode;

// A named datatype: `name` in `group`, of the same file.
struct NamedTypeRef {
  std::shared_ptr<GroupNode> group;
  std::string name;
};

struct DatasetSpec {
  Datatype file_type;           // the type stored in the file (standard, byte order explicit)
  Extent shape, maxshape;       // maxshape: kUnlimited (~0) for unlimited
  std::vector<std::byte> fill;  // one element in file_type, or empty for zeros
  Extent chunks;                // empty: contiguous
  FilterPipeline filters;       // needs chunks
  bool null = false;            // HDF5's null dataspace (h5py's Empty): shape empty, contiguous, no filters
  // The named datatype the dataset is made with (h5py's `dtype=f['t']`), whose type file_type is:
  // the dataset shares it, as HDF5's datasets of a committed type do.
  std::optional<NamedTypeRef> named_type;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual std::string path() const = 0;  // the path it was opened by (one of its names)
  // Its name now, as HDF5's H5Iget_name gives it (h5py's `.name`): after a move or an unlink of
  // the name it was opened by, another name that reaches it; nullopt when none does.
  virtual std::optional<std::string> current_name() = 0;
  // Equal for every name of one object of one file (hard links), different for other objects.
  virtual std::uint64_t object_id() = 0;
  // Attributes (set and delete are collective).
  virtual std::vector<std::string> attribute_names() = 0;
  virtual bool has_attribute(const std::string& name) = 0;
  virtual void set_attribute(const std::string& name, const AttributeData& value) = 0;
  virtual AttributeData get_attribute(const std::string& name) = 0;  // in the file type
  virtual void delete_attribute(const std::string& name) = 0;
};

class DatasetNode;

class GroupNode : public Node {
 public:
  // Groups and datasets that links reach (soft links followed), sorted by name.
  virtual std::vector<std::pair<std::string, NodeKind>> children() = 0;
  // What `name` reaches (soft links followed); nullopt when nothing does (no such link, a dangling
  // soft link, an external link, another kind of object).
  virtual std::optional<NodeKind> child_kind(const std::string& name) = 0;
  // Every link's name, dangling and external ones too, sorted by name (h5py's keys()).
  virtual std::vector<std::string> link_names() = 0;
  virtual std::optional<LinkValue> link_value(const std::string& name) = 0;  // nullopt: no such link
  // Soft and external links (collective): `name`, valid and new, holds the value, unchecked.
  virtual void create_soft_link(const std::string& name, const std::string& path) = 0;
  virtual void create_external_link(const std::string& name, const std::string& file, const std::string& path) = 0;
  // Creation is collective; `name` is a single, valid link name that does not exist yet.
  virtual std::shared_ptr<GroupNode> create_group(const std::string& name) = 0;
  virtual std::shared_ptr<DatasetNode> create_dataset(const std::string& name, const DatasetSpec& spec) = 0;
  // A hard link (collective): `name`, valid and new, becomes one more name of `target`, a group or
  // dataset of the same file.
  virtual void create_hard_link(const std::string& name, Node& target) = 0;
  // Removes the name `name`, which exists (collective). The object stays while another name reaches
  // it, and nodes open on it stay usable, as in HDF5.
  virtual void unlink(const std::string& name) = 0;
  // Renames `name`, which exists, to `new_name`, which does not, in `new_parent`, a group of the same
  // file (collective): the same object under its new name.
  virtual void move(const std::string& name, GroupNode& new_parent, const std::string& new_name) = 0;
  // Committed (named) datatypes, h5py's `group[name] = numpy.dtype(...)`: the type `name` reaches
  // (soft links followed), nullopt when it is no named datatype; and commit (collective; `name`
  // valid and new; Unsupported where the driver cannot store them).
  virtual std::optional<Datatype> named_type(const std::string& name) = 0;
  virtual void commit_type(const std::string& name, const Datatype& type) = 0;
  // The named datatype `name` (named_type gives its type) as an object: its identity and its
  // attributes (set and delete collective); nullptr where it is none (a container's committed by
  // an older h5mf, without an id).
  virtual std::shared_ptr<Node> open_named_type(const std::string& name) = 0;
  // `name` exists and is of that kind.
  virtual std::shared_ptr<GroupNode> open_group(const std::string& name) = 0;
  virtual std::shared_ptr<DatasetNode> open_dataset(const std::string& name) = 0;
};

class DatasetNode : public Node {
 public:
  virtual Datatype file_type() = 0;
  // The object id (as open_named_type's node gives it) of the named datatype it was made with and
  // shares; nullopt when its type is its own (HDF5's H5Tcommitted on its type).
  virtual std::optional<std::uint64_t> named_type_id() = 0;
  virtual Extent shape() = 0;  // empty for a scalar and for a null dataspace
  virtual bool is_null() = 0;  // HDF5's null dataspace (h5py's Empty): no elements
  virtual Extent maxshape() = 0;
  virtual Extent chunks() = 0;
  virtual FilterPipeline filters() = 0;
  virtual std::vector<std::byte> fill() = 0;
  virtual StorageInfo storage() = 0;
  // `selection` is resolved against shape(); `buffer` holds its elements in `memory_type`.
  virtual void write(const Selection& selection, const Datatype& memory_type, const void* buffer) = 0;
  virtual void read(const Selection& selection, const Datatype& memory_type, void* buffer) = 0;
  // Collective; `shape` fits maxshape.
  virtual void resize(const Extent& shape) = 0;
  // Selects collective transfers where the driver has them (mpio); ignored elsewhere.
  virtual void set_collective(bool collective) { (void)collective; }

  // Dimension scales, as libhdf5's H5DS functions keep them (h5py's make_scale and dims). Changes
  // are collective and refused with Error where H5DS refuses them; `dim` is below the rank.
  virtual void make_scale(const std::string& name) = 0;  // H5DSset_scale
  virtual bool is_scale() = 0;                           // H5DSis_scale
  virtual std::string scale_name() = 0;                  // H5DSget_scale_name; "" when it has none
  // `scale` is a dataset of the same file.
  virtual void attach_scale(DatasetNode& scale, std::uint32_t dim) = 0;
  virtual void detach_scale(DatasetNode& scale, std::uint32_t dim) = 0;
  virtual std::vector<std::shared_ptr<DatasetNode>> scales(std::uint32_t dim) = 0;  // in H5DSiterate_scales order
  virtual std::string label(std::uint32_t dim) = 0;                                 // "" when it has none
  virtual void set_label(std::uint32_t dim, const std::string& label) = 0;
};

class FileDriver {
 public:
  virtual ~FileDriver() = default;
  virtual std::string name() const = 0;  // "multifile", "mpio", "sec2"
  virtual std::string path() const = 0;
  virtual std::shared_ptr<GroupNode> root() = 0;
  virtual bool writable() const = 0;
  virtual void flush() = 0;  // collective
  virtual void close() = 0;  // collective; the driver is unusable afterwards
  // Called from destructors: local clean-up only, never a collective call, never throws.
  virtual void abandon() noexcept = 0;
  // This process gives the file up because of an error (`reason`): where the others' close() or
  // flush() would otherwise wait for it forever, it makes the matching collective calls, saying
  // that it leaves, with waits bounded by mpi::Bound. Never throws. By default: abandon().
  virtual void leave(const std::string& reason) noexcept {
    (void)reason;
    abandon();
  }
  virtual bool atomic() const = 0;
  virtual void set_atomic(bool atomic) = 0;  // collective
  // Throws when this process may not change the structure at all (a worker without MPI), so that
  // it hears that before any other complaint about the call.
  virtual void check_structure_change(const std::string& what) const { (void)what; }
  virtual int writer() const = 0;   // this process's writer id (its rank)
  virtual int writers() const = 0;  // number of writers of the session
};

// The name-to-factory table: opens `path` with the driver the options name (Auto resolved).
std::unique_ptr<FileDriver> open(const std::string& path, Mode mode, const FileOptions& options);

}  // namespace h5mf::driver
