#include "numpy_types.hpp"

#include <bit>
#include <cstdint>

#include "h5mf/error.hpp"

namespace h5mf::python {
namespace {

constexpr bool kNativeBigEndian = std::endian::native == std::endian::big;

std::string describe(const py::dtype& dtype) { return py::str(py::repr(dtype)).cast<std::string>(); }

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

}  // namespace

ElementType element_type(const py::dtype& dtype) {
  ElementType out;
  out.kind = dtype.kind();
  out.itemsize = static_cast<std::size_t>(dtype.itemsize());
  // '=' native, '|' not applicable (one byte, strings), '<' / '>' explicit.
  const char order = dtype.byteorder();
  out.big_endian = order == '>' || (order == '=' && kNativeBigEndian);
  const bool number_size = out.itemsize == 1 || out.itemsize == 2 || out.itemsize == 4 || out.itemsize == 8;
  const bool supported = dtype.has_fields() ? false
                         : out.kind == 'i' || out.kind == 'u' ? number_size
                         : out.kind == 'f' ? out.itemsize == 4 || out.itemsize == 8
                         : out.kind == 'S' ? out.itemsize > 0
                                            : false;
  if (!supported) {
    throw py::type_error("h5mf cannot transfer numpy dtype " + describe(dtype) +
                         " yet: use int8..int64, uint8..uint64, float32, float64 or fixed-length bytes ('S<n>')");
  }
  return out;
}

Datatype datatype_of(const ElementType& element) {
  Datatype type;
  switch (element.kind) {
    case 'i': type = native_integer(element.itemsize, true); break;
    case 'u': type = native_integer(element.itemsize, false); break;
    case 'f': type = element.itemsize == 4 ? Datatype::of<float>() : Datatype::of<double>(); break;
    case 'S': return Datatype::fixed_string(element.itemsize);
    default: throw InvalidArgument(std::string("unsupported numpy kind '") + element.kind + "'");
  }
  if (element.itemsize > 1 && element.big_endian != kNativeBigEndian) {
    if (H5Tset_order(type.id(), element.big_endian ? H5T_ORDER_BE : H5T_ORDER_LE) < 0) {
      throw IoError("cannot set the byte order of HDF5 type " + type.describe());
    }
  }
  return type;
}

py::dtype dtype_of(const Datatype& type) {
  const std::size_t size = type.size();
  const auto order = [&] { return H5Tget_order(type.id()) == H5T_ORDER_BE ? std::string(">") : std::string("<"); };
  std::string format;
  switch (type.type_class()) {
    case H5T_INTEGER:
      format = order() + (H5Tget_sign(type.id()) == H5T_SGN_2 ? "i" : "u") + std::to_string(size);
      break;
    case H5T_FLOAT:
      if (size == 4 || size == 8) format = order() + "f" + std::to_string(size);
      break;
    case H5T_STRING:
      if (type.is_variable_length()) {
        // As h5py: the character set is in the dtype's metadata.
        const bool ascii = H5Tget_cset(type.id()) == H5T_CSET_ASCII;
        py::dict metadata;
        metadata["vlen"] = ascii ? py::module_::import("builtins").attr("bytes")
                                 : py::module_::import("builtins").attr("str");
        return py::module_::import("numpy").attr("dtype")("O", py::arg("metadata") = metadata).cast<py::dtype>();
      }
      format = "S" + std::to_string(size);
      break;
    case H5T_VLEN: {
      // As h5py: an object dtype whose metadata holds the base dtype.
      const hid_t base = H5Tget_super(type.id());
      if (base < 0) throw IoError("cannot get the base type of " + type.describe());
      py::dict metadata;
      metadata["vlen"] = dtype_of(Datatype::adopt(base));
      return py::module_::import("numpy").attr("dtype")("O", py::arg("metadata") = metadata).cast<py::dtype>();
    }
    default: break;
  }
  if (format.empty()) throw py::type_error("HDF5 type " + type.describe() + " has no numpy dtype in h5mf yet");
  return py::dtype::from_args(py::str(format));
}

Datatype vlen_string_type(const py::dtype& dtype) {
  if (dtype.kind() != 'O') return {};
  const py::object metadata = py::getattr(dtype, "metadata", py::none());
  if (metadata.is_none()) return {};
  const py::dict entries = metadata.cast<py::dict>();
  if (!entries.contains("vlen")) return {};
  const py::object vlen = entries["vlen"];
  if (vlen.is(py::module_::import("builtins").attr("str"))) return Datatype::variable_string();
  if (vlen.is(py::module_::import("builtins").attr("bytes"))) return Datatype::variable_ascii_string();
  return {};
}

Datatype vlen_sequence_type(const py::dtype& dtype) {
  if (dtype.kind() != 'O') return {};
  const py::object metadata = py::getattr(dtype, "metadata", py::none());
  if (metadata.is_none()) return {};
  const py::dict entries = metadata.cast<py::dict>();
  if (!entries.contains("vlen")) return {};
  const py::object vlen = entries["vlen"];
  const py::object builtins = py::module_::import("builtins");
  if (vlen.is(builtins.attr("str")) || vlen.is(builtins.attr("bytes"))) return {};
  const py::dtype base = py::module_::import("numpy").attr("dtype")(vlen).cast<py::dtype>();
  return Datatype::sequence_of(datatype_of(element_type(base)));
}

}  // namespace h5mf::python
