// Bad input at the API and at `h5mf verify`: a clear error naming what is wrong, and nothing
// already written lost or changed. Also two processes claiming the same writer id.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "format/checksum.hpp"
#include "format/encoding.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A container of two writers, each with one row of /d, closed.
void make_container(const std::string& path) {
  FileOptions coordinator_options = multifile();
  coordinator_options.writers = 2;
  File coordinator(path, "w", coordinator_options);
  coordinator.create_dataset("d", DatasetCreate::of<std::uint64_t>({2, 4}).fill_value(kFill));
  coordinator.flush();
  FileOptions worker_options = multifile();
  worker_options.writer = 1;
  File worker(path, "a", worker_options);
  worker.dataset("d").write(std::vector<std::uint64_t>{5, 6, 7, 8}, Selection::hyperslab({1, 0}, {1, 4}));
  worker.close();
  coordinator.dataset("d").write(std::vector<std::uint64_t>{1, 2, 3, 4}, Selection::hyperslab({0, 0}, {1, 4}));
  coordinator.close();
}

const std::vector<std::uint64_t> kWritten{1, 2, 3, 4, 5, 6, 7, 8};

// Every file of a directory (or the one file), by name, with its size and checksum: to show that
// a refused call changed nothing.
using Snapshot = std::map<std::string, std::string>;
Snapshot snapshot(const std::string& dir) {
  Snapshot out;
  auto describe = [](const std::string& path) {
    const auto bytes = read_bytes(path);
    return fmt::format("{} bytes, xxh3 {:#018x}", bytes.size(), format::checksum(bytes));
  };
  if (fs::is_regular_file(dir)) {
    out[dir] = describe(dir);
    return out;
  }
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename().string()] = describe(e.path().string());
  return out;
}

void expect_tool_verify(const std::string& path, int code, const std::string& word) {
  const ChildResult r = run_program({h5mf_tool(), "verify", path}, 60s);
  EXPECT_EQ(r.exit_code, code) << r.describe();
  EXPECT_NE(r.err.find(word), std::string::npos) << "h5mf verify's message: " << r.describe();
}

void patch_version(const std::string& file, std::uint32_t version) {
  auto bytes = read_bytes(file);
  format::put_u32(bytes.data() + 8, version);
  format::put_u64(bytes.data() + 56, format::checksum(format::ByteView(bytes.data(), 56)));
  write_bytes(file, bytes);
}

TEST(BadInput, WritesToAReadOnlyFile) {
  Scratch scratch("read-only");
  const std::string c = scratch / "c.h5";
  make_container(c);
  const auto before = snapshot(c);
  File f(c, "r");
  expect_error([&] { f.dataset("d").write(std::vector<std::uint64_t>(8, 0)); }, {"read-only", "/d"}, "write");
  expect_error([&] { f.create_group("g"); }, {"read-only"}, "create_group");
  expect_error([&] { f.dataset("d").attrs().set("a", 1); }, {"read-only"}, "attrs.set");
  expect_error([&] { f.dataset("d").resize({4, 4}); }, {"d"}, "resize");
  f.close();
  EXPECT_EQ(snapshot(c), before);
  EXPECT_EQ(File(c, "r").dataset("d").read<std::uint64_t>(), kWritten);
}

TEST(BadInput, ARegularFileThatIsNotHdf5) {
  Scratch scratch("not-hdf5");
  const std::string path = scratch / "notes.h5";
  write_bytes(path, std::vector<std::byte>(100, std::byte{'x'}));
  const auto before = snapshot(path);
  for (const char* mode : {"r", "r+", "a", "w", "w-"}) {
    expect_error([&] { File(path, mode, multifile()); }, {path}, std::string("multifile, mode ") + mode);
    // h5py's 'w' truncates whatever is there, and so does the default (sec2) driver.
    if (std::string(mode) != "w")
      expect_error([&] { File(path, mode); }, {path}, std::string("auto driver, mode ") + mode);
  }
  expect_error([&] { merge(path); }, {path}, "merge");
  EXPECT_EQ(snapshot(path), before) << "the file was changed";
  const VerifyReport report = verify(path);
  EXPECT_EQ(report.exit_code(), 1);
  ASSERT_FALSE(report.errors.empty());
  EXPECT_NE(report.errors.front().find("neither an h5mf container nor an HDF5 file"), std::string::npos);
  expect_tool_verify(path, 1, path);
  expect_tool_verify(scratch / "missing.h5", 1, "does not exist");
}

