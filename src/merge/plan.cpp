#include "merge/plan.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <limits>
#include <optional>

#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "format/encoding.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "hdf5/attribute_fit.hpp"
#include "hdf5/creation_properties.hpp"
#include "hdf5/filters.hpp"
#include "hdf5/handle.hpp"
#include "merge/base_names.hpp"
#include "merge/hdf5_structure.hpp"
#include "merge/vlen_merge.hpp"
#include "values/vlen_strings.hpp"
#include "values/vlen_values.hpp"

namespace h5mf::merge_detail {
namespace {

using container::CatalogObject;
using hdf5::Handle;

// Chunked datasets of a base file go through libhdf5 (its chunk index and filters), rows at a time,
// starting from the rows the base file holds.
void write_chunked(hid_t dataset, const CatalogObject& o, const Datatype& type, const container::Layout& layout,
                   const container::DatasetWrites& writes, const std::string& path, const std::string& output,
                   std::size_t window_bytes, bool in_base, MergeReport& report) {
  if (selection::num_elements(o.dims) == 0) return;
  container::DataReader reader(layout, window_bytes);
  const std::size_t esize = type.size();
  const std::uint64_t row = selection::num_elements(Extent(o.dims.begin() + 1, o.dims.end()));
  const std::uint64_t rows_per_window =
      std::max<std::uint64_t>(1, window_bytes / std::max<std::uint64_t>(row * esize, 1));
  std::vector<std::byte> buffer;
  for (std::uint64_t r0 = 0; r0 < o.dims[0]; r0 += rows_per_window) {
    const std::uint64_t rows = std::min(rows_per_window, o.dims[0] - r0);
    ++report.windows;
    // Rows nobody wrote stay unallocated: HDF5 reads them as the fill value.
    if (!container::DataReader::any_overlap(writes, r0 * row, rows * row, o.dims)) {
      ++report.windows_skipped;
      continue;
    }
    buffer.resize(rows * row * esize);
    std::vector<hsize_t> start(o.dims.size(), 0), count(o.dims.begin(), o.dims.end());
    start[0] = r0;
    count[0] = rows;
    Handle file_space(hdf5::check_id(H5Dget_space(dataset), "H5Dget_space"));
    hdf5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                "select rows");
    const hsize_t n = rows * row;
    Handle memory_space(hdf5::check_id(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    if (in_base) {  // start from the base file's rows
      hdf5::check(H5Dread(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, buffer.data()),
                  [&] { return fmt::format("read rows {}..{} of '{}' from '{}'", r0, r0 + rows, path, output); });
    }
    reader.read_linear(writes, r0 * row, rows * row, {o.dims, esize, o.fill, in_base, 0, false, &o.shapes}, buffer);
    hdf5::check(H5Dwrite(dataset, type.id(), memory_space.get(), file_space.get(), H5P_DEFAULT, buffer.data()),
                [&] { return fmt::format("write rows {}..{} of '{}' to '{}'", r0, r0 + rows, path, output); });
    report.bytes_written += buffer.size();
  }
}

// The base file, copied by the kernel where it can.
void copy_file(const std::string& from, const std::string& to) {
  // Both are paths the user named (the base file the container extends, the output).
  container::PosixFile in(from, container::PosixFile::Access::Read, container::PosixFile::Links::Follow);
  container::PosixFile out(to, container::PosixFile::Access::CreateTruncate, container::PosixFile::Links::Follow);
  const std::uint64_t size = in.size();
  loff_t at_in = 0, at_out = 0;
  while (static_cast<std::uint64_t>(at_in) < size) {
    const ssize_t n =
        ::copy_file_range(in.fd(), &at_in, out.fd(), &at_out, size - static_cast<std::uint64_t>(at_in), 0);
    if (n > 0) continue;
    if (n == 0) throw FormatError(fmt::format("'{}' ended early while copying it to '{}'", from, to));
    if (errno == EINTR) continue;
    // No kernel copy here (another file system, an old kernel): copy through a buffer.
    std::vector<std::byte> buffer(std::size_t{8} << 20);
    for (auto at = static_cast<std::uint64_t>(at_in); at < size;) {
      const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - at));
      in.read_at(at, std::span(buffer).first(piece));
      out.write_at(at, std::span(buffer).first(piece));
      at += piece;
    }
    break;
  }
  out.close();
}

}  // namespace

