// h5dump 1.10.8's DDL, as observed by running it (no code of HDF5's tools is used):
// - Blocks nest by 3 spaces: `HDF5 "f" {` and `GROUP "/" {` at column 0, members at 3, and so on.
//   A group lists its attributes, then its members (groups and datasets mixed), each in byte
//   order of their names. A dataset prints DATATYPE, DATASPACE, DATA, then its attributes.
// - `DATATYPE  H5T_STD_I32LE`, `DATASPACE  SCALAR`, `DATASPACE  SIMPLE { ( 4, 5 ) / ( 4, 5 ) }`
//   with H5S_UNLIMITED for unlimited maximum dimensions (two spaces after the keyword), and
//   `DATASPACE  NULL` (h5py's Empty), whose DATA block is empty.
// - DATA lines sit at the block's indentation; each starts with the index of its first element,
//   `(i,j): `, and elements are separated by ", ". A line never continues past the end of a row
//   of the last dimension (rank 0 and 1: the whole dataset is one row). An element goes on the
//   current line only if the line, with the element and its separating "," (none after the
//   dataset's last element), stays within 77 columns; an element that begins a line is always
//   placed, however long.
// - h5dump reads a dataset in blocks of at most 32 MiB (whole trailing dimensions, a run of the
//   first dimension that does not fit whole, one index of the dimensions before it), and a row
//   that begins a block does not begin a new line: it continues the previous one if it fits.
// - Integers in decimal; floats and doubles with printf's "%g" (6 significant digits: 0.1,
//   1e+20, 3.14159, -0, nan, inf).
// - Strings in double quotes, byte by byte: printable ASCII, '"' and '\' unchanged; tab, \b and
//   \f unchanged; \n and \r unchanged and followed by 11 spaces (counted in the line's width);
//   other control bytes and DEL as \ooo; bytes >= 0x80 as the octal of their sign-extended 32-bit
//   value (\37777777703 for 0xc3). Fixed-length strings stop at the first NUL when STRPAD is
//   NULLTERM, and otherwise show all their bytes, padding NULs as \000.
// - Enums: `H5T_ENUM {`, the base type and `;`, then per member its quoted name padded to 19
//   columns (one space if longer) and its value and `;`, then `}`; elements print as member names.
// - One-dimensional arrays: `H5T_ARRAY { [n] BASE }` (a block type inline, its last line ending
//   in ` }`); an element is `[ a, b, c ]`, one token for the line-width rule, never broken however
//   long. (Arrays of more dimensions and of compounds are laid out otherwise: not reproduced.)
// - Compounds: `H5T_COMPOUND {`, then each member's type (blocks nested 3 deeper) followed by
//   ` "name";`, then `}`. Every compound element begins a line of its own: `(i): {`, each member
//   on its own line 6 columns deeper than the DATA lines (a nested compound's `{` there, its
//   members 3 deeper, its `}` back), members separated by ",", the `}` 3 columns deeper.
// - Object references: `H5T_REFERENCE { H5T_STD_REF_OBJECT }`; inside a sequence or a compound an
//   element is `DATASET 800 "/x"` (GROUP, DATATYPE; the object's address, the first path of the
//   walk, which visits links by name, depth first) or NULL. A dataset or attribute of references
//   prints each on a line of its own, 3 columns deeper than DATA, without an index, and under it
//   `DATA {`, the referenced dataset's data lines (none for a group or datatype) and `}`, 3 deeper
//   again. Region references are not printed. (tools/object_index.hpp: what a container shows.)
// - Named datatypes among a group's members, in name order: `DATATYPE "t" H5T_STD_I32LE;`, a block
//   type's last line ending in `};` except a compound's (`}`); a later name of the same type is
//   `DATATYPE "t2" HARDLINK "/t"`. A dataset or attribute of a named type prints `DATATYPE  "/t"`.
#include "ddl_printer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "h5mf/error.hpp"
#include "h5mf/limits.hpp"
#include "object_index.hpp"

namespace h5mf::tools {
namespace {

constexpr std::size_t kIndent = 3;
constexpr std::size_t kLineWidth = 77;           // the widest DATA line h5dump writes
constexpr std::size_t kContinuationIndent = 11;  // spaces after a \n or \r inside a string
constexpr std::uint64_t kUnlimited = DatasetCreate::kUnlimited;
constexpr std::uint64_t kH5dumpBlockBytes = std::uint64_t{32} << 20;

// The shape of the blocks h5dump reads a dataset in: from the last dimension to the first, as
// many indices as fit in kH5dumpBlockBytes with the dimensions after (at least one).
Extent h5dump_block(const Extent& shape, std::size_t element_size) {
  Extent block(shape.size(), 1);
  std::uint64_t bytes = std::max<std::size_t>(element_size, 1);
  for (std::size_t d = shape.size(); d-- > 0;) {
    block[d] = std::min(shape[d], std::max<std::uint64_t>(kH5dumpBlockBytes / bytes, 1));
    bytes *= std::max<std::uint64_t>(block[d], 1);
  }
  return block;
}

// What an element of a supported type is, and how h5dump names its type.
struct TypeFormat {
  enum class Kind { Signed, Unsigned, Float, FixedString, VariableString, Sequence, Enum, Array, Compound, Reference };
  Kind kind = Kind::Signed;
  std::size_t size = 0;
  bool big_endian = false;
  H5T_str_t pad = H5T_STR_NULLTERM;
  H5T_cset_t cset = H5T_CSET_ASCII;
  std::string name;  // numeric types: "H5T_STD_I32LE", "H5T_IEEE_F64BE"; "H5T_VLEN { H5T_STD_I32LE}"
  // Sequence: the element (a number) in `parts[0]`. Enum: the base integer in `parts[0]`, member names and values
  // (bytes of the base). Array: the element in `parts[0]`, `length` elements. Compound: one part per member, with its
  // name and offset.
  std::vector<TypeFormat> parts;
  std::vector<std::pair<std::string, std::vector<std::byte>>> enum_members;
  std::vector<std::pair<std::string, std::size_t>> members;
  std::uint64_t length = 0;
  const ObjectIndex* objects = nullptr;       // Reference: what the values name
  std::shared_ptr<const Datatype> converted;  // Float of another layout: its type, converted to print

  bool is_block() const {
    return kind == Kind::FixedString || kind == Kind::VariableString || kind == Kind::Enum || kind == Kind::Compound;
  }
};

const char* class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER: return "H5T_INTEGER";
    case H5T_FLOAT: return "H5T_FLOAT";
    case H5T_TIME: return "H5T_TIME";
    case H5T_STRING: return "H5T_STRING";
    case H5T_BITFIELD: return "H5T_BITFIELD";
    case H5T_OPAQUE: return "H5T_OPAQUE";
    case H5T_COMPOUND: return "H5T_COMPOUND";
    case H5T_REFERENCE: return "H5T_REFERENCE";
    case H5T_ENUM: return "H5T_ENUM";
    case H5T_VLEN: return "H5T_VLEN";
    case H5T_ARRAY: return "H5T_ARRAY";
    default: return "unknown class";
  }
}

