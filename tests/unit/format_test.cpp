// Unit tests of the on-disk format layer (docs/format.md): byte layouts, checksums, headers, log
// framing and damage handling, record payloads, and robustness of every decoder against hostile
// bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "format/checksum.hpp"
#include "format/constants.hpp"
#include "format/encoding.hpp"
#include "format/header.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "format/vlen.hpp"
#include "h5mf/error.hpp"
#include "h5mf/selection.hpp"

// ---- Allocation probe: the largest single allocation made while a probe is active ----
// Replacing the global operator new lets the tests prove that decoders never allocate from an
// unchecked length field.
namespace {
std::atomic<bool> g_probing{false};
std::atomic<std::size_t> g_largest{0};

void* tracked_alloc(std::size_t n) {
  if (g_probing.load(std::memory_order_relaxed)) {
    std::size_t seen = g_largest.load(std::memory_order_relaxed);
    while (n > seen && !g_largest.compare_exchange_weak(seen, n)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return tracked_alloc(n); }
void* operator new[](std::size_t n) { return tracked_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace h5mf::format {
namespace {

class AllocationProbe {
 public:
  AllocationProbe() {
    g_largest = 0;
    g_probing = true;
  }
  ~AllocationProbe() { g_probing = false; }
  AllocationProbe(const AllocationProbe&) = delete;
  AllocationProbe& operator=(const AllocationProbe&) = delete;
  std::size_t largest() const { return g_largest.load(); }
};

Bytes bytes_of(std::initializer_list<unsigned> values) {
  Bytes b;
  for (unsigned v : values) b.push_back(static_cast<std::byte>(v));
  return b;
}

Bytes bytes_of(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

unsigned at(const Bytes& b, std::size_t i) { return std::to_integer<unsigned>(b.at(i)); }

// Expects bytes [offset, offset + expected.size()) of `b` to equal `expected`.
void expect_bytes(const Bytes& b, std::size_t offset, const Bytes& expected, const char* what) {
  ASSERT_GE(b.size(), offset + expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(at(b, offset + i), std::to_integer<unsigned>(expected[i])) << what << ": byte " << offset + i;
  }
}

Bytes le64(std::uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
  return b;
}

// Runs `f`, expecting a FormatError whose message contains `fragment`.
template <class F>
void expect_format_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected FormatError containing \"" << fragment << "\"";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << fragment;
  }
}

// ================================ Encoding ================================

TEST(Encoding, LittleEndianIntegers) {
  Bytes b(8);
  put_u16(b.data(), 0x0102);
  EXPECT_EQ(b, bytes_of({0x02, 0x01, 0, 0, 0, 0, 0, 0}));
  put_u32(b.data(), 0x01020304);
  EXPECT_EQ(b, bytes_of({0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0}));
  put_u64(b.data(), 0x0102030405060708);
  EXPECT_EQ(b, bytes_of({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  EXPECT_EQ(get_u64(b.data()), 0x0102030405060708u);
  EXPECT_EQ(get_u32(b.data()), 0x05060708u);
  EXPECT_EQ(get_u16(b.data()), 0x0708u);
  put_u64(b.data(), ~std::uint64_t{0});
  EXPECT_EQ(get_u64(b.data()), ~std::uint64_t{0});
  EXPECT_EQ(get_u32(b.data()), 0xFFFFFFFFu);
}

TEST(Encoding, EncoderDecoderRoundTrip) {
  Bytes out;
  Encoder enc(out);
  enc.u8(0xAB);
  enc.u16(0xBEEF);
  enc.u32(0xDEADBEEF);
  enc.u64(0x0123456789ABCDEF);
  enc.str("héllo");
  enc.blob(bytes_of({1, 2, 3}));
  enc.extent({7, 8, kUnlimited});
  enc.raw(bytes_of({9}));
  ASSERT_EQ(out.size(), 1u + 2 + 4 + 8 + (4 + 6) + (4 + 3) + 24 + 1);
  expect_bytes(out, 15, bytes_of({6, 0, 0, 0}), "str length");

  Decoder dec(out, "test");
  EXPECT_EQ(dec.u8("a"), 0xAB);
  EXPECT_EQ(dec.u16("b"), 0xBEEF);
  EXPECT_EQ(dec.u32("c"), 0xDEADBEEFu);
  EXPECT_EQ(dec.u64("d"), 0x0123456789ABCDEFu);
  EXPECT_EQ(dec.str("e"), "héllo");
  EXPECT_EQ(dec.blob("f"), bytes_of({1, 2, 3}));
  EXPECT_EQ(dec.extent(3, "g"), (Extent{7, 8, kUnlimited}));
  EXPECT_EQ(dec.remaining(), 1u);
  expect_format_error([&] { dec.finish(); }, "test: 1 trailing bytes");
  EXPECT_EQ(dec.u8("h"), 9);
  dec.finish();
  expect_format_error([&] { dec.u8("past"); }, "test: field 'past' truncated");
}

TEST(Encoding, DecoderChecksLengthsBeforeAllocating) {
  // A string claiming 4 GiB in a 10-byte buffer.
  const Bytes huge = bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b', 'c', 'd', 'e', 'f'});
  {
    AllocationProbe probe;
    Decoder dec(huge, "ctx");
    expect_format_error([&] { dec.str("name"); }, "ctx: field 'name' truncated");
    EXPECT_LT(probe.largest(), 4096u);
  }
  {
    AllocationProbe probe;
    Decoder dec(huge, "ctx");
    expect_format_error([&] { dec.blob("type"); }, "field 'type' truncated");
    EXPECT_LT(probe.largest(), 4096u);
  }
  Decoder dec(huge, "ctx");
  expect_format_error([&] { dec.extent(33, "dims"); }, "rank 33 exceeds the maximum of 32");
  expect_format_error([&] { dec.extent(2, "dims"); }, "field 'dims' truncated");
  EXPECT_EQ(dec.extent(0, "dims"), Extent{});
}

// ================================ Checksum ================================

TEST(Checksum, IsXxh3SeedZero) {
  // Published XXH3-64 of the empty input (seed 0); XXH64's would be 0xef46db3751d8e999.
  EXPECT_EQ(checksum({}), 0x2d06800538d394c2u);
  EXPECT_EQ(Checksum().digest(), 0x2d06800538d394c2u);
}

TEST(Checksum, StreamingEqualsOneShot) {
  std::mt19937_64 rng(42);
  for (std::size_t size : {0u, 1u, 3u, 16u, 17u, 128u, 129u, 240u, 241u, 1000u, 5000u, 70000u}) {
    Bytes data(size);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    const std::uint64_t expected = checksum(data);
    // Every split point for small inputs, a few for large ones.
    const std::size_t step = size < 300 ? 1 : size / 17;
    for (std::size_t cut = 0; cut <= size; cut += step) {
      Checksum c;
      c.update(ByteView(data).first(cut));
      c.update(ByteView(data).subspan(cut));
      EXPECT_EQ(c.digest(), expected) << "size " << size << " cut " << cut;
    }
    // Many small irregular pieces.
    Checksum c;
    std::size_t pos = 0;
    while (pos < size) {
      const std::size_t n = std::min<std::size_t>(size - pos, rng() % 97);
      c.update(ByteView(data).subspan(pos, n));
      pos += n;
    }
    EXPECT_EQ(c.digest(), expected) << "size " << size;
    EXPECT_EQ(c.digest(), expected) << "digest() must not change the state";
  }
}

TEST(Checksum, MoveKeepsState) {
  const Bytes data = bytes_of("hello, world");
  Checksum a;
  a.update(ByteView(data).first(5));
  Checksum b(std::move(a));
  b.update(ByteView(data).subspan(5));
  EXPECT_EQ(b.digest(), checksum(data));
  Checksum c;
  c = std::move(b);
  EXPECT_EQ(c.digest(), checksum(data));
}

// ================================ Header ================================

ContainerId sample_id() {
  ContainerId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::byte>(0x10 + i);
  return id;
}

Bytes header_bytes(const FileHeader& h) {
  const auto a = encode_header(h);
  return Bytes(a.begin(), a.end());
}

TEST(Header, KnownByteLayout) {
  FileHeader h;
  h.kind = FileKind::Index;
  h.container = sample_id();
  h.writer = 0x01020304;
  const Bytes b = header_bytes(h);
  ASSERT_EQ(b.size(), 64u);
  expect_bytes(b, 0, bytes_of("H5MFINDX"), "magic");
  expect_bytes(b, 8, bytes_of({1, 0, 0, 0}), "version");
  expect_bytes(b, 12, bytes_of({64, 0, 0, 0}), "header size");
  expect_bytes(
      b, 16, bytes_of({0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f}),
      "container id");
  expect_bytes(b, 32, bytes_of({0x04, 0x03, 0x02, 0x01}), "writer");
  expect_bytes(b, 36, Bytes(20), "reserved");
  expect_bytes(b, 56, le64(checksum(ByteView(b).first(56))), "checksum");

  EXPECT_EQ(header_bytes({FileKind::Meta, kVersion, {}, 0}).at(4), std::byte{'M'});
  expect_bytes(header_bytes({FileKind::Meta, kVersion, {}, 0}), 0, bytes_of("H5MFMETA"), "meta");
  expect_bytes(header_bytes({FileKind::Data, kVersion, {}, 0}), 0, bytes_of("H5MFDATA"), "data");
}

TEST(Header, RoundTripEveryKind) {
  for (FileKind kind : {FileKind::Meta, FileKind::Index, FileKind::Data}) {
    FileHeader h;
    h.kind = kind;
    h.container = random_container_id();
    h.writer = 77;
    const auto b = encode_header(h);
    EXPECT_EQ(decode_header(b, kind, "f"), h);
  }
}

TEST(Header, LongerInputIsFine) {
  FileHeader h{FileKind::Data, kVersion, sample_id(), 3};
  Bytes b = header_bytes(h);
  b.resize(4096, std::byte{0x5a});
  EXPECT_EQ(decode_header(b, FileKind::Data, "f"), h);
}

TEST(Header, Truncated) {
  const Bytes b = header_bytes({FileKind::Meta, kVersion, sample_id(), 0});
  expect_format_error([&] { decode_header(ByteView(b).first(12), FileKind::Meta, "out.h5/metafile"); },
                      "out.h5/metafile: truncated header: 12 of 64 bytes");
  expect_format_error([&] { decode_header({}, FileKind::Meta, "m"); }, "truncated header: 0 of 64");
  for (std::size_t n = 0; n < 64; ++n) {
    EXPECT_THROW(decode_header(ByteView(b).first(n), FileKind::Meta, "m"), FormatError);
  }
}

TEST(Header, WrongMagic) {
  const Bytes data = header_bytes({FileKind::Data, kVersion, sample_id(), 2});
  expect_format_error([&] { decode_header(data, FileKind::Index, "c/2.offset"); },
                      "c/2.offset: not an h5mf index file: expected magic H5MFINDX, found "
                      "H5MFDATA (an h5mf data file)");
  Bytes text = data;
  std::memcpy(text.data(), "GARBAGE!", 8);
  expect_format_error([&] { decode_header(text, FileKind::Meta, "m"); },
                      "m: not an h5mf metafile: expected magic H5MFMETA, found GARBAGE!");
  Bytes binary = data;
  for (std::size_t i = 0; i < 8; ++i) binary[i] = static_cast<std::byte>(i);
  expect_format_error([&] { decode_header(binary, FileKind::Meta, "m"); }, "found 0x0001020304050607");
  Bytes hdf5 = data;
  std::memcpy(hdf5.data(), "\x89HDF\r\n\x1a\n", 8);
  expect_format_error([&] { decode_header(hdf5, FileKind::Meta, "m"); }, "(an HDF5 file)");
}

TEST(Header, NewerVersion) {
  const Bytes b = header_bytes({FileKind::Meta, 7, sample_id(), 0});
  expect_format_error([&] { decode_header(b, FileKind::Meta, "m"); },
                      "m: written by a newer h5mf: format version 7, this build reads up to 1");
}

TEST(Header, ChecksumMismatchAndBadFields) {
  const Bytes good = header_bytes({FileKind::Meta, kVersion, sample_id(), 0});
  // Any flipped byte after the magic is caught (by the checksum, or by the version check first).
  for (std::size_t i = 8; i < 64; ++i) {
    Bytes b = good;
    b[i] ^= std::byte{0x01};
    EXPECT_THROW(decode_header(b, FileKind::Meta, "m"), FormatError) << "byte " << i;
  }
  Bytes b = good;
  b[20] ^= std::byte{0x40};
  expect_format_error([&] { decode_header(b, FileKind::Meta, "m"); }, "m: header checksum mismatch");

  // A bad header size with a valid checksum.
  Bytes sized = good;
  put_u32(sized.data() + 12, 128);
  put_u64(sized.data() + 56, checksum(ByteView(sized).first(56)));
  expect_format_error([&] { decode_header(sized, FileKind::Meta, "m"); }, "header size 128");

  const Bytes v0 = header_bytes({FileKind::Meta, 0, sample_id(), 0});
  expect_format_error([&] { decode_header(v0, FileKind::Meta, "m"); }, "format version 0");
}

TEST(Header, ContainerIdsAndHex) {
  EXPECT_EQ(to_hex(sample_id()), "101112131415161718191a1b1c1d1e1f");
  const ContainerId a = random_container_id(), b = random_container_id();
  EXPECT_NE(a, b);
  EXPECT_NE(a, ContainerId{});
  EXPECT_EQ(to_hex(a).size(), 32u);
}

// ================================ Log framing ================================

TEST(Log, KnownRecordLayout) {
  ResizeRecord r{0x0102030405060708, 0x1112131415161718, {0x2122232425262728}};
  const Bytes payload = encode(StructureRecord{r});
  ASSERT_EQ(payload.size(), 28u);
  expect_bytes(payload, 0, bytes_of({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}), "epoch");
  expect_bytes(payload, 8, bytes_of({0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11}), "id");
  expect_bytes(payload, 16, bytes_of({1, 0, 0, 0}), "rank");
  expect_bytes(payload, 20, bytes_of({0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21}), "dims");

  Bytes log = bytes_of({0xEE});  // appending must not disturb what is already there
  append_record(log, RecordType::Resize, payload);
  ASSERT_EQ(log.size(), 1u + 16 + 28);
  EXPECT_EQ(at(log, 0), 0xEEu);
  expect_bytes(log, 1 + 8, bytes_of({28, 0, 0, 0}), "length");
  expect_bytes(log, 1 + 12, bytes_of({6, 0}), "type");
  expect_bytes(log, 1 + 14, bytes_of({0, 0}), "flags");
  expect_bytes(log, 1 + 16, payload, "payload");
  expect_bytes(log, 1, le64(checksum(ByteView(log).subspan(1 + 8))), "checksum");
}

TEST(Log, KnownWriteLayout) {
  WriteRecord w;
  w.dataset = 3;
  w.epoch = 4;
  w.sequence = 5;
  w.data_offset = 64;
  w.data_length = 48;
  w.data_checksum = 0xAABBCCDDEEFF0011;
  w.selection = Selection::hyperslab({1, 2}, {3, 4}, {5, 6}, {1, 2});
  const Bytes p = encode(w);
  ASSERT_EQ(p.size(), 48u + 4 + 4 * 16);
  expect_bytes(p, 0, le64(3), "dataset");
  expect_bytes(p, 8, le64(4), "epoch");
  expect_bytes(p, 16, le64(5), "sequence");
  expect_bytes(p, 24, le64(64), "data_offset");
  expect_bytes(p, 32, le64(48), "data_length");
  expect_bytes(p, 40, le64(0xAABBCCDDEEFF0011), "data_checksum");
  expect_bytes(p, 48, bytes_of({1, 2, 0, 0}), "kind, rank, zero");
  expect_bytes(p, 52, le64(1), "start[0]");
  expect_bytes(p, 60, le64(2), "start[1]");
  expect_bytes(p, 68, le64(5), "stride[0]");
  expect_bytes(p, 76, le64(6), "stride[1]");
  expect_bytes(p, 84, le64(3), "count[0]");
  expect_bytes(p, 92, le64(4), "count[1]");
  expect_bytes(p, 100, le64(1), "block[0]");
  expect_bytes(p, 108, le64(2), "block[1]");

  w.selection = Selection::points(2, {7, 8, 9, 10});
  const Bytes q = encode(w);
  ASSERT_EQ(q.size(), 48u + 4 + 8 + 32);
  expect_bytes(q, 48, bytes_of({2, 2, 0, 0}), "kind, rank, zero");
  expect_bytes(q, 52, le64(2), "n");
  expect_bytes(q, 60, le64(7), "p0[0]");
  expect_bytes(q, 84, le64(10), "p1[1]");
}

TEST(Log, PayloadTooLarge) {
  Bytes out;
  const Bytes big(std::size_t{kMaxPayload} + 1);
  EXPECT_THROW(append_record(out, RecordType::Write, big), InvalidArgument);
  EXPECT_TRUE(out.empty());
}

struct Collected {
  std::vector<LogRecord> records;
  std::vector<LogDamage> damage;
  std::uint64_t end = 0;
};

Collected read_all(ByteView bytes, std::uint64_t base = kHeaderSize) {
  Collected c;
  c.end = read_log(
      bytes, base, [&](const LogRecord& r) { c.records.push_back(r); },
      [&](const LogDamage& d) { c.damage.push_back(d); });
  return c;
}

// A small log of varied records; `bounds` receives each record's start plus the end.
Bytes sample_log(std::vector<std::size_t>& bounds, std::vector<Bytes>& payloads) {
  payloads = {
      encode(StructureRecord{SessionRecord{1, 4, 0, 0, 0}}),    Bytes{},  // an empty payload is a valid record
      encode(StructureRecord{CreateGroupRecord{0, 1, 0, "g"}}), bytes_of({1, 2, 3, 4, 5, 6, 7}),
      encode(StructureRecord{ResizeRecord{2, 1, {10, 20}}}),
  };
  const RecordType types[] = {RecordType::Session, RecordType::Resize, RecordType::CreateGroup,
                              static_cast<RecordType>(999), RecordType::Resize};
  Bytes log;
  bounds.clear();
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    bounds.push_back(log.size());
    append_record(log, types[i], payloads[i]);
  }
  bounds.push_back(log.size());
  return log;
}

TEST(Log, CleanLog) {
  std::vector<std::size_t> bounds;
  std::vector<Bytes> payloads;
  const Bytes log = sample_log(bounds, payloads);
  const Collected c = read_all(log, 64);
  EXPECT_TRUE(c.damage.empty());
  EXPECT_EQ(c.end, 64 + log.size());
  ASSERT_EQ(c.records.size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(c.records[i].offset, 64 + bounds[i]);
    EXPECT_TRUE(
        std::equal(c.records[i].payload.begin(), c.records[i].payload.end(), payloads[i].begin(), payloads[i].end()));
    EXPECT_EQ(c.records[i].payload.data(), log.data() + bounds[i] + 16) << "points into input";
  }
  EXPECT_EQ(c.records[0].type, RecordType::Session);
  EXPECT_EQ(static_cast<unsigned>(c.records[3].type), 999u) << "unknown types pass through";

  const Collected empty = read_all({}, 64);
  EXPECT_TRUE(empty.records.empty());
  EXPECT_TRUE(empty.damage.empty());
  EXPECT_EQ(empty.end, 64u);

  // Callbacks may be empty.
  EXPECT_EQ(read_log(log, 0, nullptr, nullptr), log.size());
}

TEST(Log, CutAtEveryLength) {
  std::vector<std::size_t> bounds;
  std::vector<Bytes> payloads;
  const Bytes log = sample_log(bounds, payloads);
  for (std::size_t cut = 0; cut <= log.size(); ++cut) {
    const Collected c = read_all(ByteView(log).first(cut), 64);
    // Whole records before the cut.
    std::size_t whole = 0;
    while (whole + 1 < bounds.size() && bounds[whole + 1] <= cut) ++whole;
    ASSERT_EQ(c.records.size(), whole) << "cut " << cut;
    EXPECT_EQ(c.end, 64 + bounds[whole]) << "cut " << cut;
    if (cut == bounds[whole]) {
      EXPECT_TRUE(c.damage.empty()) << "cut " << cut;
    } else {
      ASSERT_EQ(c.damage.size(), 1u) << "cut " << cut;
      EXPECT_TRUE(c.damage[0].torn_tail) << "cut " << cut << ": " << c.damage[0].reason;
      EXPECT_EQ(c.damage[0].offset, 64 + bounds[whole]) << "cut " << cut;
      EXPECT_EQ(c.damage[0].bytes, cut - bounds[whole]) << "cut " << cut;
      EXPECT_FALSE(c.damage[0].reason.empty());
    }
  }
}

TEST(Log, EverySingleByteFlip) {
  std::vector<std::size_t> bounds;
  std::vector<Bytes> payloads;
  const Bytes log = sample_log(bounds, payloads);
  for (std::size_t i = 0; i < log.size(); ++i) {
    for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
      Bytes bad = log;
      bad[i] ^= static_cast<std::byte>(mask);
      const Collected c = read_all(bad, 64);
      std::size_t k = 0;  // the record holding the flipped byte
      while (bounds[k + 1] <= i) ++k;
      ASSERT_EQ(c.records.size(), k) << "byte " << i << " mask " << mask;
      ASSERT_EQ(c.damage.size(), 1u) << "byte " << i << " mask " << mask;
      EXPECT_EQ(c.damage[0].offset, 64 + bounds[k]) << "byte " << i;
      EXPECT_EQ(c.damage[0].bytes, log.size() - bounds[k]) << "byte " << i;
      EXPECT_EQ(c.end, 64 + bounds[k]) << "byte " << i;
      // Only a length grown past the end can look like a torn tail.
      if (c.damage[0].torn_tail) {
        EXPECT_GE(i, bounds[k] + 8) << c.damage[0].reason;
        EXPECT_LT(i, bounds[k] + 12) << c.damage[0].reason;
      }
    }
  }
}

TEST(Log, CorruptionReasons) {
  Bytes log;
  append_record(log, RecordType::Session, encode(StructureRecord{SessionRecord{1, 2, 0, 0, 0}}));
  const std::size_t first = log.size();
  append_record(log, RecordType::Resize, encode(StructureRecord{ResizeRecord{1, 1, {4}}}));

  Bytes sum = log;
  sum[first + 20] ^= std::byte{1};
  Collected c = read_all(sum);
  ASSERT_EQ(c.damage.size(), 1u);
  EXPECT_FALSE(c.damage[0].torn_tail);
  EXPECT_NE(c.damage[0].reason.find("checksum mismatch"), std::string::npos);

  Bytes flags = log;
  put_u16(flags.data() + first + 14, 1);
  c = read_all(flags);
  ASSERT_EQ(c.damage.size(), 1u);
  EXPECT_FALSE(c.damage[0].torn_tail);
  EXPECT_NE(c.damage[0].reason.find("flags"), std::string::npos);
  EXPECT_EQ(c.records.size(), 1u);
}

TEST(Log, TrailingGarbage) {
  Bytes log;
  append_record(log, RecordType::Session, encode(StructureRecord{SessionRecord{1, 2, 0, 0, 0}}));
  const std::size_t clean = log.size();
  for (std::size_t n : {1u, 5u, 15u, 16u, 40u, 1000u}) {
    for (unsigned fill : {0x00u, 0xABu, 0x07u}) {
      Bytes bad = log;
      bad.resize(clean + n, static_cast<std::byte>(fill));
      const Collected c = read_all(bad);
      ASSERT_EQ(c.records.size(), 1u);
      ASSERT_EQ(c.damage.size(), 1u);
      EXPECT_EQ(c.damage[0].offset, 64 + clean);
      EXPECT_EQ(c.damage[0].bytes, n);
      EXPECT_EQ(c.end, 64 + clean);
      if (n < 16) {
        EXPECT_TRUE(c.damage[0].torn_tail);
      }
    }
  }
}

TEST(Log, AbsurdLengthDoesNotAllocate) {
  Bytes log;
  append_record(log, RecordType::Session, encode(StructureRecord{SessionRecord{1, 2, 0, 0, 0}}));
  const std::size_t clean = log.size();
  for (std::uint32_t length : {0xFFFFFFFFu, kMaxPayload + 1, kMaxPayload}) {
    Bytes bad = log;
    append_record(bad, RecordType::Resize, bytes_of({1, 2, 3}));
    put_u32(bad.data() + clean + 8, length);
    AllocationProbe probe;
    const Collected c = read_all(bad);
    EXPECT_LT(probe.largest(), 4096u);
    ASSERT_EQ(c.records.size(), 1u);
    ASSERT_EQ(c.damage.size(), 1u);
    EXPECT_EQ(c.damage[0].offset, 64 + clean);
    EXPECT_EQ(c.damage[0].bytes, 16u + 3);
    // Beyond the maximum no writer could have written it; at the maximum it may be torn.
    EXPECT_EQ(c.damage[0].torn_tail, length == kMaxPayload) << c.damage[0].reason;
    if (length > kMaxPayload) {
      EXPECT_NE(c.damage[0].reason.find("impossible record length"), std::string::npos);
    }
  }
}

// ================================ Record payloads ================================

Bytes type_blob() { return bytes_of({0x03, 0x10, 0x20, 0x00, 0x04, 0, 0, 0}); }

std::vector<StructureRecord> sample_structure_records() {
  std::vector<StructureRecord> v;
  v.emplace_back(SessionRecord{7, 16, 0, 0, 0});
  v.emplace_back(SessionRecord{~std::uint64_t{0}, 0xFFFFFFFF, 0x80000001, 12345, 7});
  v.emplace_back(CreateGroupRecord{0, 1, 0, "group"});
  v.emplace_back(CreateGroupRecord{5, 9, 1, "ünïcode name with spaces"});
  // Contiguous, 2-D, explicit fill.
  v.emplace_back(CreateDatasetRecord{
      1, 2, 1, "temperature", type_blob(), {100, 200}, {100, 200}, bytes_of({0xFF, 0xFF, 0xFF, 0xFF}), {}, {}});
  // Chunked, unlimited, default fill.
  v.emplace_back(CreateDatasetRecord{2, 3, 0, "series", type_blob(), {0, 8}, {kUnlimited, 8}, {}, {64, 8}, {}});
  // Scalar (rank 0), empty type blob.
  v.emplace_back(CreateDatasetRecord{3, 4, 0, "scalar", {}, {}, {}, {}, {}, {}});
  // Maximum rank.
  v.emplace_back(CreateDatasetRecord{
      4, 5, 0, "deep", type_blob(), Extent(kMaxRank, 2), Extent(kMaxRank, kUnlimited), {}, Extent(kMaxRank, 1), {}});
  // Chunked with a filter pipeline (shuffle, deflate 6, fletcher32, a plugin with values).
  v.emplace_back(CreateDatasetRecord{4,
                                     6,
                                     0,
                                     "packed",
                                     type_blob(),
                                     {100, 3},
                                     {kUnlimited, 3},
                                     {},
                                     {10, 3},
                                     {{2, 1, {}}, {1, 1, {6}}, {3, 0, {}}, {32001, 1, {0, 0, 0, 0, 4, 2, 1}}}});
  v.emplace_back(SetAttributeRecord{5, 2, "units", type_blob(), {}, bytes_of("kelvin")});
  v.emplace_back(SetAttributeRecord{6, 0, "matrix", type_blob(), {2, 3}, Bytes(24, std::byte{7})});
  v.emplace_back(SetAttributeRecord{7, 0, "empty", type_blob(), {0}, {}});
  // HDF5's null dataspace (h5py's Empty): the trailing flags.
  v.emplace_back(CreateDatasetRecord{4, 7, 0, "null", type_blob(), {}, {}, bytes_of({1, 0, 0, 0}), {}, {}, true});
  v.emplace_back(SetAttributeRecord{7, 0, "null", type_blob(), {}, {}, true});
  // Variable-length elements as the value (slots, then bytes): flagged.
  v.emplace_back(SetAttributeRecord{7,
                                    0,
                                    "vlen",
                                    type_blob(),
                                    {1},
                                    bytes_of({16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9}),
                                    false,
                                    std::nullopt,
                                    true});
  // A variable-length fill value: flagged, so that older builds see damage.
  v.emplace_back(CreateDatasetRecord{
      4, 8, 0, "vfill", type_blob(), {3}, {kUnlimited}, bytes_of({2, 0, 0, 0, 'x', 'y'}), {2}, {}, false, true});
  v.emplace_back(DeleteAttributeRecord{8, 2, "units"});
  v.emplace_back(ResizeRecord{9, 3, {128, 8}});
  v.emplace_back(ResizeRecord{10, 4, {}});
  v.emplace_back(BaseRecord{"coords.hdf5", 123456, 1'700'000'000'123'456'789});
  v.emplace_back(LinkRecord{11, 1, "alias", 3});
  v.emplace_back(OpenedRecord{2});
  v.emplace_back(UnlinkRecord{12, 1, "alias"});
  v.emplace_back(MoveRecord{13, 0, "group", 9, "renamed"});
  v.emplace_back(SoftLinkRecord{14, 1, "soft", "../relative/and spaces"});
  v.emplace_back(ExternalLinkRecord{15, 0, "ext", "other file.h5", "/x/y"});
  v.emplace_back(DimensionScaleRecord{16, 2, kMaxRank - 1, 3, true});
  v.emplace_back(DimensionScaleRecord{17, 2, 0, 3, false});
  v.emplace_back(DimensionLabelRecord{18, 2, 1, "ünïcode label"});
  v.emplace_back(NamedTypeRecord{19, 1, "named", type_blob()});
  return v;
}

std::vector<WriteRecord> sample_write_records() {
  std::vector<WriteRecord> v;
  WriteRecord w;
  w.dataset = 2;
  w.epoch = 3;
  w.sequence = 4;
  w.data_offset = 64;
  w.data_length = 80;
  w.data_checksum = 0x1234;
  w.selection = Selection::hyperslab({0, 10}, {2, 5});
  v.push_back(w);
  w.selection = Selection::hyperslab({1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {1, 2, 3});
  v.push_back(w);
  w.selection = Selection::hyperslab({}, {});  // rank 0: a scalar dataset
  v.push_back(w);
  w.selection = Selection::hyperslab({5}, {0});  // an empty selection
  v.push_back(w);
  w.selection = Selection::hyperslab({5}, {1}, {1}, {100});  // block > stride is fine with count 1
  v.push_back(w);
  w.selection = Selection::points({{1, 2}, {3, 4}, {0, 0}});
  v.push_back(w);
  w.selection = Selection::points(1, {9});
  v.push_back(w);
  w.selection = Selection::points(3, {});  // no points
  v.push_back(w);
  w.selection = Selection::points(0, {});
  v.push_back(w);
  w.selection = Selection::hyperslab(Extent(kMaxRank, 0), Extent(kMaxRank, 1));
  w.data_offset = ~std::uint64_t{0} - 5;
  w.data_length = 5;
  v.push_back(w);
  return v;
}

TEST(Records, StructureRoundTrip) {
  for (const StructureRecord& r : sample_structure_records()) {
    const Bytes payload = encode(r);
    EXPECT_LE(payload.size(), kMaxPayload);
    const StructureRecord back = decode_structure(record_type(r), payload, "m");
    EXPECT_EQ(back, r) << "type " << static_cast<int>(record_type(r));
    // Through the log too.
    Bytes log;
    append_record(log, record_type(r), payload);
    const Collected c = read_all(log);
    ASSERT_EQ(c.records.size(), 1u);
    EXPECT_EQ(decode_structure(c.records[0].type, c.records[0].payload, "m"), r);
  }
}

TEST(Records, RecordTypes) {
  EXPECT_EQ(record_type(SessionRecord{}), RecordType::Session);
  EXPECT_EQ(record_type(CreateGroupRecord{}), RecordType::CreateGroup);
  EXPECT_EQ(record_type(CreateDatasetRecord{}), RecordType::CreateDataset);
  EXPECT_EQ(record_type(SetAttributeRecord{}), RecordType::SetAttribute);
  EXPECT_EQ(record_type(DeleteAttributeRecord{}), RecordType::DeleteAttribute);
  EXPECT_EQ(record_type(ResizeRecord{}), RecordType::Resize);
  EXPECT_EQ(record_type(BaseRecord{}), RecordType::Base);
  EXPECT_EQ(record_type(LinkRecord{}), RecordType::Link);
  EXPECT_EQ(record_type(OpenedRecord{}), RecordType::Opened);
}

TEST(Records, LinkNamesAreSingleLinkNames) {
  EXPECT_THROW(encode(StructureRecord{LinkRecord{1, 0, "a/b", 1}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{LinkRecord{1, 0, "", 1}}), InvalidArgument);
  // Type 8 is LINK: epoch, parent, name, target.
  const Bytes payload = encode(StructureRecord{LinkRecord{5, 2, "x", 9}});
  EXPECT_EQ(payload.size(), 8u + 8u + 4u + 1u + 8u);
  EXPECT_EQ(decode_structure(RecordType::Link, payload, "test"), StructureRecord(LinkRecord{5, 2, "x", 9}));
}

TEST(Records, UnlinkAndMoveNameSingleLinks) {
  EXPECT_THROW(encode(StructureRecord{UnlinkRecord{1, 0, "a/b"}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{MoveRecord{1, 0, "a", 0, ""}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{MoveRecord{1, 0, "..", 0, "b"}}), InvalidArgument);
  EXPECT_EQ(record_type(UnlinkRecord{}), RecordType::Unlink);
  EXPECT_EQ(record_type(MoveRecord{}), RecordType::Move);
  // Type 10 is UNLINK: epoch, parent, name; type 11 MOVE: epoch, parent, name, new parent, new name.
  EXPECT_EQ(static_cast<unsigned>(RecordType::Unlink), 10u);
  EXPECT_EQ(static_cast<unsigned>(RecordType::Move), 11u);
  const Bytes unlink = encode(StructureRecord{UnlinkRecord{5, 2, "x"}});
  EXPECT_EQ(unlink.size(), 8u + 8u + 4u + 1u);
  EXPECT_EQ(decode_structure(RecordType::Unlink, unlink, "test"), StructureRecord(UnlinkRecord{5, 2, "x"}));
  const Bytes move = encode(StructureRecord{MoveRecord{6, 2, "x", 3, "yz"}});
  EXPECT_EQ(move.size(), 8u + 8u + 4u + 1u + 8u + 4u + 2u);
  EXPECT_EQ(decode_structure(RecordType::Move, move, "test"), StructureRecord(MoveRecord{6, 2, "x", 3, "yz"}));
  expect_format_error([&] { decode_structure(RecordType::Unlink, Bytes(unlink.begin(), unlink.end() - 1), "m"); },
                      "m: UNLINK record");
}

TEST(Records, NamedTypeHoldsItsType) {
  EXPECT_EQ(static_cast<unsigned>(RecordType::NamedType), 20u);
  EXPECT_EQ(record_type(NamedTypeRecord{}), RecordType::NamedType);
  EXPECT_THROW(encode(StructureRecord{NamedTypeRecord{1, 0, "t", {}}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{NamedTypeRecord{1, 0, "a/b", type_blob()}}), InvalidArgument);
  // NAMED_TYPE: epoch, parent, name, type.
  const Bytes named = encode(StructureRecord{NamedTypeRecord{5, 2, "t", type_blob()}});
  EXPECT_EQ(named.size(), 8u + 8u + 4u + 1u + 4u + type_blob().size());
  EXPECT_EQ(decode_structure(RecordType::NamedType, named, "t"),
            StructureRecord(NamedTypeRecord{5, 2, "t", type_blob()}));
  // Without a type it does not decode: damage, not a datatype.
  const Bytes no_type = [] {
    Bytes b;
    Encoder out(b);
    out.u64(1);
    out.u64(0);
    out.str("t");
    out.blob({});
    return b;
  }();
  EXPECT_THROW(decode_structure(RecordType::NamedType, no_type, "t"), FormatError);
}

TEST(Records, SoftAndExternalLinksHoldTheirValues) {
  EXPECT_EQ(static_cast<unsigned>(RecordType::SoftLink), 12u);
  EXPECT_EQ(static_cast<unsigned>(RecordType::ExternalLink), 13u);
  EXPECT_EQ(record_type(SoftLinkRecord{}), RecordType::SoftLink);
  EXPECT_EQ(record_type(ExternalLinkRecord{}), RecordType::ExternalLink);
  EXPECT_THROW(encode(StructureRecord{SoftLinkRecord{1, 0, "s", ""}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{SoftLinkRecord{1, 0, "a/b", "/x"}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{ExternalLinkRecord{1, 0, "e", "", "/x"}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{ExternalLinkRecord{1, 0, "e", "f.h5", std::string("/x\0y", 4)}}),
               InvalidArgument);
  // SOFT_LINK: epoch, parent, name, path; EXTERNAL_LINK: epoch, parent, name, file, path.
  const Bytes soft = encode(StructureRecord{SoftLinkRecord{5, 2, "s", "/a/b"}});
  EXPECT_EQ(soft.size(), 8u + 8u + 4u + 1u + 4u + 4u);
  EXPECT_EQ(decode_structure(RecordType::SoftLink, soft, "t"), StructureRecord(SoftLinkRecord{5, 2, "s", "/a/b"}));
  const Bytes ext = encode(StructureRecord{ExternalLinkRecord{6, 0, "e", "o.h5", "/x"}});
  EXPECT_EQ(ext.size(), 8u + 8u + 4u + 1u + 4u + 4u + 4u + 2u);
  EXPECT_EQ(decode_structure(RecordType::ExternalLink, ext, "t"),
            StructureRecord(ExternalLinkRecord{6, 0, "e", "o.h5", "/x"}));
  // An empty value does not decode: damage, not a link.
  const Bytes empty_path = [] {
    Bytes b;
    Encoder out(b);
    out.u64(1);
    out.u64(0);
    out.str("s");
    out.str("");
    return b;
  }();
  expect_format_error([&] { decode_structure(RecordType::SoftLink, empty_path, "m"); }, "m: SOFT_LINK record");
}

TEST(Records, DimensionScalesAndLabels) {
  EXPECT_EQ(static_cast<unsigned>(RecordType::DimensionScale), 14u);
  EXPECT_EQ(static_cast<unsigned>(RecordType::DimensionLabel), 15u);
  // DIMENSION_SCALE: epoch, dataset, u32 dim, scale, u8 attach; DIMENSION_LABEL: epoch, dataset, dim, label.
  const DimensionScaleRecord attach{5, 3, 1, 4, true};
  const Bytes a = encode(StructureRecord{attach});
  ASSERT_EQ(a.size(), 8u + 8u + 4u + 8u + 1u);
  EXPECT_EQ(a.back(), std::byte{1});
  EXPECT_EQ(decode_structure(RecordType::DimensionScale, a, "t"), StructureRecord(attach));
  const DimensionScaleRecord detach{6, 3, 0, 4, false};
  EXPECT_EQ(decode_structure(RecordType::DimensionScale, encode(StructureRecord{detach}), "t"),
            StructureRecord(detach));
  const DimensionLabelRecord label{7, 3, 1, ""};  // an empty label is a label
  const Bytes l = encode(StructureRecord{label});
  EXPECT_EQ(l.size(), 8u + 8u + 4u + 4u);
  EXPECT_EQ(decode_structure(RecordType::DimensionLabel, l, "t"), StructureRecord(label));
  EXPECT_THROW(encode(StructureRecord{DimensionLabelRecord{1, 0, 0, std::string("a\0b", 3)}}), InvalidArgument);
  Bytes bad_flag = a;
  bad_flag.back() = std::byte{2};
  expect_format_error([&] { decode_structure(RecordType::DimensionScale, bad_flag, "m"); },
                      "m: DIMENSION_SCALE record");
  const Bytes bad_dim = encode(StructureRecord{DimensionLabelRecord{1, 0, 40, "x"}});  // beyond any rank
  expect_format_error([&] { decode_structure(RecordType::DimensionLabel, bad_dim, "m"); }, "m: DIMENSION_LABEL record");
}

TEST(Records, BaseFileIsOneNameBesideTheContainer) {
  EXPECT_THROW(encode(StructureRecord{BaseRecord{"../elsewhere.h5", 1, 1}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{BaseRecord{"", 1, 1}}), InvalidArgument);
}

// Field by field: Selection's defaulted operator== is deleted while Hyperslab has none (see
// include/h5mf/selection.hpp), and with it WriteRecord's.
void expect_same(const Selection& a, const Selection& b) {
  EXPECT_EQ(a.kind(), b.kind());
  EXPECT_EQ(a.rank(), b.rank());
  EXPECT_EQ(a.slab().start, b.slab().start);
  EXPECT_EQ(a.slab().stride, b.slab().stride);
  EXPECT_EQ(a.slab().count, b.slab().count);
  EXPECT_EQ(a.slab().block, b.slab().block);
  EXPECT_EQ(a.flat_points(), b.flat_points());
  EXPECT_EQ(a.describe(), b.describe());
}

void expect_same(const WriteRecord& a, const WriteRecord& b) {
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.data_offset, b.data_offset);
  EXPECT_EQ(a.data_length, b.data_length);
  EXPECT_EQ(a.data_checksum, b.data_checksum);
  expect_same(a.selection, b.selection);
}

TEST(Records, WriteRoundTrip) {
  for (const WriteRecord& w : sample_write_records()) {
    SCOPED_TRACE(w.selection.describe());
    const Bytes payload = encode(w);
    expect_same(decode_write(payload, "i"), w);
    Bytes log;
    append_record(log, RecordType::Write, payload);
    const Collected c = read_all(log);
    ASSERT_EQ(c.records.size(), 1u);
    EXPECT_EQ(c.records[0].type, RecordType::Write);
    expect_same(decode_write(c.records[0].payload, "i"), w);
  }
}

TEST(Records, WriteFromRoundTripAndLayout) {
  for (const WriteRecord& w : sample_write_records()) {
    SCOPED_TRACE(w.selection.describe());
    const WriteFromRecord from{0xA1B2C3D4u, w};
    const Bytes payload = encode(from);
    // u32 writer, then exactly WRITE's payload.
    expect_bytes(payload, 0, bytes_of({0xD4, 0xC3, 0xB2, 0xA1}), "writer");
    EXPECT_EQ(Bytes(payload.begin() + 4, payload.end()), encode(w));
    const WriteFromRecord back = decode_write_from(payload, "i");
    EXPECT_EQ(back.writer, 0xA1B2C3D4u);
    expect_same(back.write, w);
    Bytes log;
    append_record(log, RecordType::WriteFrom, payload);
    const Collected c = read_all(log);
    ASSERT_EQ(c.records.size(), 1u);
    EXPECT_EQ(c.records[0].type, RecordType::WriteFrom);
    EXPECT_EQ(static_cast<unsigned>(c.records[0].type), 17u);
    for (std::size_t n = 0; n < payload.size(); ++n) {
      EXPECT_THROW(decode_write_from(ByteView(payload).first(n), "i"), FormatError) << "cut at " << n;
    }
    Bytes longer = payload;
    longer.push_back(std::byte{0});
    expect_format_error([&] { decode_write_from(longer, "i"); }, "trailing bytes");
  }
  // Not a structure record.
  expect_format_error([&] { decode_structure(RecordType::WriteFrom, Bytes(8), "m"); }, "not a structure record");
}

TEST(Records, AggregatedSessionLayout) {
  const SessionRecord r{2, 64, kSessionAggregated, 9, 4};
  const Bytes p = encode(StructureRecord{r});
  EXPECT_EQ(p, bytes_of({2, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0}));
  EXPECT_EQ(std::get<SessionRecord>(decode_structure(RecordType::Session, p, "m")), r);
  // More data files than writers, or none, cannot be.
  for (std::uint32_t files : {0u, 65u}) {
    Bytes bad = p;
    bad[24] = static_cast<std::byte>(files);
    expect_format_error([&] { decode_structure(RecordType::Session, bad, "m"); }, "data files for 64 writers");
  }
}

TEST(Records, KnownCreateDatasetLayout) {
  const CreateDatasetRecord r{1, 2, 3, "ab", bytes_of({9}), {4}, {kUnlimited}, {}, {2}, {}};
  const Bytes p = encode(StructureRecord{r});
  ASSERT_EQ(p.size(), 24u + 4 + 2 + 4 + 1 + 4 + 8 + 8 + 4 + 4 + 8);
  expect_bytes(p, 0, le64(1), "epoch");
  expect_bytes(p, 8, le64(2), "id");
  expect_bytes(p, 16, le64(3), "parent");
  expect_bytes(p, 24, bytes_of({2, 0, 0, 0, 'a', 'b'}), "name");
  expect_bytes(p, 30, bytes_of({1, 0, 0, 0, 9}), "type");
  expect_bytes(p, 35, bytes_of({1, 0, 0, 0}), "rank");
  expect_bytes(p, 39, le64(4), "dims");
  expect_bytes(p, 47, le64(kUnlimited), "maxdims");
  expect_bytes(p, 55, bytes_of({0, 0, 0, 0}), "fill");
  expect_bytes(p, 59, bytes_of({1, 0, 0, 0}), "chunk_rank");
  expect_bytes(p, 63, le64(2), "chunk");
}

TEST(Records, KnownSessionLayout) {
  const Bytes p = encode(StructureRecord{SessionRecord{0x0A, 0x0B, 0x0C, 0x0D, 0}});
  EXPECT_EQ(p, bytes_of({0x0A, 0, 0, 0, 0, 0, 0, 0, 0x0B, 0, 0, 0, 0x0C, 0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Records, InvalidNamesRejectedOnEncode) {
  for (const char* bad : {"", ".", "..", "a/b", "/"}) {
    EXPECT_THROW(encode(StructureRecord{CreateGroupRecord{0, 1, 0, bad}}), InvalidArgument) << bad;
    EXPECT_THROW(encode(StructureRecord{DeleteAttributeRecord{0, 1, bad}}), InvalidArgument) << bad;
    CreateDatasetRecord d;
    d.name = bad;
    EXPECT_THROW(encode(StructureRecord{d}), InvalidArgument) << bad;
    SetAttributeRecord a;
    a.name = bad;
    EXPECT_THROW(encode(StructureRecord{a}), InvalidArgument) << bad;
  }
  EXPECT_THROW(encode(StructureRecord{CreateGroupRecord{0, 1, 0, std::string("a\0b", 3)}}), InvalidArgument);
  // Names that merely look odd are fine.
  for (const char* ok : {"...", ".a", "a.", " ", "a b"}) {
    EXPECT_NO_THROW(encode(StructureRecord{CreateGroupRecord{0, 1, 0, ok}})) << ok;
  }
}

// A CREATE_GROUP payload with an arbitrary (possibly invalid) name.
Bytes raw_group(std::string_view name) {
  Bytes p;
  Encoder e(p);
  e.u64(0);
  e.u64(1);
  e.u64(0);
  e.str(name);
  return p;
}

TEST(Records, InvalidNamesRejectedOnDecode) {
  for (std::string bad :
       {std::string(""), std::string("."), std::string(".."), std::string("x/y"), std::string("a\0b", 3)}) {
    expect_format_error([&] { decode_structure(RecordType::CreateGroup, raw_group(bad), "m at offset 64"); },
                        "m at offset 64: CREATE_GROUP record: field 'name'");
  }
  EXPECT_EQ(std::get<CreateGroupRecord>(decode_structure(RecordType::CreateGroup, raw_group("ok"), "m")).name, "ok");
}

TEST(Records, InvalidShapesRejectedOnEncode) {
  CreateDatasetRecord d{0, 1, 0, "d", type_blob(), {1, 2}, {1}, {}, {}, {}};
  EXPECT_THROW(encode(StructureRecord{d}), InvalidArgument);  // maxdims rank differs
  d.maxdims = {1, 2};
  d.chunk = {1};
  EXPECT_THROW(encode(StructureRecord{d}), InvalidArgument);  // chunk rank differs
  d.chunk = {};
  d.dims = Extent(kMaxRank + 1, 1);
  d.maxdims = d.dims;
  EXPECT_THROW(encode(StructureRecord{d}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{ResizeRecord{0, 1, Extent(kMaxRank + 1, 1)}}), InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{SetAttributeRecord{0, 1, "a", {}, Extent(kMaxRank + 1, 1), {}}}),
               InvalidArgument);

  WriteRecord w;
  w.selection = Selection::all();
  EXPECT_THROW(encode(w), InvalidArgument);
  w.selection = Selection::hyperslab({0}, {2}, {1}, {2});  // overlapping blocks
  EXPECT_THROW(encode(w), InvalidArgument);
  w.selection = Selection::points(kMaxRank + 1, Extent(kMaxRank + 1, 0));
  EXPECT_THROW(encode(w), InvalidArgument);
}

TEST(Records, DecodeStructureRejectsWriteAndUnknownTypes) {
  const Bytes w = encode(sample_write_records()[0]);
  expect_format_error([&] { decode_structure(RecordType::Write, w, "m at offset 64"); },
                      "m at offset 64: WRITE record: a WRITE record is not a structure record");
  for (unsigned t : {0u, 21u, 0xFFFFu}) {
    expect_format_error([&] { decode_structure(static_cast<RecordType>(t), {}, "m"); },
                        "m: record type " + std::to_string(t));
  }
  // A file-image container's index records are not structure records either.
  expect_format_error([&] { decode_structure(RecordType::Range, {}, "m"); }, "m: RANGE record");
  expect_format_error([&] { decode_structure(RecordType::End, {}, "m"); }, "m: END record");
}

TEST(Records, TrailingBytesRejected) {
  for (const StructureRecord& r : sample_structure_records()) {
    Bytes p = encode(r);
    p.push_back(std::byte{0});
    expect_format_error([&] { decode_structure(record_type(r), p, "m"); }, "trailing bytes");
  }
  for (const WriteRecord& w : sample_write_records()) {
    Bytes p = encode(w);
    p.push_back(std::byte{0});
    expect_format_error([&] { decode_write(p, "i"); }, "trailing bytes");
  }
}

std::size_t filterless_size(CreateDatasetRecord d) {
  d.filters.clear();
  d.null = false;
  d.variable_length_fill = false;
  return encode(StructureRecord{d}).size();
}

TEST(Records, FilterPipelineIsATrailingField) {
  CreateDatasetRecord d{1, 2, 0, "z", type_blob(), {10}, {10}, {}, {4}, {{1, 1, {9}}, {3, 0, {}}}};
  const Bytes with = encode(StructureRecord{d});
  // The known layout after the chunk: nfilters, then id, flags, n, values per filter.
  const std::size_t at = filterless_size(d);
  ASSERT_EQ(with.size(), at + 4 + 16 + 12);
  expect_bytes(with, at, bytes_of({2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0}), "nfilters, deflate");
  expect_bytes(with, at + 20, bytes_of({3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "fletcher32");
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, with, "m")), d);
  // A record of a container written before pipelines existed (and one without filters, which is
  // encoded the same way) decodes as unfiltered.
  const Bytes old(with.begin(), with.begin() + static_cast<std::ptrdiff_t>(at));
  const auto decoded = std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, old, "m"));
  EXPECT_TRUE(decoded.filters.empty());
  d.filters.clear();
  EXPECT_EQ(decoded, d);
  EXPECT_EQ(encode(StructureRecord{d}), old);
  // Filters on a contiguous dataset are refused both ways.
  CreateDatasetRecord contiguous{1, 2, 0, "c", type_blob(), {10}, {10}, {}, {}, {{1, 1, {9}}}};
  EXPECT_THROW(encode(StructureRecord{contiguous}), InvalidArgument);
  Bytes forged = old;
  forged.resize(forged.size() - 12);  // chunk_rank 1 + chunk -> chunk_rank 0
  forged.insert(forged.end(), {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}});
  forged.insert(forged.end(), with.begin() + static_cast<std::ptrdiff_t>(at), with.end());
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, forged, "m"); }, "contiguous");
  // An impossible count is refused before anything is allocated.
  Bytes huge = old;
  huge.insert(huge.end(), {std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0x7f}});
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, huge, "m"); }, "nfilters");
}

TEST(Records, NullDataspaceIsATrailingFlag) {
  // CREATE_DATASET: nfilters (0), then u32 flags with bit 0; without it, the bytes of a scalar.
  CreateDatasetRecord d{1, 2, 0, "e", type_blob(), {}, {}, {}, {}, {}, true};
  const Bytes with = encode(StructureRecord{d});
  CreateDatasetRecord scalar = d;
  scalar.null = false;
  const Bytes plain = encode(StructureRecord{scalar});
  ASSERT_EQ(with.size(), plain.size() + 8);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), with.begin())) << "a scalar's bytes, then nfilters and flags";
  expect_bytes(with, plain.size(), bytes_of({0, 0, 0, 0, 1, 0, 0, 0}), "nfilters 0, flags 1");
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, with, "m")), d);
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, plain, "m")), scalar);
  // SET_ATTRIBUTE: u32 flags after the value.
  SetAttributeRecord a{1, 0, "e", type_blob(), {}, {}, true};
  const Bytes attr = encode(StructureRecord{a});
  SetAttributeRecord scalar_attr = a;
  scalar_attr.null = false;
  const Bytes attr_plain = encode(StructureRecord{scalar_attr});
  ASSERT_EQ(attr.size(), attr_plain.size() + 4);
  expect_bytes(attr, attr_plain.size(), bytes_of({1, 0, 0, 0}), "flags 1");
  EXPECT_EQ(std::get<SetAttributeRecord>(decode_structure(RecordType::SetAttribute, attr, "m")), a);

  // A null dataspace has rank 0, no chunks, no filters, no attribute value: refused both ways.
  EXPECT_THROW(encode(StructureRecord{CreateDatasetRecord{1, 2, 0, "e", type_blob(), {3}, {3}, {}, {}, {}, true}}),
               InvalidArgument);
  EXPECT_THROW(encode(StructureRecord{SetAttributeRecord{1, 0, "e", type_blob(), {}, bytes_of({1}), true}}),
               InvalidArgument);
  const CreateDatasetRecord ranked{1, 2, 0, "e", type_blob(), {3}, {3}, {}, {}, {}};
  Bytes forged = encode(StructureRecord{ranked});
  forged.insert(forged.end(), {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0},
                               std::byte{0}, std::byte{0}});
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, forged, "m"); }, "null dataspace");
  Bytes valued = encode(StructureRecord{SetAttributeRecord{1, 0, "e", type_blob(), {}, bytes_of({7}), false}});
  valued.insert(valued.end(), {std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0}});
  expect_format_error([&] { decode_structure(RecordType::SetAttribute, valued, "m"); }, "null dataspace");

  // Damage: a truncated flags field is trailing bytes, unknown bits are refused.
  for (const auto& [type, bytes] :
       {std::pair{RecordType::CreateDataset, with}, std::pair{RecordType::SetAttribute, attr}}) {
    for (std::size_t cut = 1; cut < 4; ++cut) {
      expect_format_error([&] { decode_structure(type, ByteView(bytes).first(bytes.size() - cut), "m"); },
                          "trailing bytes");
    }
    Bytes garbled = bytes;
    garbled[garbled.size() - 2] = std::byte{0x40};
    expect_format_error([&] { decode_structure(type, garbled, "m"); }, "unknown bits");
  }
}

