// /etc/mail/local-host-names: the host and domain names Sendmail accepts mail
// for as its own (class w, read through `Fw/etc/mail/local-host-names %[^\#]`).
// Follows Sendmail 8.17's class-file reading: `#` starts a comment anywhere
// on a line, and a line may contain several names separated by white space.
// Names are checked as RFC 1123 host names or `[IPv4]` domain literals
// (RFC 5321 section 4.1.3). Does not model map-backed classes (`Fw@map`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailsim::config {

/// Parses the file into names in file order, lower-cased because Sendmail
/// compares class members without regard to case. Throws InputError on a
/// name that is neither a host name nor a domain literal.
std::vector<std::string> parse_local_host_names(std::string_view text, const std::string& file);

}  // namespace mailsim::config
