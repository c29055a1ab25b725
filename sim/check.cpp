#include "sim/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "models/config/access_map.hpp"
#include "models/config/text.hpp"
#include "models/dns/authority.hpp"
#include "models/dns/host_files.hpp"
#include "models/dns/named_conf.hpp"
#include "models/dns/resolver.hpp"
#include "models/dns/zone.hpp"
#include "sim/context.hpp"
#include "sim/host_config.hpp"
#include "sim/platform.hpp"

namespace mailsim::sim {
namespace {

using config::text::to_lower;

// ---------------------------------------------------------------------------------------------
// The relation graph: hosts and routers joined by links, and the mail relations the hosts'
// resolvers see (domain -MX-> name -A-> address -> host), plus the SMTP hops one Sendmail
// host makes to another for a domain.

enum class NodeKind { HOST, ROUTER, DOMAIN, NAME, ADDRESS };
enum class RelationKind { LINK, MX, A, ADDRESS_OF, HOP };

struct Node {
  NodeKind kind = NodeKind::HOST;
  std::string name;
};

struct Relation {
  RelationKind kind = RelationKind::LINK;
  std::string domain;  ///< HOP: the mail domain the hop carries
  std::string via;     ///< MX, A: the name server or /etc/hosts that gives it; HOP: the MX host
  SourcePos pos;       ///< the record or setting the relation comes from
};

using RelationGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Relation>;
using Vertex = boost::graph_traits<RelationGraph>::vertex_descriptor;
using Edge = boost::graph_traits<RelationGraph>::edge_descriptor;

// Keeps the relations of one kind (and for HOP, of one domain).
struct RelationFilter {
  const RelationGraph* graph = nullptr;
  RelationKind kind = RelationKind::LINK;
  std::string domain;

  bool operator()(const Edge& e) const {
    const Relation& r = (*graph)[e];
    return r.kind == kind && (kind != RelationKind::HOP || r.domain == domain);
  }
};

using RelationView = boost::filtered_graph<RelationGraph, RelationFilter>;

struct ReachVisitor : boost::default_bfs_visitor {
  std::vector<Vertex>* reached = nullptr;
  void discover_vertex(Vertex v, const RelationView&) const { reached->push_back(v); }
};

struct LoopVisitor : boost::default_dfs_visitor {
  std::vector<Edge>* back_edges = nullptr;
  void back_edge(Edge e, const RelationView&) const { back_edges->push_back(e); }
};

class Relations {
 public:
  Vertex vertex(NodeKind kind, const std::string& name) {
    auto key = std::make_pair(kind, name);
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    Vertex v = boost::add_vertex(Node{kind, name}, graph_);
    index_[key] = v;
    return v;
  }

  std::optional<Vertex> find(NodeKind kind, const std::string& name) const {
    auto it = index_.find(std::make_pair(kind, name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  void relate(Vertex from, Vertex to, const Relation& relation) {
    auto key = std::make_tuple(from, to, relation.kind, relation.domain, relation.via);
    if (!edge_keys_.insert(key).second) return;
    boost::add_edge(from, to, relation, graph_);
  }

  /// Returns the vertices reachable from `start` over the relations that `filter` keeps, `start`
  /// first.
  std::vector<Vertex> reachable(Vertex start, const RelationFilter& filter) const {
    RelationView view(graph_, filter);
    std::vector<Vertex> reached;
    ReachVisitor visitor;
    visitor.reached = &reached;
    boost::breadth_first_search(view, start, boost::visitor(visitor));
    return reached;
  }

  /// Returns the edges that close a cycle among the relations that `filter` keeps.
  std::vector<Edge> cycles(const RelationFilter& filter) const {
    RelationView view(graph_, filter);
    std::vector<Edge> back_edges;
    LoopVisitor visitor;
    visitor.back_edges = &back_edges;
    boost::depth_first_search(view, boost::visitor(visitor));
    return back_edges;
  }

  RelationFilter filter(RelationKind kind, const std::string& domain = {}) const {
    return RelationFilter{&graph_, kind, domain};
  }

  const RelationGraph& graph() const { return graph_; }

 private:
  RelationGraph graph_;
  std::map<std::pair<NodeKind, std::string>, Vertex> index_;
  std::set<std::tuple<Vertex, Vertex, RelationKind, std::string, std::string>> edge_keys_;
};

// ---------------------------------------------------------------------------------------------
// Hosts as the checks see them: the parsed configuration and the zones of named.

struct CheckedHost {
  const HostSpec* spec = nullptr;
  HostState state;
  std::vector<dns::HostsEntry> hosts_file;
  dns::Authority authority;                      ///< the zones named would load
  std::vector<std::string> named_listen{"any"};  ///< listen-on addresses for port 53
  const FileSpec* named_conf = nullptr;
  int component = 0;  ///< hosts with the same number are joined by links
};

/// A reason why something does not work, with the place to fix it.
struct Problem {
  SourcePos pos;
  std::string text;
};

bool always_stopped(const ServiceSpec& service) {
  for (const auto& w : service.stopped)
    if (w.from <= 0 && std::isinf(w.to)) return true;
  return false;
}

// Formats whole seconds the way scenarios write them: 0s, 90s -> 1m30s, 20m, 1h5m.
std::string duration_text(double seconds) {
  if (std::isinf(seconds)) return "the end of the run";
  auto total = static_cast<long>(std::llround(seconds));
  long h = total / 3600, m = (total % 3600) / 60, s = total % 60;
  std::string out;
  if (h > 0) out += fmt::format("{}h", h);
  if (m > 0) out += fmt::format("{}m", m);
  if (s > 0 || out.empty()) out += fmt::format("{}s", s);
  return out;
}

std::string windows_text(const ServiceSpec& service) {
  std::string out;
  for (const auto& w : service.stopped) {
    if (!out.empty()) out += ", ";
    out += fmt::format("from {} to {}", duration_text(w.from), duration_text(w.to));
  }
  return out;
}

std::string without_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return to_lower(name);
}

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : without_dot(address.substr(at + 1));
}

std::string local_part(const std::string& address) {
  return to_lower(address.substr(0, address.rfind('@')));
}

bool is_numeric_address(const std::string& name) {
  return config::text::is_ipv4(name);
}

// The first line of `file` (the last one with `last`) whose text starts with `keyword`
// followed by white space, `=` or the line end, and whose rest contains `value`.
SourcePos line_of(const FileSpec* file, std::string_view keyword, std::string_view value = {},
                  bool last = false) {
  if (!file) return {};
  SourcePos found;
  for (const auto& line : config::text::split_lines(file->text)) {
    std::string_view text = config::text::trim(line.text);
    if (text.substr(0, keyword.size()) != keyword) continue;
    std::string_view rest = text.substr(keyword.size());
    if (!rest.empty() && rest[0] != '=' && !config::text::is_space(rest[0])) continue;
    if (!value.empty() && rest.find(value) == std::string_view::npos) continue;
    found = SourcePos{file->display, line.number, config::text::column_of(line.text, text)};
    if (!last) break;
  }
  return found;
}

const char* relay_reply(config::RelayVerdict verdict) {
  return verdict == config::RelayVerdict::DENIED_NAME_LOOKUP_FAILED
             ? "Relaying denied. IP name lookup failed"
             : "Relaying denied";
}

bool relay_allowed(config::RelayVerdict verdict) {
  return verdict == config::RelayVerdict::RELAY_CLIENT ||
         verdict == config::RelayVerdict::RELAY_RECIPIENT;
}

// ---------------------------------------------------------------------------------------------

class Checker {
 public:
  explicit Checker(const Scenario& scenario) : scenario_(scenario) {}

