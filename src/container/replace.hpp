// Replacing a container directory by the merged file at the same path, so that a crash at any
// moment leaves one of the two whole (docs/format.md, "atomic replacement"), and recognising what
// an interrupted replacement left behind.
#pragma once

#include <string>
#include <vector>

#include "container/layout.hpp"
#include "format/header.hpp"

namespace h5mf::container {

// `file` is a complete, synced HDF5 file at layout.merge_temporary(), made from the container
// whose id is `id`. Writes the completion marker (container/merge_marker.hpp) into the container,
// then makes layout.path() that file; the replaced container is at the path returned, for the
// caller to remove (remove_data_files by every rank, then remove_replaced_container); a crash
// before that leaves a leftover that recover_interrupted_merge recognises by its marker.
[[nodiscard]] std::string replace_container_with_file(const Layout& layout, const format::ContainerId& id);

// Removes the data file pairs (`<f>`, `<f>.offset`) of the container directory `dir` whose
// number f is `part` modulo `parts`, with `threads` threads: freeing the pages or
// objects of a large container takes long, and goes faster in parallel. The metafile (and a base
// merge's marker) stay for remove_replaced_container.
void remove_data_files(const std::string& dir, unsigned part, unsigned parts, unsigned threads);
// Removes what is left of a replaced container: everything but its metafile and marker, then the
// metafile, then the marker (docs/format.md), so that a kill at any point leaves a directory whose
// marker still proves what it is.
void remove_replaced_container(const std::string& dir);

// A merge to an explicit output path writes this temporary beside it and renames it into place
// at the end, so that OUT appears whole or not at all (an earlier OUT stays until then).
std::string output_merge_temporary(const std::string& output);
// Renames output_merge_temporary(output), complete and synced, to `output` and syncs the directory.
void publish_merged_output(const std::string& output);

// What tidying up after an interrupted merge did, and what it left in place and why.
struct Recovery {
  std::vector<std::string> done;
  std::vector<std::string> left;
  bool busy = false;  // something was left because another process holds it (a merge still running)
  void add(Recovery other);
};

// Cleans the leftovers of an interrupted merge beside layout.path() (docs/format.md, "atomic
// replacement"). A leftover directory is removed only when no one holds it and its marker proves
// that the file at the path was made from it; anything unproven stays and is reported. When
// layout.path() is a container, the caller holds it exclusively (HolderLock), so no merge of it is
// running and a `.h5mf-tmp` file beside it is the output of an interrupted one.
Recovery recover_interrupted_merge(const Layout& layout);
// Removes a directory proven to be the container of a finished merge (data files in parallel,
// then remove_replaced_container).
void remove_finished_container(const std::string& dir);

// True if the file starts with HDF5's signature (at 0, or after a user block of 512 * 2^k bytes).
bool looks_like_hdf5(const std::string& path);

}  // namespace h5mf::container
