// Postfix 2.5+ queue manager (qmgr) with its incoming, active and deferred
// queues and a deferred-queue scan every queue_run_delay. A deferred
// message waits its age in the queue, clamped between minimal_backoff_time
// and maximal_backoff_time. Each destination has a concurrency window
// moved by positive and negative feedback, and is declared dead after
// failed pseudo-cohorts.
//
// Not modelled: bounce_queue_lifetime (bounces use maximal_queue_lifetime),
// the preemptive job scheduler inside a destination (FIFO here),
// per-transport overrides, destination rate delays and recipient limits,
// the hold and corrupt queues.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/queue/policy.hpp"
#include "models/queue/spec.hpp"

namespace mailsim::queue {

/// A concurrency feedback amount as postconf(5) spells it: a number, a
/// ratio such as `1/8`, or a ratio over the window such as `1/concurrency`.
struct Feedback {
  double numerator = 1;
  double denominator = 1;
  bool per_concurrency = false;

  /// Returns the amount for a destination whose window is `window`.
  double value(int window) const {
    return per_concurrency ? numerator / window : numerator / denominator;
  }
};

struct PostfixConfig {
  long active_limit = 20000;  ///< qmgr_message_active_limit
  double minimal_backoff = 300;
  double maximal_backoff = 4000;
  double queue_run_delay = 300;
  double maximal_queue_lifetime = 5 * 86400;
  long initial_concurrency = 5;  ///< initial_destination_concurrency
  long concurrency_limit = 20;   ///< default_destination_concurrency_limit; 0: no limit
  Feedback positive_feedback;    ///< default 1 since Postfix 2.5
  Feedback negative_feedback;    ///< default 1 since Postfix 2.5
  double failed_cohort_limit = 1;
  long process_limit = 100;  ///< default_process_limit: smtp(8) processes at once
};

/// Parses a feedback value (`1`, `1/8`, `1/concurrency`); nullopt when invalid.
std::optional<Feedback> parse_feedback(const std::string& text);

class PostfixPolicy : public Policy {
 public:
  PostfixPolicy(std::string name, PostfixConfig config);

  static PostfixConfig parse_settings(const std::vector<spec::Setting>& settings);

  std::string name() const override { return name_; }
  void enqueue(Item item, double now) override;
  std::vector<Item> take_due(double now) override;
  double next_due(double now) const override;
  Disposition finished(Item item, Outcome outcome, double now) override;
  void interrupted(Item item, double now) override;
  void restarted(double now) override;
  std::size_t waiting() const override { return entries_.size() - busy_total_; }
  std::size_t active() const override { return busy_total_; }

  /// Concurrency window of `destination` (0 when it is dead), or the
  /// initial concurrency for a destination not seen yet.
  int window(const std::string& destination) const;
  /// True while `destination` is declared dead (throttled).
  bool dead(const std::string& destination, double now) const;
  /// Messages in the active queue (waiting for a delivery slot or being delivered).
  std::size_t active_queue_size() const { return in_active_queue_; }
  const PostfixConfig& config() const { return config_; }

 private:
  enum class State { INCOMING, SCANNED, TODO, BUSY, DEFERRED };
  struct Entry {
    Item item;
    State state = State::INCOMING;
    std::uint64_t sequence = 0;
  };
  /// One in-core destination queue (qmgr's QMGR_QUEUE).
  struct Destination {
    std::deque<ItemId> todo;
    int busy = 0;
    int window = 0;  ///< 0 while dead
    double success = 0;
    double failure = 0;
    double fail_cohorts = 0;
    bool dead = false;
    double dead_until = 0;
  };

  Destination& destination(const std::string& name);
  // Returns the entry of `item`, which must be being delivered; `call` names the caller in the
  // error thrown otherwise.
  Entry& busy_entry(const Item& item, const char* call);
  void set_state(Entry& entry, State state);
  void defer(Entry& entry, double now);
  void positive_feedback(Destination& dest);
  void negative_feedback(Destination& dest, double now);
  double scan_tick(double now) const;
  void scan_deferred(double now);
  void feed_active_queue(double now);
  bool start_next_delivery(double now, std::vector<Item>& started);
  /// Puts `name` in or out of ready_ and dead_ after its queue, deliveries or window changed.
  void update_ready(const std::string& name, const Destination& dest);

  std::string name_;
  PostfixConfig config_;
  long initial_window_;  ///< initial_destination_concurrency, at most the concurrency limit
  std::unordered_map<ItemId, Entry> entries_;
  std::unordered_map<std::string, Destination> destinations_;  // order comes from ready_
  std::deque<ItemId> incoming_;
  std::deque<ItemId> scanned_;
  std::set<std::string> ready_;  ///< destinations with mail waiting and room in the window
  std::set<std::string> dead_;   ///< destinations declared dead
  std::string last_served_;  ///< round-robin position among destinations
  double last_scan_ = -kNever;
  double scan_origin_ = 0;  ///< qmgr's start: deferred-queue scans fall on it plus multiples of queue_run_delay
  std::uint64_t next_sequence_ = 0;
  std::size_t busy_total_ = 0;
  std::size_t in_active_queue_ = 0;
  std::size_t deferred_ = 0;  ///< entries in the deferred queue
};

}  // namespace mailsim::queue
