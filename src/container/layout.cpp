#include "container/layout.hpp"

#include "container/posix_file.hpp"

namespace h5mf::container {

Layout::Layout(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

// Writer ids are numbers, so a file name built from one can never leave the directory.
std::string Layout::data_file(std::uint32_t writer) const { return path_ + "/" + std::to_string(writer); }

std::string Layout::index_file(std::uint32_t writer) const { return path_ + "/" + std::to_string(writer) + ".offset"; }

bool Layout::is_container() const { return is_directory(path_) && is_regular_file(metafile()); }

}  // namespace h5mf::container
