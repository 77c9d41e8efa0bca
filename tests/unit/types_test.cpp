// HDF5's fixed-size type system through h5mf: registration of structs and enums, bool, arrays,
// fixed-length strings; their file types and encodings; and datasets, fill values and attributes of
// them through every driver without MPI (multifile read directly and merged, and sec2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>

#include "h5mf/h5mf.hpp"
#include "hdf5/convert.hpp"

namespace types_test {

enum class Color : std::int16_t { red = -1, green = 7, blue = 300 };

struct Inner {
  float weight;
  std::array<std::int16_t, 3> counts;
};

struct Particle {
  double x;
  char tag;  // padding follows in memory; not in the file
  std::int32_t id;
  bool alive;
  Color color;
  Inner inner;
  float position[2][3];
  char label[6];
};

// Members of Particle under other names and order, and a subset: conversion goes by name.
struct PartialParticle {
  std::int32_t id;
  double x;
};

}  // namespace types_test

using types_test::Color;
using types_test::Inner;
using types_test::PartialParticle;
using types_test::Particle;

H5MF_REGISTER_TYPE(Color, h5mf::Enum<Color>{{"RED", Color::red}, {"GREEN", Color::green}, {"BLUE", Color::blue}});
H5MF_REGISTER_TYPE(Inner, h5mf::Compound<Inner>{{"weight", &Inner::weight}, {"counts", &Inner::counts}});
H5MF_REGISTER_TYPE(Particle, h5mf::Compound<Particle>{{"x", &Particle::x},
                                                      {"tag", &Particle::tag},
                                                      {"id", &Particle::id},
                                                      {"alive", &Particle::alive},
                                                      {"color", &Particle::color},
                                                      {"inner", &Particle::inner},
                                                      {"position", &Particle::position},
                                                      {"label", &Particle::label, h5mf::Datatype::fixed_string(6)}});
H5MF_REGISTER_TYPE(PartialParticle,
                   h5mf::Compound<PartialParticle>{{"id", &PartialParticle::id}, {"x", &PartialParticle::x}});

namespace h5mf {
namespace {

namespace fs = std::filesystem;

std::string member_name(const Datatype& t, unsigned i) {
  char* name = H5Tget_member_name(t.id(), i);
  std::string out(name);
  H5free_memory(name);
  return out;
}

Particle particle(int i) {
  Particle p{};
  p.x = 0.5 * i;
  p.tag = static_cast<char>('a' + i % 26);
  p.id = 1000 + i;
  p.alive = i % 2 == 0;
  p.color = i % 3 == 0 ? Color::red : i % 3 == 1 ? Color::green : Color::blue;
  p.inner.weight = 2.0f * static_cast<float>(i);
  p.inner.counts = {static_cast<std::int16_t>(i), static_cast<std::int16_t>(-i), 7};
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) p.position[r][c] = static_cast<float>(i * 10 + r * 3 + c);
  }
  std::memset(p.label, 0, sizeof p.label);
  std::snprintf(p.label, sizeof p.label, "p%d", i);
  return p;
}

void expect_equal(const Particle& a, const Particle& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.tag, b.tag);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.alive, b.alive);
  EXPECT_EQ(a.color, b.color);
  EXPECT_EQ(a.inner.weight, b.inner.weight);
  EXPECT_EQ(a.inner.counts, b.inner.counts);
  EXPECT_EQ(std::memcmp(a.position, b.position, sizeof a.position), 0);
  EXPECT_EQ(std::string(a.label, strnlen(a.label, sizeof a.label)),
            std::string(b.label, strnlen(b.label, sizeof b.label)));
}

// ---- registration and file types ----------------------------------------------------------------

TEST(Types, BoolIsH5pysEnum) {
  const Datatype t = Datatype::of<bool>();
  EXPECT_EQ(t.type_class(), H5T_ENUM);
  EXPECT_EQ(t.size(), 1U);
  EXPECT_TRUE(t.is_boolean());
  const Datatype file = t.file_type();
  EXPECT_TRUE(file.is_boolean());
  const Datatype base = Datatype::adopt(H5Tget_super(file.id()));
  EXPECT_GT(H5Tequal(base.id(), H5T_STD_I8LE), 0);
  EXPECT_EQ(H5Tget_nmembers(file.id()), 2);
  EXPECT_EQ(member_name(file, 0), "FALSE");
  EXPECT_EQ(member_name(file, 1), "TRUE");
  std::int8_t value = -5;
  H5Tget_member_value(file.id(), 1, &value);
  EXPECT_EQ(value, 1);
  EXPECT_FALSE(Datatype::of<std::int8_t>().is_boolean());
  EXPECT_FALSE(Datatype::of<Color>().is_boolean());
}