[[noreturn]] void unsupported(const Datatype& type, const std::string& what) {
  throw Unsupported(
      fmt::format("type {} ({}) of {} is not supported yet", type.describe(), class_name(type.type_class()), what));
}

std::string member_name(hid_t id, unsigned index) {
  char* name = H5Tget_member_name(id, index);
  if (name == nullptr) throw IoError("cannot read a member name");
  std::string out(name);
  H5free_memory(name);
  return out;
}

// `what` names the object for the error message. Variable-length strings and sequences of numbers
// are supported as whole elements of a dataset or attribute (`allow_variable_length`) and as
// members of their compounds, not inside enums or arrays. Enums, one-dimensional arrays of numbers, enums and
// fixed-length strings, and compounds of anything supported are; h5dump's layouts for arrays of more dimensions or of
// compounds are not reproduced.
TypeFormat type_format(const Datatype& type, const std::string& what, bool allow_variable_length,
                       const ObjectIndex* objects = nullptr) {
  TypeFormat f;
  const hid_t id = type.id();
  f.size = type.size();
  switch (type.type_class()) {
    case H5T_INTEGER: {
      const H5T_order_t order = H5Tget_order(id);
      const bool standard = (f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8) &&
                            H5Tget_precision(id) == 8 * f.size && H5Tget_offset(id) == 0 &&
                            (order == H5T_ORDER_LE || order == H5T_ORDER_BE);
      if (!standard) unsupported(type, what);
      const bool is_signed = H5Tget_sign(id) == H5T_SGN_2;
      f.kind = is_signed ? TypeFormat::Kind::Signed : TypeFormat::Kind::Unsigned;
      f.big_endian = order == H5T_ORDER_BE;
      f.name = fmt::format("H5T_STD_{}{}{}", is_signed ? 'I' : 'U', 8 * f.size, f.big_endian ? "BE" : "LE");
      return f;
    }
    case H5T_FLOAT: {
      const std::array<std::pair<hid_t, const char*>, 4> known = {{{H5T_IEEE_F32LE, "H5T_IEEE_F32LE"},
                                                                   {H5T_IEEE_F32BE, "H5T_IEEE_F32BE"},
                                                                   {H5T_IEEE_F64LE, "H5T_IEEE_F64LE"},
                                                                   {H5T_IEEE_F64BE, "H5T_IEEE_F64BE"}}};
      f.kind = TypeFormat::Kind::Float;
      f.big_endian = H5Tget_order(id) == H5T_ORDER_BE;
      for (const auto& [candidate, name] : known) {
        if (H5Tequal(id, candidate) > 0) {
          f.name = name;
          return f;
        }
      }
      // Other layouts (h5py's float16, numpy's longdouble) as h5dump describes them; their values
      // go through libhdf5's conversion to long double.
      const H5T_order_t order = H5Tget_order(id);
      const std::size_t precision = H5Tget_precision(id);
      if ((order != H5T_ORDER_LE && order != H5T_ORDER_BE) || precision == 0) unsupported(type, what);
      f.name = fmt::format("{}-bit {}-endian floating-point {}-bit precision", 8 * f.size,
                           order == H5T_ORDER_BE ? "big" : "little", precision);
      f.converted = std::make_shared<Datatype>(type);
      return f;
    }
    case H5T_STRING: {
      f.pad = H5Tget_strpad(id);
      f.cset = H5Tget_cset(id);
      const bool known_pad = f.pad == H5T_STR_NULLTERM || f.pad == H5T_STR_NULLPAD || f.pad == H5T_STR_SPACEPAD;
      const bool known_cset = f.cset == H5T_CSET_ASCII || f.cset == H5T_CSET_UTF8;
      if (!known_pad || !known_cset) unsupported(type, what);
      if (type.is_variable_length()) {
        if (!allow_variable_length) unsupported(type, what);
        f.kind = TypeFormat::Kind::VariableString;
      } else {
        f.kind = TypeFormat::Kind::FixedString;
      }
      return f;
    }
    case H5T_VLEN: {  // sequences of numbers, printed as h5dump does: (1, 2, 3)
      if (!allow_variable_length) unsupported(type, what);
      TypeFormat element = type_format(Datatype::adopt(H5Tget_super(id)), what, false, objects);
      if (element.name.empty()) unsupported(type, what);
      f.kind = TypeFormat::Kind::Sequence;
      f.size = sizeof(hvl_t);
      f.name = "H5T_VLEN { " + element.name + "}";
      f.parts.push_back(std::move(element));
      return f;
    }
    case H5T_ENUM: {
      f.kind = TypeFormat::Kind::Enum;
      f.parts.push_back(type_format(Datatype::adopt(H5Tget_super(id)), what, false));
      const int members = H5Tget_nmembers(id);
      if (members < 0) unsupported(type, what);
      for (int i = 0; i < members; ++i) {
        std::vector<std::byte> value(f.size);
        if (H5Tget_member_value(id, static_cast<unsigned>(i), value.data()) < 0) unsupported(type, what);
        f.enum_members.emplace_back(member_name(id, static_cast<unsigned>(i)), std::move(value));
      }
      return f;
    }
    case H5T_ARRAY: {
      f.kind = TypeFormat::Kind::Array;
      if (H5Tget_array_ndims(id) != 1) unsupported(type, what);
      hsize_t length = 0;
      H5Tget_array_dims2(id, &length);
      f.length = length;
      // (variable-length items where whole elements may be: h5py's subarray fields of strings)
      f.parts.push_back(type_format(Datatype::adopt(H5Tget_super(id)), what, allow_variable_length, objects));
      if (f.parts[0].kind == TypeFormat::Kind::Compound || f.parts[0].kind == TypeFormat::Kind::Array ||
          f.parts[0].kind == TypeFormat::Kind::Reference) {
        unsupported(type, what);
      }
      return f;
    }
    case H5T_COMPOUND: {
      f.kind = TypeFormat::Kind::Compound;
      const int members = H5Tget_nmembers(id);
      if (members <= 0) unsupported(type, what);
      for (int i = 0; i < members; ++i) {
        const auto index = static_cast<unsigned>(i);
        // Variable-length members are printed where whole elements are (h5py's object fields).
        f.parts.push_back(
            type_format(Datatype::adopt(H5Tget_member_type(id, index)), what, allow_variable_length, objects));
        f.members.emplace_back(member_name(id, index), H5Tget_member_offset(id, index));
      }
      return f;
    }
    case H5T_REFERENCE: {
      // Object references (h5py's Reference); region references are not printed.
      if (H5Tequal(id, H5T_STD_REF_OBJ) <= 0) unsupported(type, what);
      f.kind = TypeFormat::Kind::Reference;
      f.name = "H5T_REFERENCE { H5T_STD_REF_OBJECT }";
      f.objects = objects;
      return f;
    }
    default: unsupported(type, what);
  }
}

