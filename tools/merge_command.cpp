// h5mf merge PATH [-o OUT] [-j N]: a container becomes one conventional HDF5 file. Under mpiexec
// every rank takes part.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "command.hpp"
#include "dropped_json.hpp"
#include "h5mf/merge.hpp"
#include "json_format.hpp"
#include "merge_output.hpp"
#include "mpi_session.hpp"
#include "progress_bar.hpp"

namespace h5mf::tools {

Command add_merge_command(CLI::App& parent) {
  struct Args {
    std::string path;
    MergeOptions options;
    std::size_t budget_mib = 256;
    bool quiet = false, json = false, force = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand("merge", "Reconstruct a container into one conventional HDF5 file");
  app->add_option("path", args->path, "The container (a directory)")->required();
  app->add_option("-o,--output", args->options.output,
                  "Write the file here and keep the container (default: replace the container, atomically)");
  app->add_option("-j,--jobs", args->options.threads,
                  "Threads per process (default: one per CPU the process may run on)");
  app->add_option("--memory", args->budget_mib, "Memory budget for data buffers per process, in MiB")
      ->check(CLI::Range(4, 1 << 20));
  app->add_flag("--force", args->force, "With -o: overwrite an existing file that is not HDF5");
  app->add_flag("-q,--quiet", args->quiet, "Print nothing but errors and damage reports");
  app->add_flag("--json", args->json, "Print a machine-readable summary (JSON) instead of the text one");
  app->add_flag("!--no-verify", args->options.verify_data, "Skip checking record data against checksums");
  app->add_flag("!--no-kernel-copy", args->options.kernel_copy,
                "Copy every byte through memory: no copy_file_range, no blocks shared with the data files");
  app->add_flag("!--no-sync", args->options.sync, "Do not fsync the output before replacing the container");

  return {app, [args] {
            check_merge_output(args->path, args->options.output, args->force);  // before any work
            MpiSession mpi;
            MergeOptions options = args->options;
            options.comm = mpi.comm();
            options.memory_budget = args->budget_mib << 20;
            ProgressBar bar("merging");
            const bool show_progress = !args->quiet && !args->json && mpi.rank() == 0;
            if (show_progress) {
              options.progress = bar.callback();
            }
            const MergeReport report = merge(args->path, options);
            bar.finish();
            if (mpi.rank() != 0) return report.damaged() ? 2 : 0;
            for (const auto& line : report.damage) fmt::print(stderr, "h5mf merge: {}\n", line);
            if (!args->quiet) {
              for (const auto& line : report.notes) fmt::print(stderr, "h5mf merge: note: {}\n", line);
            }
            if (args->json) {
              nlohmann::json summary = {{"container", args->path},
                                        {"output", report.output},
                                        {"kind", report.file_image ? "file-image" : "records"},
                                        {"groups", report.groups},
                                        {"datasets", report.datasets},
                                        {"attributes", report.attributes},
                                        {"records", report.records},
                                        {"records_dropped", report.records_dropped},
                                        {"records_checked_in_copy", report.records_checked_in_copy},
                                        {"bytes_written", report.bytes_written},
                                        {"bytes_kernel_copied", report.bytes_kernel_copied},
                                        {"bytes_shared", report.bytes_shared},
                                        {"windows", report.windows},
                                        {"windows_skipped", report.windows_skipped},
                                        {"window_bytes", report.window_bytes},
                                        {"chunks_written", report.chunks_written},
                                        {"chunk_bytes_raw", report.chunk_bytes_raw},
                                        {"chunk_bytes_stored", report.chunk_bytes_stored},
                                        {"threads", report.threads},
                                        {"ranks", report.ranks},
                                        {"seconds", report.seconds},
                                        {"damage", report.damage},
                                        {"notes", report.notes},
                                        {"dropped", dropped_json(report.dropped)},
                                        {"phases", nlohmann::json::object()}};
              for (const auto& [phase, seconds] : report.phases.named()) summary["phases"][phase] = seconds;
              std::cout << versioned(summary).dump(2) << "\n";
            } else if (!args->quiet && report.file_image) {
              fmt::print(
                  "merged '{}' into '{}' (written through the HDF5 file driver): {} records, {:.1f} MiB in "
                  "{:.3f} s ({} ranks x {} threads)\n",
                  args->path, report.output, report.records, static_cast<double>(report.bytes_written) / (1 << 20),
                  report.seconds, report.ranks, report.threads);
            } else if (!args->quiet) {
              fmt::print(
                  "merged '{}' into '{}': {} groups, {} datasets, {} attributes, {} records, {:.1f} MiB in "
                  "{:.3f} s ({} ranks x {} threads)\n",
                  args->path, report.output, report.groups, report.datasets, report.attributes, report.records,
                  static_cast<double>(report.bytes_written) / (1 << 20), report.seconds, report.ranks, report.threads);
            }
            // Damage is not a failure of the merge, but a caller must be able to tell: anything left
            // out, a record or a region of a file, gives the damage exit code as in `h5mf verify`.
            return report.damaged() ? 2 : 0;
          }};
}

}  // namespace h5mf::tools
