// The floor for `mailsim bench`: a bare SimGrid S4U program that makes the
// same communications as a bench run, without SMTP, queues or sockets, so
// the ratio of the two rates is mailsim's own overhead.
//
// The platform is a bench world's: a star zone with one host per destination
// domain plus the relay, the name server and the controller, each behind its
// own link, under the CM02 network model without cross-traffic. `--pairs`
// client actors on the relay each run sessions one after another until
// `--sessions` have been run. A session goes to the next destination host in
// turn, and is `--comms` small transfers, alternating between the client and a
// server actor that moves to that host: request, reply, request, and so on.
// Each side's mailbox has it as eager receiver and every put blocks until its
// transfer has arrived. With `--transfers sendto` there is no server actor:
// the client makes each transfer itself with Comm::sendto from the sending
// host to the receiving one, as a `mailsim bench` delivery does.
//
// All sessions are ready at time 0. By default every pair starts at once, and
// as every session lasts the same simulated time, the pairs stay in step:
// their transfers end at the same instants, and SimGrid handles all of them
// in one scheduling round per instant. With `--spread-ms N`, pair p starts
// p/pairs of N milliseconds late, so each pair's transfers end at instants of
// their own, as a bench's sessions do when their messages arrive at random
// times. The program counts the instants SimGrid advances its clock to.
//
// It does not model connection setup, timeouts or DNS caching.
//
// Run: ./build/benchmarks/bare_simgrid --hosts 1000 --pairs 100 --sessions 10000 --comms 13
//      [--transfers mailbox|sendto] [--spread-ms N]
// Output: one JSON object on stdout.
#include <xbt/log.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

struct Options {
  long hosts = 1000;      // destination hosts (the star has three more)
  long pairs = 100;       // client/server pairs running at once
  long sessions = 10000;  // sessions in the whole run
  long comms = 15;        // transfers per session, starting with the client's
  bool sendto = false;    // host-to-host transfers instead of mailboxes
  double payload = 100;   // bytes per transfer
  double latency = 0.001;
  double spread = 0;         // seconds over which the pairs' first sessions start
  double bandwidth = 125e6;  // bytes per second
};

// A request or reply. `host` is the session's destination, where the server
// moves. `reply` is false for a request that is the session's last transfer.
struct Message {
  sg4::Host* host = nullptr;
  bool reply = true;
};

struct World {
  Options options;
  sg4::Host* relay = nullptr;
  std::vector<sg4::Host*> destinations;
  long started = 0;  // sessions handed to clients so far
  long comms = 0;    // transfers completed
  long time_advances = 0;  // instants the clock moved to
};

void serve(World& world, sg4::Mailbox* in, sg4::Mailbox* out) {
  in->set_receiver(sg4::Actor::self());
  while (true) {
    auto* message = in->get<Message>();
    if (message->host != sg4::this_actor::get_host()) sg4::this_actor::set_host(message->host);
    bool reply = message->reply;
    delete message;
    if (!reply) continue;
    out->put(new Message{nullptr, false}, world.options.payload);
    ++world.comms;
  }
}

// Transfer k of a session (from 0) is the client's when k is even.
void run_sessions(World& world, sg4::Mailbox* in, sg4::Mailbox* out) {
  in->set_receiver(sg4::Actor::self());
  const long comms = world.options.comms;
  while (world.started < world.options.sessions) {
    sg4::Host* destination = world.destinations[world.started % world.destinations.size()];
    ++world.started;
    for (long k = 0; k < comms; ++k) {
      if (world.options.sendto) {
        if (k % 2 == 0) sg4::Comm::sendto(world.relay, destination, world.options.payload);
        else sg4::Comm::sendto(destination, world.relay, world.options.payload);
        ++world.comms;
      } else if (k % 2 == 0) {
        out->put(new Message{destination, k + 1 < comms}, world.options.payload);
        ++world.comms;
      } else {
        delete in->get<Message>();
      }
    }
  }
}

