#include "container/base.hpp"

#include <stdio.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>

#include "container/posix_file.hpp"
#include "container/replace.hpp"
#include "h5mf/error.hpp"

namespace h5mf::container {
namespace {

std::string parent_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

Location locate(const std::string& path) {
  Layout direct(path);
  if (direct.is_container() || !looks_like_hdf5(direct.path())) return {direct, std::nullopt};
  return {Layout(direct.path() + ".h5mf"), direct.path()};
}

std::string base_path(const Layout& layout, const format::BaseRecord& base) {
  return (std::filesystem::path(parent_of(layout.path())) / base.file).string();
}

format::BaseRecord describe_base(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw IoError(fmt::format("cannot stat base file '{}': {}", path, errno_text(errno)));
  }
  format::BaseRecord r;
  r.file = std::filesystem::path(path).filename().string();
  r.size = static_cast<std::uint64_t>(st.st_size);
  r.mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  return r;
}

void check_base_unchanged(const Layout& layout, const format::BaseRecord& base) {
  const std::string path = base_path(layout, base);
  if (!exists(path)) {
    throw FormatError(fmt::format("container '{}' extends '{}', which no longer exists", layout.path(), path));
  }
  const format::BaseRecord now = describe_base(path);
  if (now.size != base.size || now.mtime_ns != base.mtime_ns) {
    throw FormatError(fmt::format(
        "container '{}' extends '{}', which changed since the container was made (size {} then, {} now; "
        "modified at {} ns then, {} ns now): its records no longer describe a known state of the file",
        layout.path(), path, base.size, now.size, base.mtime_ns, now.mtime_ns));
  }
}

std::string base_merge_temporary(const std::string& base) { return base + ".h5mf-tmp"; }
std::string base_merge_marker(const Layout& layout) { return layout.path() + "/merged"; }

std::string replace_base_with_file(const Layout& layout, const std::string& base) {
  const std::string temporary = base_merge_temporary(base);
  PosixFile(base_merge_marker(layout), PosixFile::Access::CreateTruncate).close();
  sync_directory(layout.path());
  if (::rename(temporary.c_str(), base.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", temporary, base, errno_text(errno)));
  }
  sync_directory(parent_of(base));
  return layout.path();
}

std::vector<std::string> recover_interrupted_base_merge(const Layout& layout, const std::string& base) {
  std::vector<std::string> done;
  const std::string temporary = base_merge_temporary(base);
  if (is_regular_file(base_merge_marker(layout))) {
    if (is_regular_file(temporary)) {
      if (::rename(temporary.c_str(), base.c_str()) != 0) {
        throw IoError(fmt::format("cannot rename '{}' to '{}': {}", temporary, base, errno_text(errno)));
      }
      done.push_back(fmt::format("finished an interrupted merge: moved '{}' to '{}'", temporary, base));
    }
    remove_tree(layout.path());
    done.push_back(fmt::format("removed '{}', the container of a finished merge", layout.path()));
  } else if (is_regular_file(temporary)) {
    remove_file(temporary);
    done.push_back(fmt::format("removed '{}', the output of an interrupted merge", temporary));
  }
  return done;
}

}  // namespace h5mf::container