  std::vector<Finding> run() {
    configure_hosts();
    check_topology();
    check_service_windows();
    check_open_relays();
    check_domains();
    for (const auto& item : scenario_.workload) {
      if (item.send) check_submission(item);
      if (item.fetch) check_fetch(item);
    }
    check_mailbox_locations();
    return std::move(findings_);
  }

 private:
  // --- findings ------------------------------------------------------------------------------

  void add(const SourcePos& pos, FindingSeverity severity, const std::string& text) {
    Finding f{pos, severity, text};
    if (seen_.insert(format_pos(pos) + "\n" + text).second) findings_.push_back(std::move(f));
  }
  void error(const SourcePos& pos, const std::string& text) {
    add(pos, FindingSeverity::ERROR, text);
  }
  void warning(const SourcePos& pos, const std::string& text) {
    add(pos, FindingSeverity::WARNING, text);
  }

  // --- setup ---------------------------------------------------------------------------------

  void configure_hosts() {
    std::vector<std::string> notes;  // "not modelled" notes; `mailsim run` logs them
    for (const auto& spec : scenario_.hosts) {
      CheckedHost& h = hosts_[spec.name];
      h.spec = &spec;
      configure_host(h.state, spec, scenario_, notes);
      if (const FileSpec* f = spec.file("/etc/hosts"))
        h.hosts_file = dns::parse_hosts(f->text, f->display);
      if (spec.runs("named")) load_zones_of(h);
      relations_.vertex(NodeKind::HOST, spec.name);
    }
  }

  // Loads the master zones of named.conf as named-checkconf and named-checkzone check them:
  // a zone with an error is not loaded, so named returns REFUSED for its names.
  void load_zones_of(CheckedHost& h) {
    const HostSpec& spec = *h.spec;
    const FileSpec* conf = spec.file("/etc/named.conf");
    if (!conf) conf = spec.file("/etc/bind/named.conf");
    if (!conf) {
      error(spec.services.at("named").pos,
            fmt::format("{} runs named but has no /etc/named.conf under files:", spec.name));
      return;
    }
    h.named_conf = conf;
    dns::NamedConf nc;
    try {
      nc = dns::parse_named_conf(conf->text, conf->display);
    } catch (const InputError& e) {
      error(e.pos(), e.message());
      return;
    }
    h.named_listen.clear();
    for (const auto& l : nc.options.listen_on)
      if (l.port == 53)
        h.named_listen.insert(h.named_listen.end(), l.addresses.begin(), l.addresses.end());
    for (const auto& z : nc.zones) {
      // NOTE: secondary, stub, forward and hint zones are not checked.
      if (z.type != dns::ZoneType::PRIMARY) continue;
      std::string path = dns::zone_file_path(nc, z);
      const FileSpec* f = spec.file(path);
      if (!f) {
        error(z.pos,
              fmt::format("zone {}: file {} does not exist on {}, so named does not load the zone",
                          z.name, path, spec.name));
        continue;
      }
      dns::Zone zone;
      try {
        zone = dns::parse_zone(f->text, dns::absolute_name(z.name), f->display);
      } catch (const InputError& e) {
        error(e.pos(), e.message());
        continue;
      }
      for (const auto& d : zone.load_warnings) warning(d.pos, d.text);
      auto diagnostics = dns::check_zone(zone);
      for (const auto& d : diagnostics) {
        if (d.severity == dns::Severity::ERROR)
          error(d.pos, d.text);
        else
          warning(d.pos, d.text);
      }
      if (dns::has_errors(diagnostics)) continue;
      try {
        h.authority.add_zone(std::move(zone));
      } catch (const std::invalid_argument&) {
        // parse_named_conf already rejects a zone defined twice.
      }
    }
  }

  CheckedHost* host(const std::string& name) {
    auto it = hosts_.find(name);
    return it == hosts_.end() ? nullptr : &it->second;
  }

  CheckedHost* host_by_address(const std::string& address) {
    const HostSpec* spec = scenario_.host_by_address(address);
    return spec ? host(spec->name) : nullptr;
  }

  // --- topology ------------------------------------------------------------------------------

