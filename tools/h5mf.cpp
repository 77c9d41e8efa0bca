// The h5mf command-line tool. Each subcommand is a thin layer over the library.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "h5mf/error.hpp"
#include "h5mf/merge.hpp"

namespace {

int run_merge(const std::string& path, const h5mf::MergeOptions& options, bool quiet) {
  const h5mf::MergeReport report = h5mf::merge(path, options);
  for (const auto& line : report.damage) fmt::print(stderr, "h5mf merge: {}\n", line);
  if (!quiet) {
    fmt::print("merged '{}' into '{}': {} groups, {} datasets, {} attributes, {} records, {:.1f} MiB in {:.3f} s\n",
               path, report.output, report.groups, report.datasets, report.attributes, report.records,
               static_cast<double>(report.bytes_written) / (1 << 20), report.seconds);
  }
  return report.records_dropped > 0 ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"h5mf: many processes write one HDF5 file"};
  app.require_subcommand(1);

  h5mf::MergeOptions merge_options;
  std::string merge_path;
  bool quiet = false;
  auto* merge = app.add_subcommand("merge", "Reconstruct a container into one conventional HDF5 file");
  merge->add_option("path", merge_path, "The container (a directory)")->required();
  merge->add_option("-o,--output", merge_options.output,
                    "Write the file here and keep the container (default: replace the container, atomically)");
  merge->add_flag("-q,--quiet", quiet, "Print nothing but errors");
  merge->add_flag("!--no-verify", merge_options.verify_data, "Skip checking record data against checksums");

  CLI11_PARSE(app, argc, argv);
  try {
    if (merge->parsed()) return run_merge(merge_path, merge_options, quiet);
  } catch (const h5mf::Error& e) {
    fmt::print(stderr, "h5mf: {}\n", e.what());
    return 1;
  }
  return 0;
}