void append_element(std::string& out, const TypeFormat& f, const std::byte* p, std::size_t indent = 0);

// A type as h5dump writes it: the first line follows "DATATYPE  " (or the member's indentation
// inside a compound), the others are indented relative to it.
std::vector<std::string> type_lines(const TypeFormat& f) {
  const std::string step(kIndent, ' ');
  switch (f.kind) {
    case TypeFormat::Kind::FixedString:
    case TypeFormat::Kind::VariableString: {
      const char* pad = f.pad == H5T_STR_NULLTERM  ? "H5T_STR_NULLTERM"
                        : f.pad == H5T_STR_NULLPAD ? "H5T_STR_NULLPAD"
                                                   : "H5T_STR_SPACEPAD";
      return {"H5T_STRING {",
              step + (f.kind == TypeFormat::Kind::VariableString ? std::string("STRSIZE H5T_VARIABLE;")
                                                                 : fmt::format("STRSIZE {};", f.size)),
              step + fmt::format("STRPAD {};", pad),
              step + fmt::format("CSET {};", f.cset == H5T_CSET_UTF8 ? "H5T_CSET_UTF8" : "H5T_CSET_ASCII"),
              step + "CTYPE H5T_C_S1;",
              "}"};
    }
    case TypeFormat::Kind::Enum: {
      std::vector<std::string> lines{"H5T_ENUM {", step + f.parts[0].name + ";"};
      for (const auto& [name, value] : f.enum_members) {
        std::string text;
        append_element(text, f.parts[0], value.data());
        // The quoted name padded to 19 columns (at least one space), then the value.
        const std::string quoted = "\"" + name + "\"";
        lines.push_back(step + quoted + std::string(quoted.size() < 19 ? 19 - quoted.size() : 1, ' ') + text + ";");
      }
      lines.push_back("}");
      return lines;
    }
    case TypeFormat::Kind::Array: {  // the element's type inline, a block closing on its last line
      std::vector<std::string> lines = type_lines(f.parts[0]);
      lines.front() = fmt::format("H5T_ARRAY {{ [{}] {}", f.length, lines.front());
      lines.back() += " }";
      return lines;
    }
    case TypeFormat::Kind::Compound: {
      std::vector<std::string> lines{"H5T_COMPOUND {"};
      for (std::size_t m = 0; m < f.parts.size(); ++m) {
        std::vector<std::string> member = type_lines(f.parts[m]);
        member.back() += " \"" + f.members[m].first + "\";";
        for (const auto& line : member) lines.push_back(step + line);
      }
      lines.push_back("}");
      return lines;
    }
    default: return {f.name};
  }
}

// The DATATYPE line (or block).
void print_datatype(Output& out, const TypeFormat& f, std::size_t indent) {
  const std::vector<std::string> lines = type_lines(f);
  out.line(indent, "DATATYPE  " + lines.front());
  for (std::size_t i = 1; i < lines.size(); ++i) out.line(indent, lines[i]);
}

// `null`: HDF5's null dataspace (h5py's Empty).
void print_dataspace(Output& out, const Extent& dims, const Extent& maxdims, std::size_t indent, bool null = false) {
  if (null) {
    out.line(indent, "DATASPACE  NULL");
    return;
  }
  if (dims.empty()) {
    out.line(indent, "DATASPACE  SCALAR");
    return;
  }
  std::string text = "DATASPACE  SIMPLE { ( ";
  for (std::size_t d = 0; d < dims.size(); ++d) {
    fmt::format_to(std::back_inserter(text), "{}{}", d ? ", " : "", dims[d]);
  }
  text += " ) / ( ";
  for (std::size_t d = 0; d < maxdims.size(); ++d) {
    text += d ? ", " : "";
    if (maxdims[d] == kUnlimited) {
      text += "H5S_UNLIMITED";
    } else {
      fmt::format_to(std::back_inserter(text), "{}", maxdims[d]);
    }
  }
  text += " ) }";
  out.line(indent, text);
}

void append_quoted(std::string& out, std::string_view bytes) {
  out += '"';
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') {
      out += c;
      out.append(kContinuationIndent, ' ');
    } else if ((u >= 0x20 && u < 0x7f) || c == '\t' || c == '\b' || c == '\f') {
      out += c;
    } else if (u >= 0x80) {
      // h5dump prints the byte as a sign-extended char.
      const auto extended = static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(c)));
      fmt::format_to(std::back_inserter(out), "\\{:o}", extended);
    } else {
      fmt::format_to(std::back_inserter(out), "\\{:03o}", u);
    }
  }
  out += '"';
}

std::uint64_t load_unsigned(const std::byte* p, std::size_t size, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const auto b = std::to_integer<std::uint64_t>(p[big_endian ? i : size - 1 - i]);
    v = (v << 8) | b;
  }
  return v;
}