TEST(Types, EnumKeepsNamesAndValues) {
  const Datatype t = Datatype::of<Color>();
  EXPECT_EQ(t.type_class(), H5T_ENUM);
  EXPECT_EQ(t.size(), 2U);
  const Datatype file = t.file_type();
  EXPECT_GT(H5Tequal(Datatype::adopt(H5Tget_super(file.id())).id(), H5T_STD_I16LE), 0);
  ASSERT_EQ(H5Tget_nmembers(file.id()), 3);
  const char* names[] = {"RED", "GREEN", "BLUE"};
  const std::int16_t values[] = {-1, 7, 300};
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(member_name(file, i), names[i]);
    std::int16_t v = 0;
    H5Tget_member_value(file.id(), i, &v);
    EXPECT_EQ(v, values[i]);
  }
  EXPECT_EQ(t.describe(), "enum of H5T_STD_I16LE {\"RED\", \"GREEN\", \"BLUE\"}, size 2");
  // A duplicate name or value is refused by HDF5 and reported.
  EXPECT_THROW((Enum<Color>{{"RED", Color::red}, {"RED", Color::green}}), IoError);
  EXPECT_THROW((Enum<Color>{{"RED", Color::red}, {"ALSO_RED", Color::red}}), IoError);
}

TEST(Types, ArraysFlattenNestedArrays) {
  const Datatype a = Datatype::of<std::array<double, 4>>();
  EXPECT_EQ(a.type_class(), H5T_ARRAY);
  EXPECT_EQ(a.size(), 32U);
  EXPECT_EQ(a.describe(), "array [4] of H5T_IEEE_F64LE");
  const Datatype nested = Datatype::of<std::array<std::array<std::uint8_t, 3>, 2>>();
  EXPECT_EQ(nested.describe(), "array [2,3] of H5T_STD_U8LE");
  using CArray = float[2][3];
  EXPECT_EQ(Datatype::of<CArray>().describe(), "array [2,3] of H5T_IEEE_F32LE");
  EXPECT_EQ((Datatype::of<std::array<bool, 2>>().file_type()), (Datatype::array(Datatype::boolean().file_type(), {2})));
  EXPECT_THROW(Datatype::array(Datatype::of<int>(), {}), InvalidArgument);
  EXPECT_THROW(Datatype::array(Datatype::of<int>(), {2, 0}), InvalidArgument);
}

TEST(Types, CompoundRegistrationAndFileTypeWithTheStructsLayout) {
  const Datatype t = Datatype::of<Particle>();
  EXPECT_EQ(t.type_class(), H5T_COMPOUND);
  EXPECT_EQ(t.size(), sizeof(Particle));
  ASSERT_EQ(H5Tget_nmembers(t.id()), 8);
  EXPECT_EQ(H5Tget_member_offset(t.id(), 2), offsetof(Particle, id));
  EXPECT_EQ(H5Tget_member_offset(t.id(), 5), offsetof(Particle, inner));

  const Datatype file = t.file_type();
  // The struct's size and offsets, padding included (as h5py keeps numpy's aligned dtypes).
  EXPECT_EQ(file.size(), sizeof(Particle));
  const char* names[] = {"x", "tag", "id", "alive", "color", "inner", "position", "label"};
  const std::size_t offsets[] = {offsetof(Particle, x),        offsetof(Particle, tag),   offsetof(Particle, id),
                                 offsetof(Particle, alive),    offsetof(Particle, color), offsetof(Particle, inner),
                                 offsetof(Particle, position), offsetof(Particle, label)};
  for (unsigned i = 0; i < 8; ++i) {
    EXPECT_EQ(member_name(file, i), names[i]);
    EXPECT_EQ(H5Tget_member_offset(file.id(), i), offsets[i]) << names[i];
  }
  const auto member = [&](unsigned i) { return Datatype::adopt(H5Tget_member_type(file.id(), i)); };
  EXPECT_EQ(member(0).describe(), "H5T_IEEE_F64LE");
  EXPECT_EQ(member(1).describe(), "H5T_STD_I8LE");
  EXPECT_TRUE(member(3).is_boolean());
  EXPECT_EQ(member(4), Datatype::of<Color>().file_type());
  EXPECT_EQ(member(5).describe(),
            "compound {\"weight\" at 0: H5T_IEEE_F32LE, \"counts\" at 4: array [3] of H5T_STD_I16LE}, size 12");
  EXPECT_EQ(member(6).describe(), "array [2,3] of H5T_IEEE_F32LE");
  EXPECT_EQ(member(7), Datatype::fixed_string(6));
  // The file type of a file type is itself: require_dataset and reopened datasets compare equal.
  EXPECT_EQ(file.file_type(), file);
}

