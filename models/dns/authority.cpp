#include "models/dns/authority.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace mailsim::dns {
namespace {

// BIND 9.18's `max-restarts` default: how many CNAME targets one query follows.
constexpr int kMaxRestarts = 11;
// BIND 9.18's default `max-udp-size`: the largest UDP response it sends with EDNS.
constexpr std::size_t kMaxUdpSize = 1232;
constexpr std::size_t kPlainUdpSize = 512;  // RFC 1035 §4.2.1

const SoaData* soa_of(const ResourceRecord& rr) {
  return std::get_if<SoaData>(&rr.rdata);
}

bool has_type(const std::vector<const ResourceRecord*>& records, RecordType type) {
  return std::any_of(records.begin(), records.end(),
                     [type](const ResourceRecord* r) { return r->type == type; });
}

bool contains(const std::vector<ResourceRecord>& section, const std::string& name,
              RecordType type) {
  return std::any_of(section.begin(), section.end(), [&](const ResourceRecord& r) {
    return r.type == type && names_equal(r.name, name);
  });
}

// The name one label up, or nullopt for the root.
std::optional<std::string> parent_name(const std::string& name) {
  std::vector<std::string> labels = name_labels(name);
  if (labels.empty()) return std::nullopt;
  labels.erase(labels.begin());
  return labels_to_name(labels);
}

}  // namespace

void Authority::add_zone(Zone zone) {
  for (const auto& existing : zones_) {
    if (names_equal(existing.origin, zone.origin)) {
      throw std::invalid_argument(fmt::format("zone '{}' is already loaded", zone.origin));
    }
  }
  zones_.push_back(std::move(zone));
}

const Zone* Authority::find_zone(std::string_view name) const {
  const Zone* best = nullptr;
  std::size_t best_labels = 0;
  for (const auto& zone : zones_) {
    if (!is_subdomain(name, zone.origin)) continue;
    std::size_t labels = name_labels(zone.origin).size();
    if (best == nullptr || labels > best_labels) {
      best = &zone;
      best_labels = labels;
    }
  }
  return best;
}

std::vector<const ResourceRecord*> Authority::records_at(const Zone& zone,
                                                         std::string_view name) const {
  std::vector<const ResourceRecord*> out;
  for (const auto& r : zone.records) {
    if (names_equal(r.record.name, name)) out.push_back(&r.record);
  }
  return out;
}

// A name exists if it owns records or is an empty non-terminal (RFC 4592 §2.2.2).
bool Authority::name_exists(const Zone& zone, std::string_view name) const {
  return std::any_of(zone.records.begin(), zone.records.end(),
                     [&](const ZoneRecord& r) { return is_subdomain(r.record.name, name); });
}

Message Authority::answer(const Message& query) const {
  Message response;
  response.id = query.id;
  response.qr = true;
  response.opcode = query.opcode;
  response.rd = query.rd;
  response.cd = query.cd;
  response.ra = false;  // recursion no

  if (query.opcode != Opcode::QUERY) {
    response.questions = query.questions;
    response.rcode = Rcode::NOTIMP;
    return response;
  }
  if (query.questions.size() != 1) {
    response.rcode = Rcode::FORMERR;
    return response;
  }
  int opt_count = 0;
  for (const auto& rr : query.additional) opt_count += rr.type == RecordType::OPT ? 1 : 0;
  if (opt_count > 1) {
    response.rcode = Rcode::FORMERR;  // RFC 6891 §6.1.1
    return response;
  }
  if (opt_count == 1) {
    // RFC 6891 §6.1.2: the responder's OPT carries its own payload size; version 0, no flags.
    response.additional.push_back(
        ResourceRecord{".", RecordType::OPT, static_cast<RecordClass>(kMaxUdpSize), 0, RawData{}});
  }

  const Question& question = query.questions.front();
  response.questions = query.questions;
  if (question.type == RecordType::AXFR || question.type == RecordType::IXFR) {
    response.rcode = Rcode::NOTIMP;
    return response;
  }
  if ((question.klass != RecordClass::IN && question.klass != RecordClass::ANY) ||
      find_zone(question.name) == nullptr) {
    response.rcode = Rcode::REFUSED;
    return response;
  }
  resolve(question.name, question.type, response);
  add_additional(response);
  return response;
}

