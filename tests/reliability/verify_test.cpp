// `verify` itself: counts of a healthy container, same-epoch conflicts (found exactly, and fast
// when writers write apart), the JSON report of `h5mf verify`, and conventional HDF5 files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>

#include "container/conflicts.hpp"
#include "format/checksum.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "format/vlen.hpp"
#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// verify finds one damaged record in the container's one data file pair, dropped for a reason
// that says `why`.
void expect_one_record_dropped(const std::string& container, const std::string& why) {
  const VerifyReport r = verify(container);
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_EQ(r.records_dropped(), 1u);
  ASSERT_EQ(r.data_files.size(), 1u);
  ASSERT_EQ(r.data_files[0].damage.size(), 1u);
  EXPECT_NE(r.data_files[0].damage[0].reason.find(why), std::string::npos) << r.data_files[0].damage[0].reason;
}

// Rewrites write record k of writer 0 (of `expected` in its index) with `change`, which may alter
// the record and its data, and makes both checksums hold again: a writer's bug, not damage a
// reader could see in the framing.
void rewrite_record(const std::string& container, std::size_t expected, std::size_t k,
                    const std::function<void(format::WriteRecord&, std::vector<std::byte>&)>& change) {
  const std::string data_file = container + "/0", index_file = container + "/0.offset";
  std::vector<std::byte> data = read_bytes(data_file), index = read_bytes(index_file);
  std::vector<format::LogRecord> records;
  format::read_log(
      format::ByteView(index).subspan(format::kHeaderSize), format::kHeaderSize,
      [&](const format::LogRecord& r) { records.push_back(r); }, nullptr);
  ASSERT_EQ(records.size(), expected);
  format::WriteRecord w = format::decode_write(records[k].payload, "test");
  change(w, data);
  w.data_checksum = format::checksum(format::ByteView(data).subspan(w.data_offset, w.data_length));
  format::Bytes framed;
  format::append_record(framed, format::RecordType::Write, format::encode(w));
  ASSERT_EQ(framed.size(), (k + 1 < records.size() ? records[k + 1].offset : index.size()) - records[k].offset);
  std::copy(framed.begin(), framed.end(), index.begin() + static_cast<std::ptrdiff_t>(records[k].offset));
  write_bytes(data_file, data);
  write_bytes(index_file, index);
}

TEST(Verify, BoxOfALinearRun) {
  Extent lo, hi;
  container::extend_box({4, 5, 6}, 6 * 2 + 3, 2, lo, hi);  // [0, 2, 3..4]
  EXPECT_EQ(lo, (Extent{0, 2, 3}));
  EXPECT_EQ(hi, (Extent{1, 3, 5}));
  container::extend_box({4, 5, 6}, 6 * 4 + 5, 2, lo, hi);  // [0, 4, 5] and [1, 0, 0]: wraps
  EXPECT_EQ(lo, (Extent{0, 0, 0}));
  EXPECT_EQ(hi, (Extent{2, 5, 6}));
  EXPECT_EQ(container::coordinates_of({4, 5, 6}, 30 + 6 + 1), (Extent{1, 1, 1}));
}

TEST(Verify, AHealthyContainer) {
  Scratch scratch("healthy");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_group("g/h");
    f.create_dataset("g/d", DatasetCreate::of<double>({10}));
    f.dataset("g/d").attrs().set("unit", std::string("m"));
    f.dataset("g/d").write(std::vector<double>(10, 1.5));
    f.dataset("g/d").write(std::vector<double>(2, 2.5), Selection::points({{1}, {7}}));
    f.close();
  }
  const VerifyReport r = verify(c);
  EXPECT_EQ(r.exit_code(), 0) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.kind, VerifyReport::Kind::Container);
  EXPECT_EQ(r.groups, 2u);
  EXPECT_EQ(r.datasets, 1u);
  EXPECT_EQ(r.attributes, 1u);
  ASSERT_EQ(r.data_files.size(), 1u);
  EXPECT_EQ(r.data_files[0].records, 2u);
  EXPECT_EQ(r.data_files[0].record_bytes, 12u * 8);
  EXPECT_EQ(r.records_dropped(), 0u);

  const ToolVerify tool = tool_verify(c);
  EXPECT_EQ(tool.run.exit_code, 0) << tool.run.describe();
  ASSERT_TRUE(tool.report.is_object()) << tool.run.describe();
  EXPECT_EQ(tool.report["kind"], "container");
  EXPECT_EQ(tool.report["records"], 2);
  EXPECT_EQ(tool.report["data_files"][0]["records"], 2);
  EXPECT_EQ(tool.report["data_files"][0]["file"], 0);
  EXPECT_EQ(tool.report["writers"]["0"], 2);
  const ChildResult text = run_program({h5mf_tool(), "verify", c}, 60s);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("healthy (exit 0)"), std::string::npos) << text.out;
}

