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

#include <string>

#include "sim/scenario.hpp"

namespace mailsim::sim {

struct HostState;
struct QueueEntry;

void start_named(HostState& host);
void start_sendmail(HostState& host);
void start_dovecot(HostState& host);
void start_workload_item(const WorkloadItem& item);

/// Spawns a delivery process for one queue entry (Sendmail's background
/// delivery right after the message is accepted).
void spawn_delivery(HostState& host, const std::string& queue_id);

/// Runs one delivery attempt of a queue entry in the calling actor.
void deliver_entry(HostState& host, const std::string& queue_id);

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
