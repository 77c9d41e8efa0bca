// File-image containers (written through the HDF5 file driver) below the driver: which write shows
// at each address (RangeMap), the RANGE and END records' encoding, and ImageIndex on healthy and
// damaged index files, as readers, verify and the merge use them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "container/image_index.hpp"
#include "container/posix_file.hpp"
#include "container/range_map.hpp"
#include "container/writer_log.hpp"
#include "format/constants.hpp"
#include "format/encoding.hpp"
#include "format/header.hpp"
#include "format/range_records.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

namespace fs = std::filesystem;
using format::RangeSource;

// What one address shows: the key that wrote it and where its byte is (data file offset for Data).
struct Shown {
  RangeKey key;
  RangeSource source = RangeSource::Data;
  std::uint64_t data_offset = 0;
  friend bool operator==(const Shown&, const Shown&) = default;
};

// Every address the map covers, byte by byte, from its pieces.
std::map<std::uint64_t, Shown> bytes_of(const RangeMap& map) {
  std::map<std::uint64_t, Shown> out;
  std::uint64_t last_end = 0;
  for (const auto& [start, piece] : map.pieces()) {
    EXPECT_LT(start, piece.end);
    EXPECT_GE(start, last_end) << "pieces overlap";
    last_end = piece.end;
    for (std::uint64_t a = start; a < piece.end; ++a) {
      const std::uint64_t offset = piece.source == RangeSource::Data ? piece.data_offset + (a - start) : 0;
      out[a] = Shown{piece.key, piece.source, offset};
    }
  }
  return out;
}

RangeKey key(std::uint64_t epoch, std::uint32_t writer, std::uint64_t sequence) { return {epoch, writer, sequence}; }

TEST(RangeMap, DisjointWritesEachShowWhole) {
  RangeMap map;
  map.insert(100, 10, key(1, 0, 0), RangeSource::Data, 0, 64);
  map.insert(0, 10, key(1, 1, 0), RangeSource::Data, 1, 64);
  map.insert(10, 90, key(1, 0, 1), RangeSource::Zeros, 0, 0);  // touching both, overlapping neither
  ASSERT_EQ(map.size(), 3u);
  EXPECT_EQ(map.end(), 110u);
  const auto shown = bytes_of(map);
  EXPECT_EQ(shown.size(), 110u);
  EXPECT_EQ(shown.at(0), (Shown{key(1, 1, 0), RangeSource::Data, 64}));
  EXPECT_EQ(shown.at(9), (Shown{key(1, 1, 0), RangeSource::Data, 73}));
  EXPECT_EQ(shown.at(10), (Shown{key(1, 0, 1), RangeSource::Zeros, 0}));
  EXPECT_EQ(shown.at(109), (Shown{key(1, 0, 0), RangeSource::Data, 73}));
}

TEST(RangeMap, LaterKeyInsideSplitsTheEarlierAndKeepsItsDataOffsets) {
  RangeMap map;
  map.insert(0, 100, key(1, 0, 0), RangeSource::Data, 0, 1000);
  map.insert(40, 20, key(2, 0, 1), RangeSource::Data, 0, 5000);
  ASSERT_EQ(map.size(), 3u);
  const auto& pieces = map.pieces();
  EXPECT_EQ(pieces.at(0).end, 40u);
  EXPECT_EQ(pieces.at(0).data_offset, 1000u);
  EXPECT_EQ(pieces.at(40).end, 60u);
  EXPECT_EQ(pieces.at(40).key, key(2, 0, 1));
  EXPECT_EQ(pieces.at(40).data_offset, 5000u);
  EXPECT_EQ(pieces.at(60).end, 100u);
  EXPECT_EQ(pieces.at(60).key, key(1, 0, 0));
  EXPECT_EQ(pieces.at(60).data_offset, 1060u) << "the tail of a split piece starts 60 bytes into its data";
}