// RFC 1034 §4.3.2, steps 3a-3c, restarted for each CNAME target inside the served zones.
void Authority::resolve(const std::string& qname, RecordType qtype, Message& response) const {
  std::string name = qname;
  std::set<std::string> visited;
  for (int restart = 0; restart <= kMaxRestarts; ++restart) {
    const Zone* zone = find_zone(name);
    if (zone == nullptr) return;  // a CNAME left the served zones: the answer stops there
    if (restart == 0) response.aa = true;
    visited.insert(canonical_name(name));

    // A delegation between the apex and the name is a referral (RFC 1034 §4.3.2 step 3b).
    std::vector<std::string> cuts;
    for (std::optional<std::string> n = canonical_name(name); n && !names_equal(*n, zone->origin);
         n = parent_name(*n)) {
      cuts.push_back(*n);
    }
    for (auto it = cuts.rbegin(); it != cuts.rend(); ++it) {
      std::vector<const ResourceRecord*> at = records_at(*zone, *it);
      if (has_type(at, RecordType::NS)) {
        if (restart == 0) response.aa = false;
        for (const auto* r : at) {
          if (r->type == RecordType::NS) response.authority.push_back(*r);
        }
        return;
      }
    }

    std::vector<const ResourceRecord*> at = records_at(*zone, name);
    std::string owner = name;
    if (at.empty() && !name_exists(*zone, name)) {
      // RFC 4592 §3.3.1: the source of synthesis is "*." + the closest encloser.
      std::optional<std::string> encloser = parent_name(name);
      while (encloser && !name_exists(*zone, *encloser)) encloser = parent_name(*encloser);
      if (encloser && is_subdomain(*encloser, zone->origin)) {
        at = records_at(*zone, "*." + *encloser);
      }
      if (at.empty()) {
        response.rcode = Rcode::NXDOMAIN;
        add_negative_soa(*zone, response);
        return;
      }
    }

    bool matched = false;
    for (const auto* r : at) {
      if (r->type == qtype || qtype == RecordType::ANY) {
        ResourceRecord copy = *r;
        copy.name = owner;
        response.answers.push_back(copy);
        matched = true;
      }
    }
    if (matched) {
      // minimal-responses no-auth-recursive: the zone's NS only for non-recursive queries.
      if (!response.rd && response.authority.empty()) {
        for (const auto* r : records_at(*zone, zone->origin)) {
          if (r->type == RecordType::NS) response.authority.push_back(*r);
        }
      }
      return;
    }
    auto cname = std::find_if(at.begin(), at.end(),
                              [](const ResourceRecord* r) { return r->type == RecordType::CNAME; });
    if (cname == at.end()) {
      add_negative_soa(*zone, response);  // NODATA (RFC 2308 §2.2)
      return;
    }
    ResourceRecord copy = **cname;
    copy.name = owner;
    response.answers.push_back(copy);
    name = std::get<NameData>(copy.rdata).name;
    if (visited.count(canonical_name(name)) > 0) return;  // CNAME loop: stop with what we have
  }
}

// RFC 2308 §3: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
void Authority::add_negative_soa(const Zone& zone, Message& response) const {
  for (const auto* r : records_at(zone, zone.origin)) {
    if (const SoaData* soa = soa_of(*r)) {
      ResourceRecord copy = *r;
      copy.ttl = std::min(r->ttl, soa->minimum);
      response.authority.push_back(copy);
      return;
    }
  }
}

// RFC 1035 §3.3.9 and §3.3.11: A and AAAA of MX exchanges and NS hosts, when served here.
void Authority::add_additional(Message& response) const {
  std::vector<std::string> hosts;
  for (const auto* section : {&response.answers, &response.authority}) {
    for (const auto& rr : *section) {
      if (const auto* mx = std::get_if<MxData>(&rr.rdata)) hosts.push_back(mx->exchange);
      if (rr.type == RecordType::NS) hosts.push_back(std::get<NameData>(rr.rdata).name);
    }
  }
  std::vector<ResourceRecord> extra;
  for (const auto& host : hosts) {
    const Zone* zone = find_zone(host);
    if (zone == nullptr) continue;
    for (RecordType type : {RecordType::A, RecordType::AAAA}) {
      if (contains(response.answers, host, type) || contains(extra, host, type)) continue;
      for (const auto* r : records_at(*zone, host)) {
        if (r->type == type) extra.push_back(*r);
      }
    }
  }
  // The OPT record, if any, stays last.
  response.additional.insert(response.additional.begin(), extra.begin(), extra.end());
}

std::optional<std::string> Authority::answer_packet(std::string_view query,
                                                    Transport transport) const {
  if (query.size() < 12) return std::nullopt;
  if ((static_cast<std::uint8_t>(query[2]) & 0x80) != 0) return std::nullopt;  // a response
  Message response;
  std::size_t limit = transport == Transport::TCP ? 65535 : kPlainUdpSize;
  try {
    Message decoded = decode(query);
    response = answer(decoded);
    for (const auto& rr : decoded.additional) {
      if (rr.type == RecordType::OPT && transport == Transport::UDP) {
        std::size_t requested = static_cast<std::uint16_t>(rr.klass);
        limit = std::clamp(requested, kPlainUdpSize, kMaxUdpSize);
      }
    }
  } catch (const DecodeError&) {
    response = Message{};
    response.id = static_cast<std::uint16_t>((static_cast<std::uint8_t>(query[0]) << 8) |
                                             static_cast<std::uint8_t>(query[1]));
    response.qr = true;
    response.opcode = static_cast<Opcode>((static_cast<std::uint8_t>(query[2]) >> 3) & 0x0f);
    response.rcode = Rcode::FORMERR;
  }
  return encode(response, EncodeOptions{limit});
}

}  // namespace mailsim::dns
