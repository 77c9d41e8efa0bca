// Corruption test: a known container (two writers, model.hpp's records) with bytes flipped and
// files truncated at many places, in each kind of file (metafile, <w>.offset, <w>), headers
// included. Every case runs in a child process with a time limit; each time:
// - nothing crashes (a child dying by a signal) or hangs (a child we had to kill);
// - `verify` reports something (exit code not 0), except for a log cut exactly at a record
//   boundary, which is indistinguishable from a log that ended there;
// - direct reads and the merge either fail with an h5mf error naming a file of the container, or
//   return data in which every record is whole or missing, never anything else, and missing only
//   where verify reported it dropped (or after a cut at a record boundary);
// - the container can be opened for appending (or refuses with an h5mf error), and reads keep the
//   same promise afterwards.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <random>
#include <set>

#include "format/log.hpp"
#include "format/records.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint32_t kWriters = 2;
constexpr std::uint64_t kSteps = 40;

// Where each record of the pristine container sits.
struct Pristine {
  std::string dir;                                        // the pristine container
  std::map<std::string, std::uint64_t> sizes;             // file name -> size
  std::vector<std::vector<std::uint64_t>> index_offsets;  // [writer][sequence]
  std::vector<std::vector<std::uint64_t>> data_ends;      // [writer][sequence]: data_offset + length
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> data;  // data file -> [offset, end)
  std::map<std::string, std::vector<std::uint64_t>> boundaries;  // log file -> record starts (and its end)
};

// Two writers, step by step; writer 0 also makes structure calls (attributes, groups, a resize),
// so that the metafile holds every kind of record.
void write_reference(const std::string& path) {
  const Plan plan{kWriters, kSteps};
  FileOptions coordinator_options = multifile();
  coordinator_options.writers = kWriters;
  coordinator_options.buffer_bytes = 2048;
  File coordinator(path, "w", coordinator_options);
  create_datasets(coordinator, plan);
  coordinator.flush();
  FileOptions worker_options = multifile();
  worker_options.writer = 1;
  worker_options.buffer_bytes = 2048;
  File worker(path, "a", worker_options);
  for (std::uint64_t s = 0; s < kSteps; ++s) {
    write_record(coordinator, main_record(plan, 0, s));
    write_record(worker, main_record(plan, 1, s));
    if (sets_attribute_at(s)) coordinator.dataset("rows").attrs().set("step", static_cast<std::int64_t>(s));
    if (creates_group_at(s)) coordinator.create_group(fmt::format("g{}", s));
    if (grows_at(s)) coordinator.dataset("grow").resize({s / 10 + 1, kGrowCols});
  }
  worker.close();
  coordinator.close();
}

std::vector<std::uint64_t> record_starts(const std::vector<std::byte>& bytes) {
  std::vector<std::uint64_t> starts;
  const auto end = format::read_log(
      format::ByteView(bytes).subspan(format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord& r) { starts.push_back(r.offset); }, nullptr);
  starts.push_back(end);
  return starts;
}

const Pristine& pristine() {
  static const Pristine p = [] {
    static Scratch scratch("corruption-pristine");
    Pristine out;
    out.dir = scratch / "c.h5";
    write_reference(out.dir);
    for (const auto& entry : fs::directory_iterator(out.dir)) {
      out.sizes[entry.path().filename().string()] = fs::file_size(entry.path());
    }
    out.boundaries["metafile"] = record_starts(read_bytes(out.dir + "/metafile"));
    for (std::uint32_t w = 0; w < kWriters; ++w) {
      const std::string name = fmt::format("{}.offset", w);
      const auto bytes = read_bytes(out.dir + "/" + name);
      out.boundaries[name] = record_starts(bytes);
      out.index_offsets.emplace_back();
      out.data_ends.emplace_back();
      format::read_log(
          format::ByteView(bytes).subspan(format::kHeaderSize), format::kHeaderSize,
          [&](const format::LogRecord& r) {
            const auto rec = format::decode_write(r.payload, name);
            EXPECT_EQ(rec.sequence, out.index_offsets[w].size());
            out.index_offsets[w].push_back(r.offset);
            out.data_ends[w].push_back(rec.data_offset + rec.data_length);
            out.data[std::to_string(w)].emplace_back(rec.data_offset, rec.data_offset + rec.data_length);
          },
          nullptr);
      EXPECT_EQ(out.index_offsets[w].size(), kSteps);
    }
    return out;
  }();
  return p;
}

