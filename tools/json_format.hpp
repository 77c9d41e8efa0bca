// Every JSON output of the tool (merge, view and verify --json; the files of bench and growth
// --json) is one object whose "format_version" says how to read it. It goes up when a key is
// removed or changes its meaning; keys may be added without it. docs/cli.md lists the keys.
#pragma once

namespace h5mf::tools {

inline constexpr int kJsonFormatVersion = 1;

// `object` with "format_version" set (nlohmann::json or ordered_json).
template <class Json>
Json versioned(Json object) {
  object["format_version"] = kJsonFormatVersion;
  return object;
}

}  // namespace h5mf::tools
