// mailsim's command line. Subcommands:
//   run SCENARIO     simulate the scenario and print the report
//   check SCENARIO   list the problems a run would run into, without running it
//   render RUN.json  draw diagrams, topology and plots from a saved run
//   report SCENARIO  simulate and write one self-contained HTML page (--html)
//   mailq SCENARIO   print a host's mail queue at a simulated time
//   serve SCENARIO   let a real client talk to one simulated daemon
//   bench SCENARIO   compare queue policies on a bench workload
// Exit status: 0 on success, and 2 for a mistake in the input (printed as
// `file:line:column: what is wrong`). The status is 1 when an output file
// or standard output cannot be written, or when `check` finds an error.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "models/common/error.hpp"

int main(int argc, char** argv) {
  using namespace mailsim::app;
  CLI::App app{"mailsim: a discrete-event simulator of multi-domain email delivery (SMTP, DNS, POP3)"};
  app.require_subcommand(1);

  std::vector<Command> commands;
  commands.push_back(add_run_command(app));
  commands.push_back(add_check_command(app));
  commands.push_back(add_render_command(app));
  commands.push_back(add_report_command(app));
  commands.push_back(add_mailq_command(app));
  commands.push_back(add_serve_command(app));
  commands.push_back(add_bench_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other command-line mistake is an
    // input error like a bad scenario file.
    int status = app.exit(e);
    return status == 0 ? 0 : kExitInput;
  }

  int status = 0;
  try {
    for (const auto& c : commands)
      if (*c.app) {
        status = c.run();
        break;
      }
  } catch (const mailsim::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitInput;
  }
  // A full disk or a closed pipe shows only when the buffered output is written.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "mailsim: cannot write to standard output\n";
    return status == 0 ? kExitFailure : status;
  }
  return status;
}