namespace {

// Declared sizes are only numbers in the metafile; before anything is written they are checked
// against what the output's file system can take (docs/design.md, "Hostile files"). A contiguous
// dataset with a non-zero fill value is stored whole (the engine writes its fill wherever no record
// did), so its bytes must fit the free space. Zero-filled space is never written (a hole), but the
// file is still as long as every contiguous dataset together: where that is more than the free
// space, a file system without holes, or with a maximum file size (ext4: 16 TiB), could not hold
// it, so the output is made that long first (ftruncate), and a refusal (EFBIG) ends the merge
// here, not in libhdf5's close, which leaves HDF5 unable to close the file at all.
void check_space(const container::Catalog& catalog, const std::string& output) {
  std::uint64_t filled = 0, length = 0, largest_bytes = 0;
  std::string largest;
  const container::MergedNames names = catalog.merged_names();
  for (std::uint64_t id : catalog.datasets()) {
    const CatalogObject& o = catalog.object(id);
    if (!names.contains(id) || !written_by_engine(o, catalog.in_base(id))) continue;
    // Each is below format::kMaxDatasetBytes (the catalog checked): a sum of two fits 64 bits.
    const std::uint64_t bytes = selection::num_elements(o.dims) * Datatype::decode(o.type).size();
    length = std::min(length + bytes, std::uint64_t{1} << 63);
    if (!std::all_of(o.fill.begin(), o.fill.end(), [](std::byte b) { return b == std::byte{0}; })) {
      filled = std::min(filled + bytes, std::uint64_t{1} << 63);
    }
    if (bytes > largest_bytes) {
      largest_bytes = bytes;
      largest = catalog.path_of(id);
    }
  }
  const std::string folder = std::filesystem::absolute(output).parent_path().string();
  struct statvfs fs {};
  if (::statvfs(folder.c_str(), &fs) != 0) return;  // no answer: the writes will tell
  const std::uint64_t available = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (filled > available) {
    throw IoError(fmt::format(
        "cannot merge into '{}': its contiguous datasets with non-zero fill values need {} bytes written (the "
        "largest dataset, '{}', declares {}), and its file system has {} bytes free",
        output, filled, largest, largest_bytes, available));
  }
  if (length <= available) return;
  container::PosixFile probe(output, container::PosixFile::Access::CreateTruncate, container::PosixFile::Links::Follow);
  const auto most = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
  if (::ftruncate(probe.fd(), static_cast<off_t>(std::min(length, most))) != 0) {
    const int error = errno;
    probe.close();
    container::remove_file(output);
    throw IoError(
        fmt::format("cannot merge into '{}': its contiguous datasets declare {} bytes (the largest, '{}', "
                    "{}), more than a file can hold there: {}",
                    output, length, largest, largest_bytes, container::errno_text(error)));
  }
  probe.truncate(0);
}

}  // namespace

bool written_by_engine(const container::CatalogObject& dataset, bool in_base) {
  return !in_base && !dataset.null && dataset.chunk.empty() && !Datatype::decode(dataset.type).is_variable_length();
}

