#include "h5mf/datatype.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/encoded_type_check.hpp"
#include "hdf5/handle.hpp"
#include "hdf5/type_names.hpp"

namespace h5mf {

namespace {

using hdf5::check;
using hdf5::check_bool;
using hdf5::check_id;
using hdf5::describe_type;
using hdf5::member_name;

// Zero bytes after a blob handed to H5Tdecode: the blob is checked first (check_encoded_type), this
// is a second line of defence should HDF5 read a little further than the check assumes.
constexpr std::size_t kDecodePadding = 64;

// Variable-length anywhere inside: H5Tdetect_class(H5T_VLEN) does not count variable-length
// strings (they are H5T_STRING to the API), so walk the members.
bool has_variable_length(hid_t id) {
  switch (H5Tget_class(id)) {
    case H5T_VLEN: return true;
    case H5T_STRING: return check_bool(H5Tis_variable_str(id), "checking for a variable-length string");
    case H5T_ARRAY: {
      const hdf5::Handle base(check_id(H5Tget_super(id), "getting an array's element type"));
      return has_variable_length(base.get());
    }
    case H5T_COMPOUND: {
      const int members = H5Tget_nmembers(id);
      if (members < 0) check(members, "counting compound members");
      for (int i = 0; i < members; ++i) {
        const hdf5::Handle member(
            check_id(H5Tget_member_type(id, static_cast<unsigned>(i)), "getting a compound member's type"));
        if (has_variable_length(member.get())) return true;
      }
      return false;
    }
    case H5T_NO_CLASS: check(-1, "getting a datatype's class"); return false;
    default: return false;
  }
}

unsigned member_count(hid_t id) {
  const int members = H5Tget_nmembers(id);
  check(members, [&] { return "counting the members of " + describe_type(id); });
  return static_cast<unsigned>(members);
}

Datatype super_of(hid_t id) {
  return Datatype::adopt(check_id(H5Tget_super(id), [&] { return "getting the base type of " + describe_type(id); }));
}

std::vector<hsize_t> array_dims(hid_t id) {
  const int rank = H5Tget_array_ndims(id);
  check(rank, [&] { return "getting the rank of " + describe_type(id); });
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Tget_array_dims2(id, dims.data()), [&] { return "getting the dimensions of " + describe_type(id); });
  return dims;
}

void require_valid(const Datatype& type, const char* operation) {
  if (!type.valid()) {
    throw InvalidArgument(fmt::format("{} of an invalid (empty) Datatype", operation));
  }
}

}  // namespace

namespace detail {

hid_t native_type_id(std::size_t size, bool is_signed, bool is_float) {
  hdf5::silence_hdf5_errors();
  static_assert(sizeof(float) == 4 && sizeof(double) == 8);
  if (is_float) {
    if (size == 4) return H5T_NATIVE_FLOAT;
    if (size == 8) return H5T_NATIVE_DOUBLE;
  } else {
    switch (size) {
      case 1: return is_signed ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8;
      case 2: return is_signed ? H5T_NATIVE_INT16 : H5T_NATIVE_UINT16;
      case 4: return is_signed ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT32;
      case 8: return is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
      default: break;
    }
  }
  throw InvalidArgument(fmt::format("no native HDF5 type for a {}-byte {}", size,
                                    is_float    ? "floating-point number"
                                    : is_signed ? "signed integer"
                                                : "unsigned integer"));
}

void member_size_mismatch(const std::string& name, std::size_t bytes, const Datatype& type) {
  throw InvalidArgument(fmt::format("compound member '{}': the C++ member has {} bytes but its type {} has {}", name,
                                    bytes, type.describe(), type.size()));
}

}  // namespace detail

Datatype Datatype::adopt(hid_t id) {
  hdf5::silence_hdf5_errors();
  // A negative id is nearly always the unchecked result of a failed HDF5 call: report its stack.
  check_id(id, "adopting an HDF5 datatype id");
  if (H5Iget_type(id) != H5I_DATATYPE) {
    throw InvalidArgument(fmt::format("Datatype::adopt: HDF5 id {} is not a datatype", id));
  }
  return Datatype(id);
}

