// The container layer against real files in a scratch directory: catalog rules, metafile and
// writer logs round trips, torn tails, writer locks, reads in replay order, atomic replacement.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>

#include "container/catalog.hpp"
#include "container/coverage.hpp"
#include "container/index.hpp"
#include "container/merge_marker.hpp"
#include "container/metafile.hpp"
#include "container/overlap_index.hpp"
#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/replace.hpp"
#include "container/stored_write.hpp"
#include "container/writer_log.hpp"
#include "format/checksum.hpp"
#include "format/header.hpp"
#include "format/vlen.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

namespace fs = std::filesystem;

class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h5mf-container-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

format::CreateDatasetRecord dataset_record(std::uint64_t id, std::uint64_t parent, std::string name, Extent dims) {
  format::CreateDatasetRecord r;
  r.id = id;
  r.parent = parent;
  r.name = std::move(name);
  r.type = {std::byte{1}};  // opaque to the catalog
  r.dims = dims;
  r.maxdims = dims;
  return r;
}

std::span<const std::byte> bytes_of(const std::vector<std::int32_t>& v) {
  return {reinterpret_cast<const std::byte*>(v.data()), v.size() * sizeof(std::int32_t)};
}

std::vector<std::int32_t> as_ints(const std::vector<std::byte>& b) {
  std::vector<std::int32_t> out(b.size() / 4);
  std::memcpy(out.data(), b.data(), b.size());
  return out;
}

// ---- catalog

// The elements a read placed, and the gaps left for the fill value, against a plain reference.
TEST(Coverage, GapsAreExactlyWhatNoMarkCovered) {
  std::mt19937_64 random(7);
  for (const std::uint64_t elements : {0ull, 1ull, 63ull, 64ull, 65ull, 200ull, 4096ull + 3}) {
    for (int round = 0; round < 20; ++round) {
      Coverage coverage;
      coverage.reset(elements);
      std::vector<bool> reference(elements, false);
      const int marks = elements == 0 ? 0 : static_cast<int>(random() % 12);
      for (int m = 0; m < marks; ++m) {
        const std::uint64_t first = random() % elements;
        const std::uint64_t count = 1 + random() % std::min<std::uint64_t>(elements - first, round % 2 ? 3 : 150);
        coverage.mark(first, count);
        std::fill_n(reference.begin() + static_cast<std::ptrdiff_t>(first), count, true);
      }
      std::vector<bool> filled(elements, false);
      std::uint64_t last_end = 0;
      coverage.for_each_gap([&](std::uint64_t first, std::uint64_t count) {
        ASSERT_GT(count, 0u);
        ASSERT_LE(first + count, elements);
        EXPECT_TRUE(first == 0 || first > last_end || (first == last_end && last_end == 0)) << "gaps are maximal";
        last_end = first + count;
        for (std::uint64_t e = first; e < first + count; ++e) filled[e] = true;
      });
      for (std::uint64_t e = 0; e < elements; ++e) ASSERT_NE(filled[e], reference[e]) << "element " << e;
    }
  }
  Coverage whole;
  whole.reset(130);
  whole.mark(0, 130);
  whole.for_each_gap([](std::uint64_t, std::uint64_t) { FAIL() << "no gap when all is placed"; });
}

TEST(Catalog, BuildsTreeAndPaths) {
  Catalog c;
  c.apply(format::SessionRecord{0, 4, 0, 1, 0});
  c.apply(format::CreateGroupRecord{1, 1, 0, "a"});
  c.apply(format::CreateGroupRecord{2, 2, 1, "b"});
  c.apply(dataset_record(3, 2, "d", {4, 5}));
  EXPECT_EQ(c.path_of(3), "/a/b/d");
  EXPECT_EQ(c.child(1, "b"), std::optional<std::uint64_t>(2));
  EXPECT_FALSE(c.child(1, "zz").has_value());
  EXPECT_EQ(c.datasets(), std::vector<std::uint64_t>{3});
  EXPECT_EQ(c.data_files(), 4u);
  c.apply(format::SessionRecord{1, 8, 0, 10, 0});
  EXPECT_EQ(c.data_files(), 8u);
  EXPECT_EQ(c.last_epoch(), 10u);
  // An aggregated session of 16 writers in 3 data files: more writers, no more files.
  c.apply(format::SessionRecord{2, 16, format::kSessionAggregated, 11, 3});
  EXPECT_EQ(c.data_files(), 8u);
  EXPECT_EQ(c.max_writers(), 16u);
}

TEST(Catalog, RejectsContradictions) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(format::CreateGroupRecord{1, 1, 0, "a"});
  EXPECT_THROW(c.apply(format::CreateGroupRecord{1, 2, 0, "a"}), FormatError);  // name taken
  EXPECT_THROW(c.apply(format::CreateGroupRecord{1, 5, 0, "x"}), FormatError);  // id out of sequence
  EXPECT_THROW(c.apply(format::CreateGroupRecord{1, 2, 9, "x"}), FormatError);  // unknown parent
  EXPECT_THROW(c.apply(format::SessionRecord{3, 1, 0, 1, 0}), FormatError);     // session out of sequence
  c.apply(dataset_record(2, 0, "d", {4}));
  EXPECT_THROW(c.apply(format::CreateGroupRecord{1, 3, 2, "x"}), FormatError);  // parent is a dataset
  EXPECT_THROW(c.apply(format::ResizeRecord{1, 2, {5}}), FormatError);          // beyond maxdims
  EXPECT_THROW(c.apply(format::DeleteAttributeRecord{1, 2, "none"}), FormatError);
}

TEST(Catalog, UnlinkAndMoveChangeNamesNotObjects) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(format::CreateGroupRecord{1, 1, 0, "g"});
  c.apply(dataset_record(2, 1, "d", {4}));
  c.apply(format::LinkRecord{3, 0, "alias", 2});
  c.apply(format::UnlinkRecord{4, 1, "d"});
  EXPECT_EQ(c.child(1, "d"), std::nullopt);
  EXPECT_EQ(c.child(0, "alias"), std::optional<std::uint64_t>(2));
  c.apply(dataset_record(3, 1, "d", {2}));  // the name again: a new object
  EXPECT_EQ(c.child(1, "d"), std::optional<std::uint64_t>(3));
  c.apply(format::MoveRecord{6, 0, "g", 0, "h"});
  EXPECT_EQ(c.child(0, "g"), std::nullopt);
  EXPECT_EQ(c.child(0, "h"), std::optional<std::uint64_t>(1));
  EXPECT_EQ(c.path_of(3), "/g/d");  // the name it was created with
  EXPECT_EQ(c.last_epoch(), 6u);
  EXPECT_THROW(c.apply(format::UnlinkRecord{7, 0, "g"}), FormatError);            // no such name
  EXPECT_THROW(c.apply(format::UnlinkRecord{7, 3, "x"}), FormatError);            // parent is a dataset
  EXPECT_THROW(c.apply(format::MoveRecord{7, 0, "none", 0, "x"}), FormatError);   // no such name
  EXPECT_THROW(c.apply(format::MoveRecord{7, 0, "h", 0, "alias"}), FormatError);  // name taken
  EXPECT_THROW(c.apply(format::MoveRecord{7, 0, "h", 3, "x"}), FormatError);      // into a dataset
  EXPECT_THROW(c.apply(format::MoveRecord{7, 0, "h", 9, "x"}), FormatError);      // no such group
  EXPECT_EQ(c.child(0, "h"), std::optional<std::uint64_t>(1));                    // a refused record changes nothing
}

