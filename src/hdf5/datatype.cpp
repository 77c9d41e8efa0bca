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
#include "hdf5/handle.hpp"

namespace h5mf {

namespace {

using hdf5::check;
using hdf5::check_bool;
using hdf5::check_id;

// Zero bytes after a blob handed to H5Tdecode: the blob is checked first (EncodedTypeCheck), this
// is a second line of defence should HDF5 read a little further than the check assumes.
constexpr std::size_t kDecodePadding = 64;
constexpr unsigned kMaxArrayRank = 32;  // H5S_MAX_RANK

// A structural check of H5Tencode's output (HDF5 file format spec, "Datatype Message", versions 1
// to 3, preceded by two bytes: message id 3 and encoding version 0). HDF5 1.10's H5Tdecode has no
// length argument and only asserts some counts (an array rank above 32 overflows a fixed array),
// so a truncated or corrupt blob must be rejected before it gets there. This walks exactly the
// bytes HDF5's decoder reads, and checks the few values that would make later conversions read or
// write outside an element (bit fields beyond the size, members beyond the compound).
class EncodedTypeCheck {
 public:
  explicit EncodedTypeCheck(std::span<const std::byte> bytes) : bytes_(bytes) {}

  void run() {
    need(2);
    if (byte(0) != kDatatypeMessageId) fail("not an encoded HDF5 datatype (bad first byte)");
    if (byte(1) != kEncodeVersion) {
      fail(fmt::format("unknown datatype encoding version {}", byte(1)));
    }
    pos_ = 2;
    message(0);
  }

 private:
  static constexpr unsigned kDatatypeMessageId = 3;
  static constexpr unsigned kEncodeVersion = 0;
  static constexpr unsigned kMaxNesting = 64;    // HDF5 recurses per level; real types stay shallow
  static constexpr unsigned kMaxV1MemberRank = 4;  // version 1 compound member "arrayness"

