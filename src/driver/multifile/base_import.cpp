#include "driver/multifile/base_import.hpp"

#include <map>

#include "values/attribute_codec.hpp"
#include "driver/hdf5/hdf5_driver.hpp"

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

  void attributes(Node& node, std::uint64_t id) {
    for (const auto& name : node.attribute_names()) {
      values::StoredAttribute stored = values::store_attribute(node.get_attribute(name));
      record(format::SetAttributeRecord{0, id, name, std::move(stored.type), std::move(stored.dims),
                                        std::move(stored.value)});
    }
  }

  // Objects met so far, by their address in the file: a second name of one (a hard link, which
  // may also close a cycle of groups) becomes a LINK record.
  std::map<std::uint64_t, std::uint64_t> seen;

  void group(GroupNode& node, std::uint64_t id) {
    seen.emplace(node.object_id(), id);
    attributes(node, id);
    for (const auto& [name, kind] : node.children()) {
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
        record(format::CreateDatasetRecord{0, child, id, name, dataset->file_type().encode(), dataset->shape(),
                                           dataset->maxshape(), dataset->fill(), dataset->chunks(),
                                           dataset->filters()});
        attributes(*dataset, child);
      }
    }
  }
};

}  // namespace

void import_base(const std::string& base, container::MetafileAppender& metafile, container::Catalog& catalog) {
  FileOptions options;
  options.driver = Driver::Sec2;
  auto file = open_hdf5(base, Mode::Read, options, Driver::Sec2);
  Importer importer{metafile, catalog, base, {}};
  importer.group(*file->root(), 0);
  file->close();
}

}  // namespace h5mf::driver