TEST(Records, NamedTypesHaveIdsThatDatasetsName) {
  // NAMED_TYPE: a trailing u64 id after the type; without it, the bytes of an older record.
  const NamedTypeRecord old{5, 2, "t", type_blob()};
  NamedTypeRecord with_id = old;
  with_id.id = 7;
  const Bytes plain = encode(StructureRecord{old});
  const Bytes named = encode(StructureRecord{with_id});
  ASSERT_EQ(named.size(), plain.size() + 8);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), named.begin()));
  expect_bytes(named, plain.size(), bytes_of({7, 0, 0, 0, 0, 0, 0, 0}), "id 7");
  EXPECT_EQ(std::get<NamedTypeRecord>(decode_structure(RecordType::NamedType, named, "m")), with_id);
  EXPECT_EQ(std::get<NamedTypeRecord>(decode_structure(RecordType::NamedType, plain, "m")), old);
  for (std::size_t cut = 1; cut < 8; ++cut) {  // a torn id: trailing bytes
    expect_format_error(
        [&] { decode_structure(RecordType::NamedType, ByteView(named).first(named.size() - cut), "m"); },
        "trailing bytes");
  }
  Bytes longer = named;
  longer.push_back(std::byte{0});
  expect_format_error([&] { decode_structure(RecordType::NamedType, longer, "m"); }, "trailing bytes");

  // CREATE_DATASET: flag bit 3 (value 8), then u64 named_type after the flags.
  CreateDatasetRecord d{1, 9, 0, "d", type_blob(), {4}, {4}, {}, {}, {}};
  const Bytes unlinked = encode(StructureRecord{d});
  d.named_type = 7;
  const Bytes linked = encode(StructureRecord{d});
  ASSERT_EQ(linked.size(), unlinked.size() + 4 + 4 + 8);
  EXPECT_TRUE(std::equal(unlinked.begin(), unlinked.end(), linked.begin())) << "unlinked bytes, then the link";
  expect_bytes(linked, unlinked.size(), bytes_of({0, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}),
               "nfilters 0, flags 8, named_type 7");
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, linked, "m")), d);
  // With filters and a null dataspace too: the id follows the flags.
  CreateDatasetRecord e{1, 9, 0, "e", type_blob(), {}, {}, {}, {}, {}, true};
  e.named_type = 3;
  const Bytes null_linked = encode(StructureRecord{e});
  expect_bytes(null_linked, null_linked.size() - 12, bytes_of({9, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}),
               "flags 9, named_type 3");
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, null_linked, "m")), e);
  // Damage: the flag without its id (or a torn one), or an id without the flag.
  for (std::size_t cut = 1; cut <= 8; ++cut) {
    expect_format_error(
        [&] { decode_structure(RecordType::CreateDataset, ByteView(linked).first(linked.size() - cut), "m"); },
        "named_type");
  }
  Bytes unflagged = linked;
  unflagged[unlinked.size() + 4] = std::byte{1};  // flags 1: a null dataspace, then 8 trailing bytes
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, unflagged, "m"), FormatError);
  // Older builds refuse the unknown bit 3 (damage, not a misread); bytes after the id are trailing.
  Bytes after = linked;
  after.push_back(std::byte{0});
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, after, "m"); }, "trailing bytes");
}

