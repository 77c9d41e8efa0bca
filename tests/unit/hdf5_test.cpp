// Unit tests of the HDF5 layer: Handle lifetimes, checked calls and error stacks, Datatype, and
// conversion with H5Tconvert.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/handle.hpp"

namespace {

using h5mf::Datatype;
using h5mf::FormatError;
using h5mf::InvalidArgument;
using h5mf::IoError;
using h5mf::hdf5::Handle;

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

template <class T>
std::vector<T> values_of(const std::vector<std::byte>& bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

bool is_open(hid_t id) { return H5Iis_valid(id) > 0; }

hid_t new_type_id() {
  h5mf::hdf5::silence_hdf5_errors();
  return H5Tcopy(H5T_NATIVE_INT);
}

// Leaves HDF5's error stack holding the failure of H5Fopen on a file that does not exist.
hid_t fail_to_open_a_file() {
  h5mf::hdf5::silence_hdf5_errors();
  return H5Fopen("/nonexistent-h5mf-dir/missing.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// ---- Handle ------------------------------------------------------------------------------------

TEST(Handle, DefaultIsInvalid) {
  const Handle h;
  EXPECT_FALSE(h.valid());
  EXPECT_LT(h.get(), 0);
}

TEST(Handle, DestructorReleasesTheReference) {
  const hid_t id = new_type_id();
  {
    const Handle h(id);
    EXPECT_TRUE(h.valid());
    EXPECT_EQ(h.get(), id);
    EXPECT_EQ(H5Iget_ref(id), 1);
  }
  EXPECT_FALSE(is_open(id));
}

TEST(Handle, MoveConstructionTransfersOwnership) {
  const hid_t id = new_type_id();
  Handle a(id);
  {
    const Handle b(std::move(a));
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(b.get(), id);
    EXPECT_TRUE(is_open(id));
  }
  EXPECT_FALSE(is_open(id));
}

TEST(Handle, MoveAssignmentReleasesTheOldId) {
  const hid_t first = new_type_id();
  const hid_t second = new_type_id();
  Handle a(first);
  Handle b(second);
  a = std::move(b);
  EXPECT_FALSE(is_open(first));
  EXPECT_TRUE(is_open(second));
  EXPECT_EQ(a.get(), second);
  EXPECT_FALSE(b.valid());  // NOLINT(bugprone-use-after-move)
}

TEST(Handle, ReleaseGivesUpOwnership) {
  const hid_t id = new_type_id();
  {
    Handle h(id);
    EXPECT_EQ(h.release(), id);
    EXPECT_FALSE(h.valid());
  }
  EXPECT_TRUE(is_open(id));
  EXPECT_GE(H5Tclose(id), 0);
}

TEST(Handle, CloseTwiceIsSafe) {
  const hid_t id = new_type_id();
  Handle h(id);
  h.close("closing a test type");
  EXPECT_FALSE(h.valid());
  EXPECT_FALSE(is_open(id));
  EXPECT_NO_THROW(h.close("closing a test type again"));
}

TEST(Handle, DestructorIgnoresInvalidIds) {
  const hid_t id = new_type_id();
  ASSERT_GE(H5Tclose(id), 0);
  { const Handle closed_elsewhere(id); }
  { const Handle never_an_id(static_cast<hid_t>(123456789)); }
  { const Handle predefined(H5T_NATIVE_INT); }  // not ours: the library keeps it
  EXPECT_GT(H5Tequal(H5T_NATIVE_INT, H5T_STD_I32LE), 0);
  EXPECT_EQ(h5mf::hdf5::error_stack(), "");  // and leaves no errors behind
}

TEST(Handle, CloseReportsFailureWithWhatFirst) {
  const hid_t id = new_type_id();
  ASSERT_GE(H5Tclose(id), 0);
  Handle h(id);
  try {
    h.close("closing type 'x'");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_TRUE(starts_with(e.what(), "closing type 'x': ")) << e.what();
  }
  EXPECT_FALSE(h.valid());
}

TEST(Handle, DestructorKeepsAPendingErrorStack) {
  Handle type(new_type_id());
  const hid_t file = fail_to_open_a_file();
  ASSERT_LT(file, 0);
  type = Handle();  // cleanup between the failure and its report
  EXPECT_FALSE(type.valid());
  EXPECT_NE(h5mf::hdf5::error_stack().find("H5Fopen()"), std::string::npos);
}

TEST(Datatype, DescribeKeepsAPendingErrorStack) {
  const Datatype t = Datatype::of<std::int64_t>();
  ASSERT_LT(fail_to_open_a_file(), 0);
  EXPECT_EQ(t.describe(), "H5T_STD_I64LE");  // e.g. while building the message of a check
  EXPECT_NE(h5mf::hdf5::error_stack().find("H5Fopen()"), std::string::npos);
}

// ---- Error stacks and checked calls ------------------------------------------------------------

TEST(ErrorStack, DescribesAFailedCallOnOneLine) {
  ASSERT_LT(fail_to_open_a_file(), 0);
  const std::string stack = h5mf::hdf5::error_stack();
  EXPECT_TRUE(starts_with(stack, "H5Fopen(): unable to open file")) << stack;
  EXPECT_NE(stack.find(" <- "), std::string::npos) << stack;
  EXPECT_NE(stack.find("missing.h5"), std::string::npos) << stack;
  EXPECT_EQ(stack.find('\n'), std::string::npos) << stack;
  EXPECT_EQ(h5mf::hdf5::error_stack(), "");  // cleared
}

TEST(ErrorStack, EmptyWhenNothingFailed) {
  const Handle h(new_type_id());
  EXPECT_EQ(h5mf::hdf5::error_stack(), "");
}

TEST(Check, IdThrowsIoErrorWithWhatThenStack) {
  try {
    h5mf::hdf5::check_id(fail_to_open_a_file(), "opening /nonexistent-h5mf-dir/missing.h5");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_TRUE(starts_with(e.what(), "opening /nonexistent-h5mf-dir/missing.h5: H5Fopen(): ")) << e.what();
  }
}

TEST(Check, PassesSuccessThrough) {
  const hid_t id = new_type_id();
  EXPECT_EQ(h5mf::hdf5::check_id(id, "copying"), id);
  EXPECT_EQ(h5mf::hdf5::check(H5Tclose(id), "closing"), 0);
  EXPECT_TRUE(h5mf::hdf5::check_bool(H5Tequal(H5T_NATIVE_INT, H5T_STD_I32LE), "comparing"));
  EXPECT_FALSE(h5mf::hdf5::check_bool(H5Tequal(H5T_NATIVE_INT, H5T_STD_I32BE), "comparing"));
}

TEST(Check, StatusAndBoolThrowWithWhatFirst) {
  const auto message_of = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const IoError& e) {
      return e.what();
    }
    return "no exception";
  };
  const std::string status =
      message_of([] { h5mf::hdf5::check(H5Tclose(static_cast<hid_t>(987654321)), "closing type 7"); });
  EXPECT_TRUE(starts_with(status, "closing type 7: H5Tclose()")) << status;
  const std::string boolean =
      message_of([] { h5mf::hdf5::check_bool(H5Tequal(static_cast<hid_t>(987654321), H5T_NATIVE_INT), "comparing"); });
  EXPECT_TRUE(starts_with(boolean, "comparing: H5Tequal()")) << boolean;
  const std::string no_stack = message_of([] { h5mf::hdf5::check(-1, "doing nothing"); });
  EXPECT_TRUE(starts_with(no_stack, "doing nothing: ")) << no_stack;
}

// ---- Datatype: native types --------------------------------------------------------------------

struct Expected {
  hid_t standard;
  const char* name;
};

template <class T>
Expected expected_for() {
  if constexpr (std::is_same_v<T, float>) return {H5T_IEEE_F32LE, "H5T_IEEE_F32LE"};
  if constexpr (std::is_same_v<T, double>) return {H5T_IEEE_F64LE, "H5T_IEEE_F64LE"};
  if constexpr (std::is_same_v<T, std::int8_t>) return {H5T_STD_I8LE, "H5T_STD_I8LE"};
  if constexpr (std::is_same_v<T, std::int16_t>) return {H5T_STD_I16LE, "H5T_STD_I16LE"};
  if constexpr (std::is_same_v<T, std::int32_t>) return {H5T_STD_I32LE, "H5T_STD_I32LE"};
  if constexpr (std::is_same_v<T, std::int64_t>) return {H5T_STD_I64LE, "H5T_STD_I64LE"};
  if constexpr (std::is_same_v<T, std::uint8_t>) return {H5T_STD_U8LE, "H5T_STD_U8LE"};
  if constexpr (std::is_same_v<T, std::uint16_t>) return {H5T_STD_U16LE, "H5T_STD_U16LE"};
  if constexpr (std::is_same_v<T, std::uint32_t>) return {H5T_STD_U32LE, "H5T_STD_U32LE"};
  if constexpr (std::is_same_v<T, std::uint64_t>) return {H5T_STD_U64LE, "H5T_STD_U64LE"};
  return {H5I_INVALID_HID, ""};
}

template <class T>
class NativeType : public ::testing::Test {};
using NativeTypes = ::testing::Types<std::int8_t, std::int16_t, std::int32_t, std::int64_t, std::uint8_t, std::uint16_t,
                                     std::uint32_t, std::uint64_t, float, double>;
TYPED_TEST_SUITE(NativeType, NativeTypes);

TYPED_TEST(NativeType, SizeClassAndSign) {
  const Datatype t = Datatype::of<TypeParam>();
  ASSERT_TRUE(t.valid());
  EXPECT_EQ(t.size(), sizeof(TypeParam));
  EXPECT_TRUE(t.is_numeric());
  EXPECT_FALSE(t.is_variable_length());
  if constexpr (std::is_floating_point_v<TypeParam>) {
    EXPECT_EQ(t.type_class(), H5T_FLOAT);
  } else {
    EXPECT_EQ(t.type_class(), H5T_INTEGER);
    EXPECT_EQ(H5Tget_sign(t.id()), std::is_signed_v<TypeParam> ? H5T_SGN_2 : H5T_SGN_NONE);
  }
}

TYPED_TEST(NativeType, FileTypeIsTheLittleEndianStandardType) {
  const Expected expected = expected_for<TypeParam>();
  const Datatype file = Datatype::of<TypeParam>().file_type();
  EXPECT_GT(H5Tequal(file.id(), expected.standard), 0);
  EXPECT_EQ(H5Tget_order(file.id()), H5T_ORDER_LE);
  EXPECT_EQ(file.describe(), expected.name);
  EXPECT_EQ(Datatype::of<TypeParam>().describe(), expected.name);  // little-endian machine
}

TYPED_TEST(NativeType, EncodeDecodeRoundTrip) {
  for (const Datatype& t : {Datatype::of<TypeParam>(), Datatype::of<TypeParam>().file_type()}) {
    const std::vector<std::byte> bytes = t.encode();
    const Datatype back = Datatype::decode(bytes);
    EXPECT_EQ(back, t);
    EXPECT_EQ(back.encode(), bytes);
  }
}

TEST(Datatype, NativeTypeIdMatchesCTypes) {
  using h5mf::detail::native_type_id;
  EXPECT_GT(H5Tequal(native_type_id(4, true, false), H5T_NATIVE_INT), 0);
  EXPECT_GT(H5Tequal(native_type_id(2, false, false), H5T_NATIVE_USHORT), 0);
  EXPECT_GT(H5Tequal(native_type_id(8, true, false), H5T_NATIVE_LLONG), 0);
  EXPECT_GT(H5Tequal(native_type_id(1, true, false), H5T_NATIVE_SCHAR), 0);
  EXPECT_GT(H5Tequal(native_type_id(8, true, true), H5T_NATIVE_DOUBLE), 0);
  EXPECT_THROW(native_type_id(3, true, false), InvalidArgument);
  EXPECT_THROW(native_type_id(2, true, true), InvalidArgument);
  EXPECT_GT(H5Tequal(Datatype::of<const long>().id(), H5T_NATIVE_LONG), 0);
  EXPECT_GT(H5Tequal(Datatype::of<char>().id(), H5T_NATIVE_CHAR), 0);
}

// ---- Datatype: ownership -----------------------------------------------------------------------

TEST(Datatype, DefaultIsInvalid) {
  const Datatype t;
  EXPECT_FALSE(t.valid());
  EXPECT_THROW((void)t.size(), InvalidArgument);
  EXPECT_THROW((void)t.type_class(), InvalidArgument);
  EXPECT_THROW((void)t.encode(), InvalidArgument);
  EXPECT_EQ(t.describe(), "invalid datatype");
  EXPECT_FALSE(t == Datatype());
  EXPECT_FALSE(t == Datatype::of<int>());
  const Datatype copy = t;  // copying an invalid type is fine
  EXPECT_FALSE(copy.valid());
}

TEST(Datatype, CopiesAreIndependentAndEqual) {
  const Datatype a = Datatype::of<std::int32_t>();
  const Datatype b = a;
  EXPECT_NE(a.id(), b.id());
  EXPECT_EQ(a, b);
  Datatype c = Datatype::of<double>();
  const hid_t old = c.id();
  c = a;
  EXPECT_FALSE(is_open(old));
  EXPECT_EQ(c, a);
  EXPECT_NE(c.id(), a.id());
}

TEST(Datatype, MovesTransferTheId) {
  Datatype a = Datatype::of<std::int16_t>();
  const hid_t id = a.id();
  Datatype b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.id(), id);
  Datatype c = Datatype::of<float>();
  const hid_t old = c.id();
  c = std::move(b);
  EXPECT_FALSE(is_open(old));
  EXPECT_EQ(c.id(), id);
  EXPECT_TRUE(is_open(id));
}

TEST(Datatype, AdoptTakesOwnershipCopyOfDoesNot) {
  const hid_t id = new_type_id();
  {
    const Datatype copy = Datatype::copy_of(id);
    EXPECT_NE(copy.id(), id);
    const Datatype adopted = Datatype::adopt(id);
    EXPECT_EQ(adopted.id(), id);
  }
  EXPECT_FALSE(is_open(id));
  { const Datatype copy = Datatype::copy_of(H5T_NATIVE_INT); }  // predefined types stay usable
  EXPECT_GT(H5Tequal(H5T_NATIVE_INT, H5T_STD_I32LE), 0);
}

TEST(Datatype, AdoptAndCopyOfRejectBadIds) {
  EXPECT_THROW(Datatype::adopt(H5I_INVALID_HID), IoError);
  EXPECT_THROW(Datatype::copy_of(H5I_INVALID_HID), InvalidArgument);
  const Handle space(H5Screate(H5S_SCALAR));
  EXPECT_THROW(Datatype::adopt(space.get()), InvalidArgument);
  EXPECT_THROW(Datatype::copy_of(space.get()), InvalidArgument);
  EXPECT_TRUE(is_open(space.get()));  // a rejected id is left to its owner
}

// ---- Datatype: strings, classes, file types, descriptions --------------------------------------

TEST(Datatype, FixedString) {
  const Datatype t = Datatype::fixed_string(8);
  EXPECT_EQ(t.type_class(), H5T_STRING);
  EXPECT_EQ(t.size(), 8U);
  EXPECT_EQ(H5Tget_strpad(t.id()), H5T_STR_NULLPAD);
  EXPECT_EQ(H5Tget_cset(t.id()), H5T_CSET_ASCII);
  EXPECT_FALSE(t.is_variable_length());
  EXPECT_FALSE(t.is_numeric());
  EXPECT_EQ(t.describe(), "string(8)");
  EXPECT_EQ(t.file_type(), t);
  EXPECT_THROW(Datatype::fixed_string(0), InvalidArgument);
  EXPECT_THROW(Datatype::fixed_string(H5T_VARIABLE), InvalidArgument);
}

TEST(Datatype, VariableString) {
  const Datatype t = Datatype::variable_string();
  EXPECT_EQ(t.type_class(), H5T_STRING);
  EXPECT_GT(H5Tis_variable_str(t.id()), 0);
  EXPECT_EQ(t.size(), sizeof(char*));
  EXPECT_EQ(H5Tget_strpad(t.id()), H5T_STR_NULLTERM);
  EXPECT_EQ(H5Tget_cset(t.id()), H5T_CSET_UTF8);
  EXPECT_TRUE(t.is_variable_length());
  EXPECT_EQ(t.describe(), "string(variable)");
  EXPECT_EQ(t.file_type(), t);
}

struct Pair {
  std::int32_t a;
  double b;
};

Datatype pair_type() {
  Datatype t = Datatype::adopt(H5Tcreate(H5T_COMPOUND, sizeof(Pair)));
  H5Tinsert(t.id(), "a", offsetof(Pair, a), H5T_NATIVE_INT32);
  H5Tinsert(t.id(), "b", offsetof(Pair, b), H5T_NATIVE_DOUBLE);
  return t;
}

// The same members, b first, packed, big-endian: needs a background buffer to convert to.
Datatype reordered_pair_type() {
  Datatype t = Datatype::adopt(H5Tcreate(H5T_COMPOUND, 12));
  H5Tinsert(t.id(), "b", 0, H5T_IEEE_F64BE);
  H5Tinsert(t.id(), "a", 8, H5T_STD_I32BE);
  return t;
}

TEST(Datatype, VariableLengthInsideOtherTypes) {
  const Datatype with_string = Datatype::adopt(H5Tcreate(H5T_COMPOUND, 16));
  H5Tinsert(with_string.id(), "n", 0, H5T_NATIVE_INT);
  H5Tinsert(with_string.id(), "s", 8, Datatype::variable_string().id());
  EXPECT_TRUE(with_string.is_variable_length());
  EXPECT_FALSE(pair_type().is_variable_length());
  EXPECT_TRUE(Datatype::adopt(H5Tvlen_create(H5T_NATIVE_INT)).is_variable_length());
  const hsize_t dims[1] = {3};
  EXPECT_TRUE(Datatype::adopt(H5Tarray_create2(Datatype::variable_string().id(), 1, dims)).is_variable_length());
  EXPECT_FALSE(Datatype::adopt(H5Tarray_create2(H5T_NATIVE_INT, 1, dims)).is_variable_length());
}

TEST(Datatype, FileTypeOfBigEndianAndUnusualTypes) {
  const Datatype be = Datatype::copy_of(H5T_STD_I32BE);
  EXPECT_EQ(be.describe(), "H5T_STD_I32BE");
  // An explicit big-endian type stays big-endian, as h5py keeps dtype '>i4'.
  EXPECT_GT(H5Tequal(be.file_type().id(), H5T_STD_I32BE), 0);
  EXPECT_EQ(Datatype::copy_of(H5T_IEEE_F64BE).file_type().describe(), "H5T_IEEE_F64BE");

  // A 16-bit float has no standard type: it stays itself, in its byte order.
  Datatype half = Datatype::copy_of(H5T_IEEE_F32BE);
  ASSERT_GE(H5Tset_fields(half.id(), 15, 10, 5, 0, 10), 0);
  ASSERT_GE(H5Tset_precision(half.id(), 16), 0);
  ASSERT_GE(H5Tset_size(half.id(), 2), 0);
  ASSERT_GE(H5Tset_ebias(half.id(), 15), 0);
  EXPECT_EQ(half.size(), 2U);
  EXPECT_EQ(half.describe(), "float, size 2");
  const Datatype half_file = half.file_type();
  EXPECT_EQ(H5Tget_order(half_file.id()), H5T_ORDER_BE);
  EXPECT_EQ(half_file.size(), 2U);
  EXPECT_EQ(H5Tget_ebias(half_file.id()), 15U);

  EXPECT_EQ(pair_type().describe(), "compound {\"a\" at 0: H5T_STD_I32LE, \"b\" at 8: H5T_IEEE_F64LE}, size 16");
  // Compounds keep their size and offsets in the file (as h5py keeps numpy's), members as standard
  // little-endian types.
  const Datatype file = pair_type().file_type();
  EXPECT_EQ(file.describe(), "compound {\"a\" at 0: H5T_STD_I32LE, \"b\" at 8: H5T_IEEE_F64LE}, size 16");
  EXPECT_EQ(reordered_pair_type().file_type().describe(),
            "compound {\"b\" at 0: H5T_IEEE_F64BE, \"a\" at 8: H5T_STD_I32BE}, size 12");
  EXPECT_EQ(Datatype::copy_of(H5T_STD_REF_OBJ).describe(), "H5T_STD_REF_OBJ");
}

// ---- Datatype: encoding ------------------------------------------------------------------------

Datatype enum_type() {
  Datatype t = Datatype::adopt(H5Tenum_create(H5T_NATIVE_INT16));
  const std::int16_t red = 0;
  const std::int16_t green = 7;
  H5Tenum_insert(t.id(), "RED", &red);
  H5Tenum_insert(t.id(), "GREEN", &green);
  return t;
}

Datatype opaque_type() {
  Datatype t = Datatype::adopt(H5Tcreate(H5T_OPAQUE, 5));
  H5Tset_tag(t.id(), "five bytes of something");
  return t;
}

std::vector<Datatype> assorted_types() {
  const hsize_t dims[2] = {2, 3};
  Datatype with_string = Datatype::adopt(H5Tcreate(H5T_COMPOUND, 24));
  H5Tinsert(with_string.id(), "n", 0, H5T_NATIVE_INT);
  H5Tinsert(with_string.id(), "a fairly long member name", 8, Datatype::variable_string().id());
  H5Tinsert(with_string.id(), "c", 16, Datatype::fixed_string(3).id());
  return {
      Datatype::of<std::int32_t>(),
      Datatype::copy_of(H5T_STD_U16BE),
      Datatype::of<double>(),
      Datatype::copy_of(H5T_NATIVE_LDOUBLE),
      Datatype::fixed_string(1),
      Datatype::fixed_string(200),
      Datatype::variable_string(),
      pair_type(),
      reordered_pair_type(),
      std::move(with_string),
      enum_type(),
      opaque_type(),
      Datatype::adopt(H5Tvlen_create(H5T_NATIVE_DOUBLE)),
      Datatype::adopt(H5Tarray_create2(H5T_NATIVE_INT16, 2, dims)),
      Datatype::adopt(H5Tarray_create2(pair_type().id(), 2, dims)),
      Datatype::copy_of(H5T_NATIVE_B16),
      Datatype::copy_of(H5T_STD_REF_OBJ),
      Datatype::copy_of(H5T_STD_REF_DSETREG),
  };
}

// Types as a file written with the latest format stores them: datatype message version 3.
std::vector<Datatype> version_3_types() {
  const Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_core(fapl.get(), 1 << 16, 0);
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  const Handle file(H5Fcreate("h5mf-hdf5-test-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  EXPECT_TRUE(file.valid());
  const Handle space(H5Screate(H5S_SCALAR));
  std::vector<Datatype> out;
  int n = 0;
  for (const Datatype& t : assorted_types()) {
    const std::string name = "d" + std::to_string(n++);
    const Handle dataset(
        H5Dcreate2(file.get(), name.c_str(), t.id(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    EXPECT_TRUE(dataset.valid()) << t.describe();
    out.push_back(Datatype::adopt(H5Dget_type(dataset.get())));
  }
  return out;
}

void expect_round_trip(const Datatype& t) {
  const std::vector<std::byte> bytes = t.encode();
  const Datatype back = Datatype::decode(bytes);
  EXPECT_EQ(back, t) << t.describe();
  EXPECT_EQ(back.encode(), bytes) << t.describe();
  EXPECT_EQ(back.is_variable_length(), t.is_variable_length()) << t.describe();
}

TEST(Encoding, RoundTripsAssortedTypes) {
  for (const Datatype& t : assorted_types()) expect_round_trip(t);
}

TEST(Encoding, RoundTripsVersion3Types) {
  bool saw_version_3 = false;
  for (const Datatype& t : version_3_types()) {
    expect_round_trip(t);
    saw_version_3 = saw_version_3 || (std::to_integer<unsigned>(t.encode().at(2)) >> 4) == 3;
  }
  EXPECT_TRUE(saw_version_3);
}

TEST(Encoding, StringsKeepTheirProperties) {
  const Datatype fixed = Datatype::decode(Datatype::fixed_string(12).encode());
  EXPECT_EQ(fixed.size(), 12U);
  EXPECT_EQ(H5Tget_strpad(fixed.id()), H5T_STR_NULLPAD);
  EXPECT_EQ(H5Tget_cset(fixed.id()), H5T_CSET_ASCII);
  const Datatype variable = Datatype::decode(Datatype::variable_string().encode());
  EXPECT_TRUE(variable.is_variable_length());
  EXPECT_EQ(variable.describe(), "string(variable)");
  EXPECT_EQ(H5Tget_cset(variable.id()), H5T_CSET_UTF8);
}

void expect_rejected_or_decoded(std::span<const std::byte> bytes) {
  try {
    const Datatype t = Datatype::decode(bytes);
    EXPECT_TRUE(t.valid());
    (void)t.describe();
  } catch (const FormatError&) {
    // fine: the point is no crash and no other exception
  }
}

TEST(Encoding, DecodeRejectsGarbage) {
  EXPECT_THROW(Datatype::decode({}), FormatError);
  const std::vector<std::byte> one{std::byte{3}};
  EXPECT_THROW(Datatype::decode(one), FormatError);
  std::vector<std::byte> garbage(40);
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = std::byte(0xa5 ^ (i * 37));
  EXPECT_THROW(Datatype::decode(garbage), FormatError);
  garbage[0] = std::byte{3};  // right message id, then nonsense
  garbage[1] = std::byte{0};
  EXPECT_THROW(Datatype::decode(garbage), FormatError);
  std::fill(garbage.begin() + 2, garbage.end(), std::byte{0});
  EXPECT_THROW(Datatype::decode(garbage), FormatError);  // version 0 datatype message
}

TEST(Encoding, DecodeRejectsEveryTruncation) {
  std::vector<Datatype> types = assorted_types();
  for (Datatype& t : version_3_types()) types.push_back(std::move(t));
  for (const Datatype& t : types) {
    const std::vector<std::byte> bytes = t.encode();
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_THROW(Datatype::decode(std::span(bytes).first(n)), FormatError)
          << t.describe() << " cut to " << n << " of " << bytes.size() << " bytes";
    }
  }
}

TEST(Encoding, DecodeRejectsAnArrayRankHDF5WouldOverflowOn) {
  const hsize_t dims[1] = {4};
  std::vector<std::byte> bytes = Datatype::adopt(H5Tarray_create2(H5T_NATIVE_INT, 1, dims)).encode();
  bytes.at(10) = std::byte{200};  // rank, right after the 2-byte prefix and 8-byte header
  bytes.resize(bytes.size() + 2000);
  try {
    (void)Datatype::decode(bytes);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("rank"), std::string::npos) << e.what();
  }
}

// numpy's longdouble as h5py stores it (H5T_NATIVE_LDOUBLE: on x86-64 the x87 80-bit layout in 16
// bytes) is accepted, and its fields are still checked against its precision.
TEST(Encoding, LongDoubleLayoutAcceptedAndChecked) {
  const Datatype ld = Datatype::copy_of(H5T_NATIVE_LDOUBLE);
  const std::vector<std::byte> bytes = ld.encode();
  EXPECT_EQ(Datatype::decode(bytes), ld);
  // After the 2-byte prefix: class and version, 3 flag bytes (sign bit in the second), u32 size,
  // then u16 offset, u16 precision, exponent at, exponent bits, mantissa at, mantissa bits.
  ASSERT_GE(bytes.size(), 18u);
  const unsigned precision = std::to_integer<unsigned>(bytes[12]) | std::to_integer<unsigned>(bytes[13]) << 8;
  ASSERT_EQ(precision, H5Tget_precision(ld.id()));
  auto corrupted = [&](std::size_t at, unsigned value) {
    std::vector<std::byte> b = bytes;
    b[at] = std::byte(value);
    return b;
  };
  EXPECT_THROW(Datatype::decode(corrupted(14, precision - 1)), FormatError);  // exponent past the precision
  EXPECT_THROW(Datatype::decode(corrupted(16, precision - 1)), FormatError);  // mantissa past it
  EXPECT_THROW(Datatype::decode(corrupted(4, precision)), FormatError);       // sign bit past it
  EXPECT_THROW(Datatype::decode(corrupted(15, 0)), FormatError);              // no exponent
}

TEST(Encoding, DecodeSurvivesCorruption) {
  std::mt19937 random(20240607);
  std::uniform_int_distribution<unsigned> any_byte(0, 255);
  std::vector<Datatype> types = assorted_types();
  for (Datatype& t : version_3_types()) types.push_back(std::move(t));
  for (const Datatype& t : types) {
    const std::vector<std::byte> original = t.encode();
    std::uniform_int_distribution<std::size_t> position(2, original.size() - 1);
    for (int round = 0; round < 300; ++round) {
      std::vector<std::byte> bytes = original;
      const int flips = 1 + round % 3;
      for (int f = 0; f < flips; ++f) bytes[position(random)] = std::byte(any_byte(random));
      expect_rejected_or_decoded(bytes);
    }
  }
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::byte> bytes(2 + round % 64);
    for (std::byte& b : bytes) b = std::byte(any_byte(random));
    bytes[0] = std::byte{3};
    bytes[1] = std::byte{0};
    expect_rejected_or_decoded(bytes);
  }
}

// ---- Conversion --------------------------------------------------------------------------------

using h5mf::hdf5::convert;
using h5mf::hdf5::convert_in_place;
using h5mf::hdf5::same_type;

TEST(Convert, Int32ToDouble) {
  const std::vector<std::int32_t> in{0, 1, -7, 2147483647, -2147483647 - 1};
  const auto out = convert(Datatype::of<std::int32_t>(), Datatype::of<double>(), in.size(), bytes_of(in));
  ASSERT_EQ(out.size(), in.size() * sizeof(double));
  EXPECT_EQ(values_of<double>(out), (std::vector<double>{0, 1, -7, 2147483647.0, -2147483648.0}));
}

TEST(Convert, DoubleToInt16) {
  const std::vector<double> in{0.0, 1.0, -2.0, 32767.0, -32768.0, 123.0};
  const auto out = convert(Datatype::of<double>(), Datatype::of<std::int16_t>(), in.size(), bytes_of(in));
  ASSERT_EQ(out.size(), in.size() * sizeof(std::int16_t));
  EXPECT_EQ(values_of<std::int16_t>(out), (std::vector<std::int16_t>{0, 1, -2, 32767, -32768, 123}));
}

TEST(Convert, Uint8ToInt64) {
  const std::vector<std::uint8_t> in{0, 1, 127, 128, 255};
  const auto out = convert(Datatype::of<std::uint8_t>(), Datatype::of<std::int64_t>(), in.size(), bytes_of(in));
  EXPECT_EQ(values_of<std::int64_t>(out), (std::vector<std::int64_t>{0, 1, 127, 128, 255}));
}

TEST(Convert, Int16LittleToBigEndianAndBack) {
  const std::vector<std::int16_t> in{0x0102, -2, 0x7f00};
  const Datatype le = Datatype::copy_of(H5T_STD_I16LE);
  const Datatype be = Datatype::copy_of(H5T_STD_I16BE);
  const auto big = convert(le, be, in.size(), bytes_of(in));
  const std::vector<std::byte> expected{std::byte{0x01}, std::byte{0x02}, std::byte{0xff},
                                        std::byte{0xfe}, std::byte{0x7f}, std::byte{0x00}};
  EXPECT_EQ(big, expected);
  EXPECT_EQ(values_of<std::int16_t>(convert(be, le, in.size(), big)), in);
}

TEST(Convert, InPlaceWidening) {
  std::vector<std::byte> buffer(3 * sizeof(double));
  const std::vector<float> in{1.5F, -2.25F, 1e30F};
  std::memcpy(buffer.data(), in.data(), in.size() * sizeof(float));
  convert_in_place(Datatype::of<float>(), Datatype::of<double>(), in.size(), buffer);
  EXPECT_EQ(values_of<double>(buffer), (std::vector<double>{1.5, -2.25, double{1e30F}}));
}

TEST(Convert, CompoundsUseABackgroundBuffer) {
  const std::vector<Pair> in{{1, 0.5}, {-3, 1e10}};
  const auto file = convert(pair_type(), reordered_pair_type(), in.size(), bytes_of(in));
  ASSERT_EQ(file.size(), 2U * 12U);
  const auto back = values_of<Pair>(convert(reordered_pair_type(), pair_type(), in.size(), file));
  ASSERT_EQ(back.size(), 2U);
  EXPECT_EQ(back[0].a, 1);
  EXPECT_EQ(back[0].b, 0.5);
  EXPECT_EQ(back[1].a, -3);
  EXPECT_EQ(back[1].b, 1e10);
}

TEST(Convert, CountZero) {
  EXPECT_TRUE(convert(Datatype::of<std::int32_t>(), Datatype::of<double>(), 0, {}).empty());
  convert_in_place(Datatype::of<std::int32_t>(), Datatype::of<double>(), 0, {});
}

TEST(Convert, SameTypeIsACopy) {
  EXPECT_TRUE(same_type(Datatype::of<std::int32_t>(), Datatype::copy_of(H5T_STD_I32LE)));
  EXPECT_FALSE(same_type(Datatype::of<std::int32_t>(), Datatype::copy_of(H5T_STD_I32BE)));
  EXPECT_FALSE(same_type(Datatype(), Datatype()));
  const std::vector<std::int32_t> in{5, 6};
  EXPECT_EQ(convert(Datatype::of<std::int32_t>(), Datatype::copy_of(H5T_STD_I32LE), 2, bytes_of(in)), bytes_of(in));
}

TEST(Convert, BadSizesAreInvalidArguments) {
  const std::vector<std::int32_t> in{1, 2, 3};
  EXPECT_THROW(convert(Datatype::of<std::int32_t>(), Datatype::of<double>(), 4, bytes_of(in)), InvalidArgument);
  std::vector<std::byte> small(3 * sizeof(double) - 1);
  EXPECT_THROW(convert_in_place(Datatype::of<std::int32_t>(), Datatype::of<double>(), 3, small), InvalidArgument);
  EXPECT_THROW(convert(Datatype(), Datatype::of<double>(), 0, {}), InvalidArgument);
  EXPECT_THROW(convert(Datatype::of<std::uint64_t>(), Datatype::of<double>(), std::size_t{1} << 62, {}),
               InvalidArgument);
}

TEST(Convert, NoConversionPathNamesBothTypesAndTheCount) {
  const std::vector<std::int32_t> in{1, 2};
  try {
    (void)convert(Datatype::of<std::int32_t>(), Datatype::fixed_string(8), 2, bytes_of(in));
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(starts_with(message, "converting 2 elements from H5T_STD_I32LE to string(8): ")) << message;
    EXPECT_NE(message.find("H5Tconvert()"), std::string::npos) << message;
  }
}

}  // namespace
