// A file: h5py's File. With the multifile driver the "file" is a container directory that many
// writers append to; `h5mf merge` (or merge()) turns it into one conventional HDF5 file.
#pragma once

#include <memory>
#include <string>

#include "h5mf/group.hpp"
#include "h5mf/options.hpp"

namespace h5mf {

class File : public Group {
 public:
  // Collective over `options.comm` when one is given.
  File(const std::string& path, Mode mode, const FileOptions& options = {});
  File(const std::string& path, std::string_view mode, const FileOptions& options = {})
      : File(path, parse_mode(mode), options) {}
  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;
  // Closing is an explicit, collective call. A File destroyed while open (say, while unwinding
  // from an exception on one rank) writes out its own buffers but makes no collective call, so it
  // cannot hang the other ranks; it warns on stderr when it had to do that in a parallel job.
  ~File();

  void flush();  // collective
  void close();  // collective; idempotent
  // Gives the file up without any collective call: this process's buffers are written out, nothing
  // else. For a rank that must leave (an exception, a failed step) while the others go on; what it
  // wrote stays in the container. The destructor of an open File does this too.
  void abandon() noexcept;
  bool is_open() const;

  std::string filename() const;
  std::string driver() const;  // "multifile", "mpio", "sec2"
  Mode mode() const;
  bool atomic() const;
  void set_atomic(bool atomic);  // collective
  int writer() const;    // this process's writer id
  int writers() const;   // number of writers in this session
};

}  // namespace h5mf
