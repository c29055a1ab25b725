// Queue policies: which queued message an MTA tries next, when, and how
// many at once. A policy is a pure scheduler with no clock of its own. The
// simulation reports arrivals and finished attempts to it, and calls it for
// the messages to start now and the time to call again. Sendmail,
// Postfix-style, Exim-style and plain FIFO policies implement it.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace mailsim::queue {

using ItemId = std::uint64_t;

constexpr double kNever = std::numeric_limits<double>::infinity();

/// A queued message with one destination (next-hop domain). A message to
/// several domains is several items.
struct Item {
  ItemId id = 0;
  std::string queue_id;     ///< qf file name (Sendmail's QueueSortOrder=filename)
  std::string destination;  ///< next-hop domain, lower case
  std::uint64_t size = 0;   ///< bytes
  int recipients = 1;       ///< recipients at this destination
  int msg_class = 0;        ///< Precedence class (Sendmail: bulk -60, junk -100, first-class 0)
  double created = 0;       ///< simulated time it was queued
  double last_attempt = -1; ///< time of the last attempt, -1 before the first
  double previous_attempt = -1;  ///< last_attempt before the attempt in progress
  int attempts = 0;         ///< attempts made so far
  double next_try = 0;      ///< earliest time of the next attempt
  long priority = 0;        ///< Sendmail's pri= (lower goes first)
  bool queue_run = false;   ///< handed out by a queue run (Sendmail's runner can reuse cached connections)
};

/// Result of one delivery attempt.
enum class Outcome {
  DELIVERED,       ///< 2xx after the data
  DEFERRED,        ///< 4xx reply: temporary failure at the destination
  UNREACHABLE,     ///< no connection (refused, timed out, no route, DNS failure)
  FAILED,          ///< 5xx: permanent failure, the message bounces
};

/// Fate of an item after an attempt, as the policy decided it.
enum class Disposition {
  DONE,      ///< delivered: leaves the queue
  BOUNCED,   ///< failed permanently: leaves the queue, a DSN goes to the sender
  EXPIRED,   ///< still failing after the queue lifetime: leaves the queue, a DSN goes back
  REQUEUED,  ///< waits for Item::next_try
};

class Policy {
 public:
  virtual ~Policy() = default;

  /// The policy's name and settings, as given (e.g. "sendmail:QueueSortOrder=host").
  virtual std::string name() const = 0;

  /// A message has been accepted into the queue at `now`.
  virtual void enqueue(Item item, double now) = 0;

  /// Items to attempt now. They become active until finished() is called
  /// for them. The policy applies its own concurrency limits.
  virtual std::vector<Item> take_due(double now) = 0;

  /// Returns when to call take_due again if nothing arrives or finishes
  /// first. That is no later than the first time it returns something, and
  /// may be earlier (a queue run that finds nothing due). kNever when
  /// nothing is waiting.
  virtual double next_due(double now) const = 0;

  /// An attempt on `item` (as returned by take_due) ended at `now`.
  virtual Disposition finished(Item item, Outcome outcome, double now) = 0;
  /// The attempt on `item` died with the MTA at `now` (a crash) before it recorded an outcome: no
  /// retry time, backoff or attempt count changed, and the message is queued as it was before.
  virtual void interrupted(Item item, double now) = 0;
  /// Tells the policy that the MTA started again at `now` after a crash; the attempts that were
  /// in progress have been reported to interrupted(). By default nothing changes.
  virtual void restarted(double now) { (void)now; }

  /// Items waiting (not active).
  virtual std::size_t waiting() const = 0;
  /// Items being attempted.
  virtual std::size_t active() const = 0;
};

/// Records on `item` that an attempt starts at `now`.
inline void begin_attempt(Item& item, double now) {
  item.attempts += 1;
  item.previous_attempt = item.last_attempt;
  item.last_attempt = now;
}

/// Undoes begin_attempt() for an attempt that recorded nothing.
inline void undo_attempt(Item& item) {
  item.attempts -= 1;
  item.last_attempt = item.previous_attempt;
}

/// Builds a policy from its command-line form: a name (`sendmail`,
/// `postfix`, `exim`, `fifo`), then optionally a colon and comma-separated
/// `Setting=value` pairs, e.g. `sendmail:QueueSortOrder=host,MaxQueueRunSize=100`.
/// Throws mailsim::InputError naming the offending part on bad input.
std::unique_ptr<Policy> make_policy(const std::string& spec);

}  // namespace mailsim::queue
