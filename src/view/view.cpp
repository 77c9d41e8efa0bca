// h5mf view: the container as a standard HDF5 file of virtual datasets, without copying data
// (docs/design.md, "The zero-copy view"). Every dataset is planned (view/plan.hpp) before the two
// files are written (view/write.hpp), so that a view that cannot be made leaves no file.
#include "h5mf/view.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>

#include "container/base.hpp"
#include "container/file_cache.hpp"
#include "container/holder_lock.hpp"
#include "container/index.hpp"
#include "container/metafile.hpp"
#include "container/threads.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "mpi/comm.hpp"
#include "values/vlen_strings.hpp"
#include "verify/records.hpp"
#include "view/plan.hpp"
#include "view/write.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;
using container::CatalogObject;
using view_detail::absolute_path;
using view_detail::DatasetPlan;
using view_detail::escape_vds_name;

std::string default_sources(const std::string& output) {
  const std::string suffix = ".h5";
  if (output.size() > suffix.size() && output.ends_with(suffix)) {
    return output.substr(0, output.size() - suffix.size()) + "-sources.h5";
  }
  return output + "-sources.h5";
}

std::string new_generation() {
  std::random_device random;
  const std::uint64_t token = (std::uint64_t{random()} << 32) ^ random();
  return fmt::format("view-{:016x}", token);
}

}  // namespace

ViewReport view(const std::string& container_path, const ViewOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  hdf5::silence_hdf5_errors();
  const container::Location where = container::locate(container_path);
  const container::Layout& layout = where.layout;
  if (!layout.is_container()) {
    throw NotFound(fmt::format("cannot view '{}': it is not an h5mf container (no metafile)", container_path));
  }
  if (container::is_file_image(layout)) {
    // Its datasets are wherever HDF5 put them in the file it wrote: only a merge lays them out.
    throw Unsupported(
        fmt::format("cannot view '{}': it is a file-image container, written through h5mf's HDF5 file "
                    "driver, whose datasets a view cannot map; merge it (h5mf merge) or read it through "
                    "the driver (h5mf dump, h5mf exec -- h5dump)",
                    container_path));
  }
  // Alone with the container while the view is made (docs/design.md, "Two processes and one path").
  const container::HolderLock holder = container::HolderLock::acquire(
      layout.path(), container::HolderLock::Kind::Exclusive, fmt::format("view '{}'", container_path));

  ViewReport report;
  report.output = options.output.empty() ? layout.path() + "/view.h5" : options.output;
  report.sources = options.sources.empty() ? default_sources(report.output) : options.sources;
  const fs::path output_abs = absolute_path(report.output), sources_abs = absolute_path(report.sources);
  if (output_abs == sources_abs) {
    throw InvalidArgument(fmt::format("the view '{}' and its sources file cannot be the same file", report.output));
  }

  const container::MetafileContents contents = container::load_metafile(layout);
  const container::Catalog& catalog = contents.catalog;
  container::ContainerIndex index(layout, contents.header.container);
  index.refresh(catalog.data_files(), true, catalog.required_data_files());
  view_detail::ViewNames names{report.output, report.sources, escape_vds_name(sources_abs.string()), std::nullopt,
                               new_generation()};
  if (catalog.base()) {
    container::check_base_unchanged(layout, *catalog.base());
    names.base = escape_vds_name(absolute_path(container::base_path(layout, *catalog.base())).string());
  }
  // As in the merge: everything left out is listed and said, and `h5mf view` exits 2.
  const auto drop = [&report](Dropped d) {
    report.damage.push_back(verify_detail::describe(d));
    report.dropped.push_back(std::move(d));
  };
  if (contents.damage) {
    const auto& d = *contents.damage;
    drop(Dropped{layout.metafile(), d.offset, d.bytes, 0, d.reason});
  }
  for (const auto& d : index.damage()) drop(verify_detail::region_dropped(d));

  // Only records whose data pass their checksums are mapped (or all, with verify_data off).
  const unsigned threads = options.threads > 0 ? options.threads : container::usable_cpus();
  auto comm = mpi::serial();
  verify_detail::Verified verified = verify_detail::verify_records(
      index, layout, *comm, threads, options.verify_data, container::FileCache::default_capacity(), options.progress);
  report.records_dropped = verified.dropped;
  for (auto& d : verified.damage) drop(std::move(d));
  for (const auto& [dataset, writes] : verified.writes) {
    if (!catalog.contains(dataset) || catalog.object(dataset).kind != container::ObjectKind::Dataset) {
      report.records_dropped += writes.size();
      for (const auto& w : writes.in_replay_order()) {
        report.dropped.push_back(
            verify_detail::record_dropped(layout, w, "its dataset is not defined by the metafile"));
      }
      report.damage.push_back(
          fmt::format("{} records refer to dataset id {}, which the metafile does not define", writes.size(), dataset));
      continue;
    }
    report.records += writes.size();
  }

  // Every dataset is planned before anything is written: a view that cannot be made leaves no file.
  std::vector<DatasetPlan> plans;
  std::uint64_t total = 0;
  const container::MergedNames merged = catalog.merged_names();
  for (std::uint64_t id : catalog.datasets()) {
    if (!merged.contains(id)) continue;  // no name reaches it: not in the view
    const CatalogObject& o = catalog.object(id);
    const std::string path = merged.path(id);
    const auto it = verified.writes.find(id);
    const container::DatasetWrites* writes = it == verified.writes.end() ? nullptr : &it->second;
    const Datatype type = Datatype::decode(o.type);
    if (writes && writes->size() > 0 &&
        (type.is_variable_length() || hdf5::check(H5Tdetect_class(type.id(), H5T_REFERENCE), "H5Tdetect_class") > 0)) {
      if (values::uses_vlen_slots(type)) {
        throw Unsupported(fmt::format(
            "cannot view dataset '{}': it holds variable-length data, which the container stores as slots and "
            "bytes (docs/format.md) and HDF5 keeps in its global heap; a virtual dataset over raw files cannot "
            "express them. Use 'h5mf merge' instead",
            path));
      }
      throw Unsupported(fmt::format(
          "cannot view dataset '{}': its type {} holds pointers or references, which mean nothing outside the "
          "process or file that wrote them. Use 'h5mf merge' instead",
          path, type.describe()));
    }
    if (o.null) {  // no elements, nothing to map: a plain dataset in the view
      plans.push_back(DatasetPlan{id, {}, {}});
      continue;
    }
    plans.push_back(view_detail::plan_dataset(o, path, type.size(), options, report, id, writes, catalog.in_base(id)));
    total += plans.back().mappings.size();
  }
  if (total > options.max_total_mappings) {
    throw Unsupported(fmt::format(
        "cannot view '{}': its {} datasets need {} virtual-dataset mappings in all, more than the {} a view allows "
        "(--max-total-mappings); writing and reading them would be impractically slow. Use 'h5mf merge' instead",
        container_path, plans.size(), total, options.max_total_mappings));
  }

  const auto sources_image = view_detail::write_sources(names, plans, catalog, layout, report);
  const auto view_image = view_detail::write_view(names, plans, catalog, report);
  // Nothing is on disk until both files are complete in memory. A file that cannot be opened
  // (a link or FIFO planted at its name) is left as it is; one opened and then not written whole
  // is removed.
  view_detail::save_image(report.sources, sources_image, layout);
  try {
    view_detail::save_image(report.output, view_image, layout);
  } catch (...) {
    std::error_code ignored;
    fs::remove(report.sources, ignored);
    throw;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace h5mf
