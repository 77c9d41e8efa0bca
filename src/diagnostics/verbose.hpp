// H5MF_VERBOSE=1 (`h5mf -v`): lines on stderr, "h5mf: <what>", saying what the library does
// (containers opened, records loaded, flushes, merge phases). Off, a call costs one load and a
// branch: the arguments are formatted only when the lines are wanted. Events that every rank of a
// job goes through are told by rank 0 alone (`rank` given): one line per event, not per rank.
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

namespace h5mf::diagnostics {

// Whether H5MF_VERBOSE is set to something other than "" or "0" (read once).
bool verbose_enabled();

// Writes "h5mf: <line>\n" to stderr in one piece.
void verbose_line(const std::string& line);

template <class... Args>
void verbose(fmt::format_string<Args...> format, Args&&... args) {
  if (verbose_enabled()) verbose_line(fmt::format(format, std::forward<Args>(args)...));
}

// A collective event: told by rank 0 only.
template <class... Args>
void verbose_collective(int rank, fmt::format_string<Args...> format, Args&&... args) {
  if (rank == 0 && verbose_enabled()) verbose_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace h5mf::diagnostics
