// Builds the SimGrid platform from the scenario's topology: one SimGrid host
// per scenario host, one SimGrid link per scenario link, and for every pair
// of hosts the lowest-latency path through the routers (Boost.Graph Dijkstra).
//
// Network model: the scenario's `network.model`, CM02 by default. CM02 takes
// a link's latency as given (a 1 ms link costs 1 ms one way, 2 ms a round
// trip) and shares bandwidth max-min fairly. SimGrid's default LV08 model
// multiplies latency by 13.01 and bandwidth by 0.97 to fit TCP slow start on
// wide-area links, which would make a LAN round trip look 13 times longer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace mailsim::sim {

/// The hosts and paths of one run.
struct Platform {
  std::map<std::string, simgrid::s4u::Host*> hosts;  ///< by host name
  simgrid::s4u::Host* controller = nullptr;  ///< runs the run's controller; no links
  /// One-way latency in seconds between two hosts (sum over the path's links).
  std::map<std::pair<std::string, std::string>, double> path_latency;
  /// Names of the links on the path between two hosts, in order.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> paths;
};

/// Checks the topology (every host reachable from every other) and creates
/// it in `engine`. Throws InputError naming the unreachable pair.
Platform build_platform(simgrid::s4u::Engine& engine, const Scenario& scenario);

/// The links a scenario without `links:` gets: a star of one link per host
/// to the router `lan`, each with the network defaults.
std::vector<LinkSpec> default_links(const Scenario& scenario);

/// Computes routes without SimGrid (used by build_platform and by tests that
/// derive expected timings from the scenario).
Platform compute_paths(const Scenario& scenario);

}  // namespace mailsim::sim
