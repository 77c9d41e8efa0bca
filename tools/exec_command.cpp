// h5mf exec [--] PROGRAM [ARGS...]: runs an unmodified HDF5 program with the h5mf file driver
// (docs/file-driver.md): libh5mf_vfd preloaded and HDF5_DRIVER=h5mf, so that its
// H5Pset_fapl_mpio (C, Fortran, netCDF-4, h5py's driver='mpio') writes a container, and that
// h5dump, h5ls or h5py open a container before its merge. Under mpiexec, one per rank:
//   mpiexec -n 4 h5mf exec -- ./simulation out.h5
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "command.hpp"
#include "h5mf/error.hpp"

namespace h5mf::tools {
namespace {

// The driver library: H5MF_VFD_LIBRARY if set, else beside this executable (the build tree's
// lib/, or the installed library directory), else where it was installed.
std::string driver_library() {
  if (const char* given = std::getenv("H5MF_VFD_LIBRARY"); given != nullptr && *given != '\0') return given;
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto prefix = exe.parent_path().parent_path();
    for (const char* dir : {"lib", H5MF_INSTALL_LIBDIR}) {
      const auto candidate = prefix / dir / H5MF_VFD_SONAME;
      if (std::filesystem::exists(candidate, error)) return candidate.string();
    }
  }
  const std::string installed = std::string(H5MF_INSTALL_FULL_LIBDIR) + "/" + H5MF_VFD_SONAME;
  if (std::filesystem::exists(installed, error)) return installed;
  throw NotFound(fmt::format("cannot find the h5mf file driver library {} beside '{}' nor in '{}'; set "
                             "H5MF_VFD_LIBRARY to its path",
                             H5MF_VFD_SONAME, exe.string(), H5MF_INSTALL_FULL_LIBDIR));
}

}  // namespace

Command add_exec_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "exec", "Run an unmodified HDF5 program with the h5mf file driver: its H5Pset_fapl_mpio (C, Fortran, "
              "netCDF-4, h5py driver='mpio') writes a container; h5dump/h5ls/h5py read a container. "
              "Under mpiexec: mpiexec -n 4 h5mf exec -- ./app out.h5");
  app->add_option("program", "the program and its arguments (after --)")->expected(-1);
  // main() runs the command itself (run_exec): everything after `exec` is the program's, untouched.
  return {app, [] { return run_exec({}); }};
}

int run_exec(std::vector<std::string> words) {
            if (!words.empty() && words.front() == "--") words.erase(words.begin());
            if (words.empty()) {
              fmt::print(stderr, "h5mf exec: no program given (h5mf exec [--] PROGRAM [ARGS...])\n");
              return 1;
            }
            const std::string library = driver_library();
            const char* preload = std::getenv("LD_PRELOAD");
            const std::string joined = preload != nullptr && *preload != '\0' ? library + ":" + preload : library;
            ::setenv("LD_PRELOAD", joined.c_str(), 1);
            ::setenv("HDF5_DRIVER", "h5mf", 1);
            // Debian's h5py picks its serial or MPI build at import; the MPI one links the same
            // libhdf5 as the driver (a library loaded privately by an extension module is out of
            // the preload's reach).
            ::setenv("H5PY_ALWAYS_USE_MPI", "1", 0);
            std::vector<char*> argv;
            for (auto& w : words) argv.push_back(w.data());
            argv.push_back(nullptr);
            ::execvp(argv[0], argv.data());
            fmt::print(stderr, "h5mf exec: cannot run '{}': {}\n", words.front(), std::strerror(errno));
            return errno == ENOENT ? 127 : 126;
}

}  // namespace h5mf::tools
