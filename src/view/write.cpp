#include "view/write.hpp"

#include <fmt/format.h>

#include <limits>
#include <map>

#include "container/posix_file.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "merge/hdf5_structure.hpp"

namespace h5mf::view_detail {
namespace {

namespace fs = std::filesystem;
using container::CatalogObject;
using hdf5::Handle;
using merge_detail::make_space;

// The view's two files are built in memory (HDF5's core driver, no backing store) and written by
// save_image(): H5Fcreate would open the name with O_CREAT|O_TRUNC and follow a symbolic link
// planted there (docs/design.md, "Hostile files"). They hold metadata only (mappings, external
// segments), bounded by --max-total-mappings.
Handle create_in_memory(const std::string& name, const std::string& what) {
  Handle fapl(hdf5::check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)"));
  hdf5::check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, 0), "H5Pset_fapl_core");
  return Handle(hdf5::check_id(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), what));
}

std::vector<std::byte> image_of(const Handle& file, const std::string& name) {
  hdf5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), [&] { return fmt::format("flush '{}'", name); });
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  hdf5::check(size < 0 ? -1 : 0, [&] { return fmt::format("size the image of '{}'", name); });
  std::vector<std::byte> image(static_cast<std::size_t>(size));
  hdf5::check(H5Fget_file_image(file.get(), image.data(), image.size()) < 0 ? -1 : 0,
              [&] { return fmt::format("copy the image of '{}'", name); });
  return image;
}

// A file in the container's own directory follows no link and must be a regular file or new
// (PosixFile's rule for every container file); one the user named elsewhere opens as any tool's.
bool inside(const container::Layout& layout, const std::string& path) {
  std::error_code error;
  const fs::path parent = fs::weakly_canonical(absolute_path(path).parent_path(), error);
  const fs::path container = fs::weakly_canonical(absolute_path(layout.path()), error);
  return parent == container;
}

}  // namespace

std::string escape_vds_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

fs::path absolute_path(const std::string& path) { return fs::absolute(fs::path(path)).lexically_normal(); }

void save_image(const std::string& path, std::span<const std::byte> image, const container::Layout& layout) {
  using container::PosixFile;
  PosixFile file(path, PosixFile::Access::CreateTruncate,
                 inside(layout, path) ? PosixFile::Links::Refuse : PosixFile::Links::Follow);
  try {
    file.write_at(0, image);
    file.close();
  } catch (...) {
    container::remove_file(path);  // ours, opened above: a regular file, not a link
    throw;
  }
}

