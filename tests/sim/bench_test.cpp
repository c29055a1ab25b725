// The bench world against queueing theory, and its bookkeeping under
// faults. Each expected value comes from the scenario's parameters.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "models/common/error.hpp"
#include "models/workload/stats.hpp"
#include "sim/bench.hpp"
#include "sim/yaml_reader.hpp"

namespace mailsim::sim {
namespace {

// SimGrid allows one engine per process, so each run is made in a child.
BenchResult run(const BenchScenario& s, const std::string& policy, std::uint64_t seed) {
  struct Numbers {
    std::uint64_t counts[16];
    double values[11];
  } n{};
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    BenchResult r;
    try {
      r = run_bench(s, policy, seed);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench run failed: %s\n", e.what());
      _exit(2);
    }
    Numbers out{{r.messages, r.deliveries, r.delivered, r.bounced, r.expired, r.queued, r.attempts, r.retries,
                 r.refused, r.duplicates, r.interrupted, r.latency.count, r.reused_connections, r.stale_connections, r.held,
                 r.host_status_deferrals},
                {r.end_time, r.throughput, r.latency.mean, r.latency.p50, r.latency.p95, r.latency.p99,
                 r.latency.max, r.max_depth, r.mean_depth, r.wall_seconds, 0}};
    ssize_t written = write(fds[1], &out, sizeof out);
    _exit(written == static_cast<ssize_t>(sizeof out) ? 0 : 1);
  }
  close(fds[1]);
  ssize_t got = read(fds[0], &n, sizeof n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(sizeof n) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("the bench run failed");
  BenchResult r;
  r.policy = policy;
  r.seed = seed;
  std::uint64_t* c[] = {&r.messages, &r.deliveries, &r.delivered, &r.bounced,    &r.expired,     &r.queued,
                        &r.attempts, &r.retries,    &r.refused,   &r.duplicates, &r.interrupted};
  for (int i = 0; i < 11; ++i) *c[i] = n.counts[i];
  r.latency.count = n.counts[11];
  r.reused_connections = n.counts[12];
  r.stale_connections = n.counts[13];
  r.held = n.counts[14];
  r.host_status_deferrals = n.counts[15];
  double* v[] = {&r.end_time,    &r.throughput,  &r.latency.mean, &r.latency.p50, &r.latency.p95,
                 &r.latency.p99, &r.latency.max, &r.max_depth,    &r.mean_depth,  &r.wall_seconds};
  for (int i = 0; i < 10; ++i) *v[i] = n.values[i];
  return r;
}

// One relay, plain destinations, links so short that a delivery's SMTP
// exchange (about 8 round trips over 4 us) is negligible next to the
// exponential service time.
BenchScenario queueing_scenario(double lambda, double service_mean, std::uint64_t count) {
  BenchScenario s;
  s.latency = 1e-6;
  s.bandwidth = 1.25e9;
  s.horizon = 86400;
  s.service.kind = ServiceTime::Kind::EXPONENTIAL;
  s.service.mean = service_mean;
  s.workload.count = count;
  s.workload.arrivals.rate = lambda;
  s.workload.sizes.fixed = 1000;
  s.workload.domains = 10;
  s.workload.users_per_domain = 10;
  return s;
}

// Mean time in system over seeds, with its 95% interval widened by the
// SMTP exchange's fixed cost.
workload::ConfidenceInterval mean_latency(const BenchScenario& s, const std::string& policy, int seeds,
                                          double* mean_depth_over_lw = nullptr) {
  std::vector<double> means, little;
  for (int seed = 1; seed <= seeds; ++seed) {
    BenchResult r = run(s, policy, static_cast<std::uint64_t>(seed));
    EXPECT_EQ(r.delivered, r.deliveries);
    EXPECT_EQ(r.queued, 0u);
    EXPECT_EQ(r.duplicates, 0u);
    means.push_back(r.latency.mean);
    // Little's law: L = lambda W, with lambda measured over the run.
    double lambda = static_cast<double>(r.delivered) / r.end_time;
    little.push_back(r.mean_depth / (lambda * r.latency.mean));
  }
  if (mean_depth_over_lw) *mean_depth_over_lw = workload::mean(little);
  return workload::confidence_interval95(means);
}

TEST(BenchTheory, MM1MeanTimeInSystem) {
  double lambda = 5, mu = 10;
  BenchScenario s = queueing_scenario(lambda, 1 / mu, 4000);
  double little = 0;
  auto ci = mean_latency(s, "fifo:concurrency=1", 6, &little);
  double expected = workload::mm1_time_in_system(lambda, mu);  // 0.2 s
  double exchange = 0.001;  // the SMTP exchange and the MX lookup, well under 1 ms here
  EXPECT_LE(ci.lower - exchange, expected) << ci.mean << " ± " << ci.half_width;
  EXPECT_GE(ci.upper + exchange, expected) << ci.mean << " ± " << ci.half_width;
  EXPECT_NEAR(little, 1.0, 0.05);
}

TEST(BenchTheory, MMcWithMaxDaemonChildren) {
  double lambda = 15, mu = 10;
  std::size_t c = 2;
  BenchScenario s = queueing_scenario(lambda, 1 / mu, 4000);
  // A QueueLA far above the load of 2 processes keeps every arrival for a child at once.
  auto ci = mean_latency(s, "sendmail:MaxDaemonChildren=2,QueueLA=1000,RefuseLA=0", 6);
  double expected = workload::mmc_time_in_system(c, lambda, mu);  // Erlang C
  double exchange = 0.001;
  EXPECT_LE(ci.lower - exchange, expected) << ci.mean << " ± " << ci.half_width;
  EXPECT_GE(ci.upper + exchange, expected) << ci.mean << " ± " << ci.half_width;
}

// A greylisting destination replies to the first try with 451. Sendmail's
// next queue run (every 10 minutes from the start) comes after the greylist
// delay (5 minutes) and delivers.
TEST(BenchFaults, GreylistingDelaysToTheNextQueueRun) {
  BenchScenario s = queueing_scenario(1, 0.001, 20);
  s.workload.domains = 1;
  s.workload.classes.greylisting = 1;
  s.workload.class_params.greylist_delay = 300;
  BenchResult r = run(s, "sendmail:QueueInterval=10m", 1);
  EXPECT_EQ(r.delivered, r.deliveries);
  EXPECT_EQ(r.retries, r.deliveries);  // one refused try each, then the run at 600 s
  double last_arrival = 20 / 1.0 * 3;   // 20 Poisson arrivals at 1/s end well before 60 s
  EXPECT_GE(r.latency.p50, 600.0 - last_arrival);
  EXPECT_LE(r.latency.max, 601.0);
}

// Sendmail's queue runner sends the deferred messages for one host over one
// cached connection: the first opens it, the others reuse it.
TEST(BenchCache, QueueRunReusesConnections) {
  BenchScenario s = queueing_scenario(1, 0.001, 20);
  s.workload.domains = 1;
  s.workload.classes.greylisting = 1;
  BenchResult cached = run(s, "sendmail:QueueInterval=10m", 1);
  EXPECT_EQ(cached.delivered, 20u);
  EXPECT_EQ(cached.reused_connections, 19u);
  BenchResult uncached = run(s, "sendmail:QueueInterval=10m,ConnectionCacheSize=0", 1);
  EXPECT_EQ(uncached.delivered, 20u);
  EXPECT_EQ(uncached.reused_connections, 0u);
  // Each reuse saves the connection, the greeting and EHLO, two round trips
  // of 4 us here. The run ends sooner only by a little, so the count is the check.
  EXPECT_LE(cached.end_time, uncached.end_time);
}

// About 20 deliveries in progress (20 arrivals per second, 1 s of work each)
// raise the relay's 1-minute load average past 5 within a minute: 20 x (1 -
// (1884/2048)^k) reaches 4.5 at the fourth 5-second update.
TEST(BenchLoad, RefuseLaTurnsClientsAway) {
  BenchScenario s = queueing_scenario(20, 1, 2000);
  BenchResult refusing = run(s, "sendmail:RefuseLA=5,QueueLA=1000", 1);
  EXPECT_GT(refusing.refused, 0u);
  EXPECT_EQ(refusing.delivered, refusing.deliveries);  // offered again later, never lost
  EXPECT_EQ(refusing.queued, 0u);
  BenchResult accepting = run(s, "sendmail:RefuseLA=0,QueueLA=1000", 1);
  EXPECT_EQ(accepting.refused, 0u);
  EXPECT_EQ(accepting.delivered, accepting.deliveries);
}

// With QueueFactor=0 every arrival is only queued once the load reaches
// QueueLA, and waits for the queue run at 600 s. The last arrivals come at
// about 100 s, so their wait is near 500 s; without the limit no delivery
// waits a minute.
TEST(BenchLoad, QueueLaHoldsArrivalsForTheQueueRun) {
  BenchScenario s = queueing_scenario(20, 1, 2000);
  BenchResult held = run(s, "sendmail:QueueLA=5,QueueFactor=0,RefuseLA=0,QueueInterval=10m", 1);
  EXPECT_EQ(held.delivered, held.deliveries);
  EXPECT_GT(held.latency.max, 400);
  BenchResult unlimited = run(s, "sendmail:QueueLA=1000,RefuseLA=0,QueueInterval=10m", 1);
  EXPECT_EQ(unlimited.delivered, unlimited.deliveries);
  EXPECT_LT(unlimited.latency.max, 60);
}

// The relay crashes while deliveries are in progress: the queue survives,
// interrupted deliveries are tried again, and nothing is lost.
TEST(BenchFaults, RelayCrashLosesNothing) {
  BenchScenario s = queueing_scenario(20, 0.05, 400);
  s.faults = workload::parse_faults("at 5s host relay.bench crash\nat 65s host relay.bench restart\n", "t");
  BenchResult r = run(s, "postfix", 1);
  EXPECT_GT(r.interrupted, 0u);
  EXPECT_GT(r.refused, 0u);  // clients offered mail while the relay was down
  EXPECT_EQ(r.messages, 400u);
  EXPECT_EQ(r.delivered + r.bounced + r.expired + r.queued, r.deliveries);
  EXPECT_EQ(r.queued, 0u);
}

// A crash while the message is still on the wire: the MX never gets the
// final dot, so the retry after the restart is no duplicate. 10 MB at
// 1 Mbit/s take 80 s, and the crash comes at 20 s.
TEST(BenchFaults, CrashMidTransferNoDuplicate) {
  BenchScenario s = queueing_scenario(1, 0.001, 1);
  s.bandwidth = 125000;
  s.workload.sizes.fixed = 10e6;
  s.workload.domains = 1;
  s.faults = workload::parse_faults("at 20s host relay.bench crash\nat 21s host relay.bench restart\n", "t");
  BenchResult r = run(s, "postfix", 1);
  EXPECT_EQ(r.interrupted, 1u);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.duplicates, 0u);
}

// A slow MX waits 100 s before each reply. So one message's replies come about 100 (220),
// 200 (EHLO), 300 (MAIL), 500 (RCPT and 354, pipelined), 600 (250 after the dot) and 700 (221)
// seconds after its arrival, which is within the first seconds. The MX accepts the message when
// the dot arrives, at about 500 s.
BenchScenario slow_single_message() {
  BenchScenario s = queueing_scenario(1, 0.001, 1);
  s.workload.domains = 1;
  s.workload.classes.slow = 1;
  s.workload.class_params.slow_reply_delay = 100;
  return s;
}

// A crash between the 250 and the 221: Sendmail has recorded the delivery, so nothing is tried
// again. A crash between the dot and the 250: the relay never saw the 250, so it tries again
// and the MX gets the message twice (RFC 5321 section 6.1).
TEST(BenchFaults, CrashAfterTheFinalReplyKeepsTheDelivery) {
  struct Case {
    const char* crash_at;
    std::uint64_t attempts, duplicates, interrupted;
  };
  const Case cases[] = {
      {"650s", 1, 0, 0},
      {"550s", 2, 1, 1},
  };
  for (const Case& c : cases) {
    BenchScenario s = slow_single_message();
    s.faults = workload::parse_faults(std::string("at ") + c.crash_at + " host relay.bench crash\nat " +
                                          c.crash_at + " host relay.bench restart\n",
                                      "t");
    s.faults[1].at += 1;
    BenchResult r = run(s, "postfix", 1);
    EXPECT_EQ(r.delivered, 1u) << c.crash_at;
    EXPECT_EQ(r.attempts, c.attempts) << c.crash_at;
    EXPECT_EQ(r.duplicates, c.duplicates) << c.crash_at;
    EXPECT_EQ(r.interrupted, c.interrupted) << c.crash_at;
  }
}

// A horizon of 650 s stops the run between the 250 after the dot (about 600 s) and the 221 (about
// 700 s): the message counts as delivered, with its latency at the 250.
TEST(BenchHorizon, CutBetweenFinalReplyAndQuit) {
  BenchScenario s = slow_single_message();
  s.horizon = 650;
  BenchResult r = run(s, "postfix", 1);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.queued, 0u);
  EXPECT_GE(r.latency.max, 600.0);
  EXPECT_LT(r.latency.max, 610.0);
}

