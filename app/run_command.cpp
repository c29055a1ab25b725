// mailsim run SCENARIO: simulate and report steps (1)-(9), queues and the
// mail balance, with optional JSON, transcript and mailbox output.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/viz_options.hpp"
#include "models/common/error.hpp"
#include "models/common/units.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"
#include "viz/report.hpp"

namespace mailsim::app {
namespace {

struct RunArgs {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::string until;
  std::string json_file;
  bool transcript = false;
  int transcript_lines = 40;
  std::string mailbox_dir;
  std::string maillog_file;
  std::string log_level = "warning";
  VizArgs viz;
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
  check_viz_args(args.viz);
  sim::RunResult result = sim::run_scenario(scenario, options);

  // The pictures and the narration read the run through its JSON, as `render` does.
  std::optional<viz::RunData> data;
  if (args.viz.any()) data = viz::run_data_from_json(nlohmann::json::parse(viz::to_json(scenario, result)));
  if (args.viz.explain) explain_run(std::cout, *data, args.viz, args.transcript, args.transcript_lines);
  else if (args.transcript) viz::write_transcript(std::cout, result, args.transcript_lines);
  viz::write_report(std::cout, scenario, result);
  try {
    if (!args.json_file.empty()) {
      std::ofstream out(args.json_file, std::ios::binary);
      out << viz::to_json(scenario, result);
      if (!out) throw std::runtime_error("cannot write " + args.json_file);
    }
    if (!args.mailbox_dir.empty()) viz::write_mailboxes(args.mailbox_dir, result);
    if (!args.maillog_file.empty()) {
      std::ofstream out(args.maillog_file, std::ios::binary);
      out << result.maillog;
      if (!out) throw std::runtime_error("cannot write " + args.maillog_file);
    }
  } catch (const std::runtime_error& e) {
    std::cerr << "mailsim: " << e.what() << "\n";
    return kExitFailure;
  }
  if (data) {
    try {
      viz::write_outputs(*data, args.viz.outputs);
    } catch (const InputError&) {
      throw;  // an unknown --message id: exit status 2 like every input mistake
    } catch (const std::runtime_error& e) {
      std::cerr << "mailsim: " << e.what() << "\n";
      return kExitFailure;
    }
  }
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  RunArgs& run = *args;
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
  run_cmd->add_option("--maillog", run.maillog_file,
                      "Write every host's mail log (Sendmail and Dovecot lines, traditional syslog format) to this file");
  run_cmd->add_option("--log-level", run.log_level, "SimGrid log threshold for mailsim's actors (debug, verbose, info, warning)")
      ->check(CLI::IsMember({"trace", "debug", "verbose", "info", "warning", "error", "critical"}));

  add_viz_options(run_cmd, run.viz);

  return Command{run_cmd, [args] { return run_command(*args); }};
}

}  // namespace mailsim::app