// The merge's names: objects at their creation names while those stand, others at the first name
// a breadth-first walk finds; further names are links; what no name reaches is left out.
TEST(Catalog, MergedNamesLeaveOutWhatNoNameReaches) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(dataset_record(1, 0, "d", {4}));           // 1
  c.apply(format::CreateGroupRecord{2, 2, 0, "g"});  // 2
  c.apply(dataset_record(3, 2, "x", {1}));           // 3: /g/x
  c.apply(format::LinkRecord{4, 0, "alias", 1});
  c.apply(format::UnlinkRecord{5, 0, "d"});              // 1 stays, as /alias
  c.apply(format::CreateGroupRecord{6, 4, 0, "cycle"});  // 4
  c.apply(format::LinkRecord{7, 4, "self", 4});
  c.apply(format::UnlinkRecord{8, 0, "cycle"});         // 4 is gone, though it names itself
  c.apply(format::CreateGroupRecord{9, 5, 0, "late"});  // 5
  c.apply(format::MoveRecord{10, 0, "g", 5, "g"});      // /g (2) now under /late, created after it
  const auto names = c.merged_names();
  ASSERT_EQ(names.objects.size(), 4u);
  EXPECT_FALSE(names.contains(4));
  EXPECT_EQ(names.path(1), "/alias");
  EXPECT_EQ(names.path(2), "/late/g");
  EXPECT_EQ(names.path(3), "/late/g/x");
  EXPECT_EQ(names.path(5), "/late");
  // Every parent before its children: /late, then /late/g, then /late/g/x.
  std::map<std::uint64_t, std::size_t> at;
  for (std::size_t i = 0; i < names.objects.size(); ++i) at[names.objects[i].id] = i;
  EXPECT_LT(at[5], at[2]);
  EXPECT_LT(at[2], at[3]);
  EXPECT_TRUE(names.links.empty());
  c.apply(format::LinkRecord{11, 0, "again", 3});
  const auto more = c.merged_names();
  ASSERT_EQ(more.links.size(), 1u);
  EXPECT_EQ(more.path(3), "/again");  // nearer the root than /late/g/x, which its move displaced
  EXPECT_EQ(more.links[0].path, "/late/g/x");
  EXPECT_EQ(more.links[0].target, 3u);
}

TEST(Catalog, SoftLinksResolveWhenUsedAndNeverKeepObjects) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(format::CreateGroupRecord{1, 1, 0, "g"});
  c.apply(dataset_record(2, 1, "d", {4}));
  c.apply(format::SoftLinkRecord{2, 0, "s", "/g/d"});
  c.apply(format::SoftLinkRecord{3, 1, "rel", "d"});
  c.apply(format::SoftLinkRecord{4, 0, "sg", "g"});
  c.apply(format::SoftLinkRecord{5, 0, "dangling", "/nowhere"});
  c.apply(format::SoftLinkRecord{6, 0, "loop", "/loop"});
  c.apply(format::ExternalLinkRecord{7, 0, "ext", "other.h5", "/x"});
  EXPECT_EQ(c.resolve(0, "s"), std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.resolve(1, "rel"), std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.resolve(0, "sg"), std::optional<std::uint64_t>(1));
  EXPECT_EQ(c.resolve(0, "dangling"), std::nullopt);
  EXPECT_EQ(c.resolve(0, "loop"), std::nullopt);  // HDF5 gives up after 16 soft links in a row
  EXPECT_EQ(c.resolve(0, "ext"), std::nullopt);   // another file
  EXPECT_EQ(c.child(0, "s"), std::nullopt);       // not a hard link
  ASSERT_NE(c.symlink(0, "ext"), nullptr);
  EXPECT_EQ(*c.symlink(0, "ext"), (container::SymbolicLink{"other.h5", "/x", 7, {}}));
  EXPECT_THROW(c.apply(format::SoftLinkRecord{8, 0, "g", "/x"}), FormatError);  // name taken
  EXPECT_THROW(c.apply(format::CreateGroupRecord{8, 3, 0, "s"}), FormatError);  // name taken by a link
  EXPECT_THROW(c.apply(format::LinkRecord{8, 0, "ext", 1}), FormatError);
  EXPECT_THROW(c.apply(format::SoftLinkRecord{8, 2, "x", "/g"}), FormatError);  // parent is a dataset
  c.apply(format::MoveRecord{8, 0, "s", 1, "moved"});                           // the link moves, its value unchanged
  EXPECT_EQ(c.symlink(1, "moved")->path, "/g/d");
  c.apply(format::UnlinkRecord{9, 0, "sg"});  // the link goes, not the group
  EXPECT_EQ(c.symlink(0, "sg"), nullptr);
  c.apply(format::UnlinkRecord{10, 0, "g"});  // soft links do not keep objects
  const auto names = c.merged_names();
  EXPECT_TRUE(names.objects.empty());
  ASSERT_EQ(names.symlinks.size(), 3u);  // of the root: dangling, ext, loop; /g's are gone with it
  EXPECT_EQ(names.symlinks[1].path, "/ext");
  EXPECT_TRUE(names.symlinks[1].link.external());
}

TEST(Catalog, NamedTypesWithIdsAreObjectsThatDatasetsShare) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(format::NamedTypeRecord{1, 0, "old", {std::byte{1}}});  // written before ids: no object
  EXPECT_EQ(c.next_id(), 1u);
  c.apply(format::CreateGroupRecord{1, 1, 0, "g"});
  c.apply(format::NamedTypeRecord{2, 1, "t", {std::byte{1}}, 2});
  ASSERT_TRUE(c.contains(2));
  EXPECT_EQ(c.object(2).kind, container::ObjectKind::Datatype);
  EXPECT_EQ(c.path_of(2), "/g/t");
  EXPECT_EQ(c.symlink(1, "t")->type_id, std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.child(1, "t"), std::nullopt);  // a name that is no hard link
  format::CreateDatasetRecord d = dataset_record(3, 0, "d", {4});
  d.named_type = 2;
  c.apply(d);
  EXPECT_EQ(c.object(3).named_type, std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.datasets(), std::vector<std::uint64_t>{3});
  EXPECT_EQ(c.groups(), (std::vector<std::uint64_t>{0, 1}));
  // Damage: an id out of sequence, a dataset naming no named datatype or one of another type.
  EXPECT_THROW(c.apply(format::NamedTypeRecord{3, 0, "u", {std::byte{1}}, 9}), FormatError);
  EXPECT_FALSE(c.has_name(0, "u"));
  for (const std::uint64_t wrong : {1u, 3u, 99u}) {
    format::CreateDatasetRecord e = dataset_record(4, 0, "e", {4});
    e.named_type = wrong;
    EXPECT_THROW(c.apply(e), FormatError) << wrong;
  }
  format::CreateDatasetRecord other = dataset_record(4, 0, "e", {4});
  other.type = {std::byte{2}};
  other.named_type = 2;
  EXPECT_THROW(c.apply(other), FormatError);
  // A hard link to it is one more name of the one object, listed as its first name is.
  c.apply(format::LinkRecord{3, 0, "alias", 2});
  EXPECT_EQ(c.symlink(0, "alias")->type_id, std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.symlink(0, "alias")->type, format::Bytes{std::byte{1}});
  EXPECT_EQ(c.child(0, "alias"), std::nullopt);
  EXPECT_THROW(c.apply(format::LinkRecord{3, 0, "alias", 2}), FormatError);  // the name exists
  EXPECT_THROW(c.apply(format::LinkRecord{3, 3, "in_a_dataset", 2}), FormatError);
  // An attribute made with it names it too; one naming no named datatype of its type is damage.
  format::SetAttributeRecord a{3, 0, "a", {std::byte{1}}, {}, {std::byte{0}}, false, 2};
  c.apply(a);
  EXPECT_EQ(c.object(0).attributes.at("a").named_type, std::optional<std::uint64_t>(2));
  for (const std::uint64_t wrong : {1u, 3u, 99u}) {
    a.named_type = wrong;
    EXPECT_THROW(c.apply(a), FormatError) << wrong;
  }
  a.named_type = 2;
  a.type = {std::byte{2}};
  EXPECT_THROW(c.apply(a), FormatError);
  // The link is to the object: moved or unlinked, the named datatype stays what the dataset shares.
  c.apply(format::MoveRecord{3, 1, "t", 0, "moved"});
  EXPECT_EQ(c.symlink(0, "moved")->type_id, std::optional<std::uint64_t>(2));
  c.apply(format::UnlinkRecord{4, 0, "moved"});
  EXPECT_EQ(c.object(3).named_type, std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.object(2).kind, container::ObjectKind::Datatype);
  EXPECT_EQ(c.symlink(0, "alias")->type_id, std::optional<std::uint64_t>(2));  // its other name stays
  std::vector<std::string> listed;
  for (const auto& entry : c.merged_names().symlinks) listed.push_back(entry.path);
  EXPECT_EQ(listed, (std::vector<std::string>{"/alias", "/old"}));
}