// The MX crashes in the middle of a session, at 150 s: the relay waits 5 minutes for the next
// reply, defers the message and delivers it after the MX is back at 2000 s.
TEST(BenchFaults, MxCrashCutsASessionShort) {
  BenchScenario s = slow_single_message();
  s.faults = workload::parse_faults("at 150s host mx.d1.example crash\nat 2000s host mx.d1.example restart\n", "t");
  BenchResult r = run(s, "postfix", 1);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_GE(r.attempts, 2u);
  EXPECT_GT(r.latency.max, 2000.0 + 600);  // a whole new session after the restart
}

// While the relay's own link is down its connections time out, so nothing
// is delivered before the link comes back at 60 s.
TEST(BenchFaults, RelayLinkDownDelays) {
  BenchScenario s = queueing_scenario(2, 0.001, 20);
  s.faults = workload::parse_faults("at 0s link relay.bench down\nat 60s link relay.bench up\n", "t");
  BenchResult r = run(s, "fifo:concurrency=5,retry=1m", 1);
  EXPECT_EQ(r.delivered, r.deliveries);
  EXPECT_GT(r.retries, 0u);
  EXPECT_GE(r.latency.p50, 60.0 - 20 / 2.0 * 3);
}

// A relay that never restarts: the clients keep what it turned away, and
// the figures say so.
TEST(BenchFaults, HeldMailIsCounted) {
  BenchScenario s = queueing_scenario(10, 0.001, 100);
  s.horizon = 3600;
  s.faults = workload::parse_faults("at 5s host relay.bench crash\n", "t");
  BenchResult r = run(s, "postfix", 1);
  EXPECT_GT(r.held, 0u);
  EXPECT_EQ(r.messages + r.held, 100u);
}