  // Joins hosts and routers by their links and numbers the connected parts, as compute_paths
  // needs every host to reach every other.
  void check_topology() {
    std::vector<LinkSpec> links =
        scenario_.links.empty() ? default_links(scenario_) : scenario_.links;
    for (const auto& l : links) {
      auto kind = [&](const std::string& end) {
        return scenario_.host(end) ? NodeKind::HOST : NodeKind::ROUTER;
      };
      Vertex a = relations_.vertex(kind(l.a), l.a);
      Vertex b = relations_.vertex(kind(l.b), l.b);
      relations_.relate(a, b, Relation{RelationKind::LINK, {}, l.name, l.pos});
      relations_.relate(b, a, Relation{RelationKind::LINK, {}, l.name, l.pos});
    }
    int next_component = 0;
    std::map<std::string, int> component_of;
    for (const auto& spec : scenario_.hosts) {
      if (component_of.count(spec.name)) continue;
      Vertex start = relations_.vertex(NodeKind::HOST, spec.name);
      for (Vertex v : relations_.reachable(start, relations_.filter(RelationKind::LINK))) {
        const Node& node = relations_.graph()[v];
        if (node.kind == NodeKind::HOST) component_of[node.name] = next_component;
      }
      ++next_component;
    }
    if (scenario_.hosts.empty()) return;
    const HostSpec& first = scenario_.hosts.front();
    for (const auto& spec : scenario_.hosts) {
      hosts_[spec.name].component = component_of[spec.name];
      if (component_of[spec.name] != component_of[first.name])
        error(spec.pos, fmt::format("host {} cannot reach host {}: no path of links joins them",
                                    spec.name, first.name));
    }
  }

  bool linked(const CheckedHost& a, const CheckedHost& b) const {
    return a.component == b.component;
  }

  // --- services ------------------------------------------------------------------------------

  void check_service_windows() {
    for (const auto& spec : scenario_.hosts) {
      for (const auto& [name, service] : spec.services) {
        if (service.stopped.empty() || always_stopped(service)) continue;
        std::string when = windows_text(service);
        if (name == "named") {
          warning(
              service.pos,
              fmt::format("named on {} is stopped {}: lookups sent to it then get no answer, so "
                          "Sendmail defers mail that needs them (4.4.3) until a queue run after "
                          "named is back",
                          spec.name, when));
        } else if (name == "sendmail") {
          warning(
              service.pos,
              fmt::format("Sendmail on {} is stopped {}: SMTP connections to it are refused then, "
                          "and it runs no queue",
                          spec.name, when));
        } else {
          warning(
              service.pos,
              fmt::format("Dovecot on {} is stopped {}: POP3 connections to it are refused then",
                          spec.name, when));
        }
      }
    }
  }

  // Returns why `client` cannot open an SMTP connection to `server` on `port`, or nullopt.
  std::optional<Problem> smtp_refusal(const CheckedHost& server, const CheckedHost& client,
                                      int port) const {
    const HostSpec& s = *server.spec;
    if (!s.up)
      return Problem{s.pos,
                     fmt::format("{} is switched off (up: false), so connections to {} time out",
                                 s.name, s.address)};
    if (!s.runs("sendmail"))
      return Problem{s.pos,
                     fmt::format("{} runs no Sendmail, so connections to {} port {} are refused",
                                 s.name, s.address, port)};
    const ServiceSpec& service = s.services.at("sendmail");
    if (always_stopped(service))
      return Problem{
          service.pos,
          fmt::format("Sendmail on {} is not running (stopped: always), so connections to {} "
                      "port {} are refused",
                      s.name, s.address, port)};
    const auto daemons = server.state.sendmail.cf.effective_daemons();
    std::optional<Problem> refusal;
    for (const auto& d : daemons) {
      if (d.family != config::AddressFamily::INET) continue;
      bool any = d.addr.empty() || d.addr == "0.0.0.0" || d.addr == s.address;
      bool local = &server == &client && d.addr.rfind("127.", 0) == 0;
      if (d.port == port && (any || local)) {
        refusal.reset();
        break;
      }
      if (refusal) continue;
      if (d.port != port)
        refusal = Problem{
            d.pos, fmt::format("Sendmail on {} listens on port {} (DaemonPortOptions Port=), "
                               "so connections to port {} are refused",
                               s.name, d.port, port)};
      else
        refusal = Problem{
            d.pos, fmt::format("Sendmail on {} listens only on {} (DaemonPortOptions Addr={}), "
                               "so connections to {} port {} are refused",
                               s.name, d.addr, d.addr, s.address, port)};
    }
    if (refusal) return refusal;
    if (!linked(server, client))
      return Problem{s.pos,
                     fmt::format("no path of links joins {} and {}", client.spec->name, s.name)};
    return std::nullopt;
  }

  // Returns why `client` cannot log in to POP3 on `server`, or nullopt.
  std::optional<Problem> pop3_refusal(const CheckedHost& server, const CheckedHost& client) const {
    const HostSpec& s = *server.spec;
    if (!s.up)
      return Problem{s.pos,
                     fmt::format("{} is switched off (up: false), so connections to {} time out",
                                 s.name, s.address)};
    if (!s.runs("dovecot"))
      return Problem{s.pos,
                     fmt::format("{} runs no Dovecot, so connections to {} port 110 are refused",
                                 s.name, s.address)};
    const ServiceSpec& service = s.services.at("dovecot");
    if (always_stopped(service))
      return Problem{
          service.pos,
          fmt::format("Dovecot on {} is not running (stopped: always), so connections to {} "
                      "port 110 are refused",
                      s.name, s.address)};

    const config::DovecotConfig& dc = server.state.dovecot;
    const FileSpec* conf = s.file("/etc/dovecot/dovecot.conf");
    if (!dc.has_protocol("pop3")) {
      SourcePos pos = line_of(conf, "protocols", {}, true);
      return Problem{
          pos.line > 0 ? pos : s.pos,
          fmt::format("Dovecot on {} does not serve POP3 (protocols lacks pop3), so connections to "
                      "port 110 are refused",
                      s.name)};
    }

    bool any = false;
    for (const auto& l : dc.listen) any |= l == "*" || l == "0.0.0.0" || l == s.address;
    if (!any && &server != &client) {
      SourcePos pos = line_of(conf, "listen", {}, true);
      return Problem{
          pos.line > 0 ? pos : s.pos,
          fmt::format("Dovecot on {} does not listen on {} (listen), so connections to port 110 "
                      "are refused",
                      s.name, s.address)};
    }
    if (dc.disable_plaintext_auth && &server != &client) {
      SourcePos pos = line_of(conf, "disable_plaintext_auth", {}, true);
      return Problem{
          pos.line > 0 ? pos : s.pos,
          fmt::format(
              "Dovecot on {} has disable_plaintext_auth = yes and no TLS is modelled, so it "
              "replies to USER with \"-ERR [AUTH] Plaintext authentication disallowed on "
              "non-secure (SSL/TLS) connections.\"",
              s.name)};
    }
    if (!linked(server, client))
      return Problem{s.pos,
                     fmt::format("no path of links joins {} and {}", client.spec->name, s.name)};
    return std::nullopt;
  }

