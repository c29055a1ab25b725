// Simulated TCP connections: writes arrive whole and in order, end of stream
// comes one link latency after close(), and a connection's pair of mailboxes
// can serve a later connection without mixing their writes. The expected
// times come from the platform's link latency and bandwidth.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/net.hpp"

namespace mailsim::sim {
namespace {

namespace sg4 = simgrid::s4u;

constexpr double kLatency = 0.01;     // each host's link to the switch: 10 ms
constexpr double kBandwidth = 1e9;    // bytes per second
constexpr double kOneWay = 2 * kLatency;  // client link, then server link

// What one run reports back: a line per event, in the order they happened.
using Log = std::vector<std::string>;

// Builds two hosts, `client` (10.0.0.1) and `server` (10.0.0.2), each behind its own link, runs
// `body`'s actors and returns the lines they logged.
Log simulate(const std::function<void(Network&, Log&)>& body) {
  int argc = 1;
  char name[] = "net_test";
  char* argv[] = {name, nullptr};
  // Declared before the engine, so that it outlives the actors the engine ends, and their sockets.
  Network net(nullptr);
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("root.thresh:warning");
  engine.set_config("network/model:CM02");
  auto* zone = sg4::create_star_zone("net");
  for (const auto& [host, ip] : {std::pair{"client", "10.0.0.1"}, std::pair{"server", "10.0.0.2"}}) {
    sg4::Host* h = zone->create_host(host, 1e9);
    sg4::Link* l = zone->create_link(host, kBandwidth)->set_latency(kLatency)->seal();
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(l)}, true);
    net.add_host(host, ip, h);
  }
  zone->seal();

  Log log;
  body(net, log);
  engine.run();
  return log;
}

// SimGrid allows one engine per process, so each run is made in a child, which writes its log
// to a pipe, one line per entry.
Log in_child(const std::function<void(Network&, Log&)>& body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string text;
    for (const auto& line : simulate(body)) text += line + "\n";
    ssize_t written = write(fds[1], text.data(), text.size());
    _exit(written == static_cast<ssize_t>(text.size()) ? 0 : 1);
  }

  close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("the simulation failed");

  Log log;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    log.push_back(text.substr(start, end - start));
  }
  return log;
}

// Returns `seconds` with microsecond precision, as the tests compare times.
std::string time_of(double seconds) {
  char clock[32];
  std::snprintf(clock, sizeof clock, "%.6f", seconds);
  return clock;
}

// Returns the simulated clock and `event`, for a log line.
std::string at(const std::string& event) { return time_of(sg4::Engine::get_clock()) + " " + event; }

// Starts a server that replies to each write with "echo " and the write, and logs the end of stream.
void echo_server(Network& net, Log& log, int connections) {
  std::shared_ptr<Listener> listener = net.listen("server", "0.0.0.0", 25, "test");
  sg4::Actor::create("echo", sg4::Host::by_name("server"), [&log, listener, connections] {
    for (int i = 0; i < connections; ++i) {
      std::unique_ptr<Connection> conn = listener->accept();
      std::string in;
      while (conn->recv(in)) conn->send("echo " + in);
      log.push_back(at("server saw end of stream"));
      conn->close();
    }
  });
}

TEST(Net, SequentialConnectionsKeepTheirOwnWrites) {
  // Each connection reuses the mailboxes the one before it left, so a write
  // of an earlier connection would show up as a wrong echo.
  const int connections = 20;
  Log log = in_child([&](Network& net, Log& log) {
    echo_server(net, log, connections);
    sg4::Actor::create("client", sg4::Host::by_name("client"), [&net, &log, connections] {
      for (int i = 0; i < connections; ++i) {
        std::unique_ptr<Connection> conn = net.connect("client", "10.0.0.2", 25, 30);
        for (int j = 0; j < 3; ++j) {
          std::string request = std::to_string(i) + "." + std::to_string(j);
          conn->send(request);
          std::string reply;
          if (!conn->recv(reply) || reply != "echo " + request) log.push_back("wrong reply " + reply);
        }
        conn->close();
        std::string rest;
        if (conn->recv(rest)) log.push_back("data after the server's close: " + rest);
      }
      log.push_back("done");
    });
  });
  int ends = 0;
  for (const auto& line : log) {
    EXPECT_EQ(line.find("wrong"), std::string::npos) << line;
    EXPECT_EQ(line.find("data after"), std::string::npos) << line;
    if (line.find("end of stream") != std::string::npos) ++ends;
  }
  EXPECT_EQ(ends, connections);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), "done");
}

