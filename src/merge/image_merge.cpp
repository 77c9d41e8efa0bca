#include "merge/image_merge.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/threads.hpp"
#include "format/range_records.hpp"
#include "h5mf/error.hpp"
#include "merge/engine.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf::merge_detail {
namespace {

using container::PosixFile;

constexpr std::size_t kBufferBytes = std::size_t{4} << 20;

// Every thread's own read-only handles of the data files it touches.
class Readers {
 public:
  explicit Readers(const container::Layout& layout) : layout_(layout) {}
  const PosixFile& get(std::uint32_t file) {
    auto it = files_.find(file);
    if (it == files_.end())
      it = files_.emplace(file, PosixFile(layout_.data_file(file), PosixFile::Access::Read)).first;
    return it->second;
  }

 private:
  const container::Layout& layout_;
  std::map<std::uint32_t, PosixFile> files_;
};

void copy_bytes(const PosixFile& from, std::uint64_t from_offset, PosixFile& to, std::uint64_t to_offset,
                std::uint64_t length, bool use_kernel, std::vector<std::byte>& buffer, std::uint64_t& kernel_copied) {
  if (use_kernel && kernel_copy(from.fd(), from_offset, to.fd(), to_offset, length, to.path())) {
    kernel_copied += length;
    return;
  }
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    const std::span<std::byte> part(buffer.data(), n);
    from.read_at(from_offset + done, part);
    to.write_at(to_offset + done, part);
    done += n;
  }
}

// Copies through a buffer, hashing the bytes on the way: the check costs no second read.
// Parts small enough to stay in the CPU's cache between the read, the hash and the write: the bytes
// cross memory once each way, as in a kernel copy.
constexpr std::size_t kCheckedPartBytes = std::size_t{256} << 10;

std::uint64_t copy_checked(const PosixFile& from, std::uint64_t from_offset, PosixFile& to, std::uint64_t to_offset,
                           std::uint64_t length, std::vector<std::byte>& buffer) {
  format::Checksum sum;
  const std::size_t part_bytes = std::min(buffer.size(), kCheckedPartBytes);
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(part_bytes, length - done));
    const std::span<std::byte> part(buffer.data(), n);
    from.read_at(from_offset + done, part);
    sum.update(part);
    to.write_at(to_offset + done, part);
    done += n;
  }
  return sum.digest();
}

void write_zeros(PosixFile& to, std::uint64_t offset, std::uint64_t length) {
  // A hole reads as zeros; where the image left bytes, they go.
  if (::fallocate(to.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return;
  }
  static const std::byte zeros[64 << 10] = {};
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof zeros, length - done));
    to.write_at(offset + done, std::span<const std::byte>(zeros, n));
    done += n;
  }
}

}  // namespace

std::uint64_t copy_sparse(const PosixFile& from, PosixFile& to, bool use_kernel, std::uint64_t& kernel_copied) {
  std::vector<std::byte> buffer(kBufferBytes);
  const auto size = static_cast<off_t>(from.size());
  std::uint64_t copied = 0;
  for (off_t at = 0; at < size;) {
    const off_t data = ::lseek(from.fd(), at, SEEK_DATA);
    if (data < 0) break;  // ENXIO: no data after `at`
    off_t hole = ::lseek(from.fd(), data, SEEK_HOLE);
    if (hole < 0) hole = size;
    const auto length = static_cast<std::uint64_t>(hole - data);
    copy_bytes(from, static_cast<std::uint64_t>(data), to, static_cast<std::uint64_t>(data), length, use_kernel, buffer,
               kernel_copied);
    copied += length;
    at = hole;
  }
  to.truncate(static_cast<std::uint64_t>(size));
  return copied;
}