Datatype Datatype::copy_of(hid_t id) {
  hdf5::silence_hdf5_errors();
  if (H5Iget_type(id) != H5I_DATATYPE) {
    throw InvalidArgument(fmt::format("Datatype::copy_of: HDF5 id {} is not a datatype", id));
  }
  return Datatype(check_id(H5Tcopy(id), "copying an HDF5 datatype"));
}

Datatype Datatype::fixed_string(std::size_t length) {
  if (length == 0 || length == H5T_VARIABLE) {
    throw InvalidArgument(fmt::format("fixed-length string type of length {}", length));
  }
  Datatype type = copy_of(H5T_C_S1);
  const std::string what = fmt::format("making a fixed-length string type of length {}", length);
  check(H5Tset_size(type.id_, length), what);
  // As h5py writes numpy 'S' arrays: NUL-padded ASCII.
  check(H5Tset_strpad(type.id_, H5T_STR_NULLPAD), what);
  check(H5Tset_cset(type.id_, H5T_CSET_ASCII), what);
  return type;
}

Datatype Datatype::sequence_of(const Datatype& base) {
  require_valid(base, "sequence_of");
  return adopt(check_id(H5Tvlen_create(base.id_), "making a variable-length sequence type"));
}

Datatype Datatype::variable_ascii_string() {
  Datatype type = variable_string();
  check(H5Tset_cset(type.id_, H5T_CSET_ASCII), "making a variable-length ASCII string type");
  return type;
}

Datatype Datatype::variable_string() {
  Datatype type = copy_of(H5T_C_S1);
  const char* what = "making a variable-length string type";
  check(H5Tset_size(type.id_, H5T_VARIABLE), what);
  check(H5Tset_strpad(type.id_, H5T_STR_NULLTERM), what);  // as h5py writes str
  check(H5Tset_cset(type.id_, H5T_CSET_UTF8), what);
  return type;
}

Datatype Datatype::boolean() {
  const std::int8_t no = 0, yes = 1;
  const EnumMember members[] = {{"FALSE", {std::byte(no)}}, {"TRUE", {std::byte(yes)}}};
  return enumeration(copy_of(H5T_NATIVE_INT8), members);
}

Datatype Datatype::float16() {
  // Made as h5py makes its IEEE_F16LE/BE: from the 32-bit IEEE type, so that H5Tequal holds
  // between h5mf's and h5py's.
  Datatype type = copy_of(std::endian::native == std::endian::big ? H5T_IEEE_F32BE : H5T_IEEE_F32LE);
  const char* what = "making a 16-bit IEEE float type";
  check(H5Tset_fields(type.id_, 15, 10, 5, 0, 10), what);
  check(H5Tset_size(type.id_, 2), what);
  check(H5Tset_ebias(type.id_, 15), what);
  return type;
}

Datatype Datatype::complex(const Datatype& part) {
  require_valid(part, "complex");
  if (part.type_class() != H5T_FLOAT) {
    throw InvalidArgument(fmt::format("the parts of a complex type must be floats, not {}", part.describe()));
  }
  // h5py's default names (h5py.get_config().complex_names).
  const CompoundMember members[] = {{"r", 0, &part}, {"i", part.size(), &part}};
  return compound(2 * part.size(), members);
}

Datatype Datatype::array(const Datatype& element, const std::vector<std::uint64_t>& dims) {
  require_valid(element, "array");
  const std::string what = fmt::format("making an array type [{}] of {}", fmt::join(dims, ","), element.describe());
  std::vector<hsize_t> all(dims.begin(), dims.end());
  Datatype base = element;
  if (element.type_class() == H5T_ARRAY) {  // std::array<std::array<T, m>, n> -> [n, m] of T
    const std::vector<hsize_t> inner = array_dims(element.id());
    all.insert(all.end(), inner.begin(), inner.end());
    base = super_of(element.id());
  }
  if (all.empty() || all.size() > hdf5::kMaxArrayRank ||
      std::any_of(all.begin(), all.end(), [](hsize_t n) { return n == 0; })) {
    throw InvalidArgument(what + ": needs 1 to 32 dimensions, none of them 0");
  }
  hdf5::silence_hdf5_errors();
  return adopt(check_id(H5Tarray_create2(base.id(), static_cast<unsigned>(all.size()), all.data()), what));
}

