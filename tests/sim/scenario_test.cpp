#include "sim/scenario.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mailsim::sim {
namespace {

const char* const kMinimal = R"(name: tiny
network: {latency: 2ms, bandwidth: 8Mbps}
hosts:
  mail.naver.com:
    address: 10.0.2.100
    services: [sendmail, named]
    users: {lee: {password: lee}}
  pc.naver.com:
    address: 10.0.2.15
workload:
  - name: hello
    pc: pc.naver.com
    at: 5s
    send: {server: mail.naver.com, from: x@naver.com, to: [lee@naver.com], subject: hi, body: "hi\n"}
  - pc: pc.naver.com
    fetch: {server: mail.naver.com, user: lee, password: lee, every: 1m}
)";

std::string lab_path() { return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/naver-daum-lab.yaml"; }

TEST(Scenario, LoadsMinimal) {
  Scenario s = parse_scenario(kMinimal, "tiny.yaml");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_DOUBLE_EQ(s.network.latency, 0.002);
  EXPECT_DOUBLE_EQ(s.network.bandwidth, 1e6);
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].address, "10.0.2.100");
  EXPECT_TRUE(s.hosts[0].runs("sendmail"));
  EXPECT_FALSE(s.hosts[0].runs("dovecot"));
  ASSERT_EQ(s.workload.size(), 2u);
  EXPECT_DOUBLE_EQ(s.workload[0].at, 5);
  ASSERT_TRUE(s.workload[1].fetch.has_value());
  EXPECT_DOUBLE_EQ(s.workload[1].fetch->every, 60);
  EXPECT_EQ(s.workload[1].name, "item1");
}

TEST(Scenario, LoadsLab) {
  Scenario s = load_scenario(lab_path());
  ASSERT_NE(s.host("mail.naver.com"), nullptr);
  EXPECT_EQ(s.host("mail.naver.com")->address, "10.0.2.100");
  EXPECT_EQ(s.host("mail.daum.net")->address, "10.0.2.200");
  // every_host gives each host the same resolver.
  for (const auto& h : s.hosts) {
    ASSERT_NE(h.file("/etc/resolv.conf"), nullptr) << h.name;
    EXPECT_EQ(h.file("/etc/resolv.conf")->text, "nameserver 10.0.2.100\n");
  }
  EXPECT_EQ(s.host("mail.naver.com")->file("/var/named/naver.com.db")->display,
            "mail.naver.com:/var/named/naver.com.db");
  const auto& reply = s.workload[1];
  ASSERT_TRUE(reply.send.has_value());
  ASSERT_EQ(reply.send->attachments.size(), 1u);
  EXPECT_EQ(reply.send->attachments[0].size, 2'000'000u);
}

TEST(ScenarioOverride, SetsNestedValues) {
  Scenario s = parse_scenario(kMinimal, "tiny.yaml",
                              {"network.latency=50ms", "hosts.mail.naver.com.address=10.0.2.101",
                               "workload.0.at=7s"});
  EXPECT_DOUBLE_EQ(s.network.latency, 0.05);
  EXPECT_EQ(s.hosts[0].address, "10.0.2.101");
  EXPECT_DOUBLE_EQ(s.workload[0].at, 7);
}

struct BadCase {
  const char* name;
  std::string text;
  std::vector<std::string> overrides;
  std::string expected;  // the whole of what(), or its start
};

