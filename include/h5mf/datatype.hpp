// Datatypes: a small owning wrapper over an HDF5 datatype, and one trait from C++ types to HDF5
// types with a compile-time error for unsupported types. Numbers, bool, std::array / C arrays of
// them are known; structs and enums are registered once (h5mf::Compound, h5mf::Enum,
// H5MF_REGISTER_TYPE below) and then work everywhere a type is taken from a C++ type.
#pragma once

#include <hdf5.h>

#include <array>
#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace h5mf {

class Datatype;

// One member of a compound type: its name, byte offset in the element and type.
struct CompoundMember {
  std::string name;
  std::size_t offset = 0;
  const Datatype* type = nullptr;  // not owned; must outlive the call it is passed to
};

// One member of an enum type: its name and value, `base.size()` bytes in the base type.
struct EnumMember {
  std::string name;
  std::vector<std::byte> value;
};

// A fixed-length string of N bytes, NUL-padded: the C++ element type of Datatype::fixed_string(N)
// (h5py's 'S<N>'), for datasets, attributes and compound members.
template <std::size_t N>
struct FixedString {
  static_assert(N > 0, "a fixed-length string holds at least one byte");
  std::array<char, N> bytes{};

  FixedString() = default;
  FixedString(std::string_view text) {  // NOLINT(google-explicit-constructor): {"abc", "de"} reads well
    std::memcpy(bytes.data(), text.data(), text.size() < N ? text.size() : N);  // longer text is cut
  }
  FixedString(const char* text) : FixedString(std::string_view(text)) {}  // NOLINT(google-explicit-constructor)
  std::string str() const {                                               // up to the first NUL
    const std::string_view all(bytes.data(), N);
    return std::string(all.substr(0, all.find('\0')));
  }
  friend bool operator==(const FixedString&, const FixedString&) = default;
};

// Registration of a C++ type: specialise TypeRegistration<T> with `static Datatype datatype()`, or
// write H5MF_REGISTER_TYPE(T, expression) at namespace scope, e.g.
//   H5MF_REGISTER_TYPE(Particle, h5mf::Compound<Particle>{{"x", &Particle::x}, {"id", &Particle::id}});
//   H5MF_REGISTER_TYPE(Color, h5mf::Enum<Color>{{"RED", Color::red}, {"GREEN", Color::green}});
// after which Datatype::of<Particle>(), dataset.write(std::vector<Particle>), attributes and fill
// values of Particle just work.
template <class T>
struct TypeRegistration {};

class Datatype {
 public:
  Datatype() = default;  // invalid until assigned
  // Takes ownership of `id` (closes it); use Datatype::copy_of for ids owned elsewhere.
  static Datatype adopt(hid_t id);
  static Datatype copy_of(hid_t id);

  template <class T>
  static Datatype of();                               // native memory type of T
  static Datatype fixed_string(std::size_t length);   // NUL-padded ASCII of fixed length (h5py's 'S')
  static Datatype variable_string();                  // UTF-8 variable-length string (as h5py writes str)
  static Datatype variable_ascii_string();            // ASCII variable-length string (h5py's string_dtype('ascii'))
  static Datatype sequence_of(const Datatype& base);  // variable-length sequence (H5Tvlen_create; hvl_t)
  // h5py's bool: an enum of 8-bit integers, FALSE = 0 and TRUE = 1 (numpy reads it as bool).
  static Datatype boolean();
  // h5py's float16 (numpy 'f2'): an IEEE half float in native byte order (sign bit 15, exponent
  // bits 10..14 with bias 15, mantissa bits 0..9); HDF5 1.10 predefines none.
  static Datatype float16();
  // h5py's complex numbers (numpy 'c8', 'c16'): a compound of two `part` floats named "r" and "i"
  // at offsets 0 and part.size() (std::complex's layout).
  static Datatype complex(const Datatype& part);
  // An array element type (H5T_ARRAY) of `dims` elements of `element`; an array of arrays is
  // flattened into one of more dimensions, as numpy's nested subarrays are.
  static Datatype array(const Datatype& element, const std::vector<std::uint64_t>& dims);
  // A compound of `size` bytes; members may come in any order, must lie inside and not overlap.
  static Datatype compound(std::size_t size, std::span<const CompoundMember> members);
  // An enum over an integer base type; names and values must be unique.
  static Datatype enumeration(const Datatype& base, std::span<const EnumMember> members);

