// h5mf view PATH [-o OUT]: a standard HDF5 file of virtual datasets over the container's data
// files; h5dump and h5py read it at once, nothing is copied.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "command.hpp"
#include "dropped_json.hpp"
#include "h5mf/view.hpp"
#include "json_format.hpp"
#include "mpi_session.hpp"
#include "progress_bar.hpp"

namespace h5mf::tools {

Command add_view_command(CLI::App& parent) {
  struct Args {
    std::string path;
    ViewOptions options;
    bool quiet = false, json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand(
      "view", "Write a standard HDF5 file of virtual datasets over a container's data, without copying it");
  app->add_option("path", args->path, "The container (a directory, or an HDF5 file with a container beside it)")
      ->required();
  app->add_option("-o,--output", args->options.output, "The view file (default: PATH/view.h5)");
  app->add_option("--sources", args->options.sources,
                  "The file of source datasets the view reads (default: beside the view, <name>-sources.h5)");
  app->add_option("-j,--jobs", args->options.threads, "Threads for the checksums (default: one per core)");
  app->add_option("--max-mappings", args->options.max_mappings,
                  "Refuse a dataset that needs more virtual-dataset mappings than this")
      ->capture_default_str();
  app->add_option("--max-blocks", args->options.max_blocks,
                  "Refuse a dataset whose mappings select more hyperslab blocks than this")
      ->capture_default_str();
  app->add_option("--max-points", args->options.max_point_mappings,
                  "Refuse a dataset with more points written by point selections (one mapping each) than this")
      ->capture_default_str();
  app->add_option("--max-total-mappings", args->options.max_total_mappings,
                  "Refuse a view with more mappings over all datasets than this")
      ->capture_default_str();
  app->add_flag("!--no-verify", args->options.verify_data, "Map records without checking their data checksums");
  app->add_flag("-q,--quiet", args->quiet, "Print nothing but errors and damage reports");
  app->add_flag("--json", args->json, "Print a machine-readable summary (JSON) instead of the text one");

  return {app, [args] {
            ViewOptions options = args->options;
            ProgressBar bar("viewing");
            if (!args->quiet && !args->json && MpiSession::launched_rank() == 0) options.progress = bar.callback();
            const ViewReport report = view(args->path, options);
            bar.finish();
            for (const auto& line : report.damage) fmt::print(stderr, "h5mf view: {}\n", line);
            if (args->json) {
              const nlohmann::json summary = {{"container", args->path},
                                              {"output", report.output},
                                              {"sources", report.sources},
                                              {"groups", report.groups},
                                              {"datasets", report.datasets},
                                              {"attributes", report.attributes},
                                              {"records", report.records},
                                              {"records_hidden", report.records_hidden},
                                              {"records_dropped", report.records_dropped},
                                              {"mappings", report.mappings},
                                              {"source_datasets", report.source_datasets},
                                              {"segments", report.segments},
                                              {"bytes_referenced", report.bytes_referenced},
                                              {"seconds", report.seconds},
                                              {"damage", report.damage},
                                              {"dropped", dropped_json(report.dropped)}};
              std::cout << versioned(summary).dump(2) << "\n";
            } else if (!args->quiet) {
              fmt::print(
                  "viewed '{}' as '{}' (sources '{}'): {} groups, {} datasets, {} attributes; {} records "
                  "({} wholly overwritten) as {} mappings over {} segments, {:.1f} MiB referenced, none "
                  "copied, in {:.3f} s\n",
                  args->path, report.output, report.sources, report.groups, report.datasets, report.attributes,
                  report.records, report.records_hidden, report.mappings, report.segments,
                  static_cast<double>(report.bytes_referenced) / (1 << 20), report.seconds);
            }
            // As for merge: damage is no failure of the view, but a caller must be able to tell.
            return report.damaged() ? 2 : 0;
          }};
}

}  // namespace h5mf::tools
