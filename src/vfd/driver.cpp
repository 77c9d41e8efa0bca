// The h5mf file driver's class tables and the C API of include/h5mf/H5FDh5mf.h: HDF5's callbacks
// translated to vfd::ImageFile, exceptions to HDF5 errors (the message names the file and what
// went wrong; HDF5 prints it with its own stack, h5py raises it).
#include "vfd/driver.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "h5mf/H5FDh5mf.h"
#include "h5mf/error.hpp"
#include "mpi/comm.hpp"
#include "vfd/hdf5_api.hpp"
#include "vfd/image_file.hpp"
#include "vfd/mpi_datatype.hpp"

namespace h5mf::vfd {
namespace {

struct FileStruct {
  H5FD_t pub;  // first: HDF5 sees only this
  // Where mpio keeps its MPI_File: HDF5's H5Fset/get_mpi_atomicity read it there from any MPI
  // driver's file. Without the preload (interpose.cpp) they then get an MPI error, not a crash.
  MPI_File mpio_file_slot;
  ImageFile* file;
  bool with_mpi;  // opened through the MPI class: transfers may be collective
};

struct FaplInfo {
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Info info = MPI_INFO_NULL;
};

hid_t mpi_id = H5I_INVALID_HID;  // the classes, registered on first use
hid_t serial_id = H5I_INVALID_HID;

ImageFile& impl(const H5FD_t* f) { return *reinterpret_cast<const FileStruct*>(f)->file; }

using Minor = hid_t* Hdf5Api::*;

// An error on the program's HDF5 error stack (HDF5 prints it with its own, h5py raises it); on
// stderr when that HDF5 cannot be reached.
void report(const char* function, Minor minor, const char* what) {
  try {
    const Hdf5Api& api = hdf5();
    api.epush2(H5E_DEFAULT, __FILE__, function, __LINE__, *api.err_cls, *api.major_vfl, *(api.*minor), "%s", what);
  } catch (const std::exception& e) {  // no HDF5 to report through; often the same reason
    if (std::strcmp(what, e.what()) == 0) {
      std::fprintf(stderr, "h5mf: %s\n", what);
    } else {
      std::fprintf(stderr, "h5mf: %s (%s)\n", what, e.what());
    }
  }
}

// Runs `step`; an exception becomes an HDF5 error and `failed` is returned. A file another
// process holds says so as HDF5's own lock failure does ("errno = 11, error message = ..."),
// which h5py turns into BlockingIOError, as for a file HDF5 has locked.
template <typename R, typename F>
R guarded(const char* function, Minor minor, R failed, F&& step) {
  try {
    return step();
  } catch (const Busy& e) {
    const std::string what =
        fmt::format("{} (errno = {}, error message = '{}')", e.what(), EAGAIN, std::strerror(EAGAIN));
    report(function, minor, what.c_str());
  } catch (const std::exception& e) {
    report(function, minor, e.what());
  } catch (...) {
    report(function, minor, "unknown error");
  }
  return failed;
}

void* fapl_copy(const void* from) {
  const auto* old = static_cast<const FaplInfo*>(from);
  auto* copy = new (std::nothrow) FaplInfo;
  if (copy == nullptr) return nullptr;
  if (old->comm != MPI_COMM_NULL && mpi::mpi_initialised()) MPI_Comm_dup(old->comm, &copy->comm);
  if (old->info != MPI_INFO_NULL && mpi::mpi_initialised()) MPI_Info_dup(old->info, &copy->info);
  return copy;
}

herr_t fapl_free(void* p) {
  auto* fa = static_cast<FaplInfo*>(p);
  if (mpi::mpi_initialised()) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) {
      if (fa->comm != MPI_COMM_NULL) MPI_Comm_free(&fa->comm);
      if (fa->info != MPI_INFO_NULL) MPI_Info_free(&fa->info);
    }
  }
  delete fa;
  return 0;
}

void* fapl_get(H5FD_t* f) {
  FaplInfo fa;
  if (reinterpret_cast<const FileStruct*>(f)->with_mpi) fa.comm = impl(f).comm().handle();
  return fapl_copy(&fa);
}