// A CLASS attribute as H5DSset_scale writes it: "DIMENSION_SCALE" and its NUL.
format::SetAttributeRecord scale_class(std::uint64_t epoch, std::uint64_t id) {
  const std::string text("DIMENSION_SCALE", 16);
  format::Bytes value(16);
  std::memcpy(value.data(), text.data(), 16);
  return format::SetAttributeRecord{epoch, id, "CLASS", {}, {}, value};
}

TEST(Catalog, DimensionScalesAsLibhdf5KeepsThem) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(dataset_record(1, 0, "d", {3, 4}));
  c.apply(dataset_record(2, 0, "x", {3}));
  c.apply(dataset_record(3, 0, "y", {4}));
  c.apply(dataset_record(4, 0, "z", {4}));
  EXPECT_FALSE(container::is_dimension_scale(c.object(2)));
  // Only a dimension scale is attached (the library writes CLASS first, as H5DSattach_scale does).
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{2, 1, 0, 2, true}), FormatError);
  for (std::uint64_t id : {2, 3, 4}) c.apply(scale_class(2, id));
  EXPECT_TRUE(container::is_dimension_scale(c.object(2)));
  c.apply(format::DimensionScaleRecord{3, 1, 0, 2, true});
  c.apply(format::DimensionScaleRecord{4, 1, 1, 3, true});
  c.apply(format::DimensionScaleRecord{5, 1, 1, 4, true});
  c.apply(format::DimensionScaleRecord{6, 1, 1, 3, true});  // again: no second entry
  EXPECT_EQ(c.object(1).scales, (std::vector<std::vector<std::uint64_t>>{{2}, {3, 4}}));
  c.apply(format::DimensionScaleRecord{7, 1, 1, 3, false});  // the last moves into its place
  EXPECT_EQ(c.object(1).scales, (std::vector<std::vector<std::uint64_t>>{{2}, {4}}));
  EXPECT_EQ(c.scale_changes().size(), 5u);  // every attach is replayed, the repeated one too
  EXPECT_EQ(c.scale_changes()[3], (format::DimensionScaleRecord{6, 1, 1, 3, true}));
  c.apply(format::DimensionScaleRecord{8, 1, 0, 2, false});
  c.apply(format::DimensionScaleRecord{9, 1, 1, 4, false});
  EXPECT_TRUE(c.object(1).scales.empty());  // nothing attached: no DIMENSION_LIST
  // What libhdf5 refuses does not decode into the catalog.
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{10, 1, 0, 2, false}), FormatError);  // not attached
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{10, 1, 2, 2, true}), FormatError);   // no dimension 2
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{10, 1, 0, 1, true}), FormatError);   // itself
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{10, 2, 0, 3, true}), FormatError);   // to a scale
  EXPECT_THROW(c.apply(format::DimensionScaleRecord{10, 1, 0, 0, true}), FormatError);   // a group
  // Labels: none until one is set; the others stay NULL.
  EXPECT_TRUE(c.object(1).labels.empty());
  c.apply(format::DimensionLabelRecord{11, 1, 1, "cols"});
  EXPECT_EQ(c.object(1).labels, (std::vector<std::optional<std::string>>{std::nullopt, "cols"}));
  c.apply(format::DimensionLabelRecord{12, 1, 1, ""});
  EXPECT_EQ(c.object(1).labels[1], std::optional<std::string>(""));
  EXPECT_THROW(c.apply(format::DimensionLabelRecord{13, 1, 2, "x"}), FormatError);
  EXPECT_THROW(c.apply(format::DimensionLabelRecord{13, 0, 0, "x"}), FormatError);  // the root group
  EXPECT_EQ(c.last_epoch(), 12u);
}

TEST(Catalog, HardLinksAddNamesNotObjects) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  c.apply(format::CreateGroupRecord{1, 1, 0, "g"});
  c.apply(dataset_record(2, 0, "d", {4}));
  c.apply(format::LinkRecord{3, 1, "alias", 2});
  c.apply(format::LinkRecord{4, 1, "up", 1});  // a cycle
  EXPECT_EQ(c.child(1, "alias"), std::optional<std::uint64_t>(2));
  EXPECT_EQ(c.child(1, "up"), std::optional<std::uint64_t>(1));
  EXPECT_EQ(c.path_of(2), "/d");  // the name it was created with
  EXPECT_EQ(c.next_id(), 3u);
  ASSERT_EQ(c.links().size(), 2u);
  EXPECT_EQ(c.links()[0].name, "alias");
  EXPECT_EQ(c.last_epoch(), 4u);
  EXPECT_THROW(c.apply(format::LinkRecord{5, 1, "alias", 1}), FormatError);  // name taken
  EXPECT_THROW(c.apply(format::LinkRecord{5, 1, "x", 7}), FormatError);      // no such target
  EXPECT_THROW(c.apply(format::LinkRecord{5, 2, "x", 1}), FormatError);      // parent is a dataset
  EXPECT_THROW(c.apply(format::LinkRecord{5, 9, "x", 1}), FormatError);      // no such parent
}