TEST(BenchFaults, DnsOutageDefers) {
  BenchScenario s = queueing_scenario(2, 0.001, 40);
  s.dns_ttl = 1;
  s.faults = workload::parse_faults("at 0s dns outage for 60s\n", "t");
  BenchResult r = run(s, "fifo:concurrency=5,retry=2m", 1);
  EXPECT_EQ(r.delivered, r.deliveries);
  EXPECT_GT(r.retries, 0u);
  EXPECT_GE(r.latency.max, 60.0);
}

TEST(BenchFaults, DeadDomainExpiresAfterTheLifetime) {
  BenchScenario s = queueing_scenario(1, 0.001, 5);
  s.workload.domains = 1;
  s.workload.classes.dead = 1;
  s.horizon = 3 * 3600;
  BenchResult r = run(s, "fifo:concurrency=5,retry=15m,lifetime=1h", 1);
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(r.expired, r.deliveries);
  // Tries at 0, 15, 30, 45 and 60 minutes: the one at 60 finds it an hour old.
  EXPECT_EQ(r.attempts, 5 * r.deliveries);
}

std::string write_temp(const std::string& text) {
  char name[] = "/tmp/mailsim-bench-XXXXXX";
  int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

TEST(BenchScenarioFile, Loads) {
  std::string path = write_temp(
      "name: t\nseed: 7\nrelay: {policy: exim, service_time: {distribution: fixed, mean: 5ms}}\n"
      "workload:\n  count: 10\n  arrivals: {process: poisson, rate: 600/min}\n  domains: 3\n"
      "faults: |\n  at 1m link relay.bench down\n  at 2m link relay.bench up\n");
  BenchScenario s = load_bench_scenario(path);
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.workload.seed, 7u);
  EXPECT_EQ(s.policy, "exim");
  EXPECT_EQ(s.service.kind, ServiceTime::Kind::FIXED);
  EXPECT_DOUBLE_EQ(s.service.mean, 0.005);
  EXPECT_DOUBLE_EQ(s.workload.arrivals.rate, 10.0);
  ASSERT_EQ(s.faults.size(), 2u);
  EXPECT_DOUBLE_EQ(s.faults[1].at, 120.0);
  std::remove(path.c_str());
}

