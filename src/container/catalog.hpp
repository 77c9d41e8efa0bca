// The catalog: the container's structure (groups, datasets, attributes) as an in-memory tree,
// built by applying metafile records in order. Pure code: types are opaque H5Tencode blobs here.
// Every writer keeps its own catalog and updates it on every collective call; the coordinator also
// appends the same records to the metafile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "container/shape_history.hpp"
#include "format/records.hpp"

namespace h5mf::container {

// Datatype: a named datatype with an id (NAMED_TYPE), which attributes and datasets can name; its
// name is a SymbolicLink of its group (never a child: no hard links to it).
enum class ObjectKind { Group, Dataset, Datatype };

struct AttributeEntry {
  format::Bytes type;                                      // H5Tencode of the file type
  Extent dims;                                             // empty: scalar (or null)
  format::Bytes value;                                     // as stored (docs/format.md, SET_ATTRIBUTE)
  bool null = false;                                       // HDF5's null dataspace (h5py's Empty): no dims, no value
  std::uint64_t order = 0;                                 // creation order, for h5py-like listing
  std::uint64_t epoch = 0;                                 // of the last SET_ATTRIBUTE; 0: as in the base file
  std::optional<std::uint64_t> named_type = std::nullopt;  // the named datatype it shares
  bool variable_length_elements = false;                   // `value` holds record data (SET_ATTRIBUTE)
};

// A soft link (`file` empty: `path` resolved in this file when used, absolute or relative to its
// group), an external link (object `path` of HDF5 file `file`), or a named datatype (`type`, its
// H5Tencode bytes; no file or path): names that reach no object of the catalog.
struct SymbolicLink {
  std::string file, path;
  std::uint64_t epoch = 0;
  format::Bytes type;
  std::optional<std::uint64_t> type_id = std::nullopt;  // a named datatype's object id (absent in older containers)
  bool external() const { return !file.empty(); }
  bool named_type() const { return !type.empty(); }
  friend bool operator==(const SymbolicLink&, const SymbolicLink&) = default;
};

struct CatalogObject {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  std::string name;         // empty for the root
  std::uint64_t depth = 0;  // names in its path: 0 for the root, at most format::kMaxDepth
  ObjectKind kind = ObjectKind::Group;
  std::uint64_t created_epoch = 0;  // 0: the object exists in the base file
  // Groups only. A child's id may name an object whose own `parent` and `name` are elsewhere: a hard
  // link (LINK record) is one more name of an existing object.
  std::map<std::string, std::uint64_t, std::less<>> children;
  std::map<std::string, SymbolicLink, std::less<>> symlinks;  // groups only; names not in children (named types too)
  std::map<std::string, AttributeEntry, std::less<>> attributes;
  // Datasets and named datatypes:
  format::Bytes type;
  // Datasets only: the named datatype (its object id) the dataset was made with, sharing its type.
  std::optional<std::uint64_t> named_type = std::nullopt;
  Extent dims, maxdims, chunk;
  ShapeHistory shapes;  // its creation and every resize (records of this container only)
  format::Bytes fill;
  FilterPipeline filters;  // chunked datasets only; the merge compresses with it
  bool null = false;       // HDF5's null dataspace (h5py's Empty): no dims, no elements, never written or resized
  bool variable_length_members = false;  // its CREATE_DATASET's flag: a compound with variable-length members
  // Dimension scales (DIMENSION_SCALE and DIMENSION_LABEL records), as libhdf5's H5DS keeps them:
  // per dimension the scales attached, in DIMENSION_LIST order (empty: no DIMENSION_LIST), and
  // the labels (empty: no DIMENSION_LABELS; nullopt: a label never set, HDF5's NULL string).
  std::vector<std::vector<std::uint64_t>> scales;
  std::vector<std::optional<std::string>> labels;
};

// H5DSis_scale: `o` is a dataset whose CLASS attribute is the string "DIMENSION_SCALE".
bool is_dimension_scale(const CatalogObject& o);
// The attributes libhdf5's H5DS functions keep on datasets (object references, and the labels
// beside them): a base file's are imported as DIMENSION_SCALE and DIMENSION_LABEL records, not as
// attributes, and the merge leaves them to H5DS.
bool is_dimension_scale_attribute(std::string_view name);

// A hard link, as recorded: `name` in group `parent` names object `target`.
struct CatalogLink {
  std::uint64_t parent = 0;
  std::string name;
  std::uint64_t target = 0;
  std::uint64_t epoch = 0;  // 0: as in the base file
};

// The names the merged file gives (what the merge and the view create): every object that some
// name reaches from the root, each created at one of its names, its other names as hard links.
// An object no name reaches (all its names unlinked) is not there, as HDF5 frees it.
struct MergedObject {
  std::uint64_t id = 0, parent = 0;
  std::string name, path;  // where it is created: `name` in group `parent`, i.e. `path`
};
struct MergedLink {
  std::string path;  // a further name of `target`
  std::uint64_t target = 0;
  std::uint64_t epoch = 0;  // 0: a name the base file has
};
struct MergedSymlink {
  std::string path;  // its name
  SymbolicLink link;
};
// A name the base file has (an epoch-0 record): `name` in group `parent` as it was imported, a
// hard link to object `target` or else the symbolic link (soft, external, named datatype) `link`.
struct BaseName {
  std::uint64_t parent = 0;
  std::string name;
  std::optional<std::uint64_t> target;
  SymbolicLink link;
};

struct MergedNames {
  std::vector<MergedObject> objects;  // every parent before its children; the root is not listed
  std::vector<MergedLink> links;
  std::vector<MergedSymlink> symlinks;         // soft and external links of the groups that are there
  std::map<std::uint64_t, std::size_t> index;  // id -> objects[index]
  bool contains(std::uint64_t id) const { return id == 0 || index.contains(id); }
  std::string path(std::uint64_t id) const { return id == 0 ? "/" : objects[index.at(id)].path; }
};

class Catalog {
 public:
  Catalog();  // just the root group, id 0

