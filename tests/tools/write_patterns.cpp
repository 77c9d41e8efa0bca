// Writes one h5mf container per test pattern, for the `h5mf dump` / `h5mf ls` checks: each check
// compares the tool's output on the container with h5dump / h5ls on the merged file.
//
//   write_patterns PATH PATTERN
//
// Patterns: numeric (every numeric type, 0-D to 3-D, special values), fill (fill values and
// partial writes by three independent writers), attributes (every supported kind on the root,
// groups and datasets), nested (deep groups, names in byte order), empty (0-sized dimensions,
// an empty group, unlimited dimensions), windows (datasets larger than the small read windows the
// check asks `h5mf dump` to use), root (nothing but the root group), unsupported (a dataset of
// a two-dimensional array type), types (registered compounds with nested compound, enum, bool, array and
// fixed-length string members, enums, bools, arrays, fixed-length strings: datasets with fill
// values written in parts by two writers, and attributes of each), links (hard links to datasets and
// groups, with a cycle, and UTF-8 fixed-length strings).
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace patterns {

enum class Phase : std::int8_t { solid = -1, liquid = 0, gas = 5 };

struct Cell {
  std::int32_t id;
  Phase phase;
  bool active;
};

struct Particle {
  double mass;
  std::array<float, 3> velocity;
  Cell cell;
  char name[5];
};

struct Tagged {
  std::array<Phase, 2> phases;
  std::int8_t n;
};

}  // namespace patterns

H5MF_REGISTER_TYPE(patterns::Phase, h5mf::Enum<patterns::Phase>{{"SOLID", patterns::Phase::solid},
                                                                {"LIQUID", patterns::Phase::liquid},
                                                                {"GAS", patterns::Phase::gas}});
H5MF_REGISTER_TYPE(patterns::Cell, h5mf::Compound<patterns::Cell>{{"id", &patterns::Cell::id},
                                                                  {"phase", &patterns::Cell::phase},
                                                                  {"active", &patterns::Cell::active}});
H5MF_REGISTER_TYPE(patterns::Particle, h5mf::Compound<patterns::Particle>{
                                           {"mass", &patterns::Particle::mass},
                                           {"velocity", &patterns::Particle::velocity},
                                           {"cell", &patterns::Particle::cell},
                                           {"name", &patterns::Particle::name, h5mf::Datatype::fixed_string(5)}});

H5MF_REGISTER_TYPE(patterns::Tagged, h5mf::Compound<patterns::Tagged>{{"phases", &patterns::Tagged::phases},
                                                                      {"n", &patterns::Tagged::n}});

namespace {

using h5mf::AttributeData;
using h5mf::DatasetCreate;
using h5mf::Datatype;
using h5mf::Extent;
using h5mf::File;
using h5mf::FileOptions;
using h5mf::Selection;

FileOptions coordinator(int writers) {
  FileOptions o;
  o.driver = h5mf::Driver::Multifile;
  o.writers = writers;
  return o;
}

FileOptions worker(int writer) {
  FileOptions o;
  o.driver = h5mf::Driver::Multifile;
  o.writer = writer;
  return o;
}

std::uint64_t product(const Extent& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::uint64_t{1}, std::multiplies<>());
}

// Values that exercise the formatting of T: extremes, signs, and (floats) h5dump's %g cases.
template <class T>
std::vector<T> interesting(std::uint64_t n) {
  std::vector<T> base;
  if constexpr (std::is_floating_point_v<T>) {
    base = {T(0),
            T(-0.0),
            T(0.1),
            T(1e20),
            T(3.14159265358979),
            T(1) / T(3),
            T(-2.5),
            T(1e-5),
            T(1e-45),
            T(123456789.0),
            T(100),
            std::numeric_limits<T>::max(),
            std::numeric_limits<T>::min(),
            std::numeric_limits<T>::denorm_min(),
            std::numeric_limits<T>::quiet_NaN(),
            std::numeric_limits<T>::infinity(),
            -std::numeric_limits<T>::infinity(),
            T(1e300 > std::numeric_limits<T>::max() ? 1e30 : 1e300)};
  } else {
    base = {T(0), T(1), std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T(42), T(7), T(100)};
    if constexpr (std::is_signed_v<T>) base.push_back(T(-1));
  }
  std::vector<T> out(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    // Beyond the special values, a mix of small and wide numbers for line wrapping.
    out[i] = i < base.size() ? base[i] : static_cast<T>((i * 2654435761u) % (i % 3 == 0 ? 100000u : 97u));
  }
  return out;
}