TEST(RangeMap, EarlierKeyInsertedLaterStaysHiddenAndFillsOnlyTheGaps) {
  RangeMap map;
  // Replay order is (epoch, writer, sequence), whatever order the records are read in.
  map.insert(10, 10, key(5, 0, 0), RangeSource::Data, 0, 100);
  map.insert(30, 10, key(5, 1, 0), RangeSource::Image, 1, 0);
  map.insert(0, 50, key(4, 3, 9), RangeSource::Data, 3, 2000);
  const auto shown = bytes_of(map);
  ASSERT_EQ(shown.size(), 50u);
  for (std::uint64_t a = 0; a < 50; ++a) {
    if (a >= 10 && a < 20) {
      EXPECT_EQ(shown.at(a), (Shown{key(5, 0, 0), RangeSource::Data, 100 + a - 10})) << a;
    } else if (a >= 30 && a < 40) {
      EXPECT_EQ(shown.at(a), (Shown{key(5, 1, 0), RangeSource::Image, 0})) << a;
    } else {
      EXPECT_EQ(shown.at(a), (Shown{key(4, 3, 9), RangeSource::Data, 2000 + a})) << a;
    }
  }
  // Within one epoch the higher writer wins, within one writer the higher sequence.
  map.insert(10, 5, key(5, 0, 7), RangeSource::Zeros, 0, 0);
  map.insert(12, 1, key(5, 0, 3), RangeSource::Data, 0, 9);  // sequence 3 < 7: hidden
  map.insert(30, 2, key(5, 0, 8), RangeSource::Data, 0, 9);  // writer 0 < 1: hidden
  const auto after = bytes_of(map);
  EXPECT_EQ(after.at(12), (Shown{key(5, 0, 7), RangeSource::Zeros, 0}));
  EXPECT_EQ(after.at(15), (Shown{key(5, 0, 0), RangeSource::Data, 105}));
  EXPECT_EQ(after.at(30), (Shown{key(5, 1, 0), RangeSource::Image, 0}));
}

// Every arrangement of a second range against a first (left, right, inside, around, equal,
// touching) in both replay orders, against a byte-by-byte model.
TEST(RangeMap, EveryOverlapArrangementMatchesTheModel) {
  struct Range {
    std::uint64_t address, length;
  };
  const Range first{20, 20};
  const std::vector<Range> seconds = {{10, 15}, {35, 15}, {25, 5}, {10, 40}, {20, 20}, {0, 20},
                                      {40, 5},  {20, 5},  {35, 5}, {19, 2},  {39, 2}};
  for (const Range& second : seconds) {
    for (const bool second_later : {true, false}) {
      RangeMap map;
      const RangeKey k1 = key(3, 1, 0), k2 = second_later ? key(3, 2, 0) : key(2, 9, 9);
      map.insert(first.address, first.length, k1, RangeSource::Data, 1, 1000);
      map.insert(second.address, second.length, k2, RangeSource::Data, 2, 5000);
      std::map<std::uint64_t, Shown> model;
      const auto lay = [&](const Range& r, const RangeKey& k, std::uint64_t offset) {
        for (std::uint64_t a = r.address; a < r.address + r.length; ++a) {
          auto it = model.find(a);
          if (it == model.end() || it->second.key < k) model[a] = Shown{k, RangeSource::Data, offset + a - r.address};
        }
      };
      lay(first, k1, 1000);
      lay(second, k2, 5000);
      EXPECT_EQ(bytes_of(map), model) << "second [" << second.address << ", +" << second.length << ") "
                                      << (second_later ? "later" : "earlier");
    }
  }
}