TEST(ScenarioErrors, PointAtTheMistake) {
  const BadCase cases[] = {
      {"yaml syntax", "hosts: [a, b\n", {}, "bad.yaml:2:1: "},
      {"unknown top key", "hots: {}\n", {}, "bad.yaml:1:1: unknown key 'hots' in the scenario"},
      {"not a mapping", "- 1\n", {}, "bad.yaml:1:1: a scenario must be a YAML mapping"},
      {"no hosts", "name: x\n", {}, "bad.yaml:1:1: the scenario has no 'hosts'"},
      {"bad latency unit", "network: {latency: 5 parsecs}\nhosts: {}\n", {},
       "bad.yaml:1:20: invalid duration '5 parsecs' for network.latency"},
      {"bad bandwidth", "network: {bandwidth: fast}\nhosts: {}\n", {},
       "bad.yaml:1:22: invalid bandwidth 'fast' for network.bandwidth"},
      {"unknown model", "network: {model: Magic}\nhosts: {}\n", {},
       "bad.yaml:1:18: unknown SimGrid network model 'Magic'"},
      {"bad address", "hosts:\n  a.x:\n    address: 10.0.2.300\n", {},
       "bad.yaml:3:14: invalid IPv4 address '10.0.2.300' for host a.x"},
      {"duplicate address", "hosts:\n  a.x: {address: 10.0.0.1}\n  b.x: {address: 10.0.0.1}\n", {},
       "bad.yaml:3:18: address 10.0.0.1 is used by two hosts"},
      {"unknown host key", "hosts:\n  a.x: {address: 10.0.0.1, adress: 1}\n", {},
       "bad.yaml:2:28: unknown key 'adress' in host a.x"},
      {"unknown service", "hosts:\n  a.x: {address: 10.0.0.1, services: [postfix]}\n", {},
       "bad.yaml:2:39: unknown service 'postfix'"},
      {"relative file path", "hosts:\n  a.x:\n    address: 10.0.0.1\n    files: {etc/hosts: x}\n", {},
       "bad.yaml:4:13: file path 'etc/hosts' must be absolute"},
      {"unknown pc", "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: b.x, fetch: {server: a.x, user: u}}\n",
       {}, "bad.yaml:4:10: unknown host 'b.x'"},
      {"unknown user",
       "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: a.x, fetch: {server: a.x, user: nobody}}\n", {},
       "bad.yaml:4:42: unknown user 'nobody' on a.x"},
      {"recipient without domain",
       "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: a.x, send: {server: a.x, from: u@a.x, to: lee}}\n",
       {}, "bad.yaml:4:52: recipient 'lee' is not user@domain"},
      {"link to unknown router", "hosts:\n  a.x: {address: 10.0.0.1}\nlinks:\n  - {between: [a.x, sw]}\n", {},
       "bad.yaml:4:21: unknown host or router 'sw' in link"},
      {"duplicate workload name",
       "hosts:\n  a.x: {address: 10.0.0.1, users: {u: {}}}\nworkload:\n  - {name: w, pc: a.x, fetch: {server: a.x, user: u}}\n"
       "  - {name: w, pc: a.x, fetch: {server: a.x, user: u}}\n",
       {}, "bad.yaml:5:12: workload name 'w' is used twice"},
      {"unknown server",
       "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: a.x, send: {server: b.x, from: u@a.x, to: v@a.x}}\n",
       {}, "bad.yaml:4:30: unknown host 'b.x'"},
      {"port out of range",
       "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: a.x, send: {server: a.x, port: 70000, from: u@a.x, to: v@a.x}}\n",
       {}, "bad.yaml:4:41: port 70000 is out of range 1-65535"},
      {"recipient with brackets",
       "hosts:\n  a.x: {address: 10.0.0.1}\nworkload:\n  - {pc: a.x, send: {server: a.x, from: u@a.x, to: [<v@a.x>]}}\n",
       {}, "bad.yaml:4:53: recipient '<v@a.x>' is not user@domain"},
      {"negative seed", "seed: -3\nhosts: {}\n", {}, "bad.yaml:1:7: seed -3 is negative"},
      {"constant model", "network: {model: Constant}\nhosts: {}\n", {}, "bad.yaml:1:18: unknown SimGrid network model"},
      {"self link", "hosts:\n  a.x: {address: 10.0.0.1}\nlinks:\n  - {between: [a.x, a.x]}\n", {},
       "bad.yaml:4:15: a link joins 'a.x' to itself"},
      {"router named like host", "routers: [a.x]\nhosts:\n  a.x: {address: 10.0.0.1}\n", {},
       "bad.yaml:1:11: router 'a.x' has the name of a host"},
      {"bad stopped window", "hosts:\n  a.x: {address: 10.0.0.1, services: {named: {stopped: 5m-1m}}}\n", {},
       "bad.yaml:2:56: invalid stopped window '5m-1m'"},
      {"set without value", "hosts: {}\n", {"network.latency"}, "--set network.latency: expected KEY=VALUE"},
      {"set unknown path", "hosts: {}\n", {"netwrk.latency=5ms"}, "--set netwrk.latency=5ms: no key 'netwrk'"},
      {"set bad unit", "network: {latency: 1ms}\nhosts: {}\n", {"network.latency=fast"},
       "--set: invalid duration 'fast' for network.latency"},
  };
  for (const auto& c : cases) {
    try {
      parse_scenario(c.text, "bad.yaml", c.overrides);
      ADD_FAILURE() << c.name << ": no error";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).substr(0, c.expected.size()), c.expected) << c.name << ": " << e.what();
    }
  }
}

TEST(ScenarioErrors, MissingFileNamesIt) {
  try {
    load_scenario("/nonexistent/lab.yaml");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/lab.yaml: cannot open file", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace mailsim::sim
