#include "hdf5/handle.hpp"

#include <cctype>
#include <mutex>
#include <string>

#include "h5mf/error.hpp"

namespace h5mf::hdf5 {

namespace {

// Every HDF5 API call clears the error stack on entry. Cleanup code that runs between a failing
// call and the check that reports it (a destructor during unwinding, for instance) would otherwise
// wipe the stack the report needs; this keeps the stack exactly as it was on entry.
class PreserveErrorStack {
 public:
  PreserveErrorStack() {
    if (H5Eget_num(H5E_DEFAULT) > 0) saved_ = H5Eget_current_stack();  // also clears it
  }
  ~PreserveErrorStack() {
    if (saved_ >= 0) {
      H5Eset_current_stack(saved_);  // replaces the stack and closes `saved_`
    } else if (H5Eget_num(H5E_DEFAULT) > 0) {
      H5Eclear2(H5E_DEFAULT);  // errors of our own cleanup are nobody's business
    }
  }
  PreserveErrorStack(const PreserveErrorStack&) = delete;
  PreserveErrorStack& operator=(const PreserveErrorStack&) = delete;

 private:
  hid_t saved_ = H5I_INVALID_HID;
};

// Releases one reference without reporting: for destructors and move assignment.
void drop_reference(hid_t id) noexcept {
  if (id < 0) return;
  silence_hdf5_errors();
  const PreserveErrorStack keep;
  if (H5Iis_valid(id) > 0) H5Idec_ref(id);
}

// HDF5 descriptions sometimes span lines (H5F_open puts a ctime() string in them).
void append_one_line(std::string& out, const char* text) {
  bool pending_space = false;
  for (const char* p = text; *p != '\0'; ++p) {
    if (std::isspace(static_cast<unsigned char>(*p)) != 0) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && out.back() != ' ') out += ' ';
    pending_space = false;
    out += *p;
  }
}

herr_t append_entry(unsigned position, const H5E_error2_t* entry, void* data) {
  auto& out = *static_cast<std::string*>(data);
  if (position > 0) out += " <- ";
  out += entry->func_name != nullptr ? entry->func_name : "?";
  out += "()";
  if (entry->desc != nullptr && entry->desc[0] != '\0') {
    out += ": ";
    append_one_line(out, entry->desc);
  }
  return 0;
}

std::string failure_message(std::string_view what) {
  std::string stack = error_stack();
  if (stack.empty()) stack = "HDF5 call failed without an error stack";
  return std::string(what) + ": " + stack;
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) drop_reference(std::exchange(id_, std::exchange(o.id_, H5I_INVALID_HID)));
  return *this;
}

Handle::~Handle() { drop_reference(id_); }

void Handle::close(const std::string& what) {
  if (id_ < 0) return;
  // Give up our claim first: after a failed close the id is in an unknown state anyway.
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  silence_hdf5_errors();
  if (H5Idec_ref(id) < 0) throw IoError(failure_message(what));
}

void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

std::string error_stack() {
  silence_hdf5_errors();
  std::string out;
  // Downward: the API function the caller called first, then its callees, down to the cause.
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, append_entry, &out);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

void fail(std::string_view what) { throw IoError(failure_message(what)); }

}  // namespace h5mf::hdf5