  [[noreturn]] void fail(const std::string& why) const {
    throw FormatError(fmt::format("invalid encoded HDF5 datatype ({} bytes, at byte {}): {}",
                                  bytes_.size(), pos_, why));
  }
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - pos_) fail("truncated");
  }
  void skip(std::uint64_t n) {
    need(n);
    pos_ += static_cast<std::size_t>(n);
  }
  unsigned byte(std::size_t at) const { return std::to_integer<unsigned>(bytes_[at]); }
  std::uint32_t little_endian(std::size_t n) {
    need(n);
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < n; ++i) value |= std::uint32_t{byte(pos_ + i)} << (8 * i);
    pos_ += n;
    return value;
  }
  // A NUL-terminated name; versions 1 and 2 pad it (with its NUL) to a multiple of 8.
  void name(unsigned version) {
    const auto rest = bytes_.subspan(pos_);
    const auto nul = std::find(rest.begin(), rest.end(), std::byte{0});
    if (nul == rest.end()) fail("unterminated member name");
    const auto length = static_cast<std::uint64_t>(nul - rest.begin());
    skip(version >= 3 ? length + 1 : (length + 8) / 8 * 8);
  }

  // Checks one datatype message at pos_ and moves past it; returns the type's size.
  std::uint32_t message(unsigned depth) {
    if (depth > kMaxNesting) fail("datatype nested too deeply");
    need(8);
    const unsigned version = byte(pos_) >> 4;
    const auto type_class = static_cast<H5T_class_t>(byte(pos_) & 0x0f);
    const std::uint32_t flags = byte(pos_ + 1) | byte(pos_ + 2) << 8 | byte(pos_ + 3) << 16;
    pos_ += 4;
    const std::uint32_t size = little_endian(4);
    // Version 4 (HDF5 1.12 references) has version 3's layout; the library rejects what it lacks.
    if (version < 1 || version > 4) fail(fmt::format("bad datatype message version {}", version));
    switch (type_class) {
      case H5T_INTEGER:
      case H5T_BITFIELD: bit_field(size); break;
      case H5T_FLOAT: {
        const std::uint32_t precision = bit_field(size);
        const unsigned sign_bit = (flags >> 8) & 0xff;
        const std::uint32_t exponent_at = little_endian(1), exponent_bits = little_endian(1);
        const std::uint32_t mantissa_at = little_endian(1), mantissa_bits = little_endian(1);
        skip(4);  // exponent bias
        if (exponent_bits == 0 || mantissa_bits == 0 || exponent_at + exponent_bits > precision ||
            mantissa_at + mantissa_bits > precision || sign_bit >= precision) {
          fail("floating-point fields outside the precision");
        }
        break;
      }
      case H5T_TIME: skip(2); break;
      case H5T_STRING:
      case H5T_REFERENCE: break;
      case H5T_OPAQUE:
        skip(flags & 0xff);  // the tag, padded
        break;
      case H5T_COMPOUND: compound(version, flags & 0xffff, size, depth); break;
      case H5T_ENUM: {
        const std::uint32_t members = flags & 0xffff;
        const std::uint32_t base_size = message(depth + 1);
        if (base_size != size) fail("enum size differs from its base type's");
        for (std::uint32_t i = 0; i < members; ++i) name(version);
        skip(std::uint64_t{members} * base_size);  // the values
        break;
      }
      case H5T_VLEN: message(depth + 1); break;
      case H5T_ARRAY: {
        const std::uint32_t rank = little_endian(1);
        if (rank > kMaxArrayRank) fail(fmt::format("array rank {} above {}", rank, kMaxArrayRank));
        if (version < 3) skip(3);
        std::uint64_t elements = 1;
        for (std::uint32_t i = 0; i < rank; ++i) {
          elements = saturating_product(elements, little_endian(4));
        }
        if (version < 3) skip(std::uint64_t{rank} * 4);  // permutation, unused
        if (saturating_product(elements, message(depth + 1)) != size) {
          fail("array size differs from its elements'");
        }
        break;
      }
      default: fail(fmt::format("unknown datatype class {}", static_cast<int>(type_class)));
    }
    return size;
  }

  // Offset and precision of an integer, bit field or float; returns the precision.
  std::uint32_t bit_field(std::uint32_t size) {
    const std::uint32_t offset = little_endian(2), precision = little_endian(2);
    if (size == 0 || precision == 0 ||
        std::uint64_t{offset} + precision > std::uint64_t{size} * 8) {
      fail("bit field outside the element");
    }
    return precision;
  }

  void compound(unsigned version, std::uint32_t members, std::uint32_t size, unsigned depth) {
    if (members == 0) fail("compound without members");
    // Version 3 stores member offsets in as few bytes as the compound's size needs.
    const std::size_t offset_bytes =
        version >= 3 ? (size == 0 ? 0 : std::bit_width(size) - 1) / 8 + 1 : 4;
    for (std::uint32_t i = 0; i < members; ++i) {
      name(version);
      const std::uint32_t offset = little_endian(offset_bytes);
      std::uint64_t elements = 1;
      if (version == 1) {  // members had a rank of their own before array types existed
        const std::uint32_t rank = little_endian(1);
        if (rank > kMaxV1MemberRank) fail("compound member rank above 4");
        skip(3 + 4 + 4);  // reserved, permutation, reserved
        for (std::uint32_t d = 0; d < kMaxV1MemberRank; ++d) {
          const std::uint32_t extent = little_endian(4);
          if (d < rank) elements = saturating_product(elements, extent);
        }
      }
      const std::uint64_t member_size = saturating_product(elements, message(depth + 1));
      if (offset + member_size > size) fail("compound member beyond the compound's size");
    }
  }

  static std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
    if (a != 0 && b > std::numeric_limits<std::uint32_t>::max() * std::uint64_t{2} / a) {
      return std::numeric_limits<std::uint64_t>::max() / 2;  // larger than any valid size
    }
    return a * b;
  }

  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

// Variable-length anywhere inside: H5Tdetect_class(H5T_VLEN) does not count variable-length
// strings (they are H5T_STRING to the API), so walk the members.
bool has_variable_length(hid_t id) {
  switch (H5Tget_class(id)) {
    case H5T_VLEN: return true;
    case H5T_STRING:
      return check_bool(H5Tis_variable_str(id), "checking for a variable-length string");
    case H5T_ARRAY: {
      const hdf5::Handle base(check_id(H5Tget_super(id), "getting an array's element type"));
      return has_variable_length(base.get());
    }
    case H5T_COMPOUND: {
      const int members = H5Tget_nmembers(id);
      if (members < 0) check(members, "counting compound members");
      for (int i = 0; i < members; ++i) {
        const hdf5::Handle member(check_id(H5Tget_member_type(id, static_cast<unsigned>(i)),
                                           "getting a compound member's type"));
        if (has_variable_length(member.get())) return true;
      }
      return false;
    }
    case H5T_NO_CLASS: check(-1, "getting a datatype's class"); return false;
    default: return false;
  }
}

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