// A base file's names (epoch-0 records) are kept with what they bound, so that the merge, which
// starts from a copy of the file, knows which of them the container unlinked, moved or rebound.
TEST(Catalog, BaseNamesKnowWhetherTheyKeepTheirBinding) {
  Catalog c;
  c.apply(format::BaseRecord{"base.h5", 1, 1});
  c.apply(format::CreateGroupRecord{0, 1, 0, "g"});
  c.apply(dataset_record(2, 0, "d", {4}));  // (epoch 0)
  c.apply(format::LinkRecord{0, 1, "alias", 2});
  c.apply(format::SoftLinkRecord{0, 0, "s", "/d"});
  c.apply(format::NamedTypeRecord{0, 0, "t", {std::byte{1}}, 3});
  c.apply(format::SessionRecord{0, 1, 0, 1, 0});
  format::CreateDatasetRecord added = dataset_record(4, 0, "new", {2});
  added.epoch = 1;  // the container's: no base name
  c.apply(added);
  const auto& names = c.base_names();
  ASSERT_EQ(names.size(), 5u);
  for (const auto& n : names) EXPECT_TRUE(c.keeps(n)) << n.name;
  EXPECT_EQ(names[2].name, "alias");
  EXPECT_EQ(names[2].target, std::optional<std::uint64_t>(2));
  c.apply(format::UnlinkRecord{2, 0, "d"});            // unlinked
  c.apply(format::MoveRecord{2, 0, "s", 1, "s"});      // moved
  c.apply(format::MoveRecord{2, 1, "alias", 0, "d"});  // moved onto the unlinked name, same object
  c.apply(format::LinkRecord{2, 1, "alias", 1});       // the name again, another object
  std::vector<std::string> kept;
  for (const auto& n : names) {
    if (c.keeps(n)) kept.push_back(n.name);
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"g", "d", "t"}));
}

// Which pairs must exist: those of sessions whose open completed, as OPENED (or, in containers
// older than OPENED, a later structure record) proves.
TEST(Catalog, PairsOfACompletedCollectiveOpenAreRequired) {
  Catalog c;
  c.apply(format::SessionRecord{0, 2, format::kSessionCollective, 1, 0});
  EXPECT_EQ(c.required_data_files(), 0u);  // killed during its open, for all anyone knows
  c.apply(format::OpenedRecord{0});
  EXPECT_EQ(c.required_data_files(), 2u);
  // A later session of 4 ranks that only writes data: its OPENED alone proves its 4 pairs.
  c.apply(format::SessionRecord{1, 4, format::kSessionCollective | format::kSessionImage, 2, 0});
  EXPECT_EQ(c.required_data_files(), 2u);
  c.apply(format::OpenedRecord{1});
  EXPECT_EQ(c.required_data_files(), 4u);
  EXPECT_EQ(c.data_files(), 4u);
  // Without MPI only the coordinator's pair is made at open.
  c.apply(format::SessionRecord{2, 8, 0, 3, 0});
  c.apply(format::OpenedRecord{2});
  EXPECT_EQ(c.required_data_files(), 4u);
  // OPENED names the session it follows, and no other.
  EXPECT_THROW(c.apply(format::OpenedRecord{1}), FormatError);
  EXPECT_THROW(c.apply(format::OpenedRecord{3}), FormatError);
  Catalog empty;
  EXPECT_THROW(empty.apply(format::OpenedRecord{0}), FormatError);
}

TEST(Catalog, KeepsEachDatasetsFilterPipeline) {
  Catalog c;
  c.apply(format::SessionRecord{0, 1, 0, 1});
  auto packed = dataset_record(1, 0, "packed", {100});
  packed.chunk = {10};
  packed.filters = {{2, 1, {}}, {1, 1, {6}}};
  c.apply(packed);
  c.apply(dataset_record(2, 0, "plain", {100}));
  EXPECT_EQ(c.object(1).filters, packed.filters);
  EXPECT_TRUE(c.object(2).filters.empty());
  auto contiguous = dataset_record(3, 0, "bad", {100});
  contiguous.filters = {{1, 1, {6}}};
  EXPECT_THROW(c.apply(contiguous), FormatError);  // filters without chunks
}

TEST(Catalog, AttributesKeepCreationOrderOnOverwrite) {
  Catalog c;
  c.apply(format::SetAttributeRecord{1, 0, "b", {std::byte{1}}, {}, {std::byte{7}}});
  c.apply(format::SetAttributeRecord{2, 0, "a", {std::byte{1}}, {}, {std::byte{8}}});
  c.apply(format::SetAttributeRecord{3, 0, "b", {std::byte{1}}, {}, {std::byte{9}}});
  const auto& attributes = c.object(0).attributes;
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(attributes.at("b").value, format::Bytes{std::byte{9}});
  EXPECT_LT(attributes.at("b").order, attributes.at("a").order);
}

// ---- metafile

TEST_F(Scratch, MetafileRoundTripAndTornTail) {
  Layout layout(path("c.h5"));
  make_directory(layout.path());
  const auto id = format::random_container_id();
  {
    auto m = MetafileAppender::create(layout, id);
    m.append(format::SessionRecord{0, 2, 0, 1, 0});
    m.append(format::CreateGroupRecord{1, 1, 0, "g"});
    m.append(dataset_record(2, 1, "d", {10}));
    m.flush(false);
  }
  auto contents = load_metafile(layout);
  EXPECT_EQ(contents.header.container, id);
  EXPECT_EQ(contents.catalog.path_of(2), "/g/d");
  EXPECT_FALSE(contents.damage.has_value());

  // A writer killed in the middle of a record: the record is dropped and reported.
  const auto size = fs::file_size(layout.metafile());
  fs::resize_file(layout.metafile(), size - 3);
  contents = load_metafile(layout);
  ASSERT_TRUE(contents.damage.has_value());
  EXPECT_TRUE(contents.damage->torn_tail);
  EXPECT_FALSE(contents.catalog.child(1, "d").has_value());
  EXPECT_TRUE(contents.catalog.child(0, "g").has_value());

  // Reopening cuts the tail so that the next record follows the valid ones.
  {
    auto m = MetafileAppender::reopen(layout, contents.valid_end);
    m.append(dataset_record(2, 1, "e", {3}));
    m.flush(false);
  }
  contents = load_metafile(layout);
  EXPECT_FALSE(contents.damage.has_value());
  EXPECT_EQ(contents.catalog.path_of(2), "/g/e");
}

TEST_F(Scratch, MetafileWithoutSessionIsRejected) {
  Layout layout(path("c.h5"));
  make_directory(layout.path());
  MetafileAppender::create(layout, format::random_container_id()).flush(false);
  EXPECT_THROW(load_metafile(layout), FormatError);
}

// ---- writer log, index and reader

class Logs : public Scratch {
 protected:
  void SetUp() override {
    Scratch::SetUp();
    layout_ = std::make_unique<Layout>(path("c.h5"));
    make_directory(layout_->path());
    id_ = format::random_container_id();
  }
  WriterLog writer(std::uint32_t w, bool create = true, std::size_t buffer = 1024) {
    WriterLog::Options options;
    options.buffer_bytes = buffer;
    return WriterLog(*layout_, id_, w, create, options);
  }
  std::vector<std::int32_t> read(ContainerIndex& index, std::uint64_t dataset, const Selection& s, const Extent& shape,
                                 std::int32_t fill = 0) {
    DataReader reader(*layout_);
    const Selection resolved = s.resolved(shape);
    std::vector<std::byte> out(resolved.num_elements() * 4);
    std::vector<std::byte> fill_bytes(4);
    std::memcpy(fill_bytes.data(), &fill, 4);
    reader.read(index.writes(dataset), resolved, {shape, 4, fill_bytes}, out);
    return as_ints(out);
  }
  std::unique_ptr<Layout> layout_;
  format::ContainerId id_{};
};