  Datatype(const Datatype& other);
  Datatype& operator=(const Datatype& other);
  Datatype(Datatype&& other) noexcept;
  Datatype& operator=(Datatype&& other) noexcept;
  ~Datatype();

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  std::size_t size() const;  // bytes per element (pointer size for variable length)
  H5T_class_t type_class() const;
  bool is_variable_length() const;  // variable-length string or sequence anywhere inside
  bool is_numeric() const;          // integer or float

  bool is_boolean() const;  // the enum boolean() makes (as h5py stores numpy bool)
  bool is_complex() const;  // a compound h5py reads as complex: floats "r" and "i" of one type

  // The type to store in a file for this type: standard types for numbers, little-endian unless the
  // type is explicitly big-endian (native int -> H5T_STD_I32LE, H5T_STD_I32BE stays); enums over
  // their base's file type with the same names and values; arrays of their element's file type;
  // compounds with the same size and member offsets (padding kept, as h5py keeps numpy's), members
  // with their file types; the type itself otherwise (strings, opaque, float16, ...).
  Datatype file_type() const;

  // HDF5's own binary encoding (H5Tencode / H5Tdecode).
  std::vector<std::byte> encode() const;
  static Datatype decode(std::span<const std::byte> bytes);

  std::string describe() const;  // "H5T_STD_I32LE", "H5T_IEEE_F64LE", "string(8)", ...

  friend bool operator==(const Datatype& a, const Datatype& b);  // H5Tequal

 private:
  explicit Datatype(hid_t id) : id_(id) {}
  Datatype enum_file_type() const;
  Datatype compound_file_type() const;
  hid_t id_ = H5I_INVALID_HID;
};

namespace detail {
template <class T>
inline constexpr bool always_false = false;
template <class T>
inline constexpr bool is_sequence = false;
template <class T, class A>
inline constexpr bool is_sequence<std::vector<T, A>> = true;
hid_t native_type_id(std::size_t size, bool is_signed, bool is_float);
[[noreturn]] void member_size_mismatch(const std::string& name, std::size_t bytes, const Datatype& type);

template <class T>
inline constexpr bool is_complex = false;
template <class F>
inline constexpr bool is_complex<std::complex<F>> = true;

template <class T>
struct is_std_array : std::false_type {};
template <class E, std::size_t N>
struct is_std_array<std::array<E, N>> : std::true_type {};

template <class T>
struct is_fixed_string : std::false_type {};
template <std::size_t N>
struct is_fixed_string<FixedString<N>> : std::true_type {};

template <class T>
concept registered_type = requires {
  { TypeRegistration<T>::datatype() } -> std::convertible_to<Datatype>;
};

// The offset of a member in its struct, from a pointer to member (offsetof needs the member's name).
template <class S, class M>
std::size_t offset_of(M S::*member) {
  union Storage {
    Storage() {}
    ~Storage() {}
    char none;
    S object;
  };
  const Storage storage;
  return static_cast<std::size_t>(reinterpret_cast<const char*>(std::addressof(storage.object.*member)) -
                                  reinterpret_cast<const char*>(std::addressof(storage.object)));
}
}  // namespace detail

// A struct as an HDF5 compound: Compound<Particle>{{"x", &Particle::x}, {"id", &Particle::id}}.
// Members are listed with their names in the file; each member's type comes from its C++ type
// (numbers, bool, arrays, registered structs and enums), or is given: {"name", &S::name,
// Datatype::fixed_string(16)} for a char[16] holding a string. Members not listed are not stored.
template <class S>
class Compound {
  static_assert(std::is_trivially_copyable_v<S>, "h5mf::Compound: the struct is copied as bytes");

 public:
  class Member {
   public:
    template <class M>
    Member(std::string name, M S::*member)
        : name_(std::move(name)), offset_(detail::offset_of(member)), type_(Datatype::of<M>()) {}
    template <class M>
    Member(std::string name, M S::*member, Datatype type)
        : name_(std::move(name)), offset_(detail::offset_of(member)), type_(std::move(type)), bytes_(sizeof(M)) {}

   private:
    friend class Compound;
    std::string name_;
    std::size_t offset_;
    Datatype type_;
    std::size_t bytes_ = 0;  // the C++ member's size, when the type is given
  };

