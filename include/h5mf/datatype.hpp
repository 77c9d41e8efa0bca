// Datatypes: a small owning wrapper over an HDF5 datatype, and one trait from C++ types to HDF5
// types with a compile-time error for unsupported types.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace h5mf {

class Datatype {
 public:
  Datatype() = default;  // invalid until assigned
  // Takes ownership of `id` (closes it); use Datatype::copy_of for ids owned elsewhere.
  static Datatype adopt(hid_t id);
  static Datatype copy_of(hid_t id);

  template <class T>
  static Datatype of();                       // native memory type of T
  static Datatype fixed_string(std::size_t length);  // NUL-padded ASCII of fixed length (h5py's 'S')
  static Datatype variable_string();          // UTF-8 variable-length string (as h5py writes str)
  static Datatype variable_ascii_string();    // ASCII variable-length string (h5py's string_dtype('ascii'))
  static Datatype sequence_of(const Datatype& base);  // variable-length sequence (H5Tvlen_create; hvl_t)

  Datatype(const Datatype& other);
  Datatype& operator=(const Datatype& other);
  Datatype(Datatype&& other) noexcept;
  Datatype& operator=(Datatype&& other) noexcept;
  ~Datatype();

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  std::size_t size() const;             // bytes per element (pointer size for variable length)
  H5T_class_t type_class() const;
  bool is_variable_length() const;      // variable-length string or sequence anywhere inside
  bool is_numeric() const;              // integer or float

  // The type to store in a file for this type: standard types for numbers, little-endian unless the
  // type is explicitly big-endian (native int -> H5T_STD_I32LE, H5T_STD_I32BE stays), the type
  // itself otherwise.
  Datatype file_type() const;

  // HDF5's own binary encoding (H5Tencode / H5Tdecode).
  std::vector<std::byte> encode() const;
  static Datatype decode(std::span<const std::byte> bytes);

  std::string describe() const;  // "H5T_STD_I32LE", "H5T_IEEE_F64LE", "string(8)", ...

  friend bool operator==(const Datatype& a, const Datatype& b);  // H5Tequal

 private:
  explicit Datatype(hid_t id) : id_(id) {}
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
}  // namespace detail

template <class T>
Datatype Datatype::of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    static_assert(detail::always_false<U>, "bool datasets come with the enum types (issue 9)");
  } else if constexpr (std::is_same_v<U, std::string>) {
    return variable_string();  // datasets of std::string hold variable-length UTF-8 strings
  } else if constexpr (detail::is_sequence<U>) {
    return sequence_of(of<typename U::value_type>());  // std::vector<T>: variable-length sequences
  } else if constexpr (std::is_integral_v<U> || std::is_floating_point_v<U>) {
    static_assert(sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4 || sizeof(U) == 8,
                  "unsupported integer/float size");
    static_assert(!std::is_floating_point_v<U> || sizeof(U) == 4 || sizeof(U) == 8,
                  "only float and double are supported floating-point types");
    return copy_of(detail::native_type_id(sizeof(U), std::is_signed_v<U>,
                                          std::is_floating_point_v<U>));
  } else {
    static_assert(detail::always_false<U>, "h5mf: no HDF5 datatype is known for this C++ type");
  }
}

}  // namespace h5mf