TEST(RangeMap, RandomWritesInRandomOrderMatchTheModel) {
  std::mt19937_64 random(42);
  for (int round = 0; round < 50; ++round) {
    struct Write {
      std::uint64_t address, length;
      RangeKey key;
      RangeSource source;
      std::uint64_t data_offset;
    };
    std::vector<Write> writes;
    for (std::uint64_t i = 0; i < 30; ++i) {
      const auto source = static_cast<RangeSource>(random() % 3);
      writes.push_back({random() % 200, 1 + random() % 40,
                        key(random() % 4, static_cast<std::uint32_t>(random() % 3), i), source,
                        source == RangeSource::Data ? 64 + random() % 10000 : 0});
    }
    RangeMap map;
    for (const auto& w : writes) map.insert(w.address, w.length, w.key, w.source, w.key.writer, w.data_offset);
    std::sort(writes.begin(), writes.end(), [](const Write& a, const Write& b) { return a.key < b.key; });
    std::map<std::uint64_t, Shown> model;
    for (const auto& w : writes) {  // in replay order: each later write lays over the earlier
      for (std::uint64_t a = w.address; a < w.address + w.length; ++a) {
        model[a] = Shown{w.key, w.source, w.source == RangeSource::Data ? w.data_offset + a - w.address : 0};
      }
    }
    ASSERT_EQ(bytes_of(map), model) << "round " << round;
    // Every piece's data file is its writer's.
    for (const auto& [start, piece] : map.pieces()) EXPECT_EQ(piece.data_file, piece.key.writer);
  }
}

TEST(RangeMap, VisitClipsToTheRangeAndSkipsGaps) {
  RangeMap map;
  map.insert(0, 100, key(1, 0, 0), RangeSource::Data, 0, 1000);
  map.insert(200, 50, key(1, 0, 1), RangeSource::Zeros, 0, 0);
  std::vector<std::pair<std::uint64_t, RangePiece>> seen;
  const auto collect = [&](std::uint64_t start, const RangePiece& piece) { seen.emplace_back(start, piece); };

  map.visit(30, 20, collect);  // inside one piece
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, 30u);
  EXPECT_EQ(seen[0].second.end, 50u);
  EXPECT_EQ(seen[0].second.data_offset, 1030u);

  seen.clear();
  map.visit(90, 120, collect);  // the tail of one, a gap, the head of the next
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, 90u);
  EXPECT_EQ(seen[0].second.end, 100u);
  EXPECT_EQ(seen[0].second.data_offset, 1090u);
  EXPECT_EQ(seen[1].first, 200u);
  EXPECT_EQ(seen[1].second.end, 210u);
  EXPECT_EQ(seen[1].second.source, RangeSource::Zeros);
  EXPECT_EQ(seen[1].second.data_offset, 0u);

  seen.clear();
  map.visit(100, 100, collect);  // only the gap
  map.visit(50, 0, collect);     // nothing
  map.visit(250, 10, collect);   // past the end
  EXPECT_TRUE(seen.empty());
}

// --- RANGE and END records --------------------------------------------------------------------

format::RangeRecord range(std::uint64_t address, std::uint64_t length, RangeSource source,
                          std::uint64_t data_offset = 0) {
  return format::RangeRecord{7, 3, address, length, source, data_offset, 0x1234};
}

TEST(RangeRecords, RoundTrip) {
  for (const auto& r : {range(4096, 100, RangeSource::Data, 64), range(0, 96, RangeSource::Image),
                        range(1 << 20, 1 << 16, RangeSource::Zeros)}) {
    EXPECT_EQ(format::decode_range(format::encode(r), "test"), r);
  }
  const format::EndRecord end{9, 11, 123456};
  EXPECT_EQ(format::decode_end(format::encode(end), "test"), end);
}