// Never throws an h5mf error: used to build error messages. Names as h5dump prints them.
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

// A member name HDF5 allocated, freed with H5free_memory.
std::string member_name(hid_t id, unsigned index) {
  char* name = H5Tget_member_name(id, index);
  if (name == nullptr) check(-1, fmt::format("getting the name of member {} of {}", index, describe_type(id)));
  std::string out(name);
  H5free_memory(name);
  return out;
}

unsigned member_count(hid_t id) {
  const int members = H5Tget_nmembers(id);
  check(members, "counting the members of " + describe_type(id));
  return static_cast<unsigned>(members);
}

Datatype super_of(hid_t id) {
  return Datatype::adopt(check_id(H5Tget_super(id), "getting the base type of " + describe_type(id)));
}

std::vector<hsize_t> array_dims(hid_t id) {
  const int rank = H5Tget_array_ndims(id);
  check(rank, "getting the rank of " + describe_type(id));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Tget_array_dims2(id, dims.data()), "getting the dimensions of " + describe_type(id));
  return dims;
}

// check() for calls whose message needs describe() (itself a few dozen HDF5 calls): the message
// is only built on failure.
template <class MakeMessage>
void check_then_describe(herr_t status, MakeMessage make_message) {
  if (status < 0) check(status, make_message());
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
  if (all.empty() || all.size() > kMaxArrayRank ||
      std::any_of(all.begin(), all.end(), [](hsize_t n) { return n == 0; })) {
    throw InvalidArgument(what + ": needs 1 to 32 dimensions, none of them 0");
  }
  hdf5::silence_hdf5_errors();
  return adopt(check_id(H5Tarray_create2(base.id(), static_cast<unsigned>(all.size()), all.data()), what));
}