TEST(BenchScenarioFile, Errors) {
  struct Case {
    std::string text, where, what;
  };
  std::vector<Case> cases = {
      {"workload: {count: 10}\nrelay: {polcy: fifo}\n", ":2:9:", "unknown key 'polcy'"},
      {"workload: {count: ten}\n", ":1:19:", "invalid number 'ten'"},
      {"workload: {count: 1, arrivals: {rate: 5/week}}\n", ":1:39:", "invalid rate unit 'week'"},
      {"workload: {count: 1, classes: {dead: 1.5}}\n", ":1:38:", "between 0 and 1"},
      {"relay: {policy: fifo}\n", ":1:1:", "needs a workload"},
      {"workload: {count: 1}\nfaults: |\n  at 1m link relay.bench sideways\n", ":3:", "expected"},
  };
  for (const auto& c : cases) {
    std::string path = write_temp(c.text);
    try {
      load_bench_scenario(path);
      ADD_FAILURE() << "no error for: " << c.text;
    } catch (const InputError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(path + c.where), std::string::npos) << what;
      EXPECT_NE(what.find(c.what), std::string::npos) << what;
    }
    std::remove(path.c_str());
  }
}

// Removes the '@' that marks the expected error position from `text` and returns the line and
// column of the character that followed it.
std::pair<int, int> take_marker(std::string& text) {
  const auto at = text.find('@');
  if (at == std::string::npos) return {0, 0};
  text.erase(at, 1);
  std::size_t line_begin = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  return {line, static_cast<int>(at - line_begin) + 1};
}

std::optional<InputError> load_error(const std::string& path,
                                     const std::vector<std::string>& overrides = {}) {
  try {
    load_bench_scenario(path, overrides);
  } catch (const InputError& e) {
    return e;
  }
  return std::nullopt;
}

