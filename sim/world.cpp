#include "sim/world.hpp"

#include <cmath>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/host_config.hpp"
#include "sim/maillog.hpp"

XBT_LOG_NEW_CATEGORY(mailsim, "mailsim's simulated daemons and clients");
XBT_LOG_NEW_DEFAULT_SUBCATEGORY(world, mailsim, "run control");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {

namespace {
World* g_world = nullptr;
}

World& world() { return *g_world; }
void set_world(World* w) { g_world = w; }

World::World(const Scenario& s, const RunOptions& o) : scenario(s), options(o) {}

double World::now() const { return sg4::Engine::get_clock(); }

std::int64_t World::wall(double t) const { return scenario.start_epoch + static_cast<std::int64_t>(std::floor(t)); }

void World::changed() {
  if (cv) cv->notify_all();
}

bool World::idle() const {
  if (sends_pending > 0 || client_running) return false;
  for (const auto& [name, host] : hosts)
    if (host.queue && host.queue->depth() > 0) return false;
  for (const auto& id : trace.message_order()) {
    const MessageRecord& m = trace.messages().at(id);
    for (const auto& r : m.recipients) {
      if (r.status == MessageStatus::QUEUED) return false;
      if (r.status == MessageStatus::DELIVERED && r.polled && !r.retrieved) return false;
    }
  }
  return true;
}

void run_job(const std::string& role, const std::string& host, std::function<void()> job) {
  World& w = world();
  w.workers.run(role, w.platform.hosts.at(host), std::move(job));
}

void spawn_session(const std::string& name, const std::string& host, std::shared_ptr<Connection> conn,
                   std::function<void(std::shared_ptr<Connection>)> serve) {
  run_job(name, host, [conn = std::move(conn), serve = std::move(serve)]() mutable { serve(std::move(conn)); });
}

void run_while_up(const ServiceSpec& service, const std::function<void(double stop)>& serve) {
  while (true) {
    double now = sg4::Engine::get_clock();
    double change = service.next_change(now);
    if (!service.running_at(now)) {
      if (std::isinf(change)) sg4::this_actor::suspend();  // stopped for good
      sg4::this_actor::sleep_until(change);
      continue;
    }
    serve(change);
    if (std::isinf(change)) return;
    sg4::this_actor::sleep_until(change);
  }
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  int argc = 1;
  char name[] = "mailsim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("root.thresh:warning");
  xbt_log_control_set(("mailsim.thresh:" + options.log_level).c_str());
  engine.set_config("network/model:" + scenario.network.model);
  // Without cross-traffic a write of S bytes takes S / bandwidth, as the
  // docs promise; SimGrid's default adds the ACK stream's share (5%).
  engine.set_config("network/crosstraffic:0");

  World w(scenario, options);
  set_world(&w);
  w.platform = build_platform(engine, scenario);
  for (const auto& h : scenario.hosts) w.net.add_host(h.name, h.address, w.platform.hosts.at(h.name));

  // Parse every host's configuration before anything runs, so that a
  // mistake stops the run with its file position.
  std::uint64_t stream = 0;
  for (const auto& h : scenario.hosts) {
    HostState& state = w.hosts[h.name];
    configure_host(state, h, scenario, w.warnings);
    state.random.seed(scenario.seed * 1000003ull + ++stream);
    state.next_pid = 1000 + static_cast<unsigned>(state.random() % 30000);
  }
  for (auto& [host_name, state] : w.hosts) {
    if (!state.spec->runs("sendmail")) continue;
    std::string mta = host_name;
    state.queue = std::make_unique<MailQueue>([&w, mta](int depth) {
      w.trace.set_queue_depth(mta, w.now(), depth);
      w.changed();
    });
    w.trace.set_queue_depth(mta, 0, 0);
  }

  double duration = options.until >= 0 ? options.until : scenario.duration;
  RunResult result;

  // Daemons first (they listen before any client connects), then clients.
  for (const auto& h : scenario.hosts) {
    if (!h.up) continue;
    HostState& state = w.hosts.at(h.name);
    if (h.runs("named")) start_named(state);
    if (h.runs("sendmail")) start_sendmail(state);
    if (h.runs("dovecot")) start_dovecot(state);
    if (h.runs("roundcube")) start_roundcube(state);
  }
  if (options.client) {
    w.client_running = true;
    auto client = options.client;
    double grace = options.grace_after_client;
    sg4::Actor::create("client", w.platform.hosts.at(options.client_host), [&w, client, grace] {
      sg4::Actor::self()->daemonize();
      client();
      // Let the daemons finish the session and deliver what it left, then
      // stop even if mail is still deferred.
      w.client_deadline = w.now() + grace;
      w.client_running = false;
      w.changed();
    });
  }
  for (const auto& item : scenario.workload) {
    if (options.client) break;  // a real client replaces the workload
    if (!scenario.host(item.pc)->up) {
      w.warnings.push_back(fmt::format("workload item {} never runs: {} is switched off", item.name, item.pc));
      continue;
    }
    if (item.send) ++w.sends_pending;
    start_workload_item(item);
  }
  for (const auto& h : scenario.hosts)
    if (!h.up) w.net.set_up(h.name, false);

  // The controller is the one actor that is not a daemon: the run ends when
  // it returns, which kills every daemon still waiting.
  bool by_duration = false;
  double end_time = 0;
  bool to_the_end = options.run_to_until;
  sg4::Actor::create("controller", w.platform.controller, [&w, duration, &by_duration, &end_time, to_the_end] {
    auto mutex = sg4::Mutex::create();
    auto cv = sg4::ConditionVariable::create();
    w.mutex = mutex.get();
    w.cv = cv.get();
    std::unique_lock<sg4::Mutex> lock(*mutex);
    while (to_the_end || !w.idle()) {
      double until = duration;
      if (!w.client_running && w.client_deadline >= 0) until = std::min(until, w.client_deadline);
      if (cv->wait_until(lock, until) == std::cv_status::timeout) {
        if (until < duration) break;  // the served client is done
        by_duration = !w.idle();
        break;
      }
    }
    w.cv = nullptr;
    w.mutex = nullptr;
    end_time = w.now();
  });
  engine.run();
  w.workers.clear();

  result.end_time = end_time;
  result.stopped_by_duration = by_duration;
  collect_mailboxes(w, result.mailboxes);
  result.maillog = format_maillog(w.trace, scenario.start_epoch);
  for (const auto& [name, host] : w.hosts)
    if (host.queue) result.mailq[name] = format_mailq(host, scenario.start_epoch);
  result.warnings = w.warnings;
  result.trace = std::move(w.trace);
  set_world(nullptr);
  return result;
}

}  // namespace mailsim::sim
