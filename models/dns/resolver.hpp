// Stub-resolver logic as pure functions: what a response means, the MX list and addresses it
// gives, reverse-lookup names, and the names glibc tries for a search list. The simulator
// sends and receives the packets.
// Follows RFC 1034 §5.3.3 (following CNAMEs), RFC 2308 §2 (NXDOMAIN and NODATA), RFC 5321
// §5.1 (MX ordering and the implicit MX), RFC 7505 (null MX), RFC 1035 §3.5 and RFC 3596 §2.5
// (in-addr.arpa and ip6.arpa names) and glibc 2.36's res_search() order.
// Not modelled: retries and timeouts (the caller runs them with ResolvConf's values), DNSSEC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/dns/host_files.hpp"
#include "models/dns/message.hpp"

namespace mailsim::dns {

enum class ResponseKind {
  ANSWER,    // data of the question's type, possibly after CNAMEs
  ALIAS,     // CNAMEs whose final target has no data in this response and no SOA
  NODATA,    // NOERROR, the name exists but has no data of that type (RFC 2308 §2.2)
  NXDOMAIN,  // RFC 2308 §2.1
  REFERRAL,  // NOERROR, no answer, NS records in the authority section and no SOA
  REFUSED,
  SERVFAIL,
  FORMERR,
  NOTIMP,
  TRUNCATED,    // TC=1: the caller retries over TCP (RFC 7766 §5)
  OTHER_ERROR,  // any other RCODE
};

/// Mnemonic of a kind for logs: "ANSWER", "NODATA", ...
std::string kind_name(ResponseKind kind);

/// Classifies a response to the question it carries. TC is checked first, then the RCODE.
ResponseKind classify(const Message& response);

/// Returns the name that `name` leads to through the CNAME records of the answer section.
std::string follow_cnames(const Message& response, const std::string& name);

struct MxHost {
  std::uint16_t preference = 0;
  std::string host;  // absolute: "mail.naver.com."
};

struct MxList {
  ResponseKind kind = ResponseKind::ANSWER;
  /// Sorted by preference, equal preferences in answer order. Empty unless kind is ANSWER or
  /// NODATA, or for a null MX.
  std::vector<MxHost> hosts;
  /// True when the domain has no MX records and `hosts` is RFC 5321 §5.1's implicit MX:
  /// the domain itself (after CNAMEs) with preference 0.
  bool implicit = false;
  /// True for RFC 7505's null MX (`MX 0 .`): the domain accepts no mail, `hosts` is empty.
  bool null_mx = false;
};

/// Extracts the mail exchangers for `domain` from the response to its MX query.
/// Throws std::invalid_argument if the response's question is not `domain` MX.
MxList mx_hosts(const Message& response, const std::string& domain);

/// Returns the addresses of `name` (RecordType::A or AAAA) from the answer section, following
/// CNAMEs; empty if there are none. The additional section is not used, as Sendmail and glibc
/// do not use it.
std::vector<std::string> addresses(const Message& response, const std::string& name,
                                   RecordType type = RecordType::A);

/// Returns the PTR query name of an IPv4 or IPv6 address: "127.0.0.4" ->
/// "4.0.0.127.in-addr.arpa.". Throws std::invalid_argument for an invalid address.
std::string reverse_name(const std::string& address);

/// Returns the names glibc's res_search() queries for `name`, in order: with fewer dots than
/// `ndots` the search domains come first and the name as given last, otherwise the reverse.
/// A name ending in '.' is queried alone. The search list is conf.search or, when empty, the
/// domain of `hostname` (mail.daum.net -> daum.net).
std::vector<std::string> search_names(const std::string& name, const ResolvConf& conf,
                                      const std::string& hostname);

}  // namespace mailsim::dns