TEST(Types, Float16AsH5pyMakesIt) {
  // h5py's IEEE_F16LE: the 32-bit type with 16-bit fields (h5t.pyx), so H5Tequal holds with h5py's.
  const Datatype half = Datatype::float16();
  EXPECT_EQ(half.type_class(), H5T_FLOAT);
  EXPECT_EQ(half.size(), 2U);
  EXPECT_EQ(H5Tget_precision(half.id()), 16U);
  EXPECT_EQ(H5Tget_ebias(half.id()), 15U);
  std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
  ASSERT_GE(H5Tget_fields(half.id(), &spos, &epos, &esize, &mpos, &msize), 0);
  EXPECT_EQ((std::array<std::size_t, 5>{spos, epos, esize, mpos, msize}),
            (std::array<std::size_t, 5>{15, 10, 5, 0, 10}));
  EXPECT_EQ(half.file_type(), half);  // stored as it is (little-endian here)
  // HDF5 converts it: 1.5 and -2 in half precision.
  const std::uint16_t bits[] = {0x3e00, 0xc000};
  std::vector<std::byte> bytes(sizeof bits);
  std::memcpy(bytes.data(), bits, sizeof bits);
  const auto wide = hdf5::convert(half, Datatype::of<float>(), 2, bytes);
  float values[2];
  std::memcpy(values, wide.data(), sizeof values);
  EXPECT_EQ(values[0], 1.5F);
  EXPECT_EQ(values[1], -2.0F);
}

TEST(Types, ComplexAsH5pysCompound) {
  const Datatype c = Datatype::of<std::complex<double>>();
  EXPECT_EQ(c.describe(), "compound {\"r\" at 0: H5T_IEEE_F64LE, \"i\" at 8: H5T_IEEE_F64LE}, size 16");
  EXPECT_TRUE(c.is_complex());
  EXPECT_TRUE(Datatype::of<std::complex<float>>().file_type().is_complex());
  EXPECT_EQ(Datatype::of<std::complex<float>>().size(), 8U);
  EXPECT_FALSE(Datatype::of<Particle>().is_complex());
  EXPECT_THROW(Datatype::complex(Datatype::of<int>()), InvalidArgument);
}

TEST(Types, CompoundRefusesBadMembers) {
  const Datatype i32 = Datatype::of<std::int32_t>();
  const CompoundMember outside[] = {{"a", 0, &i32}, {"b", 6, &i32}};
  EXPECT_THROW(Datatype::compound(8, outside), InvalidArgument);
  const CompoundMember overlapping[] = {{"a", 0, &i32}, {"b", 2, &i32}};
  EXPECT_THROW(Datatype::compound(8, overlapping), IoError);
  const CompoundMember twice[] = {{"a", 0, &i32}, {"a", 4, &i32}};
  EXPECT_THROW(Datatype::compound(8, twice), IoError);
  EXPECT_THROW(Datatype::compound(8, {}), InvalidArgument);
  struct S {
    char text[4];
  };
  EXPECT_THROW((Compound<S>{{"text", &S::text, Datatype::fixed_string(5)}}), InvalidArgument);
}

