// The sec2 and mpio drivers: the two flavours of Access, the State they share with the nodes, the
// FileDriver, and opening (mode rules, checked on rank 0 and shared, then one collective open).
#include "driver/hdf5/hdf5_driver.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <type_traits>

#include "container/layout.hpp"
#include "container/replace.hpp"
#include "driver/hdf5/hdf5_state.hpp"
#include "format/checksum.hpp"
#include "h5mf/error.hpp"
#include "h5mf/warnings.hpp"
#include "mpi/shared_outcome.hpp"

namespace h5mf::driver {
namespace hdf5_driver {

using hdf5::check;
using hdf5::check_id;
using hdf5::Handle;

namespace {

// Serial HDF5 (the sec2 virtual file driver) for one process.
class Sec2Access final : public Access {
 public:
  std::string name() const override { return "sec2"; }
  Handle file_access() const override {
    Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating a file access property list"));
    check(H5Pset_fapl_sec2(fapl.get()), "selecting HDF5's sec2 file driver");
    return fapl;
  }
  Handle transfer(bool) const override { return Handle(); }
  // One process sees its own writes at once: the flag is only remembered.
  bool atomic(hid_t) const override { return atomic_; }
  void set_atomic(hid_t, bool atomic) override { atomic_ = atomic; }
  void sync(hid_t file, const std::string& path) override {
    void* handle = nullptr;
    check(H5Fget_vfd_handle(file, H5P_DEFAULT, &handle),
          [&] { return fmt::format("getting the descriptor of '{}'", path); });
    if (::fsync(*static_cast<int*>(handle)) != 0) {
      throw IoError(fmt::format("fsync of '{}' failed: {}", path, std::strerror(errno)));
    }
  }
  bool closes_locally() const override { return true; }

 private:
  bool atomic_ = false;
};

// Parallel HDF5 on one shared file through MPI-IO.
class MpioAccess final : public Access {
 public:
  explicit MpioAccess(std::shared_ptr<mpi::Comm> comm) : comm_(std::move(comm)) {}
  std::string name() const override { return "mpio"; }
  Handle file_access() const override {
    Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating a file access property list"));
    check(H5Pset_fapl_mpio(fapl.get(), comm_->handle(), MPI_INFO_NULL), "selecting HDF5's mpio file driver");
    return fapl;
  }
  Handle transfer(bool collective) const override {
    Handle dxpl(check_id(H5Pcreate(H5P_DATASET_XFER), "creating a transfer property list"));
    check(H5Pset_dxpl_mpio(dxpl.get(), collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT),
          "selecting collective or independent MPI-IO transfers");
    return dxpl;
  }
  bool atomic(hid_t file) const override {
    hbool_t flag = false;
    check(H5Fget_mpi_atomicity(file, &flag), "reading the MPI atomicity of a file");
    return flag;
  }
  void set_atomic(hid_t file, bool atomic) override {
    check(H5Fset_mpi_atomicity(file, atomic), [&] { return fmt::format("setting MPI atomicity to {}", atomic); });
  }
  // H5Fflush already calls MPI_File_sync with the mpio file driver.
  void sync(hid_t, const std::string&) override {}
  bool closes_locally() const override { return comm_->size() == 1; }

 private:
  std::shared_ptr<mpi::Comm> comm_;
};

// A file-image container, read through the file driver the caller supplies
// (FileOptions::image_driver): one process, read-only.
class ImageDriverAccess final : public Access {
 public:
  explicit ImageDriverAccess(VirtualFileDriver driver) : driver_(std::move(driver)) {}
  std::string name() const override { return driver_.name; }
  Handle file_access() const override {
    static_assert(std::is_same_v<hid_t, std::int64_t>, "VirtualFileDriver passes an hid_t as std::int64_t");
    Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating a file access property list"));
    check(driver_.set_fapl(fapl.get()), [&] { return fmt::format("selecting the '{}' file driver", driver_.name); });
    return fapl;
  }
  Handle transfer(bool) const override { return Handle(); }
  bool atomic(hid_t) const override { return false; }
  void set_atomic(hid_t, bool) override {}
  void sync(hid_t, const std::string&) override {}  // read-only
  bool closes_locally() const override { return true; }

