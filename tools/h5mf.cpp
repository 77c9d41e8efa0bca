// The h5mf command-line tool: each subcommand is a thin layer over the library.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench/commands.hpp"
#include "command.hpp"
#include "h5mf/error.hpp"

namespace {

// `h5mf --version`: h5mf's version and the HDF5 and MPI libraries it runs on (not those it was
// built with: the loaded ones), e.g. "h5mf 0.1.0 (HDF5 1.10.8 parallel, Open MPI v4.1.4)".
std::string version_line() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
#ifdef H5_HAVE_PARALLEL
  constexpr std::string_view hdf5_kind = " parallel";
#else
  constexpr std::string_view hdf5_kind = "";
#endif
  // Callable before MPI_Init (MPI-3); the first clause names the library and its version.
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(mpi, &length);
  std::string mpi_name(mpi, static_cast<std::size_t>(std::max(length, 0)));
  mpi_name = mpi_name.substr(0, mpi_name.find_first_of(",\n"));
  return fmt::format("h5mf {} (HDF5 {}.{}.{}{}, {})", H5MF_VERSION, major, minor, release, hdf5_kind, mpi_name);
}

}  // namespace

int main(int argc, char** argv) {
  // The tool links the HDF5 file driver (ls and dump read file-image containers through it), and
  // with it the functions that switch a program's HDF5 files to that driver when HDF5_DRIVER=h5mf
  // (src/vfd/interpose.cpp). The tool picks its drivers itself: a job's HDF5_DRIVER must not turn
  // the file a merge writes into a container. (`exec` sets it again for the program it runs.)
  ::unsetenv("HDF5_DRIVER");
  CLI::App app{"h5mf: many processes write one HDF5 file"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());
  // -v anywhere on the line (before or after the subcommand): H5MF_VERBOSE=1 for the library.
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose,
               "Say what the library does on stderr (containers opened, records loaded, flushes, merge phases); "
               "the same as H5MF_VERBOSE=1");
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success; 1 an error (usage, a path that cannot be used, I/O); 2 damage found "
      "(merge, verify, view: the output was made without the damaged records).");
  const std::vector<h5mf::tools::Command> commands = {
      h5mf::tools::add_merge_command(app),  h5mf::tools::add_ls_command(app),   h5mf::tools::add_dump_command(app),
      h5mf::tools::add_bench_command(app),  h5mf::tools::add_view_command(app), h5mf::tools::add_verify_command(app),
      h5mf::tools::add_growth_command(app), h5mf::tools::add_exec_command(app),
  };
  // A first word that is no subcommand: say which it was and what there is (CLI11 would only say
  // that a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view word = argv[1];
    const bool known = std::any_of(commands.begin(), commands.end(),
                                   [&](const auto& command) { return command.app->get_name() == word; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& command : commands) names.push_back(command.app->get_name());
      fmt::print(stderr, "h5mf: unknown subcommand '{}' (one of: {}); see h5mf --help\n", word, fmt::join(names, ", "));
      return 1;
    }
  }
  // `exec` takes the rest of the line as it is: the program's options are not h5mf's.
  if (argc > 2 && std::string_view(argv[1]) == "exec" && std::string_view(argv[2]) != "--help" &&
      std::string_view(argv[2]) != "-h") {
    try {
      return h5mf::tools::run_exec(std::vector<std::string>(argv + 2, argv + argc));
    } catch (const h5mf::Error& e) {
      fmt::print(stderr, "h5mf exec: {}\n", e.what());
      return 1;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; every usage error is exit code 1.
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (verbose) ::setenv("H5MF_VERBOSE", "1", 1);  // before the library's first look at it
  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    // One message for a missing PATH, whichever command was given it.
    if (const CLI::Option* path = command.app->get_option_no_throw("path"); path && path->count() > 0) {
      const std::string given = path->as<std::string>();
      std::error_code error;
      // A path that is gone may still be found through what stands beside it: the container of
      // an HDF5 file, or the leftovers of an interrupted merge, which the command then finishes.
      auto beside = [&](const char* suffix) {
        std::string stem = given;
        while (stem.size() > 1 && stem.back() == '/') stem.pop_back();
        return std::filesystem::exists(stem + suffix, error);
      };
      if (!std::filesystem::exists(given, error) && !beside(".h5mf") && !beside(".h5mf-old") && !beside(".h5mf-tmp")) {
        fmt::print(stderr, "h5mf {}: '{}' does not exist\n", command.app->get_name(), given);
        return 1;
      }
    }
    try {
      return command.run();
    } catch (const h5mf::Error& e) {
      fmt::print(stderr, "h5mf {}: {}\n", command.app->get_name(), e.what());
      return 1;
    } catch (const std::bad_alloc&) {
      // A hostile file can still ask for more memory than there is: an error, not an abort.
      fmt::print(stderr, "h5mf {}: out of memory\n", command.app->get_name());
      return 1;
    }
  }
  return 0;
}
