// h5mf dump PATH: placeholder until implemented.
#include "command.hpp"

namespace h5mf::tools {
Command add_dump_command(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("dump", "Print a file or container as h5dump does");
  return {app, [] { return 1; }};
}
}  // namespace h5mf::tools