TEST(Records, AttributesNameTheirNamedType) {
  // SET_ATTRIBUTE: flag bit 3 (value 8), then u64 named_type after the flags.
  SetAttributeRecord a{1, 0, "a", type_blob(), {2}, bytes_of({1, 2, 3, 4, 5, 6, 7, 8}), false};
  const Bytes plain = encode(StructureRecord{a});
  a.named_type = 7;
  const Bytes linked = encode(StructureRecord{a});
  ASSERT_EQ(linked.size(), plain.size() + 4 + 8);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), linked.begin()));
  expect_bytes(linked, plain.size(), bytes_of({8, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}), "flags 8, named_type 7");
  EXPECT_EQ(std::get<SetAttributeRecord>(decode_structure(RecordType::SetAttribute, linked, "m")), a);
  SetAttributeRecord e{1, 0, "e", type_blob(), {}, {}, true};  // h5py's Empty of a named type
  e.named_type = 3;
  const Bytes null_linked = encode(StructureRecord{e});
  expect_bytes(null_linked, null_linked.size() - 12, bytes_of({9, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}),
               "flags 9, named_type 3");
  EXPECT_EQ(std::get<SetAttributeRecord>(decode_structure(RecordType::SetAttribute, null_linked, "m")), e);
  // Damage: the flag without its id (or a torn one), bytes after it.
  for (std::size_t cut = 1; cut <= 8; ++cut) {
    expect_format_error(
        [&] { decode_structure(RecordType::SetAttribute, ByteView(linked).first(linked.size() - cut), "m"); },
        "named_type");
  }
  Bytes after = linked;
  after.push_back(std::byte{0});
  expect_format_error([&] { decode_structure(RecordType::SetAttribute, after, "m"); }, "trailing bytes");
}

