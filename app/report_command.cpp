// mailsim report SCENARIO --html FILE: simulates the scenario and writes one self-contained
// HTML page with the topology, sequence diagram, step timings, transcripts and plots.
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "models/common/error.hpp"
#include "models/common/units.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"
#include "viz/graphviz.hpp"
#include "viz/html.hpp"
#include "viz/report.hpp"
#include "viz/run_data.hpp"

namespace mailsim::app {
namespace {

struct ReportArgs {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::string until;
  std::string html;
};

int report_command(const ReportArgs& args) {
  if (viz::file_extension(args.html) != "html" && viz::file_extension(args.html) != "htm")
    throw InputError(SourcePos{"--html", 0, 0}, "the page must end in .html, not '" + args.html + "'");
  sim::Scenario scenario = sim::load_scenario(args.scenario, args.sets);
  if (args.seed) scenario.seed = *args.seed;
  sim::RunOptions options;
  if (!args.until.empty()) {
    auto t = units::parse_duration(args.until);
    if (!t) throw InputError(SourcePos{"--until", 0, 0}, "invalid duration '" + args.until + "' (use e.g. 30m, 1h)");
    options.until = *t;
  }
  sim::RunResult result = sim::run_scenario(scenario, options);
  viz::RunData data = viz::run_data_from_json(nlohmann::json::parse(viz::to_json(scenario, result)));

  namespace fs = std::filesystem;
  char pattern[] = "/tmp/mailsim-report-XXXXXX";
  const char* work = mkdtemp(pattern);
  if (!work) {
    std::cerr << "mailsim: cannot create a temporary directory for the plots\n";
    return kExitFailure;
  }
  try {
    std::string page = viz::html_report(data, work);
    viz::write_text_file(args.html, page);
  } catch (const std::runtime_error& e) {
    std::error_code ec;
    fs::remove_all(work, ec);
    std::cerr << "mailsim: " << e.what() << "\n";
    return kExitFailure;
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  viz::write_report(std::cout, scenario, result);
  return 0;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Simulate a scenario and write one self-contained HTML page about the run");
  cmd->add_option("scenario", args->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--html", args->html, "Write the page to this .html file")->required();
  cmd->add_option("--seed", args->seed, "Seed for every random stream (default: the scenario's seed)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--set", args->sets, "Override one scenario value by its dotted path, e.g. network.latency=50ms")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--until", args->until, "Stop at this simulated time at the latest, e.g. 1h");
  return Command{cmd, [args] { return report_command(*args); }};
}

}  // namespace mailsim::app