template <class T>
void numeric_type(File& f, const std::string& name) {
  const std::vector<Extent> shapes = {{}, {23}, {4, 7}, {2, 3, 5}};
  const char* suffix[] = {"scalar", "1d", "2d", "3d"};
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    auto d = f.create_dataset<T>(name + "/" + suffix[s], shapes[s]);
    d.write(interesting<T>(product(shapes[s])));
  }
}

void numeric(const std::string& path) {
  File f(path, "w", coordinator(1));
  numeric_type<std::int8_t>(f, "int8");
  numeric_type<std::uint8_t>(f, "uint8");
  numeric_type<std::int16_t>(f, "int16");
  numeric_type<std::uint16_t>(f, "uint16");
  numeric_type<std::int32_t>(f, "int32");
  numeric_type<std::uint32_t>(f, "uint32");
  numeric_type<std::int64_t>(f, "int64");
  numeric_type<std::uint64_t>(f, "uint64");
  numeric_type<float>(f, "float32");
  numeric_type<double>(f, "float64");
  // Long rows: wrapping within a row, and rows of one element.
  auto wide = f.create_dataset<double>("wide", {3, 40});
  std::vector<double> values(120);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sqrt(static_cast<double>(i)) * 1000.0;
  wide.write(values);
  auto narrow = f.create_dataset<std::int32_t>("narrow", {5, 1, 1});
  narrow.write(std::vector<std::int32_t>{-3, -2, -1, 0, 1});
  f.close();
}

// Three writers: the coordinator makes the structure and writes a little, two workers (separate
// sessions of independent processes, here one after the other) write disjoint parts. The rest
// reads as the fill value.
void fill(const std::string& path) {
  {
    File f(path, "w", coordinator(3));
    f.create_dataset("filled/int16", DatasetCreate::of<std::int16_t>({4, 6}).fill_value<std::int16_t>(-7));
    f.create_dataset("filled/float32", DatasetCreate::of<float>({10}).fill_value<float>(0.5f));
    f.create_dataset("filled/float64", DatasetCreate::of<double>({3, 2, 4}).fill_value<double>(-1e-3));
    f.create_dataset("filled/uint64",
                     DatasetCreate::of<std::uint64_t>({5}).fill_value<std::uint64_t>(~std::uint64_t{0}));
    f.create_dataset("filled/scalar", DatasetCreate::of<std::int32_t>({}).fill_value<std::int32_t>(99));
    f.create_dataset<std::int32_t>("zeros", {2, 9});
    auto striped = f.create_dataset<std::int32_t>("striped", {12, 5});
    std::vector<std::int32_t> row(5);
    std::iota(row.begin(), row.end(), 0);
    striped.write(row, Selection::hyperslab({0, 0}, {1, 5}));
    f.dataset("zeros").write(std::vector<std::int32_t>{5, 6, 7}, Selection::hyperslab({1, 2}, {1, 3}));
    f.close();
  }
  for (int w = 1; w <= 2; ++w) {
    File f(path, "a", worker(w));
    auto striped = f.dataset("striped");
    // Writer w takes rows w, w+3, w+6 ... (a strided hyperslab), values 100*w + column.
    std::vector<std::int32_t> values;
    for (int r = w; r < 12; r += 3) {
      for (int c = 0; c < 5; ++c) values.push_back(100 * w + r * 10 + c);
    }
    const std::uint64_t rows = values.size() / 5;
    striped.write(values, Selection::hyperslab({static_cast<std::uint64_t>(w), 0}, {rows, 1}, {3, 1}, {1, 5}));
    auto i16 = f.dataset("filled/int16");
    i16.write(std::vector<std::int16_t>{static_cast<std::int16_t>(w), static_cast<std::int16_t>(-w)},
              Selection::hyperslab({static_cast<std::uint64_t>(w), 2}, {1, 2}));
    f.dataset("filled/float32")
        .write(std::vector<float>{1.25f * static_cast<float>(w)},
               Selection::points({{static_cast<std::uint64_t>(3 * w)}}));
    f.dataset("filled/float64")
        .write(std::vector<double>{0.1, 0.2}, Selection::hyperslab({static_cast<std::uint64_t>(w), 1, 1}, {1, 1, 2}));
    f.close();
  }
}

