#include "format/encoding.hpp"

#include <fmt/format.h>

#include <limits>

#include "format/constants.hpp"
#include "h5mf/error.hpp"

namespace h5mf::format {

// Shifts, not memcpy of native integers: the byte order on disk must not depend on the host.
void put_u16(std::byte* out, std::uint16_t v) {
  out[0] = static_cast<std::byte>(v & 0xFFu);
  out[1] = static_cast<std::byte>((v >> 8) & 0xFFu);
}

void put_u32(std::byte* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFFu);
}

void put_u64(std::byte* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFFu);
}

std::uint16_t get_u16(const std::byte* in) {
  return static_cast<std::uint16_t>(std::to_integer<std::uint16_t>(in[0]) |
                                    (std::to_integer<std::uint16_t>(in[1]) << 8));
}

std::uint32_t get_u32(const std::byte* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(in[i]) << (8 * i);
  return v;
}

std::uint64_t get_u64(const std::byte* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::to_integer<std::uint64_t>(in[i]) << (8 * i);
  return v;
}

// ---- Encoder ----

void Encoder::u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }

void Encoder::u16(std::uint16_t v) {
  const std::size_t at = out_.size();
  out_.resize(at + 2);
  put_u16(out_.data() + at, v);
}

void Encoder::u32(std::uint32_t v) {
  const std::size_t at = out_.size();
  out_.resize(at + 4);
  put_u32(out_.data() + at, v);
}

void Encoder::u64(std::uint64_t v) {
  const std::size_t at = out_.size();
  out_.resize(at + 8);
  put_u64(out_.data() + at, v);
}

void Encoder::str(std::string_view s) { blob(ByteView(reinterpret_cast<const std::byte*>(s.data()), s.size())); }

void Encoder::blob(ByteView b) {
  if (b.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InvalidArgument(fmt::format("cannot encode {} bytes: a string or blob holds at most 4 GiB", b.size()));
  }
  u32(static_cast<std::uint32_t>(b.size()));
  raw(b);
}

void Encoder::extent(const Extent& e) {
  const std::size_t at = out_.size();
  out_.resize(at + 8 * e.size());
  for (std::size_t i = 0; i < e.size(); ++i) put_u64(out_.data() + at + 8 * i, e[i]);
}

void Encoder::raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }

// ---- Decoder ----

Decoder::Decoder(ByteView in, std::string context) : in_(in), context_(std::move(context)) {}

void Decoder::fail(const std::string& what) const { throw FormatError(context_ + ": " + what); }

void Decoder::need(std::size_t n, const char* field) const {
  if (n > remaining()) {
    fail(fmt::format("field '{}' truncated (needs {} bytes at payload byte {}, {} remain)", field, n, pos_,
                     remaining()));
  }
}

std::uint8_t Decoder::u8(const char* field) {
  need(1, field);
  return std::to_integer<std::uint8_t>(in_[pos_++]);
}

std::uint16_t Decoder::u16(const char* field) {
  need(2, field);
  const auto v = get_u16(in_.data() + pos_);
  pos_ += 2;
  return v;
}

std::uint32_t Decoder::u32(const char* field) {
  need(4, field);
  const auto v = get_u32(in_.data() + pos_);
  pos_ += 4;
  return v;
}

std::uint64_t Decoder::u64(const char* field) {
  need(8, field);
  const auto v = get_u64(in_.data() + pos_);
  pos_ += 8;
  return v;
}

std::string Decoder::str(const char* field) {
  const std::uint32_t n = u32(field);
  need(n, field);  // before allocating: the length is untrusted
  std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
  pos_ += n;
  return s;
}

Bytes Decoder::blob(const char* field) {
  const std::uint32_t n = u32(field);
  need(n, field);
  Bytes b(in_.begin() + static_cast<std::ptrdiff_t>(pos_), in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return b;
}

Extent Decoder::extent(std::size_t rank, const char* field) {
  if (rank > kMaxRank) {
    fail(fmt::format("field '{}': rank {} exceeds the maximum of {}", field, rank, kMaxRank));
  }
  need(8 * rank, field);
  Extent e(rank);
  for (std::size_t i = 0; i < rank; ++i) e[i] = get_u64(in_.data() + pos_ + 8 * i);
  pos_ += 8 * rank;
  return e;
}

void Decoder::finish() {
  if (remaining() != 0) {
    fail(fmt::format("{} trailing bytes after the last field (payload of {} bytes)", remaining(), in_.size()));
  }
}

}  // namespace h5mf::format
