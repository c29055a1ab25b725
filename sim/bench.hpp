// Queue-policy benchmarks: a generated (or replayed) workload goes through
// one relay MTA whose queue follows the policy under test, to N destination
// domains, each with its own MX host. The relay speaks real SMTP to the MX
// hosts over simulated links. Destinations can be slow, dead, greylisting or
// rate limiting. Faults (links down, the relay crashing, a name-server
// outage, temporary failures) come on a timeline.
//
// Arrivals are handed to the relay's queue directly: the submission session
// before the relay is not simulated. A delivery is one message to one
// destination domain (a message to three domains is three deliveries), as
// a queue policy sees them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/workload/faults.hpp"
#include "models/workload/generator.hpp"
#include "models/workload/stats.hpp"

namespace mailsim::sim {

/// The time the relay spends on a delivery attempt before it connects (a
/// content filter, the CPU): none, fixed, or drawn from an exponential
/// distribution.
struct ServiceTime {
  enum class Kind { NONE, FIXED, EXPONENTIAL };
  Kind kind = Kind::NONE;
  double mean = 0;  ///< seconds
};

struct BenchScenario {
  std::string file;
  std::string name;
  double latency = 0.001;      ///< per link, seconds; every host has one link to the switch
  double bandwidth = 125e6;    ///< per link, bytes per second
  double horizon = 7 * 86400;  ///< the run stops here at the latest
  std::string policy = "sendmail";
  ServiceTime service;
  double connect_timeout = 30;  ///< seconds before an unanswered connection attempt fails
  double dns_ttl = 3600;        ///< seconds the relay keeps an MX answer
  double dns_timeout = 5;       ///< per try (glibc's RES_TIMEOUT)
  int dns_attempts = 2;         ///< tries (glibc's RES_DFLRETRY)
  double refused_retry = 300;   ///< a client refused by RefuseLA or a down relay offers again after this
  workload::WorkloadSpec workload;
  std::vector<workload::Arrival> replay;  ///< arrivals read from a maillog; used instead of the generator when set
  bool replayed = false;
  std::vector<workload::Fault> faults;
  /// `file:line:column: warning: ...` lines about input that is valid but has no effect.
  std::vector<std::string> warnings;
};

/// Reads a bench scenario (YAML); `overrides` are `path=value` settings as
/// for run scenarios. Throws InputError at the offending line and column.
BenchScenario load_bench_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

struct BenchResult {
  std::string policy;
  std::uint64_t seed = 0;
  std::uint64_t messages = 0;     ///< arrivals offered to the relay
  std::uint64_t deliveries = 0;   ///< message x destination pairs queued
  std::uint64_t delivered = 0;    ///< deliveries that reached their MX
  std::uint64_t bounced = 0;      ///< permanent failures
  std::uint64_t expired = 0;      ///< given up after the queue lifetime
  std::uint64_t queued = 0;       ///< still in the queue when the run stopped
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;      ///< attempts after the first of each delivery
  std::uint64_t refused = 0;      ///< times an arrival was refused (and offered again later)
  std::uint64_t held = 0;         ///< messages the clients still held at the end, never accepted
  std::uint64_t duplicates = 0;   ///< deliveries an MX received more than once (RFC 5321 6.1)
  std::uint64_t interrupted = 0;  ///< attempts cut short by a relay crash
  std::uint64_t local = 0;        ///< replayed recipients without a domain, not relayed
  std::uint64_t reused_connections = 0;  ///< attempts on a cached connection (Sendmail's queue runner)
  std::uint64_t stale_connections = 0;   ///< cached connections found closed and replaced
  std::uint64_t host_status_deferrals = 0;  ///< queue-run attempts deferred by a host's cached status
  double end_time = 0;            ///< simulated seconds
  double throughput = 0;          ///< delivered per simulated second, first arrival to last delivery
  workload::Summary latency;      ///< seconds from arrival to delivery
  double max_depth = 0;           ///< deliveries in the queue (waiting or being tried)
  double mean_depth = 0;          ///< time-weighted, first arrival to the end
  double wall_seconds = 0;
};

/// Runs the scenario once under `policy` (see queue::make_policy) with the
/// workload's seed replaced by `seed`. `progress` gets the fraction of
/// arrivals offered so far, now and then.
BenchResult run_bench(const BenchScenario& scenario, const std::string& policy, std::uint64_t seed,
                      const std::function<void(double)>& progress = {});

}  // namespace mailsim::sim
