#include "driver/multifile/base_import.hpp"

#include "driver/attribute_codec.hpp"
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
      StoredAttribute stored = store_attribute(node.get_attribute(name));
      record(format::SetAttributeRecord{0, id, name, std::move(stored.type), std::move(stored.dims),
                                        std::move(stored.value)});
    }
  }

  void group(GroupNode& node, std::uint64_t id) {
    attributes(node, id);
    for (const auto& [name, kind] : node.children()) {
      const std::uint64_t child = catalog.next_id();
      if (kind == NodeKind::Group) {
        record(format::CreateGroupRecord{0, child, id, name});
        group(*node.open_group(name), child);
      } else {
        auto dataset = node.open_dataset(name);
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
  Importer importer{metafile, catalog, base};
  importer.group(*file->root(), 0);
  file->close();
}

}  // namespace h5mf::driver
