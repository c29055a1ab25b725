// Entry points that start each daemon role's actors on a host, and the mail
// clients of the workload. Each role lives in its own file:
//   named.cpp     the BIND name server (UDP port 53)
//   sendmail.cpp  the Sendmail daemon and its per-connection SMTP sessions
//   delivery.cpp  the queue runner and the delivery agent (esmtp mailer,
//                 hand-off to the local MDA)
//   mda.cpp       the local delivery agent appending to /var/mail/USER
//   dovecot.cpp   Dovecot's POP3 service
//   mua.cpp       the mail client on a PC (submission over SMTP, POP3 fetch)
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sim/scenario.hpp"

namespace mailsim::sim {

struct HostState;
struct QueueEntry;

/// Runs a daemon while its service is up: calls `serve(stop)` at each start,
/// which must return by simulated time `stop` (infinity when it never stops),
/// and sleeps through every `stopped:` window. Returns never.
void run_while_up(const ServiceSpec& service, const std::function<void(double stop)>& serve);

class Connection;

/// Runs `job` in a daemon actor of `role` on `host`: an idle one of an
/// earlier job when there is one, else a new one.
void run_job(const std::string& role, const std::string& host, std::function<void()> job);

/// Serves one accepted connection in a daemon actor on `host` (run_job).
/// The connection ends with the session and frees its mailboxes.
void spawn_session(const std::string& name, const std::string& host, std::shared_ptr<Connection> conn,
                   std::function<void(std::shared_ptr<Connection>)> serve);

void start_named(HostState& host);
void start_sendmail(HostState& host);
void start_dovecot(HostState& host);
void start_roundcube(HostState& host);
void start_workload_item(const WorkloadItem& item);

/// Spawns a delivery process for one queue entry (Sendmail's background
/// delivery right after the message is accepted).
void spawn_delivery(HostState& host, const std::string& queue_id);

/// Runs one delivery attempt of a queue entry in the calling actor.
void deliver_entry(HostState& host, const std::string& queue_id);

/// Queues Sendmail's bounce (a DSN from MAILER-DAEMON) for the failed,
/// not yet reported recipients of `entry`, to its sender, with a copy to the
/// postmaster for local configuration errors; then starts its delivery.
/// A message with the null sender gets no bounce (RFC 3464 §2, no loops).
void bounce(HostState& host, QueueEntry& entry);

/// Queues the Timeout.queuewarn notice ("could not send message for past
/// 4 hours") for the pending recipients of `entry`.
void warn_delayed(HostState& host, QueueEntry& entry);

/// Appends a message to a local mailbox in the calling actor (the MDA's
/// work); returns false with a reason when the user has no mailbox.
struct LocalDelivery {
  bool ok = false;
  std::string status;  ///< Sendmail's stat= text
  std::string dsn;     ///< enhanced status code
};
LocalDelivery deliver_local(HostState& host, const QueueEntry& entry, const std::string& user,
                            const std::string& traced_recipient);

}  // namespace mailsim::sim