 private:
  VirtualFileDriver driver_;
};

}  // namespace

std::shared_ptr<Handle> State::track(hid_t id, const std::string& what) {
  Handle owned(check_id(id, what));
  auto handle = std::make_shared<Handle>(std::move(owned));
  if (objects_.size() >= prune_at_) {
    std::erase_if(objects_, [](const std::weak_ptr<Handle>& object) { return object.expired(); });
    prune_at_ = std::max<std::size_t>(64, 2 * objects_.size());
  }
  objects_.push_back(handle);
  return handle;
}

std::string State::close_objects() {
  std::string failures;
  for (const auto& object : objects_) {
    const auto handle = object.lock();
    if (!handle || !handle->valid()) continue;
    try {
      handle->close(fmt::format("closing object {} of file '{}'", handle->get(), path));
    } catch (const std::exception& e) {
      failures += std::string(failures.empty() ? "" : "\n") + e.what();
    }
  }
  objects_.clear();
  return failures;
}

std::pair<std::uint64_t, bool> State::check(std::uint64_t hash, bool leaving, const mpi::Bound* bound) {
  const auto size = static_cast<std::uint64_t>(comm->size());
  // Nonblocking on every rank (they match only each other), so that a leaving rank can bound its wait.
  std::array<std::uint64_t, 3> seen{hash, ~hash, ~(leaving ? static_cast<std::uint64_t>(comm->rank()) : size)};
  comm->max_nonblocking(seen, bound);
  return {~seen[2], seen[0] == ~seen[1]};
}

std::string State::close_together(std::uint64_t leaver, const std::string& reason) {
  const std::string shared = comm->broadcast_text(reason, static_cast<int>(leaver));
  closed = true;
  std::string failures = close_objects();
  try {
    file.close(fmt::format("closing file '{}'", path));  // collective: every rank is here
  } catch (const std::exception& e) {
    failures += std::string(failures.empty() ? "" : "\n") + e.what();
  }
  return fmt::format(
      "file '{}' ({} driver): rank {} left the file with an exception: {}. The file is closed on "
      "every rank{}",
      path, access->name(), leaver, shared, failures.empty() ? "" : "; closing it failed: " + failures);
}

void State::leave(const std::string& reason) noexcept {
  try {
    const mpi::Bound bound(
        fmt::format("leaving file '{}' ({} driver) after an exception ({})", path, access->name(), reason));
    const auto [leaver, agree] = check(0, true, &bound);
    (void)agree;
    const std::string message = close_together(leaver, reason);
    if (message.find("closing it failed") != std::string::npos) std::fprintf(stderr, "h5mf: %s\n", message.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "h5mf: while leaving file '%s' after an exception: %s\n", path.c_str(), e.what());
  }
}

void State::collective(const std::function<Call()>& describe, const std::function<void()>& step) {
  if (comm->is_parallel()) {
    const Call call = describe();
    format::Checksum hash;
    hash.update(std::as_bytes(std::span(call.text.data(), call.text.size())));
    hash.update(call.args);
    const auto [leaver, agree] = check(hash.digest(), false, nullptr);
    if (leaver != static_cast<std::uint64_t>(comm->size())) throw CollectiveMismatch(close_together(leaver, ""));
    if (!agree) {
      throw CollectiveMismatch(fmt::format(
          "file '{}' ({} driver): the ranks made different collective calls; rank {} of {} called {}. Group, "
          "dataset, attribute, resize, flush and close calls must be made by every rank with the same arguments, "
          "in the same order",
          path, access->name(), comm->rank(), comm->size(), call.text));
    }
  }
  mpi::on_all(*comm, step);
}

std::string State::where(const std::string& object) const { return fmt::format("'{}' in file '{}'", object, path); }

namespace {

class Hdf5FileDriver final : public FileDriver {
 public:
  explicit Hdf5FileDriver(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Hdf5FileDriver(const Hdf5FileDriver&) = delete;
  Hdf5FileDriver& operator=(const Hdf5FileDriver&) = delete;
  ~Hdf5FileDriver() override { abandon(); }

  std::string name() const override { return state_->access->name(); }
  std::string path() const override { return state_->path; }
  std::shared_ptr<GroupNode> root() override { return open_root(state_); }
  bool writable() const override { return state_->writable(); }

  void flush() override {
    if (!writable()) return;  // the same on every rank: the mode is
    state_->collective("flush()", [&] { write_out(); });
  }

  void close() override {
    if (state_->closed) return;
    state_->collective("close()", [&] {
      if (writable() && state_->options.sync) write_out();
      const std::string failures = state_->close_objects();
      state_->file.close(fmt::format("closing file '{}'", state_->path));
      if (!failures.empty()) throw IoError(failures);
    });
    // On failure `closed` stays false and the destructor's abandon() cleans up what is left.
    state_->closed = true;
  }

  // A rank leaving on an exception: with mpio over several ranks, the others' next collective call
  // of this file (close(), flush(), a structure call) closes it together with this one and fails
  // with an error naming this rank; elsewhere the same as abandon().
  void leave(const std::string& reason) noexcept override {
    if (state_->closed) return;
    if (state_->access->closes_locally() || !state_->comm->is_parallel() || !state_->file.valid() ||
        !mpi::mpi_initialised()) {
      abandon();
      return;
    }
    state_->leave(reason);
  }

  // Local clean-up only. The objects are closed; the file too when this process may close it on
  // its own. With mpio over several ranks H5Fclose is collective and HDF5 has no local close, so
  // the file id is left open (HDF5 closes it at exit) rather than risk hanging the other ranks.
  void abandon() noexcept override {
    if (state_->closed) return;
    state_->closed = true;
    try {
      const std::string failures = state_->close_objects();
      if (!failures.empty()) warn(failures);
      if (!state_->file.valid()) return;
      if (state_->access->closes_locally()) {
        state_->file.close(fmt::format("closing file '{}'", state_->path));
      } else {
        warn(
            fmt::format("file '{}' (mpio driver, rank {} of {}) was not closed with close(); closing it is a "
                        "collective call, so it is left open and its last changes may be lost",
                        state_->path, state_->comm->rank(), state_->comm->size()));
        (void)state_->file.release();
      }
    } catch (const std::exception& e) {
      warn(e.what());
    }
  }

  bool atomic() const override { return state_->access->atomic(state_->file.get()); }
  void set_atomic(bool atomic) override {
    state_->collective(fmt::format("set_atomic({})", atomic),
                       [&] { state_->access->set_atomic(state_->file.get(), atomic); });
  }
  int writer() const override { return state_->comm->rank(); }
  int writers() const override { return state_->comm->size(); }

 private:
  void write_out() {
    check(H5Fflush(state_->file.get(), H5F_SCOPE_GLOBAL),
          [&] { return fmt::format("flushing file '{}'", state_->path); });
    if (state_->options.sync) state_->access->sync(state_->file.get(), state_->path);
  }

  std::shared_ptr<State> state_;
};

// What opening does, decided on rank 0 and shared.
enum class Action : std::uint8_t { OpenReadOnly, OpenReadWrite, CreateTruncate, CreateExclusive };

void require_hdf5(const std::string& path) {
  if (!container::looks_like_hdf5(path)) {
    throw FormatError(fmt::format("'{}' is not an HDF5 file (no HDF5 signature found)", path));
  }
}

// h5py's mode rules, with errors that name the file.
Action plan(const std::string& path, Mode mode) {
  namespace fs = std::filesystem;
  if (container::Layout(path).is_container()) {
    throw InvalidArgument(fmt::format(
        "'{}' is an h5mf container directory, not an HDF5 file: open it with the multifile driver (or 'auto'), or "
        "turn it into one with 'h5mf merge'",
        path));
  }
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error && status.type() != fs::file_type::not_found) {
    throw IoError(fmt::format("cannot examine '{}': {}", path, error.message()));
  }
  const bool exists = fs::exists(status);
  if (exists && fs::is_directory(status)) {
    throw InvalidArgument(fmt::format("'{}' is a directory, not an HDF5 file", path));
  }
  switch (mode) {
    case Mode::Read:
    case Mode::ReadWrite:
      if (!exists) throw NotFound(fmt::format("file '{}' not found (mode '{}')", path, to_string(mode)));
      require_hdf5(path);
      return mode == Mode::Read ? Action::OpenReadOnly : Action::OpenReadWrite;
    case Mode::Truncate: return Action::CreateTruncate;
    case Mode::Exclusive:
      if (exists) {
        throw AlreadyExists(
            fmt::format("file '{}' already exists (mode '{}' only creates new files)", path, to_string(mode)));
      }
      return Action::CreateExclusive;
    case Mode::Append:
      if (!exists) return Action::CreateExclusive;
      require_hdf5(path);
      return Action::OpenReadWrite;
  }
  throw InvalidArgument(fmt::format("file '{}': unknown mode", path));
}

Handle open_file(const std::string& path, Mode mode, Action action, const Access& access) {
  const Handle fapl = access.file_access();
  hid_t id = H5I_INVALID_HID;
  switch (action) {
    case Action::OpenReadOnly: id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()); break;
    case Action::OpenReadWrite: id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()); break;
    case Action::CreateTruncate: id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()); break;
    case Action::CreateExclusive: id = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()); break;
  }
  const bool opening = action == Action::OpenReadOnly || action == Action::OpenReadWrite;
  const std::string what = fmt::format("{} file '{}' (mode '{}', {} driver)", opening ? "opening" : "creating", path,
                                       to_string(mode), access.name());
  if (id < 0 && action == Action::CreateExclusive && std::filesystem::exists(path)) {
    hdf5::error_stack();
    throw AlreadyExists(fmt::format("{}: it was created by someone else meanwhile", what));
  }
  return Handle(check_id(id, what));
}

