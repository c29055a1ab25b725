// mailsim's command line. Subcommands:
//   run SCENARIO     simulate the scenario and print the report
//   check SCENARIO   list the problems a run would run into, without running it
// Exit status: 0 on success, and 2 for a mistake in the input (printed as
// `file:line:column: what is wrong`). The status is 1 when an output file
// cannot be written, or when `check` finds an error.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "models/common/error.hpp"
#include "models/common/units.hpp"
#include "sim/check.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"
#include "viz/report.hpp"

namespace {

constexpr int kExitInput = 2;
constexpr int kExitOutput = 1;
constexpr int kExitFindings = 1;

struct RunArgs {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::string until;
  std::string json_file;
  bool transcript = false;
  int transcript_lines = 40;
  std::string mailbox_dir;
  std::string log_level = "warning";
};

int run_command(const RunArgs& args) {
  using namespace mailsim;
  sim::Scenario scenario = sim::load_scenario(args.scenario, args.sets);
  if (args.seed) scenario.seed = *args.seed;
  sim::RunOptions options;
  options.log_level = args.log_level;
  if (!args.until.empty()) {
    auto t = units::parse_duration(args.until);
    if (!t) throw InputError(SourcePos{"--until", 0, 0}, "invalid duration '" + args.until + "' (use e.g. 30m, 1h)");
    options.until = *t;
  }
  sim::RunResult result = sim::run_scenario(scenario, options);

  if (args.transcript) viz::write_transcript(std::cout, result, args.transcript_lines);
  viz::write_report(std::cout, scenario, result);
  try {
    if (!args.json_file.empty()) {
      std::ofstream out(args.json_file, std::ios::binary);
      out << viz::to_json(scenario, result);
      if (!out) throw std::runtime_error("cannot write " + args.json_file);
    }
    if (!args.mailbox_dir.empty()) viz::write_mailboxes(args.mailbox_dir, result);
  } catch (const std::runtime_error& e) {
    std::cerr << "mailsim: " << e.what() << "\n";
    return kExitOutput;
  }
  return 0;
}

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
  return errors > 0 ? kExitFindings : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mailsim: a discrete-event simulator of multi-domain email delivery (SMTP, DNS, POP3)"};
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and report steps (1)-(9), queues and the mail balance");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required();
  run_cmd->add_option("--seed", run.seed, "Seed for every random stream (default: the scenario's seed)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--set", run.sets, "Override one scenario value by its dotted path, e.g. network.latency=50ms")
      ->take_all()
      ->allow_extra_args(false);
  run_cmd->add_option("--until", run.until, "Stop at this simulated time at the latest, e.g. 1h (default: the scenario's duration)");
  run_cmd->add_option("--json", run.json_file, "Write the results as JSON to this file");
  run_cmd->add_flag("--transcript", run.transcript, "Print every session's bytes as C:/S: lines with simulated times");
  run_cmd->add_option("--transcript-lines", run.transcript_lines,
                      "With --transcript: lines shown per write before the rest is summarised (0: all)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--mailbox-dir", run.mailbox_dir,
                      "Write every mailbox at the end of the run as DIR/HOST/var/mail/USER and DIR/HOST/home/USER/Inbox");
  run_cmd->add_option("--log-level", run.log_level, "SimGrid log threshold for mailsim's actors (debug, verbose, info, warning)")
      ->check(CLI::IsMember({"trace", "debug", "verbose", "info", "warning", "error", "critical"}));

  CheckArgs check;
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*run_cmd) return run_command(run);
    if (*check_cmd) return check_command(check);
  } catch (const mailsim::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitInput;
  }
  return 0;
}
