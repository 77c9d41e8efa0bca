// Explicit little-endian encoding of every on-disk integer (never packed native structs), and a
// bounds-checked decoder that never reads or allocates past what its input can justify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h5mf/selection.hpp"

namespace h5mf::format {

using Bytes = std::vector<std::byte>;
using ByteView = std::span<const std::byte>;

void put_u16(std::byte* out, std::uint16_t v);
void put_u32(std::byte* out, std::uint32_t v);
void put_u64(std::byte* out, std::uint64_t v);
std::uint16_t get_u16(const std::byte* in);
std::uint32_t get_u32(const std::byte* in);
std::uint64_t get_u64(const std::byte* in);

// Appends encoded fields to a growing buffer.
class Encoder {
 public:
  explicit Encoder(Bytes& out) : out_(out) {}
  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void str(std::string_view s);  // u32 length + bytes
  void blob(ByteView b);         // u32 length + bytes
  void extent(const Extent& e);  // e.size() u64 values (the rank is written by the caller)
  void raw(ByteView b);

 private:
  Bytes& out_;
};

// Reads fields in order; any read past the end throws FormatError naming `context` (e.g.
// "output.h5/3.offset at offset 4096: WRITE record") and the field.
class Decoder {
 public:
  Decoder(ByteView in, std::string context);
  std::uint8_t u8(const char* field);
  std::uint16_t u16(const char* field);
  std::uint32_t u32(const char* field);
  std::uint64_t u64(const char* field);
  std::string str(const char* field);
  Bytes blob(const char* field);
  // `rank` u64 values; checks rank <= kMaxRank and that the bytes exist before allocating.
  Extent extent(std::size_t rank, const char* field);
  std::size_t remaining() const { return in_.size() - pos_; }
  // Throws unless every byte was consumed (trailing garbage is damage too).
  void finish();
  [[noreturn]] void fail(const std::string& what) const;
  const std::string& context() const { return context_; }

 private:
  void need(std::size_t n, const char* field) const;
  ByteView in_;
  std::size_t pos_ = 0;
  std::string context_;
};

}  // namespace h5mf::format