// Each error points at the value or key that is wrong, marked '@' in the text.
TEST(BenchScenarioFile, ErrorPositions) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string workload = "workload:\n  count: 10\n  domains: 3\n";
  const std::vector<Case> cases = {
      // Faults: the entry's own field, inside a block indented by 2 or 4.
      {workload + "faults: |\n  at 1m link relay.bench down\n  at 2m link relay.bench up\n"
                  "  at 3m host @mx.d9.example crash\n",
       "no host or link named 'mx.d9.example'"},
      {workload + "faults: |\n    at 1m link @nowhere down\n", "no host or link named 'nowhere'"},
      {workload + "faults: |\n  at 1m domain @d7.example tempfail for 5m\n",
       "domain 'd7.example' is not a destination of the workload (d1.example ... d3.example)"},
      {workload + "faults: |\n  at 1m link relay.bench down\n  at 2m link relay.bench @down\n",
       "link relay.bench is already down"},
      {workload + "faults: |\n  at 1m host relay.bench crash\n\n  at 2m host relay.bench @crash\n",
       "host relay.bench is already down"},
      {workload + "faults: |\n  at 1m link mx.d2.example down\n  at 2m host mx.d2.example @crash\n",
       "mx.d2.example is already down"},
      {workload + "faults: |\n  at 1h dns outage for 10m\n  at @1h5m dns outage for 1m\n",
       "dns outage at 1h05m00s overlaps"},
      {workload + "faults: |\n  at 1m domain d1.example tempfail for 10m\n"
                  "  at @5m domain mx.d1.example tempfail for 1m\n",
       "overlaps the one of d1.example"},
      {workload + "faults: |\n  at 1m link relay.bench @sideways\n", "expected 'down' or 'up'"},
      {workload + "faults: at 1m link relay.bench @sideways\n", "expected 'down' or 'up'"},
      {workload + "faults: @>\n  at 1m link relay.bench down\n", "literal block scalar"},
      {workload + "faults: @\"at 10s dns outage for 1m\\nat 20s dns outage for 1m\"\n",
       "faults of several lines must be a literal block scalar"},
      {workload + "faults: |\n  at 1m host @mx.d9.example restart\n", "no host or link named 'mx.d9.example'"},
      {workload + "faults: |\n  at 1m link @mx.d9.example up\n", "no host or link named 'mx.d9.example'"},
      {"relay:\n  policy: @>-\n    sendmail:QueueSortOrder=host\n" + workload,
       "relay.policy must be written on one line"},
      // Shares: the one that brings the sum over 1.
      {workload + "  classes: {slow: 0.5, dead: 0.25, greylisting: @0.3}\n",
       "workload.classes.greylisting brings the class shares to 1.05, more than 1"},
      // relay.policy: the column inside the value, also inside quotes.
      {"relay:\n  policy: sendmail:@QueueSortOrdr=host\n" + workload,
       "unknown sendmail setting \"QueueSortOrdr\""},
      {"relay:\n  policy: \"fifo:concurrency=@0\"\n" + workload, "invalid concurrency value"},
      {"relay: {policy: 'sendmail:MaxQueueRunSize=1,@MaxQueueRunSize=2'}\n" + workload,
       "MaxQueueRunSize is given twice with different values ('1' and '2')"},
      {"relay: {policy: 'fifo,@fifo'}\n" + workload, "policy fifo is listed twice"},
      {"relay: {policy: 'fifo,@,exim'}\n" + workload, "empty policy name"},
      // Generator limits.
      {"workload: {count: 10, arrivals: {rate: @0/s}}\n",
       "workload.arrivals.rate must be a positive number, got 0"},
      {"workload:\n  count: 10\n  sizes: {size: @0}\n", "workload.sizes.size must be a positive"},
      {"workload:\n  count: 10\n  sizes: @{distribution: pareto}\n",
       "workload.sizes.max is required for Pareto sizes"},
      // Keys given twice: the second.
      {"workload:\n  count: 10\n  @count: 20\n",
       "duplicate key 'count' in workload (first given at line 2)"},
      {"network: {latency: 1ms, @latency: 2ms}\n" + workload, "duplicate key 'latency'"},
  };
  for (Case c : cases) {
    const auto [line, column] = take_marker(c.text);
    ASSERT_GT(line, 0) << c.text;
    std::string path = write_temp(c.text);
    auto error = load_error(path);
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, path) << c.text;
    EXPECT_EQ(error->pos().line, line) << c.text << error->what();
    EXPECT_EQ(error->pos().column, column) << c.text << error->what();
    EXPECT_NE(error->message().find(c.message), std::string::npos) << error->what();
    std::remove(path.c_str());
  }
}

// Valid neighbours of the cases above load, with each fault's fields at their place in the file.
TEST(BenchScenarioFile, ValidFaultsAndPolicies) {
  std::string text =
      "relay: {policy: 'sendmail:MaxQueueRunSize=1,postfix,exim:retry=F,2h,15m;G,16h,1h,1.5'}\n"
      "workload:\n  count: 10\n  domains: 3\n  classes: {slow: 0.25, dead: 0.25, greylisting: "
      "0.5}\n"
      "faults: |\n"
      "  at 1m link mx.d2.example down\n"
      "  at 2m link mx.d2.example up\n"
      "  at 2m host mx.d2.example crash\n"
      "  at 3m host mx.d2.example restart\n"
      "  at 1h dns outage for 10m\n"
      "  at 1h10m dns outage for 5m\n"
      "  at 2h domain d1.example tempfail for 10m\n"
      "  at 2h domain mx.d3.example tempfail for 10m\n"
      "  at 2h10m domain mx.d1.example tempfail for 10m\n"
      "  at 3h host relay.bench crash\n"
      "  at 3h link relay.bench down\n";
  std::string path = write_temp(text);
  BenchScenario s = load_bench_scenario(path);
  ASSERT_EQ(s.faults.size(), 11u);
  for (const auto& f : s.faults) {
    EXPECT_EQ(f.pos.file, path);
    EXPECT_EQ(f.pos.column, 3) << f.pos.line;  // the `at`, after two spaces of indentation
    EXPECT_EQ(f.target_pos.line, f.pos.line);
  }
  // The first fault is on line 7; its target starts after "  at 1m link ".
  EXPECT_EQ(s.faults[0].pos.line, 7);
  EXPECT_EQ(s.faults[0].target_pos.column,
            static_cast<int>(std::string("  at 1m link ").size()) + 1);
  EXPECT_EQ(s.faults[0].action_pos.column,
            static_cast<int>(std::string("  at 1m link mx.d2.example ").size()) + 1);
  std::remove(path.c_str());
}

