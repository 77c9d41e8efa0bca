// Variable-length elements held self-contained (values/vlen_values.hpp) and attribute values as the
// container stores them (values/attribute_codec.hpp).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>
#include <string>
#include <vector>

#include "h5mf/error.hpp"
#include "values/attribute_codec.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_values.hpp"

namespace h5mf::values {
namespace {

struct Row {
  std::int32_t id;
  const char* name;
  hvl_t v;
};

Datatype row_type(hid_t integer, hid_t real) {
  Datatype t = Datatype::adopt(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
  H5Tinsert(t.id(), "id", HOFFSET(Row, id), integer);
  H5Tinsert(t.id(), "name", HOFFSET(Row, name), Datatype::variable_string().id());
  H5Tinsert(t.id(), "v", HOFFSET(Row, v), Datatype::sequence_of(Datatype::copy_of(real)).id());
  return t;
}

TEST(VlenElements, SequencesRoundTripThroughTheFileType) {
  std::vector<std::int64_t> a{1, 2, 3}, b;
  const hvl_t in[] = {{a.size(), a.data()}, {0, nullptr}};
  const Datatype memory = Datatype::sequence_of(Datatype::copy_of(H5T_NATIVE_INT64));
  const Datatype file = Datatype::sequence_of(Datatype::copy_of(H5T_STD_I16BE));
  const auto data = encode_vlen_elements(memory, in, 2, file, "q");
  EXPECT_EQ(data.size(), 2 * 16 + 3 * 2);  // two slots, three 2-byte elements
  EXPECT_EQ(convert_vlen_elements(file, data, 2, file, "q"), data);
  hvl_t out[2]{};
  decode_vlen_elements(file, data, 2, memory, out, "q");
  ASSERT_EQ(out[0].len, 3u);
  EXPECT_EQ(static_cast<std::int64_t*>(out[0].p)[2], 3);
  EXPECT_EQ(out[1].len, 0u);
  free_vlen_elements(memory, out, 2);
  // The count must be the data's: fewer or more elements are damage.
  EXPECT_THROW(decode_vlen_elements(file, data, 1, memory, out, "q"), FormatError);
  EXPECT_THROW(decode_vlen_elements(file, data, 3, memory, out, "q"), FormatError);
  auto trailing = data;
  trailing.push_back(std::byte{0});
  EXPECT_THROW(decode_vlen_elements(file, trailing, 2, memory, out, "q"), FormatError);
}

TEST(VlenElements, CompoundsKeepStringsAndSequences) {
  double v[] = {1.5, 2.5};
  const Row in[] = {{1, "ab", {2, v}}, {2, nullptr, {0, nullptr}}};
  const Datatype memory = row_type(H5T_NATIVE_INT32, H5T_NATIVE_DOUBLE);
  const Datatype file = memory.file_type();
  ASSERT_TRUE(uses_vlen_elements(file));
  const auto data = encode_vlen_elements(memory, in, 2, file, "c");
  Row out[2]{};
  decode_vlen_elements(file, data, 2, memory, out, "c");
  EXPECT_EQ(out[0].id, 1);
  EXPECT_STREQ(out[0].name, "ab");
  ASSERT_EQ(out[0].v.len, 2u);
  EXPECT_EQ(static_cast<double*>(out[0].v.p)[1], 2.5);
  EXPECT_EQ(out[1].name, nullptr);  // a NULL string stays NULL
  free_vlen_elements(memory, out, 2);
  EXPECT_EQ(out[0].name, nullptr);
}

TEST(VlenElements, ArrayMembersHaveASlotPerItem) {
  struct Tagged {
    std::int32_t id;
    const char* names[2];
  };
  Datatype t = Datatype::adopt(H5Tcreate(H5T_COMPOUND, sizeof(Tagged)));
  H5Tinsert(t.id(), "id", HOFFSET(Tagged, id), H5T_NATIVE_INT32);
  const hsize_t two = 2;
  const Datatype names = Datatype::adopt(H5Tarray_create2(Datatype::variable_string().id(), 1, &two));
  H5Tinsert(t.id(), "names", HOFFSET(Tagged, names), names.id());
  const VlenCompound c = vlen_compound(t, "t");
  ASSERT_EQ(c.members.size(), 2u);
  EXPECT_EQ(c.members[1].offset, HOFFSET(Tagged, names) + sizeof(char*));
  const Tagged in{4, {"x", nullptr}};
  const auto data = encode_vlen_elements(t, &in, 1, t, "t");
  Tagged out{};
  decode_vlen_elements(t, data, 1, t, &out, "t");
  EXPECT_EQ(out.id, 4);
  EXPECT_STREQ(out.names[0], "x");
  EXPECT_EQ(out.names[1], nullptr);
  free_vlen_elements(t, &out, 1);
}

TEST(AttributeCodec, TheFlagMustAgreeWithTheType) {
  std::vector<std::int32_t> a{7};
  const hvl_t in[] = {{1, a.data()}};
  AttributeData value;
  value.type = Datatype::sequence_of(Datatype::copy_of(H5T_NATIVE_INT32));
  value.dims = {1};
  value.bytes = encode_vlen_elements(value.type, in, 1, value.type, "q");
  StoredAttribute stored = store_attribute(value);
  EXPECT_TRUE(stored.variable_length_elements);
  const AttributeData loaded = load_attribute(stored, "attribute 'q'");
  EXPECT_EQ(loaded.bytes, stored.value);
  stored.variable_length_elements = false;
  EXPECT_THROW(load_attribute(stored, "attribute 'q'"), FormatError);
  StoredAttribute fixed = store_attribute([] {
    AttributeData d;
    d.type = Datatype::copy_of(H5T_NATIVE_INT32);
    d.bytes.resize(4);
    return d;
  }());
  fixed.variable_length_elements = true;
  EXPECT_THROW(load_attribute(fixed, "attribute 'i'"), FormatError);
}

}  // namespace
}  // namespace h5mf::values
