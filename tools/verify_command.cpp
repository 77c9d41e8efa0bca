// h5mf verify: placeholder until implemented.
#include "command.hpp"

namespace h5mf::tools {
Command add_verify_command(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("verify", "verify");
  return {app, [] { return 1; }};
}
}  // namespace h5mf::tools
