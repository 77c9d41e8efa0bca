// What the sec2/mpio driver and its nodes share: the open file, the communicator, the flavour of
// access, and every HDF5 id the driver opened (so that close() can close them before the file).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "driver/driver.hpp"
#include "format/encoding.hpp"
#include "hdf5/handle.hpp"
#include "mpi/bound.hpp"
#include "mpi/comm.hpp"

namespace h5mf::driver::hdf5_driver {

// The part in which sec2 and mpio differ: how the file access property list is made, how data
// moves, and what atomicity and a durable flush mean.
class Access {
 public:
  virtual ~Access() = default;
  virtual std::string name() const = 0;  // "sec2" or "mpio"
  virtual hdf5::Handle file_access() const = 0;
  // The transfer property list for H5Dread/H5Dwrite; an invalid handle means H5P_DEFAULT.
  virtual hdf5::Handle transfer(bool collective) const = 0;
  virtual bool atomic(hid_t file) const = 0;
  virtual void set_atomic(hid_t file, bool atomic) = 0;
  // After H5Fflush, when FileOptions::sync asks for data on stable storage.
  virtual void sync(hid_t file, const std::string& path) = 0;
  // Whether this process may close the file on its own (H5Fclose is collective with mpio).
  virtual bool closes_locally() const = 0;
};

struct State {
  std::string path;
  Mode mode = Mode::Read;
  FileOptions options;
  std::shared_ptr<mpi::Comm> comm;
  std::unique_ptr<Access> access;
  hdf5::Handle file;
  bool closed = false;

  bool writable() const { return mode != Mode::Read; }

  // Takes ownership of `id` (checked: a negative id throws IoError naming `what`) and remembers it
  // so that close() closes it before the file, however long the node holding it lives.
  std::shared_ptr<hdf5::Handle> track(hid_t id, const std::string& what);

  // Closes every tracked id. Returns the failures, one per line (empty: none); never throws.
  std::string close_objects();

  // A collective structure call (create, attribute, resize, flush, close, atomicity). With more
  // than one rank, first checks that every rank makes the same call (its description hashed):
  // mismatched metadata calls corrupt a parallel HDF5 file or hang, so they are refused on every
  // rank with CollectiveMismatch before they reach HDF5. Then runs `step`; if it fails on any
  // rank, every rank throws. `describe` runs only with more than one rank.
  struct Call {
    std::string text;    // for the message: "create group '/a'"
    format::Bytes args;  // what else must agree: encoded types, values
  };
  // A rank leaving the file on an exception (see leave()) makes the same check, saying so: then
  // every rank closes the file together there (H5Fclose is collective) and the others throw
  // CollectiveMismatch naming that rank and its exception.
  void collective(const std::function<Call()>& describe, const std::function<void()>& step);
  // That leaving rank's side (`reason`: its exception), its wait for the others bounded. Never throws.
  void leave(const std::string& reason) noexcept;
  void collective(const std::string& text, const std::function<void()>& step) {
    collective([&] { return Call{text, {}}; }, step);
  }

  // "'/a/b' in file 'x.h5'", for messages.
  std::string where(const std::string& object) const;

 private:
  // The check's allreduce: the call's hash, and whether this rank leaves; returns the lowest
  // leaving rank (size(): none) and whether the hashes agree.
  std::pair<std::uint64_t, bool> check(std::uint64_t hash, bool leaving, const mpi::Bound* bound);
  // Every rank, together, after `leaver` left: closes the file; its message on every rank.
  std::string close_together(std::uint64_t leaver, const std::string& reason);

  std::vector<std::weak_ptr<hdf5::Handle>> objects_;
  std::size_t prune_at_ = 64;
};

std::shared_ptr<GroupNode> open_root(const std::shared_ptr<State>& state);

}  // namespace h5mf::driver::hdf5_driver
