// The h5mf command-line tool: each subcommand is a thin layer over the library.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <new>
#include <vector>

#include "command.hpp"
#include "h5mf/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"h5mf: many processes write one HDF5 file"};
  app.require_subcommand(1);
  const std::vector<h5mf::tools::Command> commands = {
      h5mf::tools::add_merge_command(app),
      h5mf::tools::add_ls_command(app),
      h5mf::tools::add_dump_command(app),
      h5mf::tools::add_bench_command(app),
      h5mf::tools::add_view_command(app),
      h5mf::tools::add_verify_command(app),
      h5mf::tools::add_growth_command(app),
  };
  CLI11_PARSE(app, argc, argv);
  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const h5mf::Error& e) {
      fmt::print(stderr, "h5mf {}: {}\n", command.app->get_name(), e.what());
      return 1;
    } catch (const std::bad_alloc&) {
      // A hostile file can still ask for more memory than there is: an error, not an abort.
      fmt::print(stderr, "h5mf {}: out of memory\n", command.app->get_name());
      return 1;
    }
  }
  return 0;
}