TEST(Types, ConversionByNameAndBack) {
  std::vector<Particle> in;
  for (int i = 0; i < 5; ++i) in.push_back(particle(i));
  const Datatype memory = Datatype::of<Particle>();
  const Datatype file = memory.file_type();
  const auto* bytes = reinterpret_cast<const std::byte*>(in.data());
  const auto stored = hdf5::convert(memory, file, in.size(), {bytes, in.size() * sizeof(Particle)});
  EXPECT_EQ(stored.size(), in.size() * file.size());
  const auto back = hdf5::convert(file, memory, in.size(), stored);
  std::vector<Particle> out(in.size());
  std::memcpy(out.data(), back.data(), back.size());
  for (std::size_t i = 0; i < in.size(); ++i) expect_equal(out[i], in[i], "element " + std::to_string(i));
  // A subset of members, in another order.
  const auto partial = hdf5::convert(file, Datatype::of<PartialParticle>(), in.size(), stored);
  std::vector<PartialParticle> parts(in.size());
  std::memcpy(parts.data(), partial.data(), partial.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(parts[i].id, in[i].id);
    EXPECT_EQ(parts[i].x, in[i].x);
  }
  EXPECT_EQ(hdf5::missing_members(Datatype::of<PartialParticle>(), file),
            (std::vector<std::string>{"tag", "alive", "color", "inner", "position", "label"}));
  EXPECT_TRUE(hdf5::missing_members(memory, file).empty());
}

// ---- encodings ----------------------------------------------------------------------------------

std::vector<Datatype> registered_types() {
  std::vector<Datatype> out{Datatype::of<bool>(),  Datatype::of<Color>(),    Datatype::of<std::array<float, 7>>(),
                            Datatype::of<Inner>(), Datatype::of<Particle>(), Datatype::fixed_string(9)};
  const std::size_t n = out.size();
  for (std::size_t i = 0; i < n; ++i) out.push_back(out[i].file_type());
  return out;
}

TEST(Types, EncodingsRoundTrip) {
  for (const Datatype& t : registered_types()) {
    const auto bytes = t.encode();
    const Datatype back = Datatype::decode(bytes);
    EXPECT_EQ(back, t) << t.describe();
    EXPECT_EQ(back.encode(), bytes) << t.describe();
    EXPECT_EQ(back.file_type(), t.file_type()) << t.describe();
  }
}

TEST(Types, DecodeRejectsTruncatedAndSurvivesCorruptEncodings) {
  std::mt19937 random(9);
  std::uniform_int_distribution<unsigned> any_byte(0, 255);
  for (const Datatype& t : registered_types()) {
    const auto original = t.encode();
    for (std::size_t n = 0; n < original.size(); ++n) {
      EXPECT_THROW(Datatype::decode(std::span(original).first(n)), FormatError) << t.describe() << " cut to " << n;
    }
    std::uniform_int_distribution<std::size_t> position(2, original.size() - 1);
    for (int round = 0; round < 200; ++round) {
      auto bytes = original;
      bytes[position(random)] = std::byte(any_byte(random));
      try {
        const Datatype decoded = Datatype::decode(bytes);
        (void)decoded.describe();
        (void)decoded.file_type();  // must not crash either
      } catch (const FormatError&) {
      } catch (const IoError&) {  // file_type of a decoded nonsense type HDF5 refuses
      }
    }
  }
}

// ---- datasets, fill values, attributes through the drivers --------------------------------------

class TypedData : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h5mf-types-" + std::to_string(::getpid()) + "-" + to_string(GetParam()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "f.h5").string(); }
  File open(std::string_view mode) {
    FileOptions o;
    o.driver = GetParam();
    return File(path(), mode, o);
  }
  // `check` on the file as written, and for multifile on the merged file too (through sec2).
  void verify(const std::function<void(File&)>& check) {
    {
      SCOPED_TRACE("as written");
      File f = open("r");
      check(f);
    }
    if (GetParam() != Driver::Multifile) return;
    SCOPED_TRACE("merged");
    MergeOptions m;
    m.output = (dir_ / "merged.h5").string();
    merge(path(), m);
    FileOptions sec2;
    sec2.driver = Driver::Sec2;
    File f(m.output, "r", sec2);
    check(f);
  }
  fs::path dir_;
};

