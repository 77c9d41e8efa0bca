// h5mf ls PATH: every group and dataset, recursively, in `h5ls -r`'s format: the path left-aligned
// in 24 columns and a space, then "Group" or "Dataset {dims}" with "cur/max" where the maximum
// differs ("Inf" when unlimited) and "SCALAR" for rank 0. Depth first, members in name order.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "command.hpp"
#include "h5mf/file.hpp"

namespace h5mf::tools {

namespace {

// h5ls escapes names: backslash, double quote and space with a backslash; \b \t \n \f \r as in C;
// other control bytes, DEL and bytes >= 0x80 as three octal digits. The padding counts the escapes.
std::string escaped(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case ' ': out += "\\ "; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u >= 0x7f) {
          out += fmt::format("\\{:03o}", u);
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string describe_dims(const Dataset& dataset) {
  const Extent shape = dataset.shape();
  if (shape.empty()) return "SCALAR";
  const Extent maxshape = dataset.maxshape();
  std::string out;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    out += d ? ", " : "";
    out += std::to_string(shape[d]);
    if (d < maxshape.size() && maxshape[d] != shape[d]) {
      out += maxshape[d] == DatasetCreate::kUnlimited ? std::string("/Inf") : "/" + std::to_string(maxshape[d]);
    }
  }
  return out;
}

// `path`: the group's path as h5ls shows it (escaped).
void list(const Group& group, const std::string& path, std::string& out) {
  std::vector<std::string> names = group.keys();
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string child = (path == "/" ? "/" : path + "/") + escaped(name);
    if (group.type_of(name) == ObjectType::Group) {
      fmt::format_to(std::back_inserter(out), "{:<24} Group\n", child);
      list(group.group(name), child, out);
    } else {
      fmt::format_to(std::back_inserter(out), "{:<24} Dataset {{{}}}\n", child, describe_dims(group.dataset(name)));
    }
  }
}

}  // namespace

Command add_ls_command(CLI::App& parent) {
  auto path = std::make_shared<std::string>();
  CLI::App* app = parent.add_subcommand("ls", "List groups and datasets (like h5ls -r)");
  app->add_option("path", *path, "The container (a directory) or HDF5 file")->required();
  // As h5ls -r: the listing is always recursive; the flag is accepted for users' habits and scripts.
  app->add_flag("-r,--recursive")->description("List recursively (always; as h5ls -r)");
  return {app, [path] {
            const File file(*path, Mode::Read);
            std::string out = fmt::format("{:<24} Group\n", "/");
            list(file, "/", out);
            fmt::print("{}", out);  // all at once: nothing is printed when listing fails half way
            return 0;
          }};
}

}  // namespace h5mf::tools
