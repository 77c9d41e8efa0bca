#include "numpy_types.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "h5mf/dataset.hpp"
#include "h5mf/error.hpp"

namespace h5mf::python {
namespace {

constexpr bool kNativeBigEndian = std::endian::native == std::endian::big;

std::string describe(const py::dtype& dtype) { return py::str(py::repr(dtype)).cast<std::string>(); }

[[noreturn]] void unsupported(const py::dtype& dtype) {
  throw py::type_error("h5mf cannot transfer numpy dtype " + describe(dtype) +
                       ": use bool, int8..int64, uint8..uint64, float16, float32, float64, longdouble, complex64, "
                       "complex128, clongdouble, fixed-length bytes ('S<n>'), h5py enum dtypes, subarrays and "
                       "structured dtypes of these");
}

Datatype native_integer(std::size_t size, bool is_signed) {
  switch (size) {
    case 1: return is_signed ? Datatype::of<std::int8_t>() : Datatype::of<std::uint8_t>();
    case 2: return is_signed ? Datatype::of<std::int16_t>() : Datatype::of<std::uint16_t>();
    case 4: return is_signed ? Datatype::of<std::int32_t>() : Datatype::of<std::uint32_t>();
    case 8: return is_signed ? Datatype::of<std::int64_t>() : Datatype::of<std::uint64_t>();
    default: break;
  }
  throw InvalidArgument("no HDF5 integer type of " + std::to_string(size) + " bytes");
}

py::module_ numpy() { return py::module_::import("numpy"); }

// h5py's enum dtypes carry their mapping as dtype metadata: {'enum': {name: value}}.
py::object enum_mapping(const py::dtype& dtype) {
  const py::object metadata = dtype.attr("metadata");
  if (metadata.is_none()) return py::none();
  return py::reinterpret_borrow<py::dict>(metadata).attr("get")("enum");
}

std::string member_name(hid_t id, unsigned index) {
  char* name = H5Tget_member_name(id, index);
  if (name == nullptr) throw IoError("cannot read a member name of an HDF5 type");
  std::string out(name);
  H5free_memory(name);
  return out;
}

}  // namespace

ElementType element_type(const py::dtype& dtype) {
  ElementType out;
  out.kind = dtype.kind();
  out.itemsize = static_cast<std::size_t>(dtype.itemsize());
  // '=' native, '|' not applicable (one byte, strings), '<' / '>' explicit.
  const char order = dtype.byteorder();
  out.big_endian = order == '>' || (order == '=' && kNativeBigEndian);
  const py::object subdtype = dtype.attr("subdtype");
  if (!subdtype.is_none()) {
    const auto pair = subdtype.cast<py::tuple>();
    out.kind = 'V';
    out.base = std::make_shared<const ElementType>(element_type(pair[0].cast<py::dtype>()));
    for (const auto n : pair[1].cast<py::tuple>()) out.subarray.push_back(n.cast<std::uint64_t>());
    if (out.subarray.empty()) unsupported(dtype);
    out.hdf5_itemsize = out.itemsize;
    if (out.base->vlen != 0 || out.base->has_vlen()) {  // (char*, hvl_t: HDF5's own layout)
      std::size_t n = 1;
      for (const auto d : out.subarray) n *= d;
      out.hdf5_itemsize = n * out.base->hdf5_itemsize;
    }
    return out;
  }
  if (dtype.has_fields()) {
    const py::dict fields = dtype.attr("fields");
    std::size_t at = 0;  // the packed HDF5 layout, used when a member is variable-length
    for (const auto name : dtype.attr("names")) {
      const auto field = fields[name].cast<py::tuple>();
      ElementType type = element_type(field[0].cast<py::dtype>());
      const std::size_t size = type.hdf5_itemsize;
      out.fields.push_back({name.cast<std::string>(), field[1].cast<std::size_t>(), std::move(type), at});
      at += size;
    }
    if (out.fields.empty()) unsupported(dtype);
    // As h5py: numpy's layout where each member fits its place (a string's char* does, in an
    // object's 8 bytes), else packed in field order (an hvl_t needs 16), which an aligned struct
    // cannot be.
    bool fits = true;
    for (const auto& f : out.fields) fits = fits && f.type.hdf5_itemsize == f.type.itemsize;
    if (!fits) {
      if (dtype.attr("isalignedstruct").cast<bool>()) {
        throw py::type_error("Enforced alignment not compatible with HDF5 type: " + describe(dtype));
      }
      out.hdf5_itemsize = at;
    } else {
      out.hdf5_itemsize = out.itemsize;
      for (auto& f : out.fields) f.hdf5_offset = f.offset;
    }
    return out;
  }
  out.hdf5_itemsize = out.itemsize;
  if (out.kind == 'O') {
    const py::object metadata = dtype.attr("metadata");
    const py::object vlen =
        metadata.is_none() ? py::none() : py::reinterpret_borrow<py::dict>(metadata).attr("get")("vlen");
    const py::object builtins = py::module_::import("builtins");
    if (vlen.is(builtins.attr("str")) || vlen.is(builtins.attr("bytes"))) {
      out.vlen = 's';
      out.utf8 = vlen.is(builtins.attr("str"));
      out.hdf5_itemsize = sizeof(char*);
      return out;
    }
    if (!vlen.is_none()) {
      out.vlen = 'q';
      out.base = std::make_shared<const ElementType>(element_type(numpy().attr("dtype")(vlen).cast<py::dtype>()));
      if (out.base->has_vlen() || out.base->vlen != 0) {
        throw py::type_error("h5mf cannot store sequences of variable-length data: " + describe(dtype));
      }
      out.hdf5_itemsize = sizeof(hvl_t);
      return out;
    }
    unsupported(dtype);
  }
  const bool number_size = out.itemsize == 1 || out.itemsize == 2 || out.itemsize == 4 || out.itemsize == 8;
  const bool supported = out.kind == 'i' || out.kind == 'u' ? number_size
                         : out.kind == 'f' ? out.itemsize == 2 || out.itemsize == 4 || out.itemsize == 8 ||
                                                 out.itemsize == sizeof(long double)  // longdouble
                         : out.kind == 'c'
                             ? out.itemsize == 8 || out.itemsize == 16 || out.itemsize == 2 * sizeof(long double)
                         : out.kind == 'S' ? out.itemsize > 0
                         : out.kind == 'b' ? out.itemsize == 1
                                           : false;
  if (!supported) unsupported(dtype);
  if (out.kind == 'S') {
    const py::object metadata = dtype.attr("metadata");
    out.utf8 = !metadata.is_none() &&
               py::reinterpret_borrow<py::dict>(metadata).attr("get")("h5py_encoding").equal(py::str("utf-8"));
  }
  const py::object mapping = enum_mapping(dtype);
  if (!mapping.is_none()) {
    if (out.kind != 'i' && out.kind != 'u') throw py::type_error("enum dtypes must be integers: " + describe(dtype));
    // Each value as numpy stores it in this integer type (its byte order included).
    const py::dtype plain = py::dtype::from_args(dtype.attr("str"));
    for (const auto item : mapping.cast<py::dict>()) {
      const py::bytes bytes = numpy().attr("array")(item.second, plain).attr("tobytes")();
      const std::string value = bytes;
      const auto* begin = reinterpret_cast<const std::byte*>(value.data());
      out.enum_members.push_back({py::str(item.first).cast<std::string>(), {begin, begin + value.size()}});
    }
    if (out.enum_members.empty()) throw py::type_error("an enum dtype without members: " + describe(dtype));
  }
  return out;
}

bool ElementType::has_vlen() const {
  if (!subarray.empty()) return base->vlen != 0 || base->has_vlen();
  for (const auto& f : fields) {
    if (f.type.vlen != 0 || f.type.has_vlen()) return true;
  }
  return false;
}

Datatype datatype_of(const ElementType& element) {
  if (!element.subarray.empty()) return Datatype::array(datatype_of(*element.base), element.subarray);
  if (!element.fields.empty()) {
    std::vector<Datatype> types;
    types.reserve(element.fields.size());  // the members point into it
    std::vector<CompoundMember> members;
    for (const auto& field : element.fields) {
      types.push_back(datatype_of(field.type));
      members.push_back({field.name, field.hdf5_offset, &types.back()});
    }
    return Datatype::compound(element.hdf5_itemsize, members);
  }
  if (element.vlen == 's') return element.utf8 ? Datatype::variable_string() : Datatype::variable_ascii_string();
  if (element.vlen == 'q') return Datatype::sequence_of(datatype_of(*element.base));
  Datatype type;
  switch (element.kind) {
    case 'b': return Datatype::boolean();
    case 'i': type = native_integer(element.itemsize, true); break;
    case 'u': type = native_integer(element.itemsize, false); break;
    case 'f':
      if (element.itemsize == sizeof(long double)) {  // numpy's longdouble: HDF5's, as h5py stores it
        type = Datatype::copy_of(H5T_NATIVE_LDOUBLE);
        break;
      }
      type = element.itemsize == 2   ? Datatype::float16()
             : element.itemsize == 4 ? Datatype::of<float>()
                                     : Datatype::of<double>();
      break;
    case 'c': {  // as h5py: a compound of two floats "r" and "i", in the dtype's byte order
      ElementType part = element;
      part.kind = 'f';
      part.itemsize = element.itemsize / 2;
      return Datatype::complex(datatype_of(part));
    }
    case 'S':
      type = Datatype::fixed_string(element.itemsize);
      if (element.utf8 && H5Tset_cset(type.id(), H5T_CSET_UTF8) < 0) {
        throw IoError("cannot make " + type.describe() + " a UTF-8 string type");
      }
      return type;
    default: throw InvalidArgument(std::string("unsupported numpy kind '") + element.kind + "'");
  }
  if (element.itemsize > 1 && element.big_endian != kNativeBigEndian) {
    if (H5Tset_order(type.id(), element.big_endian ? H5T_ORDER_BE : H5T_ORDER_LE) < 0) {
      throw IoError("cannot set the byte order of HDF5 type " + type.describe());
    }
  }
  if (!element.enum_members.empty()) return Datatype::enumeration(type, element.enum_members);
  return type;
}

namespace {

// numpy's longdouble: HDF5's native long double in either byte order (h5py reads it so).
bool is_long_double(const Datatype& type) {
  if (type.type_class() != H5T_FLOAT || type.size() != sizeof(long double)) return false;
  Datatype native = Datatype::copy_of(H5T_NATIVE_LDOUBLE);
  if (H5Tset_order(native.id(), H5Tget_order(type.id())) < 0) return false;
  return native == type;
}

}  // namespace

py::dtype dtype_of(const Datatype& type) {
  const std::size_t size = type.size();
  const hid_t id = type.id();
  const auto order = [&] { return H5Tget_order(id) == H5T_ORDER_BE ? std::string(">") : std::string("<"); };
  std::string format;
  switch (type.type_class()) {
    case H5T_INTEGER: format = order() + (H5Tget_sign(id) == H5T_SGN_2 ? "i" : "u") + std::to_string(size); break;
    case H5T_FLOAT:
      if (size == 2 || size == 4 || size == 8 || is_long_double(type)) format = order() + "f" + std::to_string(size);
      break;
    case H5T_STRING:
      if (type.is_variable_length()) {
        // As h5py: the character set is in the dtype's metadata.
        const bool ascii = H5Tget_cset(type.id()) == H5T_CSET_ASCII;
        py::dict metadata;
        metadata["vlen"] =
            ascii ? py::module_::import("builtins").attr("bytes") : py::module_::import("builtins").attr("str");
        return numpy().attr("dtype")("O", py::arg("metadata") = metadata).cast<py::dtype>();
      }
      {  // as h5py: 'S<n>' with the character set in the dtype's metadata
        py::dict metadata;
        metadata["h5py_encoding"] = py::str(H5Tget_cset(id) == H5T_CSET_UTF8 ? "utf-8" : "ascii");
        return numpy().attr("dtype")("S" + std::to_string(size), py::arg("metadata") = metadata).cast<py::dtype>();
      }
    case H5T_VLEN: {
      // As h5py: an object dtype whose metadata holds the base dtype.
      const hid_t base = H5Tget_super(type.id());
      if (base < 0) throw IoError("cannot get the base type of " + type.describe());
      py::dict metadata;
      metadata["vlen"] = dtype_of(Datatype::adopt(base));
      return numpy().attr("dtype")("O", py::arg("metadata") = metadata).cast<py::dtype>();
    }
    case H5T_ENUM: {
      if (type.is_boolean()) return py::dtype::from_args(py::str("?"));
      const Datatype base = Datatype::adopt(H5Tget_super(id));
      const py::dtype base_dtype = dtype_of(base);
      const int members = H5Tget_nmembers(id);
      if (members < 0) throw IoError("cannot count the members of " + type.describe());
      py::dict mapping;
      std::string value(size, '\0');
      for (int i = 0; i < members; ++i) {
        if (H5Tget_member_value(id, static_cast<unsigned>(i), value.data()) < 0) {
          throw IoError("cannot read a member value of " + type.describe());
        }
        const py::object number =
            numpy().attr("frombuffer")(py::bytes(value), base_dtype).attr("__getitem__")(0).attr("item")();
        mapping[py::str(member_name(id, static_cast<unsigned>(i)))] = number;
      }
      py::dict metadata;
      metadata["enum"] = mapping;
      return numpy().attr("dtype")(base_dtype, py::arg("metadata") = metadata).cast<py::dtype>();
    }
    case H5T_ARRAY: {
      const int rank = H5Tget_array_ndims(id);
      if (rank <= 0) throw IoError("cannot read the rank of " + type.describe());
      std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
      H5Tget_array_dims2(id, dims.data());
      py::tuple shape(dims.size());
      for (std::size_t d = 0; d < dims.size(); ++d) shape[d] = py::int_(dims[d]);
      const py::dtype base = dtype_of(Datatype::adopt(H5Tget_super(id)));
      return numpy().attr("dtype")(py::make_tuple(base, shape)).cast<py::dtype>();
    }
    case H5T_COMPOUND: {
      if (type.is_complex()) {  // as h5py: floats "r" and "i" read as numpy complex
        const Datatype part = Datatype::adopt(H5Tget_member_type(id, 0));
        const std::size_t part_size = part.size();
        if (part_size == 4 || part_size == 8 || is_long_double(part)) {
          const std::string byte_order = H5Tget_order(part.id()) == H5T_ORDER_BE ? ">" : "<";
          return py::dtype::from_args(py::str(byte_order + "c" + std::to_string(2 * part_size)));
        }
      }
      const int members = H5Tget_nmembers(id);
      if (members < 0) throw IoError("cannot count the members of " + type.describe());
      py::list names, formats, offsets;
      for (int i = 0; i < members; ++i) {
        const auto index = static_cast<unsigned>(i);
        names.append(py::str(member_name(id, index)));
        formats.append(dtype_of(Datatype::adopt(H5Tget_member_type(id, index))));
        offsets.append(py::int_(H5Tget_member_offset(id, index)));
      }
      py::dict spec;
      spec["names"] = names;
      spec["formats"] = formats;
      spec["offsets"] = offsets;
      spec["itemsize"] = py::int_(size);
      return numpy().attr("dtype")(spec).cast<py::dtype>();
    }
    default: break;
  }
  if (format.empty()) throw py::type_error("HDF5 type " + type.describe() + " has no numpy dtype in h5mf yet");
  return py::dtype::from_args(py::str(format));
}

namespace {

// A sequence's base dtype (HDF5 calls, with the GIL held: the library lock too).
py::dtype base_dtype(const ElementType& base) {
  Locked lock;
  return dtype_of(datatype_of(base));
}

std::size_t subarray_items(const ElementType& e) {
  std::size_t n = 1;
  for (const auto d : e.subarray) n *= d;
  return n;
}

void pack(const ElementType& e, const std::byte* from, std::byte* to, py::list& keep) {
  if (!e.fields.empty() && e.has_vlen()) {
    for (const auto& f : e.fields) pack(f.type, from + f.offset, to + f.hdf5_offset, keep);
    return;
  }
  if (!e.subarray.empty() && e.has_vlen()) {  // item by item, numpy's objects to HDF5's pointers
    for (std::size_t k = 0; k < subarray_items(e); ++k) {
      pack(*e.base, from + k * e.base->itemsize, to + k * e.base->hdf5_itemsize, keep);
    }
    return;
  }
  if (e.vlen == 0) {
    std::memcpy(to, from, e.itemsize);
    return;
  }
  PyObject* raw = nullptr;
  std::memcpy(&raw, from, sizeof raw);
  const py::handle item = raw == nullptr ? py::handle(Py_None) : py::handle(raw);
  if (e.vlen == 's') {
    const char* p = nullptr;
    if (py::isinstance<py::bytes>(item)) {
      p = PyBytes_AsString(item.ptr());
    } else if (py::isinstance<py::str>(item)) {
      const py::bytes encoded = item.attr("encode")("utf-8");
      keep.append(encoded);
      p = PyBytes_AsString(encoded.ptr());
    } else if (!item.is_none()) {
      throw py::type_error("Can't implicitly convert non-string objects to strings");
    }
    std::memcpy(to, &p, sizeof p);
    return;
  }
  if (py::isinstance<py::str>(item) || py::isinstance<py::bytes>(item)) {
    throw py::type_error("cannot write a string to a variable-length sequence member");
  }
  const py::dtype base = base_dtype(*e.base);
  const py::array array = numpy().attr("ascontiguousarray")(numpy().attr("asarray")(item, base).attr("ravel")());
  keep.append(array);
  const hvl_t v{static_cast<std::size_t>(array.size()), const_cast<void*>(array.data())};
  std::memcpy(to, &v, sizeof v);
}

void unpack(const ElementType& e, const std::byte* from, std::byte* to) {
  if (!e.fields.empty() && e.has_vlen()) {
    for (const auto& f : e.fields) unpack(f.type, from + f.hdf5_offset, to + f.offset);
    return;
  }
  if (!e.subarray.empty() && e.has_vlen()) {
    for (std::size_t k = 0; k < subarray_items(e); ++k) {
      unpack(*e.base, from + k * e.base->hdf5_itemsize, to + k * e.base->itemsize);
    }
    return;
  }
  if (e.vlen == 0) {
    std::memcpy(to, from, e.itemsize);
    return;
  }
  py::object value;
  if (e.vlen == 's') {
    const char* p = nullptr;
    std::memcpy(&p, from, sizeof p);
    value = py::bytes(p ? p : "");
  } else {
    hvl_t v{};
    std::memcpy(&v, from, sizeof v);
    const py::dtype base = base_dtype(*e.base);
    py::array array(base, std::vector<py::ssize_t>{static_cast<py::ssize_t>(v.len)});
    if (v.len > 0) std::memcpy(array.mutable_data(), v.p, v.len * static_cast<std::size_t>(base.itemsize()));
    value = std::move(array);
  }
  PyObject* old = nullptr;
  std::memcpy(&old, to, sizeof old);
  PyObject* fresh = value.release().ptr();
  std::memcpy(to, &fresh, sizeof fresh);
  Py_XDECREF(old);
}

}  // namespace

PackedMembers pack_members(const ElementType& element, const py::array& array) {
  if (!(array.flags() & py::array::c_style)) throw InvalidArgument("the array must be C-contiguous");
  const auto count = static_cast<std::size_t>(array.size());
  PackedMembers out;
  out.elements.assign(count * element.hdf5_itemsize, std::byte{0});
  const auto* from = static_cast<const std::byte*>(array.data());
  for (std::size_t i = 0; i < count; ++i) {
    pack(element, from + i * element.itemsize, out.elements.data() + i * element.hdf5_itemsize, out.keep);
  }
  return out;
}

py::array unpack_members(const ElementType& element, const py::dtype& dtype, const std::byte* elements,
                         std::size_t count) {
  py::array out = numpy().attr("empty")(count, dtype);  // object fields start as None
  auto* to = static_cast<std::byte*>(out.mutable_data());
  for (std::size_t i = 0; i < count; ++i) {
    unpack(element, elements + i * element.hdf5_itemsize, to + i * element.itemsize);
  }
  return out;
}

namespace {

// The `vlen` entry of an object dtype's metadata (h5py's special_dtype(vlen=...)), else None.
py::object vlen_metadata(const py::dtype& dtype) {
  if (dtype.kind() != 'O') return py::none();
  const py::object metadata = py::getattr(dtype, "metadata", py::none());
  if (metadata.is_none()) return py::none();
  const py::dict entries = metadata.cast<py::dict>();
  return entries.contains("vlen") ? py::object(entries["vlen"]) : py::object(py::none());
}

}  // namespace

Datatype vlen_string_type(const py::dtype& dtype) {
  const py::object vlen = vlen_metadata(dtype);
  if (vlen.is_none()) return {};
  if (vlen.is(py::module_::import("builtins").attr("str"))) return Datatype::variable_string();
  if (vlen.is(py::module_::import("builtins").attr("bytes"))) return Datatype::variable_ascii_string();
  return {};
}

Datatype vlen_sequence_type(const py::dtype& dtype) {
  const py::object vlen = vlen_metadata(dtype);
  if (vlen.is_none()) return {};
  const py::object builtins = py::module_::import("builtins");
  if (vlen.is(builtins.attr("str")) || vlen.is(builtins.attr("bytes"))) return {};
  const py::dtype base = numpy().attr("dtype")(vlen).cast<py::dtype>();
  return Datatype::sequence_of(datatype_of(element_type(base)));
}

// The base dtype of h5py's vlen_dtype(base) (the metadata may hold anything numpy.dtype takes).
py::dtype sequence_base_dtype(const py::dtype& dtype) {
  const py::object base = py::reinterpret_borrow<py::dict>(dtype.attr("metadata"))["vlen"];
  return py::module_::import("numpy").attr("dtype")(base).cast<py::dtype>();
}

// Sequences as a flat object array of 1-D arrays of the base dtype, compounds with variable-length
// members as a flat structured array with object fields (strings as bytes), as h5py reads them.
py::array vlen_elements_array(const AttributeData& data, const py::dtype& dtype) {
  const auto count = static_cast<std::size_t>(data.num_elements());
  if (data.type.type_class() == H5T_VLEN) {
    const py::dtype base = sequence_base_dtype(dtype);
    const ElementType element = element_type(base);
    std::vector<hvl_t> sequences(count, hvl_t{0, nullptr});
    struct Reclaim {
      std::vector<hvl_t>& s;
      ~Reclaim() { reclaim_sequences(s.data(), s.size()); }
    } reclaim{sequences};
    data.read_elements(Datatype::sequence_of(datatype_of(element)), sequences.data());
    py::array out = py::module_::import("numpy").attr("empty")(count, dtype);
    for (std::size_t i = 0; i < count; ++i) {
      py::array array(base, std::vector<py::ssize_t>{static_cast<py::ssize_t>(sequences[i].len)});
      if (sequences[i].len > 0) std::memcpy(array.mutable_data(), sequences[i].p, sequences[i].len * element.itemsize);
      out.attr("__setitem__")(i, array);
    }
    return out;
  }
  const ElementType element = element_type(dtype);
  const Datatype memory = datatype_of(element);
  std::vector<std::byte> elements(count * element.hdf5_itemsize);
  data.read_elements(memory, elements.data());
  struct Reclaim {
    const Datatype& memory;
    std::vector<std::byte>& elements;
    std::size_t count;
    ~Reclaim() {
      try {
        reclaim_members(memory, elements.data(), count);
      } catch (...) {  // a destructor never throws: the members leak instead
      }
    }
  } reclaim{memory, elements, count};
  return unpack_members(element, dtype, elements.data(), count);
}

}  // namespace h5mf::python
