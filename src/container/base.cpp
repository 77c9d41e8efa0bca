#include "container/base.hpp"

#include <stdio.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>

#include "container/merge_marker.hpp"
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
  r.mtime_ns =
      static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  return r;
}

void check_base_unchanged(const Layout& layout, const format::BaseRecord& base) {
  const std::string path = base_path(layout, base);
  if (!exists(path)) {
    throw FormatError(fmt::format("container '{}' extends '{}', which no longer exists", layout.path(), path));
  }
  const format::BaseRecord now = describe_base(path);
  if (now.size != base.size || now.mtime_ns != base.mtime_ns) {
    throw FormatError(
        fmt::format("container '{}' extends '{}', which changed since the container was made (size {} then, {} now; "
                    "modified at {} ns then, {} ns now): its records no longer describe a known state of the file",
                    layout.path(), path, base.size, now.size, base.mtime_ns, now.mtime_ns));
  }
}

std::string base_merge_temporary(const std::string& base) { return base + ".h5mf-tmp"; }
std::string base_merge_marker(const Layout& layout) { return merge_marker_path(layout.path()); }

std::string replace_base_with_file(const Layout& layout, const std::string& base, const format::ContainerId& id) {
  const std::string temporary = base_merge_temporary(base);
  write_merge_marker(layout.path(), describe_merge_output(temporary, id));
  if (::rename(temporary.c_str(), base.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", temporary, base, errno_text(errno)));
  }
  sync_directory(parent_of(base));
  return layout.path();
}

Recovery recover_interrupted_base_merge(const Layout& layout, const std::string& base) {
  Recovery out;
  const std::string temporary = base_merge_temporary(base);
  const Layout plain(base);  // `base` may be what a plain merge of that path made
  if (is_directory(temporary) || is_directory(plain.replaced_container())) out.add(recover_interrupted_merge(plain));
  const std::string& dir = layout.path();
  if (!is_directory(dir)) return out;
  const std::string marker = base_merge_marker(layout);
  // Killed between the marker and the rename: the marker names the complete copy.
  if (is_regular_file(marker) && is_regular_file(temporary) && merge_unproven(dir, temporary).empty()) {
    if (::rename(temporary.c_str(), base.c_str()) != 0) {
      throw IoError(fmt::format("cannot rename '{}' to '{}': {}", temporary, base, errno_text(errno)));
    }
    sync_directory(parent_of(base));
    out.done.push_back(fmt::format("finished an interrupted merge: moved '{}' to '{}'", temporary, base));
  }
  if (is_regular_file(marker)) {
    const std::string why = merge_unproven(dir, base);
    if (why.empty()) {
      remove_finished_container(dir);
      out.done.push_back(fmt::format("removed '{}', the container of a finished merge into '{}'", dir, base));
      return out;
    }
    out.left.push_back(
        fmt::format("left '{}' in place: it is not proven to be the container of a finished merge "
                    "into '{}': {}",
                    dir, base, why));
  }
  if (is_regular_file(temporary)) {
    // The caller holds the container: the merge that wrote this is over and did not finish.
    remove_file(temporary);
    out.done.push_back(fmt::format("removed '{}', the output of an interrupted merge", temporary));
  }
  return out;
}

}  // namespace h5mf::container
