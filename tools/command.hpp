// One subcommand of the h5mf tool: its CLI11 definition and what runs when it is chosen. Each
// subcommand lives in its own <name>_command.cpp and is listed in h5mf.cpp; the benchmark's
// (bench, growth) are in bench/, declared in bench/commands.hpp.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace h5mf::tools {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the process exit code
};

Command add_merge_command(CLI::App& parent);
Command add_ls_command(CLI::App& parent);
Command add_dump_command(CLI::App& parent);
Command add_view_command(CLI::App& parent);
Command add_verify_command(CLI::App& parent);
Command add_exec_command(CLI::App& parent);
// `h5mf exec [--] PROGRAM ARGS...`: replaces this process by PROGRAM; returns only on failure.
int run_exec(std::vector<std::string> words);

}  // namespace h5mf::tools
