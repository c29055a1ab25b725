// An authoritative-only name server answering from its zones as BIND 9.18 does with
// `recursion no` and its default `minimal-responses no-auth-recursive`.
// Follows RFC 1034 §4.3.2 (the lookup algorithm), RFC 2308 (negative answers with the SOA,
// TTL = min(SOA TTL, SOA MINIMUM)), RFC 4592 (wildcards), RFC 1035 §4.2.1 / RFC 6891 (UDP
// size limits) and RFC 2181 §9 (TC).
// Not modelled: recursion and caching, zone transfers (AXFR/IXFR get NOTIMP), NOTIFY and
// UPDATE (BIND implements both; here they get NOTIMP), DNS cookies, DNSSEC, EDNS versions
// other than 0, views and access lists (allow-query is not applied).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/dns/message.hpp"
#include "models/dns/zone.hpp"

namespace mailsim::dns {

enum class Transport { UDP, TCP };

class Authority {
 public:
  /// Serves `zone` from now on. Throws std::invalid_argument if a zone with the same origin
  /// is already loaded.
  void add_zone(Zone zone);

  /// Returns the zone that is authoritative for `name` (the one with the longest matching
  /// origin), or nullptr.
  const Zone* find_zone(std::string_view name) const;

  /// Builds the response to a decoded query: NOERROR with the answer, NODATA or NXDOMAIN with
  /// the zone's SOA in the authority section, REFUSED outside every zone, FORMERR unless the
  /// query has exactly one question, NOTIMP for opcodes other than QUERY. aa=1 for answers from
  /// a zone, ra=0, rd and cd copied, id and question copied.
  Message answer(const Message& query) const;

  /// Answers the wire-format query as the server would put it on `transport`: decodes it,
  /// builds the response and encodes it within the size limit (UDP: 512 octets, or with EDNS
  /// the requester's payload size capped at BIND's 1232). Returns nullopt when BIND sends
  /// nothing: messages shorter than a header and messages with QR=1. An undecodable query gets
  /// FORMERR with the query's id and opcode.
  std::optional<std::string> answer_packet(std::string_view query, Transport transport) const;

 private:
  void resolve(const std::string& qname, RecordType qtype, Message& response) const;
  void add_negative_soa(const Zone& zone, Message& response) const;
  void add_additional(Message& response) const;
  std::vector<const ResourceRecord*> records_at(const Zone& zone, std::string_view name) const;
  bool name_exists(const Zone& zone, std::string_view name) const;

  std::vector<Zone> zones_;
};

}  // namespace mailsim::dns
