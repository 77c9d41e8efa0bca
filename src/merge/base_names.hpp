// The base file's names in the merge's copy of it, made the container's: what a container
// unlinked or moved there (docs/format.md, UNLINK and MOVE) must not stay in the merged file.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "container/catalog.hpp"

namespace h5mf::merge_detail {

class BaseNameChanges {
 public:
  // In `file`, a copy of the base file that nothing has changed yet: every base object that `names`
  // places elsewhere than at one of its own base names, and every named datatype of the base file
  // that loses a name, is held by a temporary name at the root (so that HDF5 does not free it);
  // then every base name that does not keep its binding is removed, deepest first.
  BaseNameChanges(hid_t file, const container::Catalog& catalog, const container::MergedNames& names,
                  const std::string& output);
  // `path` (a merged path) is a base name the copy has already.
  bool kept(const std::string& path) const { return kept_.contains(path); }
  // Object `id` is placed at `name` in `parent` (its merged path `path`): moved there from its
  // temporary name, where it was held.
  void place(hid_t file, std::uint64_t id, hid_t parent, const std::string& name, const std::string& path);
  // Once every name is made: removes the temporary names left (named datatypes, linked again by
  // then where the container still names them).
  void finish(hid_t file);

 private:
  std::string output_;
  std::set<std::string> kept_;
  std::map<std::uint64_t, std::string> held_;  // id -> its temporary name
};

}  // namespace h5mf::merge_detail