// One element as h5dump prints it. A compound's members go on lines of their own at `indent`, its
// closing brace 3 columns left of them.
void append_element(std::string& out, const TypeFormat& f, const std::byte* p, std::size_t indent) {
  switch (f.kind) {
    case TypeFormat::Kind::Unsigned:
      fmt::format_to(std::back_inserter(out), "{}", load_unsigned(p, f.size, f.big_endian));
      return;
    case TypeFormat::Kind::Signed: {
      const std::uint64_t raw = load_unsigned(p, f.size, f.big_endian);
      const unsigned shift = static_cast<unsigned>(64 - 8 * f.size);
      const auto value = static_cast<std::int64_t>(raw << shift) >> shift;  // sign-extend
      fmt::format_to(std::back_inserter(out), "{}", value);
      return;
    }
    case TypeFormat::Kind::Float: {
      if (f.converted) {  // as h5dump: through the native long double, printed with %Lg
        std::vector<std::byte> element(std::max(f.size, sizeof(long double)));
        std::memcpy(element.data(), p, f.size);
        const Datatype native = Datatype::copy_of(H5T_NATIVE_LDOUBLE);
        if (H5Tconvert(f.converted->id(), native.id(), 1, element.data(), nullptr, H5P_DEFAULT) < 0) {
          throw IoError("cannot convert a value of " + f.converted->describe() + " to print it");
        }
        long double value = 0;
        std::memcpy(&value, element.data(), sizeof value);
        std::array<char, 64> text{};
        const int n = std::snprintf(text.data(), text.size(), "%Lg", value);
        out.append(text.data(), static_cast<std::size_t>(std::max(n, 0)));
        return;
      }
      const std::uint64_t raw = load_unsigned(p, f.size, f.big_endian);
      double value = 0;
      if (f.size == 4) {
        value = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
      } else {
        value = std::bit_cast<double>(raw);
      }
      std::array<char, 64> text{};
      const int n = std::snprintf(text.data(), text.size(), "%g", value);
      out.append(text.data(), static_cast<std::size_t>(std::max(n, 0)));
      return;
    }
    case TypeFormat::Kind::FixedString: {
      std::string_view bytes(reinterpret_cast<const char*>(p), f.size);
      if (f.pad == H5T_STR_NULLTERM) bytes = bytes.substr(0, bytes.find('\0'));
      append_quoted(out, bytes);
      return;
    }
    case TypeFormat::Kind::Enum: {
      for (const auto& [name, value] : f.enum_members) {
        if (std::memcmp(value.data(), p, f.size) == 0) {
          out += name;
          return;
        }
      }
      append_element(out, f.parts[0], p);  // a value without a name: its number
      return;
    }
    case TypeFormat::Kind::Array: {
      out += "[ ";
      for (std::uint64_t i = 0; i < f.length; ++i) {
        if (i > 0) out += ", ";
        append_element(out, f.parts[0], p + i * f.parts[0].size);
      }
      out += " ]";
      return;
    }
    case TypeFormat::Kind::Compound: {
      out += "{\n";
      for (std::size_t m = 0; m < f.parts.size(); ++m) {
        out.append(indent, ' ');
        append_element(out, f.parts[m], p + f.members[m].second, indent + kIndent);
        if (m + 1 < f.parts.size()) out += ',';
        out += '\n';
      }
      out.append(indent - kIndent, ' ');
      out += '}';
      return;
    }
    case TypeFormat::Kind::Sequence: {
      // A dataset's element as read_raw gives it: hvl_t of elements in the file's base type.
      hvl_t v{0, nullptr};
      std::memcpy(&v, p, sizeof v);
      const TypeFormat& element = f.parts.front();
      out += '(';
      for (std::size_t i = 0; i < v.len; ++i) {
        if (i > 0) out += ", ";
        append_element(out, element, static_cast<const std::byte*>(v.p) + i * element.size);
      }
      out += ')';
      return;
    }
    case TypeFormat::Kind::Reference: {  // libhdf5's address (a container's: its object id)
      std::uint64_t value = 0;
      std::memcpy(&value, p, sizeof value);
      if (f.objects == nullptr) throw Unsupported("a reference printed without the file's objects");
      out += f.objects->reference(value);
      return;
    }
    case TypeFormat::Kind::VariableString: {
      // A dataset's element as read_raw gives it: a C string pointer, null for HDF5's NULL.
      const char* text = nullptr;
      std::memcpy(&text, p, sizeof text);
      if (text == nullptr) {
        out += "NULL";
      } else {
        append_quoted(out, text);
      }
      return;
    }
  }
  throw Unsupported("unknown element kind");
}

// DATA lines: elements arrive in row-major order and are laid out as h5dump does.
class DataLines {
 public:
  // `block`: the shape of h5dump's read blocks (empty: the whole data is one block).
  DataLines(Output& out, std::size_t indent, const Extent& dims, Extent block = {})
      : out_(out),
        indent_(indent),
        dims_(dims.empty() ? Extent{1} : dims),
        block_(block.empty() ? dims_ : std::move(block)),
        index_(dims_.size(), 0) {
    total_ = 1;
    for (auto d : dims_) total_ *= d;
    row_ = dims_.back();
  }

  // `own_line`: the element begins a line of its own (compounds, whose text spans lines).
  void add(std::string_view text, bool own_line = false) {
    std::string& buffer = out_.text();
    const bool last = done_ + 1 == total_;
    const std::size_t width = text.size() + (last ? 0 : 1);
    const bool new_row = done_ % row_ == 0 && !starts_block();
    if (done_ == 0 || own_line || new_row || column_ + 1 + width > kLineWidth) {
      if (done_ > 0) buffer += '\n';
      const std::size_t before = buffer.size();
      buffer.append(indent_, ' ');
      buffer += '(';
      for (std::size_t d = 0; d < index_.size(); ++d) {
        fmt::format_to(std::back_inserter(buffer), "{}{}", d ? "," : "", index_[d]);
      }
      buffer += "): ";
      column_ = buffer.size() - before;
    } else {
      buffer += ' ';
      column_ += 1;
    }
    buffer += text;
    if (!last) buffer += ',';
    column_ += width;
    ++done_;
    for (std::size_t d = index_.size(); d-- > 0;) {
      if (++index_[d] < dims_[d]) break;
      index_[d] = 0;
    }
    out_.maybe_flush();
  }

  void finish() {
    if (done_ > 0) out_.text() += '\n';
  }

 private:
  bool starts_block() const {
    for (std::size_t d = 0; d < index_.size(); ++d) {
      if (index_[d] % block_[d] != 0) return false;
    }
    return true;
  }

  Output& out_;
  std::size_t indent_;
  Extent dims_;
  Extent block_;
  Extent index_;
  std::uint64_t total_ = 0, row_ = 1, done_ = 0;
  std::size_t column_ = 0;
};

