// What the merge and the view both make with libhdf5 from the catalog: dataspaces of catalog
// extents and the attributes of catalog objects.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <string>

#include "container/catalog.hpp"
#include "hdf5/handle.hpp"

namespace h5mf::merge_detail {

hsize_t to_hsize(std::uint64_t v);
// A scalar dataspace for empty `dims`; `maxdims` empty means fixed at `dims`.
hdf5::Handle make_space(const Extent& dims, const Extent& maxdims);
hdf5::Handle null_space();  // HDF5's null dataspace (h5py's Empty)

class CommittedTypes;

// Writes the attributes of `o` to `object` and adds their number to `count`. With `in_base`, the
// object already exists in the output (a copy of the base file): attributes the container deleted
// or set again are removed first, those it left alone are kept as they are. Attributes made with a
// named datatype share it where `types` has it committed.
void write_attributes(hid_t object, const container::CatalogObject& o, const std::string& path,
                      const std::string& output, std::uint64_t& count, bool in_base = false,
                      const CommittedTypes* types = nullptr);

// The named datatypes with object ids (NAMED_TYPE) that the merged file has, committed before any
// dataset so that the datasets and attributes made with them share them, as HDF5's do: a name
// reaches them, or a dataset or an attribute that is there was made with them. The container's are committed
// anonymously (H5Tcommit_anon; create_links gives them their names), a base file's opened where its copy has them.
class CommittedTypes {
 public:
  // Writes their attributes too (as write_attributes, adding their number to `attributes`).
  CommittedTypes(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                 const std::string& output, bool base_exists, std::uint64_t& attributes);
  // The committed type dataset `o` is created with: its named datatype's, else `own`.
  hid_t type_of(const container::CatalogObject& o, hid_t own) const;
  // Named datatype `id` committed here, else H5I_INVALID_HID.
  hid_t committed(std::uint64_t id) const;
  void close(const std::string& output);

 private:
  std::map<std::uint64_t, hdf5::Handle> types_;
};

class BaseNameChanges;

// Makes the hard, soft and external links and the named datatypes of `names` in `file`, whose
// objects exist at their merged paths; those of `types` are linked (H5Olink), older ones (no id)
// committed. `base`: a merge over a copy of the base file, which has the names it keeps.
void create_links(hid_t file, const container::MergedNames& names, const std::string& output,
                  const BaseNameChanges* base, const CommittedTypes& types);

// Applies the catalog's dimension scales to `file`, whose objects exist at their merged paths, with
// libhdf5's H5DS calls: every attach and detach in record order (so that DIMENSION_LIST and
// REFERENCE_LIST end as libhdf5 leaves them), then every label in record order. Changes involving
// an object that is not in the file (no name reaches it) are left out: HDF5 would keep references
// to freed objects. `base_exists`: those of the base file (epoch 0) are there already.
void apply_dimension_scales(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                            const std::string& output, bool base_exists);

}  // namespace h5mf::merge_detail
