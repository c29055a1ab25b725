// The periodic queue runner shared by the Sendmail and Exim policies: a run
// starts at each multiple of the queue interval after the daemon's start (time
// 0, or its last restart), takes a list of items, and
// hands them out one at a time, because one runner process delivers
// sequentially. A run still going at the next multiple makes that run lapse
// (Sendmail would fork a second runner, up to MaxQueueChildren; not modelled).
#pragma once

#include <cmath>
#include <deque>
#include <optional>

#include "models/queue/policy.hpp"

namespace mailsim::queue {

class QueueRunner {
 public:
  /// `interval` 0 disables periodic runs.
  explicit QueueRunner(double interval) : interval_(interval) {}

  /// Returns true when no run is going and a run is due at `now`.
  bool run_due(double now) const;

  /// Starts the run due at `now` (stamped at the latest interval multiple
  /// not after `now`) with the items in the order they will be handed out.
  void start(double now, std::deque<ItemId> items);

  /// Start time of the current or last run.
  double run_start() const { return run_start_; }

  /// Hands out the next item of the current run, unless the runner is still delivering one.
  std::optional<ItemId> next();

  /// Marks the item handed out by next() as finished at `now`, which ends the run after its last
  /// item.
  void item_finished(double now);

  bool running() const { return running_; }
  /// Ends the current run at `now` without handing out its remaining items.
  void stop(double now);

  /// Returns the first run start at or after `time`, given that no run starts before the next
  /// scheduled one, or kNever without periodic runs.
  double first_start_at_or_after(double time) const;

  /// Returns the latest scheduled run time not after `now`.
  double stamp(double now) const { return origin_ + std::floor((now - origin_) / interval_) * interval_; }

  /// Starts the schedule again at `now`, as a daemon started with -q does: a run is due at once,
  /// then one every interval. A run that was going is dropped with the old process.
  void restart(double now);

 private:
  void end(double now);

  double interval_;
  double origin_ = 0;  ///< the daemon's start: runs fall on origin_ + k x interval_
  double next_start_ = 0;
  double run_start_ = 0;
  bool running_ = false;
  bool delivering_ = false;
  std::deque<ItemId> items_;
};

}  // namespace mailsim::queue