// A filter's lines inside FILTERS { }, as h5dump -p names them; nested lines carry the indent
// step of their block.
std::vector<std::string> filter_lines(const Filter& filter) {
  const std::string step(kIndent, ' ');
  auto value = [&](std::size_t i) { return i < filter.cd_values.size() ? filter.cd_values[i] : 0U; };
  switch (filter.id) {
    case H5Z_FILTER_DEFLATE: return {fmt::format("COMPRESSION DEFLATE {{ LEVEL {} }}", value(0))};
    case H5Z_FILTER_SHUFFLE: return {"PREPROCESSING SHUFFLE"};
    case H5Z_FILTER_FLETCHER32: return {"CHECKSUM FLETCHER32"};
    case H5Z_FILTER_NBIT: return {"COMPRESSION NBIT"};
    case H5Z_FILTER_SCALEOFFSET:  // h5dump names the first value (the scale type) MIN BITS
      return {fmt::format("COMPRESSION SCALEOFFSET {{ MIN BITS {} }}", value(0))};
    case H5Z_FILTER_SZIP: {
      // Bits of the option mask that libhdf5 adds when it creates the dataset; not in its public
      // headers (szlib's SZ_LSB_OPTION_MASK, SZ_MSB_OPTION_MASK, SZ_RAW_OPTION_MASK).
      constexpr unsigned kLsb = 8, kMsb = 16, kRaw = 128;
      // Every line but HEADER is printed, empty when its options are absent, as h5dump does.
      const unsigned mask = value(0);
      const char* mode = (mask & H5_SZIP_CHIP_OPTION_MASK)        ? "MODE HARDWARE"
                         : (mask & H5_SZIP_ALLOW_K13_OPTION_MASK) ? "MODE K13"
                                                                  : "";
      const char* coding = (mask & H5_SZIP_EC_OPTION_MASK)   ? "CODING ENTROPY"
                           : (mask & H5_SZIP_NN_OPTION_MASK) ? "CODING NEAREST NEIGHBOUR"
                                                             : "";
      const char* order = (mask & kLsb) ? "BYTE_ORDER LSB" : (mask & kMsb) ? "BYTE_ORDER MSB" : "";
      std::vector<std::string> lines{"COMPRESSION SZIP {", step + fmt::format("PIXELS_PER_BLOCK {}", value(1)),
                                     step + mode, step + coding, step + order};
      if (mask & kRaw) lines.push_back(step + "HEADER RAW");
      lines.push_back("}");
      return lines;
    }
    default: {
      std::vector<std::string> lines{"USER_DEFINED_FILTER {", step + fmt::format("FILTER_ID {}", filter.id)};
      if (!filter.cd_values.empty()) {
        std::string params = "PARAMS { ";
        for (const std::uint32_t v : filter.cd_values)
          fmt::format_to(std::back_inserter(params), "{} ", static_cast<int>(v));
        lines.push_back(step + params + "}");
      }
      lines.push_back("}");
      return lines;
    }
  }
}

const char* fill_time_name(H5D_fill_time_t time) {
  switch (time) {
    case H5D_FILL_TIME_ALLOC: return "H5D_FILL_TIME_ALLOC";
    case H5D_FILL_TIME_NEVER: return "H5D_FILL_TIME_NEVER";
    default: return "H5D_FILL_TIME_IFSET";
  }
}

const char* alloc_time_name(H5D_alloc_time_t time) {
  switch (time) {
    case H5D_ALLOC_TIME_EARLY: return "H5D_ALLOC_TIME_EARLY";
    case H5D_ALLOC_TIME_INCR: return "H5D_ALLOC_TIME_INCR";
    default: return "H5D_ALLOC_TIME_LATE";
  }
}

std::string quoted_name(std::string_view keyword, std::string_view name) {
  return fmt::format("{} \"{}\" {{", keyword, name);
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());  // byte order, as h5dump's name index
  return names;
}

// The named datatype a hard link that reaches no group or dataset names; nullopt for an object of
// another kind (an HDF5 file from elsewhere), which is not printed.
std::optional<Datatype> named_type_of(const Group& group, const std::string& name) {
  try {
    return group.named_type(name);
  } catch (const NotFound&) {
    return std::nullopt;
  }
}

void check_attributes(const Attributes& attributes, const std::string& owner, const Dataset* dataset,
                      const ObjectIndex& objects) {
  for (const auto& name : objects.attribute_names(attributes, dataset)) {
    const AttributeValue value = objects.attribute(attributes, name, owner, dataset);
    type_format(value.data.type, fmt::format("attribute '{}' of '{}'", name, owner), true, &objects);
  }
}

}  // namespace

Output::~Output() {
  try {
    flush();
  } catch (...) {  // a destructor must not throw; flush() is called explicitly on the normal path
  }
}

void Output::line(std::size_t indent, std::string_view text) {
  buffer_.append(indent, ' ');
  buffer_ += text;
  buffer_ += '\n';
  maybe_flush();
}

void Output::flush() {
  if (buffer_.empty()) return;
  const std::size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), stream_);
  const bool complete = written == buffer_.size();
  buffer_.clear();
  if (!complete) throw IoError("cannot write the output");
}

std::uint64_t DdlPrinter::check_supported(const Dataset& dataset, const ObjectIndex& objects) {
  const Datatype type = dataset.dtype();
  type_format(type, fmt::format("dataset '{}'", dataset.name()), true, &objects);
  if (type.size() > kMaxElementBytes) {
    throw Unsupported(fmt::format("dataset '{}': its elements have {} bytes each, more than the {} a dump prints",
                                  dataset.name(), type.size(), kMaxElementBytes));
  }
  check_attributes(dataset.attrs(), dataset.name(), &dataset, objects);
  return dataset.size();
}

void DdlPrinter::check_supported(const Attributes& attributes, const std::string& name, const std::string& owner,
                                 const Dataset* dataset, const ObjectIndex& objects) {
  type_format(objects.attribute(attributes, name, owner, dataset).data.type,
              fmt::format("attribute '{}' of '{}'", name, owner), true, &objects);
}

std::uint64_t DdlPrinter::check_supported(const Group& group, const ObjectIndex& objects) {
  std::set<std::uint64_t> seen{group.object_id()};
  return check_supported(group, objects, seen, 0);
}

// Each object once: hard links give objects more than one name, and may close a cycle of groups.
// Recursive, as the printing is (its nesting is the DDL's), and so bounded by kMaxDepth: a file
// nested deeper (an HDF5 file from elsewhere; containers cannot be) is refused before any output
// rather than overflowing the stack.
std::uint64_t DdlPrinter::check_supported(const Group& group, const ObjectIndex& objects, std::set<std::uint64_t>& seen,
                                          std::uint64_t depth) {
  check_attributes(group.attrs(), group.name(), nullptr, objects);
  std::uint64_t elements = 0;
  auto add = [&elements](std::uint64_t n) { elements = n > ~elements ? ~std::uint64_t{0} : elements + n; };
  for (const auto& name : group.keys()) {
    // Soft and external links are printed as they are, not followed.
    if (group.link_info(name).kind != LinkKind::Hard) continue;
    if (!group.contains(name)) {  // a named datatype
      const std::optional<Datatype> type = named_type_of(group, name);
      if (!type) continue;
      const std::string path = (group.name() == "/" ? "/" : group.name() + "/") + name;
      type_format(*type, fmt::format("named datatype '{}'", path), true);
      for (const std::string& attribute : objects.named_type_attribute_names(path)) {
        type_format(objects.named_type_attribute(path, attribute).data.type,
                    fmt::format("attribute '{}' of '{}'", attribute, path), true, &objects);
      }
      continue;
    }
    if (group.type_of(name) != ObjectType::Group) {
      const Dataset child = group.dataset(name);
      if (seen.insert(child.object_id()).second) add(check_supported(child, objects));
    } else if (depth + 1 > kMaxDepth) {
      throw Unsupported(fmt::format("group '{}' has groups nested deeper than {} levels; h5mf dump stops there",
                                    group.name().size() > 200 ? group.name().substr(0, 200) + "..." : group.name(),
                                    kMaxDepth));
    } else {
      const Group child = group.group(name);
      if (seen.insert(child.object_id()).second) add(check_supported(child, objects, seen, depth + 1));
    }
  }
  return elements;
}

