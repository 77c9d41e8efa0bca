#include "hdf5/attribute_fit.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <atomic>
#include <vector>

#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {
namespace {

// Far below the 64 KiB limit whatever the name and type add: no need to ask libhdf5.
constexpr std::uint64_t kSurelyFits = 16u << 10;

// Merged files: datasets and chunks of 64 KiB or more start at a multiple of 4096.
constexpr hsize_t kAlignThreshold = 64u << 10;
constexpr hsize_t kAlignment = 4096;

std::uint64_t stored_bytes(const Datatype& type, const Extent& dims) {
  std::uint64_t n = type.size();
  for (const auto d : dims) {
    if (d != 0 && n > ~std::uint64_t{0} / d) return ~std::uint64_t{0};
    n *= d;
  }
  return n;
}

// A name no other open file of the process has (the core driver keys files by name).
std::string scratch_name() {
  static std::atomic<unsigned> serial{0};
  return fmt::format("h5mf-attribute-check-{}-{}", ::getpid(), serial++);
}

// The merge's file access settings on the core driver: in memory, nothing written to disk;
// `image`, when given, is the file's initial content.
Handle in_memory_access(const std::vector<std::byte>* image) {
  Handle fapl = merge_file_access();
  check(H5Pset_fapl_core(fapl.get(), 64u << 10, false), "H5Pset_fapl_core");
  if (image)
    check(H5Pset_file_image(fapl.get(), const_cast<std::byte*>(image->data()), image->size()), "H5Pset_file_image");
  return fapl;
}

// The error stack when libhdf5 cannot make a file holding the attribute (on the root group) and
// read it back, else empty. Reading back matters: HDF5 1.10 creates attribute messages a few bytes
// under its limit that it then cannot read ("message not aligned").
std::string attribute_problem(const std::string& name, const Datatype& file_type, const Extent& dims) {
  std::vector<std::byte> image;
  {
    const Handle fapl = in_memory_access(nullptr);
    const Handle file(check_id(H5Fcreate(scratch_name().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                               "creating an in-memory file to check an attribute's size"));
    std::vector<hsize_t> extent(dims.begin(), dims.end());
    const Handle space(check_id(dims.empty()
                                    ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr),
                                "a dataspace to check an attribute's size"));
    const Handle attribute(H5Acreate2(file.get(), name.c_str(), file_type.id(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attribute.valid()) return error_stack();
    check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), "flushing an in-memory file");
    const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
    check(size < 0 ? -1 : 0, "getting the image of an in-memory file");
    image.resize(static_cast<std::size_t>(size));
    check(H5Fget_file_image(file.get(), image.data(), image.size()) < 0 ? -1 : 0,
          "getting the image of an in-memory file");
  }
  const Handle fapl = in_memory_access(&image);
  const Handle file(H5Fopen(scratch_name().c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.valid()) return error_stack();
  const Handle attribute(H5Aopen(file.get(), name.c_str(), H5P_DEFAULT));
  if (!attribute.valid()) return error_stack();
  return {};
}

}  // namespace

Handle merge_file_access() {
  Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(H5P_FILE_ACCESS)"));
  check(H5Pset_alignment(fapl.get(), kAlignThreshold, kAlignment), "H5Pset_alignment");
  return fapl;
}

void check_attribute_fits(const std::string& name, const Datatype& file_type, const Extent& dims,
                          const std::string& what) {
  if (stored_bytes(file_type, dims) + name.size() + file_type.encode().size() < kSurelyFits) return;
  silence_hdf5_errors();
  const std::string problem = attribute_problem(name, file_type, dims);
  if (!problem.empty()) attribute_not_created(problem, file_type, dims, what);
}

void attribute_not_created(const std::string& stack, const Datatype& file_type, const Extent& dims,
                           const std::string& what) {
  if (stack.find("too large") == std::string::npos && stack.find("not aligned") == std::string::npos) {
    throw IoError(fmt::format("{}: HDF5 cannot create it ({}, dims [{}]): {}", what, file_type.describe(),
                              fmt::join(dims, ","), stack));
  }
  throw Error(
      fmt::format("Unable to create attribute (object header message is too large): {} ({}, dims [{}], {} "
                  "bytes) does not fit in an HDF5 object header, which holds at most 64 KiB per attribute "
                  "in the files h5mf writes; store large values in a dataset",
                  what, file_type.describe(), fmt::join(dims, ","), stored_bytes(file_type, dims)));
}

}  // namespace h5mf::hdf5