TEST(BenchScenarioFile, EmptyMaillog) {
  std::string log = write_temp("");
  std::string text = "workload:\n  @replay: {maillog: " + log + "}\n";
  const auto [line, column] = take_marker(text);
  std::string path = write_temp(text);
  auto error = load_error(path);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->pos().file, path);
  EXPECT_EQ(error->pos().line, line);
  EXPECT_EQ(error->pos().column, column);
  EXPECT_NE(error->message().find("maillog " + log + " contains no deliveries"), std::string::npos)
      << error->what();

  // Other programs' lines only: still no deliveries.
  std::ofstream(log) << "Dec  4 15:00:00 mail kernel: boot\n";
  error = load_error(path);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message().find("contains no deliveries"), std::string::npos) << error->what();

  std::ofstream(log) << "Dec  4 15:00:00 mail sendmail[1]: AAA: from=<a@x.example>, size=10, "
                        "class=0, nrcpts=1\n"
                        "Dec  4 15:00:01 mail sendmail[2]: AAA: to=<b@y.example>, stat=Sent\n";
  BenchScenario s = load_bench_scenario(path);
  EXPECT_EQ(s.replay.size(), 1u);
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// Writes a maillog with one message to u@DOMAIN.example at each "HH:MM:SS" time.
std::string write_maillog(const std::vector<std::pair<std::string, std::string>>& messages) {
  std::string log;
  int n = 0;
  for (const auto& [time, domain] : messages) {
    ++n;
    log += fmt::format("Dec  4 {} relay sendmail[1]: Q{:04}: from=<u@sender.example>, size=1000, class=0, nrcpts=1\n",
                       time, n);
    log += fmt::format("Dec  4 {} relay sendmail[2]: Q{:04}: to=<u@{}.example>, stat=Sent\n", time, n, domain);
  }
  return write_temp(log);
}

// Three messages arrive in the same second while an earlier delivery is still busy. Each is
// tried at once: starting a delivery lets other actors run, and the arrivals that come meanwhile
// must not wait for the next event. With 300 s of work each, every latency is 300 s plus the
// SMTP exchange over 1 us links.
TEST(BenchArrivals, SameSecondArrivalsStartAtOnce) {
  std::string log_path =
      write_maillog({{"10:00:00", "d1"}, {"10:02:00", "d2"}, {"10:02:00", "d3"}, {"10:02:00", "d4"}});
  std::string path = write_temp("network: {latency: 1us}\nrelay:\n  service_time: {distribution: fixed, mean: 300s}\n"
                                "workload:\n  replay: {maillog: " + log_path + "}\n");
  BenchScenario s = load_bench_scenario(path);
  for (const char* policy : {"sendmail", "postfix", "exim", "fifo:concurrency=10"}) {
    BenchResult r = run(s, policy, 1);
    EXPECT_EQ(r.delivered, 4u) << policy;
    EXPECT_GE(r.latency.max, 300.0) << policy;
    EXPECT_LT(r.latency.max, 300.1) << policy;
  }
  std::remove(log_path.c_str());
  std::remove(path.c_str());
}

// The relay's resolver cache dies with the host. Over 10 s links a transfer takes 20 s (two
// links): the MX lookup 40 s, the SYN and SYN-ACK 40 s, then 9 writes up to the 250 after the
// dot, 180 s. A crash at 50 s cuts the first attempt; after the restart at 100 s postfix tries
// again at once, looks the MX up again, and the 250 comes at 100 + 40 + 40 + 180 = 360 s.
TEST(BenchFaults, RelayCrashEmptiesTheResolverCache) {
  std::string log_path = write_maillog({{"10:00:00", "d1"}});
  std::string path = write_temp(
      "network: {latency: 10s}\ndns: {ttl: 1d}\n"
      "workload:\n  replay: {maillog: " + log_path + "}\n"
      "faults: |\n  at 50s host relay.bench crash\n  at 100s host relay.bench restart\n");
  BenchScenario s = load_bench_scenario(path);
  BenchResult r = run(s, "postfix", 1);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.interrupted, 1u);
  EXPECT_GE(r.latency.max, 360.0);
  EXPECT_LT(r.latency.max, 361.0);
  std::remove(log_path.c_str());
  std::remove(path.c_str());
}