TEST(Records, EveryTruncationRejected) {
  for (const StructureRecord& r : sample_structure_records()) {
    const Bytes p = encode(r);
    for (std::size_t n = 0; n < p.size(); ++n) {
      // Cut just before its filter pipeline, a CREATE_DATASET is one written without filters.
      const auto* d = std::get_if<CreateDatasetRecord>(&r);
      if (d && !d->filters.empty() && n == filterless_size(*d)) continue;
      // Cut before its flags, a flagged one is a record without flags (with nfilters 0 too): as
      // written before flags.
      if (d && (d->null || d->variable_length_fill) && (n == filterless_size(*d) || n == filterless_size(*d) + 4)) {
        continue;
      }
      const auto* a = std::get_if<SetAttributeRecord>(&r);
      if (a && (a->null || a->variable_length_elements) && n + 4 == p.size()) continue;
      EXPECT_THROW(decode_structure(record_type(r), ByteView(p).first(n), "m"), FormatError)
          << "type " << static_cast<int>(record_type(r)) << " cut at " << n;
    }
  }
  for (const WriteRecord& w : sample_write_records()) {
    const Bytes p = encode(w);
    for (std::size_t n = 0; n < p.size(); ++n) {
      EXPECT_THROW(decode_write(ByteView(p).first(n), "i"), FormatError) << "cut at " << n;
    }
  }
}