long parse_long(const char* text, const char* option) {
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < 1) {
    std::fprintf(stderr,
                 "bare_simgrid: invalid value '%s' for %s (expected an integer of at least 1)\n",
                 text, option);
    std::exit(2);
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string option = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "bare_simgrid: missing value for %s\n", option.c_str());
      std::exit(2);
    }
    const char* value = argv[++i];
    if (option == "--hosts")
      o.hosts = parse_long(value, "--hosts");
    else if (option == "--pairs")
      o.pairs = parse_long(value, "--pairs");
    else if (option == "--sessions")
      o.sessions = parse_long(value, "--sessions");
    else if (option == "--comms")
      o.comms = parse_long(value, "--comms");
    else if (option == "--spread-ms")
      o.spread = static_cast<double>(parse_long(value, "--spread-ms")) / 1000.0;
    else if (option == "--payload")
      o.payload = static_cast<double>(parse_long(value, "--payload"));
    else if (option == "--transfers" && (std::strcmp(value, "mailbox") == 0 || std::strcmp(value, "sendto") == 0))
      o.sendto = std::strcmp(value, "sendto") == 0;
    else if (option == "--transfers") {
      std::fprintf(stderr, "bare_simgrid: invalid value '%s' for --transfers (expected mailbox or sendto)\n", value);
      std::exit(2);
    } else {
      std::fprintf(stderr,
                   "bare_simgrid: unknown option %s (use --hosts, --pairs, --sessions, --comms, "
                   "--payload, --transfers, --spread-ms)\n",
                   option.c_str());
      std::exit(2);
    }
  }
  return o;
}

void build_platform(World& world) {
  auto* zone = sg4::create_star_zone("bench");
  auto add = [&](const std::string& name) {
    sg4::Host* host = zone->create_host(name, 1e9);
    sg4::Link* link = zone->create_link(name, world.options.bandwidth)
                          ->set_latency(world.options.latency)
                          ->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(link)},
                    true);
    return host;
  };
  world.relay = add("relay.bench");
  add("ns.bench");
  zone->create_host("controller", 1e9);
  for (long i = 0; i < world.options.hosts; ++i)
    world.destinations.push_back(add("mx.d" + std::to_string(i)));
  zone->seal();
}

}  // namespace

int main(int argc, char** argv) {
  World world;
  world.options = parse_options(argc, argv);
  auto wall_start = std::chrono::steady_clock::now();
  int engine_argc = 1;
  sg4::Engine engine(&engine_argc, argv);
  xbt_log_control_set("root.thresh:critical");
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  build_platform(world);
  sg4::Engine::on_time_advance_cb([&world](double) { ++world.time_advances; });

  for (long p = 0; p < world.options.pairs; ++p) {
    sg4::Mailbox* to_server = sg4::Mailbox::by_name("pair" + std::to_string(p) + ":server");
    sg4::Mailbox* to_client = sg4::Mailbox::by_name("pair" + std::to_string(p) + ":client");
    if (!world.options.sendto) {
      sg4::Actor::create("server", world.destinations[p % world.destinations.size()],
                         [&world, to_server, to_client] {
                           sg4::Actor::self()->daemonize();
                           serve(world, to_server, to_client);
                         });
    }
    double offset = world.options.spread * static_cast<double>(p) / static_cast<double>(world.options.pairs);
    sg4::Actor::create("client", world.relay, [&world, to_server, to_client, offset] {
      if (offset > 0) sg4::this_actor::sleep_for(offset);
      run_sessions(world, to_client, to_server);
    });
  }
  engine.run();
  double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  std::printf(
      "{\"star_hosts\": %ld, \"pairs\": %ld, \"sessions\": %ld, \"comms_per_session\": %ld, "
      "\"comms\": %ld, \"spread_seconds\": %.3f, \"time_advances\": %ld, \"simulated_seconds\": %.6f, "
      "\"wall_seconds\": %.6f, \"comms_per_wall_second\": %.1f, \"sessions_per_wall_second\": %.1f}\n",
      world.options.hosts + 3, world.options.pairs, world.started, world.options.comms, world.comms,
      world.options.spread, world.time_advances, sg4::Engine::get_clock(), wall, world.comms / wall, world.started / wall);
  return 0;
}