  // --- lookups -------------------------------------------------------------------------------

  struct NameServers {
    std::vector<const CheckedHost*> servers;  ///< those that answer, in resolv.conf order
    std::optional<Problem> failure;           ///< why the first one does not, when none does
  };

  // Returns the name servers of /etc/resolv.conf that respond to `client`. glibc queries
  // 127.0.0.1 when the file names none, and moves to the next server after a timeout.
  NameServers name_servers(const CheckedHost& client) {
    NameServers out;
    const HostSpec& c = *client.spec;
    const FileSpec* resolv = c.file("/etc/resolv.conf");
    std::vector<std::string> addresses = client.state.resolver.nameservers;
    if (addresses.empty()) addresses.push_back("127.0.0.1");
    for (const auto& address : addresses) {
      SourcePos line = line_of(resolv, "nameserver", address);
      if (line.line == 0) line = c.pos;
      const CheckedHost* server =
          address.rfind("127.", 0) == 0 ? &client : host_by_address(address);
      std::optional<Problem> problem;
      if (!server) {
        problem = Problem{
            line, fmt::format("no host has the name server address {} of {}, so its lookups "
                              "time out",
                              address, c.name)};
      } else if (!server->spec->up) {
        problem =
            Problem{server->spec->pos,
                    fmt::format("name server {} is switched off (up: false)", server->spec->name)};
      } else if (!server->spec->runs("named")) {
        problem =
            Problem{line, fmt::format("{} runs no named, so {}'s lookups sent to {} get no answer",
                                      server->spec->name, c.name, address)};
      } else if (always_stopped(server->spec->services.at("named"))) {
        problem = Problem{
            server->spec->services.at("named").pos,
            fmt::format("named on {} is not running (stopped: always), so lookups sent to it "
                        "get no answer",
                        server->spec->name)};
      } else if (!named_listens(*server, server == &client ? "127.0.0.1" : server->spec->address)) {
        SourcePos pos = line_of(server->named_conf, "listen-on");
        problem = Problem{
            pos.line > 0 ? pos : server->spec->pos,
            fmt::format("named on {} does not listen on {} (listen-on), so {}'s lookups get no "
                        "answer",
                        server->spec->name, address, c.name)};
      } else if (!linked(*server, client)) {
        problem = Problem{server->spec->pos,
                          fmt::format("no path of links joins {} and its name server {}", c.name,
                                      server->spec->name)};
      }
      if (problem) {
        if (!out.failure) out.failure = problem;
      } else {
        out.servers.push_back(server);
      }
    }
    return out;
  }

  static bool named_listens(const CheckedHost& server, const std::string& address) {
    for (const auto& a : server.named_listen)
      if (a == "any" || a == address || a == "0.0.0.0") return true;
    return false;
  }

  struct Answer {
    bool answered = false;
    dns::Message response;
    dns::ResponseKind kind = dns::ResponseKind::REFUSED;
    const CheckedHost* server = nullptr;
    Problem failure;
  };

  // Queries the client's name servers in order. REFUSED and SERVFAIL move to the next one.
  Answer ask(const CheckedHost& client, const std::string& name, dns::RecordType type) {
    Answer a;
    NameServers ns = name_servers(client);
    if (ns.servers.empty()) {
      a.failure = *ns.failure;
      return a;
    }
    for (const CheckedHost* server : ns.servers) {
      a.response =
          server->authority.answer(dns::make_query(0, dns::absolute_name(name), type, true));
      a.kind = dns::classify(a.response);
      a.server = server;
      a.answered = true;
      if (a.kind != dns::ResponseKind::REFUSED && a.kind != dns::ResponseKind::SERVFAIL) break;
    }
    return a;
  }

  // Returns where the zone of `server` gives `owner` a record of `type` with data `data`.
  static SourcePos record_pos(const CheckedHost* server, const std::string& owner,
                              dns::RecordType type, const std::string& data) {
    if (!server) return {};
    const dns::Zone* zone = server->authority.find_zone(dns::absolute_name(owner));
    if (!zone) return {};
    for (const auto& zr : zone->records) {
      const dns::ResourceRecord& rr = zr.record;
      if (rr.type != type || !dns::names_equal(rr.name, dns::absolute_name(owner))) continue;
      bool same = false;
      if (const auto* a = std::get_if<dns::AData>(&rr.rdata)) same = a->address == data;
      if (const auto* mx = std::get_if<dns::MxData>(&rr.rdata))
        same = dns::names_equal(mx->exchange, data);
      if (same) return zr.pos;
    }
    return {};
  }

  struct AddressLookup {
    std::vector<std::string> addresses;
    std::string source;                    ///< "/etc/hosts of HOST" or the name server's host name
    std::map<std::string, SourcePos> pos;  ///< by address: the hosts line or A record
    std::optional<Problem> failure;        ///< no name server answered
    dns::ResponseKind kind = dns::ResponseKind::ANSWER;
    const CheckedHost* server = nullptr;
  };

  // gethostbyname() with `hosts: files dns`: /etc/hosts first, then an A query.
  AddressLookup lookup_address(const CheckedHost& client, const std::string& name) {
    AddressLookup out;
    if (is_numeric_address(name)) {
      out.addresses.push_back(name);
      out.source = "a numeric address";
      return out;
    }
    for (const auto& entry : client.hosts_file) {
      bool match = config::text::iequals(entry.canonical, without_dot(name));
      for (const auto& alias : entry.aliases)
        match |= config::text::iequals(alias, without_dot(name));
      if (!match) continue;
      out.addresses.push_back(entry.address);
      out.pos.emplace(entry.address, entry.pos);
    }
    if (!out.addresses.empty()) {
      out.source = "/etc/hosts of " + client.spec->name;
      return out;
    }
    Answer a = ask(client, name, dns::RecordType::A);
    if (!a.answered) {
      out.failure = a.failure;
      return out;
    }
    out.kind = a.kind;
    out.server = a.server;
    out.source = a.server->spec->name;
    std::string target = dns::follow_cnames(a.response, dns::absolute_name(name));
    for (const auto& address : dns::addresses(a.response, dns::absolute_name(name))) {
      out.addresses.push_back(address);
      out.pos.emplace(address, record_pos(a.server, target, dns::RecordType::A, address));
    }
    return out;
  }

