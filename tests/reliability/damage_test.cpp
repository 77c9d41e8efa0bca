// Every loss is reported: what reads accept from an index file and what `verify` reports follow one
// rule (container::scan_index_records, pair_damage); an index cut short, emptied or deleted, or a
// file pair deleted, is damage for verify, merge, view and direct reads alike; merge and view exit
// with the damage code and list what they dropped; counts and sizes read from disk are checked
// against what is present before anything is sized or read by them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "container/metafile.hpp"
#include "format/checksum.hpp"
#include "format/header.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "h5mf/merge.hpp"
#include "h5mf/view.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A container of two writers without MPI: the coordinator writes d[0:4], worker 1 writes d[4:8],
// each in two records.
void make_two_writers(const std::string& c) {
  FileOptions coordinator;
  coordinator.driver = Driver::Multifile;
  coordinator.writers = 2;
  File f(c, "w", coordinator);
  f.create_dataset("d", DatasetCreate::of<std::int32_t>({8}));
  f.dataset("d").write(std::vector<std::int32_t>{1, 2}, Selection::hyperslab({0}, {2}));
  f.dataset("d").write(std::vector<std::int32_t>{3, 4}, Selection::hyperslab({2}, {2}));
  f.flush();
  {
    FileOptions worker;
    worker.driver = Driver::Multifile;
    worker.writer = 1;
    File w(c, "a", worker);
    w.dataset("d").write(std::vector<std::int32_t>{5, 6}, Selection::hyperslab({4}, {2}));
    w.dataset("d").write(std::vector<std::int32_t>{7, 8}, Selection::hyperslab({6}, {2}));
    w.close();
  }
  f.close();
}

container::Layout layout_of(const std::string& c) { return container::Layout(c); }

// What the index that reads, merges and views use makes of the container: records accepted, and
// the damage as (file, offset) pairs.
struct Seen {
  std::uint64_t records = 0;
  std::set<std::pair<std::string, std::uint64_t>> damage;
  std::vector<std::string> reasons;
};

Seen as_reads_see_it(const std::string& c) {
  const auto contents = container::load_metafile(layout_of(c));
  container::ContainerIndex index(layout_of(c), contents.header.container);
  index.refresh(contents.catalog.data_files(), true, contents.catalog.required_data_files());
  Seen seen;
  seen.records = index.record_count();
  for (const auto& d : index.damage()) {
    seen.damage.emplace(d.file, d.offset);
    seen.reasons.push_back(d.reason);
  }
  return seen;
}

