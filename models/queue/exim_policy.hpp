// Exim 4's retry rules and queue runner. A failed delivery writes a retry
// record (first failure, last try, next try). The record belongs to the
// host when the connection failed, and to the address after a 4xx reply.
// The rule in force is the first whose cutoff the failing time has not
// passed. F rules retry at a fixed interval, and G rules start at an
// interval and multiply the previous gap. Past the last cutoff the retry
// timeout is exceeded and the address fails. New mail is tried at once.
// Queue runs every queue_run_interval try the messages whose retry time
// has come, one at a time.
//
// Not modelled: H rules (randomized), retry rule patterns and error
// selectors (one rule set applies to every destination), queue_run_max
// parallel runners, the immediate failure of new mail to a host whose retry
// timeout has already been exceeded, delay_warning.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/queue/policy.hpp"
#include "models/queue/queue_runner.hpp"
#include "models/queue/spec.hpp"

namespace mailsim::queue {

/// Exim's default retry_interval_max.
constexpr double kEximRetryIntervalMax = 24 * 3600;

/// One retry rule: `F,<cutoff>,<interval>` or `G,<cutoff>,<interval>,<multiplier>`.
struct RetryRule {
  char kind = 'F';        ///< 'F' fixed or 'G' geometric
  double cutoff = 0;      ///< seconds since the first failure this rule applies to
  double interval = 0;    ///< seconds: the fixed interval, or G's first one
  double multiplier = 1;  ///< G only; Exim keeps three decimals
};

/// Parses rules in Exim's syntax, separated by `;`, e.g.
/// `F,2h,15m; G,16h,1h,1.5; F,4d,6h`. Times use Exim's form (`1h30m`,
/// `15m`, `4d`, a bare number is seconds). Throws InputError with file
/// `<retry>`, line 1 and the column of the offending character.
std::vector<RetryRule> parse_retry_rules(const std::string& text);

/// Exim's retry record for one host or address.
struct RetryRecord {
  double first_failed = 0;
  double last_try = 0;
  double next_try = 0;
};

/// Computes the next retry time after a failure at `now`, as Exim's
/// retry_update() does. `record` is the record before this failure; for a
/// first failure pass {now, now, now}. `failing_interval` is how long the
/// destination has been failing. Returns nullopt when it is past the last
/// rule's cutoff (retry timeout exceeded). Gaps are capped at `max_interval`.
std::optional<double> next_retry(const std::vector<RetryRule>& rules, const RetryRecord& record,
                                 double now, double failing_interval,
                                 double max_interval = kEximRetryIntervalMax);

struct EximConfig {
  std::vector<RetryRule> rules = parse_retry_rules("F,2h,15m; G,16h,1h,1.5; F,4d,6h");
  double queue_run_interval = 30 * 60;  ///< the -q interval; 0: no queue runs
  double retry_interval_max = kEximRetryIntervalMax;
};

class EximPolicy : public Policy {
 public:
  EximPolicy(std::string name, EximConfig config);

  static EximConfig parse_settings(const std::vector<spec::Setting>& settings);

  std::string name() const override { return name_; }
  void enqueue(Item item, double now) override;
  std::vector<Item> take_due(double now) override;
  double next_due(double now) const override;
  Disposition finished(Item item, Outcome outcome, double now) override;
  void interrupted(Item item, double now) override;
  /// A daemon started with -q runs the queue at once, then every interval from then.
  void restarted(double now) override { runner_.restart(now); }
  std::size_t waiting() const override { return entries_.size() - active_; }
  std::size_t active() const override { return active_; }

  /// The host retry record of `destination`, if it has one.
  std::optional<RetryRecord> host_record(const std::string& destination) const;
  const EximConfig& config() const { return config_; }

 private:
  enum class State { IMMEDIATE, QUEUED, ACTIVE };
  struct Entry {
    Item item;
    State state = State::QUEUED;
    std::uint64_t sequence = 0;
    bool from_run = false;
  };
  using Entries = std::map<ItemId, Entry>;

  // Finds the entry of the attempt on `item`, which ends at `now`, and frees its process. `call`
  // names the caller for the error thrown when the item is not being attempted.
  Entries::iterator end_attempt(const Item& item, double now, const char* call);

  double retry_time(const Item& item) const;
  Item start_attempt(Entry& entry, double now);

  std::string name_;
  EximConfig config_;
  Entries entries_;
  std::map<std::string, RetryRecord> records_;  ///< keyed "T:host" or "R:item id"
  std::deque<ItemId> immediate_;
  QueueRunner runner_;
  std::uint64_t next_sequence_ = 0;
  std::size_t active_ = 0;
  std::size_t queued_ = 0;  ///< entries waiting for a queue run
};

}  // namespace mailsim::queue