  // Returns the PTR name that `server` finds for a client address, or "" when it finds none.
  std::string ptr_name(const CheckedHost& server, const std::string& address) {
    Answer a = ask(server, dns::reverse_name(address), dns::RecordType::PTR);
    if (!a.answered || a.kind != dns::ResponseKind::ANSWER) return "";
    for (const auto& rr : a.response.answers)
      if (const auto* n = std::get_if<dns::NameData>(&rr.rdata))
        if (rr.type == dns::RecordType::PTR) return without_dot(n->name);
    return "";
  }

  static bool user_exists(const CheckedHost& server, const std::string& user) {
    if (server.spec->user(user)) return true;
    // root and postmaster exist on every Unix host (postmaster through aliases).
    if (user == "root" || user == "postmaster" || user == "mailer-daemon") return true;
    return server.state.sendmail.aliases.find(user) != nullptr;
  }

  // --- open relays ---------------------------------------------------------------------------

  // Runs each Sendmail's relay check for clients and recipients outside the scenario: RFC 5737
  // documentation addresses and RFC 2606 example domains. Any RELAY verdict is an open relay.
  void check_open_relays() {
    struct Probe {
      std::string ip;
      std::string ptr;
    };
    const std::vector<Probe> clients = {{"192.0.2.1", ""},
                                        {"198.51.100.7", "relay-test.example.net"},
                                        {"203.0.113.9", "client.example.com"}};
    const std::vector<std::string> domains = {"example.org", "example.com"};
    for (const auto& spec : scenario_.hosts) {
      if (!spec.runs("sendmail")) continue;
      const CheckedHost& h = hosts_.at(spec.name);
      const SendmailSettings& sm = h.state.sendmail;
      // `0 RELAY` looks like a catch-all but is an address prefix like `10.0.2`.
      for (const char* tag : {"", "connect"}) {
        for (const char* key : {"0", "0.0", "0.0.0", "0.0.0.0"}) {
          const config::AccessEntry* entry = sm.access.find(tag, key);
          if (!entry || !entry->action || entry->action->kind != config::ActionKind::RELAY)
            continue;
          warning(
              entry->pos,
              fmt::format("access map entry '{}' matches only client addresses 0.x.x.x: Sendmail "
                          "compares whole octets from the left, so it lets no real client relay",
                          entry->key));
        }
      }
      bool reported = false;
      for (const auto& client : clients) {
        for (const auto& domain : domains) {
          if (reported) break;
          auto verdict = config::decide_relay(sm.access, sm.class_w, client.ip, client.ptr, domain);
          if (!relay_allowed(verdict)) continue;
          SourcePos pos = relay_entry_pos(sm.access, client.ip, client.ptr, domain);
          if (pos.line == 0) pos = spec.pos;
          std::string client_text = client.ptr.empty() ? client.ip + " without a PTR record"
                                                       : client.ptr + " [" + client.ip + "]";
          error(pos,
                fmt::format(
                    "{} is an open relay: its access map lets a client outside the scenario ({}) "
                    "relay mail to {}",
                    spec.name, client_text, domain));
          reported = true;
        }
      }
    }
  }

  // Returns the RELAY entry that decides relaying for the probe, in check_rcpt's search order.
  static SourcePos relay_entry_pos(const config::AccessMap& access, const std::string& ip,
                                   const std::string& ptr, const std::string& domain) {
    auto parents = [](std::string name, char sep, bool from_left) {
      std::vector<std::string> out;
      while (!name.empty()) {
        out.push_back(name);
        auto cut = from_left ? name.find(sep) : name.rfind(sep);
        if (cut == std::string::npos) break;
        name = from_left ? name.substr(cut + 1) : name.substr(0, cut);
      }
      return out;
    };
    auto find_relay = [&](const char* tag, const std::vector<std::string>& keys) -> SourcePos {
      for (const auto& key : keys)
        for (const char* t : {tag, ""})
          if (const auto* e = access.find(t, key))
            if (e->action && e->action->kind == config::ActionKind::RELAY) return e->pos;
      return {};
    };
    SourcePos pos = find_relay("to", parents(domain, '.', true));
    if (pos.line == 0) pos = find_relay("connect", parents(ip, '.', false));
    if (pos.line == 0 && !ptr.empty()) pos = find_relay("connect", parents(ptr, '.', true));
    return pos;
  }

  // --- mail domains --------------------------------------------------------------------------

  // Returns the domains mail is meant for: the workload's recipient domains, then the domain of
  // every host with users (lee-pc.naver.com -> naver.com).
  std::vector<std::string> mail_domains() {
    std::vector<std::string> out;
    auto add_domain = [&](const std::string& d, const SourcePos& pos) {
      if (d.empty()) return;
      if (std::find(out.begin(), out.end(), d) == out.end()) {
        out.push_back(d);
        anchors_[d] = pos;
      }
    };
    for (const auto& item : scenario_.workload)
      if (item.send)
        for (const auto& to : item.send->to) add_domain(domain_of(to), item.pos);
    for (const auto& spec : scenario_.hosts) {
      if (spec.users.empty()) continue;
      std::string name = without_dot(spec.name);
      auto dot = name.find('.');
      bool has_parent = dot != std::string::npos && name.find('.', dot + 1) != std::string::npos;
      add_domain(has_parent ? name.substr(dot + 1) : name, spec.pos);
    }
    return out;
  }

  // A host that takes part in mail transfer: Sendmail runs there at least part of the time.
  static bool is_mta(const CheckedHost& h) {
    return h.spec->up && h.spec->runs("sendmail") &&
           !always_stopped(h.spec->services.at("sendmail"));
  }

