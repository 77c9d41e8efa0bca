// Where things are in a container directory (seed 003's layout) and beside it during a merge.
#pragma once

#include <cstdint>
#include <string>

namespace h5mf::container {

class Layout {
 public:
  // `path` is the container's path as the user named it; trailing slashes are ignored (seed 003's
  // tools accept "data.h5/" as well as "data.h5").
  explicit Layout(std::string path);

  const std::string& path() const { return path_; }
  std::string metafile() const { return path_ + "/metafile"; }
  std::string data_file(std::uint32_t writer) const;   // "<path>/<w>"
  std::string index_file(std::uint32_t writer) const;  // "<path>/<w>.offset"
  // A file-image container's HDF5 metadata at its file addresses (docs/format.md).
  std::string image() const { return path_ + "/" + kImageName; }
  static constexpr const char* kImageName = "image";
  // The image as of the last completed flush of a job that has not closed (written by the file
  // driver at each flush, removed at close): what a merge after a crash starts from.
  std::string image_snapshot() const { return path_ + "/" + kImageSnapshotName; }
  static constexpr const char* kImageSnapshotName = "image.flushed";
  // Beside the container (docs/format.md, "atomic replacement").
  std::string merge_temporary() const { return path_ + ".h5mf-tmp"; }
  std::string replaced_container() const { return path_ + ".h5mf-old"; }

  // True when `path` is a directory holding a metafile.
  bool is_container() const;

 private:
  std::string path_;
};

}  // namespace h5mf::container
