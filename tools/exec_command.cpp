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
#include <fstream>
#include <iterator>
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
  throw NotFound(
      fmt::format("cannot find the h5mf file driver library {} beside '{}' nor in '{}'; set "
                  "H5MF_VFD_LIBRARY to its path",
                  H5MF_VFD_SONAME, exe.string(), H5MF_INSTALL_FULL_LIBDIR));
}

// The program's file, as execvp would find it.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = (end > start ? dirs.substr(start, end - start) : ".") + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// A program with HDF5 linked into it (Debian's h5pcc and h5pfc do that by default) calls its own
// copy, which no preload can replace: it would write with mpio while the user expects a container.
// The sign: HDF5's version string inside an executable that does not load libhdf5 dynamically.
void warn_if_static_hdf5(const std::string& name) {
  const std::string file = resolve_program(name);
  std::error_code error;
  if (file.empty() || std::filesystem::file_size(file, error) > (std::uintmax_t{1} << 30)) return;
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.rfind("\x7f"
                  "ELF",
                  0) != 0)
    return;  // a script: its interpreter loads HDF5 dynamically
  // A dynamically linked program names the shared library it needs: libhdf5*.so* (the string
  // "libhdf5" alone also appears inside a static HDF5, in "libhdf5_settings").
  bool needs_shared = false;
  for (std::size_t at = bytes.find("libhdf5"); at != std::string::npos && !needs_shared;
       at = bytes.find("libhdf5", at + 1)) {
    const std::size_t name_end = bytes.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789", at + 7);
    needs_shared = name_end != std::string::npos && bytes.compare(name_end, 3, ".so") == 0;
  }
  if (bytes.find("HDF5 library version:") != std::string::npos && !needs_shared) {
    fmt::print(stderr,
               "h5mf exec: warning: '{}' has HDF5 linked into it statically, so the h5mf driver cannot take the "
               "place of the mpio driver in it; link HDF5 as a shared library (h5pcc -shlib, CMake, pkg-config)\n",
               file);
  }
}

}  // namespace

Command add_exec_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "exec",
      "Run an unmodified HDF5 program with the h5mf file driver: its H5Pset_fapl_mpio (C, Fortran, "
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
  warn_if_static_hdf5(words.front());
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
