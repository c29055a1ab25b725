// One simulation run. It builds the platform from the scenario, starts one
// actor per daemon role on each host and runs the workload. It stops when no
// message is in flight or queued and every checked mailbox has been fetched,
// or at the scenario's duration, whichever comes first.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/mailbox/mailbox.hpp"
#include "sim/scenario.hpp"
#include "sim/trace.hpp"

namespace mailsim::sim {

struct RunOptions {
  double until = -1;  ///< overrides the scenario's duration when >= 0
  bool run_to_until = false;  ///< keep going to `until` even when nothing is left to do
  /// When set, runs in place of the workload as an actor on `client_host`;
  /// the run ends once it has returned and no mail is left in flight.
  std::function<void()> client;
  std::string client_host;
  /// Simulated seconds the run goes on after `client` returns, for
  /// deliveries it caused; mail deferred longer stays queued.
  double grace_after_client = 600;
  std::string log_level = "warning";  ///< SimGrid log threshold for mailsim's categories
};

/// A mailbox file as it is at the end of a run.
struct MailboxFile {
  std::string host;
  std::string path;  ///< as on the host: /var/mail/lee or /home/lee/Inbox
  /// The messages, sharing their text with the run; the file bytes are rendered on demand.
  mailbox::Mailbox box;

  /// Returns the mbox bytes: a copy of every message.
  std::string text() const { return box.render(); }
};

struct RunResult {
  Trace trace;
  double end_time = 0;  ///< simulated seconds when the run stopped
  bool stopped_by_duration = false;
  std::vector<MailboxFile> mailboxes;
  std::vector<std::string> warnings;  ///< configuration options not modelled, etc.
  std::string maillog;                ///< every host's mail log, see sim/maillog.hpp
  std::map<std::string, std::string> mailq;  ///< `mailq` output of each MTA at the end
};

/// Runs the scenario. SimGrid allows one engine per process, so call this
/// once per process. Throws InputError for configuration mistakes found
/// while setting hosts up.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace mailsim::sim