ImageOutcome write_image_output(mpi::Comm& comm, container::ImageIndex& index, const std::string& output,
                                unsigned threads, bool verify, bool use_kernel, bool sync) {
  ImageOutcome out;
  const container::Layout& layout = index.layout();
  threads = std::max(1u, threads);
  const auto& records = index.records();

  // 1. The image, by rank 0, into a new file: as of the last flush if the job never closed.
  const std::string snapshot = layout.image_snapshot();
  out.from_snapshot = container::exists(snapshot);  // whatever is there: opened below, refused unless a file
  const std::string image_path = out.from_snapshot ? snapshot : layout.image();
  const std::uint64_t image_size = container::file_size(image_path);
  // The merged file's size: the END last in replay order (the snapshot's size is the END of its
  // flush: the image is cut to it at every truncate). Nothing past it is laid out: the file would
  // be cut there anyway, and a record may claim any address (costs follow the bytes present).
  const auto final_size = [&] {
    return out.from_snapshot ? image_size : index.end().value_or(std::max(image_size, index.map().end()));
  };
  // HDF5's metadata lost from the image: the merged file would be no HDF5 file. The container
  // stays, for what can still be saved from it.
  mpi::on_root(comm, 0, [&] {
    if (out.from_snapshot && image_size == 0) {
      throw FormatError(container::never_flushed(layout) + "; nothing to merge (remove the container)");
    }
    if (!out.from_snapshot && image_size < index.image_needed()) {
      throw FormatError(fmt::format("{}; the merge refuses rather than write a broken file (h5mf verify '{}')",
                                    container::image_cut_short(layout, image_size, index), layout.path()));
    }
  });
  std::uint64_t written = 0, kernel_copied = 0;
  std::atomic<std::uint64_t> data_written{0}, data_kernel{0};

  // Lays the file out; with `check`, every DATA record whose bytes show whole is checked as they
  // pass through (one read, as a copy), the others that show in part are read and checked apart.
  // Returns the records that failed, on every rank.
  const auto lay_out = [&](bool check) {
    written = kernel_copied = 0;
    data_written = data_kernel = 0;
    mpi::on_root(comm, 0, [&] {
      container::remove_file(output);
      PosixFile target(output, PosixFile::Access::CreateExclusive, PosixFile::Links::Follow);
      if (container::exists(image_path)) {
        written = copy_sparse(PosixFile(image_path, PosixFile::Access::Read), target, use_kernel, kernel_copied);
      }
    });
    std::map<container::RangeKey, std::size_t> by_key;  // DATA records, to find a piece's record
    if (check) {
      for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i].record;
        if (r.source == format::RangeSource::Data)
          by_key.emplace(container::RangeKey{r.epoch, records[i].data_file, r.sequence}, i);
      }
    }
    const std::uint64_t size = final_size();
    std::vector<std::pair<std::uint64_t, container::RangePiece>> pieces;
    for (auto [start, piece] : index.map().pieces()) {
      if (piece.source == format::RangeSource::Image || start >= size) continue;
      piece.end = std::min(piece.end, size);
      // Zeros matter only where the image copy left bytes: past its end the file reads zeros.
      if (piece.source == format::RangeSource::Zeros) piece.end = std::min(piece.end, std::max(start, image_size));
      if (piece.end > start) pieces.emplace_back(start, piece);
    }
    std::vector<std::atomic<std::uint8_t>> failed(records.size()), apart(records.size());
    const auto fail = [&](std::size_t i) { failed[i].store(1, std::memory_order_relaxed); };
    mpi::on_all(comm, [&] {
      PosixFile target(output, PosixFile::Access::ReadWrite, PosixFile::Links::Follow);
      std::atomic<std::size_t> next{static_cast<std::size_t>(comm.rank())};
      container::run_on_threads(threads, [&] {
        Readers readers(layout);
        std::vector<std::byte> buffer(kBufferBytes);
        std::uint64_t mine = 0, kernel = 0;
        for (std::size_t i; (i = next.fetch_add(static_cast<std::size_t>(comm.size()))) < pieces.size();) {
          const auto& [start, piece] = pieces[i];
          const std::uint64_t length = piece.end - start;
          if (piece.source == format::RangeSource::Zeros) {
            write_zeros(target, start, length);
            continue;
          }
          mine += length;
          const PosixFile& from = readers.get(piece.data_file);
          if (!check) {
            copy_bytes(from, piece.data_offset, target, start, length, use_kernel, buffer, kernel);
            continue;
          }
          const std::size_t r = by_key.at(piece.key);
          const auto& record = records[r].record;
          if (piece.data_offset != record.data_offset || length != record.length) {
            // Partly hidden: copied as it is, checked whole below.
            apart[r].store(1, std::memory_order_relaxed);
            copy_bytes(from, piece.data_offset, target, start, length, use_kernel, buffer, kernel);
            continue;
          }
          try {
            if (copy_checked(from, piece.data_offset, target, start, length, buffer) != record.data_checksum) {
              fail(r);
            }
          } catch (const FormatError&) {
            fail(r);
          }
        }
        data_written += mine;
        data_kernel += kernel;
      });
      // Records that show only in part: read and checked whole, a share per rank and thread.
      std::vector<std::size_t> to_check;
      for (std::size_t r = 0; r < records.size(); ++r) {
        if (apart[r].load(std::memory_order_relaxed) != 0) to_check.push_back(r);
      }
      std::atomic<std::size_t> next_check{0};
      container::run_on_threads(threads, [&] {
        Readers readers(layout);
        std::vector<std::byte> buffer(kBufferBytes);
        for (std::size_t j; (j = next_check.fetch_add(1)) < to_check.size();) {
          const std::size_t r = to_check[j];
          const auto& k = records[r];
          try {
            if (container::bytes_checksum(readers.get(k.data_file), k.record.data_offset, k.record.length, buffer) !=
                k.record.data_checksum) {
              fail(r);
            }
          } catch (const FormatError&) {
            fail(r);
          }
        }
      });
    });
    std::vector<std::uint8_t> result(records.size());
    for (std::size_t r = 0; r < records.size(); ++r) result[r] = failed[r].load(std::memory_order_relaxed);
    comm.all_or(result);
    return result;
  };

  // 2. Data and zeros over the image, a share of the pieces per rank and thread, checked on the
  // way; if any record failed, it is dropped and the file laid out again without it (what it hid
  // shows again).
  const std::vector<std::uint8_t> failed = lay_out(verify);
  std::set<std::size_t> bad;
  for (std::size_t i = 0; i < failed.size(); ++i) {
    if (failed[i] == 0) continue;
    bad.insert(i);
    const auto& k = records[i];
    out.dropped.push_back(Dropped{layout.data_file(k.data_file), k.record.data_offset, k.record.length, 1,
                                  fmt::format("{}: its data fail their checksum", format::describe(k.record))});
  }
  if (!bad.empty()) {
    const auto* first = records.data();
    index.rebuild_without([&](const container::ImageIndex::KeptRecord& k) {
      return bad.count(static_cast<std::size_t>(&k - first)) > 0;
    });
    lay_out(false);
  }
  out.records = index.record_count();

  // 3. The file's size, and durability.
  const std::uint64_t size = final_size();
  mpi::on_root(comm, 0, [&] {
    PosixFile target(output, PosixFile::Access::ReadWrite, PosixFile::Links::Follow);
    target.truncate(size);
    if (sync) target.sync();
  });
  out.bytes_written = comm.sum(data_written.load()) + written;
  out.bytes_kernel_copied = comm.sum(data_kernel.load()) + kernel_copied;
  return out;
}

}  // namespace h5mf::merge_detail