Datatype Datatype::compound(std::size_t size, std::span<const CompoundMember> members) {
  if (members.empty() || size == 0) {
    throw InvalidArgument(
        fmt::format("a compound type needs members and a size (size {}, {} members)", size, members.size()));
  }
  hdf5::silence_hdf5_errors();
  Datatype type = adopt(
      check_id(H5Tcreate(H5T_COMPOUND, size), [&] { return fmt::format("creating a compound of {} bytes", size); }));
  for (const CompoundMember& m : members) {
    if (m.type == nullptr) throw InvalidArgument(fmt::format("compound member '{}' has no type", m.name));
    require_valid(*m.type, "compound member");
    const std::size_t bytes = m.type->size();
    if (m.name.empty() || m.name.find('\0') != std::string::npos) {
      throw InvalidArgument(fmt::format("compound member name '{}' is empty or holds a NUL", m.name));
    }
    if (m.offset > size || bytes > size - m.offset) {
      throw InvalidArgument(
          fmt::format("compound member '{}' ({} bytes at offset {}) lies outside the {} bytes of "
                      "the compound",
                      m.name, bytes, m.offset, size));
    }
    // HDF5 refuses a duplicate name or overlapping members; its message says which.
    check(H5Tinsert(type.id_, m.name.c_str(), m.offset, m.type->id_), [&] {
      return fmt::format("adding member '{}' ({}, at offset {}) to {}", m.name, m.type->describe(), m.offset,
                         type.describe());
    });
  }
  return type;
}

Datatype Datatype::enumeration(const Datatype& base, std::span<const EnumMember> members) {
  require_valid(base, "enumeration");
  if (base.type_class() != H5T_INTEGER) {
    throw InvalidArgument(fmt::format("an enum's base type must be an integer, not {}", base.describe()));
  }
  if (members.empty()) throw InvalidArgument("an enum type needs members");
  hdf5::silence_hdf5_errors();
  Datatype type = adopt(check_id(H5Tenum_create(base.id_), [&] { return "creating an enum over " + base.describe(); }));
  for (const EnumMember& m : members) {
    if (m.value.size() != base.size()) {
      throw InvalidArgument(
          fmt::format("enum member '{}': value of {} bytes for base type {}", m.name, m.value.size(), base.describe()));
    }
    // HDF5 refuses a duplicate name or value.
    check(H5Tenum_insert(type.id_, m.name.c_str(), m.value.data()),
          [&] { return fmt::format("adding member '{}' to {}", m.name, type.describe()); });
  }
  return type;
}

Datatype::Datatype(const Datatype& other) {
  if (other.valid()) {
    hdf5::silence_hdf5_errors();
    id_ = check_id(H5Tcopy(other.id_), "copying a datatype");
  }
}

Datatype& Datatype::operator=(const Datatype& other) {
  if (this != &other) {
    Datatype copy(other);
    std::swap(id_, copy.id_);
  }
  return *this;
}

Datatype::Datatype(Datatype&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}

Datatype& Datatype::operator=(Datatype&& other) noexcept {
  if (this != &other) {
    // The Handle releases our old id quietly, as our destructor would.
    const hdf5::Handle old(std::exchange(id_, std::exchange(other.id_, H5I_INVALID_HID)));
  }
  return *this;
}

Datatype::~Datatype() {
  const hdf5::Handle release(id_);  // same quiet release as every other HDF5 id
}

std::size_t Datatype::size() const {
  require_valid(*this, "size");
  hdf5::silence_hdf5_errors();
  const std::size_t n = H5Tget_size(id_);
  if (n == 0) check(-1, "getting a datatype's size");
  return n;
}

