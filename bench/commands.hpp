// The benchmark's two subcommands of the h5mf tool, `h5mf bench` (seed 003's table on this
// machine) and `h5mf growth` (how each phase grows with datasets, records, write size and ranks):
// all that tools/h5mf.cpp sees of bench/.
#pragma once

#include <CLI/CLI.hpp>

#include "tools/command.hpp"

namespace h5mf::tools {

Command add_bench_command(CLI::App& parent);
Command add_growth_command(CLI::App& parent);

}  // namespace h5mf::tools
