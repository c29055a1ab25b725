// What the actors of one run share: the scenario, the network, the trace,
// and each host's own state (its configuration, its mail queue, its
// mailboxes). Host state is what the host's disk holds, so the actors of that
// host (the Sendmail daemon, its queue runner, the MDA, Dovecot) use it as
// the real processes share /var/spool/mqueue and /var/mail; actors on other
// hosts reach it only through the network.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/config/access_map.hpp"
#include "models/config/aliases.hpp"
#include "models/config/dovecot_conf.hpp"
#include "models/config/sendmail_cf.hpp"
#include "models/dns/host_files.hpp"
#include "models/mailbox/mailbox.hpp"
#include "sim/mqueue.hpp"
#include "sim/net.hpp"
#include "sim/platform.hpp"
#include "sim/scenario.hpp"
#include "sim/trace.hpp"
#include "sim/workers.hpp"
#include "sim/world.hpp"

namespace simgrid::s4u {
class ConditionVariable;
class Mutex;
}  // namespace simgrid::s4u

namespace mailsim::sim {

/// /etc/resolv.conf as the stub resolver uses it.
struct ResolverSettings {
  std::vector<std::string> nameservers;
  std::vector<std::string> search;
  double timeout = 5;  ///< seconds per try (glibc's RES_TIMEOUT)
  int attempts = 2;    ///< rounds over the name servers (glibc's RES_DFLRETRY)
};

/// The Sendmail settings mailsim models, from sendmail.cf and the daemon's
/// command line.
struct SendmailSettings {
  std::string hostname;              ///< $j
  std::set<std::string> class_w;     ///< Cw and Fw names, lower case
  std::string daemon_addr = "0.0.0.0";  ///< DaemonPortOptions Addr=
  int daemon_port = 25;
  std::string daemon_name = "MTA";
  std::uint64_t max_message_size = 0;
  bool daemon = true;                ///< -bd: listen for SMTP connections
  double queue_interval = 3600;      ///< -q
  double queue_return = 5 * 86400;   ///< Timeout.queuereturn
  double queue_warn = 4 * 3600;      ///< Timeout.queuewarn
  double connect_timeout = 127;      ///< Linux gives up a connect after 127 s (tcp_syn_retries = 6) when Timeout.connect is 0
  std::string version = "8.17.1.9/8.17.1.9";  ///< $v/$Z in the banner and Received
  bool debian = false;        ///< Debian's build: banner suffix, greet_pause, its PrivacyOptions
  double greet_pause = 0;     ///< seconds before the banner (Debian: 1 s)
  config::SendmailConfig cf;   ///< everything parsed from sendmail.cf
  config::AccessMap access;    ///< /etc/mail/access
  config::Aliases aliases;     ///< /etc/aliases
};

/// The traced delivery a stored message belongs to, for the report.
struct TraceRef {
  std::string trace_id;
  std::string recipient;
};

/// A user's /var/mail file as the MDA writes it and Dovecot reads it.
struct SpoolMailbox {
  mailbox::Mailbox box;
  bool exists = false;  ///< procmail creates the file on the first delivery
};

/// A message in a PC user's local Inbox, as the mail client stored it.
struct InboxMessage {
  std::string sender;  ///< envelope sender for the From_ line
  double fetched = 0;  ///< simulated time it arrived on the PC
  message::SharedMessage content;  ///< shares the text with the server's mbox when unchanged
};

struct HostState {
  const HostSpec* spec = nullptr;
  std::string name, ip;
  ResolverSettings resolver;
  std::vector<dns::HostsEntry> hosts_file;  ///< /etc/hosts, consulted before DNS for addresses
  SendmailSettings sendmail;
  std::unique_ptr<MailQueue> queue;
  std::map<std::string, SpoolMailbox> spool;  ///< by path, e.g. /var/mail/lee
  /// Stored messages to the delivery they are, by mailbox path and address of the shared
  /// text. Deliveries of one queue entry share the text, so the path distinguishes them.
  std::map<std::pair<std::string, const std::string*>, TraceRef> traced;
  std::map<std::string, std::vector<InboxMessage>> inbox;  ///< a PC user's local Inbox
  config::DovecotConfig dovecot;
  unsigned next_pid = 0;
  unsigned queue_sequence = 0;
  std::mt19937_64 random;

  unsigned new_pid() { return next_pid++; }
};

class World {
 public:
  World(const Scenario& scenario, const RunOptions& options);

  const Scenario& scenario;
  RunOptions options;
  Trace trace;
  Network net{&trace};
  Platform platform;
  std::map<std::string, HostState> hosts;
  std::vector<std::string> warnings;

  /// Simulated seconds since the start.
  double now() const;
  /// Wall clock (epoch seconds) of a simulated instant.
  std::int64_t wall(double t) const;
  std::int64_t wall_now() const { return wall(now()); }

  HostState& host(const std::string& name) { return hosts.at(name); }

  /// Wakes the controller, which checks whether the run is over.
  void changed();
  /// True when no send is still to come, no message is queued or in flight,
  /// and every mailbox a client checks has been fetched.
  bool idle() const;

  int sends_pending = 0;
  bool client_running = false;  ///< the RunOptions client has not returned yet
  double client_deadline = -1;  ///< when a run with a client stops at the latest
  simgrid::s4u::ConditionVariable* cv = nullptr;
  simgrid::s4u::Mutex* mutex = nullptr;
  Workers workers;  ///< see run_job
};

/// The world of the run in progress.
World& world();
void set_world(World* w);

}  // namespace mailsim::sim
