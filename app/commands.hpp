// The subcommands of the mailsim command line. Each lives in its own file
// and registers its options on the CLI11 app; main() runs the one chosen.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace mailsim::app {

/// Exit status for a mistake in the input (`file:line:column: what is wrong`).
constexpr int kExitInput = 2;
/// Exit status when an output file cannot be written, or `check` finds an error.
constexpr int kExitFailure = 1;

/// A registered subcommand: its CLI11 node and what to run when it is chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_run_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_render_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_mailq_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_bench_command(CLI::App& app);

}  // namespace mailsim::app