H5T_class_t Datatype::type_class() const {
  require_valid(*this, "type_class");
  hdf5::silence_hdf5_errors();
  const H5T_class_t type_class = H5Tget_class(id_);
  if (type_class == H5T_NO_CLASS) check(-1, "getting a datatype's class");
  return type_class;
}

bool Datatype::is_variable_length() const {
  require_valid(*this, "is_variable_length");
  hdf5::silence_hdf5_errors();
  return has_variable_length(id_);
}

bool Datatype::is_numeric() const {
  const H5T_class_t c = type_class();
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

bool Datatype::is_boolean() const {
  if (type_class() != H5T_ENUM || size() != 1) return false;
  const Datatype reference = boolean();
  return H5Tequal(id_, reference.id_) > 0;
}

bool Datatype::is_complex() const {
  // As h5py reads compounds: two members named "r" and "i" of the same float type (any offsets).
  if (type_class() != H5T_COMPOUND || member_count(id_) != 2) return false;
  if (member_name(id_, 0) != "r" || member_name(id_, 1) != "i") return false;
  const Datatype real = adopt(check_id(H5Tget_member_type(id_, 0), "getting a compound member's type"));
  const Datatype imaginary = adopt(check_id(H5Tget_member_type(id_, 1), "getting a compound member's type"));
  return real.type_class() == H5T_FLOAT && real == imaginary;
}

Datatype Datatype::file_type() const {
  const H5T_class_t type_class = this->type_class();
  if (type_class == H5T_ENUM) return enum_file_type();
  if (type_class == H5T_ARRAY) {
    const std::vector<hsize_t> dims = array_dims(id_);
    const Datatype element = super_of(id_).file_type();
    return adopt(check_id(H5Tarray_create2(element.id_, static_cast<unsigned>(dims.size()), dims.data()),
                          [&] { return "making the file type of " + describe(); }));
  }
  if (type_class == H5T_COMPOUND) return compound_file_type();
  if (type_class == H5T_VLEN) return sequence_of(super_of(id_).file_type());  // strings are H5T_STRING
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) return *this;

  // A big-endian type is an explicit choice (h5py's dtype '>i4'): it stays big-endian. Everything
  // else, native types included, is stored little-endian.
  const bool big = H5Tget_order(id_) == H5T_ORDER_BE;
  Datatype ordered = *this;
  check(H5Tset_order(ordered.id_, big ? H5T_ORDER_BE : H5T_ORDER_LE),
        [&] { return "setting the byte order of " + describe(); });
  // Prefer the predefined standard type when it is the same thing: its encoding is canonical.
  hid_t standard = H5I_INVALID_HID;
  const std::size_t bytes = size();
  if (type_class == H5T_FLOAT) {
    if (bytes == 4) standard = big ? H5T_IEEE_F32BE : H5T_IEEE_F32LE;
    if (bytes == 8) standard = big ? H5T_IEEE_F64BE : H5T_IEEE_F64LE;
  } else {
    const H5T_sign_t sign = H5Tget_sign(id_);
    check(sign == H5T_SGN_ERROR ? -1 : 0, [&] { return "getting the sign of " + describe(); });
    const bool is_signed = sign == H5T_SGN_2;
    switch (bytes) {
      case 1: standard = is_signed ? H5T_STD_I8LE : H5T_STD_U8LE; break;
      case 2:
        standard = is_signed ? (big ? H5T_STD_I16BE : H5T_STD_I16LE) : (big ? H5T_STD_U16BE : H5T_STD_U16LE);
        break;
      case 4:
        standard = is_signed ? (big ? H5T_STD_I32BE : H5T_STD_I32LE) : (big ? H5T_STD_U32BE : H5T_STD_U32LE);
        break;
      case 8:
        standard = is_signed ? (big ? H5T_STD_I64BE : H5T_STD_I64LE) : (big ? H5T_STD_U64BE : H5T_STD_U64LE);
        break;
      default: break;
    }
  }
  if (standard >= 0 && check_bool(H5Tequal(ordered.id_, standard), "comparing datatypes")) {
    return copy_of(standard);
  }
  return ordered;  // unusual precision or layout: kept as it is, in its byte order
}