Plan create_structure(const container::Catalog& catalog, const container::Layout& layout,
                      const std::map<std::uint64_t, container::DatasetWrites>& writes, const std::string& output,
                      std::size_t window_bytes, const std::optional<std::string>& base, MergeReport& report) {
  static const container::DatasetWrites none;
  Plan plan;
  check_space(catalog, output);
  if (base) copy_file(*base, output);
  // Datasets and chunks of 64 KiB or more start at a page boundary, so that the data stage's
  // writes cover whole pages (a write that starts mid-page costs the page cache a lookup and a
  // partial zeroing; on parallel file systems, a lock on a neighbouring page).
  const Handle fapl = hdf5::merge_file_access();  // also what attributes are checked against
  Handle file(base ? hdf5::check_id(
                         H5Fopen(output.c_str(), H5F_ACC_RDWR, fapl.get()),
                         [&] { return fmt::format("cannot open merge output '{}' (a copy of '{}')", output, *base); })
                   : hdf5::check_id(H5Fcreate(output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                                    [&] { return fmt::format("cannot create merge output '{}'", output); }));
  std::map<std::uint64_t, Handle> groups;
  groups.emplace(0, Handle(hdf5::check_id(H5Gopen2(file.get(), "/", H5P_DEFAULT), "open root group")));
  // Objects no name reaches any more (unlinked) are left out, with their data, as HDF5 frees them.
  const container::MergedNames names = catalog.merged_names();
  merge_detail::CommittedTypes committed(file.get(), catalog, names, output, base.has_value(), report.attributes);
  // (after the named datatypes are open: the copy's names change here)
  std::optional<merge_detail::BaseNameChanges> base_names;
  if (base) base_names.emplace(file.get(), catalog, names, output);
  write_attributes(groups.at(0).get(), catalog.object(0), "/", output, report.attributes, base.has_value(), &committed);
  for (const container::MergedObject& placed : names.objects) {
    const std::uint64_t id = placed.id;
    const CatalogObject& o = catalog.object(id);
    const std::string& path = placed.path;
    const hid_t parent = groups.at(placed.parent).get();
    const char* name = placed.name.c_str();
    const bool in_base = catalog.in_base(id);
    if (in_base && base_names) base_names->place(file.get(), id, parent, placed.name, path);
    if (o.kind == container::ObjectKind::Group) {
      Handle g(hdf5::check_id(in_base ? H5Gopen2(parent, name, H5P_DEFAULT)
                                      : H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              fmt::format("create group '{}' in '{}'", path, output)));
      write_attributes(g.get(), o, path, output, report.attributes, in_base, &committed);
      groups.emplace(id, std::move(g));
      ++report.groups;
      continue;
    }
    const Datatype type = Datatype::decode(o.type);
    const bool chunked = !o.chunk.empty();
    const bool vlen = values::uses_vlen_slots(type);  // written by rank 0 through libhdf5 (vlen_merge.hpp)
    if (in_base) {
      Handle d(
          hdf5::check_id(H5Dopen2(parent, name, H5P_DEFAULT), fmt::format("open dataset '{}' in '{}'", path, output)));
      // Resized in the container: first to what its shrinks kept of the base's elements (HDF5
      // discards the others), then to its shape now (the new elements read as the fill value).
      const auto resize = [&](const Extent& extent) {
        const std::vector<hsize_t> dims(extent.begin(), extent.end());
        hdf5::check(H5Dset_extent(d.get(), dims.data()), [&] {
          return fmt::format("resize dataset '{}' in '{}' to [{}]", path, output, fmt::join(extent, ","));
        });
      };
      const Extent keep = o.shapes.created_kept(o.dims);
      if (keep != o.shapes.created()) resize(keep);
      if (o.dims != keep) resize(o.dims);
      write_attributes(d.get(), o, path, output, report.attributes, true, &committed);
      ++report.datasets;
      auto it = writes.find(id);
      if (it != writes.end() && it->second.size() > 0 && vlen) {
        write_vlen_dataset(d.get(), o, type, layout, it->second, path, output, window_bytes, true, report);
      } else if (it != writes.end() && it->second.size() > 0) {
        const haddr_t address = chunked ? HADDR_UNDEF : H5Dget_offset(d.get());
        if (address != HADDR_UNDEF) {
          plan.contiguous.push_back({id, address, type.size(), true});
        } else {  // chunked or compact: through libhdf5
          write_chunked(d.get(), o, type, layout, it->second, path, output, window_bytes, true, report);
        }
      }
      d.close(fmt::format("close dataset '{}' in '{}'", path, output));
      continue;
    }
    // The one rule (hdf5/creation_properties.hpp): the multifile driver's storage() tells it too.
    const values::Hdf5Fill fill(type, o.fill, fmt::format("dataset '{}' in '{}'", path, output));
    Handle dcpl = hdf5::merged_creation_plist(type, fill.bytes(), o.chunk, o.filters, vlen,
                                              fmt::format("dataset '{}' in '{}'", path, output));
    Handle space = o.null ? null_space() : make_space(o.dims, o.maxdims);
    Handle d(hdf5::check_id(
        H5Dcreate2(parent, name, committed.type_of(o, type.id()), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        fmt::format("create dataset '{}' in '{}'", path, output)));
    write_attributes(d.get(), o, path, output, report.attributes, false, &committed);
    ++report.datasets;
    // Chunked datasets are written by the chunk stage (merge/chunks.cpp), after this; those of a
    // variable-length type through libhdf5 here, which turns their pointers into heap objects.
    auto it = writes.find(id);
    if (vlen) {  // strings and sequences, contiguous or chunked (filtered or not): vlen_merge.cpp
      if (it != writes.end()) {
        write_vlen_dataset(d.get(), o, type, layout, it->second, path, output, window_bytes, false, report);
      }
    } else if (chunked && type.is_variable_length()) {
      write_chunked(d.get(), o, type, layout, it == writes.end() ? none : it->second, path, output, window_bytes, false,
                    report);
    } else if (written_by_engine(o, false)) {
      const haddr_t address = H5Dget_offset(d.get());
      if (address != HADDR_UNDEF) plan.contiguous.push_back({id, address, type.size()});
    }
    d.close(fmt::format("close dataset '{}' in '{}'", path, output));
  }
  create_links(file.get(), names, output, base_names ? &*base_names : nullptr, committed);
  if (base_names) base_names->finish(file.get());
  committed.close(output);
  apply_dimension_scales(file.get(), catalog, names, output, base.has_value());
  groups.clear();
  file.close(fmt::format("close merge output '{}'", output));
  return plan;
}

std::vector<std::byte> encode_plan(const Plan& plan) {
  std::vector<std::byte> bytes;
  format::Encoder out(bytes);
  out.u64(plan.contiguous.size());
  for (const auto& d : plan.contiguous) {
    out.u64(d.id);
    out.u64(d.address);
    out.u64(d.element_size);
    out.u8(d.from_base ? 1 : 0);
  }
  return bytes;
}

Plan decode_plan(const std::vector<std::byte>& bytes) {
  format::Decoder in(bytes, "merge plan");
  Plan plan;
  const std::uint64_t n = in.u64("count");
  if (n > bytes.size() / 25) in.fail("impossible dataset count");
  for (std::uint64_t i = 0; i < n; ++i) {
    PlannedDataset d;
    d.id = in.u64("id");
    d.address = in.u64("address");
    d.element_size = in.u64("element size");
    d.from_base = in.u8("from base") != 0;
    plan.contiguous.push_back(d);
  }
  in.finish();
  return plan;
}

}  // namespace h5mf::merge_detail
