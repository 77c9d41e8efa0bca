// h5mf view: placeholder until implemented.
#include "command.hpp"

namespace h5mf::tools {
Command add_view_command(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("view", "view");
  return {app, [] { return 1; }};
}
}  // namespace h5mf::tools
