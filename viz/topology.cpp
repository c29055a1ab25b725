#include "viz/topology.hpp"

#include <map>

#include <fmt/format.h>

#include "viz/graphviz.hpp"

namespace mailsim::viz {
namespace {

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string without_trailing_dot(const std::string& name) {
  return !name.empty() && name.back() == '.' ? name.substr(0, name.size() - 1) : name;
}

std::string service_names(const TopologyHost& h) {
  std::string out;
  for (const auto& s : h.services) {
    std::string name = s;
    if (s == "sendmail") name = "Sendmail";
    else if (s == "dovecot") name = "Dovecot";
    else if (s == "named") name = "BIND";
    out += (out.empty() ? "" : ", ") + name;
  }
  return out.empty() ? "mail client" : out;
}

const TopologyHost* host_by_address(const Topology& t, const std::string& address) {
  for (const auto& h : t.hosts)
    if (h.address == address) return &h;
  return nullptr;
}

std::string metric(double value, const char* unit) {
  if (value >= 1e9) return fmt::format("{:g} G{}", value / 1e9, unit);
  if (value >= 1e6) return fmt::format("{:g} M{}", value / 1e6, unit);
  if (value >= 1e3) return fmt::format("{:g} k{}", value / 1e3, unit);
  return fmt::format("{:g} {}", value, unit);
}

std::string node_id(const std::string& prefix, std::size_t i) { return fmt::format("{}{}", prefix, i); }

}  // namespace

std::string link_label(const TopologyLink& link) {
  std::string latency = link.latency >= 1       ? fmt::format("{:g} s", link.latency)
                        : link.latency >= 1e-3 ? fmt::format("{:g} ms", link.latency * 1e3)
                                               : fmt::format("{:g} us", link.latency * 1e6);
  return latency + ", " + metric(link.bandwidth * 8, "bit/s");
}

std::string topology_to_dot(const Topology& t, const std::string& title) {
  std::string out = "graph topology {\n";
  out += fmt::format("  graph [layout=dot, rankdir=TB, nodesep=0.6, ranksep=0.9, fontname=\"DejaVu Sans\", "
                     "label={}, labelloc=t, fontsize=14, bgcolor=white, pad=0.3, kind=topology];\n",
                     quote(title + ": network, zones and MX records"));
  out += "  node [fontname=\"DejaVu Sans\", fontsize=10];\n  edge [fontname=\"DejaVu Sans\", fontsize=9];\n";
  std::map<std::string, std::string> ids;  // host or router name -> node id
  std::string pcs = "  { rank=same;";
  for (std::size_t i = 0; i < t.hosts.size(); ++i) {
    const auto& h = t.hosts[i];
    std::string id = node_id("H", i);
    ids[h.name] = id;
    bool pc = h.is_pc();
    std::string fill = !h.up ? "#eeeeee" : pc ? "#fff2cc" : "#dae8fc";
    std::string label = fmt::format("<<b>{}</b><br/>{}<br/><font point-size=\"9\">{}</font>{}>", html_escape(h.name),
                                    html_escape(h.address), html_escape(pc ? "PC: mail client" : service_names(h)),
                                    h.up ? "" : "<br/><font color=\"#d00000\">switched off</font>");
    out += fmt::format("  {} [shape=box, style=\"rounded,filled{}\", fillcolor={}, label={}, kind=host, name={}, "
                       "address={}, role={}];\n",
                       id, h.up ? "" : ",dashed", quote(fill), label, quote(h.name), quote(h.address),
                       pc ? "pc" : "server");
    if (pc) pcs += " " + id + ";";
  }
  out += pcs + " }\n";
  for (std::size_t i = 0; i < t.routers.size(); ++i) {
    std::string id = node_id("R", i);
    ids[t.routers[i]] = id;
    out += fmt::format("  {} [shape=ellipse, style=filled, fillcolor=\"#f0f0f0\", label={}, kind=router];\n", id,
                       quote(t.routers[i] + "\n(switch)"));
  }
  for (const auto& l : t.links) {
    auto a = ids.find(l.a), b = ids.find(l.b);
    if (a == ids.end() || b == ids.end()) continue;
    // Servers above the switch and PCs below it: the PC end goes last, so `dot` ranks it lower.
    const TopologyHost* host_a = t.host(l.a);
    bool a_is_pc = host_a && host_a->is_pc();
    out += fmt::format("  {} -- {} [kind=link, label={}, color=\"#444444\", penwidth=1.5];\n",
                       a_is_pc ? b->second : a->second, a_is_pc ? a->second : b->second, quote(link_label(l)));
  }
  std::map<std::string, std::string> unknown_targets;
  for (std::size_t z = 0; z < t.zones.size(); ++z) {
    const auto& zone = t.zones[z];
    std::string id = node_id("Z", z);
    std::string label = "zone " + zone.domain + (zone.error.empty() ? "" : "\n(not loaded: see check)");
    out += fmt::format("  {} [shape=note, style=filled, fillcolor=\"#d5e8d4\", label={}, kind=zone, domain={}];\n", id,
                       quote(label), quote(zone.domain));
    auto server = ids.find(zone.server);
    if (server != ids.end())
      out += fmt::format("  {} -- {} [kind=serves, style=dashed, color=\"#2a8a3e\", fontcolor=\"#2a8a3e\", "
                         "label=\"authoritative\", dir=forward, arrowhead=normal];\n",
                         server->second, id);
    for (const auto& mx : zone.mx) {
      std::string target = without_trailing_dot(mx.exchange);
      auto host = ids.find(target);
      std::string target_id;
      if (host != ids.end()) {
        target_id = host->second;
      } else {
        auto it = unknown_targets.find(target);
        if (it == unknown_targets.end()) {
          target_id = node_id("U", unknown_targets.size());
          unknown_targets[target] = target_id;
          out += fmt::format("  {} [shape=box, style=\"dashed\", color=\"#d00000\", fontcolor=\"#d00000\", "
                             "label={}, kind=unknown];\n",
                             target_id, quote(mx.exchange + "\n(no such host)"));
        } else {
          target_id = it->second;
        }
      }
      out += fmt::format("  {} -- {} [kind=mx, dir=forward, arrowhead=normal, style=bold, color=\"#1f5fa8\", "
                         "fontcolor=\"#1f5fa8\", label={}, constraint=false];\n",
                         id, target_id, quote(fmt::format("MX {} {}", mx.preference, mx.exchange)));
    }
  }
  for (std::size_t i = 0; i < t.hosts.size(); ++i) {
    for (const auto& ns : t.hosts[i].nameservers) {
      const TopologyHost* server = host_by_address(t, ns);
      std::string target = server ? ids[server->name] : "";
      if (target.empty()) continue;
      out += fmt::format("  {} -- {} [kind=resolver, dir=forward, arrowhead=vee, arrowsize=0.6, style=dotted, "
                         "color=\"#888888\", constraint=false, tooltip={}];\n",
                         node_id("H", i), target, quote(t.hosts[i].name + " asks " + ns + " for names"));
    }
  }
  out += "  { rank=sink; legend; }\n";
  out += "  legend [shape=plaintext, fontsize=9, label=<<table border=\"0\" cellspacing=\"2\"><tr>"
         "<td>&#8212; link (latency, bandwidth)</td><td><font color=\"#2a8a3e\">- - zone a name server loads</font></td>"
         "<td><font color=\"#1f5fa8\">&#8594; MX record</font></td>"
         "<td><font color=\"#888888\">&#183;&#183;&#183; resolver (/etc/resolv.conf)</font></td></tr></table>>];\n";
  out += "}\n";
  return out;
}

std::string topology_to_mermaid(const Topology& t, const std::string& title) {
  std::string out = "flowchart TB\n  %% " + title + "\n";
  std::map<std::string, std::string> ids;
  for (std::size_t i = 0; i < t.hosts.size(); ++i) {
    const auto& h = t.hosts[i];
    ids[h.name] = node_id("H", i);
    out += fmt::format("  {}[\"{}<br/>{}<br/>{}{}\"]\n", ids[h.name], h.name, h.address,
                       h.is_pc() ? "PC: mail client" : service_names(h), h.up ? "" : "<br/>switched off");
  }
  for (std::size_t i = 0; i < t.routers.size(); ++i) {
    ids[t.routers[i]] = node_id("R", i);
    out += fmt::format("  {}((\"{}\"))\n", ids[t.routers[i]], t.routers[i]);
  }
  for (const auto& l : t.links)
    if (ids.count(l.a) && ids.count(l.b)) out += fmt::format("  {} ---|\"{}\"| {}\n", ids[l.a], link_label(l), ids[l.b]);
  for (std::size_t z = 0; z < t.zones.size(); ++z) {
    const auto& zone = t.zones[z];
    std::string id = node_id("Z", z);
    out += fmt::format("  {}[/\"zone {}\"/]\n", id, zone.domain);
    if (ids.count(zone.server)) out += fmt::format("  {} -.->|authoritative| {}\n", ids[zone.server], id);
    for (const auto& mx : zone.mx) {
      std::string target = without_trailing_dot(mx.exchange);
      if (!ids.count(target)) {
        ids[target] = node_id("U", ids.size());
        out += fmt::format("  {}[\"{} (no such host)\"]\n", ids[target], mx.exchange);
      }
      out += fmt::format("  {} ==>|\"MX {}\"| {}\n", id, mx.preference, ids[target]);
    }
  }
  return out;
}

std::string topology_to_plantuml(const Topology& t, const std::string& title) {
  std::string out = "@startuml\ntitle " + title + ": network, zones and MX records\n";
  std::map<std::string, std::string> ids;
  for (std::size_t i = 0; i < t.hosts.size(); ++i) {
    const auto& h = t.hosts[i];
    ids[h.name] = node_id("H", i);
    out += fmt::format("node \"{}\\n{}\\n{}{}\" as {} {}\n", h.name, h.address,
                       h.is_pc() ? "PC: mail client" : service_names(h), h.up ? "" : "\\nswitched off", ids[h.name],
                       h.is_pc() ? "#fff2cc" : "#dae8fc");
  }
  for (std::size_t i = 0; i < t.routers.size(); ++i) {
    ids[t.routers[i]] = node_id("R", i);
    out += fmt::format("cloud \"{}\" as {}\n", t.routers[i], ids[t.routers[i]]);
  }
  for (const auto& l : t.links)
    if (ids.count(l.a) && ids.count(l.b)) out += fmt::format("{} -- {} : {}\n", ids[l.a], ids[l.b], link_label(l));
  for (std::size_t z = 0; z < t.zones.size(); ++z) {
    const auto& zone = t.zones[z];
    std::string id = node_id("Z", z);
    out += fmt::format("file \"zone {}\" as {} #d5e8d4\n", zone.domain, id);
    if (ids.count(zone.server)) out += fmt::format("{} ..> {} : authoritative\n", ids[zone.server], id);
    for (const auto& mx : zone.mx) {
      std::string target = without_trailing_dot(mx.exchange);
      if (!ids.count(target)) {
        ids[target] = node_id("U", ids.size());
        out += fmt::format("node \"{}\\n(no such host)\" as {} #ffdddd\n", mx.exchange, ids[target]);
      }
      out += fmt::format("{} -[#1f5fa8]-> {} : MX {}\n", id, ids[target], mx.preference);
    }
  }
  out += "@enduml\n";
  return out;
}

void write_topology(const Topology& topology, const std::string& title, const std::string& path) {
  std::string ext = file_extension(path);
  if (ext == "mmd") return write_text_file(path, topology_to_mermaid(topology, title));
  if (ext == "puml") return write_text_file(path, topology_to_plantuml(topology, title));
  write_graph(topology_to_dot(topology, title), path, "--topology");
}

}  // namespace mailsim::viz
