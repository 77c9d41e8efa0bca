// h5mf dump PATH [-d NAME]...: h5dump's DDL for a file or a container, read through the library.
// The first line names PATH as given, without trailing slashes: `h5mf dump data.h5/` prints
// `HDF5 "data.h5" {`, as `h5dump data.h5` of the merged file does.
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "ddl_printer.hpp"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"
#include "image_driver.hpp"

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
    throw Unsupported(fmt::format("'{}': the dump would print {} elements, more than --max-elements {} (pass "
                                  "--max-elements 0 to print them all, as h5dump does)",
                                  path, elements, max_elements));
  }
}
}  // namespace

Command add_dump_command(CLI::App& parent) {
  struct Args {
    std::string path;
    std::vector<std::string> datasets;
    std::size_t window_bytes = std::size_t{16} << 20;
    std::uint64_t max_elements = kDefaultMaxElements;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand("dump", "Print a file or container as h5dump does");
  app->add_option("path", args->path, "The container (a directory) or HDF5 file")->required();
  app->add_option("-d,--dataset", args->datasets, "Print only this dataset, as h5dump -d (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--max-elements", args->max_elements,
                  "Refuse to dump more than this many dataset elements in all (0: no bound)")
      ->capture_default_str();
  // Hidden: how much of a dataset is read at once (small values let tests cross window edges).
  app->add_option("--window-bytes", args->window_bytes)->group("")->check(CLI::PositiveNumber);

  return {app, [args] {
            const File file(args->path, Mode::Read, reading_options());
            Output out(stdout);
            DdlPrinter printer(out, args->window_bytes);
            if (args->datasets.empty()) {
              check_bound(DdlPrinter::check_supported(file), args->max_elements, args->path);
              printer.file(file, shown_name(args->path));
              return 0;
            }
            // As h5dump -d: a name that is not a dataset is reported and the others still print.
            std::vector<std::pair<std::string, Dataset>> found;
            bool failed = false;
            for (const auto& name : args->datasets) {
              try {
                if (file.type_of(name) != ObjectType::Dataset) {
                  fmt::print(stderr, "h5mf dump: '{}' is a group, not a dataset\n", name);
                  failed = true;
                  continue;
                }
                found.emplace_back(name, file.dataset(name));
              } catch (const NotFound& e) {
                fmt::print(stderr, "h5mf dump: dataset '{}' not found: {}\n", name, e.what());
                failed = true;
              } catch (const InvalidArgument& e) {
                fmt::print(stderr, "h5mf dump: '{}' names no dataset: {}\n", name, e.what());
                failed = true;
              }
            }
            std::uint64_t elements = 0;
            for (const auto& [name, dataset] : found) {
              const std::uint64_t n = DdlPrinter::check_supported(dataset);
              elements = n > ~elements ? ~std::uint64_t{0} : elements + n;
            }
            check_bound(elements, args->max_elements, args->path);
            printer.begin(shown_name(args->path));
            for (const auto& [name, dataset] : found) printer.dataset(dataset, name, 0);
            printer.end();
            return failed ? 1 : 0;
          }};
}

}  // namespace h5mf::tools