TEST_F(Logs, SmallAndLargeWritesReadBackInReplayOrder) {
  const Extent shape{100};
  {
    auto w0 = writer(0);
    auto w1 = writer(1);
    std::vector<std::int32_t> big(100);  // 400 bytes: buffered (under half the 1 KiB buffer)
    std::iota(big.begin(), big.end(), 0);
    w0.append(7, 1, Selection::hyperslab({0}, {100}), bytes_of(big));
    // Epoch 2: writer 1 overwrites the middle; writer 0 overwrites part of it again in epoch 3.
    w1.append(7, 2, Selection::hyperslab({40}, {20}), bytes_of(std::vector<std::int32_t>(20, -1)));
    w0.append(7, 3, Selection::hyperslab({50}, {5}), bytes_of(std::vector<std::int32_t>(5, -2)));
    w0.close();
    w1.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(2, true);
  EXPECT_TRUE(index.damage().empty());
  EXPECT_EQ(index.record_count(), 3u);
  const auto all = read(index, 7, Selection::all(), shape);
  for (int i = 0; i < 100; ++i) {
    const int expected = (i >= 50 && i < 55) ? -2 : (i >= 40 && i < 60) ? -1 : i;
    EXPECT_EQ(all[static_cast<std::size_t>(i)], expected) << "element " << i;
  }
  // A strided read and a point read with a repeated point.
  EXPECT_EQ(read(index, 7, Selection::hyperslab({38}, {4}, {5}), shape), (std::vector<std::int32_t>{38, -1, -1, -2}));
  EXPECT_EQ(read(index, 7, Selection::points(1, {99, 51, 99}), shape), (std::vector<std::int32_t>{99, -2, 99}));
}

// Aggregation: an aggregator's file holds WRITE_FROM records of its group; the index attaches each
// record's writer (replay order) and its data file (where the bytes are), which differ.
TEST_F(Logs, AggregatedRecordsKeepTheirWriterAndTheirDataFile) {
  const Extent shape{10};
  {
    WriterLog::Options options;
    options.buffer_bytes = 1024;
    options.own_writer = 4;  // the aggregator is writer 4 and appends to data file 1
    WriterLog log(*layout_, id_, 1, true, options);
    // Epoch 1: writer 5 (a member) then writer 4 write element 2; writer 5 wins (higher id).
    format::WriteFromRecord from5;
    from5.writer = 5;
    from5.write.dataset = 7;
    from5.write.epoch = 1;
    from5.write.sequence = 0;
    const std::vector<std::int32_t> fives{5, 5, 5};
    const auto five = bytes_of(fives);
    from5.write.data_length = five.size();
    from5.write.data_checksum = format::checksum(five);
    from5.write.selection = Selection::hyperslab({1}, {3});
    log.append_from(from5, five);
    log.append(7, 1, Selection::hyperslab({2}, {3}), bytes_of({4, 4, 4}));
    // A record whose data arrive in two pieces, around a whole one.
    format::WriteFromRecord split = from5;
    split.writer = 6;
    split.write.epoch = 2;
    const std::vector<std::int32_t> sixes{6, 6};
    const auto six = bytes_of(sixes);
    split.write.data_length = six.size();
    split.write.data_checksum = format::checksum(six);
    split.write.selection = Selection::hyperslab({8}, {2});
    split.write.data_offset = log.reserve(six.size());
    log.write_reserved(split.write.data_offset, six.first(4));
    log.append(7, 2, Selection::hyperslab({0}, {1}), bytes_of({-4}));
    log.write_reserved(split.write.data_offset + 4, six.subspan(4));
    log.commit(split);
    log.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(2, true);  // file 0 does not exist: no damage, nothing read
  EXPECT_TRUE(index.damage().empty());
  ASSERT_EQ(index.record_count(), 4u);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> writer_and_file;
  for (const auto& w : index.writes(7).in_replay_order()) writer_and_file.emplace_back(w.writer, w.data_file);
  EXPECT_EQ(writer_and_file, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{4, 1}, {5, 1}, {4, 1}, {6, 1}}));
  EXPECT_EQ(read(index, 7, Selection::all(), shape), (std::vector<std::int32_t>{-4, 5, 5, 5, 4, 0, 0, 0, 6, 6}));
  EXPECT_FALSE(exists(layout_->data_file(0)));
}

TEST_F(Logs, UnwrittenElementsReadAsFill) {
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({1, 1}, {2, 2}), bytes_of({1, 2, 3, 4}));
    w.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  EXPECT_EQ(read(index, 1, Selection::all(), {3, 3}, -9), (std::vector<std::int32_t>{-9, -9, -9, -9, 1, 2, -9, 3, 4}));
  EXPECT_EQ(read(index, 2, Selection::all(), {2}, 5), (std::vector<std::int32_t>{5, 5}));  // nothing written
}

// A shrink (RESIZE at epoch 2) discards what lies outside the new shape: writes of epochs up to 2
// keep only what is inside it, so that the grow at epoch 3 shows the fill value there, while
// writes after the shrink are whole. Through reads of selections and linear windows (the merge).
TEST_F(Logs, ShrinkCutsEarlierWritesOnly) {
  {
    auto w = writer(0);
    std::vector<std::int32_t> all(16);
    std::iota(all.begin(), all.end(), 0);
    w.append(1, 1, Selection::hyperslab({0, 0}, {4, 4}), bytes_of(all));       // before: cut to 2x2
    w.append(1, 2, Selection::points(2, {3, 3, 1, 0}), bytes_of({-7, -8}));    // same epoch: cut too
    w.append(1, 4, Selection::hyperslab({2, 2}, {1, 2}), bytes_of({50, 51}));  // after the grow: whole
    w.close();
  }
  ShapeHistory shapes;
  shapes.add(0, {4, 4});
  shapes.add(2, {2, 2});  // the shrink
  shapes.add(3, {3, 4});  // the grow
  EXPECT_TRUE(shapes.shrank());
  EXPECT_EQ(shapes.widest({3, 4}), (Extent{4, 4}));
  EXPECT_EQ(shapes.kept(1, {3, 4}), (Extent{2, 2}));
  EXPECT_EQ(shapes.kept(3, {3, 4}), (Extent{3, 4}));
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  const Extent shape{3, 4};
  std::vector<std::byte> fill(4);
  const std::int32_t minus_one = -1;
  std::memcpy(fill.data(), &minus_one, 4);
  const ElementLayout layout{shape, 4, fill, false, 0, false, &shapes};
  const std::vector<std::int32_t> expected{0, 1, -1, -1, -8, 5, -1, -1, -1, -1, 50, 51};
  DataReader reader(*layout_);
  std::vector<std::byte> out(12 * 4);
  reader.read(index.writes(1), Selection::all().resolved(shape), layout, out);
  EXPECT_EQ(as_ints(out), expected);
  std::vector<std::byte> window(6 * 4);
  reader.read_linear(index.writes(1), 3, 6, layout, window);
  EXPECT_EQ(as_ints(window), std::vector<std::int32_t>(expected.begin() + 3, expected.begin() + 9));
  // The merge's kernel copies: no piece may come from the cut part of a record.
  for (const auto& piece : DataReader::resolve_window(index.writes(1), 0, 12, layout)) {
    if (!piece.written) continue;
    for (std::uint64_t i = piece.first; i < piece.first + piece.count; ++i) EXPECT_NE(expected[i], -1) << i;
  }
  // Without the history (as before shrinks existed), the 4x4 write would not fit at all.
  std::fill(out.begin(), out.end(), std::byte{0});
  reader.read(index.writes(1), Selection::all().resolved(shape), {shape, 4, fill}, out);
  EXPECT_NE(as_ints(out), expected);
}

TEST_F(Logs, SameWriterOverlapLaterWins) {
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({0}, {4}), bytes_of({1, 1, 1, 1}));
    w.append(1, 1, Selection::hyperslab({1}, {2}), bytes_of({2, 2}));
    w.append(1, 1, Selection::points(1, {3, 0}), bytes_of({3, 4}));
    w.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  EXPECT_EQ(read(index, 1, Selection::all(), {4}), (std::vector<std::int32_t>{4, 2, 2, 3}));
}