  static bool is_local(const CheckedHost& h, const std::string& domain) {
    return h.spec->runs("sendmail") && h.state.sendmail.class_w.count(domain) > 0;
  }

  // Returns where class w is set: the Fw line, else the first Cw line, else the host.
  static SourcePos class_w_pos(const CheckedHost& h) {
    for (const auto& fc : h.state.sendmail.cf.file_classes)
      if (fc.class_name == "w") return fc.pos;
    const FileSpec* cf = h.spec->file("/etc/mail/sendmail.cf");
    if (cf) {
      for (const auto& line : config::text::split_lines(cf->text))
        if (line.text.rfind("Cw", 0) == 0) return SourcePos{cf->display, line.number, 1};
    }
    return h.spec->pos;
  }

  struct RouteProblem {
    Problem problem;
    std::set<std::pair<std::string, std::string>> routes;  ///< (sender, domain) it affects
  };

  void route_problem(const std::string& sender, const std::string& domain, const SourcePos& pos,
                     const std::string& text) {
    std::string key = format_pos(pos) + "\n" + text;
    auto it = route_problem_index_.find(key);
    if (it == route_problem_index_.end()) {
      it = route_problem_index_.emplace(key, route_problems_.size()).first;
      route_problems_.push_back(RouteProblem{Problem{pos, text}, {}});
    }
    route_problems_[it->second].routes.insert({sender, domain});
    problem_routes_.insert({sender, domain});
  }

  void check_domains() {
    std::vector<std::string> domains = mail_domains();
    for (const auto& domain : domains) {
      relations_.vertex(NodeKind::DOMAIN, domain);
      bool has_final = false;
      for (const auto& [name, h] : hosts_) has_final |= is_local(h, domain);
      if (!has_final)
        error(anchors_[domain],
              fmt::format(
                  "no Sendmail host has {} in class w (a Cw line or /etc/mail/local-host-names), "
                  "so no server delivers mail for {} locally",
                  domain, domain));
      for (auto& [name, h] : hosts_)
        if (is_mta(h) && !is_local(h, domain)) route_domain(h, domain);
    }
    for (const auto& domain : domains) report_loops(domain);
    for (const auto& domain : domains) {
      for (auto& [name, h] : hosts_) {
        if (!is_mta(h) || is_local(h, domain)) continue;
        std::vector<std::string> finals = final_hosts(name, domain);
        finals_[{name, domain}] = finals;
        if (!finals.empty()) continue;
        undeliverable_.insert({name, domain});
        bool explained = false;
        for (Vertex v : relations_.reachable(relations_.vertex(NodeKind::HOST, name),
                                             relations_.filter(RelationKind::HOP, domain)))
          explained |= problem_routes_.count({relations_.graph()[v].name, domain}) > 0;
        if (!explained)
          error(anchors_[domain],
                fmt::format("mail for {} from {} reaches no Sendmail host that delivers "
                            "it locally",
                            domain, name));
      }
    }
    for (const auto& rp : route_problems_) {
      bool fatal = false;
      for (const auto& route : rp.routes) fatal |= undeliverable_.count(route) > 0;
      add(rp.problem.pos, fatal ? FindingSeverity::ERROR : FindingSeverity::WARNING,
          rp.problem.text);
    }
  }

  // The hosts that deliver `domain` locally and that mail from `sender` reaches, hop by hop.
  std::vector<std::string> final_hosts(const std::string& sender, const std::string& domain) {
    std::vector<std::string> out;
    for (Vertex v : relations_.reachable(relations_.vertex(NodeKind::HOST, sender),
                                         relations_.filter(RelationKind::HOP, domain))) {
      const std::string& name = relations_.graph()[v].name;
      if (name != sender && is_local(hosts_.at(name), domain)) out.push_back(name);
    }
    return out;
  }

  // Reports hops that close a cycle: each host relays the domain to the next MX host.
  void report_loops(const std::string& domain) {
    const RelationGraph& g = relations_.graph();
    for (const Edge& e : relations_.cycles(relations_.filter(RelationKind::HOP, domain))) {
      const std::string& from = g[boost::source(e, g)].name;
      const std::string& to = g[boost::target(e, g)].name;
      route_problem(
          from, domain, g[e].pos,
          fmt::format("mail for {} goes round in a loop: {} relays it to its MX host {}, which "
                      "relays it back towards {}",
                      domain, from, to, from));
    }
  }

  // Follows Sendmail on `sender` delivering to `domain`: the MX lookup (RFC 5321 §5.1), the
  // list cut at its own names (class w), each MX host's addresses, and the connection.
  void route_domain(CheckedHost& sender, const std::string& domain) {
    const std::string& s = sender.spec->name;
    Answer mx = ask(sender, domain, dns::RecordType::MX);
    if (!mx.answered) {
      route_problem(s, domain, mx.failure.pos,
                    fmt::format("{} cannot look up the MX of {}: {}", s, domain, mx.failure.text));
      return;
    }
    const std::string& ns = mx.server->spec->name;
    if (mx.kind == dns::ResponseKind::REFUSED) {
      route_problem(
          s, domain, anchors_[domain],
          fmt::format("name server {} has no zone for {} and returns REFUSED, so {} cannot look "
                      "up its MX",
                      ns, domain, s));
      return;
    }
    if (mx.kind == dns::ResponseKind::NXDOMAIN) {
      route_problem(
          s, domain, anchors_[domain],
          fmt::format("domain {} does not exist on name server {} (NXDOMAIN), so Sendmail on {} "
                      "bounces mail for it (5.1.2 Host unknown)",
                      domain, ns, s));
      return;
    }
    if (mx.kind != dns::ResponseKind::ANSWER && mx.kind != dns::ResponseKind::NODATA) {
      route_problem(s, domain, anchors_[domain],
                    fmt::format("name server {} answers the MX query for {} with {}", ns, domain,
                                dns::kind_name(mx.kind)));
      return;
    }
    dns::MxList list = dns::mx_hosts(mx.response, dns::absolute_name(domain));
    if (list.null_mx) {
      route_problem(s, domain, record_pos(mx.server, domain, dns::RecordType::MX, "."),
                    fmt::format("{} has a null MX (RFC 7505): it accepts no mail", domain));
      return;
    }

    // Sendmail drops every MX host whose preference is at or above the lowest preference of a
    // name in its class w. When none is left, it gives up: "MX list for D. points back to HOST".
    std::vector<dns::MxHost> hosts;
    std::optional<std::uint16_t> own_preference;
    for (const auto& m : list.hosts)
      if (sender.state.sendmail.class_w.count(without_dot(m.host)))
        own_preference = std::min(own_preference.value_or(m.preference), m.preference);
    for (const auto& m : list.hosts)
      if (!own_preference || m.preference < *own_preference) hosts.push_back(m);
    Vertex domain_vertex = relations_.vertex(NodeKind::DOMAIN, domain);
    if (hosts.empty() && own_preference) {
      route_problem(
          s, domain, class_w_pos(sender),
          fmt::format("MX list for {}. points back to {}: {} is its MX host but {} is not in its "
                      "class w (add it to /etc/mail/local-host-names or a Cw line)",
                      domain, s, s, domain));
      return;
    }

    for (const auto& m : hosts) {
      SourcePos mx_pos =
          list.implicit ? SourcePos{} : record_pos(mx.server, domain, dns::RecordType::MX, m.host);
      Vertex name_vertex = relations_.vertex(NodeKind::NAME, without_dot(m.host));
      relations_.relate(domain_vertex, name_vertex, Relation{RelationKind::MX, {}, ns, mx_pos});
      route_to_mx_host(sender, domain, m.host, list.implicit, mx_pos, name_vertex);
    }
  }