std::vector<std::byte> write_sources(const ViewNames& names, const std::vector<DatasetPlan>& plans,
                                     const container::Catalog& catalog, const container::Layout& layout,
                                     ViewReport& report) {
  const std::string& file_name = names.sources;
  Handle file = create_in_memory(file_name, fmt::format("cannot create the view's sources file '{}'", file_name));
  Handle top(hdf5::check_id(H5Gcreate2(file.get(), names.generation.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            [&] { return fmt::format("create group '/{}' in '{}'", names.generation, file_name); }));
  std::map<std::uint32_t, std::string> data_files;  // absolute: read from any working directory
  for (const DatasetPlan& plan : plans) {
    if (plan.sources.empty()) continue;
    const std::string path = catalog.path_of(plan.id);
    const Datatype type = Datatype::decode(catalog.object(plan.id).type);
    Handle group(hdf5::check_id(
        H5Gcreate2(top.get(), std::to_string(plan.id).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        [&] { return fmt::format("create group '/{}/{}' in '{}'", names.generation, plan.id, file_name); }));
    for (std::size_t k = 0; k < plan.sources.size(); ++k) {
      const Source& source = plan.sources[k];
      Handle dcpl(hdf5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
      for (const Segment& s : source.segments) {
        auto [it, added] = data_files.try_emplace(s.data_file);
        if (added) it->second = absolute_path(layout.data_file(s.data_file)).string();
        if (s.offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
          throw FormatError(fmt::format("'{}': offset {} is beyond what HDF5 can address", it->second, s.offset));
        }
        const std::string& data_file = it->second;  // a structured binding cannot be captured (clang 14)
        hdf5::check(H5Pset_external(dcpl.get(), data_file.c_str(), static_cast<off_t>(s.offset), s.length), [&] {
          return fmt::format("external segment of '{}' ({} bytes at {} of '{}')", path, s.length, s.offset, data_file);
        });
        ++report.segments;
        report.bytes_referenced += s.length;
      }
      Handle space = make_space(source.dims, {});
      Handle d(hdf5::check_id(H5Dcreate2(group.get(), std::to_string(k).c_str(), type.id(), space.get(), H5P_DEFAULT,
                                         dcpl.get(), H5P_DEFAULT),
                              [&] {
                                return fmt::format("create source dataset '/{}/{}/{}' (of '{}') in '{}'",
                                                   names.generation, plan.id, k, path, file_name);
                              }));
      d.close(fmt::format("close source dataset '/{}/{}/{}' in '{}'", names.generation, plan.id, k, file_name));
      ++report.source_datasets;
    }
  }
  top.close(fmt::format("close group '/{}' in '{}'", names.generation, file_name));
  auto image = image_of(file, file_name);
  file.close(fmt::format("close the view's sources file '{}'", file_name));
  return image;
}

std::vector<std::byte> write_view(const ViewNames& names, const std::vector<DatasetPlan>& plans,
                                  const container::Catalog& catalog, ViewReport& report) {
  const std::string& output = names.output;
  Handle file = create_in_memory(output, fmt::format("cannot create view '{}'", output));
  std::map<std::uint64_t, const DatasetPlan*> by_id;
  for (const auto& p : plans) by_id.emplace(p.id, &p);
  std::map<std::uint64_t, Handle> groups;
  groups.emplace(0, Handle(hdf5::check_id(H5Gopen2(file.get(), "/", H5P_DEFAULT), "open root group")));
  const container::MergedNames merged = catalog.merged_names();  // unlinked objects are not in the view
  merge_detail::CommittedTypes committed(file.get(), catalog, merged, output, false, report.attributes);
  merge_detail::write_attributes(groups.at(0).get(), catalog.object(0), "/", output, report.attributes, false,
                                 &committed);
  for (const container::MergedObject& placed : merged.objects) {
    const std::uint64_t id = placed.id;
    const CatalogObject& o = catalog.object(id);
    const std::string& path = placed.path;
    const hid_t parent = groups.at(placed.parent).get();
    if (o.kind == container::ObjectKind::Group) {
      Handle g(hdf5::check_id(H5Gcreate2(parent, placed.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              fmt::format("create group '{}' in '{}'", path, output)));
      merge_detail::write_attributes(g.get(), o, path, output, report.attributes, false, &committed);
      groups.emplace(id, std::move(g));
      ++report.groups;
      continue;
    }
    const Datatype type = Datatype::decode(o.type);
    Handle dcpl(hdf5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
    if (!o.null) hdf5::check(H5Pset_layout(dcpl.get(), H5D_VIRTUAL), "H5Pset_layout(virtual)");  // null: plain
    // Elements no mapping covers read as the fill value, as in the merged file.
    if (!o.fill.empty()) {
      hdf5::check(H5Pset_fill_value(dcpl.get(), type.id(), o.fill.data()),
                  [&] { return fmt::format("fill value of '{}'", path); });
    }
    const DatasetPlan& plan = *by_id.at(id);
    // A base file's elements are read at the dataset's path there, its creation name (it may have
    // moved since).
    const std::string escaped_path = escape_vds_name(catalog.path_of(id));
    for (const Mapping& m : plan.mappings) {
      const bool base = m.source == kBaseSource;
      const std::string source_name = base ? escaped_path : fmt::format("/{}/{}/{}", names.generation, id, m.source);
      hdf5::check(H5Pset_virtual(dcpl.get(), m.virtual_selection.get(),
                                 base ? names.base->c_str() : names.sources_in_vds.c_str(), source_name.c_str(),
                                 m.source_selection.get()),
                  [&] {
                    return fmt::format("map part of '{}' to '{}' in '{}'", path, source_name,
                                       base ? *names.base : names.sources_in_vds);
                  });
    }
    report.mappings += plan.mappings.size();
    Handle space = o.null ? merge_detail::null_space() : make_space(o.dims, o.maxdims);
    Handle d(hdf5::check_id(H5Dcreate2(parent, placed.name.c_str(), committed.type_of(o, type.id()), space.get(),
                                       H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                            fmt::format("create virtual dataset '{}' in '{}'", path, output)));
    merge_detail::write_attributes(d.get(), o, path, output, report.attributes, false, &committed);
    d.close(fmt::format("close dataset '{}' in '{}'", path, output));
    ++report.datasets;
  }
  merge_detail::create_links(file.get(), merged, output, nullptr, committed);
  committed.close(output);
  merge_detail::apply_dimension_scales(file.get(), catalog, merged, output, false);
  groups.clear();
  auto image = image_of(file, output);
  file.close(fmt::format("close view '{}'", output));
  return image;
}

}  // namespace h5mf::view_detail