// The writer options describe independent processes (multifile); here the writers are the ranks.
void check_writer_options(const std::string& path, const FileOptions& options, const mpi::Comm& comm,
                          const std::string& driver) {
  if ((options.writers > 0 && options.writers != comm.size()) ||
      (options.writer >= 0 && options.writer != comm.rank())) {
    throw InvalidArgument(fmt::format(
        "file '{}': with the {} driver the writers are the ranks of the communicator (this is rank {} of {}); "
        "writers = {} and writer = {} describe independent processes, which need the multifile driver",
        path, driver, comm.rank(), comm.size(), options.writers, options.writer));
  }
}

std::shared_ptr<mpi::Comm> mpio_comm(const std::string& path, const FileOptions& options) {
  if (!mpi::mpi_initialised()) {
    throw InvalidArgument(
        fmt::format("file '{}': the mpio driver needs MPI: call MPI_Init and pass a communicator", path));
  }
  return mpi::duplicate(options.comm != MPI_COMM_NULL ? options.comm : MPI_COMM_SELF);
}

void check_sec2_comm(const std::string& path, const FileOptions& options) {
  if (options.comm == MPI_COMM_NULL) return;
  if (!mpi::mpi_initialised()) {
    throw InvalidArgument(fmt::format("file '{}': an MPI communicator was given but MPI is not initialised", path));
  }
  int size = 0;
  mpi::check(MPI_Comm_size(options.comm, &size), "MPI_Comm_size");
  if (size > 1) {
    throw InvalidArgument(fmt::format(
        "file '{}': the sec2 driver is serial HDF5 for one process, but the communicator has {} ranks; use the "
        "mpio driver (one shared file) or the multifile driver",
        path, size));
  }
}

}  // namespace
}  // namespace hdf5_driver