  void route_to_mx_host(CheckedHost& sender, const std::string& domain, const std::string& mx_host,
                        bool implicit, const SourcePos& mx_pos, Vertex name_vertex) {
    const std::string& s = sender.spec->name;
    std::string target = without_dot(mx_host);
    AddressLookup found = lookup_address(sender, target);
    if (found.failure) {
      route_problem(s, domain, found.failure->pos,
                    fmt::format("{} cannot look up the address of MX host {}: {}", s, target,
                                found.failure->text));
      return;
    }
    if (found.addresses.empty()) {
      if (implicit) {
        route_problem(
            s, domain, anchors_[domain],
            fmt::format("{} has no MX record and no A record on name server {}, so mail for it "
                        "cannot be delivered",
                        domain, found.source));
        return;
      }
      std::string origin = "." + domain;
      bool doubled = target.size() > origin.size() * 2 &&
                     target.compare(target.size() - origin.size(), origin.size(), origin) == 0 &&
                     target.compare(target.size() - 2 * origin.size(), origin.size(), origin) == 0;
      std::string hint = doubled ? fmt::format(
                                       " (the MX record lacks its trailing dot, so BIND appended "
                                       "the origin {}.)",
                                       domain)
                                 : "";
      route_problem(
          s, domain, mx_pos.line > 0 ? mx_pos : anchors_[domain],
          fmt::format("MX host {}. of {} has no address on name server {}{}, so mail for {} "
                      "bounces (5.1.2 Host unknown)",
                      target, domain, found.source, hint, domain));
      return;
    }
    for (const auto& address : found.addresses) {
      SourcePos a_pos = found.pos.count(address) ? found.pos.at(address) : SourcePos{};
      Vertex address_vertex = relations_.vertex(NodeKind::ADDRESS, address);
      relations_.relate(name_vertex, address_vertex,
                        Relation{RelationKind::A, {}, found.source, a_pos});
      if (a_pos.line == 0) a_pos = mx_pos.line > 0 ? mx_pos : anchors_[domain];
      CheckedHost* next = host_by_address(address);
      if (!next) {
        route_problem(
            s, domain, a_pos,
            fmt::format("MX host {} of {} has the address {}, which belongs to no host, so "
                        "connections from {} time out",
                        target, domain, address, s));
        continue;
      }
      relations_.relate(address_vertex, relations_.vertex(NodeKind::HOST, next->spec->name),
                        Relation{RelationKind::ADDRESS_OF, {}, {}, next->spec->pos});
      if (next == &sender) {
        route_problem(
            s, domain, a_pos,
            fmt::format(
                "MX host {} of {} resolves to {}, the address of {} itself, which does not "
                "have {} in class w: Sendmail stops with \"{}. config error: mail loops back "
                "to me (MX problem?)\" (5.3.5)",
                target, domain, address, s, domain, target));
        continue;
      }
      if (auto refusal = smtp_refusal(*next, sender, 25)) {
        route_problem(s, domain, refusal->pos,
                      fmt::format("mail for {} from {} cannot reach MX host {} ({}): {}", domain, s,
                                  target, address, refusal->text));
        continue;
      }
      if (!is_local(*next, domain)) {
        const SendmailSettings& sm = next->state.sendmail;
        auto verdict = config::decide_relay(sm.access, sm.class_w, sender.spec->address,
                                            ptr_name(*next, sender.spec->address), domain);
        if (!relay_allowed(verdict)) {
          route_problem(
              s, domain, next->spec->pos,
              fmt::format("MX host {} of {} does not have {} in class w and denies relaying it for "
                          "{} [{}] (\"550 5.7.1 {}\")",
                          next->spec->name, domain, domain, s, sender.spec->address,
                          relay_reply(verdict)));
          continue;
        }
      }
      relations_.relate(relations_.vertex(NodeKind::HOST, s),
                        relations_.vertex(NodeKind::HOST, next->spec->name),
                        Relation{RelationKind::HOP, domain, target, a_pos});
    }
  }

  // --- workload ------------------------------------------------------------------------------

