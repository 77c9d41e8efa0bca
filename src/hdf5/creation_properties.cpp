#include "hdf5/creation_properties.hpp"

#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "hdf5/filters.hpp"
#include "hdf5/vlen_types.hpp"

namespace h5mf::hdf5 {

namespace {

// Variable-length data whose fill value HDF5 holds as a pointer: strings and sequences.
bool has_vlen_fill(const Datatype& type) { return is_vlen_string(type) || type.type_class() == H5T_VLEN; }

}  // namespace

void set_fill_value(hid_t dcpl, const Datatype& type, std::span<const std::byte> fill, const std::string& what) {
  if (fill.empty()) return;
  const auto context = [&] { return fmt::format("fill value of {}", what); };
  if (!has_vlen_fill(type)) {
    // (a compound with variable-length members: one element in HDF5's memory form, values::Hdf5Fill)
    if (fill.size() != type.size()) {
      throw FormatError(fmt::format("{}: a fill value of {} bytes for type {} of {}", context(), fill.size(),
                                    type.describe(), type.size()));
    }
    check(H5Pset_fill_value(dcpl, type.id(), fill.data()), context);
    return;
  }
  const auto value = format::decode_vlen_fill(fill, vlen_unit(type), context());
  if (is_vlen_string(type)) {
    const std::string text(reinterpret_cast<const char*>(value->data()), value->size());
    const char* p = text.c_str();
    check(H5Pset_fill_value(dcpl, type.id(), &p), context);
  } else {
    hvl_t sequence{value->size() / vlen_unit(type), value->empty() ? nullptr : const_cast<std::byte*>(value->data())};
    check(H5Pset_fill_value(dcpl, type.id(), &sequence), context);
  }
}

std::vector<std::byte> get_fill_value(hid_t dcpl, const Datatype& type, const std::string& what) {
  const auto context = [&] { return fmt::format("reading the fill value of {}", what); };
  H5D_fill_value_t status = H5D_FILL_VALUE_ERROR;
  check(H5Pfill_value_defined(dcpl, &status), context);
  if (!has_vlen_fill(type)) {
    std::vector<std::byte> out(type.size());
    if (status != H5D_FILL_VALUE_UNDEFINED) check(H5Pget_fill_value(dcpl, type.id(), out.data()), context);
    return out;
  }
  if (status != H5D_FILL_VALUE_USER_DEFINED) return {};
  // HDF5 allocates the value: a char* or an hvl_t, reclaimed as a read's would be.
  union {
    char* text;
    hvl_t sequence;
  } value{};
  check(H5Pget_fill_value(dcpl, type.id(), &value), context);
  const Handle scalar(check_id(H5Screate(H5S_SCALAR), "H5Screate"));
  std::vector<std::byte> out;
  if (is_vlen_string(type)) {
    // A NULL string given as fill value is HDF5's default.
    if (value.text != nullptr) {
      out = format::encode_vlen_fill({reinterpret_cast<const std::byte*>(value.text), std::strlen(value.text)});
    }
  } else {
    out = format::encode_vlen_fill(
        {static_cast<const std::byte*>(value.sequence.p), value.sequence.len * vlen_unit(type)});
  }
  H5Dvlen_reclaim(type.id(), scalar.get(), H5P_DEFAULT, &value);
  return out;
}

Handle merged_creation_plist(const Datatype& type, std::span<const std::byte> fill, const Extent& chunk,
                             const FilterPipeline& filters, bool variable_length, const std::string& what) {
  Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
  set_fill_value(dcpl.get(), type, fill, what);
  if (!chunk.empty()) {
    const std::vector<hsize_t> dims(chunk.begin(), chunk.end());
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()),
          [&] { return fmt::format("chunk shape of {}", what); });
    set_pipeline(dcpl.get(), filters, what);
    if (variable_length && !fill.empty()) {
      check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    }
  } else if (!variable_length) {
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  }
  return dcpl;
}

StorageInfo storage_properties(hid_t dcpl, const std::string& what) {
  const std::string context = fmt::format("reading the storage properties of {}", what);
  StorageInfo info;
  info.layout = H5Pget_layout(dcpl);
  if (info.layout == H5D_LAYOUT_ERROR) fail(context);
  check(H5Pget_fill_time(dcpl, &info.fill_time), context);
  check(H5Pget_alloc_time(dcpl, &info.alloc_time), context);
  check(H5Pfill_value_defined(dcpl, &info.fill_value), context);
  return info;
}

}  // namespace h5mf::hdf5