TEST_P(TypedData, CompoundDatasetWithFillValue) {
  const Particle fill = particle(99);
  {
    File f = open("w");
    auto d = f.create_dataset("particles", DatasetCreate::of<Particle>({10}).fill_value(fill));
    std::vector<Particle> some;
    for (int i = 2; i < 6; ++i) some.push_back(particle(i));
    d.write(some, Selection::hyperslab({2}, {4}));
    d.write(std::vector<Particle>{particle(9)}, Selection::points({{9}}));
    f.close();
  }
  verify([&](File& f) {
    auto d = f.dataset("particles");
    EXPECT_EQ(d.dtype(), Datatype::of<Particle>().file_type());
    const auto all = d.read<Particle>();
    ASSERT_EQ(all.size(), 10U);
    for (int i = 0; i < 10; ++i) {
      const bool written = (i >= 2 && i < 6) || i == 9;
      expect_equal(all[i], written ? particle(i) : fill, "element " + std::to_string(i));
    }
    // The stored fill value, in the file type, is the given one converted.
    const auto stored = d.fill_value();
    const auto back = hdf5::convert(d.dtype(), Datatype::of<Particle>(), 1, stored);
    Particle fill_back{};
    std::memcpy(&fill_back, back.data(), sizeof fill_back);
    expect_equal(fill_back, fill, "fill value");
    // A subset of members by name, in another order.
    const auto parts = d.read<PartialParticle>(Selection::hyperslab({1}, {3}));
    EXPECT_EQ(parts[0].id, fill.id);
    EXPECT_EQ(parts[1].id, 1002);
    EXPECT_EQ(parts[2].x, 1.5);
  });
}

TEST_P(TypedData, ComplexDatasetFillValueAndAttribute) {
  using C = std::complex<float>;
  {
    File f = open("w");
    auto d = f.create_dataset("c", DatasetCreate::of<C>({4}).fill_value(C(1, 2)));
    d.write(std::vector<C>{C(3, -4), C(0, 5)}, Selection::hyperslab({1}, {2}));
    f.attrs().set("z", std::complex<double>(6, 7));
    f.close();
  }
  verify([&](File& f) {
    auto d = f.dataset("c");
    EXPECT_EQ(d.dtype().describe(), "compound {\"r\" at 0: H5T_IEEE_F32LE, \"i\" at 4: H5T_IEEE_F32LE}, size 8");
    EXPECT_EQ(d.read<C>(), (std::vector<C>{C(1, 2), C(3, -4), C(0, 5), C(1, 2)}));
    EXPECT_EQ(f.attrs().get<std::complex<double>>("z"), std::complex<double>(6, 7));
  });
}

TEST_P(TypedData, NamedDatatypes) {
  const Datatype type = Datatype::of<std::complex<double>>();
  {
    File f = open("w");
    f.commit_type("g/t", type);
    EXPECT_EQ(f.keys(), std::vector<std::string>{"g"});
    EXPECT_EQ(f.group("g").keys(), std::vector<std::string>{"t"});
    EXPECT_EQ(f.named_type("g/t"), type.file_type());
    EXPECT_EQ(f.link_info("g/t").kind, LinkKind::Hard);
    EXPECT_FALSE(f.contains("g/t"));  // no group or dataset
    EXPECT_THROW(f.commit_type("g/t", type), AlreadyExists);
    EXPECT_THROW(f.named_type("g"), NotFound);
    f.commit_type("u", Datatype::of<Particle>());
    f.move("u", "g/u");
    f.close();
  }
  verify([&](File& f) {
    EXPECT_TRUE(f.named_type("/g/t").is_complex());
    EXPECT_EQ(f.named_type("/g/u"), Datatype::of<Particle>().file_type());
    EXPECT_EQ(f.group("g").keys(), (std::vector<std::string>{"t", "u"}));
  });
}