template <class T>
void set_array(h5mf::Attributes attrs, const std::string& name, const std::vector<T>& values, Extent dims) {
  AttributeData a;
  a.type = Datatype::of<T>();
  a.dims = std::move(dims);
  const auto* p = reinterpret_cast<const std::byte*>(values.data());
  a.bytes.assign(p, p + values.size() * sizeof(T));
  attrs.set_raw(name, std::move(a));
}

void set_fixed_strings(h5mf::Attributes attrs, const std::string& name, std::size_t length,
                       const std::vector<std::string>& values, Extent dims) {
  AttributeData a;
  a.type = Datatype::fixed_string(length);
  a.dims = std::move(dims);
  for (const auto& v : values) {
    std::string padded = v.substr(0, length);
    padded.resize(length, '\0');
    const auto* p = reinterpret_cast<const std::byte*>(padded.data());
    a.bytes.insert(a.bytes.end(), p, p + length);
  }
  attrs.set_raw(name, std::move(a));
}

template <class T>
void every_numeric_attribute(h5mf::Attributes attrs, const std::string& prefix) {
  attrs.set(prefix + "_scalar", interesting<T>(2)[1]);
  attrs.set(prefix + "_array", interesting<T>(30));
  set_array(attrs, prefix + "_2d", interesting<T>(6), {2, 3});
}

void attributes(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto root = f.attrs();
  every_numeric_attribute<std::int8_t>(root, "i8");
  every_numeric_attribute<std::uint8_t>(root, "u8");
  every_numeric_attribute<std::int16_t>(root, "i16");
  every_numeric_attribute<std::uint16_t>(root, "u16");
  every_numeric_attribute<std::int32_t>(root, "i32");
  every_numeric_attribute<std::uint32_t>(root, "u32");
  every_numeric_attribute<std::int64_t>(root, "i64");
  every_numeric_attribute<std::uint64_t>(root, "u64");
  every_numeric_attribute<float>(root, "f32");
  every_numeric_attribute<double>(root, "f64");
  root.set("title", "h5mf dump test");
  root.set("empty_string", "");
  root.set("strings", std::vector<std::string>{"a", "bc", "", "with \"quotes\" and \\", "tab\there", "é ü"});
  root.set("lines", std::vector<std::string>{"one\ntwo", "x", std::string(90, 'y'), "z"});
  root.set("controls", std::string("\x01\x07\x1b\x7f end"));
  set_fixed_strings(root, "fixed", 8, {"fixed"}, {});
  set_fixed_strings(root, "fixed_array", 3, {"ab", "cde", "", "xyz"}, {2, 2});
  root.set("no_numbers", std::vector<double>{});  // an attribute with 0 elements
  root.set("no_strings", std::vector<std::string>{});

  auto g = f.create_group("group");
  g.attrs().set("count", std::int64_t{3});
  g.attrs().set("Upper", 1.5);  // upper case sorts first
  auto d = f.create_dataset<float>("group/data", {2, 2});
  d.write(std::vector<float>{1, 2, 3, 4});
  d.attrs().set("units", "m/s");
  d.attrs().set("scale", std::vector<double>{0.5, 2});
  set_fixed_strings(d.attrs(), "code", 4, {"A1", "B22", "C333"}, {3});
  // A dataset of fixed-length strings (NUL-padded: h5dump shows the padding as \000).
  DatasetCreate words;
  words.dtype = Datatype::fixed_string(6);
  words.shape = {2, 3};
  auto w = f.create_dataset("words", words);
  const char text[] =
      "alpha\0"
      "beta\0\0"
      "gamma!"
      "delta\0"
      "ab\ncd\0"
      "z\0\0\0\0\0";
  static_assert(sizeof text == 6 * 6 + 1);
  w.write_raw(text, Datatype::fixed_string(6), Selection::all());
  auto s = f.create_dataset<std::uint8_t>("scalar", {});
  s.write(std::vector<std::uint8_t>{200});
  s.attrs().set("note", "a scalar");
  f.close();
}