// Variable-length records: slots resolve like fixed elements (later wins, element by element), then
// each element's bytes come from the record that won it.
TEST_F(Logs, VariableLengthStringsResolveLaterWinsAndFetchFromTheirRecord) {
  auto encode = [](std::vector<const char*> strings) { return format::encode_vlen_strings(strings); };
  {
    auto w0 = writer(0);
    auto w1 = writer(1);
    w0.append(1, 1, Selection::hyperslab({0}, {4}), encode({"zero", "one", "", "three"}));
    w1.append(1, 2, Selection::hyperslab({2}, {3}), encode({"TWO", nullptr, std::string(5000, 'f').c_str()}));
    w0.append(1, 3, Selection::points(1, {4, 0}), encode({"\xc3\xa9", "0"}));
    w0.close();
    w1.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(2, true);
  DataReader reader(*layout_);
  const Extent shape{6};
  using V = DataReader::VlenState;
  const auto all = reader.read_vlen(index.writes(1), Selection::all().resolved(shape), {shape, 16, {}});
  EXPECT_EQ(all.state, (std::vector<V>{V::Value, V::Value, V::Value, V::Null, V::Value, V::Unwritten}));
  EXPECT_EQ(all.value, (std::vector<std::string>{"0", "one", "TWO", "", "\xc3\xa9", ""}));
  const auto window = reader.read_vlen_linear(index.writes(1), 2, 2, {shape, 16, {}});
  EXPECT_EQ(window.value, (std::vector<std::string>{"TWO", ""}));
  EXPECT_EQ(window.state[1], V::Null);
}

// Compounds with variable-length members: elements (4 fixed bytes, 2 slots) resolve like fixed ones,
// later wins element by element, and each member's bytes come from the record that won its element.
format::Bytes compound_elements(std::vector<std::int32_t> ids, std::vector<std::array<const char*, 2>> members) {
  return format::encode_vlen_elements(
      ids.size(), 4, 2, [&](std::size_t i) { return format::ByteView(reinterpret_cast<const std::byte*>(&ids[i]), 4); },
      [&](std::size_t i, std::size_t j) { return members[i][j] == nullptr; },
      [&](std::size_t i, std::size_t j) {
        return format::ByteView(reinterpret_cast<const std::byte*>(members[i][j]), std::strlen(members[i][j]));
      });
}

TEST_F(Logs, VariableLengthMembersResolveLaterWinsPerElement) {
  {
    auto w0 = writer(0);
    auto w1 = writer(1);
    w0.append(1, 1, Selection::hyperslab({0}, {3}),
              compound_elements({1, 2, 3}, {{"a", "b"}, {"c", nullptr}, {"e", "f"}}));
    w1.append(1, 2, Selection::hyperslab({1}, {1}), compound_elements({20}, {{"C", "D"}}));
    w0.close();
    w1.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(2, true);
  DataReader reader(*layout_);
  const Extent shape{4};
  using V = DataReader::VlenState;
  const auto all = reader.read_vlen(index.writes(1), Selection::all().resolved(shape), {shape, 4, {}}, {4, 2});
  std::vector<std::int32_t> ids(4);
  ASSERT_EQ(all.fixed.size(), 16u);
  std::memcpy(ids.data(), all.fixed.data(), 16);
  EXPECT_EQ(ids, (std::vector<std::int32_t>{1, 20, 3, 0}));
  EXPECT_EQ(all.state,
            (std::vector<V>{V::Value, V::Value, V::Value, V::Value, V::Value, V::Value, V::Unwritten, V::Unwritten}));
  EXPECT_EQ(all.value, (std::vector<std::string>{"a", "b", "C", "D", "e", "f", "", ""}));
}

TEST_F(Logs, VariableLengthMemberSlotOutsideItsRecordIsAFormatError) {
  format::Bytes data = compound_elements({1, 2}, {{"abc", "de"}, {"f", "g"}});
  format::put_u64(data.data() + 36 + 4 + 16, 1000);  // element 1's member 1 "at" offset 1000
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({0}, {2}), data);  // a valid checksum over a bad slot
    w.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  DataReader reader(*layout_);
  reader.check_checksums(true);
  const Extent shape{2};
  EXPECT_EQ(
      reader.read_vlen(index.writes(1), Selection::points(1, {0}).resolved(shape), {shape, 4, {}}, {4, 2}).value[1],
      "de");
  try {
    reader.read_vlen(index.writes(1), Selection::all().resolved(shape), {shape, 4, {}}, {4, 2});
    ADD_FAILURE() << "a slot outside its record was read";
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("variable-length member 1"), std::string::npos) << what;
    EXPECT_NE(what.find("outside the record's 79 data bytes"), std::string::npos) << what;
    EXPECT_NE(what.find(layout_->data_file(0)), std::string::npos) << what;
  }
}

TEST_F(Logs, VariableLengthSlotOutsideItsRecordIsAFormatError) {
  format::Bytes data = format::encode_vlen_strings(std::vector<const char*>{"abc", "de"});
  format::put_u64(data.data() + 16, 1000);  // element 1's bytes "at" offset 1000 of a 37-byte record
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({0}, {2}), data);  // a valid checksum over bad slots
    w.close();
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  DataReader reader(*layout_);
  reader.check_checksums(true);
  const Extent shape{2};
  EXPECT_EQ(reader.read_vlen(index.writes(1), Selection::points(1, {0}).resolved(shape), {shape, 16, {}}).value[0],
            "abc");
  try {
    reader.read_vlen(index.writes(1), Selection::all().resolved(shape), {shape, 16, {}});
    ADD_FAILURE() << "a slot outside its record was read";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("outside the record's 37 data bytes"), std::string::npos) << e.what();
  }
}

TEST_F(Logs, BufferedRecordsAreInvisibleUntilFlushedAndRefreshIsIncremental) {
  auto w = writer(0, true, 1 << 20);
  ContainerIndex index(*layout_, id_);
  w.append(1, 1, Selection::hyperslab({0}, {1}), bytes_of({5}));
  index.refresh(1, false);
  EXPECT_EQ(index.record_count(), 0u);
  w.flush(false);
  index.refresh(1, false);
  EXPECT_EQ(index.record_count(), 1u);
  w.append(1, 1, Selection::hyperslab({1}, {1}), bytes_of({6}));
  w.flush(false);
  index.refresh(1, false);
  EXPECT_EQ(index.record_count(), 2u);
  EXPECT_EQ(read(index, 1, Selection::all(), {2}), (std::vector<std::int32_t>{5, 6}));
}

// A write larger than the part the writer hashes and writes at a time (1 MiB): one record at a
// 4 KiB-aligned offset after the buffered bytes, whose checksum is that of its bytes whole.
TEST_F(Logs, LargeWriteIsHashedAndWrittenInPartsAtAnAlignedOffset) {
  auto w = writer(0, true, 1u << 20);
  w.append(1, 1, Selection::hyperslab({0}, {3}), bytes_of({1, 2, 3}));  // 12 B: buffered
  std::vector<std::int32_t> big((3u << 20) / 4 + 1000);                 // 3 MiB + 4000 B
  std::iota(big.begin(), big.end(), 7);
  w.append(1, 1, Selection::hyperslab({3}, {big.size()}), bytes_of(big));
  w.flush(false);
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  const auto& writes = index.writes(1).in_replay_order();
  ASSERT_EQ(writes.size(), 2u);
  const auto& r = writes[1].record;
  EXPECT_EQ(r.data_offset, format::kDataAlignment);  // after the header and 12 bytes: the next page
  EXPECT_EQ(r.data_length, big.size() * 4);
  EXPECT_EQ(r.data_checksum, format::checksum(as_bytes(std::span(big))));
  const auto all = read(index, 1, Selection::all(), {3 + big.size()});
  EXPECT_EQ(all[2], 3);
  EXPECT_EQ(all[3], 7);
  EXPECT_EQ(all.back(), big.back());
}

