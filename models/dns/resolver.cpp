#include "models/dns/resolver.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace mailsim::dns {
namespace {

bool has_records_at(const Message& response, const std::string& name, RecordType type) {
  return std::any_of(
      response.answers.begin(), response.answers.end(), [&](const ResourceRecord& r) {
        return (r.type == type || type == RecordType::ANY) && names_equal(r.name, name);
      });
}

bool section_has(const std::vector<ResourceRecord>& section, RecordType type) {
  return std::any_of(section.begin(), section.end(),
                     [type](const ResourceRecord& r) { return r.type == type; });
}

}  // namespace

std::string kind_name(ResponseKind kind) {
  switch (kind) {
    case ResponseKind::ANSWER:
      return "ANSWER";
    case ResponseKind::ALIAS:
      return "ALIAS";
    case ResponseKind::NODATA:
      return "NODATA";
    case ResponseKind::NXDOMAIN:
      return "NXDOMAIN";
    case ResponseKind::REFERRAL:
      return "REFERRAL";
    case ResponseKind::REFUSED:
      return "REFUSED";
    case ResponseKind::SERVFAIL:
      return "SERVFAIL";
    case ResponseKind::FORMERR:
      return "FORMERR";
    case ResponseKind::NOTIMP:
      return "NOTIMP";
    case ResponseKind::TRUNCATED:
      return "TRUNCATED";
    case ResponseKind::OTHER_ERROR:
      return "OTHER_ERROR";
  }
  return "OTHER_ERROR";
}

std::string follow_cnames(const Message& response, const std::string& name) {
  std::string current = absolute_name(name);
  std::set<std::string> seen{canonical_name(current)};
  // RFC 1034 §5.3.3: each step replaces the name with the CNAME's target; a loop ends it.
  while (true) {
    auto cname = std::find_if(response.answers.begin(), response.answers.end(),
                              [&](const ResourceRecord& r) {
                                return r.type == RecordType::CNAME && names_equal(r.name, current);
                              });
    if (cname == response.answers.end()) return current;
    std::string target = std::get<NameData>(cname->rdata).name;
    if (!seen.insert(canonical_name(target)).second) return current;
    current = target;
  }
}

ResponseKind classify(const Message& response) {
  if (response.tc) return ResponseKind::TRUNCATED;
  switch (response.rcode) {
    case Rcode::NOERROR:
      break;
    case Rcode::NXDOMAIN:
      return ResponseKind::NXDOMAIN;
    case Rcode::REFUSED:
      return ResponseKind::REFUSED;
    case Rcode::SERVFAIL:
      return ResponseKind::SERVFAIL;
    case Rcode::FORMERR:
      return ResponseKind::FORMERR;
    case Rcode::NOTIMP:
      return ResponseKind::NOTIMP;
    default:
      return ResponseKind::OTHER_ERROR;
  }
  if (response.questions.empty()) {
    return response.answers.empty() ? ResponseKind::NODATA : ResponseKind::ANSWER;
  }
  const Question& q = response.questions.front();
  std::string final_name = follow_cnames(response, q.name);
  if (has_records_at(response, final_name, q.type)) return ResponseKind::ANSWER;
  if (q.type == RecordType::CNAME && has_records_at(response, q.name, RecordType::CNAME)) {
    return ResponseKind::ANSWER;
  }
  if (section_has(response.authority, RecordType::SOA)) return ResponseKind::NODATA;
  if (!names_equal(final_name, q.name)) return ResponseKind::ALIAS;
  if (response.answers.empty() && section_has(response.authority, RecordType::NS)) {
    return ResponseKind::REFERRAL;
  }
  // RFC 2308 §2.2: NODATA without an SOA is still NODATA.
  return ResponseKind::NODATA;
}

MxList mx_hosts(const Message& response, const std::string& domain) {
  if (!response.questions.empty()) {
    const Question& q = response.questions.front();
    if (q.type != RecordType::MX || !names_equal(q.name, domain)) {
      throw std::invalid_argument(
          fmt::format("response is for {} {}, not {} MX", q.name, type_name(q.type), domain));
    }
  }
  MxList list;
  list.kind = classify(response);
  std::string target = follow_cnames(response, domain);
  if (list.kind == ResponseKind::NODATA) {
    // RFC 5321 §5.1: no MX records means the domain itself, with preference 0.
    list.implicit = true;
    list.hosts.push_back(MxHost{0, target});
    return list;
  }
  if (list.kind != ResponseKind::ANSWER) return list;
  for (const auto& rr : response.answers) {
    if (rr.type != RecordType::MX || !names_equal(rr.name, target)) continue;
    const auto& mx = std::get<MxData>(rr.rdata);
    list.hosts.push_back(MxHost{mx.preference, absolute_name(mx.exchange)});
  }
  // RFC 7505 §3: a single MX with preference 0 and exchange "." means "no mail here".
  if (list.hosts.size() == 1 && list.hosts[0].host == "." && list.hosts[0].preference == 0) {
    list.null_mx = true;
    list.hosts.clear();
    return list;
  }
  std::stable_sort(list.hosts.begin(), list.hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  return list;
}

std::vector<std::string> addresses(const Message& response, const std::string& name,
                                   RecordType type) {
  if (type != RecordType::A && type != RecordType::AAAA) {
    throw std::invalid_argument(
        fmt::format("addresses() needs A or AAAA, not {}", type_name(type)));
  }
  std::string target = follow_cnames(response, name);
  std::vector<std::string> out;
  for (const auto& rr : response.answers) {
    if (rr.type != type || !names_equal(rr.name, target)) continue;
    if (const auto* a = std::get_if<AData>(&rr.rdata)) out.push_back(a->address);
    if (const auto* aaaa = std::get_if<AaaaData>(&rr.rdata)) out.push_back(aaaa->address);
  }
  return out;
}

std::string reverse_name(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const auto* b = reinterpret_cast<const unsigned char*>(&v4);
    return fmt::format("{}.{}.{}.{}.in-addr.arpa.", b[3], b[2], b[1], b[0]);  // RFC 1035 §3.5
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    // RFC 3596 §2.5: one label per nibble, least significant first.
    std::string out;
    for (int i = 15; i >= 0; --i) {
      out += fmt::format("{:x}.{:x}.", v6.s6_addr[i] & 0x0f, v6.s6_addr[i] >> 4);
    }
    return out + "ip6.arpa.";
  }
  throw std::invalid_argument(fmt::format("invalid IP address '{}'", address));
}

std::vector<std::string> search_names(const std::string& name, const ResolvConf& conf,
                                      const std::string& hostname) {
  if (!name.empty() && name.back() == '.') return {name};
  std::vector<std::string> search = conf.search;
  if (search.empty()) {
    std::size_t dot = hostname.find('.');
    if (dot != std::string::npos && dot + 1 < hostname.size()) {
      search.push_back(hostname.substr(dot + 1));
    }
  }
  auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  std::vector<std::string> out;
  if (dots >= conf.ndots) out.push_back(name);
  for (const auto& domain : search) {
    std::string suffix = domain;
    if (!suffix.empty() && suffix.back() == '.') suffix.pop_back();
    out.push_back(name + "." + suffix);
  }
  if (dots < conf.ndots) out.push_back(name);
  return out;
}

}  // namespace mailsim::dns
