#include "sim/platform.hpp"

#include <gtest/gtest.h>

namespace mailsim::sim {
namespace {

const char* const kChain = R"(network: {latency: 1ms, bandwidth: 100Mbps}
routers: [r1, r2]
hosts:
  a.x: {address: 10.0.0.1}
  b.x: {address: 10.0.0.2}
  c.x: {address: 10.0.0.3}
links:
  - {between: [a.x, r1]}
  - {between: [r1, r2], latency: 10ms}
  - {between: [r2, b.x]}
  - {between: [r1, c.x], latency: 3ms}
  - {between: [c.x, r2], latency: 3ms}
)";

TEST(Platform, ShortestLatencyPath) {
  Scenario s = parse_scenario(kChain, "chain.yaml");
  Platform p = compute_paths(s);
  // a -> r1 -> c -> r2 -> b costs 1+3+3+1 = 8 ms, less than 1+10+1 = 12 ms.
  EXPECT_NEAR(p.path_latency.at({"a.x", "b.x"}), 0.008, 1e-9);
  EXPECT_EQ(p.paths.at({"a.x", "b.x"}).size(), 4u);
  EXPECT_NEAR(p.path_latency.at({"a.x", "c.x"}), 0.004, 1e-9);
  EXPECT_EQ(p.path_latency.at({"a.x", "b.x"}), p.path_latency.at({"b.x", "a.x"}));
}

TEST(Platform, DefaultStarUsesNetworkLatency) {
  Scenario s = parse_scenario("network: {latency: 2ms}\nhosts:\n  a.x: {address: 10.0.0.1}\n  b.x: {address: 10.0.0.2}\n",
                              "star.yaml");
  Platform p = compute_paths(s);
  EXPECT_NEAR(p.path_latency.at({"a.x", "b.x"}), 0.004, 1e-9);
  EXPECT_EQ(p.paths.at({"a.x", "b.x"}).size(), 2u);
}

TEST(Platform, UnreachableHostIsAnError) {
  Scenario s = parse_scenario(
      "routers: [r]\nhosts:\n  a.x: {address: 10.0.0.1}\n  b.x: {address: 10.0.0.2}\nlinks:\n  - {between: [a.x, r]}\n",
      "island.yaml");
  try {
    compute_paths(s);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "island.yaml:4:3: host a.x cannot reach host b.x: no path of links joins them");
  }
}

}  // namespace
}  // namespace mailsim::sim
