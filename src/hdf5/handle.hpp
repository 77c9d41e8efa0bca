// RAII for HDF5 identifiers, and one checked wrapper per HDF5 call pattern: a failing call throws
// IoError whose message names the operation, the object and HDF5's own error stack.
#pragma once

#include <hdf5.h>

#include <concepts>
#include <string>
#include <string_view>
#include <utility>

namespace h5mf::hdf5 {

// Owns one reference to an HDF5 id of any kind (file, group, dataset, dataspace, type, plist,
// attribute); move-only. The destructor never throws; close() reports errors.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
  // Closes now and throws IoError naming `what` if HDF5 fails (a file close flushes).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's automatic printing of error stacks (we throw with the stack instead). Called
// once, idempotent.
void silence_hdf5_errors();

// The current HDF5 error stack as one line ("H5Dcreate2(): unable to create dataset <- ..."), empty
// if none. Clears the stack.
std::string error_stack();

// Throws IoError("<what>: <HDF5 error stack>").
[[noreturn]] void fail(std::string_view what);

// Throw IoError("<what>: <HDF5 error stack>") when `status` < 0; otherwise return it. `what` is a
// text, or a function that makes it: called only on failure, so that a message naming an object
// (describing a type takes dozens of HDF5 calls) costs nothing on success.
inline hid_t check_id(hid_t id, std::string_view what) {
  if (id < 0) fail(what);
  return id;
}
inline herr_t check(herr_t status, std::string_view what) {
  if (status < 0) fail(what);
  return status;
}
// For htri_t results: throws on < 0, returns the boolean.
inline bool check_bool(htri_t status, std::string_view what) {
  if (status < 0) fail(what);
  return status > 0;
}
template <std::invocable MakeWhat>
hid_t check_id(hid_t id, MakeWhat&& what) {
  if (id < 0) fail(what());
  return id;
}
template <std::invocable MakeWhat>
herr_t check(herr_t status, MakeWhat&& what) {
  if (status < 0) fail(what());
  return status;
}
template <std::invocable MakeWhat>
bool check_bool(htri_t status, MakeWhat&& what) {
  if (status < 0) fail(what());
  return status > 0;
}

}  // namespace h5mf::hdf5
