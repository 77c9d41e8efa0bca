// Reconstruction, first version: the structure is created with libhdf5 (contiguous datasets are
// allocated up front), then every dataset is assembled window by window from the writers' records
// in replay order and written to its place in the file with plain positioned writes. Memory is
// bounded by the window size whatever the container's size.
#include "h5mf/merge.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "container/index.hpp"
#include "container/metafile.hpp"
#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/replace.hpp"
#include "driver/attribute_codec.hpp"
#include "format/checksum.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf {
namespace {

using container::Catalog;
using container::CatalogObject;
using container::IndexedWrite;
using hdf5::Handle;

hsize_t to_hsize(std::uint64_t v) { return v == format::kUnlimited ? H5S_UNLIMITED : static_cast<hsize_t>(v); }

Handle make_space(const Extent& dims, const Extent& maxdims) {
  if (dims.empty()) return Handle(hdf5::check_id(H5Screate(H5S_SCALAR), "H5Screate(scalar)"));
  std::vector<hsize_t> d(dims.size()), m(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    d[i] = to_hsize(dims[i]);
    m[i] = to_hsize(maxdims.empty() ? dims[i] : maxdims[i]);
  }
  return Handle(hdf5::check_id(H5Screate_simple(static_cast<int>(d.size()), d.data(), m.data()),
                               fmt::format("H5Screate_simple(rank {})", dims.size())));
}

void write_attribute(hid_t object, const std::string& object_path, const std::string& name,
                     const container::AttributeEntry& entry, const std::string& output) {
  const std::string what = fmt::format("attribute '{}' of '{}' in '{}'", name, object_path, output);
  const AttributeData value = driver::load_attribute({entry.type, entry.dims, entry.value}, what);
  Handle space = make_space(value.dims, {});
  Handle attribute(hdf5::check_id(
      H5Acreate2(object, name.c_str(), value.type.id(), space.get(), H5P_DEFAULT, H5P_DEFAULT), "create " + what));
  if (driver::is_variable_string(value.type)) {
    std::vector<const char*> pointers;
    for (const auto& s : value.strings) pointers.push_back(s.c_str());
    hdf5::check(H5Awrite(attribute.get(), value.type.id(), pointers.data()), "write " + what);
  } else {
    hdf5::check(H5Awrite(attribute.get(), value.type.id(), value.bytes.data()), "write " + what);
  }
  attribute.close("close " + what);
}

void write_attributes(hid_t object, const CatalogObject& o, const std::string& path, const std::string& output,
                      MergeReport& report) {
  for (const auto& [name, entry] : o.attributes) {
    write_attribute(object, path, name, entry, output);
    ++report.attributes;
  }
}

struct PlannedDataset {
  std::uint64_t id = 0;
  Datatype type;
  haddr_t offset = HADDR_UNDEF;  // contiguous datasets: where the raw data starts
  bool chunked = false;
};

std::uint64_t elements(const Extent& shape) {
  std::uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// Checks each record's data against its checksum; returns the records that pass, per dataset.
void verify_records(container::ContainerIndex& index, const container::Layout& layout,
                    std::map<std::uint64_t, container::DatasetWrites>& kept, MergeReport& report) {
  std::vector<container::PosixFile> files;
  std::vector<std::byte> buffer(std::size_t{8} << 20);
  for (auto dataset : index.datasets_written()) {
    auto& out = kept[dataset];
    for (const auto& w : index.writes(dataset).in_replay_order()) {
      if (files.size() <= w.writer) files.resize(w.writer + 1);
      if (!files[w.writer].is_open()) {
        files[w.writer] = container::PosixFile(layout.data_file(w.writer), container::PosixFile::Access::Read);
      }
      format::Checksum sum;
      for (std::uint64_t done = 0; done < w.record.data_length;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), w.record.data_length - done));
        files[w.writer].read_at(w.record.data_offset + done, std::span(buffer).first(n));
        sum.update(std::span(buffer).first(n));
        done += n;
      }
      if (sum.digest() == w.record.data_checksum) {
        out.add(w);
      } else {
        ++report.records_dropped;
        report.damage.push_back(fmt::format("{}: data of record {} (dataset id {}, {} bytes at offset {}) fails its "
                                            "checksum; record dropped",
                                            layout.data_file(w.writer), w.record.sequence, dataset,
                                            w.record.data_length, w.record.data_offset));
      }
    }
  }
}

}  // namespace

