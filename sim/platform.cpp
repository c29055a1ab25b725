#include "sim/platform.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, double>>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

const std::vector<LinkSpec>& links_of(const Scenario& s, std::vector<LinkSpec>& storage) {
  if (!s.links.empty()) return s.links;
  storage = default_links(s);
  return storage;
}

}  // namespace

std::vector<LinkSpec> default_links(const Scenario& s) {
  std::vector<LinkSpec> out;
  for (const auto& h : s.hosts)
    out.push_back(LinkSpec{h.name + "-lan", h.name, "lan", s.network.latency, s.network.bandwidth, h.pos});
  return out;
}

Platform compute_paths(const Scenario& s) {
  std::vector<LinkSpec> storage;
  const auto& links = links_of(s, storage);

  // Vertices: hosts first, then routers (named only by links).
  std::map<std::string, Vertex> index;
  std::vector<std::string> names;
  auto vertex = [&](const std::string& name) {
    auto it = index.find(name);
    if (it != index.end()) return it->second;
    Vertex v = names.size();
    names.push_back(name);
    index[name] = v;
    return v;
  };
  for (const auto& h : s.hosts) vertex(h.name);
  for (const auto& l : links) {
    vertex(l.a);
    vertex(l.b);
  }
  Graph g(names.size());
  std::map<std::pair<Vertex, Vertex>, size_t> link_of_edge;
  for (size_t i = 0; i < links.size(); ++i) {
    Vertex a = index[links[i].a], b = index[links[i].b];
    // Dijkstra needs strictly positive weights to prefer fewer hops on ties.
    boost::add_edge(a, b, links[i].latency + 1e-12, g);
    link_of_edge[{std::min(a, b), std::max(a, b)}] = i;
  }

  Platform p;
  for (const auto& src : s.hosts) {
    Vertex from = index[src.name];
    std::vector<Vertex> pred(names.size());
    std::vector<double> dist(names.size());
    boost::dijkstra_shortest_paths(g, from, boost::predecessor_map(pred.data()).distance_map(dist.data()));
    for (const auto& dst : s.hosts) {
      if (dst.name == src.name) continue;
      Vertex to = index[dst.name];
      if (pred[to] == to)
        throw InputError(dst.pos, fmt::format("host {} cannot reach host {}: no path of links joins them",
                                              src.name, dst.name));
      std::vector<std::string> path;
      double latency = 0;
      for (Vertex v = to; v != from; v = pred[v]) {
        const LinkSpec& l = links[link_of_edge[{std::min(v, pred[v]), std::max(v, pred[v])}]];
        path.insert(path.begin(), l.name);
        latency += l.latency;
      }
      p.paths[{src.name, dst.name}] = path;
      p.path_latency[{src.name, dst.name}] = latency;
    }
  }
  return p;
}

Platform build_platform(sg4::Engine& engine, const Scenario& s) {
  Platform p = compute_paths(s);
  (void)engine;
  std::vector<LinkSpec> storage;
  const auto& links = links_of(s, storage);

  auto* zone = sg4::create_full_zone(s.name.empty() ? "lab" : s.name);
  for (const auto& h : s.hosts) p.hosts[h.name] = zone->create_host(h.name, 1e9);
  std::map<std::string, sg4::Link*> sg_links;
  for (const auto& l : links)
    sg_links[l.name] = zone->create_link(l.name, l.bandwidth)->set_latency(l.latency)->seal();
  for (const auto& [ends, path] : p.paths) {
    if (ends.first > ends.second) continue;  // routes are symmetric
    std::vector<sg4::LinkInRoute> route;
    for (const auto& name : path) route.emplace_back(sg_links.at(name));
    zone->add_route(p.hosts[ends.first]->get_netpoint(), p.hosts[ends.second]->get_netpoint(), nullptr,
                    nullptr, route, true);
  }
  // The run's controller lives on a host of its own, outside the topology,
  // so it runs whatever the scenario does to its hosts.
  p.controller = zone->create_host("mailsim-controller", 1e9);
  zone->seal();
  return p;
}

}  // namespace mailsim::sim