TEST_P(TypedData, EnumBoolArrayAndStringDatasets) {
  using Row = std::array<std::int32_t, 3>;
  {
    File f = open("w");
    auto colors = f.create_dataset("colors", DatasetCreate::of<Color>({2, 3}).fill_value(Color::blue));
    colors.write(std::vector<Color>{Color::green, Color::red}, Selection::hyperslab({0, 1}, {1, 2}));
    auto flags = f.create_dataset("flags", DatasetCreate::of<bool>({5}).fill_value(true));
    flags.write(std::vector<bool>{false, false}, Selection::hyperslab({1}, {2}));
    auto rows = f.create_dataset("rows", DatasetCreate::of<Row>({4}).fill_value(Row{-1, -2, -3}));
    rows.write(std::vector<Row>{{1, 2, 3}, {4, 5, 6}}, Selection::hyperslab({1}, {2}));
    DatasetCreate names;
    names.dtype = Datatype::fixed_string(4);
    names.shape = {3};
    names.fill = {std::byte{'n'}, std::byte{'o'}, std::byte{'n'}, std::byte{'e'}};
    auto strings = f.create_dataset("names", names);
    strings.write_raw("ab\0\0wxyz", Datatype::fixed_string(4), Selection::hyperslab({0}, {2}));
    // A number is no enum: HDF5 has no conversion from integers to enums, and says so.
    EXPECT_THROW(colors.write(std::vector<std::int16_t>{7}, Selection::points({{0, 0}})), Error);
    f.close();
  }
  verify([&](File& f) {
    EXPECT_EQ(f.dataset("colors").read<Color>(),
              (std::vector<Color>{Color::blue, Color::green, Color::red, Color::blue, Color::blue, Color::blue}));
    EXPECT_TRUE(f.dataset("flags").dtype().is_boolean());
    EXPECT_EQ(f.dataset("flags").read<bool>(), (std::vector<bool>{true, false, false, true, true}));
    EXPECT_EQ(f.dataset("rows").read<Row>(), (std::vector<Row>{{-1, -2, -3}, {1, 2, 3}, {4, 5, 6}, {-1, -2, -3}}));
    // Arrays convert element by element: int32 rows read as doubles.
    EXPECT_EQ((f.dataset("rows").read<std::array<double, 3>>(Selection::points({{2}}))[0]),
              (std::array<double, 3>{4, 5, 6}));
    char text[13] = {};
    f.dataset("names").read_raw(text, Datatype::fixed_string(4), Selection::all());
    EXPECT_EQ(std::string(text, 12), std::string("ab\0\0wxyznone", 12));
  });
}

// Both halves of the type system in one file: a compound dataset beside variable-length strings
// (contiguous) and sequences (chunked, shuffle + deflate); the merge writes the compound with the
// engine and the variable-length ones through libhdf5, filters and all.
TEST_P(TypedData, CompoundBesideVariableLengthData) {
  using Sequence = std::vector<std::int32_t>;
  {
    File f = open("w");
    auto particles = f.create_dataset("particles", DatasetCreate::of<Particle>({4}));
    particles.write(std::vector<Particle>{particle(0), particle(1), particle(2), particle(3)}, Selection::all());
    auto names = f.create_dataset("names", DatasetCreate::of<std::string>({4}));
    names.write(std::vector<std::string>{"zero", "", "two \xce\xb1"}, Selection::hyperslab({0}, {3}));
    auto runs = f.create_dataset("runs", DatasetCreate::of<Sequence>({6}).chunk_shape({4}).shuffle().deflate(6));
    runs.write(std::vector<Sequence>{{1}, {}, {2, 3, 4}}, Selection::hyperslab({0}, {3}));
    runs.write(std::vector<Sequence>{{5, 6}}, Selection::points({{5}}));
    f.close();
  }
  verify([&](File& f) {
    const auto all = f.dataset("particles").read<Particle>();
    ASSERT_EQ(all.size(), 4U);
    for (int i = 0; i < 4; ++i) expect_equal(all[i], particle(i), "particle " + std::to_string(i));
    EXPECT_EQ(f.dataset("names").read<std::string>(), (std::vector<std::string>{"zero", "", "two \xce\xb1", ""}));
    auto runs = f.dataset("runs");
    EXPECT_EQ(runs.chunks(), (Extent{4}));
    ASSERT_EQ(runs.filters().size(), 2U);
    EXPECT_EQ(runs.filters()[0].id, H5Z_FILTER_SHUFFLE);
    EXPECT_EQ(runs.filters()[1].id, H5Z_FILTER_DEFLATE);
    EXPECT_EQ(runs.read<Sequence>(), (std::vector<Sequence>{{1}, {}, {2, 3, 4}, {}, {}, {5, 6}}));
  });
}