Datatype Datatype::compound(std::size_t size, std::span<const CompoundMember> members) {
  if (members.empty() || size == 0) {
    throw InvalidArgument(fmt::format("a compound type needs members and a size (size {}, {} members)", size,
                                      members.size()));
  }
  hdf5::silence_hdf5_errors();
  Datatype type = adopt(check_id(H5Tcreate(H5T_COMPOUND, size), fmt::format("creating a compound of {} bytes", size)));
  for (const CompoundMember& m : members) {
    if (m.type == nullptr) throw InvalidArgument(fmt::format("compound member '{}' has no type", m.name));
    require_valid(*m.type, "compound member");
    const std::size_t bytes = m.type->size();
    if (m.name.empty() || m.name.find('\0') != std::string::npos) {
      throw InvalidArgument(fmt::format("compound member name '{}' is empty or holds a NUL", m.name));
    }
    if (m.offset > size || bytes > size - m.offset) {
      throw InvalidArgument(fmt::format("compound member '{}' ({} bytes at offset {}) lies outside the {} bytes of "
                                        "the compound",
                                        m.name, bytes, m.offset, size));
    }
    // HDF5 refuses a duplicate name or overlapping members; its message says which.
    check(H5Tinsert(type.id_, m.name.c_str(), m.offset, m.type->id_),
          fmt::format("adding member '{}' ({}, at offset {}) to {}", m.name, m.type->describe(), m.offset,
                      type.describe()));
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
  Datatype type = adopt(check_id(H5Tenum_create(base.id_), "creating an enum over " + base.describe()));
  for (const EnumMember& m : members) {
    if (m.value.size() != base.size()) {
      throw InvalidArgument(fmt::format("enum member '{}': value of {} bytes for base type {}", m.name,
                                        m.value.size(), base.describe()));
    }
    // HDF5 refuses a duplicate name or value.
    check(H5Tenum_insert(type.id_, m.name.c_str(), m.value.data()),
          fmt::format("adding member '{}' to {}", m.name, type.describe()));
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

Datatype Datatype::file_type() const {
  const H5T_class_t type_class = this->type_class();
  if (type_class == H5T_ENUM) return enum_file_type();
  if (type_class == H5T_ARRAY) {
    const std::vector<hsize_t> dims = array_dims(id_);
    const Datatype element = super_of(id_).file_type();
    return adopt(check_id(H5Tarray_create2(element.id_, static_cast<unsigned>(dims.size()), dims.data()),
                          "making the file type of " + describe()));
  }
  if (type_class == H5T_COMPOUND) return compound_file_type();
  if (type_class == H5T_VLEN) return sequence_of(super_of(id_).file_type());  // strings are H5T_STRING
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) return *this;

  // A big-endian type is an explicit choice (h5py's dtype '>i4'): it stays big-endian. Everything
  // else, native types included, is stored little-endian.
  const bool big = H5Tget_order(id_) == H5T_ORDER_BE;
  Datatype ordered = *this;
  check_then_describe(H5Tset_order(ordered.id_, big ? H5T_ORDER_BE : H5T_ORDER_LE),
                      [&] { return "setting the byte order of " + describe(); });
  // Prefer the predefined standard type when it is the same thing: its encoding is canonical.
  hid_t standard = H5I_INVALID_HID;
  const std::size_t bytes = size();
  if (type_class == H5T_FLOAT) {
    if (bytes == 4) standard = big ? H5T_IEEE_F32BE : H5T_IEEE_F32LE;
    if (bytes == 8) standard = big ? H5T_IEEE_F64BE : H5T_IEEE_F64LE;
  } else {
    const H5T_sign_t sign = H5Tget_sign(id_);
    check_then_describe(sign == H5T_SGN_ERROR ? -1 : 0,
                        [&] { return "getting the sign of " + describe(); });
    const bool is_signed = sign == H5T_SGN_2;
    switch (bytes) {
      case 1: standard = is_signed ? H5T_STD_I8LE : H5T_STD_U8LE; break;
      case 2: standard = is_signed ? (big ? H5T_STD_I16BE : H5T_STD_I16LE) : (big ? H5T_STD_U16BE : H5T_STD_U16LE); break;
      case 4: standard = is_signed ? (big ? H5T_STD_I32BE : H5T_STD_I32LE) : (big ? H5T_STD_U32BE : H5T_STD_U32LE); break;
      case 8: standard = is_signed ? (big ? H5T_STD_I64BE : H5T_STD_I64LE) : (big ? H5T_STD_U64BE : H5T_STD_U64LE); break;
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
  Datatype out = adopt(check_id(H5Tenum_create(file_base.id_), "making the file type of " + describe()));
  const unsigned members = member_count(id_);
  std::vector<std::byte> value(std::max(base.size(), file_base.size()));
  for (unsigned i = 0; i < members; ++i) {
    const std::string name = member_name(id_, i);
    check(H5Tget_member_value(id_, i, value.data()), fmt::format("reading member '{}' of {}", name, describe()));
    hdf5::convert_in_place(base, file_base, 1, value);
    check(H5Tenum_insert(out.id_, name.c_str(), value.data()),
          fmt::format("adding member '{}' to the file type of {}", name, describe()));
  }
  return out;
}

Datatype Datatype::compound_file_type() const {
  const unsigned members = member_count(id_);
  std::vector<std::string> names;
  std::vector<Datatype> types;
  std::size_t total = 0;
  for (unsigned i = 0; i < members; ++i) {
    names.push_back(member_name(id_, i));
    types.push_back(adopt(check_id(H5Tget_member_type(id_, i), "getting a member type of " + describe())).file_type());
    total += types.back().size();
  }
  Datatype out = adopt(check_id(H5Tcreate(H5T_COMPOUND, total), "making the file type of " + describe()));
  std::size_t offset = 0;
  for (unsigned i = 0; i < members; ++i) {
    check(H5Tinsert(out.id_, names[i].c_str(), offset, types[i].id_),
          fmt::format("adding member '{}' to the file type of {}", names[i], describe()));
    offset += types[i].size();
  }
  return out;
}

std::vector<std::byte> Datatype::encode() const {
  require_valid(*this, "encode");
  hdf5::silence_hdf5_errors();
  std::size_t n = 0;
  check_then_describe(H5Tencode(id_, nullptr, &n),
                      [&] { return "measuring the encoding of " + describe(); });
  std::vector<std::byte> out(n);
  check_then_describe(H5Tencode(id_, out.data(), &n), [&] { return "encoding " + describe(); });
  out.resize(n);
  return out;
}

Datatype Datatype::decode(std::span<const std::byte> bytes) {
  if (bytes.empty()) throw FormatError("invalid encoded HDF5 datatype: no bytes");
  EncodedTypeCheck(bytes).run();
  std::vector<std::byte> padded(bytes.size() + kDecodePadding, std::byte{0});
  std::copy(bytes.begin(), bytes.end(), padded.begin());
  hdf5::silence_hdf5_errors();
  const hid_t id = H5Tdecode(padded.data());
  if (id < 0) {
    throw FormatError(fmt::format("decoding an HDF5 datatype from {} bytes: {}", bytes.size(),
                                  hdf5::error_stack()));
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
