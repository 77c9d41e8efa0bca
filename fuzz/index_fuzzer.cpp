// libFuzzer target: a writer's index file (`<w>.offset`: header, framed log of WRITE records with
// their selections) through ContainerIndex, then through the direct reader that places the
// accepted writes. The index reader works on files (it reads only what a file gained since the
// last refresh), so the input becomes writer 0's index file in a scratch container, beside a data
// file of kDataSize bytes. Checks, besides "no crash, no sanitizer report":
// - hostile records end in damage reports, never in an exception (a hostile header is refused
//   with a FormatError);
// - reading the file in two refreshes (cut where the input says, as a reader in session sees a
//   writer's file grow) accepts the same writes and reports the same damage as one final refresh;
// - the overlap index finds exactly the writes whose boxes intersect a query;
// - the reader's window resolution tiles the window; a linear read and a read of the whole
//   selection give the same bytes.
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "container/index.hpp"
#include "container/reader.hpp"
#include "fuzz_support.hpp"
#include "h5mf/error.hpp"

namespace {

using namespace h5mf;

constexpr std::uint64_t kDataSize = 1 << 20;
constexpr format::ContainerId kContainer{std::byte{0x5a}};

std::string scratch;  // the container directory

void write_file(const std::string& path, format::ByteView bytes) {
  container::PosixFile file(path, container::PosixFile::Access::CreateTruncate);
  file.write_at(0, bytes);
}

void remove_scratch() { container::remove_tree(std::filesystem::path(scratch).parent_path().string()); }

struct Outcome {
  std::vector<std::pair<std::uint64_t, std::vector<container::StoredWrite>>> writes;  // by dataset
  std::vector<std::tuple<std::uint64_t, bool, std::string>> damage;                   // offset, torn, reason
};

Outcome outcome(container::ContainerIndex& index) {
  Outcome out;
  for (std::uint64_t dataset : index.datasets_written()) {
    std::vector<container::StoredWrite> records;
    for (const auto& w : index.writes(dataset).in_replay_order()) records.push_back(w.record);
    out.writes.emplace_back(dataset, std::move(records));
  }
  for (const auto& d : index.damage()) {
    // The index's own damage, or data of the pair that no record it kept places (a loss).
    FUZZ_CHECK(d.file == scratch + "/0.offset" || d.file == scratch + "/0");
    out.damage.emplace_back(d.offset, d.torn_tail, d.reason);
  }
  return out;
}

void check_overlaps(const container::DatasetWrites& writes) {
  const auto& all = writes.in_replay_order();
  for (std::size_t q = 0; q < all.size() && q < 8; ++q) {
    const selection::Box query = all[q].box();
    std::vector<const container::IndexedWrite*> expected;
    for (const auto& w : all) {
      if (w.box().intersects(query)) expected.push_back(&w);
    }
    FUZZ_CHECK(writes.overlapping(query) == expected);
  }
}

// A shape of at most 4096 elements around the writes, and reads of all of it.
void check_reads(const container::DatasetWrites& writes, std::uint64_t dataset) {
  const auto& all = writes.in_replay_order();
  const std::size_t rank = all.front().record.selection.rank();
  const auto cap =
      static_cast<std::uint64_t>(std::pow(4096.0, 1.0 / static_cast<double>(std::max<std::size_t>(rank, 1))));
  container::ElementLayout layout;
  layout.shape.assign(rank, 1);
  for (const auto& w : all) {
    if (w.record.selection.rank() != rank) continue;
    const selection::Box box = w.box();
    for (std::size_t d = 0; d < rank; ++d) {
      layout.shape[d] = std::clamp<std::uint64_t>(box.hi[d], layout.shape[d], std::max<std::uint64_t>(cap, 1));
    }
  }
  std::uint64_t n = 1;
  for (std::uint64_t extent : layout.shape) n *= extent;
  layout.element_size = 1 + dataset % 8;
  const std::vector<std::byte> fill(layout.element_size, std::byte{0x7f});
  layout.fill = fill;

  const auto pieces = container::DataReader::resolve_window(writes, 0, n, layout);
  std::uint64_t covered = 0;
  for (const auto& p : pieces) {
    FUZZ_CHECK(p.first == covered && p.count > 0);
    covered += p.count;
  }
  FUZZ_CHECK(covered == n || (pieces.empty() && n == 0));

  // The linear window and the whole selection are two ways to the same bytes.
  container::DataReader reader{container::Layout(scratch)};
  std::vector<std::byte> linear(n * layout.element_size), whole(n * layout.element_size);
  try {
    reader.read_linear(writes, 0, n, layout, linear);
    reader.read(writes, Selection::all().resolved(layout.shape), layout, whole);
  } catch (const IoError&) {
    return;  // a selection larger than its record's data, reaching past the end of the data file
  }
  FUZZ_CHECK(linear == whole);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string base = (std::filesystem::temp_directory_path() / "h5mf-fuzz-XXXXXX").string();
  if (mkdtemp(base.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  scratch = base + "/c.h5";
  container::make_directory(scratch);
  const auto header = format::encode_header({format::FileKind::Data, format::kVersion, kContainer, 0});
  // Data that differ from byte to byte, so that reads placing the wrong bytes can be told apart.
  format::Bytes data(kDataSize);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 31 % 251);
  std::copy(header.begin(), header.end(), data.begin());
  write_file(scratch + "/0", data);
  std::atexit(remove_scratch);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const format::Bytes file = fuzz::container_file(fuzz::input(data, size), kContainer, 0);
  const std::string path = scratch + "/0.offset";
  const container::Layout layout(scratch);

  write_file(path, file);
  container::ContainerIndex whole(layout, kContainer);
  try {
    whole.refresh(1, true);
  } catch (const FormatError&) {
    return 0;  // a refused header (magic, version, size): the container is not opened at all
  }
  const Outcome expected = outcome(whole);

  // The same bytes in two steps, cut where the input's checksum says.
  if (file.size() > format::kHeaderSize) {
    const std::size_t cut = format::kHeaderSize + format::checksum(file) % (file.size() - format::kHeaderSize);
    write_file(path, format::ByteView(file).first(cut));
    container::ContainerIndex growing(layout, kContainer);
    growing.refresh(1, false);
    write_file(path, file);
    growing.refresh(1, true);
    const Outcome seen = outcome(growing);
    FUZZ_CHECK(seen.writes == expected.writes);
    FUZZ_CHECK(seen.damage == expected.damage);
  }

  for (const auto& [dataset, records] : expected.writes) {
    const container::DatasetWrites& writes = whole.writes(dataset);
    check_overlaps(writes);
    check_reads(writes, dataset);
  }
  return 0;
}
