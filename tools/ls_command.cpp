// h5mf ls PATH: placeholder until implemented.
#include "command.hpp"

namespace h5mf::tools {
Command add_ls_command(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("ls", "List groups and datasets (like h5ls -r)");
  return {app, [] { return 1; }};
}
}  // namespace h5mf::tools
