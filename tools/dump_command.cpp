// h5mf dump PATH [-H|-A] [-p] [-d NAME | -g PATH | -a PATH]...: h5dump's DDL for a file or a
// container, read through the library, with h5dump's flags: -H the header only, -A attribute values
// but no dataset data, -p datasets' storage properties, -d/-g/-a single datasets, groups and
// attributes in the order given.
// The first line names PATH as given, without trailing slashes: `h5mf dump data.h5/` prints
// `HDF5 "data.h5" {`, as `h5dump data.h5` of the merged file does.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "command.hpp"
#include "ddl_printer.hpp"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"
#include "image_driver.hpp"
#include "object_index.hpp"

namespace h5mf::tools {

namespace {
std::string shown_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// h5dump prints every element, however many. A dataset's shape is only a number in its metadata:
// a file or container can declare 2^62 elements in a few bytes, and printing their fill values
// would never end. So a dump prints at most `max_elements` in all (0: no bound), checked before
// any output; the default is some 2-3 GiB of text, more than anyone reads.
constexpr std::uint64_t kDefaultMaxElements = std::uint64_t{1} << 28;

void check_bound(std::uint64_t elements, std::uint64_t max_elements, const std::string& path) {
  if (max_elements != 0 && elements > max_elements) {
    throw Unsupported(
        fmt::format("'{}': the dump would print {} elements, more than --max-elements {} (pass "
                    "--max-elements 0 to print them all, as h5dump does)",
                    path, elements, max_elements));
  }
}
// An attribute named by -a: its owner's attributes, its name, the owner's path and, when the owner
// is a dataset, the dataset (a container's shows its dimension scales as attributes).
struct SelectedAttribute {
  Attributes attributes;
  std::string name, owner;
  std::optional<Dataset> dataset;
};

// One object named by -d, -g or -a, as found in the file.
struct Selected {
  std::string shown_name;  // as h5dump names its block
  std::variant<Dataset, Group, SelectedAttribute> object;
};

// Splits `-a PATH` into its owner's path and the attribute's name: "/g/d/x" -> ("/g/d", "x").
std::pair<std::string, std::string> attribute_path(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return {"/", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// Finds what -d, -g or -a names; a name that is not there, or not of that kind, is reported (as
// h5dump does) and the others still print.
std::optional<Selected> find_selected(const File& file, const ObjectIndex& objects, char kind,
                                      const std::string& name) {
  try {
    if (kind == 'a') {
      const auto [owner, attribute] = attribute_path(name);
      std::optional<Dataset> dataset;
      if (file.type_of(owner) == ObjectType::Dataset) dataset = file.dataset(owner);
      Attributes attrs = dataset ? dataset->attrs() : file.group(owner).attrs();
      const std::vector<std::string> names = objects.attribute_names(attrs, dataset ? &*dataset : nullptr);
      if (attribute.empty() || std::find(names.begin(), names.end(), attribute) == names.end()) {
        fmt::print(stderr, "h5mf dump: attribute '{}' not found\n", name);
        return std::nullopt;
      }
      const std::string owner_path = dataset ? dataset->name() : file.group(owner).name();
      DdlPrinter::check_supported(attrs, attribute, owner_path, dataset ? &*dataset : nullptr, objects);
      return Selected{attribute, SelectedAttribute{std::move(attrs), attribute, owner_path, std::move(dataset)}};
    }
    const ObjectType type = file.type_of(name);
    if (kind == 'd' && type != ObjectType::Dataset) {
      fmt::print(stderr, "h5mf dump: '{}' is a group, not a dataset\n", name);
      return std::nullopt;
    }
    if (kind == 'g' && type != ObjectType::Group) {
      fmt::print(stderr, "h5mf dump: '{}' is a dataset, not a group\n", name);
      return std::nullopt;
    }
    if (kind == 'd') return Selected{name, file.dataset(name)};
    return Selected{name, file.group(name)};
  } catch (const NotFound& e) {
    fmt::print(stderr, "h5mf dump: {} '{}' not found: {}\n",
               kind == 'a'   ? "the owner of attribute"
               : kind == 'd' ? "dataset"
                             : "group",
               name, e.what());
  } catch (const InvalidArgument& e) {
    fmt::print(stderr, "h5mf dump: '{}' names no {}: {}\n", name,
               kind == 'a'   ? "attribute"
               : kind == 'd' ? "dataset"
                             : "group",
               e.what());
  }
  return std::nullopt;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return b > ~a ? ~std::uint64_t{0} : a + b; }

}  // namespace

Command add_dump_command(CLI::App& parent) {
  struct Args {
    std::string path;
    std::vector<std::string> datasets, groups, attributes;
    bool header = false, attribute_data = false, properties = false;
    std::size_t window_bytes = std::size_t{16} << 20;
    std::uint64_t max_elements = kDefaultMaxElements;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand("dump", "Print a file or container as h5dump does");
  app->add_option("path", args->path, "The container (a directory) or HDF5 file")->required();
  CLI::Option* dataset_option =
      app->add_option("-d,--dataset", args->datasets, "Print only this dataset, as h5dump -d (repeatable)")
          ->allow_extra_args(false);
  CLI::Option* group_option =
      app->add_option("-g,--group", args->groups, "Print only this group and what is in it, as h5dump -g (repeatable)")
          ->allow_extra_args(false);
  CLI::Option* attribute_option =
      app->add_option("-a,--attribute", args->attributes,
                      "Print only this attribute (PATH/NAME, e.g. /g/d/units), as h5dump -a (repeatable)")
          ->allow_extra_args(false);
  CLI::Option* header_option =
      app->add_flag("-H,--header", args->header, "Print the header only: no data of datasets or attributes");
  app->add_flag("-A,--onlyattr", args->attribute_data, "Print the header and attribute values, no dataset data")
      ->excludes(header_option);
  app->add_flag("-p,--properties", args->properties,
                "Print each dataset's storage layout, filters, fill value and allocation time");
  app->add_option("--max-elements", args->max_elements,
                  "Refuse to dump more than this many dataset elements in all (0: no bound)")
      ->capture_default_str();
  // Hidden: how much of a dataset is read at once (small values let tests cross window edges).
  app->add_option("--window-bytes", args->window_bytes)->group("")->check(CLI::PositiveNumber);

  return {app, [args, app, dataset_option, group_option, attribute_option] {
            const File file(args->path, Mode::Read, reading_options());
            const ObjectIndex objects(file);
            const Contents contents = args->header           ? Contents::Header
                                      : args->attribute_data ? Contents::AttributeData
                                                             : Contents::All;
            // Dataset elements are printed, and bounded, only when the dump shows dataset data.
            auto printed = [&](std::uint64_t elements) { return contents == Contents::All ? elements : 0; };
            Output out(stdout);
            DdlPrinter printer(out, objects, args->window_bytes, contents, args->properties);
            if (args->datasets.empty() && args->groups.empty() && args->attributes.empty()) {
              check_bound(printed(DdlPrinter::check_supported(file, objects)), args->max_elements, args->path);
              printer.file(file, shown_name(args->path));
              return 0;
            }
            // In the order given on the command line, as h5dump prints them.
            std::vector<Selected> found;
            std::size_t next_dataset = 0, next_group = 0, next_attribute = 0;
            bool failed = false;
            std::uint64_t elements = 0;
            for (const CLI::Option* option : app->parse_order()) {
              std::optional<Selected> selected;
              if (option == dataset_option) {
                selected = find_selected(file, objects, 'd', args->datasets.at(next_dataset++));
                if (selected) {
                  elements = saturating_add(elements,
                                            DdlPrinter::check_supported(std::get<Dataset>(selected->object), objects));
                }
              } else if (option == group_option) {
                selected = find_selected(file, objects, 'g', args->groups.at(next_group++));
                if (selected) {
                  elements =
                      saturating_add(elements, DdlPrinter::check_supported(std::get<Group>(selected->object), objects));
                }
              } else if (option == attribute_option) {
                selected = find_selected(file, objects, 'a', args->attributes.at(next_attribute++));
              } else {
                continue;
              }
              failed = failed || !selected;
              if (selected) found.push_back(std::move(*selected));
            }
            check_bound(printed(elements), args->max_elements, args->path);
            printer.begin(shown_name(args->path));
            for (const auto& selected : found) {
              if (const auto* dataset = std::get_if<Dataset>(&selected.object)) {
                printer.dataset(*dataset, selected.shown_name, 0);
              } else if (const auto* group = std::get_if<Group>(&selected.object)) {
                printer.group_block(*group, selected.shown_name);
              } else {
                const auto& attribute = std::get<SelectedAttribute>(selected.object);
                printer.attribute(attribute.attributes, attribute.name, attribute.owner,
                                  attribute.dataset ? &*attribute.dataset : nullptr, 0);
              }
            }
            printer.end();
            return failed ? 1 : 0;
          }};
}

}  // namespace h5mf::tools