enum class Damage { Flip, Truncate };
struct Case {
  std::string file;  // in the container
  Damage damage = Damage::Flip;
  std::uint64_t at = 0;  // byte flipped, or length kept
  std::uint8_t mask = 0xFF;
  std::string describe() const {
    return damage == Damage::Flip ? fmt::format("{}: byte {} xor {:#04x}", file, at, mask)
                                  : fmt::format("{}: truncated to {} bytes", file, at);
  }
};

// Which records a reader may lack after a case: those verify reported dropped, those after a cut
// at a record boundary (a log that simply ended there), and everything when a file is refused.
struct Allowance {
  std::set<std::pair<std::uint32_t, std::uint64_t>> missing;  // (writer, step)
  bool all = false;
  bool allows(std::uint32_t w, std::uint64_t s) const { return all || missing.count({w, s}) > 0; }
};

Allowance allowance(const Case& c, const VerifyReport& report) {
  const Pristine& p = pristine();
  Allowance a;
  auto drop_from = [&](std::uint32_t w, std::uint64_t offset) {
    for (std::uint64_t s = 0; s < kSteps; ++s) {
      if (p.index_offsets[w][s] >= offset) a.missing.insert({w, s});
    }
  };
  for (const auto& w : report.data_files) {
    for (const auto& d : w.damage) {
      if (d.sequence) {
        a.missing.insert({w.file, *d.sequence});
      } else if (d.file.ends_with(".offset")) {
        drop_from(w.file, d.offset);
      }
    }
  }
  // Damage to the metafile drops datasets, and verify then reports their records one by one above.
  // Only when verify could not look at the writers at all (a refused metafile) is nothing known.
  if (report.data_files.empty() && !report.errors.empty()) a.all = true;
  if (c.damage == Damage::Truncate && c.file.ends_with(".offset")) {
    drop_from(static_cast<std::uint32_t>(std::stoul(c.file)), c.at);
  }
  return a;
}

bool names_a_container_file(const std::string& message) {
  return message.find("metafile") != std::string::npos || message.find(".offset") != std::string::npos ||
         message.find("c.h5/0") != std::string::npos || message.find("c.h5/1") != std::string::npos;
}

struct Findings {
  std::vector<std::string> failures;                // broken promises
  std::vector<std::string> unchecked_direct_reads;  // records direct reads return although their data fail
  int verify_exit = 0;
  bool verify_reported = false;
};

// Checks what a read returned against the allowance. `checksum_dropped`: records verify dropped
// for their data checksum; a direct read that still returns them is listed apart.
void judge(const std::string& what, const Contents& contents, const Allowance& a,
           const std::set<std::pair<std::uint32_t, std::uint64_t>>& checksum_dropped, bool direct, Findings& f) {
  const Plan plan{kWriters, kSteps};
  const Observation o = observe(plan, contents);
  for (const auto& s : o.stray) f.failures.push_back(what + ": " + s);
  for (const auto& [key, state] : o.main) {
    const auto [w, s] = key;
    if (state == State::Missing && !a.allows(w, s)) {
      f.failures.push_back(fmt::format("{}: writer {} step {} is missing, and verify did not report it", what, w, s));
    }
  }
  for (const auto& b : o.broken) {
    // A broken record whose data verify found failing their checksum, returned by a direct read.
    bool known = false;
    for (const auto& [w, s] : checksum_dropped) {
      if (b.starts_with(fmt::format("writer {} step {}:", w, s))) known = true;
    }
    if (known && direct) {
      f.unchecked_direct_reads.push_back(what + ": " + b);
    } else {
      f.failures.push_back(what + ": wrong data returned silently: " + b);
    }
  }
}

void read_and_judge(const std::string& what, const std::function<Contents()>& read, const Allowance& a,
                    const std::set<std::pair<std::uint32_t, std::uint64_t>>& checksum_dropped, bool direct,
                    Findings& f) {
  try {
    judge(what, read(), a, checksum_dropped, direct, f);
  } catch (const Error& e) {
    if (!names_a_container_file(e.what())) {
      f.failures.push_back(fmt::format("{}: an error that names no file of the container: {}", what, e.what()));
    }
  }
}