  // Resolves a server name as the PC does. Reports and returns nullptr when no host has the
  // address.
  CheckedHost* server_for(const WorkloadItem& item, const CheckedHost& pc,
                          const std::string& server, const char* role) {
    AddressLookup found = lookup_address(pc, server);
    if (found.failure) {
      error(item.pos, fmt::format("{}: {} cannot look up the {} server {}: {}", item.name,
                                  pc.spec->name, role, server, found.failure->text));
      return nullptr;
    }
    if (found.addresses.empty()) {
      error(item.pos,
            fmt::format("{}: {} finds no address for the {} server {} ({} returns {})", item.name,
                        pc.spec->name, role, server, found.source, dns::kind_name(found.kind)));
      return nullptr;
    }
    const std::string& address = found.addresses.front();
    CheckedHost* target = host_by_address(address);
    if (!target) {
      error(
          item.pos,
          fmt::format("{}: the {} server {} has the address {} (from {}), which belongs to no host",
                      item.name, role, server, address, found.source));
      return nullptr;
    }
    const HostSpec* named = scenario_.host(server);
    if (named && named != target->spec) {
      SourcePos pos = found.pos.count(address) && found.pos.at(address).line > 0
                          ? found.pos.at(address)
                          : item.pos;
      warning(pos,
              fmt::format(
                  "{} resolves to {} (from {}), the address of {}, not its own address {}, so {} "
                  "connects to {} instead",
                  server, address, found.source, target->spec->name, named->address, pc.spec->name,
                  target->spec->name));
    }
    return target;
  }

  void check_submission(const WorkloadItem& item) {
    const SendSpec& send = *item.send;
    const CheckedHost& pc = hosts_.at(item.pc);
    CheckedHost* server = server_for(item, pc, send.server, "SMTP");
    if (!server) return;
    const std::string& name = server->spec->name;
    if (auto refusal = smtp_refusal(*server, pc, send.port)) {
      error(item.pos, fmt::format("{}: {} cannot submit to {}: {}", item.name, pc.spec->name, name,
                                  refusal->text));
      return;
    }
    const SendmailSettings& sm = server->state.sendmail;
    for (const auto& recipient : send.to) {
      std::string domain = domain_of(recipient);
      std::string user = local_part(recipient);
      if (is_local(*server, domain)) {
        if (!user_exists(*server, user))
          error(
              item.pos,
              fmt::format("{}: {} has no user {}, so it rejects <{}> (\"550 5.1.1 User unknown\")",
                          item.name, name, user, recipient));
        continue;
      }
      auto verdict = config::decide_relay(sm.access, sm.class_w, pc.spec->address,
                                          ptr_name(*server, pc.spec->address), domain);
      if (!relay_allowed(verdict)) {
        error(item.pos,
              fmt::format(
                  "{}: {} denies relaying <{}> for {} [{}]: its access map has no RELAY entry "
                  "for the client or for {} (\"550 5.7.1 <{}>... {}\")",
                  item.name, name, recipient, pc.spec->name, pc.spec->address, domain, recipient,
                  relay_reply(verdict)));
        continue;
      }
      auto finals = finals_.find({name, domain});
      if (finals == finals_.end() || finals->second.empty()) continue;  // reported with the domain
      bool known = false;
      for (const auto& f : finals->second) known |= user_exists(hosts_.at(f), user);
      if (!known)
        error(item.pos,
              fmt::format("{}: {} has no user {}, so it rejects <{}> (\"550 5.1.1 User unknown\")",
                          item.name, finals->second.front(), user, recipient));
    }
  }

  void check_fetch(const WorkloadItem& item) {
    const FetchSpec& fetch = *item.fetch;
    const CheckedHost& pc = hosts_.at(item.pc);
    CheckedHost* server = server_for(item, pc, fetch.server, "POP3");
    if (!server) return;
    const std::string& name = server->spec->name;
    if (auto refusal = pop3_refusal(*server, pc)) {
      error(item.pos, fmt::format("{}: {} cannot fetch mail from {}: {}", item.name, pc.spec->name,
                                  name, refusal->text));
      return;
    }
    const UserSpec* user = server->spec->user(fetch.user);
    if (!user) {
      error(item.pos, fmt::format("{}: {} has no user {}, so Dovecot rejects the login", item.name,
                                  name, fetch.user));
      return;
    }
    if (user->password.empty() || user->password != fetch.password)
      warning(item.pos,
              fmt::format("{}: the password does not match {}'s password on {}, so Dovecot answers "
                          "PASS with \"-ERR [AUTH] Authentication failed.\" and the mail stays on "
                          "the server",
                          item.name, fetch.user, name));
  }

  // Dovecot must read INBOX where procmail, Sendmail's local mailer, appends: /var/mail/USER.
  void check_mailbox_locations() {
    for (const auto& spec : scenario_.hosts) {
      if (!spec.runs("dovecot")) continue;
      const CheckedHost& h = hosts_.at(spec.name);
      const auto& location = h.state.dovecot.mail_location;
      // NOTE: without INBOX= the INBOX path is not checked (mailsim then reads /var/mail/USER).
      if (!location || location->inbox.empty()) continue;
      SourcePos pos = line_of(spec.file("/etc/dovecot/dovecot.conf"), "mail_location", {}, true);
      if (pos.line == 0) pos = spec.services.at("dovecot").pos;
      for (const auto& user : spec.users) {
        std::string inbox = location->inbox_path(user.name, "/home/" + user.name);
        std::string spool = "/var/mail/" + user.name;
        if (inbox == spool) continue;
        warning(pos,
                fmt::format(
                    "Dovecot on {} reads {}'s INBOX from {}, but the local mailer delivers to {}, "
                    "so POP3 shows {} an empty maildrop",
                    spec.name, user.name, inbox, spool, user.name));
      }
    }
  }

  const Scenario& scenario_;
  std::map<std::string, CheckedHost> hosts_;
  Relations relations_;
  std::map<std::string, SourcePos> anchors_;  ///< by domain: the first item that names it
  std::vector<RouteProblem> route_problems_;
  std::map<std::string, size_t> route_problem_index_;
  std::set<std::pair<std::string, std::string>> problem_routes_;
  std::set<std::pair<std::string, std::string>> undeliverable_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> finals_;
  std::vector<Finding> findings_;
  std::set<std::string> seen_;
};

}  // namespace

std::string format_finding(const Finding& finding) {
  std::string where = format_pos(finding.pos);
  const char* severity = finding.severity == FindingSeverity::ERROR ? "error" : "warning";
  return where.empty() ? fmt::format("{}: {}", severity, finding.text)
                       : fmt::format("{}: {}: {}", where, severity, finding.text);
}

std::vector<Finding> check_scenario(const Scenario& scenario) {
  Checker checker(scenario);
  return checker.run();
}

}  // namespace mailsim::sim