std::vector<std::string> recover_interrupted_merge(const std::string& path) {
  return container::recover_interrupted_merge(container::Layout(path));
}

MergeReport merge(const std::string& container_path, const MergeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  hdf5::silence_hdf5_errors();
  const container::Layout layout(container_path);
  MergeReport report;
  for (auto& line : container::recover_interrupted_merge(layout)) report.damage.push_back(line);
  if (!layout.is_container()) {
    throw NotFound(fmt::format("cannot merge '{}': it is not an h5mf container (no metafile)", layout.path()));
  }
  const auto contents = container::load_metafile(layout);
  const Catalog& catalog = contents.catalog;
  if (contents.damage) {
    report.damage.push_back(fmt::format("{}: dropped {} bytes from offset {} ({})", layout.metafile(),
                                        contents.damage->bytes, contents.damage->offset, contents.damage->reason));
  }

  container::ContainerIndex index(layout, contents.header.container);
  index.refresh(catalog.writer_files(), true);
  for (const auto& d : index.damage()) {
    report.damage.push_back(fmt::format("{}: dropped {} bytes from offset {} ({})", d.file, d.bytes, d.offset, d.reason));
  }
  std::map<std::uint64_t, container::DatasetWrites> writes;
  if (options.verify_data) {
    verify_records(index, layout, writes, report);
  } else {
    for (auto dataset : index.datasets_written()) writes[dataset] = index.writes(dataset);
  }
  for (auto& [dataset, list] : writes) list.prepare();
  for (const auto& [dataset, list] : writes) {
    if (!catalog.contains(dataset) || catalog.object(dataset).kind != container::ObjectKind::Dataset) {
      report.records_dropped += list.size();
      report.damage.push_back(fmt::format("{} records refer to dataset id {}, which the metafile does not define",
                                          list.size(), dataset));
    }
  }

  const std::string output = options.output.empty() ? layout.merge_temporary() : options.output;
  report.output = options.output.empty() ? layout.path() : options.output;
  container::remove_file(layout.merge_temporary());

  // 1. Structure, through libhdf5.
  std::vector<PlannedDataset> planned;
  {
    Handle file(hdf5::check_id(H5Fcreate(output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                               fmt::format("cannot create merge output '{}'", output)));
    std::map<std::uint64_t, Handle> groups;
    groups.emplace(0, Handle(hdf5::check_id(H5Gopen2(file.get(), "/", H5P_DEFAULT), "open root group")));
    write_attributes(groups.at(0).get(), catalog.object(0), "/", output, report);
    for (std::uint64_t id = 1; id < catalog.next_id(); ++id) {
      const CatalogObject& o = catalog.object(id);
      const std::string path = catalog.path_of(id);
      const hid_t parent = groups.at(o.parent).get();
      if (o.kind == container::ObjectKind::Group) {
        Handle g(hdf5::check_id(H5Gcreate2(parent, o.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                fmt::format("create group '{}' in '{}'", path, output)));
        write_attributes(g.get(), o, path, output, report);
        groups.emplace(id, std::move(g));
        ++report.groups;
        continue;
      }
      PlannedDataset p;
      p.id = id;
      p.type = Datatype::decode(o.type);
      p.chunked = !o.chunk.empty();
      Handle dcpl(hdf5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
      if (!o.fill.empty()) {
        hdf5::check(H5Pset_fill_value(dcpl.get(), p.type.id(), o.fill.data()), fmt::format("fill value of '{}'", path));
      }
      if (p.chunked) {
        std::vector<hsize_t> chunk(o.chunk.begin(), o.chunk.end());
        hdf5::check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
                    fmt::format("chunk shape of '{}'", path));
      } else {
        // Allocated now so that its address is known; every byte is written below, fill included.
        hdf5::check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
        hdf5::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
      }
      Handle space = make_space(o.dims, o.maxdims);
      Handle d(hdf5::check_id(H5Dcreate2(parent, o.name.c_str(), p.type.id(), space.get(), H5P_DEFAULT, dcpl.get(),
                                         H5P_DEFAULT),
                              fmt::format("create dataset '{}' in '{}'", path, output)));
      write_attributes(d.get(), o, path, output, report);
      if (!p.chunked) p.offset = H5Dget_offset(d.get());
      ++report.datasets;

      // Chunked datasets go through libhdf5 (its chunk index and filters), window by window of rows.
      if (p.chunked && elements(o.dims) > 0) {
        const auto& list = writes[id];
        container::DataReader reader(layout);
        const std::size_t esize = p.type.size();
        const std::uint64_t row = elements(Extent(o.dims.begin() + 1, o.dims.end()));
        const std::uint64_t rows_per_window = std::max<std::uint64_t>(1, options.window_bytes / std::max<std::uint64_t>(row * esize, 1));
        std::vector<std::byte> buffer;
        for (std::uint64_t r0 = 0; r0 < o.dims[0]; r0 += rows_per_window) {
          const std::uint64_t rows = std::min(rows_per_window, o.dims[0] - r0);
          // Windows nobody wrote stay unallocated: HDF5 reads them as the fill value.
          if (!container::DataReader::any_overlap(list, r0 * row, rows * row, o.dims)) continue;
          buffer.resize(rows * row * esize);
          reader.read_linear(list, r0 * row, rows * row, {o.dims, esize, o.fill}, buffer);
          std::vector<hsize_t> start(o.dims.size(), 0), count(o.dims.begin(), o.dims.end());
          start[0] = r0;
          count[0] = rows;
          Handle file_space(hdf5::check_id(H5Dget_space(d.get()), "H5Dget_space"));
          hdf5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                      "select rows");
          const hsize_t n = rows * row;
          Handle memory_space(hdf5::check_id(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
          hdf5::check(H5Dwrite(d.get(), p.type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, buffer.data()),
                      fmt::format("write rows {}..{} of '{}' to '{}'", r0, r0 + rows, path, output));
          report.bytes_written += buffer.size();
        }
      }
      d.close(fmt::format("close dataset '{}' in '{}'", path, output));
      planned.push_back(std::move(p));
    }
    groups.clear();
    file.close(fmt::format("close merge output '{}'", output));
  }

  // 2. Contiguous data, straight into place.
  {
    container::PosixFile out(output, container::PosixFile::Access::ReadWrite);
    container::DataReader reader(layout);
    std::vector<std::byte> buffer;
    for (const auto& p : planned) {
      if (p.chunked || p.offset == HADDR_UNDEF) continue;
      const CatalogObject& o = catalog.object(p.id);
      const auto& list = writes[p.id];
      const std::size_t esize = p.type.size();
      const std::uint64_t total = elements(o.dims);
      const std::uint64_t window = std::max<std::uint64_t>(1, options.window_bytes / esize);
      for (std::uint64_t first = 0; first < total; first += window) {
        const std::uint64_t count = std::min(window, total - first);
        buffer.resize(count * esize);
        reader.read_linear(list, first, count, {o.dims, esize, o.fill}, buffer);
        out.write_at(p.offset + first * esize, buffer);
        report.bytes_written += buffer.size();
      }
    }
    if (options.sync) out.sync();
    out.close();
  }
  for (const auto& [dataset, list] : writes) report.records += list.size();

  if (options.output.empty()) container::replace_container_with_file(layout);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace h5mf
