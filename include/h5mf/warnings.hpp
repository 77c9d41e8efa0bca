// Library warnings: what went wrong without stopping the work (records dropped from a damaged
// container, a setting ignored). They go through one handler, which an application may replace:
// to log them its own way, count them, or turn them into errors at its next step. The Python
// package installs one that issues them as h5mf.H5mfWarning through the `warnings` module.
#pragma once

#include <functional>
#include <string>

namespace h5mf {

// Called with the message (no prefix, no newline), from whichever thread warns, one call at a
// time. It must not throw: warnings are given where the library cannot stop (closing files,
// destructors); if it throws anyway, the message goes to stderr as by the default handler.
using WarningHandler = std::function<void(const std::string& message)>;

// Installs `handler` for the whole process and returns the one it replaces. An empty handler
// restores the default, which prints "h5mf: warning: <message>" to stderr.
WarningHandler set_warning_handler(WarningHandler handler);

// Gives `message` to the handler.
void warn(const std::string& message) noexcept;

}  // namespace h5mf