TEST_F(Logs, LargeWriteGoesStraightToTheFileAfterBufferedData) {
  auto w = writer(0, true, 1024);
  const auto data_file = layout_->data_file(0);
  w.append(1, 1, Selection::hyperslab({0}, {10}), bytes_of(std::vector<std::int32_t>(10, 1)));  // 40 B: buffered
  EXPECT_EQ(fs::file_size(data_file), 64u);
  std::vector<std::int32_t> big(200);  // 800 B >= half the buffer: no copy, written at once
  std::iota(big.begin(), big.end(), 100);
  w.append(1, 1, Selection::hyperslab({10}, {200}), bytes_of(big));
  EXPECT_EQ(fs::file_size(data_file), 64u + 40u + 800u);  // the buffered bytes went first, in order
  w.flush(false);
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  const auto all = read(index, 1, Selection::all(), {210});
  EXPECT_EQ(all[9], 1);
  EXPECT_EQ(all[10], 100);
  EXPECT_EQ(all[209], 299);
}

TEST_F(Logs, TornIndexTailIsDroppedReportedAndCutOnReopen) {
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({0}, {2}), bytes_of({1, 2}));
    w.append(1, 1, Selection::hyperslab({2}, {2}), bytes_of({3, 4}));
    w.close();
  }
  const auto index_file = layout_->index_file(0);
  fs::resize_file(index_file, fs::file_size(index_file) - 5);
  {
    ContainerIndex live(*layout_, id_);
    live.refresh(1, false);  // a writer may still be appending: not damage yet
    EXPECT_TRUE(live.damage().empty());
    EXPECT_EQ(live.record_count(), 1u);
  }
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  ASSERT_EQ(index.damage().size(), 1u);
  EXPECT_TRUE(index.damage()[0].torn_tail);
  EXPECT_EQ(index.record_count(), 1u);
  EXPECT_EQ(read(index, 1, Selection::all(), {4}), (std::vector<std::int32_t>{1, 2, 0, 0}));

  {
    auto w = writer(0, false);  // reopen: the torn record is cut, new ones follow the valid one
    w.append(1, 2, Selection::hyperslab({3}, {1}), bytes_of({9}));
    w.close();
  }
  ContainerIndex again(*layout_, id_);
  again.refresh(1, true);
  EXPECT_TRUE(again.damage().empty());
  EXPECT_EQ(read(again, 1, Selection::all(), {4}), (std::vector<std::int32_t>{1, 2, 0, 9}));
}

TEST_F(Logs, RecordWhoseDataIsMissingIsDropped) {
  {
    auto w = writer(0);
    w.append(1, 1, Selection::hyperslab({0}, {2}), bytes_of({1, 2}));
    w.close();
  }
  fs::resize_file(layout_->data_file(0), fs::file_size(layout_->data_file(0)) - 4);
  ContainerIndex index(*layout_, id_);
  index.refresh(1, true);
  ASSERT_EQ(index.damage().size(), 1u);
  EXPECT_NE(index.damage()[0].reason.find("beyond the end"), std::string::npos);
  EXPECT_EQ(index.record_count(), 0u);
}

// Found by fuzz/index_fuzzer.cpp: a reader in session reported corruption in a writer's index file,
// then went on reading what the writer appended after it, and accepted records that a final read
// of the same file drops (nothing after the first damaged record is trusted).
TEST_F(Logs, NothingAfterCorruptionIsReadInLaterRefreshes) {
  auto w = writer(0, true, 1);
  w.append(1, 1, Selection::hyperslab({0}, {2}), bytes_of({1, 2}));
  w.flush(false);
  {
    std::fstream index_file(layout_->index_file(0), std::ios::in | std::ios::out | std::ios::binary);
    index_file.seekp(format::kHeaderSize);  // the first record's checksum
    index_file.put('\x5a');
  }
  ContainerIndex live(*layout_, id_);
  live.refresh(1, false);
  ASSERT_EQ(live.damage().size(), 1u);
  EXPECT_FALSE(live.damage()[0].torn_tail);

  w.append(1, 1, Selection::hyperslab({2}, {2}), bytes_of({3, 4}));
  w.close();
  live.refresh(1, true);
  ContainerIndex final_read(*layout_, id_);
  final_read.refresh(1, true);
  for (ContainerIndex* index : {&live, &final_read}) {
    EXPECT_EQ(index->record_count(), 0u);
    ASSERT_EQ(index->damage().size(), 1u);
    EXPECT_EQ(index->damage()[0].offset, format::kHeaderSize);
  }
}

TEST_F(Logs, SecondProcessWithSameWriterIdIsRefused) {
  auto first = writer(3);
  try {
    auto second = writer(3, false);
    FAIL() << "expected the writer id to be refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("writer id 3"), std::string::npos) << e.what();
  }
}

TEST_F(Logs, FilesOfAnotherContainerAreRejected) {
  {
    auto w = writer(0);
    w.close();
  }
  ContainerIndex index(*layout_, format::random_container_id());
  EXPECT_THROW(index.refresh(1, true), FormatError);
}

// ---- atomic replacement and recovery

TEST_F(Scratch, ReplaceSwapsDirectoryForFile) {
  Layout layout(path("out.h5"));
  make_directory(layout.path());
  PosixFile(layout.metafile(), PosixFile::Access::CreateExclusive).close();
  PosixFile tmp(layout.merge_temporary(), PosixFile::Access::CreateExclusive);
  tmp.write_at(0, std::span(reinterpret_cast<const std::byte*>("HDF"), 3));
  tmp.close();
  const format::ContainerId id = format::random_container_id();
  const std::string replaced = replace_container_with_file(layout, id);
  EXPECT_TRUE(is_regular_file(layout.path()));
  EXPECT_EQ(fs::file_size(layout.path()), 3u);
  ASSERT_TRUE(fs::is_directory(replaced));
  EXPECT_TRUE(is_regular_file(Layout(replaced).metafile()));
  // The marker proves that the file now at the path is the one made from the replaced container.
  ASSERT_TRUE(read_merge_marker(replaced));
  EXPECT_EQ(read_merge_marker(replaced)->container, id);
  EXPECT_EQ(merge_unproven(replaced, layout.path()), "");
  EXPECT_NE(merge_unproven(replaced, layout.merge_temporary()), "");
  remove_data_files(replaced, 0, 1, 2);
  remove_replaced_container(replaced);
  EXPECT_FALSE(exists(layout.merge_temporary()));
  EXPECT_FALSE(exists(layout.replaced_container()));
}