// A queue run is one process: the connections it cached close when it ends. The daemon runs the
// queue at once (time 0, the first message, to d2) and then every 2 minutes. Two messages for
// d1 queued before each run at 120, 240 and 360 s share one connection per run: 3 reuses, not
// the 5 of one connection kept from run to run.
TEST(BenchCache, ConnectionsEndWithTheQueueRun) {
  std::string log = write_maillog({{"10:00:00", "d2"}, {"10:00:10", "d1"}, {"10:00:20", "d1"},
                                   {"10:02:10", "d1"}, {"10:02:20", "d1"}, {"10:04:10", "d1"},
                                   {"10:04:20", "d1"}});
  std::string path = write_temp("network: {latency: 1ms}\nworkload:\n  replay: {maillog: " + log + "}\n");
  BenchScenario s = load_bench_scenario(path);
  BenchResult r = run(s, "sendmail:DeliveryMode=queueonly,QueueInterval=2m", 1);
  EXPECT_EQ(r.delivered, 7u);
  EXPECT_EQ(r.reused_connections, 3u);
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// Sendmail's queue runner keeps each host's status: after one connection to the MX timed out
// (30 s), the rest of the run defers the other messages for it without trying. The MX's link is
// down until 19 minutes, so the runs at 300, 600 and 900 s each try one message and defer 19;
// the run at 1200 s delivers all 20.
TEST(BenchFaults, QueueRunKeepsHostStatus) {
  BenchScenario s = queueing_scenario(1, 0.001, 20);
  s.workload.domains = 1;
  s.faults = workload::parse_faults("at 0s link mx.d1.example down\nat 19m link mx.d1.example up\n", "t");
  BenchResult r = run(s, "sendmail:QueueInterval=5m", 1);
  EXPECT_EQ(r.delivered, 20u);
  EXPECT_EQ(r.host_status_deferrals, 57u);
  EXPECT_LT(r.latency.max, 1200.0 + 60);
}

// Throughput runs from the first arrival to the last reply to a final dot, whatever order the
// sessions end in. Every MX waits 100 s before each reply. d1's message (at 0 s) gets its 250
// at 600 s, but its MX's link goes down at 650 s, so its QUIT waits 300 s for a 221 and the
// session ends at 1000 s. d2's message (at 100 s) gets its 250 at 700 s and ends at 800 s.
// So 2 deliveries in 700 s.
TEST(BenchFigures, ThroughputEndsAtTheLastDelivery) {
  std::string log = write_maillog({{"10:00:00", "d1"}, {"10:01:40", "d2"}});
  std::string path = write_temp(
      "network: {latency: 1us}\nworkload:\n  replay: {maillog: " + log + "}\n"
      "  classes: {slow: 1}\n  class_params: {slow_reply_delay: 100s}\n"
      "faults: |\n  at 650s link mx.d1.example down\n");
  BenchScenario s = load_bench_scenario(path);
  BenchResult r = run(s, "postfix", 1);
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_NEAR(r.throughput, 2.0 / 700, 1e-6);
  EXPECT_GE(r.end_time, 1000.0);
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// Every attempt after a delivery's first is a retry, also the one after an attempt a relay
// crash killed. The message at 0 s is tried at once, and its MX waits 1 s before each reply.
// The crash at 0.5 s kills that attempt, and the restart at 10 s tries it again.
TEST(BenchFigures, RetryAfterAKilledAttempt) {
  std::string log = write_maillog({{"10:00:00", "d1"}});
  std::string path = write_temp(
      "network: {latency: 1us}\nworkload:\n  replay: {maillog: " + log + "}\n"
      "  classes: {slow: 1}\n  class_params: {slow_reply_delay: 1s}\n"
      "faults: |\n  at 0.5s host relay.bench crash\n  at 10s host relay.bench restart\n");
  BenchScenario s = load_bench_scenario(path);
  for (const char* policy : {"sendmail", "postfix", "exim", "fifo"}) {
    BenchResult r = run(s, policy, 1);
    EXPECT_EQ(r.delivered, 1u) << policy;
    EXPECT_EQ(r.interrupted, 1u) << policy;
    EXPECT_EQ(r.attempts, 2u) << policy;
    EXPECT_EQ(r.retries, 1u) << policy;
  }
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// An attempt a crash killed records nothing. mx.d1's link is down and each attempt first works
// 15 s. The queue run at 600 s starts an attempt whose connection would time out at 645 s. The
// relay crashes at 620 s and restarts at 635 s, so the new run's attempt looks at the host
// status at 650 s, where the killed attempt must not have left one.
TEST(BenchFaults, KilledAttemptLeavesNoHostStatus) {
  std::string log = write_maillog({{"10:00:00", "d1"}});
  std::string path = write_temp(
      "horizon: 700s\nnetwork: {latency: 1us}\nrelay:\n  service_time: {distribution: fixed, mean: 15s}\n"
      "workload:\n  replay: {maillog: " + log + "}\n"
      "faults: |\n  at 0s link mx.d1.example down\n  at 620s host relay.bench crash\n"
      "  at 635s host relay.bench restart\n");
  BenchScenario s = load_bench_scenario(path);
  BenchResult r = run(s, "sendmail:QueueInterval=10m", 1);
  EXPECT_EQ(r.interrupted, 1u);
  EXPECT_EQ(r.host_status_deferrals, 0u);
  EXPECT_EQ(r.attempts, 3u);  // at 0 s, in the run at 600 s (killed), in the run at 635 s
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// The queue depth is averaged from the first message the relay accepts: a crash and restart
// before any mail changes nothing.
TEST(BenchFigures, DepthAveragedFromTheFirstMessage) {
  std::string log = write_maillog({{"10:00:00", "d1"}, {"10:00:10", "d2"}});
  std::string plain = write_temp("network: {latency: 1ms}\nworkload:\n  replay: {maillog: " + log + "}\n"
                                 "  classes: {slow: 1}\n  class_params: {slow_reply_delay: 5s}\n");
  BenchResult quiet = run(load_bench_scenario(plain), "postfix", 1);
  BenchScenario crashed = load_bench_scenario(plain);
  crashed.faults = workload::parse_faults("at 0s host relay.bench crash\nat 0s host relay.bench restart\n", "t");
  // The replay's first message comes at 0 s; start the faults before it by moving the mail.
  for (auto& a : crashed.replay) a.at += 10;
  BenchScenario moved = load_bench_scenario(plain);
  for (auto& a : moved.replay) a.at += 10;
  BenchResult before = run(moved, "postfix", 1);
  BenchResult with_crash = run(crashed, "postfix", 1);
  EXPECT_GT(quiet.mean_depth, 0.0);
  EXPECT_DOUBLE_EQ(with_crash.mean_depth, before.mean_depth);
  EXPECT_DOUBLE_EQ(before.mean_depth, quiet.mean_depth);
  std::remove(log.c_str());
  std::remove(plain.c_str());
}

// A maillog line stamped before the previous one is an error at that line of the maillog.
TEST(BenchScenarioFile, MaillogOutOfOrder) {
  std::string log = write_temp(
      "Dec  4 15:00:05 mail sendmail[1]: AAA: from=<a@x.example>, size=10, class=0, nrcpts=1\n"
      "Dec  4 15:00:04 mail sendmail[2]: AAA: to=<b@y.example>, stat=Sent\n");
  std::string path = write_temp("workload:\n  replay: {maillog: " + log + "}\n");
  auto error = load_error(path);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->pos().file, log);
  EXPECT_EQ(error->pos().line, 2);
  EXPECT_EQ(error->pos().column, 1);
  EXPECT_NE(error->message().find("earlier than 'Dec  4 15:00:05' on line 1"), std::string::npos)
      << error->what();
  std::remove(log.c_str());
  std::remove(path.c_str());
}

// --set reaches every documented key, also under mappings the file leaves out.
TEST(BenchScenarioFile, SetValues) {
  std::string path = write_temp("workload:\n  count: 10\n");
  BenchScenario s = load_bench_scenario(
      path, {"dns.ttl=2h", "workload.classes.dead=0.25", "relay.service_time.mean=5ms",
             "relay.policy=fifo", "name=set", "workload.count=20"});
  EXPECT_DOUBLE_EQ(s.dns_ttl, 7200.0);
  EXPECT_DOUBLE_EQ(s.workload.classes.dead, 0.25);
  EXPECT_EQ(s.service.kind, ServiceTime::Kind::FIXED);
  EXPECT_DOUBLE_EQ(s.service.mean, 0.005);
  EXPECT_EQ(s.policy, "fifo");
  EXPECT_EQ(s.name, "set");
  EXPECT_EQ(s.workload.count, 20u);
  std::remove(path.c_str());
}

TEST(BenchScenarioFile, SetErrors) {
  struct Case {
    std::string assignment;
    std::string message;
  };
  const Case cases[] = {
      {"dns.tll=2h", "unknown key 'dns.tll' in dns"},
      {"colour=blue", "unknown key 'colour' in the bench scenario"},
      {"workload.arrivals=5", "'workload.arrivals' is a mapping; set one of its keys"},
      {"relay.policy.x=5", "'relay.policy' takes a single value and has no key 'x'"},
      {"=5", "expected KEY=VALUE"},
      {"workload.count", "expected KEY=VALUE"},
      {"workload.count=ten", "invalid number 'ten' for workload.count"},
      {"relay.policy=fifo:concurrency=0", "invalid concurrency value"},
  };
  std::string path = write_temp("workload:\n  count: 10\n");
  for (const Case& c : cases) {
    auto error = load_error(path, {c.assignment});
    ASSERT_TRUE(error.has_value()) << c.assignment;
    EXPECT_EQ(error->pos().file, "--set " + c.assignment);
    EXPECT_NE(error->message().find(c.message), std::string::npos) << error->what();
  }
  std::remove(path.c_str());
}

TEST(BenchPolicyList, Splits) {
  struct Case {
    std::string text;
    std::vector<std::string> specs;
  };
  const Case cases[] = {
      {"sendmail", {"sendmail"}},
      {"sendmail:QueueSortOrder=host,MaxQueueRunSize=100,postfix",
       {"sendmail:QueueSortOrder=host,MaxQueueRunSize=100", "postfix"}},
      {"exim:retry=F,2h,15m;G,16h,1h,1.5,fifo:concurrency=2",
       {"exim:retry=F,2h,15m;G,16h,1h,1.5", "fifo:concurrency=2"}},
      {"sendmail:QueueSortOrder=host,sendmail:QueueSortOrder=time",
       {"sendmail:QueueSortOrder=host", "sendmail:QueueSortOrder=time"}},
  };
  for (const Case& c : cases) {
    auto items = parse_policy_list(c.text, SourcePos{"--policies", 1, 1});
    ASSERT_EQ(items.size(), c.specs.size()) << c.text;
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].spec, c.specs[i]) << c.text;
      EXPECT_EQ(items[i].column, static_cast<int>(c.text.find(c.specs[i])) + 1) << c.text;
    }
  }
}