// A variable-length record whose slot points outside the record, with checksums that hold (a
// writer bug, not a torn file): verify reports the record, direct reads and the merge stop with a
// FormatError naming the data file, never a crash or bytes from another record.
TEST(Verify, VariableLengthSlotOutsideItsRecord) {
  Scratch scratch("vlen-slot");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_dataset("s", DatasetCreate::of<std::string>({2})).write(std::vector<std::string>{"abc", "de"});
    f.close();
  }
  EXPECT_EQ(verify(c).exit_code(), 0);
  // Element 1's offset becomes 1000 in the data file; the record's checksum is made to match.
  const std::string data_file = c + "/0";
  rewrite_record(c, 1, 0, [](format::WriteRecord& w, std::vector<std::byte>& data) {
    ASSERT_EQ(w.data_length, 2 * format::kVlenSlotSize + 5);
    format::put_u64(data.data() + w.data_offset + format::kVlenSlotSize, 1000);
  });

  expect_one_record_dropped(c, "element 1 of 2: bytes [1000, 1000 + 2) lie outside the record's 37");
  {
    File f(c, "r", multifile());
    try {
      f.dataset("s").read<std::string>();
      ADD_FAILURE() << "a slot outside its record was read";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(data_file), std::string::npos) << e.what();
    }
    // The element whose slot is sound still reads.
    EXPECT_EQ(f.dataset("s").read<std::string>(Selection::points({{0}})), std::vector<std::string>{"abc"});
  }
  MergeOptions m;
  m.output = scratch / "merged.h5";
  EXPECT_THROW(merge(c, m), FormatError);
  EXPECT_THROW(merge(c), FormatError);  // in place: the container stays as it was
  EXPECT_TRUE(fs::is_directory(c));
  EXPECT_FALSE(fs::exists(c + ".h5mf-tmp"));
}

// The same for a compound with variable-length members: a member's slot outside its record, with
// checksums that hold, is reported by verify and stops direct reads and the merge, which name the
// data file and the member; an element whose slots are sound still reads.
struct Row {
  std::int32_t id;
  const char* name;
  hvl_t values;
};

Datatype row_type() {
  const Datatype id = Datatype::of<std::int32_t>(), name = Datatype::variable_string(),
                 values = Datatype::sequence_of(Datatype::of<double>());
  const CompoundMember members[] = {
      {"id", offsetof(Row, id), &id}, {"name", offsetof(Row, name), &name}, {"values", offsetof(Row, values), &values}};
  return Datatype::compound(sizeof(Row), members);
}