void DdlPrinter::begin(std::string_view shown_name) { out_.line(0, quoted_name("HDF5", shown_name)); }

void DdlPrinter::end() {
  out_.line(0, "}");
  out_.flush();
}

// h5dump prints what an external link names, when it can open it, under its path in that file: the
// file is looked for beside the dumped one, then as given.
void DdlPrinter::external_target(const LinkInfo& link, std::size_t indent) {
  std::filesystem::path where = link.file;
  if (where.is_relative() && !std::filesystem::exists(dir_ / where) && !std::filesystem::exists(where)) return;
  if (where.is_relative() && std::filesystem::exists(dir_ / where)) where = dir_ / where;
  try {
    const File other(where.string(), Mode::Read);
    if (!other.contains(link.path)) return;
    const ObjectIndex other_objects(other);
    // The other file's ids, directory and objects while its object prints, however that ends.
    struct Restore {
      DdlPrinter& printer;
      std::map<std::uint64_t, std::string> first_paths;
      std::filesystem::path dir;
      const ObjectIndex* objects;
      ~Restore() {
        printer.first_paths_ = std::move(first_paths);
        printer.dir_ = std::move(dir);
        printer.objects_ = objects;
      }
    } restore{*this, std::exchange(first_paths_, {{other.object_id(), "/"}}), std::exchange(dir_, where.parent_path()),
              std::exchange(objects_, &other_objects)};
    if (other.type_of(link.path) == ObjectType::Group) {
      group(other.group(link.path), link.path, indent);
    } else {
      dataset(other.dataset(link.path), link.path, indent);
    }
  } catch (const std::exception&) {
    // As h5dump: a target it cannot open leaves the link's two lines alone.
  }
}

void DdlPrinter::file(const File& file, std::string_view shown_name) {
  dir_ = std::filesystem::path(file.filename()).parent_path();
  begin(shown_name);
  first_paths_ = {{file.object_id(), "/"}};
  group(file, "/", 0);
  end();
}

// h5dump prints an object once, at the first of its names in its walk; every later name of it (a
// hard link) is a block holding `HARDLINK "<first path>"`.
bool DdlPrinter::print_if_seen(const char* keyword, std::uint64_t object, const std::string& path,
                               std::string_view shown_name, std::size_t indent) {
  const auto [at, first] = first_paths_.emplace(object, path);
  if (first) return false;
  out_.line(indent, quoted_name(keyword, shown_name));
  out_.line(indent + kIndent, fmt::format("HARDLINK \"{}\"", at->second));
  out_.line(indent, "}");
  return true;
}

void DdlPrinter::group(const Group& group, std::string_view shown_name, std::size_t indent) {
  out_.line(indent, quoted_name("GROUP", shown_name));
  const std::string path = group.name();
  attributes(group.attrs(), path, nullptr, indent + kIndent);
  for (const auto& name : sorted(group.keys())) {
    const std::string child_path = (path == "/" ? "/" : path + "/") + name;
    // Soft and external links are printed as h5dump prints them, without following them.
    if (const LinkInfo link = group.link_info(name); link.kind == LinkKind::Soft) {
      out_.line(indent + kIndent, quoted_name("SOFTLINK", name));
      out_.line(indent + 2 * kIndent, fmt::format("LINKTARGET \"{}\"", link.path));
      out_.line(indent + kIndent, "}");
      continue;
    } else if (link.kind == LinkKind::External) {
      out_.line(indent + kIndent, quoted_name("EXTERNAL_LINK", name));
      out_.line(indent + 2 * kIndent, fmt::format("TARGETFILE \"{}\"", link.file));
      out_.line(indent + 2 * kIndent, fmt::format("TARGETPATH \"{}\"", link.path));
      external_target(link, indent + 3 * kIndent);  // as h5dump indents it
      out_.line(indent + kIndent, "}");
      continue;
    }
    if (!group.contains(name)) {
      named_type(group, name, child_path, indent + kIndent);
      continue;
    }
    if (group.type_of(name) == ObjectType::Group) {
      const Group child = group.group(name);
      if (print_if_seen("GROUP", child.object_id(), child_path, name, indent + kIndent)) continue;
      this->group(child, name, indent + kIndent);
    } else {
      const Dataset child = group.dataset(name);
      if (print_if_seen("DATASET", child.object_id(), child_path, name, indent + kIndent)) continue;
      dataset(child, name, indent + kIndent);
    }
  }
  out_.line(indent, "}");
}

void DdlPrinter::attributes(const Attributes& attributes, const std::string& owner, const Dataset* dataset,
                            std::size_t indent) {
  for (const auto& name : objects_->attribute_names(attributes, dataset))
    attribute(attributes, name, owner, dataset, indent);
}

// `DATATYPE "t" H5T_STD_I32LE;`: h5dump ends the type with ';', except a compound's block; a later
// name of the same type (a hard link) is `DATATYPE "t2" HARDLINK "/t"`.
void DdlPrinter::named_type(const Group& group, const std::string& name, const std::string& path, std::size_t indent) {
  const std::optional<Datatype> type = named_type_of(group, name);
  if (!type) return;
  if (const auto id = objects_->named_type_id(path)) {
    const auto [at, first] = first_paths_.emplace(*id, path);
    if (!first) {
      out_.line(indent, fmt::format("DATATYPE \"{}\" HARDLINK \"{}\"", name, at->second));
      return;
    }
  }
  const TypeFormat f = type_format(*type, fmt::format("named datatype '{}'", path), true, objects_);
  std::vector<std::string> lines = type_lines(f);
  if (f.kind != TypeFormat::Kind::Compound) lines.back() += ";";
  out_.line(indent, fmt::format("DATATYPE \"{}\" {}", name, lines.front()));
  for (std::size_t i = 1; i < lines.size(); ++i) out_.line(indent, lines[i]);
  for (const std::string& attribute : objects_->named_type_attribute_names(path)) {
    attribute_block(attribute, objects_->named_type_attribute(path, attribute), indent + kIndent);
  }
}

void DdlPrinter::group_block(const Group& group, std::string_view shown_name) {
  first_paths_ = {{group.object_id(), group.name()}};
  this->group(group, shown_name, 0);
}

void DdlPrinter::attribute(const Attributes& attributes, const std::string& name, const std::string& owner,
                           const Dataset* dataset, std::size_t indent) {
  attribute_block(name, objects_->attribute(attributes, name, owner, dataset), indent);
}

