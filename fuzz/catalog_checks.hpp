// Invariants of a catalog built from hostile records: whatever was accepted must form a tree that
// every query can walk (the readers, the merge and `h5mf ls` all do).
#pragma once

#include "container/catalog.hpp"
#include "fuzz_support.hpp"

namespace h5mf::fuzz {

inline void check_catalog(const container::Catalog& catalog) {
  const auto groups = catalog.groups();
  const auto datasets = catalog.datasets();
  FUZZ_CHECK(!groups.empty() && groups.front() == 0);
  std::uint64_t named_types = 0;
  for (std::uint64_t id = 0; id < catalog.next_id(); ++id) {
    const container::CatalogObject& object = catalog.object(id);
    FUZZ_CHECK(object.id == id);
    const std::string path = catalog.path_of(id);
    FUZZ_CHECK(!path.empty() && path.front() == '/');
    if (id == 0) continue;
    FUZZ_CHECK(object.parent < id);
    if (object.kind == container::ObjectKind::Datatype) {  // named: a symbolic link's name, no child
      ++named_types;
      FUZZ_CHECK(object.children.empty() && !object.type.empty());
      continue;
    }
    FUZZ_CHECK(catalog.child(object.parent, object.name) == id);
    if (object.named_type) {
      FUZZ_CHECK(*object.named_type < id && catalog.object(*object.named_type).kind == container::ObjectKind::Datatype);
    }
    if (object.kind == container::ObjectKind::Dataset) {
      FUZZ_CHECK(object.children.empty());
      FUZZ_CHECK(object.dims.size() == object.maxdims.size());
      FUZZ_CHECK(object.chunk.empty() || object.chunk.size() == object.dims.size());
      for (std::size_t d = 0; d < object.dims.size(); ++d) FUZZ_CHECK(object.dims[d] <= object.maxdims[d]);
    }
  }
  FUZZ_CHECK(groups.size() + datasets.size() + named_types == catalog.next_id());
  for (const auto& session : catalog.sessions()) FUZZ_CHECK(session.writers > 0);
  FUZZ_CHECK(catalog.sessions().empty() || (catalog.data_files() > 0 && catalog.max_writers() >= catalog.data_files()));
}

}  // namespace h5mf::fuzz