TEST_P(TypedData, FixedStringElements) {
  using Name = FixedString<5>;
  struct Record {
    Name name;
    std::int16_t n;
  };
  const Datatype record = Compound<Record>{{"name", &Record::name}, {"n", &Record::n}};
  EXPECT_EQ(Datatype::adopt(H5Tget_member_type(record.id(), 0)), Datatype::fixed_string(5));
  EXPECT_EQ(Datatype::of<Name>(), Datatype::fixed_string(5));
  EXPECT_EQ(Name("toolongname").str(), "toolo");
  {
    File f = open("w");
    auto d = f.create_dataset("names", DatasetCreate::of<Name>({3}).fill_value(Name("none")));
    d.write(std::vector<Name>{"ab", "cdefg"}, Selection::hyperslab({1}, {2}));
    f.attrs().set("name", Name("x"));
    f.attrs().set("names", std::vector<Name>{"p", "qrstu"});
    f.close();
  }
  verify([&](File& f) {
    const auto names = f.dataset("names").read<Name>();
    ASSERT_EQ(names.size(), 3U);
    EXPECT_EQ(names[0].str(), "none");
    EXPECT_EQ(names[1].str(), "ab");
    EXPECT_EQ(names[2].str(), "cdefg");
    EXPECT_EQ(f.dataset("names").dtype(), Datatype::fixed_string(5));
    EXPECT_EQ(f.attrs().get<Name>("name").str(), "x");
    EXPECT_EQ(f.attrs().get<std::vector<std::string>>("names"), (std::vector<std::string>{"p", "qrstu"}));
    EXPECT_EQ(f.attrs().get<std::vector<Name>>("names")[1].str(), "qrstu");
  });
}

TEST_P(TypedData, AttributesOfEveryType) {
  {
    File f = open("w");
    auto g = f.create_group("g");
    g.attrs().set("particle", particle(3));
    g.attrs().set("particles", std::vector<Particle>{particle(1), particle(2)});
    g.attrs().set("color", Color::green);
    g.attrs().set("flag", true);
    g.attrs().set("flags", std::vector<bool>{true, false, true});
    g.attrs().set("row", std::array<float, 3>{1.5f, 2.5f, 3.5f});
    AttributeData fixed;
    fixed.type = Datatype::fixed_string(3);
    fixed.dims = {2};
    fixed.bytes = {std::byte{'a'}, std::byte{'b'}, std::byte{'c'}, std::byte{'d'}, std::byte{0}, std::byte{0}};
    g.attrs().set_raw("fixed", fixed);
    f.close();
  }
  verify([&](File& f) {
    const auto attrs = f.group("g").attrs();
    expect_equal(attrs.get<Particle>("particle"), particle(3), "particle");
    const auto both = attrs.get<std::vector<Particle>>("particles");
    ASSERT_EQ(both.size(), 2U);
    expect_equal(both[1], particle(2), "particles[1]");
    EXPECT_EQ(attrs.get_raw("particle").type, Datatype::of<Particle>().file_type());
    EXPECT_EQ(attrs.get<PartialParticle>("particle").id, 1003);
    EXPECT_EQ(attrs.get<Color>("color"), Color::green);
    EXPECT_TRUE(attrs.get<bool>("flag"));
    EXPECT_TRUE(attrs.get_raw("flag").type.is_boolean());
    EXPECT_EQ(attrs.get<std::vector<bool>>("flags"), (std::vector<bool>{true, false, true}));
    EXPECT_EQ((attrs.get<std::array<float, 3>>("row")), (std::array<float, 3>{1.5f, 2.5f, 3.5f}));
    EXPECT_EQ((attrs.get<std::array<double, 3>>("row")), (std::array<double, 3>{1.5, 2.5, 3.5}));
    EXPECT_EQ(attrs.get<std::vector<std::string>>("fixed"), (std::vector<std::string>{"abc", "d"}));
    // No conversion between unrelated classes: named in the error.
    EXPECT_THROW(attrs.get<int>("particle"), InvalidArgument);
    EXPECT_THROW(attrs.get<Color>("flag"), InvalidArgument);
    EXPECT_THROW(attrs.get<int>("fixed"), InvalidArgument);
  });
}

TEST_P(TypedData, WritingASubsetOfMembers) {
  File f = open("w");
  auto d = f.create_dataset("particles", DatasetCreate::of<Particle>({4}));
  const std::vector<PartialParticle> parts{{1, 2.0}};
  if (GetParam() == Driver::Multifile) {
    // The container logs whole elements: the members not written would be lost.
    EXPECT_THROW(d.write(parts, Selection::points({{1}})), Unsupported);
  } else {
    d.write(std::vector<Particle>{particle(5)}, Selection::points({{1}}));
    d.write(parts, Selection::points({{1}}));  // HDF5 keeps the other members
    const auto back = d.read<Particle>(Selection::points({{1}}));
    EXPECT_EQ(back[0].id, 1);
    EXPECT_EQ(back[0].inner.weight, 10.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, TypedData, ::testing::Values(Driver::Multifile, Driver::Sec2),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace h5mf
