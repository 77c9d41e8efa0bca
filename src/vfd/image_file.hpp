// One file opened through the h5mf HDF5 driver: what the driver's callbacks do, as a C++ class
// (vfd/driver.cpp translates HDF5's calls and exceptions). Two kinds of target:
//  - a file-image container (docs/format.md, "File-image containers"): HDF5's metadata is written
//    in place into `image` by whichever rank HDF5 picks (so metadata needs no ordering of its
//    own, as on one shared file); raw data (and the global heap, which HDF5 hands a parallel
//    driver as raw data) is appended to this rank's `<w>` with a RANGE record in `<w>.offset`;
//  - a conventional HDF5 file (a merged one, reopened): read and written in place.
// Ordering follows MPI-IO's rules with epochs: every collective event the driver sees (open, a
// collective transfer, flush, truncate) advances the epoch on every rank alike; a later epoch wins
// where writes overlap, and within one epoch the writer with the higher rank (HDF5 writes fill
// values from rank 0 before other ranks write data in the same epoch).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "container/holder_lock.hpp"
#include "container/image_index.hpp"
#include "container/layout.hpp"
#include "container/posix_file.hpp"
#include "container/writer_log.hpp"
#include "h5mf/options.hpp"
#include "mpi/comm.hpp"

namespace h5mf::vfd {

class ImageFile {
 public:
  // Opens `path` as HDF5's flags ask (H5F_ACC_*), collectively over `comm` (every rank agrees on
  // the outcome: all open, or all throw the same error).
  ImageFile(std::string path, unsigned flags, std::shared_ptr<mpi::Comm> comm);
  ~ImageFile();
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;

  // HDF5's view: addresses, end of allocation (EOA), end of file.
  std::uint64_t eoa() const { return eoa_; }
  void set_eoa(std::uint64_t eoa) { eoa_ = eoa; }
  std::uint64_t eof() const { return eof_; }

  // Contiguous bytes at `address`. `raw`: raw data (H5FD_MEM_DRAW), else metadata.
  void write(bool raw, std::uint64_t address, std::span<const std::byte> bytes);
  void read(bool raw, std::uint64_t address, std::span<std::byte> out);
  // A collective transfer begins / ends: an epoch on every rank.
  void collective_begin();
  void collective_end();
  void flush(bool closing);     // H5FD flush: what this rank wrote becomes durable and visible
  void truncate(bool closing);  // H5FD truncate: the file's size becomes the EOA
  void close();                 // collective; throws what the last writes report

  void set_atomic(bool atomic);
  bool atomic() const { return atomic_; }
  mpi::Comm& comm() { return *comm_; }
  const std::string& path() const { return layout_.path(); }
  int image_fd() const { return image_.fd(); }

 private:
  void publish();            // this rank's buffered records reach the file system
  void see_others();         // other ranks' published records, into the index
  void warn_damage() const;  // what reading the index dropped or found missing, on stderr (rank 0)
  void read_image(std::uint64_t address, std::span<std::byte> out) const;
  const container::PosixFile& data_file(std::uint32_t file);

  container::Layout layout_;
  std::shared_ptr<mpi::Comm> comm_;
  bool writable_ = false;
  bool plain_ = false;  // a conventional HDF5 file, read and written in place
  container::HolderLock holder_;
  container::PosixFile image_;  // the container's `image`, or the plain file
  std::optional<container::WriterLog> log_;
  std::optional<container::ImageIndex> index_;
  std::map<std::uint32_t, container::PosixFile> data_files_;  // opened for reading, lazily
  std::uint32_t writer_ = 0;
  std::uint32_t data_file_count_ = 0;  // file pairs the container's sessions may have made
  std::uint64_t epoch_ = 1;
  std::uint64_t eoa_ = 0, eof_ = 0, last_end_ = ~std::uint64_t{0};
  bool others_stale_ = false;  // others may have published since see_others()
  bool atomic_ = false;
  bool image_written_ = false;  // since the last flush
};

}  // namespace h5mf::vfd
