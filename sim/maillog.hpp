// The hosts' mail log (syslog facility mail) in the traditional format that
// rsyslog writes to /var/log/maillog: `Dec  4 17:08:11 mail.naver.com
// sendmail[31315]: QID: from=<...>, size=..., ...`. The host field is the
// full host name (rsyslog's PreserveFQDN), because the lab's two servers
// share the short name `mail`. Lines carry the simulated clock.
#pragma once

#include <cstdint>
#include <string>

#include "sim/trace.hpp"

namespace mailsim::sim {

/// Appends a line to the run's mail log; `program` is e.g. `sendmail[31315]`
/// or `dovecot`.
void mail_log(const std::string& host, const std::string& program, const std::string& text);

/// Sendmail's delay= and xdelay= form: `00:00:02`, `1+02:03:04` past a day.
std::string sendmail_delay(double seconds);

/// The whole log, lines in time order (ties keep the order they were logged).
std::string format_maillog(const Trace& trace, std::int64_t start_epoch);

/// `mailq` / `sendmail -bp` output for one MTA's queue at the end of a run.
std::string format_mailq(const struct HostState& host, std::int64_t start_epoch);

}  // namespace mailsim::sim
