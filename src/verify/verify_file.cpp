// `verify`: the public entry point (it sees both layers: the container checks need nothing of HDF5
// but the size of a type; a conventional HDF5 file is checked with libhdf5 itself), and the check
// of an HDF5 file: open it read-only, walk every object, read every attribute and every dataset in
// full, in blocks of bounded size, and report what fails instead of stopping at it.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <vector>

#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "container/replace.hpp"
#include "container/verify.hpp"
#include "format/vlen.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "h5mf/limits.hpp"
#include "h5mf/verify.hpp"
#include "hdf5/handle.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_strings.hpp"

namespace h5mf {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{8} << 20;  // per read: memory stays bounded
constexpr std::size_t kMaxErrors = 100;                    // listed; the rest are counted

std::optional<container::RecordElement> element_size_of(format::ByteView encoded) {
  const Datatype type = Datatype::decode(encoded);
  if (values::has_vlen_members(type)) {
    const values::VlenCompound c = values::vlen_compound(type, "its type");
    return container::RecordElement{c.record_element_size(), true, c.fixed_size()};
  }
  if (values::uses_vlen_slots(type)) return container::RecordElement{format::kVlenSlotSize, true, 0};
  if (type.is_variable_length()) return std::nullopt;
  return container::RecordElement{type.size(), false, 0};
}

struct FileCheck {
  VerifyReport& report;
  std::uint64_t errors_left_out = 0;

  void error(const std::string& object, const std::string& what) {
    if (report.errors.size() >= kMaxErrors) {
      ++errors_left_out;
      return;
    }
    std::string stack = hdf5::error_stack();
    report.errors.push_back(
        fmt::format("{}: '{}': {}{}", report.path, object, what, stack.empty() ? std::string() : ": " + stack));
  }
};

// The type to read into: the native form of the stored type, so that HDF5's conversion paths are
// exercised as any reader's would be; the stored type itself where HDF5 has no native form.
hdf5::Handle memory_type_of(hid_t stored) {
  hdf5::Handle native(H5Tget_native_type(stored, H5T_DIR_DEFAULT));
  if (native.valid()) return native;
  H5Eclear2(H5E_DEFAULT);
  return hdf5::Handle(H5Tcopy(stored));
}

// Variable-length data anywhere inside (strings in compounds too, which H5Tdetect_class(H5T_VLEN)
// does not count).
bool needs_reclaim(hid_t type) { return Datatype::copy_of(type).is_variable_length(); }

herr_t read_attribute(hid_t location, const char* name, const H5A_info_t*, void* data) {
  auto& check = *static_cast<FileCheck*>(data);
  std::string object = name;
  try {
    hdf5::Handle attribute(H5Aopen(location, name, H5P_DEFAULT));
    hdf5::Handle stored(attribute.valid() ? H5Aget_type(attribute.get()) : H5I_INVALID_HID);
    hdf5::Handle space(attribute.valid() ? H5Aget_space(attribute.get()) : H5I_INVALID_HID);
    if (!attribute.valid() || !stored.valid() || !space.valid()) {
      check.error("attribute " + object, "cannot be opened");
      return 0;
    }
    const hdf5::Handle memory = memory_type_of(stored.get());
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    const std::size_t size = H5Tget_size(memory.get());
    if (n < 0 || size == 0) {
      check.error("attribute " + object, "has no readable extent or type");
      return 0;
    }
    std::vector<std::byte> buffer(static_cast<std::size_t>(n) * size);
    if (n > 0) {
      if (H5Aread(attribute.get(), memory.get(), buffer.data()) < 0) {
        check.error("attribute " + object, "cannot be read");
        return 0;
      }
      if (needs_reclaim(memory.get())) H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, buffer.data());
    }
    ++check.report.attributes;
    check.report.bytes_read += buffer.size();
  } catch (const std::exception& e) {
    check.error("attribute " + object, e.what());
  }
  return 0;  // go on with the next attribute whatever happened
}

void read_attributes(hid_t object, const std::string& path, FileCheck& check) {
  const std::size_t before = check.report.errors.size();
  if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, read_attribute, &check) < 0 &&
      check.report.errors.size() == before) {
    check.error(path, "its attributes cannot be listed");
  }
}

