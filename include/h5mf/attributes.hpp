// Attributes of a file, group or dataset: dict-like, numeric scalars and arrays, and strings.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "h5mf/selection.hpp"

namespace h5mf {

namespace driver {
class Node;
}
namespace detail {
struct FileState;
}

// An attribute's value as it travels between the API and the drivers: `bytes` holds the elements
// in `type` (row-major); for variable-length string types `strings` holds them instead. Sequences
// and compounds with variable-length members (has_vlen_elements()) have them self-contained in
// `bytes`: one 16-byte slot per sequence, or each compound's fixed bytes and one slot per
// variable-length member, then the values (docs/format.md, "Variable-length data"); make and read
// them from HDF5's memory form (hvl_t, char*) with from_elements() and read_elements().
struct AttributeData {
  Datatype type;
  Extent dims;  // empty: scalar, or null
  std::vector<std::byte> bytes;
  std::vector<std::string> strings;
  // HDF5's null dataspace (H5S_NULL, h5py's Empty): a type and no elements; dims stay empty.
  bool null = false;
  // The identity (Group::named_type_id) of a named datatype of the same file whose type `type`'s
  // file type is: the attribute shares it (h5py's attrs.create(..., dtype=f['t'])). Reads give it.
  std::optional<std::uint64_t> named_type = std::nullopt;
  static AttributeData empty(Datatype type) {
    AttributeData out;
    out.type = std::move(type);
    out.null = true;
    return out;
  }
  std::uint64_t num_elements() const {
    if (null) return 0;
    std::uint64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
  // A sequence type, or a compound with variable-length members.
  bool has_vlen_elements() const;
  // From the elements of `type` in HDF5's memory form (copied). Unsupported for variable-length
  // data h5mf cannot keep (inside arrays, sequences of variable-length data).
  static AttributeData from_elements(Datatype type, Extent dims, const void* elements);
  // The elements into `out` in HDF5's memory form of `memory` (a sequence type for a sequence, a
  // compound converting to `type` for a compound), allocated with std::malloc: free them with
  // reclaim_sequences or reclaim_members (h5mf/dataset.hpp).
  void read_elements(const Datatype& memory, void* out) const;
};

class Attributes {
 public:
  Attributes(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::Node> node);

  // Writing is collective (every writer makes the same call). An existing attribute is replaced.
  // An attribute the merged HDF5 file could not hold in an object header (over 64 KiB with HDF5's
  // default file settings) is refused on every driver with h5mf::Error (Python: RuntimeError)
  // and h5py's message, "Unable to create attribute (object header message is too large)".
  template <class T>
  void set(const std::string& name, const T& value);
  void set(const std::string& name, const char* value) { set(name, std::string(value)); }
  void set_raw(const std::string& name, AttributeData value);

  template <class T>
  T get(const std::string& name) const;
  AttributeData get_raw(const std::string& name) const;  // in the file type

  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;
  void remove(const std::string& name);

 private:
  void convert_to(const AttributeData& stored, const Datatype& type, void* out, std::uint64_t count,
                  const std::string& name) const;
  std::shared_ptr<detail::FileState> file_;
  std::shared_ptr<driver::Node> node_;
};

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
}  // namespace detail

template <class T>
void Attributes::set(const std::string& name, const T& value) {
  AttributeData data;
  if constexpr (std::is_same_v<T, std::string>) {
    data.type = Datatype::variable_string();
    data.strings = {value};
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    data.type = Datatype::variable_string();
    data.dims = {value.size()};
    data.strings = value;
  } else if constexpr (std::is_same_v<T, std::vector<bool>>) {  // packed bits: one byte each
    data.type = Datatype::of<bool>();
    data.dims = {value.size()};
    for (const bool b : value) data.bytes.push_back(std::byte{b});
  } else if constexpr (detail::is_vector<T>::value) {
    using E = typename T::value_type;
    data.type = Datatype::of<E>();
    data.dims = {value.size()};
    const auto* p = reinterpret_cast<const std::byte*>(value.data());
    data.bytes.assign(p, p + value.size() * sizeof(E));
  } else {
    data.type = Datatype::of<T>();
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    data.bytes.assign(p, p + sizeof(T));
  }
  set_raw(name, std::move(data));
}

template <class T>
T Attributes::get(const std::string& name) const {
  const AttributeData stored = get_raw(name);
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>>) {
    std::vector<std::string> strings = stored.strings;
    if (stored.type.type_class() == H5T_STRING && !stored.type.is_variable_length()) {
      const std::size_t n = stored.type.size();
      for (std::size_t at = 0; at + n <= stored.bytes.size(); at += n) {
        std::string s(reinterpret_cast<const char*>(stored.bytes.data() + at), n);
        s.erase(s.find_last_not_of('\0') + 1);
        strings.push_back(std::move(s));
      }
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (strings.size() != 1) {
        throw InvalidArgument("attribute '" + name + "' " +
                              (stored.type.type_class() == H5T_STRING
                                   ? "holds " + std::to_string(strings.size()) + " strings, not one"
                                   : "is not a string (" + stored.type.describe() + ")"));
      }
      return strings.front();
    } else {
      return strings;
    }
  } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
    std::vector<std::uint8_t> bytes(stored.num_elements());  // bool is one byte (Datatype::of<bool>)
    convert_to(stored, Datatype::of<bool>(), bytes.data(), bytes.size(), name);
    return T(bytes.begin(), bytes.end());
  } else if constexpr (detail::is_vector<T>::value) {
    T out(stored.num_elements());
    convert_to(stored, Datatype::of<typename T::value_type>(), out.data(), out.size(), name);
    return out;
  } else {
    T out{};
    convert_to(stored, Datatype::of<T>(), &out, 1, name);
    return out;
  }
}

}  // namespace h5mf
