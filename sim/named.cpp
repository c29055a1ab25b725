// named: the BIND 9 name server of a host, authoritative only (the lab's
// `recursion no`). Loads the master zones of /etc/named.conf from the files
// it names (relative to `directory`), listens on UDP port 53 on the
// addresses of `listen-on`, and answers each query from its zones.
//
// Not modelled: TCP queries, zone transfers, recursion, allow-query ACLs
// other than `any`, views.
#include <cmath>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "models/dns/authority.hpp"
#include "models/dns/named_conf.hpp"
#include "models/dns/zone.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/host_config.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(named, mailsim, "named, the name server");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
void load_zones(HostState& host, dns::Authority& authority, std::vector<std::string>& warnings) {
  const HostSpec& spec = *host.spec;
  const FileSpec* conf = spec.file("/etc/named.conf");
  if (!conf) conf = spec.file("/etc/bind/named.conf");
  if (!conf) throw InputError(spec.pos, fmt::format("{} runs named but has no /etc/named.conf under files:", spec.name));
  dns::NamedConf nc = dns::parse_named_conf(conf->text, conf->display);
  for (const auto& d : nc.warnings) warnings.push_back(fmt::format("{}: warning: {}", format_pos(d.pos), d.text));
  for (const auto& z : nc.zones) {
    if (z.type != dns::ZoneType::PRIMARY) {
      warnings.push_back(fmt::format("{}: zone {} is not of type master; only master zones are modelled",
                                     format_pos(z.pos), z.name));
      continue;
    }
    std::string path = dns::zone_file_path(nc, z);
    const FileSpec* f = spec.file(path);
    if (!f) throw InputError(z.pos, fmt::format("zone {}: file {} does not exist on {}", z.name, path, spec.name));
    dns::Zone zone = dns::parse_zone(f->text, dns::absolute_name(z.name), f->display);
    for (const auto& d : dns::check_zone(zone)) {
      if (d.severity == dns::Severity::ERROR) throw InputError(d.pos, d.text);
      warnings.push_back(fmt::format("{}: warning: {}", format_pos(d.pos), d.text));
    }
    authority.add_zone(std::move(zone));
  }
}

void start_named(HostState& host) {
  auto authority = std::make_shared<dns::Authority>();
  load_zones(host, *authority, world().warnings);
  std::string name = host.name;
  // SimGrid keeps copies of an actor's function until the engine ends, so
  // the socket is handed over through a shared slot that the actor empties.
  auto initial = std::make_shared<std::shared_ptr<UdpSocket>>();
  if (host.spec->services.at("named").running_at(0)) *initial = world().net.udp_bind(name, "0.0.0.0", 53);
  sg4::Actor::create("named", world().platform.hosts.at(name), [authority, name, initial]() mutable {
    sg4::Actor::self()->daemonize();
    World& w = world();
    const ServiceSpec& service = w.host(name).spec->services.at("named");
    run_while_up(service, [&](double stop) {
    std::shared_ptr<UdpSocket> socket = std::move(*initial);
    if (!socket) socket = w.net.udp_bind(name, "0.0.0.0", 53);
    while (w.now() < stop) {
      Datagram d;
      try {
        d = socket->recv(std::isinf(stop) ? -1 : stop - w.now());
      } catch (const ConnectionTimedOut&) {
        break;
      }
      dns::Message query;
      try {
        query = dns::decode(d.bytes);
      } catch (const dns::DecodeError& e) {
        XBT_DEBUG("dropping malformed query from %s: %s", d.src_ip.c_str(), e.what());
        continue;
      }
      if (query.qr) continue;
      dns::Message answer = authority->answer(query);
      socket->send_to(d.src_ip, d.src_port, dns::encode(answer, dns::EncodeOptions{512}));
    }
    });
  });
}

}  // namespace mailsim::sim