  // Applies one record. Throws FormatError (with `context`) when the record contradicts the
  // catalog: unknown parent, a name taken, an id out of sequence, a resize beyond maxdims... or
  // breaks a limit of format/limits.hpp (nesting, dataset and chunk sizes).
  void apply(const format::StructureRecord& record, const std::string& context = "catalog");

  const CatalogObject& object(std::uint64_t id) const;
  bool contains(std::uint64_t id) const { return id < objects_.size(); }
  std::optional<std::uint64_t> child(std::uint64_t parent, std::string_view name) const;  // hard links
  const SymbolicLink* symlink(std::uint64_t parent, std::string_view name) const;         // soft, external
  bool has_name(std::uint64_t parent, std::string_view name) const;                       // a link of any kind
  // The object `name` in group `parent` names now, following soft links as HDF5 does (at most 16
  // of them in a row); nullopt when there is none, it dangles, or it goes through an external link.
  std::optional<std::uint64_t> resolve(std::uint64_t parent, std::string_view name) const;
  std::uint64_t next_id() const { return objects_.size(); }
  // "/a/b": the name the object was created with (it may since be unlinked or moved; for messages,
  // and for objects of a base file, which keep their names).
  std::string path_of(std::uint64_t id) const;
  // Hard links in record order. Objects keep the path they were created with; links add names.
  const std::vector<CatalogLink>& links() const { return links_; }
  // Every name of the base file, in import order. The merge starts from a copy of the base file,
  // which has them all: it removes those that do not keep their binding (unlinked, moved, or given
  // to another object) and makes the others.
  const std::vector<BaseName>& base_names() const { return base_names_; }
  // `name` still binds in `parent` what it bound in the base file.
  bool keeps(const BaseName& name) const;
  // Reachable objects at their merged names (see MergedNames). An object keeps its creation
  // name (path_of) there while that name still names it; otherwise it takes the first of its names
  // in a breadth-first walk from the root.
  MergedNames merged_names() const;
  std::vector<std::uint64_t> datasets() const;  // ids of every dataset, in creation order
  // Every DIMENSION_SCALE record (attach and detach) in record order: the merge replays them with
  // libhdf5's H5DS calls, so that REFERENCE_LIST and DIMENSION_LIST end as libhdf5 leaves them.
  const std::vector<format::DimensionScaleRecord>& scale_changes() const { return scale_changes_; }
  const std::vector<format::DimensionLabelRecord>& label_changes() const { return label_changes_; }  // in order
  std::vector<std::uint64_t> groups() const;  // ids of every group, root first

  const std::vector<format::SessionRecord>& sessions() const { return sessions_; }
  // A file-image container, written through the HDF5 file driver (docs/format.md, "File-image
  // containers"): its first SESSION says so, and its index files hold RANGE and END records, not
  // writes to datasets. THE rule for telling the two kinds of container apart.
  bool is_file_image() const;
  // The existing HDF5 file this container extends, if any (docs/format.md).
  const std::optional<format::BaseRecord>& base() const { return base_; }
  bool in_base(std::uint64_t id) const { return base_.has_value() && object(id).created_epoch == 0; }
  std::uint64_t last_epoch() const { return last_epoch_; }  // highest epoch recorded
  // Data files `<f>` / `<f>.offset` there may be: the most any session used (its writers, or its
  // aggregated data files).
  std::uint32_t data_files() const;
  std::uint32_t max_writers() const;  // the most writers of any session
  // Data file pairs that must exist, as the metafile proves: those of every session whose open
  // completed (an OPENED record, or in older containers any structure record of the session,
  // follows its SESSION record) and whose writers
  // create their files at open: every pair of a collective session (SESSION flag COLLECTIVE),
  // the coordinator's pair 0 of any session. A pair below this that is missing whole is a loss.
  std::uint32_t required_data_files() const;

 private:
  CatalogObject& mutable_object(std::uint64_t id, const std::string& context);
  // Dataset `dataset`, which has dimension `dim` (else FormatError: it `what` that dimension).
  CatalogObject& dimension_of(std::uint64_t dataset, std::uint32_t dim, const char* what, const std::string& context);
  void apply_scale_change(const format::DimensionScaleRecord& r, const std::string& context);
  std::optional<std::uint64_t> resolve_path(std::uint64_t group, std::string_view path, int hops) const;
  std::optional<std::uint64_t> resolve_link(std::uint64_t group, std::string_view name, int hops) const;
  void add_symlink(std::uint64_t parent, const std::string& name, SymbolicLink link, const std::string& context);
  CatalogObject& add_object(std::uint64_t id, std::uint64_t parent, const std::string& name, ObjectKind kind,
                            std::uint64_t epoch, const std::string& context);
  std::vector<CatalogObject> objects_;  // index == id
  std::vector<CatalogLink> links_;
  std::vector<BaseName> base_names_;
  std::vector<format::DimensionScaleRecord> scale_changes_;
  std::vector<format::DimensionLabelRecord> label_changes_;
  std::vector<format::SessionRecord> sessions_;
  std::vector<std::uint64_t> records_in_session_;  // structure records after each SESSION, epoch > 0
  std::vector<bool> opened_;                       // an OPENED record follows each SESSION
  std::optional<format::BaseRecord> base_;
  std::uint64_t last_epoch_ = 0;
  std::uint64_t attribute_order_ = 0;
};

}  // namespace h5mf::container
