#include "h5mf/file.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "api/file_state.hpp"
#include "h5mf/warnings.hpp"

namespace h5mf {
namespace {

std::shared_ptr<detail::FileState> open_state(const std::string& path, Mode mode, const FileOptions& options) {
  auto state = std::make_shared<detail::FileState>();
  state->driver = driver::open(path, mode, options);
  state->path = state->driver->path();
  state->mode = mode;
  return state;
}

}  // namespace

File::File(const std::string& path, Mode mode, const FileOptions& options)
    : Group(open_state(path, mode, options), nullptr) {
  node_ = file_->driver->root();
}

File::~File() {
  if (!file_ || !file_->open) return;
  const bool unwinding = std::uncaught_exceptions() > 0;
  if (file_->driver->writers() > 1 && file_->driver->writable()) {
    try {
      warn(
          fmt::format("file '{}' was not closed (writer {} of {}){}; it is given up as after an error "
                      "(File::abandon). Call close() on every writer.",
                      file_->path, file_->driver->writer(), file_->driver->writers(),
                      unwinding ? " while an exception unwound the stack" : ""));
    } catch (...) {  // out of memory for the message: a destructor must not throw
    }
  }
  abandon(unwinding ? "an exception unwound the stack past its File" : "its File was destroyed without close()");
}

void File::abandon(const std::string& reason) noexcept {
  if (!file_ || !file_->open) return;
  file_->open = false;
  file_->driver->leave(reason);
}

void File::flush() { file_->checked().flush(); }

void File::close() {
  if (!file_ || !file_->open) return;
  file_->open = false;  // even if close throws: the driver is not usable after a failed close
  file_->driver->close();
}

bool File::is_open() const { return file_ && file_->open; }
std::string File::filename() const { return file_->path; }
std::string File::driver() const { return file_->driver->name(); }
Mode File::mode() const { return file_->mode; }
bool File::atomic() const { return file_->checked().atomic(); }
void File::set_atomic(bool atomic) { file_->checked().set_atomic(atomic); }
int File::writer() const { return file_->driver->writer(); }
int File::writers() const { return file_->driver->writers(); }

}  // namespace h5mf
