// Hostile input (docs/design.md, "Hostile files"): the limits of h5mf/limits.hpp at creation and
// in a loaded metafile, and container files that are links or FIFOs. The end-to-end classes
// (every command on every kind of hostile container) are tests/hostile/.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "container/posix_file.hpp"
#include "format/limits.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "h5mf/limits.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t k2(int n) { return std::uint64_t{1} << n; }

TEST(HostileInput, ShapesBeyond64BitsAreRefusedAtCreation) {
  Scratch scratch("shapes");
  File f(scratch / "c.h5", "w", multifile());
  const auto u8 = [](Extent shape) { return DatasetCreate::of<std::uint8_t>(std::move(shape)); };
  // h5py/HDF5 accept none of these; h5mf took them and then read size 0 or wrote unreadable files.
  expect_error([&] { f.create_dataset("a", u8({k2(61), 8})); }, {"'/a'", "2^64 elements"}, "(2^61, 8) u1");
  expect_error([&] { f.create_dataset("b", u8({k2(32), k2(32) + 1})); }, {"'/b'", "2^64"}, "(2^32, 2^32+1) u1");
  expect_error([&] { f.create_dataset("c", DatasetCreate::of<std::uint64_t>({k2(60)})); }, {"'/c'", "2^63 bytes"},
               "2^60 u8: 2^63 bytes");
  expect_error(
      [&] {
        f.create_dataset("d", u8({4, 4}).max_shape({k2(62), k2(2)}));
      },
      {"'/d'", "maximum shape"}, "maxshape of 2^64 elements");
  expect_error([&] { f.create_dataset("e", u8({1}).max_shape({DatasetCreate::kUnlimited}).chunk_shape({k2(32)})); },
               {"'/e'", "chunk size must be < 4GB"}, "a 4 GiB chunk");
  expect_error([&] { f.create_dataset("f", DatasetCreate::of<std::uint32_t>({k2(31)}).chunk_shape({k2(30)})); },
               {"'/f'", "chunk size must be < 4GB"}, "a 4 GiB chunk of 4-byte elements");
  // At the limits, all is well: the numbers are declarations, nothing is allocated.
  f.create_dataset("g", u8({k2(62)}));
  f.create_dataset("h", u8({1}).max_shape({DatasetCreate::kUnlimited}).chunk_shape({k2(32) - 1}));
  Dataset r = f.create_dataset("r", u8({1, 1}).max_shape({DatasetCreate::kUnlimited, DatasetCreate::kUnlimited}));
  expect_error([&] { r.resize({k2(40), k2(40)}); }, {"'/r'", "2^64 elements"}, "resize beyond 2^64 elements");
  r.resize({k2(30), k2(30)});
  EXPECT_EQ(r.size(), k2(60));
  f.close();
  File read(scratch / "c.h5", "r");
  EXPECT_EQ(read.keys(), (std::vector<std::string>{"g", "h", "r"}));
  EXPECT_EQ(read.dataset("g").size(), k2(62));
}

TEST(HostileInput, GroupsNestAtMostMaxDepth) {
  Scratch scratch("depth");
  File f(scratch / "c.h5", "w", multifile());
  std::string path;
  for (std::uint64_t i = 0; i < kMaxDepth; ++i) path += "/n";
  f.create_group(path);  // 1024 deep: allowed
  expect_error([&] { f.create_group(path + "/n"); }, {"nest 1025 deep", "1024"}, "group 1025 deep");
  expect_error([&] { f.create_dataset(path + "/d", DatasetCreate::of<int>({1})); }, {"1025"}, "dataset 1025 deep");
  Group deep = f.group(path);
  expect_error([&] { deep.create_group("x/y"); }, {"1026"}, "relative path");
  f.close();
  EXPECT_TRUE(File(scratch / "c.h5", "r").contains(path));
}

