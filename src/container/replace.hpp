// Replacing a container directory by the merged file at the same path, so that a crash at any
// moment leaves one of the two whole (docs/format.md, "atomic replacement"), and recognising what
// an interrupted replacement left behind.
#pragma once

#include <string>
#include <vector>

#include "container/layout.hpp"

namespace h5mf::container {

// `file` is a complete, synced HDF5 file at layout.merge_temporary(). Afterwards layout.path() is
// that file; the replaced container is at the path returned, for the caller to remove
// (remove_data_files by every rank, then remove_replaced_container); a crash before that leaves
// a leftover that recover_interrupted_merge recognises.
[[nodiscard]] std::string replace_container_with_file(const Layout& layout);

// Removes the data file pairs (`<f>`, `<f>.offset`) of the container directory `dir` whose
// number f is `part` modulo `parts`, with `threads` threads: freeing the pages or
// objects of a large container takes long, and goes faster in parallel. The metafile (and a base
// merge's marker) stay for remove_replaced_container.
void remove_data_files(const std::string& dir, unsigned part, unsigned parts, unsigned threads);
// Removes what is left of a replaced container: its metafile, then the rest (a base merge's
// marker last, docs/format.md).
void remove_replaced_container(const std::string& dir);

// A merge to an explicit output path writes this temporary beside it and renames it into place
// at the end, so that OUT appears whole or not at all (an earlier OUT stays until then).
std::string output_merge_temporary(const std::string& output);
// Renames output_merge_temporary(output), complete and synced, to `output` and syncs the directory.
void publish_merged_output(const std::string& output);

// Cleans leftovers of an interrupted merge; returns one line per action taken.
std::vector<std::string> recover_interrupted_merge(const Layout& layout);

// True if the file starts with HDF5's signature (at 0, or after a user block of 512 * 2^k bytes).
bool looks_like_hdf5(const std::string& path);

}  // namespace h5mf::container
