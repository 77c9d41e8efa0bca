// A group: a folder of groups and datasets. Paths may be nested ("a/b/c") or absolute ("/a/b");
// creating a path creates missing intermediate groups, as h5py does. Creation is collective.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h5mf/attributes.hpp"
#include "h5mf/dataset.hpp"

namespace h5mf {

namespace driver {
class GroupNode;
}

enum class ObjectType { Group, Dataset };

// What a link is (h5py's HardLink, SoftLink, ExternalLink): a soft link holds `path`, resolved when
// it is used; an external link holds a `file` name and a `path` in that file.
enum class LinkKind { Hard, Soft, External };
struct LinkInfo {
  LinkKind kind = LinkKind::Hard;
  std::string file, path;
};

class Group {
 public:
  Group(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::GroupNode> node);

  std::string name() const;  // full path, "/" for the root

  Group create_group(std::string_view path);
  Group require_group(std::string_view path);  // open, or create if missing
  Group group(std::string_view path) const;    // throws NotFound

  Dataset create_dataset(std::string_view path, const DatasetCreate& spec);
  template <class T>
  Dataset create_dataset(std::string_view path, Extent shape) {
    return create_dataset(path, DatasetCreate::of<T>(std::move(shape)));
  }
  // Opens `path` if it exists with the same shape and type, else creates it (h5py's semantics).
  Dataset require_dataset(std::string_view path, const DatasetCreate& spec);
  Dataset dataset(std::string_view path) const;  // throws NotFound

  // A hard link, as h5py's `group[path] = obj` (collective): `path` (missing parent groups are
  // created) becomes one more name of `target`, a group or dataset of the same open file. Writes
  // through either name are seen through the other; both have the same object_id().
  void create_hard_link(std::string_view path, const Group& target);
  void create_hard_link(std::string_view path, const Dataset& target);
  // Removes the name `path` (h5py's `del group[path]`, HighFive's unlink; collective). Throws
  // NotFound when there is none. The object stays while another name reaches it (and open handles
  // on it stay usable, as in HDF5); one that no name reaches is not in the merged file.
  void unlink(std::string_view path);
  // Renames `source` to `dest` (h5py's Group.move, H5Lmove; collective): missing parent groups of
  // `dest` are created. NotFound when `source` does not exist, AlreadyExists when `dest` does;
  // nothing happens when the two are the same string.
  void move(std::string_view source, std::string_view dest);
  // A soft link, as h5py's `group[path] = SoftLink(target)` (collective): `path` holds `target`, an
  // absolute path or one relative to its group, resolved whenever it is used (it may dangle; reads
  // through it reach whatever it names then). HighFive: createSoftLink.
  void create_soft_link(std::string_view path, std::string_view target);
  // An external link, as h5py's ExternalLink (collective): `path` names object `target` of HDF5
  // file `file`. Stored as given; the merged file holds it as HDF5's external link. This API does
  // not follow it (group(), dataset() and contains() see nothing there); the Python package does.
  void create_external_link(std::string_view path, std::string_view file, std::string_view target);
  // A committed (named) datatype, as h5py's `group[path] = numpy.dtype(...)` (collective): `type`'s
  // file type stored under `path`, on every driver (a container records it; the merge and the view
  // commit it).
  void commit_type(std::string_view path, const Datatype& type);
  // The type of the named datatype at `path`. Throws NotFound when `path` is no named datatype.
  Datatype named_type(std::string_view path) const;
  // The named datatype at `path` as an object (h5py's Datatype.attrs and identity): its
  // attributes, set and deleted collectively as other objects' are, and its identity, equal to
  // Dataset::named_type_id() of the datasets made with it. Throws NotFound when `path` is no named
  // datatype, Unsupported for one a container got from an older h5mf (without an id).
  Attributes named_type_attrs(std::string_view path) const;
  std::uint64_t named_type_id(std::string_view path) const;
  // A hard link to a named datatype, as h5py's `group[path] = group['t']` (collective): `path`
  // becomes one more name of the named datatype at `named_type` (a path in this file), with the
  // same named_type_id(); the merged file holds both names of one committed type. Throws NotFound
  // when `named_type` is no named datatype.
  void link_named_type(std::string_view path, std::string_view named_type);
  // The link `path` is (its last component; the root and "." are hard links). Throws NotFound.
  LinkInfo link_info(std::string_view path) const;
  // Equal for every name of one object (h5py's `a == b`), different for other objects of the file.
  std::uint64_t object_id() const;

  bool contains(std::string_view path) const;
  ObjectType type_of(std::string_view path) const;  // throws NotFound
  // Every link's name, sorted (soft links that dangle and external links too, as h5py's keys()).
  std::vector<std::string> keys() const;
  Attributes attrs() const;

 protected:
  std::shared_ptr<detail::FileState> file_;
  std::shared_ptr<driver::GroupNode> node_;

 private:
  // Walks `path`'s parent groups (creating them when `create`); returns the parent and leaf name.
  std::pair<std::shared_ptr<driver::GroupNode>, std::string> walk(std::string_view path, bool create) const;
  // The parent and leaf of `path` for a new soft or external link or named datatype, once the
  // structure change is allowed and the name is free; `verb` names the call ("create soft link").
  std::pair<std::shared_ptr<driver::GroupNode>, std::string> new_name(std::string_view path,
                                                                      std::string_view verb) const;
  void link(std::string_view path, driver::Node& target, const std::shared_ptr<detail::FileState>& target_file);
  std::shared_ptr<driver::Node> named_type_node(std::string_view path) const;
};

}  // namespace h5mf
