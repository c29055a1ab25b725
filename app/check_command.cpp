// mailsim check SCENARIO: the problems a run would run into, found
// without running it.
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "sim/check.hpp"
#include "sim/scenario.hpp"

namespace mailsim::app {
namespace {

struct CheckArgs {
  std::string scenario;
  std::vector<std::string> sets;
};

// Prints one line per finding and a summary line. Returns 1 when any finding is an error.
int check_command(const CheckArgs& args) {
  using namespace mailsim;
  sim::Scenario scenario = sim::load_scenario(args.scenario, args.sets);
  std::vector<sim::Finding> findings = sim::check_scenario(scenario);
  int errors = 0;
  int warnings = 0;
  for (const auto& f : findings) {
    std::cout << sim::format_finding(f) << "\n";
    if (f.severity == sim::FindingSeverity::ERROR) ++errors;
    else ++warnings;
  }
  std::cout << errors << (errors == 1 ? " error, " : " errors, ") << warnings
            << (warnings == 1 ? " warning" : " warnings") << "\n";
  return errors > 0 ? kExitFailure : 0;
}

}  // namespace

Command add_check_command(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CheckArgs& check = *args;
  auto* check_cmd = app.add_subcommand(
      "check",
      "Check a scenario without running it; print each problem as file:line:column: error|warning: "
      "text and a count, and exit with 1 when there is an error");
  check_cmd->add_option("scenario", check.scenario, "Scenario file (YAML)")->required();
  check_cmd
      ->add_option("--set", check.sets,
                   "Override one scenario value by its dotted path, e.g. hosts.mail.daum.net.up=false")
      ->take_all()
      ->allow_extra_args(false);

  return Command{check_cmd, [args] { return check_command(*args); }};
}

}  // namespace mailsim::app
