// `mailsim check`: static checks of a scenario before a run. The checks build one relation
// graph (Boost.Graph) of hosts, routers, links, mail domains, DNS names and addresses, with
// the MX and A relations each host's resolver sees and the SMTP hops between Sendmail hosts,
// and walk it to find mail that cannot arrive. They apply the rules of RFC 5321 §5.1 (MX
// order, the implicit MX), Sendmail 8.17's MX handling (names in class w end the MX list;
// a connection back to itself is "mail loops back to me") and its relay check (access map),
// BIND 9.18's zone checks (named-checkzone), glibc's lookups (/etc/hosts before DNS) and
// Dovecot 2.3's mail_location.
//
// Not modelled: timing (a finding says what fails, not when a queue run retries), IPv6,
// secondary zones, CNAME chains in MX targets beyond what the name server returns, and the
// "not modelled" notes that loading a configuration file collects (`mailsim run` logs them).
#pragma once

#include <string>
#include <vector>

#include "models/common/error.hpp"
#include "sim/scenario.hpp"

namespace mailsim::sim {

enum class FindingSeverity { WARNING, ERROR };

/// One problem that `mailsim check` reports, at the scenario line of the offending item or
/// at `HOST:/path/on/host:LINE:COLUMN` inside a configuration file.
struct Finding {
  SourcePos pos;
  FindingSeverity severity = FindingSeverity::ERROR;
  std::string text;
};

/// Formats a finding as `file:line:column: error: text` (unknown position parts are left out).
std::string format_finding(const Finding& finding);

/// Runs every check on a loaded scenario and returns the findings in a fixed order, each
/// once. Throws InputError when a host's configuration file (sendmail.cf, the access map,
/// dovecot.conf, resolv.conf, /etc/hosts) cannot be parsed, as `mailsim run` does. Problems
/// in named.conf and zone files are findings, because named-checkconf and named-checkzone
/// report them.
std::vector<Finding> check_scenario(const Scenario& scenario);

}  // namespace mailsim::sim