// A metafile whose records break a limit: the catalog stops at the first such record (damage).
TEST(HostileInput, ALoadedMetafileBreakingALimitIsDamaged) {
  Scratch scratch("metafile");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_dataset("ok", DatasetCreate::of<std::uint8_t>({4}).max_shape({DatasetCreate::kUnlimited}));
  }
  const container::Layout layout(c);
  const auto clean = container::load_metafile(layout);
  ASSERT_FALSE(clean.damage);
  const auto u8 = Datatype::of<std::uint8_t>().encode();
  const std::uint64_t epoch = clean.catalog.last_epoch();
  auto with = [&](const format::StructureRecord& record) {
    auto bytes = read_bytes(layout.metafile());
    bytes.resize(clean.valid_end);
    format::append_record(bytes, format::record_type(record), format::encode(record));
    return container::parse_metafile(bytes, layout.metafile());
  };
  auto dataset = [&](Extent dims, Extent chunk) {
    format::CreateDatasetRecord r;
    r.epoch = epoch;
    r.id = clean.catalog.next_id();
    r.name = "bad";
    r.type = u8;
    r.dims = dims;
    r.maxdims = dims;
    r.chunk = std::move(chunk);
    return r;
  };
  struct Case {
    std::string what;
    format::StructureRecord record;
    std::string reason;
  };
  const std::vector<Case> cases{
      {"2^64 elements", dataset({k2(61), 8}, {}), "2^64 elements"},
      {"2^64 + 2^32 bytes", dataset({k2(32), k2(32) + 1}, {}), "2^64"},
      {"a 4 GiB chunk", dataset({k2(33)}, {k2(32)}), "chunk size must be < 4GB"},
      {"resize to 2^63 bytes", format::ResizeRecord{epoch, 1, {k2(63)}}, "beyond what a file can hold"},
  };
  for (const auto& one : cases) {
    const auto contents = with(one.record);
    ASSERT_TRUE(contents.damage) << one.what;
    EXPECT_EQ(contents.damage->offset, clean.valid_end) << one.what;
    EXPECT_NE(contents.damage->reason.find(one.reason), std::string::npos)
        << one.what << ": " << contents.damage->reason;
    EXPECT_EQ(contents.catalog.next_id(), clean.catalog.next_id()) << one.what;
  }
  // 1100 nested groups: the first 1024 stay, the 1025th is where the damage starts.
  auto bytes = read_bytes(layout.metafile());
  bytes.resize(clean.valid_end);
  std::uint64_t parent = 0, id = clean.catalog.next_id();
  std::uint64_t offset_of_1025th = 0;
  for (int level = 1; level <= 1100; ++level, ++id) {
    if (level == 1025) offset_of_1025th = bytes.size();
    const format::StructureRecord r = format::CreateGroupRecord{epoch, id, parent, "n"};
    format::append_record(bytes, format::record_type(r), format::encode(r));
    parent = id;
  }
  const auto deep = container::parse_metafile(bytes, layout.metafile());
  ASSERT_TRUE(deep.damage);
  EXPECT_EQ(deep.damage->offset, offset_of_1025th);
  EXPECT_NE(deep.damage->reason.find("deeper than 1024"), std::string::npos) << deep.damage->reason;
  EXPECT_EQ(deep.catalog.next_id(), clean.catalog.next_id() + 1024);
}

// Every container file is opened through PosixFile: a link is refused (its target untouched), and
// so is a FIFO, without blocking (in a child with a time limit: blocking is the bug).
TEST(HostileInput, PosixFileRefusesLinksAndNonRegularFiles) {
  Scratch scratch("posix");
  const std::string target = scratch / "target";
  write_bytes(target, std::vector<std::byte>(10, std::byte{'t'}));
  const std::string link = scratch / "link";
  fs::create_symlink(target, link);
  using container::PosixFile;
  for (auto access : {PosixFile::Access::Read, PosixFile::Access::ReadWrite, PosixFile::Access::CreateOrOpen,
                      PosixFile::Access::CreateTruncate, PosixFile::Access::CreateExclusive}) {
    expect_error([&] { PosixFile(link, access); }, {link}, "a link");
  }
  EXPECT_EQ(read_bytes(target).size(), 10u);
  EXPECT_EQ(PosixFile(link, PosixFile::Access::Read, PosixFile::Links::Follow).size(), 10u);  // a path the user named

  const std::string fifo = scratch / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const ChildResult r = run_in_child(
      [&](std::string& report) {
        for (auto access : {PosixFile::Access::Read, PosixFile::Access::ReadWrite, PosixFile::Access::CreateOrOpen}) {
          try {
            PosixFile file(fifo, access);
            report += "opened; ";
          } catch (const IoError& e) {
            report += std::string(e.what()) + "; ";
          }
        }
        return 0;
      },
      30s);
  ASSERT_FALSE(r.timed_out) << "opening a FIFO blocked: " << r.describe();
  EXPECT_EQ(r.out.find("opened"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("it is a FIFO, not a regular file"), std::string::npos) << r.out;
  expect_error([&] { PosixFile(scratch.path(), PosixFile::Access::Read); }, {"a directory"}, "a directory");
}

// A worker joining a container (mode 'a', writer=1, no MPI) must not truncate what links planted
// at its file names point at.
TEST(HostileInput, AJoiningWriterFollowsNoPlantedLink) {
  Scratch scratch("join");
  const std::string c = scratch / "c.h5";
  {
    FileOptions o = multifile();
    o.writers = 2;
    File f(c, "w", o);
    f.create_dataset("d", DatasetCreate::of<std::uint8_t>({4}));
    f.close();
  }
  for (const char* name : {"1", "1.offset"}) fs::remove(fs::path(c) / name);
  const std::string data = scratch / "precious-data", index = scratch / "precious-index";
  const std::vector<std::byte> precious(100, std::byte{'p'});
  write_bytes(data, precious);
  write_bytes(index, precious);
  fs::create_symlink(data, fs::path(c) / "1");
  fs::create_symlink(index, fs::path(c) / "1.offset");
  FileOptions worker = multifile();
  worker.writer = 1;
  expect_error(
      [&] {
        File(c, "a", worker).dataset("d").write(std::vector<std::uint8_t>{1, 2, 3, 4});
      },
      {"symbolic link", "1.offset"}, "join");
  EXPECT_EQ(read_bytes(data), precious);
  EXPECT_EQ(read_bytes(index), precious);
}

}  // namespace
}  // namespace h5mf::reliability