// The same as verify reports it: records that passed the index rule (kept, or dropped one by one
// for their catalog or their data), and the damage of regions and files.
Seen as_verify_sees_it(const std::string& c) {
  const VerifyReport r = verify(c);
  Seen seen;
  for (const auto& f : r.data_files) {
    seen.records += f.records;
    for (const auto& d : f.damage) {
      if (d.sequence) {
        ++seen.records;
      } else {
        seen.damage.emplace(d.file, d.offset);
        seen.reasons.push_back(d.reason);
      }
    }
  }
  for (const auto& d : r.metafile_damage) {
    seen.damage.emplace(d.file, d.offset);
    seen.reasons.push_back(d.reason);
  }
  return seen;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The framed write records of an index file.
std::vector<format::LogRecord> index_records(const std::vector<std::byte>& index) {
  std::vector<format::LogRecord> records;
  format::read_log(
      format::ByteView(index).subspan(format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord& r) { records.push_back(r); }, nullptr);
  return records;
}

// Replaces record k of an index file by `record` (same framed size), checksums made to hold.
void replace_record(const std::string& index_file, std::size_t k, format::RecordType type,
                    const format::Bytes& payload) {
  std::vector<std::byte> index = read_bytes(index_file);
  const auto records = index_records(index);
  ASSERT_LT(k, records.size());
  format::Bytes framed;
  format::append_record(framed, type, payload);
  const std::uint64_t at = records[k].offset;
  const std::uint64_t old_size = format::kRecordHeaderSize + records[k].payload.size();
  std::vector<std::byte> out(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(at));
  out.insert(out.end(), framed.begin(), framed.end());
  out.insert(out.end(), index.begin() + static_cast<std::ptrdiff_t>(at + old_size), index.end());
  write_bytes(index_file, out);
}

format::WriteRecord record_of(const std::string& index_file, std::size_t k) {
  const auto index = read_bytes(index_file);
  return format::decode_write(index_records(index).at(k).payload, "test");
}

// Rewrites the metafile's SESSION records with `change`, every checksum made to hold again.
void rewrite_sessions(const std::string& c, const std::function<void(format::SessionRecord&)>& change) {
  const std::string metafile = c + "/metafile";
  const auto bytes = read_bytes(metafile);
  format::Bytes out(bytes.begin(), bytes.begin() + format::kHeaderSize);
  format::read_log(
      format::ByteView(bytes).subspan(format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord& r) {
        if (r.type == format::RecordType::Session) {
          auto s = std::get<format::SessionRecord>(format::decode_structure(r.type, r.payload, "test"));
          change(s);
          format::append_record(out, r.type, format::encode(format::StructureRecord{s}));
        } else {
          const format::Bytes payload(r.payload.begin(), r.payload.end());
          format::append_record(out, r.type, payload);
        }
      },
      nullptr);
  write_bytes(metafile, out);
}

// 21.1: one rule. Both views of the same damaged files agree, for every kind of damage.
TEST(Damage, ReadsAndVerifyFollowOneRule) {
  Scratch scratch("one-rule");
  const std::string healthy = scratch / "healthy.h5";
  make_two_writers(healthy);
  struct Case {
    std::string name;
    std::function<void(const std::string&)> damage;
  };
  const std::vector<Case> cases = {
      {"healthy", [](const std::string&) {}},
      {"index emptied, data header only",
       [](const std::string& c) {
         fs::resize_file(c + "/1.offset", 0);
         fs::resize_file(c + "/1", format::kHeaderSize);
       }},
      {"index emptied", [](const std::string& c) { fs::resize_file(c + "/1.offset", 0); }},
      {"index cut to its header", [](const std::string& c) { fs::resize_file(c + "/1.offset", format::kHeaderSize); }},
      {"index deleted", [](const std::string& c) { fs::remove(c + "/1.offset"); }},
      {"torn index tail",
       [](const std::string& c) { fs::resize_file(c + "/1.offset", fs::file_size(c + "/1.offset") - 5); }},
      {"data cut short", [](const std::string& c) { fs::resize_file(c + "/1", fs::file_size(c + "/1") - 4); }},
      {"an unknown record type in the middle",
       [](const std::string& c) {
         const auto w = record_of(c + "/1.offset", 0);
         replace_record(c + "/1.offset", 0, static_cast<format::RecordType>(99), format::encode(w));
       }},
      {"data range wrapping past 2^64",
       [](const std::string& c) {
         auto w = record_of(c + "/1.offset", 1);
         w.data_offset = ~std::uint64_t{0} - 3;
         w.data_length = 8;
         replace_record(c + "/1.offset", 1, format::RecordType::Write, format::encode(w));
       }},
      {"a record that does not decode",
       [](const std::string& c) {
         const auto index = read_bytes(c + "/1.offset");
         const auto r = index_records(index).at(0);
         format::Bytes payload(r.payload.begin(), r.payload.end());
         payload.resize(std::max<std::size_t>(payload.size(), 3) - 3);  // (a payload is longer: bounded for gcc)
         replace_record(c + "/1.offset", 0, format::RecordType::Write, payload);
       }},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    const std::string c = scratch / "case.h5";
    fs::remove_all(c);
    copy_tree(healthy, c);
    test.damage(c);
    const Seen reads = as_reads_see_it(c), checked = as_verify_sees_it(c);
    EXPECT_EQ(reads.records, checked.records);
    EXPECT_EQ(reads.damage, checked.damage) << "reads:\n"
                                            << joined(reads.reasons) << "verify:\n"
                                            << joined(checked.reasons);
    EXPECT_EQ(reads.damage.empty(), test.name == "healthy" || test.name == "an unknown record type in the middle");
    if (test.name == "an unknown record type in the middle") {
      EXPECT_EQ(reads.records, 3u);
    }
  }
}

// 17.2: an index cut back to its header, emptied (power loss on a fresh file) or deleted, and a
// file pair deleted: verify, merge, view and direct reads all report the loss.
TEST(Damage, LostIndexesAndPairsAreReported) {
  Scratch scratch("lost");
  const std::string healthy = scratch / "healthy.h5";
  make_two_writers(healthy);
  // The pair of worker 1 can be missing legitimately (a worker that never started) unless the
  // session says its writers opened together: make it so, as an MPI job writes it.
  const std::string collective = scratch / "collective.h5";
  copy_tree(healthy, collective);
  rewrite_sessions(collective, [](format::SessionRecord& s) { s.flags |= format::kSessionCollective; });
  ASSERT_EQ(verify(collective).exit_code(), 0);

  struct Case {
    std::string name, from;
    std::function<void(const std::string&)> damage;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"index cut to its header", healthy,
       [](const std::string& c) { fs::resize_file(c + "/1.offset", format::kHeaderSize); }, "lie past the last record"},
      {"index emptied", healthy, [](const std::string& c) { fs::resize_file(c + "/1.offset", 0); },
       "shorter than its header"},
      {"index deleted", healthy, [](const std::string& c) { fs::remove(c + "/1.offset"); }, "index file missing"},
      {"pair deleted", collective,
       [](const std::string& c) {
         fs::remove(c + "/1");
         fs::remove(c + "/1.offset");
       },
       "missing, but the metafile records that their writers opened"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    const std::string c = scratch / "case.h5";
    fs::remove_all(c);
    fs::remove_all(scratch / "out.h5");
    copy_tree(test.from, c);
    test.damage(c);

    const ToolVerify checked = tool_verify(c);
    EXPECT_EQ(checked.run.exit_code, 2) << checked.run.describe();
    EXPECT_NE(checked.run.out.find(test.says), std::string::npos) << checked.run.out;

    const ChildResult merged = run_program({h5mf_tool(), "merge", "--json", c, "-o", scratch / "out.h5"}, 120s);
    EXPECT_EQ(merged.exit_code, 2) << merged.describe();
    EXPECT_NE(merged.err.find(test.says), std::string::npos) << merged.describe();
    const auto json = nlohmann::json::parse(merged.out, nullptr, false);
    ASSERT_TRUE(json.is_object()) << merged.describe();
    ASSERT_FALSE(json["dropped"].empty()) << merged.out;
    EXPECT_NE(json["dropped"][0]["reason"].get<std::string>().find(test.says), std::string::npos) << merged.out;

    const ChildResult viewed = run_program(
        {h5mf_tool(), "view", "--json", c, "-o", scratch / "view.h5", "--sources", scratch / "src.h5"}, 120s);
    EXPECT_EQ(viewed.exit_code, 2) << viewed.describe();

    // A direct read (h5mf dump opens the container): the loss is said on stderr.
    const ChildResult dumped = run_program({h5mf_tool(), "dump", c}, 120s);
    EXPECT_EQ(dumped.exit_code, 0) << dumped.describe();
    EXPECT_NE(dumped.err.find(test.says), std::string::npos) << dumped.describe();
  }
}

// 23.5: a torn index record dropped by the merge gives the damage exit code, and --json says what
// was dropped: file, offset, bytes, reason. The same for the view.
TEST(Damage, MergeAndViewExitWithTheDamageCodeAndListTheDrop) {
  Scratch scratch("merge-exit");
  const std::string c = scratch / "c.h5";
  make_two_writers(c);
  const std::uint64_t size = fs::file_size(c + "/1.offset");
  fs::resize_file(c + "/1.offset", size - 5);
  const auto last = index_records(read_bytes(c + "/0.offset")).size();
  ASSERT_EQ(last, 2u);

  const ChildResult merged = run_program({h5mf_tool(), "merge", "--json", c, "-o", scratch / "out.h5"}, 120s);
  EXPECT_EQ(merged.exit_code, 2) << merged.describe();
  const auto json = nlohmann::json::parse(merged.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << merged.describe();
  ASSERT_EQ(json["dropped"].size(), 1u) << merged.out;
  const auto& d = json["dropped"][0];
  EXPECT_EQ(d["file"], c + "/1.offset");
  const std::uint64_t record = (size - format::kHeaderSize) / 2;  // two records of one size
  EXPECT_EQ(d["offset"], format::kHeaderSize + record);
  EXPECT_EQ(d["bytes"], record - 5);
  EXPECT_NE(d["reason"].get<std::string>().find("extends past end of file"), std::string::npos) << merged.out;

  const ChildResult viewed =
      run_program({h5mf_tool(), "view", "--json", c, "-o", scratch / "view.h5", "--sources", scratch / "src.h5"}, 120s);
  EXPECT_EQ(viewed.exit_code, 2) << viewed.describe();
  const auto view_json = nlohmann::json::parse(viewed.out, nullptr, false);
  ASSERT_TRUE(view_json.is_object()) << viewed.describe();
  ASSERT_EQ(view_json["dropped"].size(), 1u) << viewed.out;
  EXPECT_EQ(view_json["dropped"][0]["offset"], format::kHeaderSize + record);
}

// 17.7: a session claiming 2^32 - 1 writers sizes nothing: every tool ends normally (no
// std::bad_alloc), and with the writers said to have opened together the missing pairs are one
// report, not four billion.
TEST(Damage, AHugeWriterCountSizesNothing) {
  Scratch scratch("huge-count");
  const std::string healthy = scratch / "healthy.h5";
  make_two_writers(healthy);
  for (const bool collective : {false, true}) {
    SCOPED_TRACE(collective ? "collective" : "independent");
    const std::string c = scratch / "c.h5";
    fs::remove_all(c);
    fs::remove_all(scratch / "out.h5");
    copy_tree(healthy, c);
    rewrite_sessions(c, [&](format::SessionRecord& s) {
      s.writers = ~std::uint32_t{0};
      if (collective) s.flags |= format::kSessionCollective;
    });
    const int damage = collective ? 2 : 0;
    const ToolVerify checked = tool_verify(c);
    EXPECT_EQ(checked.run.exit_code, damage) << checked.run.describe();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"ls", c}, std::vector<std::string>{"dump", c},
          std::vector<std::string>{"view", c, "-o", scratch / "view.h5", "--sources", scratch / "src.h5"},
          std::vector<std::string>{"merge", c, "-o", scratch / "out.h5"}}) {
      std::vector<std::string> argv{h5mf_tool()};
      argv.insert(argv.end(), args.begin(), args.end());
      const ChildResult r = run_program(argv, 120s);
      const bool reports = args[0] == "view" || args[0] == "merge";
      EXPECT_EQ(r.exit_code, reports ? damage : 0) << args[0] << ": " << r.describe();
      EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << args[0] << ": " << r.describe();
    }
  }
}

// 23.7: a record whose data would reach past the end of its data file (4 TiB over a file of a few
// hundred bytes) is damage found before any byte is read: no tool hashes what is not there.
TEST(Damage, ARecordPastItsDataFileIsDamageBeforeHashing) {
  Scratch scratch("past-end");
  const std::string c = scratch / "c.h5";
  make_two_writers(c);
  auto w = record_of(c + "/1.offset", 1);
  w.data_length = std::uint64_t{4} << 40;
  replace_record(c + "/1.offset", 1, format::RecordType::Write, format::encode(w));
  const VerifyReport r = verify(c);
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_EQ(r.data_files.size(), 2u);
  ASSERT_EQ(r.data_files[1].damage.size(), 1u);
  EXPECT_NE(r.data_files[1].damage[0].reason.find("lie outside"), std::string::npos)
      << r.data_files[1].damage[0].reason;
  const ChildResult merged = run_program({h5mf_tool(), "merge", c, "-o", scratch / "out.h5"}, 120s);
  EXPECT_EQ(merged.exit_code, 2) << merged.describe();
  EXPECT_NE(merged.err.find("lie outside"), std::string::npos) << merged.describe();
}

}  // namespace
}  // namespace h5mf::reliability
