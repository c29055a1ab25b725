// The host files a simulated machine's resolver reads: /etc/resolv.conf as glibc 2.36 reads
// it (resolv.conf(5)), /etc/hosts (hosts(5)) and /etc/hostname (hostname(5)).
// Unlike glibc, which skips lines it cannot use, these parsers throw mailsim::InputError at
// file:line:column for invalid values, so that a mistake in a scenario is not silent.
// Not modelled: resolv.conf's `sortlist` (ignored with a warning) and the RES_OPTIONS and
// LOCALDOMAIN environment variables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"
#include "models/dns/diagnostic.hpp"

namespace mailsim::dns {

struct ResolvConf {
  /// Servers in file order, at most 3 (glibc's MAXNS). If the file names none, glibc queries
  /// 127.0.0.1, which is then the only entry.
  std::vector<std::string> nameservers;
  /// Search list from `search` or `domain`, whichever comes last (as in glibc). Empty when the
  /// file has neither, and glibc then uses the domain of the host name.
  std::vector<std::string> search;
  int ndots = 1;     // capped at 15, as in glibc
  int timeout = 5;   // seconds per try (RES_TIMEOUT), capped at 30
  int attempts = 2;  // tries per server (RES_DFLRETRY), capped at 5
  bool rotate = false;
  bool use_vc = false;
  bool edns0 = false;
  bool single_request = false;
  bool single_request_reopen = false;
  bool no_aaaa = false;
  std::vector<Diagnostic> warnings;  // ignored nameservers, options and keywords
};

/// Parses resolv.conf text. `file` only labels positions.
ResolvConf parse_resolv_conf(std::string_view text, const std::string& file);

struct HostsEntry {
  std::string address;
  std::string canonical;
  std::vector<std::string> aliases;
  SourcePos pos;
};

/// Parses an /etc/hosts file: `address canonical-name [aliases...]`, '#' comments.
std::vector<HostsEntry> parse_hosts(std::string_view text, const std::string& file);

/// Returns the addresses of `name` (canonical name or alias, case-insensitive) in file order.
std::vector<std::string> hosts_addresses(const std::vector<HostsEntry>& entries,
                                         const std::string& name);

/// Parses /etc/hostname: one host name, '#' comment lines ignored. Throws InputError for an
/// empty file, more than one name, or a name that is not an RFC 1123 host name of at most 64
/// characters (HOST_NAME_MAX).
std::string parse_hostname(std::string_view text, const std::string& file);

}  // namespace mailsim::dns