H5FD_t* open(const char* name, unsigned flags, hid_t fapl, haddr_t) {
  return guarded<H5FD_t*>("H5FD_h5mf_open", &Hdf5Api::minor_cantopen, nullptr, [&]() -> H5FD_t* {
    std::shared_ptr<mpi::Comm> comm;
    const auto* fa = uses_h5mf(fapl) ? static_cast<const FaplInfo*>(hdf5().pget_driver_info(fapl)) : nullptr;
    if (fa != nullptr && fa->comm != MPI_COMM_NULL && mpi::mpi_initialised()) {
      comm = mpi::duplicate(fa->comm);
    } else {
      comm = mpi::serial();
    }
    auto* s = static_cast<FileStruct*>(std::calloc(1, sizeof(FileStruct)));
    if (s == nullptr) throw std::bad_alloc();
    s->with_mpi = hdf5().pget_driver(fapl) == mpi_id;
    s->mpio_file_slot = MPI_FILE_NULL;
    try {
      s->file = new ImageFile(name, flags, std::move(comm));
    } catch (const Busy& e) {
      // Said on stderr too: h5dump shows only "unable to open file", and who holds the file is
      // what its user needs to know.
      std::fprintf(stderr, "h5mf: %s\n", e.what());
      std::free(s);
      throw;
    } catch (...) {
      std::free(s);
      throw;
    }
    return &s->pub;
  });
}

herr_t close(H5FD_t* f) {
  auto* s = reinterpret_cast<FileStruct*>(f);
  const herr_t status = guarded<herr_t>("H5FD_h5mf_close", &Hdf5Api::minor_cantclose, -1, [&] {
    s->file->close();
    return herr_t{0};
  });
  delete s->file;
  std::free(s);
  return status;
}

herr_t query_mpi(const H5FD_t*, unsigned long* flags) {
  // As the mpio driver (H5FDmpio.c), so that HDF5 takes the same parallel paths: the same
  // allocations and addresses, and so the file mpio would have written.
  if (flags != nullptr) {
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_HAS_MPI |
             H5FD_FEAT_ALLOCATE_EARLY | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  }
  return 0;
}

herr_t query_serial(const H5FD_t*, unsigned long* flags) {
  // As sec2, less the POSIX handle (there is no one file descriptor to hand out).
  if (flags != nullptr) {
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  }
  return 0;
}

haddr_t get_eoa(const H5FD_t* f, H5FD_mem_t) { return impl(f).eoa(); }
herr_t set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  impl(f).set_eoa(addr);
  return 0;
}
haddr_t get_eof(const H5FD_t* f, H5FD_mem_t) { return impl(f).eof(); }

herr_t get_handle(H5FD_t* f, hid_t, void** handle) {
  // No single descriptor exists; the handle is the driver's own file object (see interpose.cpp).
  *handle = &impl(f);
  return 0;
}

bool collective_transfer(const H5FD_t* f) {
  if (!reinterpret_cast<const FileStruct*>(f)->with_mpi) return false;
  H5FD_mpio_xfer_t mode = H5FD_MPIO_INDEPENDENT;
  if (hdf5().get_io_xfer_mode(&mode) < 0) throw Error("cannot read the transfer mode from HDF5's API context");
  return mode == H5FD_MPIO_COLLECTIVE;
}

// A collective transfer as H5FDmpio.c performs it: `count` elements of the memory datatype in
// `buffer`, laid into the file through the file datatype from `address`.
template <typename Buffer, typename Each>
void through_datatypes(haddr_t address, size_t count, Buffer buffer, bool writing, Each&& each) {
  MPI_Datatype memory_type = MPI_BYTE, file_type = MPI_BYTE;
  if (hdf5().get_mpi_coll_datatypes(&memory_type, &file_type) < 0) {
    throw Error("cannot read the MPI datatypes of a collective transfer from HDF5's API context");
  }
  const std::uint64_t bytes = type_bytes(memory_type, count);
  const auto runs = file_runs(file_type, address, bytes);
  const auto memory = flatten(memory_type, count);
  auto* base = reinterpret_cast<std::byte*>(const_cast<void*>(static_cast<const void*>(buffer)));
  std::vector<std::byte> packed;
  std::byte* stream = nullptr;
  if (memory.size() == 1 || bytes == 0) {
    stream = bytes == 0 ? base : base + memory[0].offset;  // contiguous in memory: no copy
  } else {
    packed.resize(bytes);
    stream = packed.data();
    if (writing) {
      int position = 0;
      mpi::check(MPI_Pack(buffer, static_cast<int>(count), memory_type, packed.data(), static_cast<int>(bytes),
                          &position, MPI_COMM_SELF),
                 "MPI_Pack");
    }
  }
  std::uint64_t done = 0;
  for (const ByteRun& r : runs) {
    each(static_cast<std::uint64_t>(r.offset), std::span<std::byte>(stream + done, r.length));
    done += r.length;
  }
  if (!writing && !packed.empty()) {
    int position = 0;
    mpi::check(MPI_Unpack(packed.data(), static_cast<int>(bytes), &position,
                          const_cast<void*>(static_cast<const void*>(buffer)), static_cast<int>(count), memory_type,
                          MPI_COMM_SELF),
               "MPI_Unpack");
  }
}