std::unique_ptr<FileDriver> open_hdf5(const std::string& path, Mode mode, const FileOptions& options, Driver which) {
  using namespace hdf5_driver;
  hdf5::silence_hdf5_errors();
  if (which != Driver::Sec2 && which != Driver::Mpio) {
    throw InvalidArgument(
        fmt::format("file '{}': open_hdf5 serves the sec2 and mpio drivers, not {}", path, to_string(which)));
  }
  auto state = std::make_shared<State>();
  state->path = path;
  state->mode = mode;
  state->options = options;
  if (which == Driver::Mpio) {
    state->comm = mpio_comm(path, options);
    state->access = std::make_unique<MpioAccess>(state->comm);
  } else {
    check_sec2_comm(path, options);
    state->comm = mpi::serial();
    state->access = std::make_unique<Sec2Access>();
  }
  check_writer_options(path, options, *state->comm, state->access->name());

  // Opening is collective: every rank must open the same file the same way. Rank 0 applies the
  // mode rules (one view of the file system, and no race with a rank that already created it).
  state->collective(fmt::format("open file '{}' (mode '{}')", path, to_string(mode)), [] {});
  Action action = Action::OpenReadOnly;
  mpi::on_root(*state->comm, 0, [&] { action = plan(path, mode); });
  std::vector<std::byte> shared{static_cast<std::byte>(action)};
  state->comm->broadcast(shared, 0);
  action = static_cast<Action>(shared.at(0));
  try {
    mpi::on_all(*state->comm, [&] { state->file = open_file(path, mode, action, *state->access); });
  } catch (...) {
    // Another rank failed: closing here would be a collective call that rank never makes.
    if (state->file.valid() && !state->access->closes_locally()) (void)state->file.release();
    throw;
  }
  auto driver = std::make_unique<Hdf5FileDriver>(state);
  if (options.atomic) driver->set_atomic(true);
  return driver;
}

std::string file_image_refusal(const std::string& path) {
  return fmt::format(
      "'{}' is a file-image container, written through h5mf's HDF5 file driver: read it through that "
      "driver (h5mf ls, h5mf dump, h5mf exec -- h5dump) or merge it first (h5mf merge)",
      path);
}

std::unique_ptr<FileDriver> open_file_image(const std::string& path, Mode mode, const FileOptions& options) {
  using namespace hdf5_driver;
  hdf5::silence_hdf5_errors();
  if (!options.image_driver) throw Unsupported(file_image_refusal(path));
  if (mode != Mode::Read) {
    throw Unsupported(
        fmt::format("'{}' is a file-image container: h5mf opens it read-only (mode 'r', not '{}'); "
                    "programs write it through HDF5 with the h5mf file driver (h5mf exec)",
                    path, to_string(mode)));
  }
  check_sec2_comm(path, options);
  auto state = std::make_shared<State>();
  state->path = path;
  state->mode = mode;
  state->options = options;
  state->comm = mpi::serial();
  state->access = std::make_unique<ImageDriverAccess>(options.image_driver);
  check_writer_options(path, options, *state->comm, state->access->name());
  state->file = open_file(path, mode, Action::OpenReadOnly, *state->access);
  return std::make_unique<Hdf5FileDriver>(state);
}

}  // namespace h5mf::driver