TEST(Net, EndOfStreamComesOneLatencyAfterClose) {
  // The server closes 1 s after the client's write arrives. The client is
  // either waiting in recv() when the FIN leaves, or starts reading later:
  // before the FIN would have arrived, or after.
  struct Case {
    const char* name;
    double reader_starts;  // after the close; < 0: already waiting
    double expected_end;   // after the close
  };
  const std::vector<Case> cases = {
      {"reader waiting", -1, kOneWay},
      {"reader starts before the FIN arrives", kOneWay / 2, kOneWay},
      {"reader starts after the FIN arrived", 5 * kOneWay, 5 * kOneWay},
  };
  for (const Case& c : cases) {
    Log log = in_child([&](Network& net, Log& log) {
      std::shared_ptr<Listener> listener = net.listen("server", "0.0.0.0", 25, "test");
      sg4::Actor::create("server", sg4::Host::by_name("server"), [listener] {
        std::unique_ptr<Connection> conn = listener->accept();
        std::string in;
        conn->recv(in);
        sg4::this_actor::sleep_for(1);
        conn->close();
        sg4::this_actor::sleep_for(100);  // keeps its end open
      });
      double reader_starts = c.reader_starts;
      sg4::Actor::create("client", sg4::Host::by_name("client"), [&net, &log, reader_starts] {
        std::unique_ptr<Connection> conn = net.connect("client", "10.0.0.2", 25, 30);
        conn->send("x");  // returns when the write has arrived, as the server reads it
        double closed_at = sg4::Engine::get_clock() + 1;
        if (reader_starts >= 0) sg4::this_actor::sleep_until(closed_at + reader_starts);
        std::string in;
        bool data = conn->recv(in);
        log.push_back(data ? "data" : time_of(sg4::Engine::get_clock() - closed_at));
      });
    });
    ASSERT_EQ(log.size(), 1u) << c.name;
    ASSERT_NE(log[0], "data") << c.name;
    EXPECT_NEAR(std::stod(log[0]), c.expected_end, 1e-6) << c.name;
  }
}

TEST(Net, WritesBeforeTheFinArriveFirst) {
  // The server writes three times and closes while the client is not reading: the client gets the
  // three writes in order, then the end of stream.
  Log log = in_child([&](Network& net, Log& log) {
    std::shared_ptr<Listener> listener = net.listen("server", "0.0.0.0", 25, "test");
    sg4::Actor::create("server", sg4::Host::by_name("server"), [listener] {
      std::unique_ptr<Connection> conn = listener->accept();
      for (const char* text : {"one", "two", "three"}) conn->send(text);
      conn->close();
      sg4::this_actor::sleep_for(100);
    });
    sg4::Actor::create("client", sg4::Host::by_name("client"), [&net, &log] {
      std::unique_ptr<Connection> conn = net.connect("client", "10.0.0.2", 25, 30);
      sg4::this_actor::sleep_for(10);
      std::string in;
      while (conn->recv(in)) log.push_back(in);
      log.push_back("end");
    });
  });
  EXPECT_EQ(log, (Log{"one", "two", "three", "end"}));
}

TEST(Net, WriteTakesLatencyAndSize) {
  // One write of N bytes arrives after the one-way latency plus N over the bandwidth.
  // NOTE: sizes stay small; for large writes SimGrid caps the rate at TCP-gamma over the round trip.
  for (std::size_t size : {std::size_t{1}, std::size_t{100}}) {
    Log log = in_child([&](Network& net, Log& log) {
      std::shared_ptr<Listener> listener = net.listen("server", "0.0.0.0", 25, "test");
      sg4::Actor::create("server", sg4::Host::by_name("server"), [listener, &log] {
        std::unique_ptr<Connection> conn = listener->accept();
        std::string in;
        conn->recv(in);  // the client's first write: both ends are set up
        double sent = sg4::Engine::get_clock();
        conn->recv(in);
        log.push_back(time_of(sg4::Engine::get_clock() - sent));
      });
      sg4::Actor::create("client", sg4::Host::by_name("client"), [&net, size] {
        std::unique_ptr<Connection> conn = net.connect("client", "10.0.0.2", 25, 30);
        conn->send("x");
        conn->send(std::string(size, 'a'));
      });
    });
    ASSERT_EQ(log.size(), 1u);
    // CM02: the route's latency plus the size over the bandwidth.
    EXPECT_NEAR(std::stod(log[0]), kOneWay + static_cast<double>(size) / kBandwidth, 1e-6) << size;
  }
}

}  // namespace
}  // namespace mailsim::sim