// Reads a dataset in blocks: the slowest dimensions one index at a time, dimension k in slices,
// everything faster in full, with k the slowest dimension whose inner part fits in a block.
void read_dataset(hid_t dataset, const std::string& path, FileCheck& check) {
  hdf5::Handle stored(H5Dget_type(dataset));
  hdf5::Handle space(H5Dget_space(dataset));
  if (!stored.valid() || !space.valid()) {
    check.error(path, "its type or dataspace cannot be read");
    return;
  }
  const hdf5::Handle memory = memory_type_of(stored.get());
  const std::size_t element = H5Tget_size(memory.get());
  const bool reclaim = needs_reclaim(memory.get());
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  if (space_class == H5S_NULL) return;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || element == 0) {
    check.error(path, "has no readable extent or type");
    return;
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  if (std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; })) return;

  std::vector<std::byte> buffer;
  auto read_block = [&](hid_t memory_space, hid_t file_space, std::uint64_t elements) {
    buffer.resize(elements * element);
    if (H5Dread(dataset, memory.get(), memory_space, file_space, H5P_DEFAULT, buffer.data()) < 0) return false;
    if (reclaim) H5Dvlen_reclaim(memory.get(), memory_space, H5P_DEFAULT, buffer.data());
    check.report.bytes_read += buffer.size();
    return true;
  };
  if (rank == 0) {
    if (!read_block(H5S_ALL, H5S_ALL, 1)) check.error(path, "cannot be read");
    return;
  }

  const std::size_t r = dims.size();
  std::size_t k = 0;
  std::uint64_t inner = 1;  // elements of one index of dimension k
  for (k = r; k-- > 0;) {
    const std::uint64_t next = inner * dims[k];
    if (k == 0 || next * element > kBlockBytes) break;
    inner = next;
  }
  // Now dims[k + 1 ..] fit in a block; dims[k] is cut into slices of `slice` indices.
  const hsize_t slice = std::max<hsize_t>(1, kBlockBytes / (inner * element));
  std::vector<hsize_t> start(r, 0), count(r, 1);
  for (std::size_t d = k + 1; d < r; ++d) count[d] = dims[d];
  while (true) {
    count[k] = std::min<hsize_t>(slice, dims[k] - start[k]);
    hdf5::Handle file_space(H5Scopy(space.get()));
    hdf5::Handle memory_space(H5Screate_simple(static_cast<int>(r), count.data(), nullptr));
    const std::uint64_t elements = count[k] * inner;
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
        !read_block(memory_space.get(), file_space.get(), elements)) {
      std::string at;
      for (std::size_t d = 0; d < r; ++d) at += fmt::format("{}{}:{}", d ? "," : "", start[d], start[d] + count[d]);
      check.error(path, fmt::format("cannot be read at [{}]", at));
      return;  // one error per dataset: the rest would most likely fail alike
    }
    // The odometer: dimension k by slices, the slower ones by one.
    std::size_t d = k;
    start[d] += count[d];
    while (start[d] >= dims[d]) {
      if (d == 0) return;
      start[d] = 0;
      --d;
      start[d] += 1;
    }
  }
}

herr_t visit_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto& check = *static_cast<FileCheck*>(data);
  const std::string path = std::string(name) == "." ? "/" : "/" + std::string(name);
  // Opening by path costs its depth: a file nested tens of thousands deep would take hours. Groups
  // nest at most kMaxDepth deep in anything h5mf makes; deeper is reported and the walk stops.
  if (static_cast<std::uint64_t>(std::count(path.begin(), path.end(), '/')) > kMaxDepth) {
    check.error(path.substr(0, 200) + "...",
                fmt::format("objects nest deeper than {} levels; verify stops here", kMaxDepth));
    return 1;
  }
  try {
    hdf5::Handle object(H5Oopen(root, name, H5P_DEFAULT));
    if (!object.valid()) {
      check.error(path, "cannot be opened");
      return 0;
    }
    switch (info->type) {
      case H5O_TYPE_GROUP:
        if (path != "/") ++check.report.groups;
        break;
      case H5O_TYPE_DATASET:
        ++check.report.datasets;
        read_dataset(object.get(), path, check);
        break;
      default: break;  // named datatypes: opening them was the check
    }
    read_attributes(object.get(), path, check);
  } catch (const std::exception& e) {
    check.error(path, e.what());
  }
  return 0;
}

VerifyReport verify_hdf5_file(const std::string& path) {
  VerifyReport report;
  report.path = path;
  report.kind = VerifyReport::Kind::Hdf5File;
  hdf5::silence_hdf5_errors();
  FileCheck check{report};
  hdf5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) {
    check.error("/", "the HDF5 file cannot be opened");
    return report;
  }
  if (H5Ovisit2(file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, visit_object, &check, H5O_INFO_BASIC) < 0) {
    check.error("/", "the file's objects cannot all be walked");
  }
  if (check.errors_left_out > 0) report.errors.push_back(fmt::format("... and {} more errors", check.errors_left_out));
  const std::string beside = path + ".h5mf";
  if (container::Layout(beside).is_container()) {
    report.notes.push_back(fmt::format("a container at '{}' extends this file: verify it too", beside));
  }
  return report;
}

}  // namespace

VerifyReport verify(const std::string& path, const VerifyOptions& options) {
  const container::Layout layout(path);
  VerifyReport report;
  report.path = layout.path();
  try {
    if (container::is_directory(layout.path())) {
      if (layout.is_container()) return container::verify_container(layout, options, element_size_of);
      report.errors.push_back(
          fmt::format("'{}' is a directory without a metafile: not an h5mf container", layout.path()));
    } else if (container::is_regular_file(layout.path())) {
      if (container::looks_like_hdf5(layout.path())) return verify_hdf5_file(layout.path());
      report.errors.push_back(fmt::format("'{}' is neither an h5mf container nor an HDF5 file", layout.path()));
    } else if (container::exists(layout.path())) {
      report.errors.push_back(fmt::format("'{}' is neither a directory nor a regular file", layout.path()));
    } else {
      report.errors.push_back(fmt::format("'{}' does not exist", layout.path()));
      if (container::exists(layout.replaced_container())) {
        report.notes.push_back(
            fmt::format("'{}' is a container left by an interrupted merge: a merge or writable "
                        "open of '{}' finishes it",
                        layout.replaced_container(), layout.path()));
      }
    }
  } catch (const Error& e) {
    report.errors.push_back(e.what());
  }
  return report;
}

}  // namespace h5mf
