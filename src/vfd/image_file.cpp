#include "vfd/image_file.hpp"

#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "driver/multifile/session.hpp"
#include "format/checksum.hpp"
#include "format/constants.hpp"
#include "h5mf/error.hpp"
#include "h5mf/warnings.hpp"
#include "merge/image_merge.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf::vfd {
namespace {

using container::PosixFile;

Mode mode_of(unsigned flags) {
  if ((flags & H5F_ACC_CREAT) != 0) return (flags & H5F_ACC_EXCL) != 0 ? Mode::Exclusive : Mode::Truncate;
  return (flags & H5F_ACC_RDWR) != 0 ? Mode::ReadWrite : Mode::Read;
}

// Fill values at allocation are zeros unless the dataset says otherwise: stored as a length.
bool all_zero(std::span<const std::byte> bytes) {
  static const std::byte zeros[4096] = {};
  if (bytes.empty() || bytes.front() != std::byte{0} || bytes.back() != std::byte{0}) return bytes.empty();
  for (std::size_t done = 0; done < bytes.size(); done += sizeof zeros) {
    const std::size_t n = std::min(sizeof zeros, bytes.size() - done);
    if (std::memcmp(bytes.data() + done, zeros, n) != 0) return false;
  }
  return true;
}

// pread that reads zeros past the end of the file, as a file system does in a hole.
void read_or_zeros(const PosixFile& file, std::uint64_t offset, std::span<std::byte> out) {
  while (!out.empty()) {
    const ssize_t n = ::pread(file.fd(), out.data(), out.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot read {} bytes at offset {} of '{}': {}", out.size(), offset, file.path(),
                                container::errno_text(errno)));
    }
    if (n == 0) {
      std::memset(out.data(), 0, out.size());
      return;
    }
    out = out.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

// The image to serve. A job that did not close left `image` as HDF5 had it when the job died,
// metadata it had not finished included, and the image of its last flush beside it: that is the
// file (as the merge takes it). A reader reads it; a writer restores it as `image` first (the
// writer holds the container alone), so that the new session continues from a consistent file.
std::string image_path(const container::Layout& layout, bool writable, int rank) {
  const std::string snapshot = layout.image_snapshot();
  if (!container::exists(snapshot)) return layout.image();
  if (!writable) return snapshot;
  if (rank == 0 && ::rename(snapshot.c_str(), layout.image().c_str()) != 0) {
    throw IoError(
        fmt::format("cannot rename '{}' to '{}': {}", snapshot, layout.image(), container::errno_text(errno)));
  }
  return layout.image();
}

// `image` as it was at the last completed flush of a job that has not closed (docs/format.md):
// HDF5 keeps the file consistent on disk only at a flush, so that is what a merge after a crash
// starts from. A sparse copy: holes stay holes, only metadata is copied.
void snapshot_image(const PosixFile& image, const container::Layout& layout) {
  const std::string final_path = layout.image_snapshot(), building = final_path + ".tmp";
  container::remove_file(building);
  {
    PosixFile copy(building, PosixFile::Access::CreateExclusive);
    std::uint64_t kernel_copied = 0;
    merge_detail::copy_sparse(image, copy, true, kernel_copied);
    copy.sync();
  }
  if (::rename(building.c_str(), final_path.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", building, final_path, container::errno_text(errno)));
  }
}

}  // namespace

ImageFile::ImageFile(std::string path, unsigned flags, std::shared_ptr<mpi::Comm> comm)
    : layout_(std::move(path)), comm_(std::move(comm)) {
  const Mode mode = mode_of(flags);
  writable_ = mode != Mode::Read;
  const std::string& where = layout_.path();
  const bool create = mode == Mode::Truncate || mode == Mode::Exclusive;

  // A conventional HDF5 file (a merged container, reopened): served in place.
  if (!create && container::is_regular_file(where)) {
    mpi::on_all(*comm_, [&] {
      image_ = PosixFile(where, writable_ ? PosixFile::Access::ReadWrite : PosixFile::Access::Read,
                         PosixFile::Links::Follow);
    });
    plain_ = true;
    eoa_ = eof_ = comm_->min_max(image_.size()).max;
    return;
  }

  driver::Session session;
  session.writer = static_cast<std::uint32_t>(comm_->rank());
  session.writers = static_cast<std::uint32_t>(comm_->size());
  session.coordinator = comm_->rank() == 0;
  session.collective = comm_->is_parallel();
  session.image = true;
  driver::OpenedContainer opened = driver::open_container(*comm_, layout_, mode, session, std::nullopt);
  holder_ = std::move(opened.holder);
  writer_ = session.writer;
  const auto& sessions = opened.catalog.sessions();
  if (sessions.empty() || (sessions.front().flags & format::kSessionImage) == 0) {
    throw Unsupported(
        fmt::format("'{}' is an h5mf container written through h5mf's own API, not through the HDF5 "
                    "file driver: read it with h5mf (h5mf ls, dump) or merge it first (h5mf merge)",
                    where));
  }
  data_file_count_ = std::max(opened.catalog.data_files(), session.writers);

  std::string image;
  mpi::on_root(*comm_, 0, [&] { image = image_path(layout_, writable_, 0); });
  mpi::on_all(*comm_, [&] {
    if (comm_->rank() != 0) image = image_path(layout_, writable_, comm_->rank());
    image_ = PosixFile(image, writable_ ? PosixFile::Access::CreateOrOpen : PosixFile::Access::Read);
    if (writable_) log_.emplace(layout_, opened.id, writer_, opened.created, container::WriterLog::Options{});
    index_.emplace(layout_, opened.id);
    index_->refresh(data_file_count_, !writable_, opened.catalog.required_data_files());
  });
  warn_damage();
  // The file as this session found it is the one to merge if the job ends before its first
  // flush (docs/format.md, `image.flushed`): for a new file, none (the snapshot is empty).
  if (writable_) mpi::on_root(*comm_, 0, [&] { snapshot_image(image_, layout_); });
  driver::record_opened(*comm_, session, opened.catalog, opened.metafile);
  // Epochs of this session follow everything recorded; every rank starts from the same one.
  epoch_ = comm_->min_max(std::max(opened.first_epoch, index_->max_epoch() + 1)).max;
  const std::uint64_t end = std::max({index_->end().value_or(0), image_.size(), index_->map().end()});
  eof_ = comm_->min_max(end).max;
  eoa_ = eof_;
  last_end_ = index_->end().value_or(~std::uint64_t{0});
}

ImageFile::~ImageFile() {
  try {
    if (log_) log_->close();
  } catch (...) {  // close() reports errors; a destructor cannot
  }
}

void ImageFile::write(bool raw, std::uint64_t address, std::span<const std::byte> bytes) {
  if (!writable_) throw InvalidArgument(fmt::format("'{}' is open read-only", path()));
  if (bytes.empty()) return;
  eof_ = std::max(eof_, address + bytes.size());
  if (plain_) {
    image_.write_at(address, bytes);
    return;
  }
  format::RangeRecord record;
  if (!raw) {
    image_.write_at(address, bytes);
    image_written_ = true;
    record = log_->append_range_elsewhere(epoch_, address, bytes.size(), format::RangeSource::Image,
                                          format::checksum(bytes));
  } else if (all_zero(bytes)) {
    record = log_->append_range_elsewhere(epoch_, address, bytes.size(), format::RangeSource::Zeros, 0);
  } else {
    record = log_->append_range(epoch_, address, bytes);
  }
  index_->add(writer_, record);
  if (atomic_) publish();
}

void ImageFile::read(bool raw, std::uint64_t address, std::span<std::byte> out) {
  if (out.empty()) return;
  if (plain_ || !raw) {
    read_or_zeros(image_, address, out);
    return;
  }
  if (atomic_ || others_stale_) see_others();
  if (log_ && log_->has_buffered()) log_->flush(false);  // this rank's own bytes, readable
  std::uint64_t cursor = address;
  const auto fill_from_image = [&](std::uint64_t until) {
    if (until > cursor) read_or_zeros(image_, cursor, out.subspan(cursor - address, until - cursor));
  };
  index_->map().visit(address, out.size(), [&](std::uint64_t start, const container::RangePiece& piece) {
    fill_from_image(start);
    const auto part = out.subspan(start - address, piece.end - start);
    switch (piece.source) {
      case format::RangeSource::Data: data_file(piece.data_file).read_at(piece.data_offset, part); break;
      case format::RangeSource::Zeros: std::memset(part.data(), 0, part.size()); break;
      case format::RangeSource::Image: read_or_zeros(image_, start, part); break;
    }
    cursor = piece.end;
  });
  fill_from_image(address + out.size());
}

const PosixFile& ImageFile::data_file(std::uint32_t file) {
  auto it = data_files_.find(file);
  if (it == data_files_.end()) {
    it = data_files_.emplace(file, PosixFile(layout_.data_file(file), PosixFile::Access::Read)).first;
  }
  return it->second;
}

void ImageFile::warn_damage() const {
  if (comm_->rank() != 0) return;
  for (const auto& d : index_->damage()) {
    warn(fmt::format("{}: {} (run h5mf verify '{}')", d.file, d.reason, layout_.path()));
  }
}

void ImageFile::publish() {
  if (log_) log_->flush(false);
}

void ImageFile::see_others() {
  index_->refresh(data_file_count_, false, 0, log_ ? std::optional<std::uint32_t>(writer_) : std::nullopt);
  others_stale_ = false;
}

void ImageFile::collective_begin() {
  ++epoch_;
  others_stale_ = true;
}

void ImageFile::collective_end() {
  publish();
  ++epoch_;
  others_stale_ = true;
}

void ImageFile::flush(bool closing) {
  if (plain_) {
    if (writable_ && !closing) image_.sync();
    return;
  }
  if (log_) log_->flush(!closing);
  if (image_written_ && !closing) {
    image_.sync();
    image_written_ = false;
  }
  // HDF5 flushes on every rank after its metadata is written and its END recorded: the image is
  // now a consistent file, the one a merge after a crash should start from.
  if (!closing && writable_ && comm_->rank() == 0) snapshot_image(image_, layout_);
  ++epoch_;
  others_stale_ = true;
}

void ImageFile::truncate(bool) {
  if (!writable_) return;
  if (plain_) {
    if (comm_->rank() == 0 && image_.size() != eoa_) image_.truncate(eoa_);
    eof_ = eoa_;
    return;
  }
  if (eoa_ != last_end_) {
    if (comm_->rank() == 0) {
      log_->append_end(epoch_, eoa_);
      image_.truncate(eoa_);
    }
    last_end_ = eoa_;
  }
  eof_ = eoa_;
  ++epoch_;
}

void ImageFile::set_atomic(bool atomic) {
  publish();
  atomic_ = atomic;
  others_stale_ = true;
}

void ImageFile::close() {
  // Close, then reopen, shows every rank's writes (MPI-IO's rule): all are in place before any
  // rank returns, and a rank whose last writes failed makes every rank's close fail.
  mpi::on_all(*comm_, [&] {
    if (log_) {
      auto log = std::move(log_);
      log_.reset();
      log->close();
    }
    if (image_.is_open()) image_.close();
  });
  // Closed cleanly: the image is whole, the snapshot of the last flush no longer needed.
  if (writable_ && !plain_ && comm_->rank() == 0) container::remove_file(layout_.image_snapshot());
  holder_.release();
}

}  // namespace h5mf::vfd