TEST(Verify, VariableLengthMemberSlotOutsideItsRecord) {
  Scratch scratch("vlen-member-slot");
  const std::string c = scratch / "c.h5";
  double numbers[] = {1.5, 2.5};
  {
    File f(c, "w", multifile());
    const Row rows[] = {{1, "abc", {2, numbers}}, {2, "de", {1, numbers}}};
    DatasetCreate spec;
    spec.dtype = row_type();
    spec.shape = {2};
    f.create_dataset("r", spec).write_raw(rows, 2, row_type(), Selection::all());
    f.close();
  }
  EXPECT_EQ(verify(c).exit_code(), 0);
  // Elements of the compound's bytes, then 2 slots each; element 1's member 1 is its sequence.
  const std::size_t element = sizeof(Row) + 2 * format::kVlenSlotSize;
  const std::string data_file = c + "/0";
  rewrite_record(c, 1, 0, [&](format::WriteRecord& w, std::vector<std::byte>& data) {
    ASSERT_EQ(w.data_length, 2 * element + 3 + 16 + 2 + 8);
    format::put_u64(data.data() + w.data_offset + element + sizeof(Row) + format::kVlenSlotSize, 1000);
  });

  expect_one_record_dropped(c, "element 1 of 2, variable-length member 1: bytes [1000, 1000 + 8) lie outside");
  {
    File f(c, "r", multifile());
    std::vector<Row> out(1);
    try {
      f.dataset("r").read_raw(out.data(), 2, row_type(), Selection::all());
      ADD_FAILURE() << "a slot outside its record was read";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(data_file), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("variable-length member 1"), std::string::npos) << e.what();
    }
    f.dataset("r").read_raw(out.data(), 1, row_type(), Selection::points({{0}}));
    EXPECT_EQ(out[0].id, 1);
    EXPECT_STREQ(out[0].name, "abc");
    ASSERT_EQ(out[0].values.len, 2u);
    EXPECT_EQ(static_cast<const double*>(out[0].values.p)[1], 2.5);
    reclaim_members(row_type(), out.data(), 1);
  }
  EXPECT_THROW(merge(c), FormatError);  // in place: the container stays as it was
  EXPECT_TRUE(fs::is_directory(c));
}

// A record whose data length disagrees with its selection (two int32 elements, 12 bytes: the
// first 4 bytes of the next record's data too), with checksums that hold: verify reports it, and
// direct reads and the merge leave it out, as if it had not been written.
TEST(Verify, RecordLongerThanItsSelection) {
  Scratch scratch("long-record");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    Dataset d = f.create_dataset("d", DatasetCreate::of<std::int32_t>({4}).fill_value(std::int32_t{-1}));
    d.write(std::vector<std::int32_t>{1, 2}, Selection::hyperslab({0}, {2}));
    d.write(std::vector<std::int32_t>{3, 4}, Selection::hyperslab({2}, {2}));
    f.close();
  }
  rewrite_record(c, 2, 0, [](format::WriteRecord& w, std::vector<std::byte>&) { w.data_length = 12; });
  expect_one_record_dropped(c, "holds 12 data bytes for 2 elements of 4 bytes of dataset '/d'");
  const std::vector<std::int32_t> expected{-1, -1, 3, 4};
  {
    File f(c, "r", multifile());
    EXPECT_EQ(f.dataset("d").read<std::int32_t>(), expected);
    EXPECT_EQ(f.dataset("d").read<std::int32_t>(Selection::points({{1}, {3}})), (std::vector<std::int32_t>{-1, 4}));
  }
  MergeOptions m;
  m.output = scratch / "merged.h5";
  const MergeReport merged = merge(c, m);
  EXPECT_EQ(merged.records_dropped, 1u);
  ASSERT_EQ(merged.damage.size(), 1u);
  EXPECT_NE(merged.damage[0].find("hold a data length that disagrees with their selection"), std::string::npos)
      << merged.damage[0];
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File f(m.output, "r", sec2);
  EXPECT_EQ(f.dataset("d").read<std::int32_t>(), expected);
}

