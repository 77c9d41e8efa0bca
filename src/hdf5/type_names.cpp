#include "hdf5/type_names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "hdf5/handle.hpp"

namespace h5mf::hdf5 {
namespace {

const char* class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_TIME: return "time";
    case H5T_STRING: return "string";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_COMPOUND: return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "vlen";
    case H5T_ARRAY: return "array";
    default: return "unknown class";
  }
}

struct NamedType {
  hid_t id;
  const char* name;
};

}  // namespace

std::string describe_type(hid_t id) {
  const H5T_class_t type_class = H5Tget_class(id);
  const std::size_t size = H5Tget_size(id);
  if (type_class == H5T_INTEGER || type_class == H5T_FLOAT || type_class == H5T_REFERENCE) {
    const NamedType standard[] = {
        {H5T_STD_I8LE, "H5T_STD_I8LE"},       {H5T_STD_U8LE, "H5T_STD_U8LE"},
        {H5T_STD_I16LE, "H5T_STD_I16LE"},     {H5T_STD_U16LE, "H5T_STD_U16LE"},
        {H5T_STD_I32LE, "H5T_STD_I32LE"},     {H5T_STD_U32LE, "H5T_STD_U32LE"},
        {H5T_STD_I64LE, "H5T_STD_I64LE"},     {H5T_STD_U64LE, "H5T_STD_U64LE"},
        {H5T_STD_I8BE, "H5T_STD_I8BE"},       {H5T_STD_U8BE, "H5T_STD_U8BE"},
        {H5T_STD_I16BE, "H5T_STD_I16BE"},     {H5T_STD_U16BE, "H5T_STD_U16BE"},
        {H5T_STD_I32BE, "H5T_STD_I32BE"},     {H5T_STD_U32BE, "H5T_STD_U32BE"},
        {H5T_STD_I64BE, "H5T_STD_I64BE"},     {H5T_STD_U64BE, "H5T_STD_U64BE"},
        {H5T_IEEE_F32LE, "H5T_IEEE_F32LE"},   {H5T_IEEE_F64LE, "H5T_IEEE_F64LE"},
        {H5T_IEEE_F32BE, "H5T_IEEE_F32BE"},   {H5T_IEEE_F64BE, "H5T_IEEE_F64BE"},
        {H5T_STD_REF_OBJ, "H5T_STD_REF_OBJ"}, {H5T_STD_REF_DSETREG, "H5T_STD_REF_DSETREG"},
    };
    for (const auto& candidate : standard) {
      if (H5Tequal(id, candidate.id) > 0) return candidate.name;
    }
  }
  if (type_class == H5T_STRING) {
    if (H5Tis_variable_str(id) > 0) return "string(variable)";
    return fmt::format("string({})", size);
  }
  if (type_class == H5T_COMPOUND || type_class == H5T_ENUM) {
    const int members = H5Tget_nmembers(id);
    std::string text = type_class == H5T_ENUM ? "enum {" : "compound {";
    if (type_class == H5T_ENUM) {
      const hdf5::Handle base(H5Tget_super(id));
      text = fmt::format("enum of {} {{", base.valid() ? describe_type(base.get()) : "?");
    }
    for (int i = 0; i < members; ++i) {
      char* name = H5Tget_member_name(id, static_cast<unsigned>(i));
      text += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", name == nullptr ? "?" : name);
      H5free_memory(name);
      if (type_class == H5T_COMPOUND) {
        const hdf5::Handle member(H5Tget_member_type(id, static_cast<unsigned>(i)));
        text += fmt::format(" at {}: {}", H5Tget_member_offset(id, static_cast<unsigned>(i)),
                            member.valid() ? describe_type(member.get()) : "?");
      }
    }
    return text + fmt::format("}}, size {}", size);
  }
  if (type_class == H5T_ARRAY) {
    const int rank = H5Tget_array_ndims(id);
    std::vector<hsize_t> dims(rank > 0 ? static_cast<std::size_t>(rank) : 0);
    if (rank > 0) H5Tget_array_dims2(id, dims.data());
    const hdf5::Handle base(H5Tget_super(id));
    return fmt::format("array [{}] of {}", fmt::join(dims, ","), base.valid() ? describe_type(base.get()) : "?");
  }
  return fmt::format("{}, size {}", class_name(type_class), size);
}

std::string member_name(hid_t id, unsigned index) {
  char* name = H5Tget_member_name(id, index);
  if (name == nullptr)
    check(-1, [&] { return fmt::format("getting the name of member {} of {}", index, describe_type(id)); });
  std::string out(name);
  H5free_memory(name);
  return out;
}

}  // namespace h5mf::hdf5