TEST(Records, TruncationMessageNamesContextAndField) {
  WriteRecord w;
  w.selection = Selection::hyperslab({0, 0}, {1, 1});
  const Bytes p = encode(w);
  // Cut inside `count`: 48 fixed bytes, 4 selection header bytes, start and stride of rank 2.
  expect_format_error([&] { decode_write(ByteView(p).first(48 + 4 + 32 + 8), "output.h5/3.offset at offset 4096"); },
                      "output.h5/3.offset at offset 4096: WRITE record: field 'count' truncated");
}

// Builds a WRITE payload with an arbitrary selection header and body.
Bytes raw_write(unsigned kind, unsigned rank, unsigned zero, const Bytes& body) {
  Bytes p;
  Encoder e(p);
  for (int i = 0; i < 6; ++i) e.u64(0);
  e.u8(static_cast<std::uint8_t>(kind));
  e.u8(static_cast<std::uint8_t>(rank));
  e.u16(static_cast<std::uint16_t>(zero));
  e.raw(body);
  return p;
}

TEST(Records, BadSelectionsRejected) {
  expect_format_error([&] { decode_write(raw_write(0, 1, 0, Bytes(32)), "i"); }, "unknown kind 0");
  expect_format_error([&] { decode_write(raw_write(3, 1, 0, Bytes(32)), "i"); }, "unknown kind 3");
  expect_format_error([&] { decode_write(raw_write(1, 33, 0, Bytes(33 * 32)), "i"); }, "rank 33 exceeds");
  expect_format_error([&] { decode_write(raw_write(1, 1, 1, Bytes(32)), "i"); }, "must be zero");

  // Overlapping hyperslab blocks: start 0, stride 1, count 2, block 2.
  Bytes slab;
  for (std::uint64_t v : {0, 1, 2, 2}) {
    const Bytes b = le64(v);
    slab.insert(slab.end(), b.begin(), b.end());
  }
  expect_format_error([&] { decode_write(raw_write(1, 1, 0, slab), "i"); }, "blocks overlap");

  // Point counts that the remaining bytes cannot hold, including ones whose size overflows.
  for (std::uint64_t n : {std::uint64_t{2}, std::uint64_t{1} << 61, ~std::uint64_t{0}}) {
    Bytes body = le64(n);
    body.resize(body.size() + 8 * 3);  // room for exactly one point of rank 3
    AllocationProbe probe;
    expect_format_error([&] { decode_write(raw_write(2, 3, 0, body), "i"); }, "field 'n'");
    EXPECT_LT(probe.largest(), 4096u);
  }
  expect_format_error([&] { decode_write(raw_write(2, 0, 0, le64(5)), "i"); }, "points of rank 0");

  // Found by fuzz/records_fuzzer.cpp: selections reaching past coordinate 2^64 - 2 have a bounding
  // box that wraps to an empty one, which hid the write from every read without a damage report.
  const std::uint64_t max = ~std::uint64_t{0};
  for (const auto& [start, stride, count, block] :
       {std::array<std::uint64_t, 4>{max, 1, 1, 1}, {max - 3, 1, 1, 4}, {0, max / 2 + 1, 3, 1}, {0, 2, max, 2}}) {
    Bytes wide;
    for (std::uint64_t v : {start, stride, count, block}) {
      const Bytes b = le64(v);
      wide.insert(wide.end(), b.begin(), b.end());
    }
    expect_format_error([&] { decode_write(raw_write(1, 1, 0, wide), "i"); }, "past coordinate 2^64 - 2");
  }
  Bytes edge;  // the last coordinate an extent can hold is fine
  for (std::uint64_t v : {max - 1, std::uint64_t{1}, std::uint64_t{1}, std::uint64_t{1}}) {
    const Bytes b = le64(v);
    edge.insert(edge.end(), b.begin(), b.end());
  }
  EXPECT_EQ(decode_write(raw_write(1, 1, 0, edge), "i").selection.slab().start[0], max - 1);
  Bytes point = le64(2);  // two points of rank 2, the second with coordinate 1 at 2^64 - 1
  for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{0}, std::uint64_t{0}, max}) {
    const Bytes b = le64(v);
    point.insert(point.end(), b.begin(), b.end());
  }
  expect_format_error([&] { decode_write(raw_write(2, 2, 0, point), "i"); }, "coordinate 1 is 2^64 - 1");

  // data_offset + data_length must not wrap.
  Bytes p = encode(sample_write_records()[0]);
  put_u64(p.data() + 24, ~std::uint64_t{0});
  put_u64(p.data() + 32, 1);
  expect_format_error([&] { decode_write(p, "i"); }, "overflow");
}

