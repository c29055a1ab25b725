// The stub resolver of a host (glibc's res_query as Sendmail and the mail
// clients use it): UDP queries to the name servers of /etc/resolv.conf with
// RD set. As glibc's send_dg, the first server is given `timeout` seconds
// and server n (from 0) `timeout << n` divided by the number of servers (at
// least 1 s), in `attempts` rounds over all of them.
//
// Address lookups (address_of) read /etc/hosts before asking DNS, as
// glibc does with nsswitch's `hosts: files dns`.
//
// NOTE: the search list is not applied; names are looked up as absolute
// names, so the extra `name.domain` queries glibc sends are not modelled.
#pragma once

#include <string>
#include <vector>

#include "models/dns/message.hpp"

namespace mailsim::sim {

struct HostState;

enum class LookupStatus {
  ANSWER,    ///< NOERROR with records of the asked type (after CNAMEs)
  NODATA,    ///< NOERROR, the name exists but has no such records
  NXDOMAIN,  ///< the name does not exist
  TEMPFAIL,  ///< timeout, SERVFAIL or REFUSED from every server: try again later
};

struct LookupResult {
  LookupStatus status = LookupStatus::TEMPFAIL;
  dns::Message response;
  std::vector<dns::ResourceRecord> records;  ///< answers of the asked type
  std::string detail;  ///< why it failed, in resolver words
};

class Resolver {
 public:
  explicit Resolver(HostState& host) : host_(host) {}
  LookupResult query(const std::string& name, dns::RecordType type);
  /// gethostbyname(): /etc/hosts first, then an A query ("hosts: files dns").
  LookupResult address_of(const std::string& name);

 private:
  HostState& host_;
};

}  // namespace mailsim::sim