// One case, in the child: damage a copy, then verify, read, merge, append, read again.
std::string run_case(const Case& c, const std::string& dir, bool use_tool, Findings& f) {
  const Pristine& p = pristine();
  const std::string container = dir + "/c.h5";
  copy_tree(p.dir, container);
  const std::string file = container + "/" + c.file;
  auto bytes = read_bytes(file);
  if (c.damage == Damage::Flip) {
    bytes.at(c.at) ^= std::byte{c.mask};
  } else {
    bytes.resize(c.at);
  }
  write_bytes(file, bytes);

  const VerifyReport report = verify(container);
  f.verify_exit = report.exit_code();
  f.verify_reported = report.exit_code() != 0;
  if (use_tool) {
    const ChildResult tool = run_program({h5mf_tool(), "verify", "-q", container}, 60s);
    if (tool.exit_code != report.exit_code()) {
      f.failures.push_back(fmt::format("h5mf verify exits {} where verify() says {}: {}", tool.exit_code,
                                       report.exit_code(), tool.describe()));
    }
  }
  const Allowance a = allowance(c, report);
  std::set<std::pair<std::uint32_t, std::uint64_t>> checksum_dropped;
  for (const auto& w : report.data_files) {
    for (const auto& d : w.damage) {
      if (d.sequence && d.reason.find("checksum") != std::string::npos) checksum_dropped.insert({w.file, *d.sequence});
    }
  }

  read_and_judge(
      "direct read", [&] { return read_contents(container); }, a, checksum_dropped, true, f);
  read_and_judge(
      "merge",
      [&] {
        MergeOptions m;
        m.output = dir + "/merged.h5";
        m.threads = 1;
        m.sync = false;
        merge(container, m);
        FileOptions sec2;
        sec2.driver = Driver::Sec2;
        return read_contents(m.output, sec2);
      },
      a, checksum_dropped, false, f);
  try {
    File(container, "a", multifile()).close();
    read_and_judge(
        "direct read after appending", [&] { return read_contents(container); }, a, checksum_dropped, true, f);
  } catch (const Error& e) {
    if (!names_a_container_file(e.what())) {
      f.failures.push_back(
          fmt::format("opening for appending: an error that names no file of the container: {}", e.what()));
    }
  }
  std::string out;
  for (const auto& x : f.failures) out += "FAIL " + x + "\n";
  for (const auto& x : f.unchecked_direct_reads) out += "UNCHECKED " + x + "\n";
  out += fmt::format("VERIFY {}\n", f.verify_exit);
  return out;
}

struct Outcome {
  std::vector<std::string> failures, unchecked;
  int cases = 0, reported = 0, errors = 0;
};

Outcome run_cases(const std::vector<Case>& cases) {
  Scratch scratch("corruption");
  Outcome outcome;
  int n = 0;
  for (const Case& c : cases) {
    ++outcome.cases;
    const std::string dir = scratch / std::to_string(n);
    fs::create_directories(dir);
    const bool use_tool = n++ % 8 == 0;
    const ChildResult r = run_in_child(
        [&](std::string& report) {
          Findings f;
          report = run_case(c, dir, use_tool, f);
          return 0;
        },
        30s);
    fs::remove_all(dir);
    if (r.crashed() || r.timed_out || r.exit_code != 0) {
      outcome.failures.push_back(c.describe() + ": " + r.describe());
      continue;
    }
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("FAIL ")) outcome.failures.push_back(c.describe() + ": " + line.substr(5));
      if (line.starts_with("UNCHECKED ")) outcome.unchecked.push_back(c.describe() + ": " + line.substr(10));
      if (line.starts_with("VERIFY ")) {
        const int code = std::stoi(line.substr(7));
        outcome.reported += code != 0;
        outcome.errors += code == 1;
      }
    }
  }
  return outcome;
}

// Whether a byte of a data file lies in a record's data, not in a hole left to align a record
// (docs/format.md: holes hold nothing, and nothing reads them).
bool in_record(const std::string& file, std::uint64_t at) {
  const auto it = pristine().data.find(file);
  if (it == pristine().data.end()) return true;  // a log: every byte is framed
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const auto& r) { return at >= r.first && at < r.second; });
}