TEST(RangeRecords, RejectsWhatCannotBeARange) {
  const auto rejects = [](format::Bytes payload, const std::string& why) {
    try {
      format::decode_range(payload, "idx at offset 80");
      ADD_FAILURE() << "accepted: " << why;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("idx at offset 80"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  auto unknown = format::encode(range(0, 10, RangeSource::Data, 64));
  unknown[32] = std::byte{3};  // the source byte follows epoch, sequence, address and length
  rejects(unknown, "unknown source 3");
  rejects(format::encode(range(~std::uint64_t{0} - 5, 10, RangeSource::Zeros)), "overflow");
  rejects(format::encode(range(0, 10, RangeSource::Data, ~std::uint64_t{0} - 5)), "overflow");
  rejects(format::encode(range(0, 10, RangeSource::Zeros, 64)), "data_offset 64");
  rejects(format::encode(range(0, 10, RangeSource::Image, 64)), "data_offset 64");
  auto longer = format::encode(range(0, 10, RangeSource::Data, 64));
  longer.push_back(std::byte{0});
  EXPECT_THROW(format::decode_range(longer, "x"), FormatError);
  auto shorter = format::encode(range(0, 10, RangeSource::Data, 64));
  shorter.pop_back();
  EXPECT_THROW(format::decode_range(shorter, "x"), FormatError);
  auto end = format::encode(format::EndRecord{1, 2, 3});
  end.pop_back();
  EXPECT_THROW(format::decode_end(end, "x"), FormatError);
}

// --- ImageIndex on real files -----------------------------------------------------------------

class ImageIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h5mf-image-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    layout_.emplace(dir_.string());
    id_ = format::random_container_id();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writer 0: three data records (the second over the first's middle), zeros, an image range and
  // an END. Returns the index file's size after each record.
  std::vector<std::uint64_t> write_three() {
    WriterLog log(*layout_, id_, 0, true, {});
    std::vector<std::uint64_t> sizes;
    const auto after = [&] {
      log.flush(false);
      sizes.push_back(fs::file_size(layout_->index_file(0)));
    };
    log.append_range(1, 1000, bytes(100, 1));
    after();
    log.append_range(2, 1040, bytes(20, 2));
    after();
    log.append_range_elsewhere(2, 2000, 50, RangeSource::Zeros, 0);
    after();
    log.append_range(3, 3000, bytes(10, 3));
    after();
    log.append_end(3, 4096);
    log.close();
    sizes.push_back(fs::file_size(layout_->index_file(0)));
    return sizes;
  }
  static std::vector<std::byte> bytes(std::size_t n, int value) { return std::vector<std::byte>(n, std::byte(value)); }
  ImageIndex index(bool keep = true) const { return ImageIndex(*layout_, id_, keep); }
  void flip(const std::string& file, std::uint64_t offset) const {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
  }

  fs::path dir_;
  std::optional<Layout> layout_;
  format::ContainerId id_{};
};

TEST_F(ImageIndexTest, HealthyFilesGiveEveryRangeAndTheEnd) {
  write_three();
  auto idx = index();
  idx.refresh(1, true);
  EXPECT_TRUE(idx.damage().empty());
  EXPECT_EQ(idx.record_count(), 5u);
  ASSERT_EQ(idx.records().size(), 4u);  // RANGE records only
  EXPECT_EQ(idx.end(), 4096u);
  EXPECT_EQ(idx.max_epoch(), 3u);
  // The second write shows over the first's bytes 1040..1060.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> data;  // (address, key sequence)
  idx.map().visit(1000, 100,
                  [&](std::uint64_t start, const RangePiece& p) { data.emplace_back(start, p.key.sequence); });
  EXPECT_EQ(data, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1000, 0}, {1040, 1}, {1060, 0}}));
}

// How far the image must reach: the last metadata that still shows, cut to the END. Metadata hidden
// by later raw data, or past the END (space HDF5 gave back), asks for nothing.
TEST_F(ImageIndexTest, ImageNeededIsTheLastMetadataThatShowsWithinTheEnd) {
  {
    WriterLog log(*layout_, id_, 0, true, {});
    log.append_range_elsewhere(1, 0, 96, RangeSource::Image, 0);
    log.append_range_elsewhere(1, 1000, 200, RangeSource::Image, 0);
    log.append_range(2, 1100, bytes(500, 7));                         // hides 1100..1200
    log.append_range_elsewhere(2, 5000, 100, RangeSource::Image, 0);  // past the END below
    log.append_end(3, 4096);
    log.close();
  }
  auto idx = index();
  idx.refresh(1, true);
  EXPECT_EQ(idx.image_needed(), 1100u);
  WriterLog log(*layout_, id_, 0, false, {});
  log.append_range_elsewhere(4, 4000, 500, RangeSource::Image, 0);  // cut to the END
  log.close();
  idx.refresh(1, true);
  EXPECT_EQ(idx.image_needed(), 4096u);
}