herr_t read(H5FD_t* f, H5FD_mem_t type, hid_t, haddr_t address, size_t size, void* buffer) {
  return guarded<herr_t>("H5FD_h5mf_read", &Hdf5Api::minor_read, -1, [&] {
    ImageFile& file = impl(f);
    const bool raw = type == H5FD_MEM_DRAW;
    // As H5FDmpio.c: only raw data reads use the datatypes of a collective transfer.
    if (raw && collective_transfer(f)) {
      file.collective_begin();
      through_datatypes(address, size, buffer, false,
                        [&](std::uint64_t at, std::span<std::byte> part) { file.read(true, at, part); });
      file.collective_end();
    } else {
      file.read(raw, address, std::span<std::byte>(static_cast<std::byte*>(buffer), size));
    }
    return herr_t{0};
  });
}

herr_t write(H5FD_t* f, H5FD_mem_t type, hid_t, haddr_t address, size_t size, const void* buffer) {
  return guarded<herr_t>("H5FD_h5mf_write", &Hdf5Api::minor_write, -1, [&] {
    ImageFile& file = impl(f);
    const bool raw = type == H5FD_MEM_DRAW;
    if (collective_transfer(f)) {
      file.collective_begin();
      through_datatypes(address, size, buffer, true,
                        [&](std::uint64_t at, std::span<std::byte> part) { file.write(raw, at, part); });
      file.collective_end();
    } else {
      file.write(raw, address, std::span<const std::byte>(static_cast<const std::byte*>(buffer), size));
    }
    return herr_t{0};
  });
}

herr_t flush(H5FD_t* f, hid_t, hbool_t closing) {
  return guarded<herr_t>("H5FD_h5mf_flush", &Hdf5Api::minor_write, -1, [&] {
    impl(f).flush(closing != 0);
    return herr_t{0};
  });
}

herr_t truncate(H5FD_t* f, hid_t, hbool_t closing) {
  return guarded<herr_t>("H5FD_h5mf_truncate", &Hdf5Api::minor_write, -1, [&] {
    impl(f).truncate(closing != 0);
    return herr_t{0};
  });
}

int get_rank(const H5FD_t* f) { return impl(f).comm().rank(); }
int get_size(const H5FD_t* f) { return impl(f).comm().size(); }
MPI_Comm get_comm(const H5FD_t* f) { return impl(f).comm().handle(); }

herr_t terminate() {
  mpi_id = serial_id = H5I_INVALID_HID;
  return 0;
}

H5FD_class_t base_class(const char* name, bool with_mpi) {
  H5FD_class_t c{};
  c.name = name;
  c.maxaddr = HADDR_MAX;
  c.fc_degree = H5F_CLOSE_SEMI;
  c.terminate = terminate;
  c.fapl_size = sizeof(FaplInfo);
  c.fapl_get = fapl_get;
  c.fapl_copy = fapl_copy;
  c.fapl_free = fapl_free;
  c.open = open;
  c.close = close;
  c.query = with_mpi ? query_mpi : query_serial;
  c.get_eoa = get_eoa;
  c.set_eoa = set_eoa;
  c.get_eof = get_eof;
  c.get_handle = get_handle;
  c.read = read;
  c.write = write;
  c.flush = flush;
  c.truncate = truncate;
  const H5FD_mem_t dichotomy[] = H5FD_FLMAP_DICHOTOMY;
  std::memcpy(c.fl_map, dichotomy, sizeof dichotomy);
  return c;
}

}  // namespace