TEST(Records, BadShapesRejectedOnDecode) {
  // CREATE_DATASET with rank 33.
  Bytes p;
  Encoder e(p);
  e.u64(0);
  e.u64(1);
  e.u64(0);
  e.str("d");
  e.blob({});
  e.u32(33);
  e.raw(Bytes(33 * 16 + 8));
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, p, "m"); }, "field 'rank': rank 33");

  // chunk_rank that is neither 0 nor the rank.
  CreateDatasetRecord d{0, 1, 0, "d", {}, {4, 4}, {4, 4}, {}, {2, 2}, {}};
  Bytes q = encode(StructureRecord{d});
  put_u32(q.data() + q.size() - 20, 1);  // chunk_rank sits before the two chunk extents
  expect_format_error([&] { decode_structure(RecordType::CreateDataset, q, "m"); }, "chunk_rank");

  // An absurd blob length.
  Bytes r;
  Encoder f(r);
  f.u64(0);
  f.u64(1);
  f.str("a");
  f.u32(0xFFFFFFF0);
  AllocationProbe probe;
  expect_format_error([&] { decode_structure(RecordType::SetAttribute, r, "m"); }, "field 'type' truncated");
  EXPECT_LT(probe.largest(), 4096u);
}

// ================================ Hostile bytes ================================