TEST_F(ImageIndexTest, TornTailIsReportedOnlyOnceFinalAndKeepsEverythingBefore) {
  const auto sizes = write_three();
  fs::resize_file(layout_->index_file(0), sizes[1] + 10);  // the third record cut inside its header
  auto live = index();
  live.refresh(1, false);
  EXPECT_TRUE(live.damage().empty()) << "a writer may still be appending: not damage yet";
  EXPECT_EQ(live.record_count(), 2u);

  auto idx = index();
  idx.refresh(1, true);
  EXPECT_EQ(idx.record_count(), 2u);
  EXPECT_FALSE(idx.end().has_value());
  ASSERT_FALSE(idx.damage().empty());
  EXPECT_TRUE(idx.damage().front().torn_tail);
  EXPECT_EQ(idx.damage().front().file, layout_->index_file(0));
  EXPECT_EQ(idx.damage().front().offset, sizes[1]);
}

TEST_F(ImageIndexTest, FlippedByteStopsTheScanThereAsCorruption) {
  const auto sizes = write_three();
  flip(layout_->index_file(0), sizes[1] + 20);  // inside the third record's payload
  auto idx = index();
  idx.refresh(1, true);
  EXPECT_EQ(idx.record_count(), 2u) << "nothing after a damaged record is trusted";
  ASSERT_EQ(idx.damage().size(), 1u);
  EXPECT_FALSE(idx.damage()[0].torn_tail);
  EXPECT_EQ(idx.damage()[0].offset, sizes[1]);
  EXPECT_EQ(idx.damage()[0].bytes, sizes.back() - sizes[1]);
  EXPECT_NE(idx.damage()[0].reason.find("checksum"), std::string::npos) << idx.damage()[0].reason;
}

TEST_F(ImageIndexTest, DataOutsideTheDataFileEndsTheScan) {
  write_three();
  // The last data record's 10 bytes are gone from the data file.
  fs::resize_file(layout_->data_file(0), fs::file_size(layout_->data_file(0)) - 5);
  auto idx = index();
  idx.refresh(1, true);
  EXPECT_EQ(idx.record_count(), 3u);
  ASSERT_FALSE(idx.damage().empty());
  EXPECT_NE(idx.damage()[0].reason.find("lie outside"), std::string::npos) << idx.damage()[0].reason;
  bool third_shows = false;
  idx.map().visit(3000, 10, [&](std::uint64_t, const RangePiece&) { third_shows = true; });
  EXPECT_FALSE(third_shows);
}

TEST_F(ImageIndexTest, MissingIndexFileLosesTheDataAndSaysSo) {
  write_three();
  fs::remove(layout_->index_file(0));
  auto idx = index();
  idx.refresh(1, true);
  EXPECT_EQ(idx.record_count(), 0u);
  ASSERT_EQ(idx.damage().size(), 1u);
  EXPECT_NE(idx.damage()[0].reason.find("index file missing"), std::string::npos) << idx.damage()[0].reason;
  EXPECT_EQ(idx.damage()[0].bytes, fs::file_size(layout_->data_file(0)) - format::kHeaderSize);
}

TEST_F(ImageIndexTest, HeaderOfAnotherContainerIsRefused) {
  write_three();
  ImageIndex other(*layout_, format::random_container_id(), true);
  EXPECT_THROW(other.refresh_file(0, true), FormatError);
}

TEST_F(ImageIndexTest, RebuildWithoutShowsWhatTheDroppedRecordHid) {
  write_three();
  auto idx = index();
  idx.refresh(1, true);
  const auto data_offset_of_first = idx.records()[0].record.data_offset;
  idx.rebuild_without([](const ImageIndex::KeptRecord& k) { return k.record.sequence == 1; });
  EXPECT_EQ(idx.records().size(), 3u);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;  // (start, data_offset)
  idx.map().visit(1000, 100, [&](std::uint64_t start, const RangePiece& p) {
    EXPECT_EQ(p.key.sequence, 0u);
    pieces.emplace_back(start, p.data_offset);
  });
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0], std::make_pair(std::uint64_t{1000}, data_offset_of_first));
  EXPECT_EQ(idx.end(), 4096u) << "END records are not RANGE records: rebuilding keeps the size";
}

}  // namespace
}  // namespace h5mf::container