// Each of several removers takes its share of the data file pairs and leaves the rest, the
// metafile and stray files alone.
TEST_F(Scratch, DataFilesAreRemovedInShares) {
  const std::string dir = path("old.h5");
  make_directory(dir);
  for (const char* name :
       {"metafile", "merged", "0", "0.offset", "1", "1.offset", "12", "12.offset", "notes.txt", "3x"}) {
    PosixFile(dir + "/" + name, PosixFile::Access::CreateExclusive).close();
  }
  remove_data_files(dir, 0, 2, 3);
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  // Share 0 of 2 is the even file numbers.
  EXPECT_EQ(left, (std::set<std::string>{"metafile", "merged", "1", "1.offset", "notes.txt", "3x"}));
  remove_data_files(dir, 1, 2, 1);
  left.clear();
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"metafile", "merged", "notes.txt", "3x"}));
  remove_replaced_container(dir);
  EXPECT_FALSE(exists(dir));
}

TEST_F(Scratch, RecoveryRecognisesEveryLeftover) {
  Layout layout(path("out.h5"));
  auto make_container = [&](const std::string& where) {
    make_directory(where);
    PosixFile(where + "/metafile", PosixFile::Access::CreateExclusive).close();
  };
  auto make_file = [&](const std::string& where) { PosixFile(where, PosixFile::Access::CreateExclusive).close(); };
  // What the merge writes into the container it replaces: the id and the output's identity.
  auto mark = [&](const std::string& dir, const std::string& file) {
    write_merge_marker(dir, describe_merge_output(file, format::random_container_id()));
  };

  // Interrupted before the exchange: the container is whole, the partial output goes.
  make_container(layout.path());
  make_file(layout.merge_temporary());
  EXPECT_EQ(recover_interrupted_merge(layout).done.size(), 1u);
  EXPECT_TRUE(layout.is_container());
  EXPECT_FALSE(exists(layout.merge_temporary()));

  // Interrupted after the exchange: the file is whole, the old container goes, on its marker.
  fs::remove_all(layout.path());
  make_file(layout.path());
  make_container(layout.merge_temporary());
  mark(layout.merge_temporary(), layout.path());
  EXPECT_EQ(recover_interrupted_merge(layout).done.size(), 1u);
  EXPECT_TRUE(is_regular_file(layout.path()));
  EXPECT_FALSE(exists(layout.merge_temporary()));

  // The same without a marker (or with one naming another file): nothing proves it; it stays.
  make_container(layout.merge_temporary());
  Recovery unproven = recover_interrupted_merge(layout);
  EXPECT_TRUE(unproven.done.empty());
  EXPECT_EQ(unproven.left.size(), 1u);
  make_file(path("other.h5"));
  mark(layout.merge_temporary(), path("other.h5"));
  EXPECT_EQ(recover_interrupted_merge(layout).left.size(), 1u);
  EXPECT_TRUE(is_regular_file(Layout(layout.merge_temporary()).metafile()));
  fs::remove_all(layout.merge_temporary());

  // Interrupted between the fallback's two renames: finish them.
  fs::remove_all(layout.path());
  make_container(layout.replaced_container());
  make_file(layout.merge_temporary());
  mark(layout.replaced_container(), layout.merge_temporary());
  EXPECT_EQ(recover_interrupted_merge(layout).done.size(), 2u);
  EXPECT_TRUE(is_regular_file(layout.path()));
  EXPECT_FALSE(exists(layout.replaced_container()));
  EXPECT_FALSE(exists(layout.merge_temporary()));

  const Recovery nothing = recover_interrupted_merge(layout);
  EXPECT_TRUE(nothing.done.empty() && nothing.left.empty());
}

// ---- overlap index

TEST(OverlapIndex, MatchesBruteForceOnRandomBoxes) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 50; ++round) {
    const std::size_t rank = 1 + round % 3;
    std::vector<selection::Box> boxes(1 + random() % 300);
    auto random_box = [&] {
      selection::Box b;
      for (std::size_t d = 0; d < rank; ++d) {
        const std::uint64_t lo = random() % 100, extent = random() % 20;  // extent 0: an empty box
        b.lo.push_back(lo);
        b.hi.push_back(lo + extent);
      }
      return b;
    };
    for (auto& b : boxes) b = random_box();
    const OverlapIndex index(boxes);
    for (int q = 0; q < 40; ++q) {
      const selection::Box query = random_box();
      std::vector<std::uint32_t> expected;
      for (std::uint32_t i = 0; i < boxes.size(); ++i) {
        if (boxes[i].intersects(query)) expected.push_back(i);
      }
      ASSERT_EQ(index.overlapping(boxes, query), expected) << "round " << round << " query " << q;
    }
  }
}

TEST(OverlapIndex, ScalarBoxesAlwaysOverlap) {
  const std::vector<selection::Box> boxes(3);  // rank 0: one element each
  const OverlapIndex index(boxes);
  EXPECT_EQ(index.overlapping(boxes, selection::Box{}), (std::vector<std::uint32_t>{0, 1, 2}));
  const std::vector<selection::Box> none;
  EXPECT_TRUE(OverlapIndex(none).overlapping(none, selection::Box{}).empty());
}

// The compact in-memory selection gives back the selection, box and overlaps the full one gives.
TEST(StoredSelection, MatchesTheSelectionItHolds) {
  std::mt19937_64 random(23);
  const auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n)(random); };
  std::vector<Selection> selections = {Selection::hyperslab({}, {}), Selection::hyperslab({5}, {0}),
                                       Selection::points(1, {}), Selection::points(2, {3, 4})};
  for (int i = 0; i < 300; ++i) {
    const std::size_t rank = 1 + static_cast<std::size_t>(pick(3));
    if (i % 4 == 3) {
      std::vector<std::uint64_t> flat(rank * (1 + pick(5)));
      for (auto& c : flat) c = pick(50);
      selections.push_back(Selection::points(rank, flat));
      continue;
    }
    Extent start(rank), count(rank), stride(rank), block(rank);
    for (std::size_t d = 0; d < rank; ++d) {
      start[d] = pick(40);
      count[d] = pick(4);
      block[d] = i % 2 ? 1 : 1 + pick(2);
      stride[d] = i % 3 ? 1 : block[d] + pick(3);
    }
    selections.push_back(Selection::hyperslab(start, count, stride, block));
  }
  for (const auto& s : selections) {
    const selection::Box box = selection::bounding_box(s);
    const StoredSelection stored(s, box);
    ASSERT_EQ(stored.get(), s) << s.describe();
    EXPECT_EQ(stored.box().lo, box.lo) << s.describe();
    EXPECT_EQ(stored.box().hi, box.hi) << s.describe();
    EXPECT_EQ(stored.num_elements(), s.kind() == Selection::Kind::Points ? s.num_points() : s.num_elements());
    EXPECT_EQ(stored.lower0(), box.lo.empty() ? 0 : box.lo[0]);
    EXPECT_EQ(stored.upper0(), box.hi.empty() ? 1 : box.hi[0]);
    const StoredSelection copy = stored;  // copies and moves keep the words, inline or not
    StoredSelection moved = StoredSelection(copy);
    EXPECT_EQ(moved.get(), s);
    moved = copy;
    EXPECT_EQ(moved.get(), s);
    for (const auto& other : selections) {
      const selection::Box query = selection::bounding_box(other);
      EXPECT_EQ(stored.box_intersects(query), box.intersects(query)) << s.describe() << " / " << other.describe();
    }
  }
}

TEST(Layout, TrailingSlashesAndNames) {
  Layout layout("data.h5//");
  EXPECT_EQ(layout.path(), "data.h5");
  EXPECT_EQ(layout.data_file(12), "data.h5/12");
  EXPECT_EQ(layout.index_file(0), "data.h5/0.offset");
}

}  // namespace
}  // namespace h5mf::container