// Feeds `p` to every decoder: each must succeed or throw FormatError, and allocate no more than
// the input could justify. Returns how many decoders accepted `p`.
int decode_everything(ByteView p) {
  static const unsigned types[] = {1, 2, 3, 4, 5, 6, 16, 0, 7, 99};
  AllocationProbe probe;
  int accepted = 0;
  for (unsigned t : types) {
    try {
      if (t == 16) {
        (void)decode_write(p, "fuzz");
      } else {
        (void)decode_structure(static_cast<RecordType>(t), p, "fuzz");
      }
      ++accepted;
    } catch (const FormatError&) {
    }
  }
  // Decoded values are copies of input bytes plus fixed overhead (Extent vectors, messages).
  EXPECT_LE(probe.largest(), 2 * p.size() + 4096) << "input of " << p.size() << " bytes";
  return accepted;
}

TEST(Fuzz, RandomBuffers) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 4000; ++i) {
    Bytes p(rng() % 300);
    for (auto& b : p) b = static_cast<std::byte>(rng());
    // Small values in length fields make the decoders go deeper than uniform bytes would.
    if (!p.empty() && rng() % 2 == 0) {
      for (int k = 0; k < 4; ++k) p[rng() % p.size()] = static_cast<std::byte>(rng() % 4);
    }
    decode_everything(p);
    read_log(
        p, 0, [](const LogRecord&) {}, [](const LogDamage&) {});
  }
}

TEST(Fuzz, MutatedValidPayloads) {
  std::vector<Bytes> seeds;
  for (const auto& r : sample_structure_records()) seeds.push_back(encode(r));
  for (const auto& w : sample_write_records()) seeds.push_back(encode(w));
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 6000; ++i) {
    Bytes p = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations && !p.empty(); ++m) {
      switch (rng() % 4) {
        case 0: p[rng() % p.size()] ^= static_cast<std::byte>(1u << (rng() % 8)); break;
        case 1: p[rng() % p.size()] = static_cast<std::byte>(rng()); break;
        case 2: p.resize(rng() % p.size()); break;
        case 3:
          p.insert(p.begin() + static_cast<std::ptrdiff_t>(rng() % p.size()), static_cast<std::byte>(rng()));
          break;
      }
    }
    accepted += decode_everything(p);
  }
  // The mutations must also reach the success paths, not only the first length check.
  EXPECT_GT(accepted, 500);
}

TEST(Fuzz, MutatedLogs) {
  std::vector<std::size_t> bounds;
  std::vector<Bytes> payloads;
  const Bytes log = sample_log(bounds, payloads);
  std::mt19937_64 rng(99);
  for (int i = 0; i < 3000; ++i) {
    Bytes bad = log;
    for (int m = 0; m < 3; ++m) bad[rng() % bad.size()] = static_cast<std::byte>(rng());
    bad.resize(rng() % (bad.size() + 1));
    const Collected c = read_all(bad);
    EXPECT_LE(c.records.size(), payloads.size());
    EXPECT_LE(c.damage.size(), 1u);
    EXPECT_GE(c.end, 64u);
    EXPECT_LE(c.end, 64 + bad.size());
    if (!c.damage.empty()) {
      EXPECT_EQ(c.damage[0].offset, c.end);
      EXPECT_EQ(c.damage[0].offset + c.damage[0].bytes, 64 + bad.size());
    } else {
      EXPECT_EQ(c.end, 64 + bad.size());
    }
  }
}

// The fill value of a variable-length dataset: one value as attributes store strings (u32 length,
// bytes), carried whole by CREATE_DATASET's `fill`; empty is HDF5's default.
TEST(VlenFillEncoding, FillValueRoundTripsThroughCreateDataset) {
  const Bytes value = bytes_of("xy");
  const Bytes fill = encode_vlen_fill(value);
  EXPECT_EQ(fill, bytes_of({2, 0, 0, 0, 'x', 'y'}));
  const CreateDatasetRecord r{1, 2, 0, "s", type_blob(), {3}, {kUnlimited}, fill, {2}, {}};
  const auto decoded = std::get<CreateDatasetRecord>(
      decode_structure(RecordType::CreateDataset, encode(StructureRecord{r}), "metafile record 4"));
  const auto back = decode_vlen_fill(decoded.fill, 1, "metafile record 4");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, value);
  // A given empty string or sequence differs from HDF5's default.
  const auto empty = decode_vlen_fill(encode_vlen_fill({}), 4, "c");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(decode_vlen_fill({}, 4, "c").has_value());
  // A null char* or hvl_t, as earlier builds recorded the default fill of a base file's dataset.
  EXPECT_FALSE(decode_vlen_fill(Bytes(8), 1, "c").has_value());
  EXPECT_FALSE(decode_vlen_fill(Bytes(16), 4, "c").has_value());
  EXPECT_THROW(decode_vlen_fill(Bytes(12), 4, "c"), h5mf::FormatError);
  // A sequence of two 4-byte elements.
  EXPECT_EQ(decode_vlen_fill(encode_vlen_fill(Bytes(8, std::byte{1})), 4, "c")->size(), 8u);
}

TEST(VlenFillEncoding, AVariableLengthFillIsFlagged) {
  // nfilters (0), then flags bit 1: a build that predates variable-length fills would otherwise
  // hand the value's bytes to HDF5 as a pointer; it reads the flags (or trailing bytes) as damage.
  const CreateDatasetRecord r{
      1, 2, 0, "s", type_blob(), {3}, {3}, encode_vlen_fill(bytes_of("xy")), {}, {}, false, true,
  };
  CreateDatasetRecord unflagged = r;
  unflagged.variable_length_fill = false;
  const Bytes with = encode(StructureRecord{r}), plain = encode(StructureRecord{unflagged});
  ASSERT_EQ(with.size(), plain.size() + 8);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), with.begin()));
  EXPECT_TRUE(std::equal(with.end() - 8, with.end(), bytes_of({0, 0, 0, 0, 2, 0, 0, 0}).begin()));
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, with, "m")), r);
  // The flag without a fill: refused when written, damage when read.
  CreateDatasetRecord bare = r;
  bare.fill.clear();
  EXPECT_THROW(encode(StructureRecord{bare}), InvalidArgument);
  bare.variable_length_fill = false;
  Bytes forged = encode(StructureRecord{bare});
  const Bytes flags = bytes_of({0, 0, 0, 0, 2, 0, 0, 0});
  forged.insert(forged.end(), flags.begin(), flags.end());
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, forged, "m"), h5mf::FormatError);
  // SET_ATTRIBUTE takes no such flag.
  Bytes attr = encode(StructureRecord{SetAttributeRecord{1, 0, "a", type_blob(), {}, bytes_of("v")}});
  attr.insert(attr.end(), flags.begin() + 4, flags.end());
  EXPECT_THROW(decode_structure(RecordType::SetAttribute, attr, "m"), h5mf::FormatError);
}

TEST(VlenCompoundEncoding, VariableLengthMembersAreFlagged) {
  // nfilters (0), then flags bit 2: a build that predates such compounds would take their elements
  // for fixed-size ones; it reads the flags (or trailing bytes) as damage instead.
  CreateDatasetRecord r{1, 2, 0, "m", type_blob(), {3}, {3}, {}, {}, {}};
  r.variable_length_members = true;
  CreateDatasetRecord unflagged = r;
  unflagged.variable_length_members = false;
  const Bytes with = encode(StructureRecord{r}), plain = encode(StructureRecord{unflagged});
  ASSERT_EQ(with.size(), plain.size() + 8);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), with.begin()));
  EXPECT_TRUE(std::equal(with.end() - 8, with.end(), bytes_of({0, 0, 0, 0, 4, 0, 0, 0}).begin()));
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, with, "m")), r);
  // Its fill value is one element's record data (the values layer checks it where it is used);
  // builds that know this flag but not such fills refused a fill with it: damage to them. A
  // variable-length fill flag with it is refused, damage when read.
  CreateDatasetRecord filled = r;
  filled.fill = Bytes(32);
  const Bytes fill_bytes = encode(StructureRecord{filled});
  EXPECT_EQ(std::get<CreateDatasetRecord>(decode_structure(RecordType::CreateDataset, fill_bytes, "m")), filled);
  filled.variable_length_fill = true;
  EXPECT_THROW(encode(StructureRecord{filled}), InvalidArgument);
  filled.variable_length_members = false;
  Bytes forged = encode(StructureRecord{filled});
  forged[forged.size() - 4] = std::byte{6};  // flags 2 | 4
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, forged, "m"), h5mf::FormatError);
  const Bytes flags = bytes_of({0, 0, 0, 0, 4, 0, 0, 0});
  // SET_ATTRIBUTE takes no such flag.
  Bytes attr = encode(StructureRecord{SetAttributeRecord{1, 0, "a", type_blob(), {}, bytes_of("v")}});
  const Bytes flag = bytes_of({4, 0, 0, 0});
  attr.insert(attr.end(), flag.begin(), flag.end());
  EXPECT_THROW(decode_structure(RecordType::SetAttribute, attr, "m"), h5mf::FormatError);
}

