// h5mf bench: placeholder until implemented.
#include "command.hpp"

namespace h5mf::tools {
Command add_bench_command(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("bench", "Benchmark h5mf against parallel HDF5 and POSIX I/O");
  return {app, [] { return 1; }};
}
}  // namespace h5mf::tools
