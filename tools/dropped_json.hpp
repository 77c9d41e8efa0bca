// What a merge or a view left out, as `--json` prints it: one object per dropped region or record.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "h5mf/dropped.hpp"

namespace h5mf::tools {

inline nlohmann::json dropped_json(const std::vector<Dropped>& dropped) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : dropped) {
    out.push_back(
        {{"file", d.file}, {"offset", d.offset}, {"bytes", d.bytes}, {"records", d.records}, {"reason", d.reason}});
  }
  return out;
}

}  // namespace h5mf::tools