TEST(BadInput, AContainerOfANewerFormatVersion) {
  Scratch scratch("newer");
  const std::string c = scratch / "c.h5";
  make_container(c);
  patch_version(c + "/metafile", 2);
  const auto before = snapshot(c);
  expect_error([&] { File(c, "r"); }, {"metafile", "newer h5mf", "version 2"}, "open r");
  expect_error([&] { File(c, "a", multifile()); }, {"metafile", "newer h5mf"}, "open a");
  FileOptions worker = multifile();
  worker.writer = 1;
  expect_error([&] { File(c, "a", worker); }, {"metafile", "newer h5mf"}, "open a as writer 1");
  expect_error([&] { merge(c); }, {"metafile", "newer h5mf"}, "merge");
  EXPECT_EQ(snapshot(c), before) << "a refused open changed the container";
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 1);
  expect_tool_verify(c, 1, "newer h5mf");
  patch_version(c + "/metafile", 1);
  EXPECT_EQ(File(c, "r").dataset("d").read<std::uint64_t>(), kWritten);
}

TEST(BadInput, AWriterIndexOfANewerFormatVersion) {
  Scratch scratch("newer-index");
  const std::string c = scratch / "c.h5";
  make_container(c);
  patch_version(c + "/1.offset", 7);
  const auto before = snapshot(c);
  expect_error([&] { File(c, "r").dataset("d").read<std::uint64_t>(); }, {"1.offset", "newer h5mf"}, "read");
  expect_error([&] { File(c, "a", multifile()); }, {"1.offset", "newer h5mf"}, "open a");
  expect_error([&] { merge(c); }, {"1.offset", "newer h5mf"}, "merge");
  EXPECT_EQ(snapshot(c), before) << "a refused open changed the container";
  EXPECT_EQ(verify(c).exit_code(), 1);
}

// docs/format.md: "A reader rejects ... a version above the one it knows" — of every file.
TEST(BadInput, AWriterDataFileOfANewerFormatVersion) {
  Scratch scratch("newer-data");
  const std::string c = scratch / "c.h5";
  make_container(c);
  patch_version(c + "/1", 3);
  EXPECT_NE(verify(c).exit_code(), 0);
  expect_error([&] { File(c, "r").dataset("d").read<std::uint64_t>(); }, {"c.h5/1", "newer h5mf"},
               "reading a container whose data file says it is of format version 3");
}

TEST(BadInput, MissingMetafile) {
  Scratch scratch("no-metafile");
  const std::string c = scratch / "c.h5";
  make_container(c);
  fs::remove(c + "/metafile");
  const auto before = snapshot(c);
  expect_error([&] { File(c, "r"); }, {c}, "open r");
  expect_error([&] { File(c, "a"); }, {c}, "open a");
  expect_error([&] { File(c, "a", multifile()); }, {c}, "open a, multifile");
  expect_error([&] { File(c, "w", multifile()); }, {c, "not replacing"}, "open w");
  expect_error([&] { merge(c); }, {c}, "merge");
  EXPECT_EQ(snapshot(c), before) << "the writers' files were changed";
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 1);
  expect_tool_verify(c, 1, "without a metafile");
}

TEST(BadInput, MissingDataFileOfAWriter) {
  Scratch scratch("no-data");
  const std::string c = scratch / "c.h5";
  make_container(c);
  fs::remove(c + "/1");
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 2);
  ASSERT_EQ(report.data_files.size(), 2u);
  EXPECT_EQ(report.data_files[1].records_dropped, 1u);
  const std::vector<std::uint64_t> row0{1, 2, 3, 4, kFill, kFill, kFill, kFill};
  // Reading: writer 0's row, writer 1's dropped and reported on stderr.
  const ChildResult r = run_in_child(
      [&](std::string& out) {
        out = File(c, "r").dataset("d").read<std::uint64_t>() == row0 ? "ok" : "wrong";
        return 0;
      },
      30s);
  EXPECT_EQ(r.out, "ok") << r.describe();
  EXPECT_NE(r.err.find("1.offset"), std::string::npos) << r.describe();
  MergeOptions m;
  m.output = scratch / "m.h5";
  const MergeReport merged = merge(c, m);
  EXPECT_FALSE(merged.damage.empty());
  FileOptions worker = multifile();
  worker.writer = 1;
  expect_error([&] { File(c, "a", worker); }, {"c.h5/1"}, "writer 1 appending without its data file");
}