// Positions to flip: every header field's edges, and body bytes drawn at random.
std::vector<Case> flips(const std::string& file, int body, std::uint64_t seed) {
  const std::uint64_t size = pristine().sizes.at(file);
  std::mt19937_64 rng(seed);
  std::vector<Case> cases;
  for (std::uint64_t at : {0, 7, 8, 11, 12, 15, 16, 31, 32, 35, 36, 55, 56, 63}) {
    cases.push_back({file, Damage::Flip, at, static_cast<std::uint8_t>(1 + rng() % 255)});
  }
  for (int i = 0; i < body;) {
    const std::uint64_t at = std::uniform_int_distribution<std::uint64_t>(format::kHeaderSize, size - 1)(rng);
    if (!in_record(file, at)) continue;
    cases.push_back({file, Damage::Flip, at, static_cast<std::uint8_t>(1 + rng() % 255)});
    ++i;
  }
  return cases;
}

// Lengths to cut to: inside the header, at and around record boundaries, and at random.
std::vector<Case> truncations(const std::string& file, int body, std::uint64_t seed) {
  const std::uint64_t size = pristine().sizes.at(file);
  std::mt19937_64 rng(seed);
  std::vector<Case> cases;
  for (std::uint64_t at : {0, 1, 8, 32, 56, 63, 64, 65}) cases.push_back({file, Damage::Truncate, at});
  cases.push_back({file, Damage::Truncate, size - 1});
  auto it = pristine().boundaries.find(file);
  if (it != pristine().boundaries.end() && it->second.size() > 3) {
    const auto& starts = it->second;
    const std::uint64_t middle = starts[starts.size() / 2];
    for (std::uint64_t at : {middle, middle + 1, middle + 15, middle + 16, middle + 17}) {
      cases.push_back({file, Damage::Truncate, at});
    }
  }
  for (int i = 0; i < body; ++i) {
    cases.push_back(
        {file, Damage::Truncate, std::uniform_int_distribution<std::uint64_t>(format::kHeaderSize, size - 1)(rng)});
  }
  return cases;
}

bool at_boundary(const Case& c) {
  auto it = pristine().boundaries.find(c.file);
  if (it == pristine().boundaries.end()) return false;
  return std::find(it->second.begin(), it->second.end(), c.at) != it->second.end();
}

std::string list(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) out += "  " + lines[i] + "\n";
  if (lines.size() > 20) out += fmt::format("  ... and {} more\n", lines.size() - 20);
  return out;
}

// Every flip is detected (every byte of the pristine container is covered by a checksum), and no
// promise is broken.
void expect_flips(const std::vector<Case>& cases) {
  const Outcome o = run_cases(cases);
  EXPECT_TRUE(o.failures.empty()) << o.failures.size() << " broken promises in " << o.cases << " cases:\n"
                                  << list(o.failures);
  EXPECT_EQ(o.reported, o.cases) << "some flips went unreported by verify";
  fmt::print("{} flips: {} reported by verify ({} as errors)\n", o.cases, o.reported, o.errors);
}

void expect_truncations(const std::vector<Case>& cases) {
  const Outcome o = run_cases(cases);
  EXPECT_TRUE(o.failures.empty()) << o.failures.size() << " broken promises in " << o.cases << " cases:\n"
                                  << list(o.failures);
  const auto boundaries = std::count_if(cases.begin(), cases.end(), at_boundary);
  EXPECT_GE(o.reported, o.cases - static_cast<int>(boundaries)) << "a cut inside a record went unreported";
  fmt::print("{} truncations ({} at record boundaries): {} reported by verify ({} as errors)\n", o.cases, boundaries,
             o.reported, o.errors);
}

