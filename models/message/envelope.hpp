// The SMTP envelope of one message: the reverse-path given with MAIL and the
// forward-paths given with RCPT (RFC 5321 section 2.3.1). Addresses are kept
// without angle brackets; the null reverse-path `<>` is the empty string.
// Not modelled: ESMTP parameters (SIZE, BODY, DSN's NOTIFY/ORCPT/RET/ENVID).
#pragma once

#include <string>
#include <vector>

namespace mailsim::message {

/// Envelope sender and recipients, in the order the client gave them.
struct Envelope {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
};

inline bool operator==(const Envelope& a, const Envelope& b) {
  return a.mail_from == b.mail_from && a.rcpt_to == b.rcpt_to;
}

}  // namespace mailsim::message
