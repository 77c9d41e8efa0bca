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
  // from an exception on one rank) gives the file up with abandon(), and warns on stderr in a
  // parallel job.
  ~File();

  void flush();  // collective
  void close();  // collective; idempotent
  // Gives the file up because of an error on this process (`reason`, e.g. the exception's text);
  // never throws. This process's buffers are written out and what it wrote stays in the container.
  // In an MPI job (a writable multifile container, or mpio) it also makes the collective call that
  // the other ranks' close() or flush() (mpio: any collective call) starts with, saying that it
  // leaves: their call then fails with CollectiveMismatch naming this rank and `reason` instead of
  // hanging (mpio: after closing the file together). It waits for them at most
  // H5MF_COLLECTIVE_TIMEOUT seconds (default 60), then aborts the job (they may be stuck in
  // another collective call that this process skipped).
  void abandon(const std::string& reason = "an error") noexcept;
  bool is_open() const;

  std::string filename() const;
  std::string driver() const;  // "multifile", "mpio", "sec2"
  Mode mode() const;
  bool atomic() const;
  void set_atomic(bool atomic);  // collective
  int writer() const;            // this process's writer id
  int writers() const;           // number of writers in this session
};

}  // namespace h5mf
