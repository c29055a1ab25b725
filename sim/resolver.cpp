#include "sim/resolver.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "sim/context.hpp"

namespace mailsim::sim {
namespace {

std::string summary(const dns::Message& m) {
  std::string out;
  for (const auto& q : m.questions)
    out += fmt::format("{} {} ? {} {} {}\r\n", m.qr ? "answer" : "query", m.id, q.name, dns::class_name(q.klass),
                       dns::type_name(q.type));
  if (!m.qr) return out;
  out += fmt::format("rcode {} aa={} {} answer, {} authority, {} additional\r\n", dns::rcode_name(m.rcode),
                     m.aa ? 1 : 0, m.answers.size(), m.authority.size(), m.additional.size());
  auto rr_text = [](const dns::ResourceRecord& rr) {
    std::string data = std::visit(
        [](const auto& d) -> std::string {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, dns::AData> || std::is_same_v<T, dns::AaaaData>) return d.address;
          else if constexpr (std::is_same_v<T, dns::NameData>) return d.name;
          else if constexpr (std::is_same_v<T, dns::MxData>) return fmt::format("{} {}", d.preference, d.exchange);
          else if constexpr (std::is_same_v<T, dns::SoaData>)
            return fmt::format("{} {} {} {} {} {} {}", d.mname, d.rname, d.serial, d.refresh, d.retry, d.expire,
                               d.minimum);
          else return "...";
        },
        rr.rdata);
    return fmt::format("{} {} {} {} {}", rr.name, rr.ttl, dns::class_name(rr.klass), dns::type_name(rr.type), data);
  };
  for (const auto& rr : m.answers) out += "  " + rr_text(rr) + "\r\n";
  for (const auto& rr : m.authority) out += "  ;authority " + rr_text(rr) + "\r\n";
  for (const auto& rr : m.additional) out += "  ;additional " + rr_text(rr) + "\r\n";
  return out;
}

}  // namespace

void record_dns(World& w, const std::string& client_host, const std::string& server_ip, const std::string& client_ip,
                const dns::Message& m, std::size_t size, double start, double end) {
  TranscriptEntry e;
  e.start = start;
  e.end = end;
  e.protocol = "dns";
  e.client_host = client_host;
  e.server_host = w.net.host_of_ip(server_ip);
  if (e.server_host.empty()) e.server_host = server_ip;
  e.client_ip = client_ip;
  e.server_ip = server_ip;
  e.direction = m.qr ? 'S' : 'C';
  e.bytes = summary(m);
  e.size = size;
  w.trace.transcript.push_back(std::move(e));
}

LookupResult Resolver::query(const std::string& name, dns::RecordType type) {
  World& w = world();
  LookupResult result;
  const auto& servers = host_.resolver.nameservers;
  if (servers.empty()) {
    result.detail = "no nameserver in /etc/resolv.conf";
    return result;
  }
  auto socket = w.net.udp_bind(host_.name, "0.0.0.0", 0);
  std::uniform_int_distribution<int> id_dist(0, 0xffff);
  int nscount = static_cast<int>(servers.size());
  std::string last_problem = "timed out";
  for (int attempt = 0; attempt < host_.resolver.attempts; ++attempt) {
    for (int ns = 0; ns < nscount; ++ns) {
      const std::string& server = servers[static_cast<size_t>(ns)];
      auto id = static_cast<std::uint16_t>(id_dist(host_.random));
      dns::Message q = dns::make_query(id, dns::absolute_name(name), type, true);
      std::string wire = dns::encode(q);
      double start = w.now();
      bool reachable = socket->send_to(server, 53, wire);
      record_dns(w, host_.name, server, host_.ip, q, wire.size(), start, start);
      if (!reachable) {
        last_problem = "connection refused";  // ICMP port unreachable: try the next server
        continue;
      }
      // glibc's send_dg: RES_TIMEOUT << ns seconds, divided by the number of
      // servers for all but the first, at least 1 s.
      double wait = host_.resolver.timeout * static_cast<double>(1 << ns);
      if (ns > 0) wait = std::floor(wait / nscount);
      wait = std::max(1.0, wait);
      double deadline = w.now() + wait;
      while (true) {
        double left = deadline - w.now();
        if (left <= 0) break;
        Datagram d;
        try {
          d = socket->recv(left);
        } catch (const ConnectionTimedOut&) {
          break;
        }
        dns::Message r;
        try {
          r = dns::decode(d.bytes);
        } catch (const dns::DecodeError&) {
          continue;  // a malformed answer is ignored, as glibc does
        }
        if (!r.qr || r.id != id) continue;
        record_dns(w, host_.name, server, host_.ip, r, d.bytes.size(), w.now(), w.now());
        if (r.rcode == dns::Rcode::SERVFAIL || r.rcode == dns::Rcode::REFUSED) {
          last_problem = dns::rcode_name(r.rcode);
          break;  // next server
        }
        result.response = r;
        if (r.rcode == dns::Rcode::NXDOMAIN) {
          result.status = LookupStatus::NXDOMAIN;
          result.detail = "host not found";
          return result;
        }
        // Follow CNAMEs inside the response's answer section.
        std::string target = dns::absolute_name(name);
        for (int hops = 0; hops < 8; ++hops) {
          bool moved = false;
          for (const auto& rr : r.answers) {
            if (rr.type == dns::RecordType::CNAME && dns::names_equal(rr.name, target) && type != dns::RecordType::CNAME) {
              target = std::get<dns::NameData>(rr.rdata).name;
              moved = true;
            }
          }
          if (!moved) break;
        }
        for (const auto& rr : r.answers)
          if (rr.type == type && dns::names_equal(rr.name, target)) result.records.push_back(rr);
        result.status = result.records.empty() ? LookupStatus::NODATA : LookupStatus::ANSWER;
        if (result.records.empty()) result.detail = "no data";
        return result;
      }
    }
  }
  result.status = LookupStatus::TEMPFAIL;
  result.detail = last_problem == "timed out" ? "name server timeout" : "name server " + last_problem;
  return result;
}

LookupResult Resolver::address_of(const std::string& name) {
  std::string bare = name;
  if (!bare.empty() && bare.back() == '.') bare.pop_back();
  auto addresses = dns::hosts_addresses(host_.hosts_file, bare);
  for (const auto& a : addresses) {
    if (a.find(':') != std::string::npos) continue;  // IPv6 entries are not used
    LookupResult r;
    r.status = LookupStatus::ANSWER;
    dns::ResourceRecord rr;
    rr.name = dns::absolute_name(bare);
    rr.type = dns::RecordType::A;
    rr.rdata = dns::AData{a};
    r.records.push_back(rr);
    r.detail = "/etc/hosts";
    return r;
  }
  return query(name, dns::RecordType::A);
}

}  // namespace mailsim::sim