Datatype Datatype::enum_file_type() const {
  const Datatype base = super_of(id_);
  const Datatype file_base = base.file_type();
  Datatype out =
      adopt(check_id(H5Tenum_create(file_base.id_), [&] { return "making the file type of " + describe(); }));
  const unsigned members = member_count(id_);
  std::vector<std::byte> value(std::max(base.size(), file_base.size()));
  for (unsigned i = 0; i < members; ++i) {
    const std::string name = member_name(id_, i);
    check(H5Tget_member_value(id_, i, value.data()),
          [&] { return fmt::format("reading member '{}' of {}", name, describe()); });
    hdf5::convert_in_place(base, file_base, 1, value);
    check(H5Tenum_insert(out.id_, name.c_str(), value.data()),
          [&] { return fmt::format("adding member '{}' to the file type of {}", name, describe()); });
  }
  return out;
}

Datatype Datatype::compound_file_type() const {
  // Same size and offsets as in memory (h5py keeps numpy's padding): members' file types are the
  // same size as their memory types (numbers keep their size, variable-length types stay handles).
  const std::size_t total = size();
  Datatype out =
      adopt(check_id(H5Tcreate(H5T_COMPOUND, total), [&] { return "making the file type of " + describe(); }));
  const unsigned members = member_count(id_);
  for (unsigned i = 0; i < members; ++i) {
    const std::string name = member_name(id_, i);
    const std::size_t offset = H5Tget_member_offset(id_, i);
    const Datatype type = adopt(check_id(H5Tget_member_type(id_, i), [&] {
                            return "getting a member type of " + describe();
                          })).file_type();
    check(H5Tinsert(out.id_, name.c_str(), offset, type.id_),
          [&] { return fmt::format("adding member '{}' to the file type of {}", name, describe()); });
  }
  return out;
}

std::vector<std::byte> Datatype::encode() const {
  require_valid(*this, "encode");
  hdf5::silence_hdf5_errors();
  std::size_t n = 0;
  check(H5Tencode(id_, nullptr, &n), [&] { return "measuring the encoding of " + describe(); });
  std::vector<std::byte> out(n);
  check(H5Tencode(id_, out.data(), &n), [&] { return "encoding " + describe(); });
  out.resize(n);
  return out;
}

Datatype Datatype::decode(std::span<const std::byte> bytes) {
  if (bytes.empty()) throw FormatError("invalid encoded HDF5 datatype: no bytes");
  hdf5::check_encoded_type(bytes);
  std::vector<std::byte> padded(bytes.size() + kDecodePadding, std::byte{0});
  std::copy(bytes.begin(), bytes.end(), padded.begin());
  hdf5::silence_hdf5_errors();
  const hid_t id = H5Tdecode(padded.data());
  if (id < 0) {
    throw FormatError(fmt::format("decoding an HDF5 datatype from {} bytes: {}", bytes.size(), hdf5::error_stack()));
  }
  return Datatype(id);
}

std::string Datatype::describe() const {
  if (!valid()) return "invalid datatype";
  hdf5::silence_hdf5_errors();
  // Mostly called to build an error message, maybe between a failing call and the error_stack()
  // that reports it; HDF5 calls clear the stack, so keep it aside and put it back.
  hdf5::Handle pending(H5Eget_num(H5E_DEFAULT) > 0 ? H5Eget_current_stack() : H5I_INVALID_HID);
  std::string text = describe_type(id_);
  if (pending.valid()) H5Eset_current_stack(pending.release());
  return text;
}

bool operator==(const Datatype& a, const Datatype& b) {
  if (!a.valid() || !b.valid()) return false;
  hdf5::silence_hdf5_errors();
  return H5Tequal(a.id(), b.id()) > 0;
}

}  // namespace h5mf