hid_t registered_class(bool with_mpi) {
  const Hdf5Api& api = hdf5();
  hid_t& id = with_mpi ? mpi_id : serial_id;
  if (id >= 0 && api.iis_valid(id) > 0) return id;
  if (with_mpi) {
    if (!api.parallel) {
      throw Unsupported(
          fmt::format("the h5mf driver's MPI class needs a parallel HDF5, and this program's is '{}'", api.library));
    }
    static ClassMpi cls{base_class("h5mf", true), get_rank, get_size, get_comm};
    id = api.fd_register(&cls, sizeof cls, 1);
  } else {
    static H5FD_class_t cls = base_class("h5mf_serial", false);
    id = api.fd_register_public(&cls);
  }
  if (id < 0)
    throw Error(fmt::format("HDF5 refused to register the h5mf file driver ({})", with_mpi ? "MPI" : "serial"));
  return id;
}

bool uses_h5mf(hid_t fapl) {
  const Hdf5Api& api = hdf5();
  const hid_t driver = api.pget_driver(fapl);
  if (driver < 0) return false;
  // The classes are compared by id once registered; one never registered cannot be in use.
  return (mpi_id >= 0 && driver == mpi_id) || (serial_id >= 0 && driver == serial_id);
}

ImageFile* file_of(hid_t file_id) {
  const Hdf5Api& api = hdf5();
  const hid_t fapl = api.fget_access_plist(file_id);
  if (fapl < 0) return nullptr;
  const bool ours = uses_h5mf(fapl);
  api.pclose(fapl);
  if (!ours) return nullptr;
  void* handle = nullptr;
  if (api.fget_vfd_handle(file_id, H5P_DEFAULT, &handle) < 0) return nullptr;
  return static_cast<ImageFile*>(handle);
}

herr_t set_fapl(hid_t fapl, MPI_Comm comm, MPI_Info info) {
  return guarded<herr_t>("H5Pset_fapl_h5mf", &Hdf5Api::minor_badvalue, -1, [&] {
    const bool with_mpi = comm != MPI_COMM_NULL && mpi::mpi_initialised();
    FaplInfo fa{with_mpi ? comm : MPI_COMM_NULL, with_mpi ? info : MPI_INFO_NULL};
    return hdf5().pset_driver(fapl, registered_class(with_mpi), &fa);
  });
}

}  // namespace h5mf::vfd

extern "C" {

hid_t H5FD_h5mf_init(void) {
  return h5mf::vfd::guarded<hid_t>("H5FD_h5mf_init", &h5mf::vfd::Hdf5Api::minor_badvalue, H5I_INVALID_HID,
                                   [] { return h5mf::vfd::registered_class(true); });
}

herr_t H5Pset_fapl_h5mf(hid_t fapl_id, MPI_Comm comm, MPI_Info info) {
  return h5mf::vfd::set_fapl(fapl_id, comm, info);
}

herr_t H5Pget_fapl_h5mf(hid_t fapl_id, MPI_Comm* comm, MPI_Info* info) {
  using namespace h5mf::vfd;
  const bool ours =
      guarded<int>("H5Pget_fapl_h5mf", &Hdf5Api::minor_badvalue, -1, [&] { return uses_h5mf(fapl_id) ? 1 : 0; });
  if (ours <= 0) {
    if (ours == 0) {
      report("H5Pget_fapl_h5mf", &Hdf5Api::minor_badvalue,
             "the file access property list does not use the h5mf driver");
    }
    return -1;
  }
  const auto* fa = static_cast<const FaplInfo*>(hdf5().pget_driver_info(fapl_id));
  if (comm != nullptr) *comm = MPI_COMM_NULL;
  if (info != nullptr) *info = MPI_INFO_NULL;
  if (fa == nullptr) return 0;
  if (comm != nullptr && fa->comm != MPI_COMM_NULL) MPI_Comm_dup(fa->comm, comm);
  if (info != nullptr && fa->info != MPI_INFO_NULL) MPI_Info_dup(fa->info, info);
  return 0;
}

herr_t h5mf_fapl_set(hid_t fapl_id, MPI_Fint comm, MPI_Fint info) {
  return H5Pset_fapl_h5mf(fapl_id, MPI_Comm_f2c(comm), MPI_Info_f2c(info));
}

}  // extern "C"
