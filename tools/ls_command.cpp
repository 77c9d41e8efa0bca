// h5mf ls PATH: every group, dataset and named datatype, recursively, in `h5ls -r`'s format: the
// path left-aligned in 24 columns and a space, then "Group", "Type" or "Dataset {dims}" with
// "cur/max" where the maximum differs ("Inf" when unlimited), "SCALAR" for rank 0 and "NULL" for a
// null dataspace. Depth first, members in name order.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"
#include "h5mf/limits.hpp"
#include "image_driver.hpp"
#include "object_index.hpp"

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
  if (dataset.is_null()) return "NULL";
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

// Lists everything under `top`. Iterative, with an explicit stack of members still to list, and
// refusing groups nested deeper than kMaxDepth (an HDF5 file from elsewhere: containers cannot
// be): a file nested tens of thousands deep must neither overflow the call stack nor take the
// hours that opening each of its groups by path would. Each object is entered once: a later name
// of one (a hard link) is listed as h5ls does, ", same as <first path>".
void list(const Group& top, const Hdf5File& hdf5, std::string& out) {
  struct Pending {
    Group parent;
    std::string name;
    std::string path;  // as h5ls shows it (escaped)
    std::uint64_t depth = 0;
  };
  std::vector<Pending> stack;
  std::map<std::uint64_t, std::string> seen{{top.object_id(), "/"}};  // the path each object was listed at
  auto push_members = [&stack](const Group& group, const std::string& path, std::uint64_t depth) {
    std::vector<std::string> names = group.keys();
    if (depth > kMaxDepth && !names.empty()) {
      throw Unsupported(
          fmt::format("'{}...' nests deeper than {} levels; h5mf ls stops there", path.substr(0, 200), kMaxDepth));
    }
    std::sort(names.begin(), names.end(), std::greater<>());  // popped in name order
    for (auto& name : names) {
      std::string child = (path == "/" ? "/" : path + "/") + escaped(name);
      stack.push_back({group, std::move(name), std::move(child), depth});
    }
  };
  push_members(top, "/", 1);
  while (!stack.empty()) {
    Pending item = std::move(stack.back());
    stack.pop_back();
    // Soft and external links are listed as h5ls -r lists them, without following them.
    if (const LinkInfo link = item.parent.link_info(item.name); link.kind == LinkKind::Soft) {
      fmt::format_to(std::back_inserter(out), "{:<24} Soft Link {{{}}}\n", item.path, link.path);
      continue;
    } else if (link.kind == LinkKind::External) {
      fmt::format_to(std::back_inserter(out), "{:<24} External Link {{{}/{}}}\n", item.path, link.file, link.path);
      continue;
    }
    if (!item.parent.contains(item.name)) {  // a named datatype (a container's have no identity)
      if (const auto address =
              hdf5.address(item.parent.name() == "/" ? "/" + item.name : item.parent.name() + "/" + item.name)) {
        const auto [at, first] = seen.emplace(*address, item.path);
        if (!first) {
          fmt::format_to(std::back_inserter(out), "{:<24} Type, same as {}\n", item.path, at->second);
          continue;
        }
      }
      fmt::format_to(std::back_inserter(out), "{:<24} Type\n", item.path);
      continue;
    }
    if (item.parent.type_of(item.name) == ObjectType::Group) {
      const Group g = item.parent.group(item.name);
      const auto [at, first] = seen.emplace(g.object_id(), item.path);
      if (!first) {
        fmt::format_to(std::back_inserter(out), "{:<24} Group, same as {}\n", item.path, at->second);
        continue;
      }
      fmt::format_to(std::back_inserter(out), "{:<24} Group\n", item.path);
      push_members(g, item.path, item.depth + 1);
    } else {
      const Dataset d = item.parent.dataset(item.name);
      const auto [at, first] = seen.emplace(d.object_id(), item.path);
      if (!first) {
        fmt::format_to(std::back_inserter(out), "{:<24} Dataset, same as {}\n", item.path, at->second);
        continue;
      }
      fmt::format_to(std::back_inserter(out), "{:<24} Dataset {{{}}}\n", item.path, describe_dims(d));
    }
  }
}

}  // namespace

Command add_ls_command(CLI::App& parent) {
  auto path = std::make_shared<std::string>();
  CLI::App* app = parent.add_subcommand("ls", "List groups, datasets and named datatypes (like h5ls -r)");
  app->add_option("path", *path, "The container (a directory) or HDF5 file")->required();
  // As h5ls -r: the listing is always recursive; the flag is accepted for users' habits and scripts.
  app->add_flag("-r,--recursive")->description("List recursively (always; as h5ls -r)");
  return {app, [path] {
            const File file(*path, Mode::Read, reading_options());
            std::string out = fmt::format("{:<24} Group\n", "/");
            list(file, Hdf5File(file), out);
            fmt::print("{}", out);  // all at once: nothing is printed when listing fails half way
            return 0;
          }};
}

}  // namespace h5mf::tools
