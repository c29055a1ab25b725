// The scenario's network as a picture: hosts by role (mail servers, PCs, routers), links
// labelled with their one-way latency and bandwidth, the zones each name server loads, their
// MX records pointing at the mail hosts, and which name server each host's resolver asks.
// Output: Graphviz DOT (laid out by `dot`), Mermaid `flowchart` and PlantUML text.
#pragma once

#include <string>

#include "viz/run_data.hpp"

namespace mailsim::viz {

std::string topology_to_dot(const Topology& topology, const std::string& title);
std::string topology_to_mermaid(const Topology& topology, const std::string& title);
std::string topology_to_plantuml(const Topology& topology, const std::string& title);

/// Writes the topology in the format the extension of `path` names (as write_sequence).
void write_topology(const Topology& topology, const std::string& title, const std::string& path);

/// "500 us, 100 Mbit/s": a link's one-way latency and its bandwidth in bits per second.
std::string link_label(const TopologyLink& link);

}  // namespace mailsim::viz
