#include "hdf5/encoded_type_check.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "h5mf/error.hpp"

namespace h5mf::hdf5 {
namespace {

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
  static constexpr unsigned kMaxNesting = 64;      // HDF5 recurses per level; real types stay shallow
  static constexpr unsigned kMaxV1MemberRank = 4;  // version 1 compound member "arrayness"

  [[noreturn]] void fail(const std::string& why) const {
    throw FormatError(
        fmt::format("invalid encoded HDF5 datatype ({} bytes, at byte {}): {}", bytes_.size(), pos_, why));
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
    if (size == 0 || precision == 0 || std::uint64_t{offset} + precision > std::uint64_t{size} * 8) {
      fail("bit field outside the element");
    }
    return precision;
  }

  void compound(unsigned version, std::uint32_t members, std::uint32_t size, unsigned depth) {
    if (members == 0) fail("compound without members");
    // Version 3 stores member offsets in as few bytes as the compound's size needs.
    const std::size_t offset_bytes = version >= 3 ? (size == 0 ? 0 : std::bit_width(size) - 1) / 8 + 1 : 4;
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

}  // namespace

void check_encoded_type(std::span<const std::byte> bytes) { EncodedTypeCheck(bytes).run(); }

}  // namespace h5mf::hdf5