// The index of a writer gone, its data still there: the records cannot be placed, and a reader
// must say so (docs/design.md: damage is "reported at open, never silently").
TEST(BadInput, MissingIndexFileOfAWriter) {
  Scratch scratch("no-index");
  const std::string c = scratch / "c.h5";
  make_container(c);
  fs::remove(c + "/1.offset");
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 2);
  const ChildResult r = run_in_child(
      [&](std::string& out) {
        try {
          File(c, "r").dataset("d").read<std::uint64_t>();
          out = "read";
        } catch (const Error& e) {
          out = e.what();
        }
        return 0;
      },
      30s);
  EXPECT_TRUE(r.out.find("1.offset") != std::string::npos || r.err.find("1.offset") != std::string::npos)
      << "writer 1's records vanished without a word: " << r.describe();
}

TEST(SameWriter, AWorkerIdClaimedTwice) {
  Scratch scratch("same-worker");
  const std::string c = scratch / "c.h5";
  {
    FileOptions o = multifile();
    o.writers = 3;
    File f(c, "w", o);
    f.create_dataset("d", DatasetCreate::of<std::uint64_t>({3, 4}).fill_value(kFill));
    f.close();
  }
  std::optional<File> first;
  Peer peer(
      [&] {
        FileOptions o = multifile();
        o.writer = 1;
        first.emplace(c, "a", o);
        first->dataset("d").write(std::vector<std::uint64_t>{5, 6}, Selection::hyperslab({1, 0}, {1, 2}));
      },
      [&] {
        first->dataset("d").write(std::vector<std::uint64_t>{7, 8}, Selection::hyperslab({1, 2}, {1, 2}));
        first->close();
        return 0;
      });
  ASSERT_TRUE(peer.wait_ready(30s));
  FileOptions same = multifile();
  same.writer = 1;
  expect_error([&] { File(c, "a", same); }, {"writer id 1", "already in use", c}, "the second writer 1");
  const ChildResult r = peer.go_and_finish(30s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(verify(c).exit_code(), 0);
  EXPECT_EQ(File(c, "r").dataset("d").read<std::uint64_t>(),
            (std::vector<std::uint64_t>{kFill, kFill, kFill, kFill, 5, 6, 7, 8, kFill, kFill, kFill, kFill}));
}

// Writer 0 is the coordinator: a second one must be refused before it touches the metafile that
// the first is appending to.
TEST(SameWriter, TheCoordinatorClaimedTwice) {
  Scratch scratch("same-coordinator");
  const std::string c = scratch / "c.h5";
  std::optional<File> first;
  Peer peer(
      [&] {
        FileOptions o = multifile();
        o.writers = 2;
        first.emplace(c, "w", o);
        first->create_dataset("a", DatasetCreate::of<std::uint64_t>({4}).fill_value(kFill));
        first->flush();
      },
      [&] {
        first->create_dataset("b", DatasetCreate::of<std::uint64_t>({4}).fill_value(kFill));
        first->dataset("a").write(std::vector<std::uint64_t>{1, 2, 3, 4});
        first->dataset("b").write(std::vector<std::uint64_t>{5, 6, 7, 8});
        first->close();
        return 0;
      });
  ASSERT_TRUE(peer.wait_ready(30s));
  const auto before = snapshot(c);
  FileOptions new_session = multifile();
  new_session.writers = 2;
  expect_error([&] { File(c, "a", new_session); }, {"already in use"}, "a second coordinator (new session)");
  EXPECT_EQ(snapshot(c), before) << "the refused coordinator changed the container";
  FileOptions joining = multifile();
  joining.writer = 0;
  expect_error([&] { File(c, "a", joining); }, {"already in use"}, "a second coordinator (writer 0)");
  EXPECT_EQ(snapshot(c), before) << "the refused coordinator changed the container";
  const ChildResult r = peer.go_and_finish(30s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 0) << (report.metafile_damage.empty() ? "" : report.metafile_damage.front().reason);
  File f(c, "r");
  ASSERT_TRUE(f.contains("b"));
  EXPECT_EQ(f.dataset("a").read<std::uint64_t>(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(f.dataset("b").read<std::uint64_t>(), (std::vector<std::uint64_t>{5, 6, 7, 8}));
  EXPECT_EQ(f.writers(), 2);
}

}  // namespace
}  // namespace h5mf::reliability