TEST(Corruption, MetafileFlips) { expect_flips(flips("metafile", 40, 1)); }
TEST(Corruption, MetafileTruncations) { expect_truncations(truncations("metafile", 12, 2)); }
TEST(Corruption, IndexFlips) {
  auto cases = flips("0.offset", 30, 3);
  auto more = flips("1.offset", 30, 4);
  cases.insert(cases.end(), more.begin(), more.end());
  expect_flips(cases);
}
TEST(Corruption, IndexTruncations) {
  auto cases = truncations("0.offset", 12, 5);
  auto more = truncations("1.offset", 12, 6);
  cases.insert(cases.end(), more.begin(), more.end());
  expect_truncations(cases);
}
// The holes that align large records (docs/format.md) hold nothing: changing their bytes changes
// nothing that verify, a direct read or the merge sees.
TEST(Corruption, FlipsInAlignmentHoles) {
  Scratch scratch("holes");
  const std::string c = scratch / "c.h5";
  std::vector<std::int64_t> values(3 + 3 * 8192);
  std::iota(values.begin(), values.end(), 7);
  {
    File f(c, "w", multifile());
    Dataset d = f.create_dataset("d", DatasetCreate::of<std::int64_t>({values.size()}));
    // 24 bytes (buffered), then three 64 KiB writes: the first leaves a hole to place it.
    for (std::uint64_t first = 0; first < values.size(); first = first == 0 ? 3 : first + 8192) {
      const std::uint64_t n = first == 0 ? 3 : 8192;
      d.write(std::span<const std::int64_t>(values).subspan(first, n), Selection::hyperslab({first}, {n}));
    }
    f.close();
  }
  // The records' data, and the hole between the first two.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  const auto index = read_bytes(c + "/0.offset");
  format::read_log(
      format::ByteView(index).subspan(format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord& r) {
        const auto w = format::decode_write(r.payload, "0.offset");
        ranges.emplace_back(w.data_offset, w.data_offset + w.data_length);
      },
      nullptr);
  ASSERT_EQ(ranges.size(), 4u);
  // Placed at its offset within a block of the merged file: element 3 of an int64 dataset.
  EXPECT_EQ(ranges[1].first % format::kDataAlignment, 3 * sizeof(std::int64_t))
      << "the first large record is not at its offset within a block of the merged file";
  const auto [hole, hole_end] = std::pair(ranges[0].second, ranges[1].first);
  ASSERT_LT(hole, hole_end) << "no hole before the first large record";
  auto data = read_bytes(c + "/0");
  data.at(hole) ^= std::byte{0x5A};
  data.at(hole_end - 1) ^= std::byte{0xA5};
  write_bytes(c + "/0", data);

  const VerifyReport report = verify(c);
  EXPECT_EQ(report.exit_code(), 0);
  EXPECT_EQ(report.data_files.at(0).unreferenced_bytes, 0u);
  {
    File f(c, "r", multifile());
    EXPECT_EQ(f.dataset("d").read<std::int64_t>(), values);
  }
  const MergeReport merged = merge(c);
  EXPECT_EQ(merged.records_dropped, 0u);
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  EXPECT_EQ(File(c, "r", sec2).dataset("d").read<std::int64_t>(), values);
}

// Data flips: verify and the merge drop the record; direct reads are judged apart (below).
TEST(Corruption, DataFlips) {
  auto cases = flips("0", 30, 7);
  auto more = flips("1", 20, 8);
  cases.insert(cases.end(), more.begin(), more.end());
  expect_flips(cases);
}
TEST(Corruption, DataTruncations) {
  auto cases = truncations("0", 12, 9);
  auto more = truncations("1", 8, 10);
  cases.insert(cases.end(), more.begin(), more.end());
  expect_truncations(cases);
}

// docs/format.md: "A record whose data do not match (a torn data file) is dropped and reported".
// Direct reads of a container must not return a record whose data fail their checksum, as the
// merge does not.
TEST(Corruption, DirectReadsDropRecordsWhoseDataFailTheirChecksum) {
  std::vector<Case> cases;
  std::mt19937_64 rng(11);
  for (const char* file : {"0", "1"}) {
    const std::uint64_t size = pristine().sizes.at(file);
    for (int i = 0; i < 10; ++i) {
      cases.push_back({file, Damage::Flip,
                       std::uniform_int_distribution<std::uint64_t>(format::kHeaderSize, size - 1)(rng),
                       static_cast<std::uint8_t>(1 + rng() % 255)});
    }
  }
  const Outcome o = run_cases(cases);
  EXPECT_TRUE(o.failures.empty()) << list(o.failures);
  std::set<std::string> cases_hit;
  for (const auto& line : o.unchecked) cases_hit.insert(line.substr(0, line.find(": ")));
  EXPECT_TRUE(o.unchecked.empty()) << "in " << cases_hit.size() << " of " << o.cases
                                   << " cases, direct reads returned flipped data bytes that verify and merge drop:\n"
                                   << list(o.unchecked);
}

}  // namespace
}  // namespace h5mf::reliability
