#include "bench_methods.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include "format/checksum.hpp"
#include "h5mf/H5FDh5mf.h"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"

namespace h5mf::tools::bench {
namespace {

const Datatype& float64() {
  static const Datatype type = Datatype::of<double>();
  return type;
}

double max_over_ranks(MPI_Comm comm, double local) {
  double out = local;
  MPI_Allreduce(&local, &out, 1, MPI_DOUBLE, MPI_MAX, comm);
  return out;
}

[[noreturn]] void fail(const std::string& what) { throw IoError(fmt::format("{}: {}", what, std::strerror(errno))); }

// Barrier, clock, body, barrier, clock: the slowest rank's elapsed time.
template <class Body>
double timed(const Context& ctx, Body&& body) {
  if (ctx.scratch_fd >= 0 && ::syncfs(ctx.scratch_fd) != 0) fail("cannot sync the scratch directory's file system");
  idle_barrier(ctx.comm);
  const double t0 = MPI_Wtime();
  body();
  idle_barrier(ctx.comm);
  return max_over_ranks(ctx.comm, MPI_Wtime() - t0);
}

int open_or_fail(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) fail(fmt::format("cannot open '{}'", path));
  return fd;
}

// Repeats `io` (a pread or pwrite of up to n bytes at an offset) until all `bytes` have moved.
template <class Io>
void move_all(Io io, std::uint64_t bytes, std::uint64_t offset, const char* verb, const std::string& path) {
  std::uint64_t done = 0;
  while (done < bytes) {
    const ssize_t n = io(done, bytes - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(fmt::format("cannot {} {} bytes of '{}' at offset {}", verb, bytes - done, path, offset + done));
    done += static_cast<std::uint64_t>(n);
  }
}

void pwrite_all(int fd, const void* data, std::uint64_t bytes, std::uint64_t offset, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  move_all([&](std::uint64_t at, std::uint64_t n, off_t o) { return ::pwrite(fd, p + at, n, o); }, bytes, offset,
           "write", path);
}

void pread_all(int fd, void* data, std::uint64_t bytes, std::uint64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(data);
  move_all([&](std::uint64_t at, std::uint64_t n, off_t o) { return ::pread(fd, p + at, n, o); }, bytes, offset, "read",
           path);
}

void finish_posix(int fd, bool sync, const std::string& path) {
  if (sync && ::fsync(fd) != 0) fail(fmt::format("fsync of '{}' failed", path));
  if (::close(fd) != 0) fail(fmt::format("cannot close '{}'", path));
}

// Libhdf5 ids closed on every path out.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) throw IoError(fmt::format("libhdf5 failed: {}", what));
  return id;
}

// The hyperslab of a Selection on an HDF5 dataspace.
void select(hid_t space, const Selection& s) {
  const Hyperslab& h = s.slab();
  const std::vector<hsize_t> start(h.start.begin(), h.start.end()), count(h.count.begin(), h.count.end());
  std::vector<hsize_t> stride(h.start.size(), 1), block(h.start.size(), 1);
  if (!h.stride.empty()) stride.assign(h.stride.begin(), h.stride.end());
  if (!h.block.empty()) block.assign(h.block.begin(), h.block.end());
  for (auto& v : stride) v = std::max<hsize_t>(v, 1);
  if (H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data()) < 0) {
    throw IoError("libhdf5 failed: selecting a hyperslab");
  }
}

FileOptions options_for(const Context& ctx, Driver driver) {
  FileOptions o;
  o.driver = driver;
  o.comm = ctx.comm;
  o.sync = ctx.fsync;
  if (driver == Driver::Multifile) o.aggregation = ctx.aggregation;
  return o;
}

// Every transfer of the pattern through an h5mf Dataset.
void write_transfers(const Context& ctx, Dataset& ds) {
  const std::uint64_t t = ctx.pattern->transfer_elements();
  for (std::uint64_t i = 0; i < ctx.pattern->transfers(); ++i) {
    ds.write_raw(ctx.data.data() + i * t, float64(), ctx.pattern->transfer(i));
  }
}

}  // namespace

void agree(MPI_Comm comm, bool ok, const std::string& what) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
  if (!all) throw Error(what);
}