// Two processes' writers in one epoch (the coordinator in atomic mode, so that its structure is
// out before the worker joins and both write in the epoch after it) overlapping: reported with
// the dataset, the writers, the epoch, the region and its first element. Strided writes whose
// bounding boxes meet but whose elements do not, and a writer overwriting itself, are no conflict.
TEST(Verify, OverlapsOfTwoWritersInOneEpoch) {
  Scratch scratch("conflicts");
  const std::string c = scratch / "c.h5";
  {
    FileOptions o = multifile();
    o.writers = 2;
    o.atomic = true;
    File coordinator(c, "w", o);
    coordinator.create_dataset("d", DatasetCreate::of<std::int32_t>({8, 8}));
    coordinator.create_dataset("s", DatasetCreate::of<std::int32_t>({1, 64}));
    coordinator.create_dataset("p", DatasetCreate::of<std::int32_t>({16}));
    FileOptions w = multifile();
    w.writer = 1;
    File worker(c, "a", w);
    coordinator.dataset("d").write(std::vector<std::int32_t>(32, 1), Selection::hyperslab({0, 0}, {4, 8}));
    coordinator.dataset("d").write(std::vector<std::int32_t>(32, 1), Selection::hyperslab({0, 0}, {4, 8}));
    worker.dataset("d").write(std::vector<std::int32_t>(16, 2), Selection::hyperslab({2, 4}, {4, 4}));
    coordinator.dataset("s").write(std::vector<std::int32_t>(32, 1), Selection::hyperslab({0, 0}, {1, 32}, {1, 2}));
    worker.dataset("s").write(std::vector<std::int32_t>(32, 2), Selection::hyperslab({0, 1}, {1, 32}, {1, 2}));
    coordinator.dataset("p").write(std::vector<std::int32_t>{1, 1, 1}, Selection::points({{3}, {9}, {12}}));
    worker.dataset("p").write(std::vector<std::int32_t>{2, 2}, Selection::points({{10}, {9}}));
    worker.close();
    coordinator.close();
  }
  const VerifyReport r = verify(c);
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_FALSE(r.damaged());
  ASSERT_EQ(r.conflicts_total, 2u);
  ASSERT_EQ(r.conflicts.size(), 2u);
  const VerifyConflict& d = r.conflicts[0].dataset == "/d" ? r.conflicts[0] : r.conflicts[1];
  const VerifyConflict& p = r.conflicts[0].dataset == "/d" ? r.conflicts[1] : r.conflicts[0];
  EXPECT_EQ(d.dataset, "/d");
  EXPECT_EQ(d.writer_a, 0u);
  EXPECT_EQ(d.writer_b, 1u);
  EXPECT_EQ(d.record_pairs, 2u);  // both of the coordinator's writes meet the worker's
  EXPECT_EQ(d.elements, 16u);     // 8 elements, twice
  EXPECT_EQ(d.lo, (Extent{2, 4}));
  EXPECT_EQ(d.hi, (Extent{4, 8}));
  EXPECT_EQ(d.first, (Extent{2, 4}));
  EXPECT_EQ(p.dataset, "/p");
  EXPECT_EQ(p.elements, 1u);
  EXPECT_EQ(p.first, (Extent{9}));
  EXPECT_EQ(d.epoch, p.epoch);

  const ToolVerify tool = tool_verify(c);
  EXPECT_EQ(tool.run.exit_code, 2);
  ASSERT_TRUE(tool.report.is_object());
  EXPECT_EQ(tool.report["conflicts_total"], 2);
  const ChildResult text = run_program({h5mf_tool(), "verify", c}, 60s);
  EXPECT_NE(text.out.find("conflict: dataset '/d'"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[2:4, 4:8]"), std::string::npos) << text.out;
}

// Writers writing apart in one epoch, many records each: the check must stay near linear.
TEST(Verify, ManyRecordsApartInOneEpochAreNoConflicts) {
  Scratch scratch("many");
  const std::string c = scratch / "c.h5";
  constexpr std::uint32_t kWriters = 4;
  constexpr std::uint64_t kRecords = 5000;
  {
    FileOptions o = multifile();
    o.writers = kWriters;
    o.atomic = true;
    File coordinator(c, "w", o);
    coordinator.create_dataset("d", DatasetCreate::of<std::int32_t>({kWriters * kRecords, 4}));
    coordinator.set_atomic(false);
    std::vector<File> workers;
    for (std::uint32_t w = 1; w < kWriters; ++w) {
      FileOptions wo = multifile();
      wo.writer = static_cast<int>(w);
      workers.emplace_back(c, "a", wo);
    }
    const std::vector<std::int32_t> row(4, 7);
    for (std::uint64_t i = 0; i < kRecords; ++i) {
      // Interleaved rows: every writer's records spread over the whole dataset.
      coordinator.dataset("d").write(row, Selection::hyperslab({i * kWriters, 0}, {1, 4}));
      for (std::uint32_t w = 1; w < kWriters; ++w) {
        workers[w - 1].dataset("d").write(row, Selection::hyperslab({i * kWriters + w, 0}, {1, 4}));
      }
    }
    for (auto& w : workers) w.close();
    coordinator.close();
  }
  // The conflict check's cost (an interval index, not every pair of records) is measured in
  // docs/benchmarks.md, not here: a time limit would fail on a loaded machine, not on a slow check.
  const auto start = std::chrono::steady_clock::now();
  VerifyOptions options;
  options.check_data = false;
  const VerifyReport r = verify(c, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.records(), kWriters * kRecords);
  EXPECT_EQ(r.conflicts_total, 0u);
  fmt::print("verify of {} records in one epoch: {:.3f} s\n", kWriters * kRecords, seconds);
}

TEST(Verify, AnHdf5File) {
  Scratch scratch("hdf5");
  const std::string c = scratch / "c.h5";
  {
    File f(c, "w", multifile());
    f.create_group("g");
    f.create_dataset("g/d", DatasetCreate::of<std::int64_t>({1000, 300}));
    f.dataset("g/d").attrs().set("n", 3);
    f.dataset("g/d").write(std::vector<std::int64_t>(300000, 4));
    f.create_dataset("scalar", DatasetCreate::of<double>({}));
    f.create_dataset("empty", DatasetCreate::of<double>({0, 3}).max_shape({DatasetCreate::kUnlimited, 3}));
    f.close();
  }
  const std::string merged = scratch / "m.h5";
  MergeOptions m;
  m.output = merged;
  merge(c, m);
  const VerifyReport r = verify(merged);
  EXPECT_EQ(r.kind, VerifyReport::Kind::Hdf5File);
  EXPECT_EQ(r.exit_code(), 0) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.groups, 1u);
  EXPECT_EQ(r.datasets, 3u);
  EXPECT_EQ(r.attributes, 1u);
  EXPECT_GE(r.bytes_read, 300000u * 8);
  const ToolVerify tool = tool_verify(merged);
  EXPECT_EQ(tool.run.exit_code, 0) << tool.run.describe();
  EXPECT_EQ(tool.report["kind"], "hdf5");

  // Cut short: HDF5 refuses to open it. An error naming the file, exit code 1, no crash.
  const std::string cut = scratch / "cut.h5";
  auto bytes = read_bytes(merged);
  bytes.resize(bytes.size() - 100000);
  write_bytes(cut, bytes);
  const ChildResult checked = run_program({h5mf_tool(), "verify", cut}, 60s);
  EXPECT_EQ(checked.exit_code, 1) << checked.describe();
  EXPECT_NE(checked.err.find(cut), std::string::npos) << checked.describe();

  // No signature: not an HDF5 file at all any more.
  auto broken = read_bytes(merged);
  broken[1] = std::byte{'X'};
  write_bytes(cut, broken);
  EXPECT_EQ(verify(cut).exit_code(), 1);
}

// A dataset whose compressed chunk is damaged: that dataset is reported by name, the others are
// still read, exit code 1.
TEST(Verify, AnHdf5FileWithADamagedChunk) {
  Scratch scratch("hdf5-chunk");
  const std::string path = scratch / "z.h5";
  haddr_t chunk_address = 0;
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[1] = {10000}, chunk[1] = {1000};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    H5Pset_deflate(dcpl, 1);
    std::vector<std::int64_t> values(10000);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int64_t>(i * i % 7919);
    const hid_t z = H5Dcreate2(file, "z", H5T_STD_I64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(z, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    const hid_t ok = H5Dcreate2(file, "ok", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ok, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Fflush(file, H5F_SCOPE_GLOBAL);
    hsize_t offset[1] = {0}, size = 0;
    unsigned mask = 0;
    ASSERT_GE(H5Dget_chunk_info_by_coord(z, offset, &mask, &chunk_address, &size), 0);
    ASSERT_GT(size, 40u);
    for (hid_t id : {z, ok}) H5Dclose(id);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Fclose(file);
  }
  auto bytes = read_bytes(path);
  for (std::size_t i = 20; i < 40; ++i) bytes.at(chunk_address + i) ^= std::byte{0x5A};
  write_bytes(path, bytes);
  const VerifyReport r = verify(path);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.datasets, 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors.front().find("'/z'"), std::string::npos) << r.errors.front();
  EXPECT_GE(r.bytes_read, 10000u * 8);  // /ok, in full
  const ChildResult text = run_program({h5mf_tool(), "verify", path}, 60s);
  EXPECT_EQ(text.exit_code, 1) << text.describe();
}

}  // namespace
}  // namespace h5mf::reliability