TEST(BenchPolicyList, Errors) {
  struct Case {
    std::string text;  // '@' marks the expected column
    std::string message;
  };
  const Case cases[] = {
      {"@", "the policy list is empty"},
      {"@,", "empty policy name"},
      {"fifo,@", "empty policy name"},
      {"fifo,@,postfix", "empty policy name"},
      {"fifo,@sendmial", "unknown queue policy"},
      {"sendmail:@QueueSortOrdr=host", "unknown sendmail setting"},
      {"sendmail:MaxQueueRunSize=1,@MaxQueueRunSize=2", "given twice with different values"},
      {"sendmail:QueueLA=4,@queuela=4", "setting queuela is given twice (first at column 10)"},
      {"postfix,fifo:concurrency=1,retry=1m,@concurrency=1",
       "fifo setting concurrency is given twice"},
      {"postfix,@postfix", "policy postfix is listed twice (first at column 1)"},
  };
  for (Case c : cases) {
    const auto at = c.text.find('@');
    c.text.erase(at, 1);
    try {
      parse_policy_list(c.text, SourcePos{"--policies", 1, 1});
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.pos().file, "--policies") << c.text;
      EXPECT_EQ(e.pos().column, static_cast<int>(at) + 1) << c.text << " -> " << e.what();
      EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace mailsim::sim
