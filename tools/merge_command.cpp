// h5mf merge PATH [-o OUT]: a container becomes one conventional HDF5 file.
#include <fmt/format.h>

#include <memory>

#include "command.hpp"
#include "h5mf/merge.hpp"

namespace h5mf::tools {

Command add_merge_command(CLI::App& parent) {
  struct Args {
    std::string path;
    MergeOptions options;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand("merge", "Reconstruct a container into one conventional HDF5 file");
  app->add_option("path", args->path, "The container (a directory)")->required();
  app->add_option("-o,--output", args->options.output,
                  "Write the file here and keep the container (default: replace the container, atomically)");
  app->add_flag("-q,--quiet", args->quiet, "Print nothing but errors and damage reports");
  app->add_flag("!--no-verify", args->options.verify_data, "Skip checking record data against checksums");

  return {app, [args] {
            const MergeReport report = merge(args->path, args->options);
            for (const auto& line : report.damage) fmt::print(stderr, "h5mf merge: {}\n", line);
            if (!args->quiet) {
              fmt::print("merged '{}' into '{}': {} groups, {} datasets, {} attributes, {} records, {:.1f} MiB in "
                         "{:.3f} s\n",
                         args->path, report.output, report.groups, report.datasets, report.attributes,
                         report.records, static_cast<double>(report.bytes_written) / (1 << 20), report.seconds);
            }
            // Damage is not an error of the merge, but a caller must be able to tell.
            return report.records_dropped > 0 ? 2 : 0;
          }};
}

}  // namespace h5mf::tools