TEST(VlenAttributeEncoding, VariableLengthElementsAreFlagged) {
  // flags bit 4 after the value: a build that predates such attributes would take the record data
  // for fixed-size elements (hvl_t, char*) and hand HDF5 pointers made of them; builds that know
  // flags refuse the unknown bit, older ones read trailing bytes: damage either way.
  SetAttributeRecord r{1, 0, "q", type_blob(), {2}, Bytes(40, std::byte{0})};
  r.variable_length_elements = true;
  SetAttributeRecord unflagged = r;
  unflagged.variable_length_elements = false;
  const Bytes with = encode(StructureRecord{r}), plain = encode(StructureRecord{unflagged});
  ASSERT_EQ(with.size(), plain.size() + 4);
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), with.begin()));
  EXPECT_TRUE(std::equal(with.end() - 4, with.end(), bytes_of({16, 0, 0, 0}).begin()));
  EXPECT_EQ(std::get<SetAttributeRecord>(decode_structure(RecordType::SetAttribute, with, "m")), r);
  EXPECT_EQ(encode(decode_structure(RecordType::SetAttribute, with, "m")), with);
  // With a null dataspace (an Empty of such a type) and a named datatype: all three flags.
  SetAttributeRecord empty{1, 0, "e", type_blob(), {}, {}, true, 9, true};
  const Bytes flagged = encode(StructureRecord{empty});
  EXPECT_TRUE(std::equal(flagged.end() - 12, flagged.end() - 8, bytes_of({25, 0, 0, 0}).begin()));
  EXPECT_EQ(std::get<SetAttributeRecord>(decode_structure(RecordType::SetAttribute, flagged, "m")), empty);
  // CREATE_DATASET takes no such flag.
  Bytes dataset = encode(StructureRecord{CreateDatasetRecord{1, 2, 0, "d", type_blob(), {3}, {3}, {}, {2}, {}}});
  const Bytes flags = bytes_of({0, 0, 0, 0, 16, 0, 0, 0});
  dataset.insert(dataset.end(), flags.begin(), flags.end());
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, dataset, "m"), h5mf::FormatError);
}

TEST(Records, OneEncodingPerCreateDataset) {
  // Every record decodes to what encodes back to the same bytes (the fuzzer's invariant): an
  // explicit nfilters of 0 with nothing after it, and flags of 0, are never written, so refused.
  const CreateDatasetRecord chunked{1, 2, 0, "c", type_blob(), {8}, {8}, {}, {4}, {}};
  const Bytes zero = bytes_of({0, 0, 0, 0});
  Bytes forged = encode(StructureRecord{chunked});
  forged.insert(forged.end(), zero.begin(), zero.end());  // nfilters 0
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, forged, "m"), h5mf::FormatError);
  forged.insert(forged.end(), zero.begin(), zero.end());  // and flags 0
  EXPECT_THROW(decode_structure(RecordType::CreateDataset, forged, "m"), h5mf::FormatError);
  Bytes attr = encode(StructureRecord{SetAttributeRecord{1, 0, "a", type_blob(), {}, bytes_of("v")}});
  attr.insert(attr.end(), zero.begin(), zero.end());  // flags 0
  EXPECT_THROW(decode_structure(RecordType::SetAttribute, attr, "m"), h5mf::FormatError);
}

TEST(VlenFillEncoding, GarbledFillValuesAreFormatErrors) {
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {bytes_of({3, 0, 0, 0, 'x', 'y'}), "truncated"},             // length beyond the blob
      {bytes_of({1, 0, 0, 0, 'x', 'y'}), "trailing"},              // bytes after the value
      {bytes_of({2, 0}), "truncated"},                             // no whole length
      {bytes_of({6, 0, 0, 0, 1, 2, 3, 4, 5, 6}), "whole number"},  // 6 bytes of 4-byte elements
  };
  for (const auto& [fill, says] : cases) {
    try {
      decode_vlen_fill(fill, 4, "dataset 's' in metafile record 4");
      ADD_FAILURE() << "accepted a fill of " << fill.size() << " bytes";
    } catch (const h5mf::FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("dataset 's' in metafile record 4"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace h5mf::format

// ---- variable-length data (format/vlen.hpp)

namespace {
std::string text_at(const h5mf::format::Bytes& data, const h5mf::format::VlenSlot& s) {
  return std::string(reinterpret_cast<const char*>(data.data() + s.offset), s.length);
}
}  // namespace

TEST(VlenEncoding, SlotsThenBytesWithRelativeOffsets) {
  using namespace h5mf::format;
  const char* strings[] = {"ab", "", nullptr, "\xc3\xa9t\xc3\xa9"};
  const Bytes data = encode_vlen_strings(strings);
  ASSERT_EQ(data.size(), 4 * kVlenSlotSize + 2 + 0 + 5);
  const auto context = [] { return std::string("test record"); };
  std::vector<VlenSlot> slots;
  for (std::uint64_t i = 0; i < 4; ++i) {
    slots.push_back(
        decode_vlen_slot(ByteView(data).subspan(i * kVlenSlotSize, kVlenSlotSize), 4, data.size(), context));
  }
  // Offsets count from the start of the record's data: the first string follows the 4 slots.
  EXPECT_EQ(slots[0], (VlenSlot{64, 2}));
  EXPECT_EQ(text_at(data, slots[0]), "ab");
  EXPECT_FALSE(slots[1].null());  // an empty string is not a NULL string
  EXPECT_EQ(slots[1].length, 0u);
  EXPECT_TRUE(slots[2].null());
  EXPECT_EQ(slots[2], (VlenSlot{0, 0}));
  EXPECT_EQ(text_at(data, slots[3]), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(check_vlen_slots(ByteView(data).first(4 * kVlenSlotSize), 0, 4, data.size()), "");
}

TEST(VlenEncoding, EmptyRecordAndLongStrings) {
  using namespace h5mf::format;
  EXPECT_TRUE(encode_vlen_strings({}).empty());
  const std::string long_one(1u << 20, 'x');
  const char* strings[] = {long_one.c_str(), "y"};
  const Bytes data = encode_vlen_strings(strings);
  const auto context = [] { return std::string("test record"); };
  const VlenSlot second =
      decode_vlen_slot(ByteView(data).subspan(kVlenSlotSize, kVlenSlotSize), 2, data.size(), context);
  EXPECT_EQ(second.offset, 2 * kVlenSlotSize + long_one.size());
  EXPECT_EQ(text_at(data, second), "y");
}

// Compounds with variable-length members: each element is its fixed bytes then a slot per member;
// the members' bytes follow every element, and slots count from the record's start.
TEST(VlenEncoding, CompoundElementsAreFixedBytesThenSlots) {
  using namespace h5mf::format;
  const Bytes fixed0 = bytes_of({1, 2, 3, 4}), fixed1 = bytes_of({5, 6, 7, 8});
  const std::string values[2][2] = {{"ab", ""}, {"xyz", "q"}};
  const Bytes data = encode_vlen_elements(
      2, 4, 2, [&](std::size_t i) { return ByteView(i == 0 ? fixed0 : fixed1); },
      [](std::size_t i, std::size_t j) { return i == 0 && j == 1; },  // element 0's member 1 is NULL
      [&](std::size_t i, std::size_t j) {
        return ByteView(reinterpret_cast<const std::byte*>(values[i][j].data()), values[i][j].size());
      });
  const std::size_t element = 4 + 2 * kVlenSlotSize;
  ASSERT_EQ(data.size(), 2 * element + 2 + 3 + 1);
  EXPECT_TRUE(std::equal(fixed1.begin(), fixed1.end(), data.begin() + element));
  const auto context = [] { return std::string("test record"); };
  const auto slot = [&](std::size_t i, std::size_t j) {
    return decode_vlen_slot(ByteView(data).subspan(i * element + 4 + j * kVlenSlotSize, kVlenSlotSize), 2, data.size(),
                            context, element);
  };
  EXPECT_EQ(slot(0, 0), (VlenSlot{2 * element, 2}));
  EXPECT_TRUE(slot(0, 1).null());
  EXPECT_EQ(text_at(data, slot(1, 0)), "xyz");
  EXPECT_EQ(text_at(data, slot(1, 1)), "q");
  EXPECT_EQ(check_vlen_elements(ByteView(data).first(2 * element), 0, 2, data.size(), element, 4), "");
  // A damaged slot: member 1 of element 1 points into the elements (a good checksum cannot help).
  Bytes bad = data;
  put_u64(bad.data() + element + 4 + kVlenSlotSize, 10);
  EXPECT_NE(check_vlen_elements(ByteView(bad).first(2 * element), 0, 2, bad.size(), element, 4)
                .find("element 1 of 2, variable-length member 1: offset 10 points into the record's 2 elements"),
            std::string::npos);
  EXPECT_THROW(decode_vlen_slot(ByteView(bad).subspan(element + 4 + kVlenSlotSize, kVlenSlotSize), 2, bad.size(),
                                context, element),
               h5mf::FormatError);
  // Slots are checked against the elements, not 16-byte slots: offset 40 lies inside element 1.
  put_u64(bad.data() + element + 4 + kVlenSlotSize, 40);
  EXPECT_NE(check_vlen_elements(ByteView(bad).first(2 * element), 0, 2, bad.size(), element, 4), "");
  // Data too short for the elements.
  EXPECT_NE(check_vlen_elements({}, 0, 3, 2 * element, element, 4), "");
}

TEST(VlenEncoding, SlotsOutsideTheirRecordAreFormatErrors) {
  using namespace h5mf::format;
  const char* strings[] = {"abc", "de"};
  const Bytes good = encode_vlen_strings(strings);
  const auto context = [] { return std::string("writer 3 record 9"); };
  auto slot_with = [&](std::uint64_t offset, std::uint64_t length) {
    Bytes b = good;
    put_u64(b.data(), offset);
    put_u64(b.data() + 8, length);
    return b;
  };
  struct Case {
    std::uint64_t offset, length;
    const char* says;
  };
  const Case cases[] = {
      {good.size(), 1, "outside"},          // past the end
      {good.size() - 1, 2, "outside"},      // straddles the end
      {40, ~std::uint64_t{0}, "outside"},   // length overflows
      {8, 2, "into the record's 2 slots"},  // points into the slots
      {0, 5, "null slot"},                  // null with a length
  };
  for (const Case& c : cases) {
    const Bytes bad = slot_with(c.offset, c.length);
    try {
      decode_vlen_slot(ByteView(bad).first(kVlenSlotSize), 2, bad.size(), context);
      ADD_FAILURE() << "slot " << c.offset << "+" << c.length << " accepted";
    } catch (const h5mf::FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("writer 3 record 9"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
    }
    EXPECT_NE(check_vlen_slots(ByteView(bad).first(2 * kVlenSlotSize), 0, 2, bad.size()).find(c.says),
              std::string::npos);
  }
  // Data too short for the slots of its elements.
  EXPECT_NE(check_vlen_slots({}, 0, 3, 40), "");
  EXPECT_THROW(decode_vlen_slot(ByteView(good).first(8), 2, good.size(), context), h5mf::FormatError);
}
