#include "driver/multifile/base_import.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "driver/hdf5/hdf5_driver.hpp"
#include "values/attribute_codec.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf::driver {
namespace {

// Three passes, so that every named datatype has its id before a dataset or attribute names it
// (HDF5 lets a dataset share a type committed anywhere in the file): the names of groups, named
// datatypes and links; then the datasets, in the order the walk met them; then every attribute.
struct Importer {
  container::MetafileAppender& metafile;
  container::Catalog& catalog;
  const std::string& base;

  void record(format::StructureRecord r) {
    catalog.apply(r, "importing '" + base + "'");
    metafile.append(r);
  }

  // Objects met so far, by their address in the file: a second name of one (a hard link, which
  // may also close a cycle of groups) becomes a LINK record. Named datatypes are among them.
  std::map<std::uint64_t, std::uint64_t> seen;
  // Every object whose attributes the last pass imports (datasets: without the dimension scales'
  // own, see dimension_scales()), in the order met.
  std::vector<std::tuple<std::shared_ptr<Node>, std::uint64_t, bool>> with_attributes;
  // Names of datasets met in a group (its node and id), for the second pass.
  std::vector<std::tuple<std::shared_ptr<GroupNode>, std::uint64_t, std::string>> dataset_names;
  std::vector<std::pair<std::shared_ptr<DatasetNode>, std::uint64_t>> datasets;

  // The id of the named datatype of this import that object `address` of the base file is, if it
  // is one and its type is `type` byte for byte (as the catalog requires of what shares it).
  std::optional<std::uint64_t> named_type(std::optional<std::uint64_t> address, const format::Bytes& type) const {
    if (!address) return std::nullopt;
    const auto it = seen.find(*address);
    if (it == seen.end()) return std::nullopt;
    const container::CatalogObject& o = catalog.object(it->second);
    if (o.kind != container::ObjectKind::Datatype || o.type != type) return std::nullopt;
    return it->second;
  }

  void attributes(Node& node, std::uint64_t id, bool dataset) {
    for (const auto& name : node.attribute_names()) {
      if (dataset && container::is_dimension_scale_attribute(name)) continue;  // see dimension_scales()
      const AttributeData value = node.get_attribute(name);
      values::StoredAttribute stored = values::store_attribute(value);
      const std::optional<std::uint64_t> shared = named_type(value.named_type, stored.type);
      record(format::SetAttributeRecord{0, id, name, std::move(stored.type), std::move(stored.dims),
                                        std::move(stored.value), stored.null, shared, stored.variable_length_elements});
    }
  }

  // Once every object and attribute is there: the base's dimension scales, as libhdf5 lists them,
  // and its labels (a NULL label and an empty one alike read as none). The merge leaves these to
  // the base file's copy, which has them.
  void dimension_scales() {
    for (const auto& [node, id] : datasets) {
      const auto rank = static_cast<std::uint32_t>(node->shape().size());
      for (std::uint32_t dim = 0; dim < rank; ++dim) {
        for (const auto& scale : node->scales(dim)) {
          if (const auto it = seen.find(scale->object_id()); it != seen.end()) {
            record(format::DimensionScaleRecord{0, id, dim, it->second, true});
          }
        }
        if (std::string label = node->label(dim); !label.empty()) {
          record(format::DimensionLabelRecord{0, id, dim, std::move(label)});
        }
      }
    }
  }

  // A link that is no hard link to a group or dataset, as its own record, so that the container
  // lists every name the file has (h5py's keys()): soft links (dangling or not) and external links
  // as links, named datatypes by their type (a second name of one as a LINK). True when `name` was
  // one of these.
  bool other_link(GroupNode& node, std::uint64_t id, const std::string& name) {
    const std::optional<LinkValue> value = node.link_value(name);
    if (!value) return false;
    if (value->kind == LinkValue::Kind::Soft) {
      record(format::SoftLinkRecord{0, id, name, value->path});
      return true;
    }
    if (value->kind == LinkValue::Kind::External) {
      record(format::ExternalLinkRecord{0, id, name, value->file, value->path});
      return true;
    }
    if (node.child_kind(name)) return false;
    const std::optional<Datatype> type = node.named_type(name);
    if (!type) return false;  // another kind of object, which h5mf does not list
    const std::shared_ptr<Node> named = node.open_named_type(name);
    if (const auto it = seen.find(named->object_id()); it != seen.end()) {
      record(format::LinkRecord{0, id, name, it->second});
      return true;
    }
    const std::uint64_t type_id = catalog.next_id();  // an id its attributes and datasets name
    record(format::NamedTypeRecord{0, id, name, type->encode(), type_id});
    seen.emplace(named->object_id(), type_id);
    with_attributes.emplace_back(named, type_id, false);
    return true;
  }

  void group(const std::shared_ptr<GroupNode>& node, std::uint64_t id) {
    seen.emplace(node->object_id(), id);
    with_attributes.emplace_back(node, id, false);
    std::set<std::string> links;
    for (const auto& name : node->link_names()) {
      if (other_link(*node, id, name)) links.insert(name);
    }
    for (const auto& [name, kind] : node->children()) {
      if (links.contains(name)) continue;  // a soft link, recorded as one
      if (kind != NodeKind::Group) {
        dataset_names.emplace_back(node, id, name);
        continue;
      }
      std::shared_ptr<GroupNode> child = node->open_group(name);
      if (const auto it = seen.find(child->object_id()); it != seen.end()) {
        record(format::LinkRecord{0, id, name, it->second});
        continue;
      }
      const std::uint64_t child_id = catalog.next_id();
      record(format::CreateGroupRecord{0, child_id, id, name});
      group(child, child_id);
    }
  }

  void datasets_of_groups() {
    for (const auto& [parent, id, name] : dataset_names) {
      auto dataset = parent->open_dataset(name);
      if (const auto it = seen.find(dataset->object_id()); it != seen.end()) {
        record(format::LinkRecord{0, id, name, it->second});
        continue;
      }
      const std::uint64_t child = catalog.next_id();
      seen.emplace(dataset->object_id(), child);
      const Datatype type = dataset->file_type();
      const bool members = values::has_vlen_members(type);  // (their fill: one element, self-contained)
      std::vector<std::byte> fill = dataset->fill();
      const bool variable_length_fill = values::uses_vlen_slots(type) && !members && !fill.empty();
      format::Bytes encoded = type.encode();
      const std::optional<std::uint64_t> shared = named_type(dataset->named_type_id(), encoded);
      record(format::CreateDatasetRecord{0, child, id, name, std::move(encoded), dataset->shape(), dataset->maxshape(),
                                         std::move(fill), dataset->chunks(), dataset->filters(), dataset->is_null(),
                                         variable_length_fill, members, shared});
      with_attributes.emplace_back(dataset, child, true);
      datasets.emplace_back(dataset, child);
    }
  }

  void all_attributes() {
    for (const auto& [node, id, dataset] : with_attributes) attributes(*node, id, dataset);
  }
};

}  // namespace

void import_base(const std::string& base, container::MetafileAppender& metafile, container::Catalog& catalog) {
  FileOptions options;
  options.driver = Driver::Sec2;
  auto file = open_hdf5(base, Mode::Read, options, Driver::Sec2);
  Importer importer{metafile, catalog, base, {}, {}, {}, {}};
  importer.group(file->root(), 0);
  importer.datasets_of_groups();
  importer.all_attributes();
  importer.dimension_scales();
  file->close();
}

}  // namespace h5mf::driver
