// The bench world against queueing theory, and its bookkeeping under
// faults. Each expected value comes from the scenario's parameters.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "models/common/error.hpp"
#include "models/workload/stats.hpp"
#include "sim/bench.hpp"

namespace mailsim::sim {
namespace {

// SimGrid allows one engine per process, so each run is made in a child.
BenchResult run(const BenchScenario& s, const std::string& policy, std::uint64_t seed) {
  struct Numbers {
    std::uint64_t counts[15];
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
                 r.refused, r.duplicates, r.interrupted, r.latency.count, r.reused_connections, r.stale_connections, r.held},
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
  auto ci = mean_latency(s, "sendmail:MaxDaemonChildren=2,QueueLA=0,RefuseLA=0", 6);
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

}  // namespace
}  // namespace mailsim::sim