void DdlPrinter::attribute_block(const std::string& name, const AttributeValue& value, std::size_t indent) {
  const TypeFormat f = type_format(value.data.type, fmt::format("attribute '{}'", name), true, objects_);
  const std::size_t inner = indent + kIndent;
  out_.line(indent, quoted_name("ATTRIBUTE", name));
  if (value.named_type) {
    out_.line(inner, fmt::format("DATATYPE  \"{}\"", *value.named_type));  // the named datatype it is
  } else {
    print_datatype(out_, f, inner);
  }
  print_dataspace(out_, value.data.dims, value.data.dims, inner, value.data.null);
  if (contents_ == Contents::Header) {
    out_.line(indent, "}");
    return;
  }
  out_.line(inner, "DATA {");
  const std::uint64_t count = value.data.num_elements();
  // Sequences and compounds with variable-length members: in HDF5's memory form, as datasets read
  // (the API's values hold them self-contained; those read through libhdf5 are already so).
  const bool self_contained = value.data.has_vlen_elements() && value.keep == nullptr;
  std::vector<std::byte> elements;
  struct Reclaim {
    const AttributeData& data;
    std::vector<std::byte>& elements;
    ~Reclaim() {
      if (elements.empty()) return;
      const auto n = static_cast<std::size_t>(data.num_elements());
      if (data.type.type_class() == H5T_VLEN) {
        reclaim_sequences(reinterpret_cast<hvl_t*>(elements.data()), n);
      } else {
        try {
          reclaim_members(data.type, elements.data(), n);
        } catch (...) {  // a destructor never throws: the members leak instead
        }
      }
    }
  } reclaim{value.data, elements};
  if (self_contained && count > 0) {
    std::vector<std::byte> read(static_cast<std::size_t>(count * f.size));
    value.data.read_elements(value.data.type, read.data());
    elements = std::move(read);
  }
  const std::byte* bytes = self_contained ? elements.data() : value.data.bytes.data();
  if (f.kind != TypeFormat::Kind::VariableString && !self_contained && count * f.size > value.data.bytes.size()) {
    throw FormatError(
        fmt::format("attribute '{}' lacks elements: {} bytes for {}", name, value.data.bytes.size(), count));
  }
  if (f.kind == TypeFormat::Kind::Reference) {
    references(value.data.bytes.data(), count, inner);
  } else {
    DataLines lines(out_, inner, value.data.dims);
    std::string text;
    for (std::uint64_t i = 0; i < count; ++i) {
      text.clear();
      if (f.kind == TypeFormat::Kind::VariableString) {
        if (i >= value.data.strings.size()) throw FormatError(fmt::format("attribute '{}' lacks string {}", name, i));
        if (i < value.null.size() && value.null[i]) {
          text = "NULL";
        } else {
          append_quoted(text, value.data.strings[i]);
        }
      } else {
        append_element(text, f, bytes + i * f.size, inner + 2 * kIndent);
      }
      lines.add(text, f.kind == TypeFormat::Kind::Compound);
    }
    lines.finish();
  }
  out_.line(inner, "}");
  out_.line(indent, "}");
}

void DdlPrinter::dataset(const Dataset& dataset, std::string_view shown_name, std::size_t indent) {
  const TypeFormat f = type_format(dataset.dtype(), fmt::format("dataset '{}'", dataset.name()), true, objects_);
  const std::size_t inner = indent + kIndent;
  out_.line(indent, quoted_name("DATASET", shown_name));
  if (const auto named = objects_->committed_type_path(dataset)) {
    out_.line(inner, fmt::format("DATATYPE  \"{}\"", *named));  // the named datatype it is
  } else {
    print_datatype(out_, f, inner);
  }
  print_dataspace(out_, dataset.shape(), dataset.maxshape(), inner, dataset.is_null());
  if (properties_) storage(dataset, inner);
  if (contents_ == Contents::All) {
    out_.line(inner, "DATA {");
    data(dataset, inner);
    out_.line(inner, "}");
  }
  attributes(dataset.attrs(), dataset.name(), &dataset, inner);
  out_.line(indent, "}");
}

void DdlPrinter::references(const std::byte* values, std::uint64_t count, std::size_t indent) {
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t value = 0;
    std::memcpy(&value, values + i * sizeof value, sizeof value);
    out_.line(indent + kIndent, objects_->reference(value));
    if (value == 0) continue;
    out_.line(indent + 2 * kIndent, "DATA {");
    if (const std::optional<Dataset> target = objects_->referenced_dataset(value)) {
      // h5dump follows references in the data it prints without end; a cycle is refused here.
      if (!expanding_.insert(value).second) {
        throw Unsupported(
            fmt::format("dataset '{}' holds references that lead back to it: h5dump prints them "
                        "without end",
                        target->name()));
      }
      data(*target, indent + 2 * kIndent);
      expanding_.erase(value);
    }
    out_.line(indent + 2 * kIndent, "}");
  }
}

void DdlPrinter::data(const Dataset& dataset, std::size_t indent) {
  const Datatype type = dataset.dtype();
  const TypeFormat f = type_format(type, fmt::format("dataset '{}'", dataset.name()), true, objects_);
  const Extent shape = dataset.shape();
  DataLines lines(out_, indent, shape, h5dump_block(shape, f.size));
  std::vector<std::byte> buffer;
  std::string text;
  auto emit = [&](std::uint64_t count) {
    // Variable-length data arrive as pointers the read allocated: freed however printing ends.
    struct Reclaim {
      std::vector<std::byte>& buffer;
      std::uint64_t count;
      TypeFormat::Kind kind;
      const Datatype& type;
      ~Reclaim() {
        const auto n = static_cast<std::size_t>(count);
        if (kind == TypeFormat::Kind::VariableString) reclaim_strings(reinterpret_cast<char**>(buffer.data()), n);
        if (kind == TypeFormat::Kind::Sequence) reclaim_sequences(reinterpret_cast<hvl_t*>(buffer.data()), n);
        if (kind == TypeFormat::Kind::Compound && n > 0 && type.is_variable_length()) {
          try {
            reclaim_members(type, buffer.data(), n);
          } catch (...) {  // a destructor never throws: the members leak instead
          }
        }
      }
    } reclaim{buffer, count, f.kind, type};
    if (f.kind == TypeFormat::Kind::Reference) {
      references(buffer.data(), count, indent);
      return;
    }
    for (std::uint64_t i = 0; i < count; ++i) {
      text.clear();
      append_element(text, f, buffer.data() + i * f.size, indent + 2 * kIndent);
      lines.add(text, f.kind == TypeFormat::Kind::Compound);
    }
  };
  if (dataset.is_null()) {
    // no elements: DATA stays empty
  } else if (shape.empty()) {
    buffer.resize(f.size);
    dataset.read_raw(buffer.data(), type, Selection::all());
    emit(1);
  } else if (dataset.size() > 0) {
    // Windows in row-major order: whole trailing dimensions from `split` on, a run of indices in
    // dimension `split`, one index in each dimension before it.
    const std::uint64_t window = std::max<std::uint64_t>(1, window_bytes_ / std::max<std::size_t>(f.size, 1));
    std::size_t split = shape.size() - 1;
    std::uint64_t inner_elements = 1;
    while (split > 0 && inner_elements * shape[split] <= window) inner_elements *= shape[split--];
    // Now shape[split + 1..] fits in a window (inner_elements of them); take `run` rows of it.
    const std::uint64_t run = std::max<std::uint64_t>(1, window / inner_elements);
    Extent outer(split, 0);
    Extent start(shape.size(), 0), count(shape.size(), 1);
    for (std::size_t d = split + 1; d < shape.size(); ++d) count[d] = shape[d];
    while (true) {
      for (std::uint64_t first = 0; first < shape[split]; first += run) {
        std::copy(outer.begin(), outer.end(), start.begin());
        start[split] = first;
        count[split] = std::min(run, shape[split] - first);
        const std::uint64_t n = count[split] * inner_elements;
        buffer.resize(static_cast<std::size_t>(n * f.size));
        dataset.read_raw(buffer.data(), type, Selection::hyperslab(start, count));
        emit(n);
      }
      std::size_t d = split;
      while (d > 0 && ++outer[d - 1] == shape[d - 1]) outer[--d] = 0;
      if (d == 0) break;
    }
  }
  lines.finish();
}

