// Sendmail 8.17's queue: immediate delivery on arrival (DeliveryMode),
// periodic queue runs (-q interval) ordered by QueueSortOrder, the work
// priority arithmetic (RecipientFactor, ClassFactor, RetryFactor),
// MinQueueAge, MaxQueueRunSize, MaxDaemonChildren, load shedding by QueueLA,
// QueueFactor and RefuseLA, and Timeout.queuereturn.
//
// The load average is the kernel's 1-minute average (see load_average.hpp)
// of the delivery processes in progress.
// NOTE: a kernel counts a process only while it runs or waits for the disk,
// and a delivery waits for the network most of the time, so this load is an
// upper bound of what the host would show.
//
// Not modelled: queue groups, MaxQueueChildren and MaxRunnersPerQueue (one
// runner, see QueueRunner), Timeout.queuewarn, host status caching across
// runs.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "models/queue/load_average.hpp"
#include "models/queue/policy.hpp"
#include "models/queue/queue_runner.hpp"
#include "models/queue/spec.hpp"

namespace mailsim::queue {

/// QueueSortOrder values, as Sendmail's sortq() applies them.
enum class QueueSortOrder { PRIORITY, HOST, TIME, FILENAME, MODIFICATION, RANDOM, NONE };

/// DeliveryMode values (Sendmail reads the first letter).
enum class DeliveryMode { INTERACTIVE, BACKGROUND, QUEUE_ONLY, DEFERRED };

struct SendmailConfig {
  double queue_interval = 30 * 60;  ///< -q interval; 0: no queue runs
  long max_queue_run_size = 0;      ///< 0: no limit
  QueueSortOrder sort_order = QueueSortOrder::PRIORITY;
  long recipient_factor = 30000;
  long class_factor = 1800;
  long retry_factor = 90000;
  double min_queue_age = 0;
  DeliveryMode delivery_mode = DeliveryMode::BACKGROUND;
  long max_daemon_children = 0;  ///< 0: unlimited
  long queue_la = 8;             ///< the load from which shouldqueue() applies QueueFactor
  long queue_factor = 600000;    ///< QueueFactor
  long refuse_la = 12;           ///< 0: never refuse because of load
  double queue_return = 5 * 86400;
  long connection_cache_size = 2;
};

/// Sendmail's initial work priority: size - class * ClassFactor +
/// nrcpts * RecipientFactor (lower is delivered first).
long sendmail_priority(const Item& item, const SendmailConfig& config);

/// Orders `items` as a Sendmail queue run would, given them in queue
/// directory (arrival) order. QueueSortOrder=random uses `rng`.
void sort_queue_run(std::vector<Item>& items, QueueSortOrder order, std::mt19937& rng);

class SendmailPolicy : public Policy {
 public:
  SendmailPolicy(std::string name, SendmailConfig config);

  /// Parses the settings of a `sendmail:...` spec (names in any case).
  static SendmailConfig parse_settings(const std::vector<spec::Setting>& settings);

  std::string name() const override { return name_; }
  void enqueue(Item item, double now) override;
  std::vector<Item> take_due(double now) override;
  double next_due(double now) const override;
  Disposition finished(Item item, Outcome outcome, double now) override;
  void interrupted(Item item, double now) override;
  /// A daemon started with -q runs the queue at once, then every interval from then. The host
  /// has booted, so its load average starts again from 0.
  void restarted(double now) override;
  std::size_t waiting() const override { return entries_.size() - active_; }
  std::size_t active() const override { return active_; }

  /// Returns Sendmail's CurrentLA at `now`: the host's load average, rounded.
  long load_average(double now) const { return load_.sendmail_la(now, active_); }

  /// Returns true when the daemon rejects new connections (RefuseLA).
  bool refuses(double now) const;

  /// Returns true when a message of work priority `priority` is only queued at `now`
  /// (Sendmail's shouldqueue() with QueueLA and QueueFactor).
  bool should_queue(double now, long priority) const;

  /// Sendmail keeps SMTP connections open for reuse (ConnectionCacheSize > 0).
  bool connection_cache() const { return config_.connection_cache_size > 0; }
  /// True while a queue run (one runner process) is going.
  bool queue_run_in_progress() const { return runner_.running(); }
  long connection_cache_size() const { return config_.connection_cache_size; }
  DeliveryMode delivery_mode() const { return config_.delivery_mode; }
  const SendmailConfig& config() const { return config_; }

 private:
  enum class State { WAITING_FOR_CHILD, QUEUED, ACTIVE };
  struct Entry {
    Item item;
    State state = State::QUEUED;
    std::uint64_t sequence = 0;  ///< queue directory order
    bool from_run = false;
    std::multiset<double>::iterator eligible;  ///< its place in eligible_, while QUEUED
  };
  using Entries = std::map<ItemId, Entry>;

  // Finds the entry of the attempt on `item`, which ends at `now`, and frees its process. `call`
  // names the caller for the error thrown when the item is not being attempted.
  Entries::iterator end_attempt(const Item& item, double now, const char* call);

  // Keeps next_due() from scanning the whole queue at every call.
  void mark_queued(Entry& entry);
  void unmark_queued(Entry& entry);

  // MaxDaemonChildren counts the children delivering new mail and the queue runner.
  std::size_t children() const;
  bool child_free() const;
  // Sendmail's CurrentLA during a queue run, read again when it is over 30 s old.
  long run_load_average(double now);
  bool eligible_for_run(const Entry& entry, double run_start) const;
  void start_run(double now);
  Item start_attempt(Entry& entry, double now);
  double next_run_for(const Entry& entry, double after) const;

  std::string name_;
  SendmailConfig config_;
  Entries entries_;
  /// For each QUEUED entry, the earliest time MinQueueAge lets a run take it.
  std::multiset<double> eligible_;
  std::deque<ItemId> waiting_for_child_;
  QueueRunner runner_;
  std::mt19937 rng_;
  std::uint64_t next_sequence_ = 0;
  std::size_t active_ = 0;
  std::size_t run_delivering_ = 0;  ///< 1 while the runner delivers a job, which active_ counts
  LoadAverage load_;
  long run_la_ = 0;
  double run_la_time_ = -kNever;
};

}  // namespace mailsim::queue
