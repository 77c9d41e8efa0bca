#include "driver/multifile/base_import.hpp"

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "driver/hdf5/hdf5_driver.hpp"
#include "values/attribute_codec.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf::driver {
namespace {

struct Importer {
  container::MetafileAppender& metafile;
  container::Catalog& catalog;
  const std::string& base;

  void record(format::StructureRecord r) {
    catalog.apply(r, "importing '" + base + "'");
    metafile.append(r);
  }

  void attributes(Node& node, std::uint64_t id, bool dataset = false) {
    for (const auto& name : node.attribute_names()) {
      if (dataset && container::is_dimension_scale_attribute(name)) continue;  // see dimension_scales()
      values::StoredAttribute stored = values::store_attribute(node.get_attribute(name));
      record(format::SetAttributeRecord{0, id, name, std::move(stored.type), std::move(stored.dims),
                                        std::move(stored.value), stored.null, std::nullopt,
                                        stored.variable_length_elements});
    }
  }

  // Objects met so far, by their address in the file: a second name of one (a hard link, which
  // may also close a cycle of groups) becomes a LINK record.
  std::map<std::uint64_t, std::uint64_t> seen;
  std::vector<std::pair<std::shared_ptr<DatasetNode>, std::uint64_t>> datasets;

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
  // as links, named datatypes by their type. True when `name` was one of these.
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
    if (const std::optional<Datatype> type = node.named_type(name)) {
      const std::uint64_t type_id = catalog.next_id();  // an id its attributes and new datasets name
      record(format::NamedTypeRecord{0, id, name, type->encode(), type_id});
      if (const std::shared_ptr<Node> named = node.open_named_type(name)) attributes(*named, type_id);
      return true;
    }
    return false;  // another kind of object, which h5mf does not list
  }

  void group(GroupNode& node, std::uint64_t id) {
    seen.emplace(node.object_id(), id);
    attributes(node, id);
    std::set<std::string> links;
    for (const auto& name : node.link_names()) {
      if (other_link(node, id, name)) links.insert(name);
    }
    for (const auto& [name, kind] : node.children()) {
      if (links.contains(name)) continue;  // a soft link, recorded as one
      const std::uint64_t child = catalog.next_id();
      std::shared_ptr<Node> opened;
      if (kind == NodeKind::Group) {
        opened = node.open_group(name);
      } else {
        opened = node.open_dataset(name);
      }
      if (const auto it = seen.find(opened->object_id()); it != seen.end()) {
        record(format::LinkRecord{0, id, name, it->second});
        continue;
      }
      if (kind == NodeKind::Group) {
        record(format::CreateGroupRecord{0, child, id, name});
        group(static_cast<GroupNode&>(*opened), child);
      } else {
        auto dataset = std::static_pointer_cast<DatasetNode>(opened);
        seen.emplace(dataset->object_id(), child);
        const Datatype type = dataset->file_type();
        const bool members = values::has_vlen_members(type);  // (their fill: one element, self-contained)
        std::vector<std::byte> fill = dataset->fill();
        const bool variable_length_fill = values::uses_vlen_slots(type) && !members && !fill.empty();
        record(format::CreateDatasetRecord{0, child, id, name, type.encode(), dataset->shape(), dataset->maxshape(),
                                           std::move(fill), dataset->chunks(), dataset->filters(), dataset->is_null(),
                                           variable_length_fill, members});
        attributes(*dataset, child, true);
        datasets.emplace_back(dataset, child);
      }
    }
  }
};

}  // namespace

void import_base(const std::string& base, container::MetafileAppender& metafile, container::Catalog& catalog) {
  FileOptions options;
  options.driver = Driver::Sec2;
  auto file = open_hdf5(base, Mode::Read, options, Driver::Sec2);
  Importer importer{metafile, catalog, base, {}, {}};
  importer.group(*file->root(), 0);
  importer.dimension_scales();
  file->close();
}

}  // namespace h5mf::driver