// h5dump -p's blocks: STORAGE_LAYOUT, FILTERS, FILLVALUE, ALLOCATION_TIME. A value the dataset
// does not have yet (a container's: the address and compressed size of its data in the merged
// file) leaves its line out.
void DdlPrinter::storage(const Dataset& dataset, std::size_t indent) {
  const StorageInfo info = dataset.storage();
  const TypeFormat f = type_format(dataset.dtype(), fmt::format("dataset '{}'", dataset.name()), true, objects_);
  const std::size_t inner = indent + kIndent;
  const FilterPipeline filters = dataset.filters();
  out_.line(indent, "STORAGE_LAYOUT {");
  switch (info.layout) {
    case H5D_CHUNKED: {
      std::string chunks = "CHUNKED ( ";
      const Extent shape = dataset.chunks();
      for (std::size_t d = 0; d < shape.size(); ++d)
        fmt::format_to(std::back_inserter(chunks), "{}{}", d ? ", " : "", shape[d]);
      out_.line(inner, chunks + " )");
      if (info.size && filters.empty()) {
        out_.line(inner, fmt::format("SIZE {}", *info.size));
      } else if (info.size) {  // the ratio of the elements' bytes to the bytes stored
        const double bytes = static_cast<double>(dataset.size()) * static_cast<double>(f.size);
        out_.line(inner, fmt::format("SIZE {} ({:.3f}:1 COMPRESSION)", *info.size,
                                     *info.size == 0 ? 0.0 : bytes / static_cast<double>(*info.size)));
      }
      break;
    }
    case H5D_COMPACT:
      out_.line(inner, "COMPACT");
      if (info.size) out_.line(inner, fmt::format("SIZE {}", *info.size));
      break;
    case H5D_CONTIGUOUS:
      out_.line(inner, "CONTIGUOUS");
      if (info.size) out_.line(inner, fmt::format("SIZE {}", *info.size));
      if (info.address) out_.line(inner, fmt::format("OFFSET {}", *info.address));
      break;
    default:
      throw Unsupported(
          fmt::format("dataset '{}': printing the properties (-p) of a dataset of layout {} (virtual or "
                      "unknown) is not supported",
                      dataset.name(), static_cast<int>(info.layout)));
  }
  out_.line(indent, "}");
  out_.line(indent, "FILTERS {");
  if (filters.empty()) out_.line(inner, "NONE");
  for (const Filter& filter : filters) {
    for (const std::string& line : filter_lines(filter)) out_.line(inner, line);
  }
  out_.line(indent, "}");
  out_.line(indent, "FILLVALUE {");
  out_.line(inner, fmt::format("FILL_TIME {}", fill_time_name(info.fill_time)));
  if (info.fill_value == H5D_FILL_VALUE_USER_DEFINED) {
    std::vector<std::byte> fill = dataset.fill_value();
    // Variable-length values as a read gives them: a char* (null: NULL) or an hvl_t.
    std::optional<std::string> fill_string;
    std::vector<std::byte> fill_elements;
    if (f.kind == TypeFormat::Kind::VariableString) {
      fill_string = dataset.fill_string();
      const char* text = fill_string ? fill_string->c_str() : nullptr;
      fill.resize(sizeof text);
      std::memcpy(fill.data(), &text, sizeof text);
    } else if (f.kind == TypeFormat::Kind::Sequence) {
      const Datatype base = Datatype::adopt(H5Tget_super(dataset.dtype().id()));
      fill_elements = dataset.fill_sequence(base);
      const hvl_t sequence{fill_elements.size() / base.size(), fill_elements.data()};
      fill.resize(sizeof sequence);
      std::memcpy(fill.data(), &sequence, sizeof sequence);
    }
    // A compound with variable-length members: its element self-contained, read into memory form.
    AttributeData element;
    element.type = dataset.dtype();
    struct Reclaim {
      const AttributeData& element;
      std::vector<std::byte>& fill;
      bool armed = false;
      ~Reclaim() {
        try {
          if (armed) reclaim_members(element.type, fill.data(), 1);
        } catch (...) {  // a destructor never throws: the members leak instead
        }
      }
    } reclaim{element, fill};
    if (element.has_vlen_elements() && element.type.type_class() == H5T_COMPOUND && !fill.empty()) {
      element.bytes = std::move(fill);
      fill.assign(element.type.size(), std::byte{0});
      element.read_elements(element.type, fill.data());
      reclaim.armed = true;
    }
    std::string text = "VALUE  ";
    append_element(text, f, fill.data(), inner + kIndent);  // a compound's members one step deeper
    out_.line(inner, text);
  } else {
    out_.line(inner, info.fill_value == H5D_FILL_VALUE_UNDEFINED ? "VALUE  H5D_FILL_VALUE_UNDEFINED"
                                                                 : "VALUE  H5D_FILL_VALUE_DEFAULT");
  }
  out_.line(indent, "}");
  out_.line(indent, "ALLOCATION_TIME {");
  out_.line(inner, alloc_time_name(info.alloc_time));
  out_.line(indent, "}");
}

}  // namespace h5mf::tools