  Compound(std::initializer_list<Member> members) {
    std::vector<CompoundMember> list;
    for (const Member& m : members) {
      if (m.bytes_ != 0 && m.bytes_ != m.type_.size()) detail::member_size_mismatch(m.name_, m.bytes_, m.type_);
      list.push_back(CompoundMember{m.name_, m.offset_, &m.type_});
    }
    type_ = Datatype::compound(sizeof(S), list);
  }
  operator Datatype() const { return type_; }  // NOLINT(google-explicit-constructor): registration reads so
  const Datatype& datatype() const { return type_; }

 private:
  Datatype type_;
};

// A C++ enum as an HDF5 enum over its underlying integer type: Enum<Color>{{"RED", Color::red}, ...}.
template <class E>
class Enum {
  static_assert(std::is_enum_v<E>, "h5mf::Enum takes an enum type");

 public:
  struct Member {
    std::string name;
    E value;
  };

  Enum(std::initializer_list<Member> members) {
    using U = std::underlying_type_t<E>;
    std::vector<EnumMember> list;
    for (const Member& m : members) {
      const U value = static_cast<U>(m.value);
      std::vector<std::byte> bytes(sizeof(U));
      std::memcpy(bytes.data(), &value, sizeof(U));
      list.push_back(EnumMember{m.name, std::move(bytes)});
    }
    type_ = Datatype::enumeration(Datatype::of<U>(), list);
  }
  operator Datatype() const { return type_; }  // NOLINT(google-explicit-constructor)
  const Datatype& datatype() const { return type_; }

 private:
  Datatype type_;
};

template <class T>
Datatype Datatype::of() {
  using U = std::remove_cv_t<T>;
  if constexpr (detail::registered_type<U>) {
    return TypeRegistration<U>::datatype();
  } else if constexpr (std::is_same_v<U, bool>) {
    static_assert(sizeof(bool) == 1, "h5mf stores bool as one byte, as h5py does");
    return boolean();
  } else if constexpr (std::is_same_v<U, std::string>) {
    return variable_string();  // datasets of std::string hold variable-length UTF-8 strings
  } else if constexpr (detail::is_sequence<U>) {
    return sequence_of(of<typename U::value_type>());  // std::vector<T>: variable-length sequences
  } else if constexpr (std::is_enum_v<U>) {
    static_assert(detail::always_false<U>,
                  "h5mf: register the enum first: H5MF_REGISTER_TYPE(E, h5mf::Enum<E>{{\"NAME\", E::value}, ...})");
  } else if constexpr (detail::is_complex<U>) {
    return complex(of<typename U::value_type>());  // as h5py stores numpy complex
  } else if constexpr (detail::is_fixed_string<U>::value) {
    static_assert(sizeof(U) == sizeof(U::bytes));
    return fixed_string(sizeof(U::bytes));
  } else if constexpr (detail::is_std_array<U>::value) {
    static_assert(sizeof(U) == sizeof(typename U::value_type) * std::tuple_size_v<U>);
    return array(of<typename U::value_type>(), {std::tuple_size_v<U>});
  } else if constexpr (std::is_bounded_array_v<U>) {
    return array(of<std::remove_extent_t<U>>(), {std::extent_v<U>});
  } else if constexpr (std::is_integral_v<U> || std::is_floating_point_v<U>) {
    static_assert(sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4 || sizeof(U) == 8,
                  "unsupported integer/float size");
    static_assert(!std::is_floating_point_v<U> || sizeof(U) == 4 || sizeof(U) == 8,
                  "only float and double are supported floating-point types");
    return copy_of(detail::native_type_id(sizeof(U), std::is_signed_v<U>, std::is_floating_point_v<U>));
  } else {
    static_assert(detail::always_false<U>,
                  "h5mf: no HDF5 datatype is known for this C++ type; register structs with "
                  "H5MF_REGISTER_TYPE(S, h5mf::Compound<S>{...})");
  }
}

}  // namespace h5mf

// Registers `T` (at namespace scope, outside any namespace): H5MF_REGISTER_TYPE(T, expression).
#define H5MF_REGISTER_TYPE(T, ...)                                               \
  template <>                                                                    \
  struct h5mf::TypeRegistration<T> {                                             \
    static ::h5mf::Datatype datatype() { return ::h5mf::Datatype(__VA_ARGS__); } \
  }