void nested(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.create_group("a/b/c/d/e/f/g/h/i/j");
  auto deep = f.create_dataset<std::int64_t>("a/b/c/d/e/f/g/h/i/j/deep", {40});
  std::vector<std::int64_t> values(40);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int64_t>(i) * 1000003;
  deep.write(values);
  deep.attrs().set("where", "deep down");
  f.group("a/b/c/d/e").attrs().set("level", std::int32_t{5});
  f.group("a/b/c/d/e").attrs().set("odd \"name\"", std::int32_t{6});
  // Names whose byte order differs from a case-insensitive or per-path order.
  // ... and names h5ls escapes (h5dump prints them as they are).
  for (const char* name :
       {"a-b", "B", "a_b", "Z", "aa", "a.b", "with space", "quote\"d", "back\\slash", "tab\there", "caf\xc3\xa9"}) {
    auto d = f.create_dataset<std::int32_t>(name, {2});
    d.write(std::vector<std::int32_t>{1, 2});
  }
  f.create_group("a/z");
  f.create_group("a/b2");
  auto d = f.create_dataset<std::uint16_t>("a/z/data", {3, 3});
  d.write(std::vector<std::uint16_t>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  f.close();
}

void empty(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.create_group("empty_group");
  f.create_dataset<std::int32_t>("zero_rows", {0, 3});
  f.create_dataset<double>("zero_length", {0});
  constexpr auto kUnlimited = DatasetCreate::kUnlimited;
  f.create_dataset("unlimited", DatasetCreate::of<std::int32_t>({0}).max_shape({kUnlimited}));
  auto grown = f.create_dataset("grown", DatasetCreate::of<std::int16_t>({2, 3}).max_shape({kUnlimited, 3}));
  grown.write(std::vector<std::int16_t>{1, 2, 3, 4, 5, 6});
  grown.resize({4, 3});
  grown.write(std::vector<std::int16_t>{7, 8, 9}, Selection::hyperslab({3, 0}, {1, 3}));
  auto bounded = f.create_dataset("bounded", DatasetCreate::of<float>({3, 4}).max_shape({10, kUnlimited}));
  bounded.write(std::vector<float>(12, 2.5f));
  f.create_dataset("chunked", DatasetCreate::of<std::uint32_t>({7}).chunk_shape({3}));
  f.close();
}

void windows(const std::string& path) {
  File f(path, "w", coordinator(2));
  auto a = f.create_dataset<std::int32_t>("rows", {300, 17});
  std::vector<std::int32_t> values(300 * 17);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int32_t>((i * 7919) % 200003) - 100000;
  a.write(values);
  auto b = f.create_dataset<double>("cube", {7, 13, 11});
  std::vector<double> cube(7 * 13 * 11);
  for (std::size_t i = 0; i < cube.size(); ++i) cube[i] = std::sin(static_cast<double>(i)) * 1e3;
  b.write(cube);
  auto c = f.create_dataset<std::uint8_t>("long", {5000});
  std::vector<std::uint8_t> bytes(5000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 31);
  c.write(bytes);
  f.close();
}

// Variable-length strings: NULL (unwritten or written so), empty, quoted and non-ASCII strings,
// strings longer than a line, 1-D contiguous, 2-D chunked, scalar; written by two writers, later
// wins.
void strings(const std::string& path) {
  {
    File f(path, "w", coordinator(2));
    auto a = f.create_dataset("a", DatasetCreate::of<std::string>({8}));
    a.write(std::vector<std::string>{"h\xc3\xa9llo \"q\" \\ b", "", std::string(150, 'x'), "tab\there\nline"},
            Selection::hyperslab({0}, {4}));
    auto g = f.create_dataset("g", DatasetCreate::of<std::string>({30, 3}).chunk_shape({4, 2}));
    std::vector<std::string> rows(19 * 2);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = "v" + std::to_string(i);
    g.write(rows, Selection::hyperslab({1, 1}, {19, 2}));
    f.create_dataset("s", DatasetCreate::of<std::string>({})).write(std::vector<std::string>{"scalar"});
    f.close();
  }
  File f(path, "a", worker(1));
  auto a = f.dataset("a");
  const char* over[] = {"second writer", nullptr};
  a.write_raw(over, Datatype::variable_string(), Selection::hyperslab({1}, {2}));
  f.close();
}

// Variable-length sequences of numbers: empty, long, converted, later wins, chunked.
void sequences(const std::string& path) {
  File f(path, "w", coordinator(1));
  using Ints = std::vector<std::int32_t>;
  auto v = f.create_dataset("v", DatasetCreate::of<Ints>({6}));
  Ints long_one(60);
  for (std::size_t i = 0; i < long_one.size(); ++i) long_one[i] = static_cast<std::int32_t>(i * i) - 100;
  v.write(std::vector<Ints>{{1, 2, 3}, {}, long_one, {-7}}, Selection::hyperslab({0}, {4}));
  v.write(std::vector<std::vector<double>>{{9.0, 10.0}}, Selection::points(1, {3}));
  auto g = f.create_dataset("g", DatasetCreate::of<std::vector<double>>({5, 2}).chunk_shape({2, 2}));
  g.write(std::vector<std::vector<double>>{{0.5, 1e-3}, {2.25}, {}}, Selection::hyperslab({1, 0}, {3, 1}));
  f.create_dataset("u8", DatasetCreate::of<std::vector<std::uint8_t>>({}))
      .write(std::vector<std::vector<std::uint8_t>>{{255, 0, 7}});
  f.close();
}

// Types `h5mf dump` refuses (with an error, not wrong output): a compound dataset beside a
// supported one.
void unsupported(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.create_dataset<std::int32_t>("fine", {2}).write(std::vector<std::int32_t>{1, 2});
  // A two-dimensional array: h5dump's layout for those is not reproduced by `h5mf dump`.
  const hsize_t dims[2] = {2, 3};
  DatasetCreate spec;
  spec.dtype = Datatype::adopt(H5Tarray_create2(H5T_STD_I32LE, 2, dims));
  spec.shape = {3};
  f.create_dataset("pairs", spec);
  f.close();
}

patterns::Particle particle(int i) {
  patterns::Particle p{};
  p.mass = 1.5 * i;
  p.velocity = {static_cast<float>(i), -0.5f, 1e-3f * static_cast<float>(i)};
  p.cell = {100 + i, i % 2 == 0 ? patterns::Phase::gas : patterns::Phase::solid, i % 3 != 0};
  std::snprintf(p.name, sizeof p.name, "p%d", i % 100);
  return p;
}

void types(const std::string& path) {
  using patterns::Phase;
  using Triple = std::array<std::uint16_t, 3>;
  {
    File f(path, "w", coordinator(3));
    patterns::Particle fill{};
    fill.mass = -1;
    fill.cell = {-1, Phase::liquid, false};
    std::memcpy(fill.name, "none", 4);
    f.create_dataset("particles", DatasetCreate::of<patterns::Particle>({6}).fill_value(fill));
    f.create_dataset("phases", DatasetCreate::of<Phase>({3, 4}).fill_value(Phase::gas));
    f.create_dataset("flags", DatasetCreate::of<bool>({7}).fill_value(true));
    f.create_dataset("triples", DatasetCreate::of<Triple>({2, 3}).fill_value(Triple{7, 8, 9}));
    DatasetCreate words;
    words.dtype = Datatype::fixed_string(3);
    words.shape = {4};
    words.fill = {std::byte{'-'}, std::byte{'-'}, std::byte{0}};
    f.create_dataset("words", words);
    f.create_dataset("scalar_cell", DatasetCreate::of<patterns::Cell>({}));
    f.create_dataset("cell_grid", DatasetCreate::of<patterns::Cell>({2, 3}));
    using Long = std::array<std::int32_t, 30>;
    Long long_row{};
    for (std::size_t i = 0; i < long_row.size(); ++i) long_row[i] = static_cast<std::int32_t>(i * 1001);
    f.create_dataset("long_arrays", DatasetCreate::of<Long>({3}))
        .write(std::vector<Long>{long_row}, Selection::points({{1}}));
    f.dataset("long_arrays").attrs().set("row", long_row);
    f.create_dataset("bool_pairs", DatasetCreate::of<std::array<bool, 2>>({3}))
        .write(std::vector<std::array<bool, 2>>{{true, false}}, Selection::points({{2}}));
    f.create_dataset("tagged", DatasetCreate::of<patterns::Tagged>({2}))
        .write(std::vector<patterns::Tagged>{{{Phase::gas, Phase::solid}, 3}}, Selection::points({{0}}));
    AttributeData words_pair;
    words_pair.type = Datatype::array(Datatype::fixed_string(2), {2});
    words_pair.bytes = {std::byte{'o'}, std::byte{'k'}, std::byte{'n'}, std::byte{0}};
    f.dataset("tagged").attrs().set_raw("words", words_pair);
    f.attrs().set("particle", particle(3));
    f.attrs().set("phase", Phase::solid);
    f.attrs().set("phases", std::vector<Phase>{Phase::gas, Phase::liquid});
    f.attrs().set("flag", false);
    f.attrs().set("flags", std::vector<bool>{true, false});
    f.attrs().set("triple", Triple{1, 2, 3});
    f.dataset("particles")
        .attrs()
        .set("cells", std::vector<patterns::Cell>{{1, Phase::gas, true}, {2, Phase::solid, false}});
    f.close();
  }
  for (int writer = 1; writer <= 2; ++writer) {  // writers 1 and 2 write parts 0 and 1
    File f(path, "a", worker(writer));
    const int w = writer - 1;
    const auto at = static_cast<std::uint64_t>(w);
    f.dataset("particles")
        .write(std::vector<patterns::Particle>{particle(2 * w), particle(2 * w + 1)},
               Selection::hyperslab({at * 3}, {2}));
    f.dataset("phases").write(std::vector<Phase>{Phase::solid, Phase::liquid}, Selection::hyperslab({at, 1}, {1, 2}));
    f.dataset("flags").write(std::vector<bool>{false, w == 0}, Selection::hyperslab({at * 3}, {2}));
    f.dataset("triples").write(std::vector<Triple>{{static_cast<std::uint16_t>(w), 1, 2}},
                               Selection::points({{at, 2}}));
    f.dataset("words").write_raw(w == 0 ? "abc" : "z\0\0", Datatype::fixed_string(3), Selection::points({{at * 2}}));
    if (w == 1) f.dataset("scalar_cell").write(std::vector<patterns::Cell>{{42, Phase::gas, true}});
    f.dataset("cell_grid")
        .write(std::vector<patterns::Cell>{{w, Phase::solid, true}, {w + 10, Phase::gas, false}},
               Selection::hyperslab({at, 1}, {1, 2}));
    f.close();
  }
}

// Hard links to datasets and groups (one making a cycle, one to the root, one made before the
// target's own name in h5dump's walk), writes through a second name, and UTF-8 fixed-length strings.
void links(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto orig = f.create_dataset<std::int32_t>("orig", {4});
  f.create_hard_link("alias", orig);  // "alias" < "orig": h5dump prints the data at /alias
  f.dataset("alias").write(std::vector<std::int32_t>{1, 2, 3, 4});
  auto g1 = f.create_group("g1");
  g1.create_dataset<double>("x", {2}).write(std::vector<double>{0.5, 1.5});
  g1.attrs().set("level", std::int32_t{1});
  f.create_hard_link("g2", g1);
  f.create_hard_link("g1/self", g1);                      // a cycle
  f.create_hard_link("g1/top", f);                        // the root under another name
  f.create_hard_link("deep/er/orig", orig);               // intermediate groups are created
  f.group("g2").attrs().set("through", std::int32_t{2});  // set through the second name
  DatasetCreate spec;
  spec.dtype = Datatype::fixed_string(6);
  H5Tset_cset(spec.dtype.id(), H5T_CSET_UTF8);
  spec.shape = {2};
  auto words = f.create_dataset("words", spec);
  const std::string bytes("caf\xc3\xa9\0h\xc3\xa9\0\0\0", 12);
  words.write_raw(bytes.data(), spec.dtype, Selection::all());
  AttributeData a;
  a.type = spec.dtype;
  const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
  a.bytes.assign(p, p + 6);
  words.attrs().set_raw("word", a);
  f.close();
}

// Storage properties as `h5dump -p` prints them: layouts, filter pipelines, fill values (one of a
// compound), written and never written datasets.
void storage(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.create_dataset<double>("contiguous", {10})
      .write(std::vector<double>{1.0, 2.0, 3.0}, Selection::hyperslab({5}, {3}));
  f.create_dataset("unwritten", DatasetCreate::of<float>({3}).fill_value(1.5f));
  auto packed = f.create_dataset(
      "packed",
      DatasetCreate::of<std::int32_t>({4, 5}).chunk_shape({2, 5}).fill_value(7).shuffle().deflate(6).fletcher32());
  packed.write(std::vector<std::int32_t>{1, 2, 3, 4, 5}, Selection::hyperslab({1, 0}, {1, 5}));
  auto scaled = f.create_dataset(
      "scaled",
      DatasetCreate::of<std::int16_t>({8}).chunk_shape({4}).max_shape({DatasetCreate::kUnlimited}).scaleoffset(0));
  scaled.write(std::vector<std::int16_t>{9, 8, 7}, Selection::hyperslab({2}, {3}));
  f.create_dataset("cells",
                   DatasetCreate::of<patterns::Cell>({2}).fill_value(patterns::Cell{3, patterns::Phase::liquid, true}));
  f.create_dataset("plain_chunks", DatasetCreate::of<std::uint8_t>({6}).chunk_shape({4}));
  f.close();
}

void root_only(const std::string& path) {
  File f(path, "w", coordinator(1));
  f.close();
}

// HDF5's null dataspace (h5py's Empty): datasets and attributes with a type and no elements, beside
// a plain dataset.
void null_spaces(const std::string& path) {
  File f(path, "w", coordinator(1));
  auto e = f.create_dataset("empty", DatasetCreate::empty(Datatype::of<float>()));
  e.attrs().set_raw("none", AttributeData::empty(Datatype::of<std::int32_t>()));
  e.attrs().set("units", "none at all");
  f.create_dataset("group/filled", DatasetCreate::empty(Datatype::of<std::int16_t>()).fill_value<std::int16_t>(7));
  f.attrs().set_raw("nothing", AttributeData::empty(Datatype::variable_string()));
  f.create_dataset<std::int32_t>("plain", {3}).write(std::vector<std::int32_t>{1, 2, 3});
  f.close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PATH PATTERN\n", argv[0]);
    return 2;
  }
  const std::map<std::string, void (*)(const std::string&)> patterns = {
      {"numeric", numeric}, {"fill", fill},           {"attributes", attributes}, {"nested", nested},
      {"empty", empty},     {"windows", windows},     {"root", root_only},        {"unsupported", unsupported},
      {"strings", strings}, {"sequences", sequences}, {"types", types},           {"links", links},
      {"storage", storage}, {"null", null_spaces},
  };
  const auto pattern = patterns.find(argv[2]);
  if (pattern == patterns.end()) {
    std::fprintf(stderr, "unknown pattern '%s'\n", argv[2]);
    return 2;
  }
  try {
    pattern->second(argv[1]);
  } catch (const h5mf::Error& e) {
    std::fprintf(stderr, "write_patterns %s: %s\n", argv[2], e.what());
    return 1;
  }
  return 0;
}
