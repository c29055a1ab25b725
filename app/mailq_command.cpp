// mailsim mailq SCENARIO --host HOST --at TIME: a host's mail queue at a
// simulated time, printed as `mailq` (`sendmail -bp`) prints it.
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "models/common/error.hpp"
#include "models/common/units.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace mailsim::app {
namespace {

struct MailqArgs {
  std::string scenario;
  std::string host;
  std::string at;
  std::vector<std::string> sets;
};

int mailq_command(const MailqArgs& args) {
  sim::Scenario scenario = sim::load_scenario(args.scenario, args.sets);
  const sim::HostSpec* host = scenario.host(args.host);
  if (!host) throw InputError(SourcePos{"--host", 0, 0}, "unknown host '" + args.host + "' in " + args.scenario);
  if (!host->runs("sendmail"))
    throw InputError(SourcePos{"--host", 0, 0}, args.host + " runs no Sendmail, so it has no mail queue");
  auto at = units::parse_duration(args.at);
  if (!at) throw InputError(SourcePos{"--at", 0, 0}, "invalid time '" + args.at + "' (use e.g. 30s, 5m, 2h)");
  sim::RunOptions options;
  options.until = *at;
  options.run_to_until = true;
  sim::RunResult result = sim::run_scenario(scenario, options);
  std::cout << result.mailq.at(args.host);
  return 0;
}

}  // namespace

Command add_mailq_command(CLI::App& app) {
  auto args = std::make_shared<MailqArgs>();
  auto* cmd = app.add_subcommand("mailq", "Print a host's mail queue at a simulated time, as mailq (sendmail -bp) does");
  cmd->add_option("scenario", args->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--host", args->host, "The Sendmail host whose queue to print")->required();
  cmd->add_option("--at", args->at, "Simulated time, e.g. 90s or 2h")->required();
  cmd->add_option("--set", args->sets, "Override one scenario value by its dotted path")->take_all()->allow_extra_args(false);
  return Command{cmd, [args] { return mailq_command(*args); }};
}

}  // namespace mailsim::app