void remove_path(const Context& ctx, const std::string& path) {
  idle_barrier(ctx.comm);
  bool ok = true;
  std::string error;
  if (ctx.rank == 0) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    ok = !ec;
    if (ec) error = ec.message();
  }
  agree(ctx.comm, ok, fmt::format("cannot remove '{}': {}", path, error));
}

double write_hdf5(const Context& ctx, const std::string& path, Hdf5Flavour flavour) {
  return timed(ctx, [&] {
    File file(path, Mode::Exclusive, options_for(ctx, Driver::Mpio));
    DatasetCreate spec = DatasetCreate::of<double>(ctx.pattern->shape());
    if (flavour == Hdf5Flavour::BigChunk) spec.chunk_shape(ctx.pattern->chunk());
    Dataset ds = file.create_dataset("data", spec);
    ds.set_collective(flavour == Hdf5Flavour::Collective);
    write_transfers(ctx, ds);
    file.close();
  });
}

double write_hdf5_driver(const Context& ctx, const std::string& path, bool collective) {
  return timed(ctx, [&] {
    const Id fapl{checked(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose};
    if (H5Pset_fapl_h5mf(fapl.id, ctx.comm, MPI_INFO_NULL) < 0) throw IoError("libhdf5 failed: H5Pset_fapl_h5mf");
    const Id file{checked(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id), "creating " + path), H5Fclose};
    const Extent& shape = ctx.pattern->shape();
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    const Id space{checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"),
                   H5Sclose};
    const Id ds{checked(H5Dcreate2(file.id, "data", H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "creating /data"),
                H5Dclose};
    const Id xfer{checked(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"), H5Pclose};
    if (collective && H5Pset_dxpl_mpio(xfer.id, H5FD_MPIO_COLLECTIVE) < 0) throw IoError("H5Pset_dxpl_mpio failed");
    const hsize_t t = ctx.pattern->transfer_elements();
    const Id memory{checked(H5Screate_simple(1, &t, nullptr), "H5Screate_simple"), H5Sclose};
    for (std::uint64_t i = 0; i < ctx.pattern->transfers(); ++i) {
      select(space.id, ctx.pattern->transfer(i));
      if (H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, memory.id, space.id, xfer.id, ctx.data.data() + i * t) < 0) {
        throw IoError(fmt::format("libhdf5 failed: writing transfer {} to '{}' through the h5mf driver", i, path));
      }
    }
  });
}

double copy_own_data_file(const Context& ctx, const std::string& container, const std::string& scratch) {
  const std::string from = fmt::format("{}/{}", container, ctx.rank), to = scratch + "/copy";
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) fail(fmt::format("cannot stat '{}'", from));
  // Each rank's bytes go to its own range of one file, as a merge's do.
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = 0;
  MPI_Exscan(&size, &offset, 1, MPI_UINT64_T, MPI_SUM, ctx.comm);
  if (ctx.rank == 0) offset = 0;
  const double seconds = timed(ctx, [&] {
    const int in = open_or_fail(from, O_RDONLY), out = open_or_fail(to, O_WRONLY | O_CREAT);
    auto in_at = loff_t{0}, out_at = static_cast<loff_t>(offset);
    for (std::uint64_t left = size; left > 0;) {
      const ssize_t n = ::copy_file_range(in, &in_at, out, &out_at, left, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(fmt::format("cannot copy '{}' into '{}'", from, to));
      left -= static_cast<std::uint64_t>(n);
    }
    ::close(in);
    finish_posix(out, ctx.fsync, to);
  });
  remove_path(ctx, to);
  return seconds;
}

double write_multifile(const Context& ctx, const std::string& path) {
  return timed(ctx, [&] {
    File file(path, Mode::Exclusive, options_for(ctx, Driver::Multifile));
    Dataset ds = file.create_dataset("data", DatasetCreate::of<double>(ctx.pattern->shape()));
    write_transfers(ctx, ds);
    file.close();
  });
}

double write_posix(const Context& ctx, const std::string& path) {
  return timed(ctx, [&] {
    const int fd = open_or_fail(path, O_WRONLY | O_CREAT);
    const std::uint64_t t = ctx.pattern->transfer_elements();
    for (std::uint64_t i = 0; i < ctx.pattern->transfers(); ++i) {
      const double* p = ctx.data.data() + i * t;
      ctx.pattern->for_each_run(ctx.pattern->transfer(i), [&](std::uint64_t first, std::uint64_t count) {
        pwrite_all(fd, p, count * sizeof(double), first * sizeof(double), path);
        p += count;
      });
    }
    finish_posix(fd, ctx.fsync, path);
  });
}

// Where the hashes of the checksummed POSIX methods go, so that the compiler keeps them.
volatile std::uint64_t checksum_sink = 0;

std::uint64_t hash(const void* data, std::uint64_t bytes) {
  return format::checksum(format::ByteView(static_cast<const std::byte*>(data), bytes));
}

double write_posix_multifile(const Context& ctx, const std::string& dir, bool checksum) {
  return timed(ctx, [&] {
    // Creating the directory is part of the job, as it is for h5mf's container.
    bool ok = true;
    if (ctx.rank == 0) ok = ::mkdir(dir.c_str(), 0755) == 0;
    agree(ctx.comm, ok, fmt::format("cannot create directory '{}'", dir));
    const std::string path = fmt::format("{}/{}", dir, ctx.rank);
    const int fd = open_or_fail(path, O_WRONLY | O_CREAT | O_EXCL);
    const std::uint64_t bytes = ctx.transfer_bytes(), t = ctx.pattern->transfer_elements();
    std::uint64_t hashes = 0;
    for (std::uint64_t i = 0; i < ctx.pattern->transfers(); ++i) {
      if (checksum) hashes ^= hash(ctx.data.data() + i * t, bytes);
      pwrite_all(fd, ctx.data.data() + i * t, bytes, i * bytes, path);
    }
    checksum_sink = checksum_sink ^ hashes;
    finish_posix(fd, ctx.fsync, path);
  });
}

double read_posix_multifile(const Context& ctx, const std::string& dir, bool checksum) {
  std::fill(ctx.scratch.begin(), ctx.scratch.end(), -1.0);
  const std::string path = fmt::format("{}/{}", dir, ctx.rank);
  const double seconds = timed(ctx, [&] {
    const int fd = open_or_fail(path, O_RDONLY);
    const std::uint64_t bytes = ctx.transfer_bytes(), t = ctx.pattern->transfer_elements();
    std::uint64_t hashes = 0;
    for (std::uint64_t i = 0; i < ctx.pattern->transfers(); ++i) {
      double* into = ctx.scratch.data() + i * t;
      pread_all(fd, into, bytes, i * bytes, path);
      if (checksum) hashes ^= hash(into, bytes);
    }
    checksum_sink = checksum_sink ^ hashes;
    ::close(fd);
  });
  check_read(ctx, fmt::format("reading '{}'", path));
  return seconds;
}

void check_read(const Context& ctx, const std::string& what) {
  std::uint64_t bad = ctx.data.size();
  for (std::uint64_t k = 0; k < ctx.data.size(); ++k) {
    if (std::memcmp(&ctx.data[k], &ctx.scratch[k], sizeof(double)) != 0) {
      bad = k;
      break;
    }
  }
  std::string detail;
  if (bad < ctx.data.size()) {
    detail = fmt::format(" (rank {}: element {} of its selection is {}, expected {})", ctx.rank, bad, ctx.scratch[bad],
                         ctx.data[bad]);
    fmt::print(stderr, "h5mf bench: validation failed: {}{}\n", what, detail);
  }
  agree(ctx.comm, bad == ctx.data.size(), fmt::format("validation failed: {} returned wrong data", what));
}

double read_container(const Context& ctx, const std::string& path) {
  std::fill(ctx.scratch.begin(), ctx.scratch.end(), -1.0);
  const double seconds = timed(ctx, [&] {
    File file(path, Mode::Read, options_for(ctx, Driver::Multifile));
    file.dataset("data").read_raw(ctx.scratch.data(), float64(), ctx.pattern->rank_selection());
    file.close();
  });
  check_read(ctx, fmt::format("reading container '{}'", path));
  return seconds;
}

double read_h5mf_mpio(const Context& ctx, const std::string& path) {
  std::fill(ctx.scratch.begin(), ctx.scratch.end(), -1.0);
  const double seconds = timed(ctx, [&] {
    File file(path, Mode::Read, options_for(ctx, Driver::Mpio));
    file.dataset("data").read_raw(ctx.scratch.data(), float64(), ctx.pattern->rank_selection());
    file.close();
  });
  check_read(ctx, fmt::format("reading '{}' through h5mf's mpio driver", path));
  return seconds;
}

double read_hdf5_mpio(const Context& ctx, const std::string& path) {
  std::fill(ctx.scratch.begin(), ctx.scratch.end(), -1.0);
  const double seconds = timed(ctx, [&] {
    const Id fapl{checked(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose};
    if (H5Pset_fapl_mpio(fapl.id, ctx.comm, MPI_INFO_NULL) < 0) throw IoError("libhdf5 failed: H5Pset_fapl_mpio");
    const Id file{checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id), "opening " + path), H5Fclose};
    const Id ds{checked(H5Dopen2(file.id, "data", H5P_DEFAULT), "opening /data"), H5Dclose};
    const Id space{checked(H5Dget_space(ds.id), "H5Dget_space"), H5Sclose};
    select(space.id, ctx.pattern->rank_selection());
    const hsize_t n = ctx.scratch.size();
    const Id memory{checked(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"), H5Sclose};
    // H5P_DEFAULT: independent transfers.
    if (H5Dread(ds.id, H5T_NATIVE_DOUBLE, memory.id, space.id, H5P_DEFAULT, ctx.scratch.data()) < 0) {
      throw IoError(fmt::format("libhdf5 failed: reading /data of '{}'", path));
    }
  });
  check_read(ctx, fmt::format("reading '{}' with libhdf5 (mpio)", path));
  return seconds;
}

TimedMerge merge_in_place(const Context& ctx, const std::string& path, unsigned threads) {
  TimedMerge out;
  MergeOptions options;
  options.comm = ctx.comm;
  options.threads = threads;
  options.sync = ctx.fsync;
  out.seconds = timed(ctx, [&] { out.report = merge(path, options); });
  return out;
}

void spot_check(const std::string& path, const Context& ctx) {
  const Pattern& mine = *ctx.pattern;
  // A few coordinates per rank: the first and last element it wrote and one in the middle.
  std::vector<hsize_t> coords;
  std::vector<double> expected;
  std::size_t dims = mine.shape().size();
  for (int q = 0; q < ctx.ranks; ++q) {
    const Pattern p(mine.kind(), ctx.ranks, q, mine.rank_elements(), mine.transfer_elements());
    for (const std::uint64_t i : {std::uint64_t{0}, p.transfers() / 2, p.transfers() - 1}) {
      std::uint64_t first = 0, last = 0;
      bool any = false;
      p.for_each_run(p.transfer(i), [&](std::uint64_t f, std::uint64_t c) {
        if (!any) first = f;
        any = true;
        last = f + c - 1;
      });
      for (const std::uint64_t flat : {first, last}) {
        std::uint64_t rest = flat;
        std::vector<hsize_t> c(dims);
        for (std::size_t k = dims; k-- > 0;) {
          c[k] = rest % p.shape()[k];
          rest /= p.shape()[k];
        }
        coords.insert(coords.end(), c.begin(), c.end());
        expected.push_back(static_cast<double>(flat));
      }
    }
  }
  const Id file{checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path), H5Fclose};
  const Id ds{checked(H5Dopen2(file.id, "data", H5P_DEFAULT), "opening /data of " + path), H5Dclose};
  const Id space{checked(H5Dget_space(ds.id), "H5Dget_space"), H5Sclose};
  if (H5Sselect_elements(space.id, H5S_SELECT_SET, expected.size(), coords.data()) < 0) {
    throw IoError("libhdf5 failed: selecting points");
  }
  const hsize_t n = expected.size();
  const Id memory{checked(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"), H5Sclose};
  std::vector<double> got(expected.size(), -1.0);
  if (H5Dread(ds.id, H5T_NATIVE_DOUBLE, memory.id, space.id, H5P_DEFAULT, got.data()) < 0) {
    throw IoError(fmt::format("libhdf5 failed: reading points of '{}'", path));
  }
  for (std::size_t k = 0; k < got.size(); ++k) {
    if (got[k] != expected[k]) {
      throw Error(fmt::format("validation failed: '{}' holds {} where {} was written", path, got[k], expected[k]));
    }
  }
}

}  // namespace h5mf::tools::bench
