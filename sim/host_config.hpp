// Turns a host's configuration files (as given in the scenario) into the
// settings its daemons use, and the end-of-run mailboxes into mbox files.
#pragma once

#include <string>
#include <vector>

#include "models/dns/authority.hpp"
#include "sim/context.hpp"

namespace mailsim::sim {

/// Parses /etc/resolv.conf, sendmail.cf with its class files, the access
/// map, aliases and dovecot.conf of one host. Throws InputError naming the
/// host and file; appends "not modelled" notes to `warnings`.
void configure_host(HostState& state, const HostSpec& spec, const Scenario& scenario,
                    std::vector<std::string>& warnings);

/// Loads the master zones that /etc/named.conf of a host names into
/// `authority`. Throws InputError for a zone BIND would not load.
void load_zones(HostState& host, dns::Authority& authority, std::vector<std::string>& warnings);

/// Every /var/mail/USER on the servers and every PC user's Inbox, as mbox.
void collect_mailboxes(World& world, std::vector<MailboxFile>& out);

}  // namespace mailsim::sim
