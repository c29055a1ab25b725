#include "models/queue/postfix_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <stdexcept>

namespace mailsim::queue {
namespace {

const std::vector<std::string> kSettings = {"qmgr_message_active_limit",
                                            "minimal_backoff_time",
                                            "maximal_backoff_time",
                                            "queue_run_delay",
                                            "maximal_queue_lifetime",
                                            "initial_destination_concurrency",
                                            "default_destination_concurrency_limit",
                                            "default_destination_concurrency_positive_feedback",
                                            "default_destination_concurrency_negative_feedback",
                                            "default_destination_concurrency_failed_cohort_limit",
                                            "default_process_limit"};

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

Feedback feedback_value(const spec::Setting& setting) {
  std::optional<Feedback> feedback = parse_feedback(setting.value);
  if (!feedback) {
    spec::fail(setting.value_column, "invalid " + setting.name + " value \"" + setting.value +
                                         "\"; expected a number, a ratio such as 1/8, or "
                                         "1/concurrency");
  }
  return *feedback;
}

double positive_duration(const spec::Setting& setting) {
  double seconds = spec::duration_value(setting);
  if (seconds <= 0) {
    spec::fail(setting.value_column, "invalid " + setting.name + " value \"" + setting.value +
                                         "\"; expected a duration greater than zero");
  }
  return seconds;
}

}  // namespace

std::optional<Feedback> parse_feedback(const std::string& text) {
  size_t slash = text.find('/');
  std::optional<double> numerator = parse_number(text.substr(0, slash));
  if (!numerator) return std::nullopt;
  Feedback feedback;
  feedback.numerator = *numerator;
  if (slash == std::string::npos) return feedback;
  std::string denominator = text.substr(slash + 1);
  if (denominator == "concurrency") {
    feedback.per_concurrency = true;
    return feedback;
  }
  std::optional<double> value = parse_number(denominator);
  if (!value || *value == 0) return std::nullopt;
  feedback.denominator = *value;
  return feedback;
}

PostfixConfig PostfixPolicy::parse_settings(const std::vector<spec::Setting>& settings) {
  PostfixConfig config;
  for (const spec::Setting& setting : settings) {
    spec::check_setting("postfix", setting, kSettings, false);
    const std::string& key = setting.name;
    if (key == "qmgr_message_active_limit") {
      config.active_limit = spec::integer_value(setting, 1);
    } else if (key == "minimal_backoff_time") {
      config.minimal_backoff = spec::duration_value(setting);
    } else if (key == "maximal_backoff_time") {
      config.maximal_backoff = spec::duration_value(setting);
    } else if (key == "queue_run_delay") {
      config.queue_run_delay = positive_duration(setting);
    } else if (key == "maximal_queue_lifetime") {
      config.maximal_queue_lifetime = spec::duration_value(setting);
    } else if (key == "initial_destination_concurrency") {
      config.initial_concurrency = spec::integer_value(setting, 1);
    } else if (key == "default_destination_concurrency_limit") {
      config.concurrency_limit = spec::integer_value(setting, 0);
    } else if (key == "default_destination_concurrency_positive_feedback") {
      config.positive_feedback = feedback_value(setting);
    } else if (key == "default_destination_concurrency_negative_feedback") {
      config.negative_feedback = feedback_value(setting);
    } else if (key == "default_destination_concurrency_failed_cohort_limit") {
      config.failed_cohort_limit = static_cast<double>(spec::integer_value(setting, 0));
    } else if (key == "default_process_limit") {
      config.process_limit = spec::integer_value(setting, 1);
    } else {
      spec::unknown_setting("postfix", setting, kSettings);
    }
  }
  return config;
}

PostfixPolicy::PostfixPolicy(std::string name, PostfixConfig config)
    : name_(std::move(name)), config_(config), initial_window_(config.initial_concurrency) {
  // qmgr_transport_create(): a destination concurrency limit below the initial concurrency
  // lowers the initial concurrency to it.
  if (config_.concurrency_limit != 0 && config_.concurrency_limit < config_.initial_concurrency)
    initial_window_ = config_.concurrency_limit;
}

PostfixPolicy::Destination& PostfixPolicy::destination(const std::string& name) {
  auto [it, inserted] = destinations_.try_emplace(name);
  if (inserted) it->second.window = static_cast<int>(initial_window_);
  return it->second;
}

int PostfixPolicy::window(const std::string& name) const {
  auto it = destinations_.find(name);
  return it == destinations_.end() ? static_cast<int>(initial_window_)
                                   : it->second.window;
}

bool PostfixPolicy::dead(const std::string& name, double now) const {
  auto it = destinations_.find(name);
  return it != destinations_.end() && it->second.dead && now < it->second.dead_until;
}

void PostfixPolicy::set_state(Entry& entry, State state) {
  auto counts_active = [](State s) { return s == State::TODO || s == State::BUSY; };
  if (counts_active(entry.state)) --in_active_queue_;
  if (entry.state == State::BUSY) --busy_total_;
  if (entry.state == State::DEFERRED) --deferred_;
  entry.state = state;
  if (counts_active(state)) ++in_active_queue_;
  if (state == State::BUSY) ++busy_total_;
  if (state == State::DEFERRED) ++deferred_;
}

void PostfixPolicy::defer(Entry& entry, double now) {
  // qmgr moves the queue file's time stamp into the future by the message's age in the queue,
  // clamped between minimal_backoff_time and maximal_backoff_time, and doubles no interval. Because
  // the age grows, the gaps between attempts grow until they reach the maximum.
  double delay = now - entry.item.created;
  if (delay > config_.maximal_backoff) delay = config_.maximal_backoff;
  if (delay < config_.minimal_backoff) delay = config_.minimal_backoff;
  entry.item.next_try = now + delay;
  set_state(entry, State::DEFERRED);
}

void PostfixPolicy::enqueue(Item item, double now) {
  item.created = now;
  item.next_try = now;
  Entry entry{item, State::INCOMING, next_sequence_++};
  entries_[item.id] = entry;
  incoming_.push_back(item.id);
}

double PostfixPolicy::scan_tick(double now) const {
  // Deferred-queue scans come every queue_run_delay from qmgr's start.
  return scan_origin_ + std::floor((now - scan_origin_) / config_.queue_run_delay) * config_.queue_run_delay;
}

void PostfixPolicy::scan_deferred(double now) {
  double tick = scan_tick(now);
  if (tick <= last_scan_) return;
  last_scan_ = tick;
  std::vector<Entry*> due;
  for (auto& [id, entry] : entries_) {
    // The scan skips files whose time stamp is more than 1 s in the future.
    if (entry.state == State::DEFERRED && entry.item.next_try <= tick + 1) due.push_back(&entry);
  }
  std::sort(due.begin(), due.end(),
            [](const Entry* a, const Entry* b) { return a->sequence < b->sequence; });
  for (Entry* entry : due) {
    set_state(*entry, State::SCANNED);
    scanned_.push_back(entry->item.id);
  }
}

void PostfixPolicy::feed_active_queue(double now) {
  // NOTE: qmgr alternates between the incoming and the deferred queue scans;
  // here new mail always enters the active queue first.
  while (in_active_queue_ < static_cast<std::size_t>(config_.active_limit)) {
    std::deque<ItemId>& source = !incoming_.empty() ? incoming_ : scanned_;
    if (source.empty()) break;
    Entry& entry = entries_.at(source.front());
    source.pop_front();
    Destination& dest = destination(entry.item.destination);
    if (dest.dead) {
      // Mail for a dead destination is deferred without a delivery attempt.
      // NOTE: such a message past maximal_queue_lifetime stays deferred
      // instead of expiring, because Policy can report an expiry only from
      // finished().
      defer(entry, now);
      continue;
    }
    set_state(entry, State::TODO);
    dest.todo.push_back(entry.item.id);
    update_ready(entry.item.destination, dest);
  }
}

void PostfixPolicy::update_ready(const std::string& name, const Destination& dest) {
  if (!dest.dead && !dest.todo.empty() && dest.busy < dest.window) {
    ready_.insert(name);
  } else {
    ready_.erase(name);
  }
  if (dest.dead) {
    dead_.insert(name);
  } else {
    dead_.erase(name);
  }
}

bool PostfixPolicy::start_next_delivery(double now, std::vector<Item>& started) {
  if (busy_total_ >= static_cast<std::size_t>(config_.process_limit)) return false;
  if (ready_.empty()) return false;
  // Round-robin over the destinations that can take a delivery, starting after the one served
  // last. Only those are in ready_, so a wake-up does not walk every destination.
  auto next = ready_.upper_bound(last_served_);
  if (next == ready_.end()) next = ready_.begin();
  const std::string name = *next;
  Destination& dest = destinations_.at(name);
  Entry& entry = entries_.at(dest.todo.front());
  dest.todo.pop_front();
  ++dest.busy;
  set_state(entry, State::BUSY);
  begin_attempt(entry.item, now);
  last_served_ = name;
  update_ready(name, dest);
  started.push_back(entry.item);
  return true;
}

std::vector<Item> PostfixPolicy::take_due(double now) {
  const std::vector<std::string> dead(dead_.begin(), dead_.end());
  for (const std::string& name : dead) {
    Destination& dest = destinations_.at(name);
    if (now >= dest.dead_until) {
      // After minimal_backoff_time a dead destination gets another chance
      // at the initial concurrency (or its current number of deliveries).
      dest.dead = false;
      dest.window = dest.busy > 0 ? dest.busy : static_cast<int>(initial_window_);
      dest.success = dest.failure = dest.fail_cohorts = 0;
      update_ready(name, dest);
    }
  }
  scan_deferred(now);
  feed_active_queue(now);
  std::vector<Item> started;
  while (start_next_delivery(now, started)) {
  }
  return started;
}

double PostfixPolicy::next_due(double now) const {
  // The next deferred-queue scan while anything is deferred. A scan that
  // finds nothing due changes nothing, and looking for the earliest
  // deferral time instead would cost a pass over the queue at every call.
  if (deferred_ == 0) return kNever;
  return std::max(last_scan_ + config_.queue_run_delay, scan_tick(now));
}

void PostfixPolicy::positive_feedback(Destination& dest) {
  dest.fail_cohorts = 0;
  if (dest.dead) {
    // A delivery that got through revives a dead destination at once.
    dest.dead = false;
    dest.window = dest.busy > 0 ? dest.busy : static_cast<int>(initial_window_);
    dest.success = dest.failure = 0;
    return;
  }
  const long limit = config_.concurrency_limit;
  if (limit != 0 && limit <= dest.window) return;
  // The window grows only while it stays within the initial concurrency of
  // the number of deliveries in progress.
  if (dest.window >= dest.busy + initial_window_) return;
  double feedback = config_.positive_feedback.value(dest.window);
  dest.success += feedback;
  while (dest.success + feedback / 2 >= 1) {
    dest.window += 1;
    dest.success -= 1;
    dest.failure = 0;
  }
  if (limit > 0 && dest.window > limit) dest.window = static_cast<int>(limit);
}

void PostfixPolicy::negative_feedback(Destination& dest, double now) {
  if (dest.dead) return;
  // A pseudo-cohort is as many deliveries as the window. After failed_cohort_limit failed cohorts
  // the destination is dead.
  dest.fail_cohorts += 1.0 / dest.window;
  if (config_.failed_cohort_limit > 0 && dest.fail_cohorts >= config_.failed_cohort_limit) {
    dest.dead = true;
  }
  if (!dest.dead) {
    // The failure credit starts at zero, so the first failure of a cycle
    // lowers the window twice (qmgr_queue_throttle() in Postfix 2.5+).
    double feedback = config_.negative_feedback.value(dest.window);
    dest.failure -= feedback;
    while (dest.failure - feedback / 2 < 0) {
      dest.window -= 1;
      dest.success = 0;
      dest.failure += 1;
    }
    if (dest.window < 1) dest.window = 1;
    return;
  }
  dest.window = 0;
  dest.dead_until = now + config_.minimal_backoff;
  for (ItemId id : dest.todo) defer(entries_.at(id), now);
  dest.todo.clear();
}

PostfixPolicy::Entry& PostfixPolicy::busy_entry(const Item& item, const char* call) {
  auto it = entries_.find(item.id);
  if (it == entries_.end() || it->second.state != State::BUSY) {
    throw std::logic_error(std::string("postfix queue: ") + call + "() for an item that is not being delivered");
  }
  return it->second;
}

void PostfixPolicy::interrupted(Item item, double now) {
  // The delivery agent died without a status report: no feedback, no deferral. The queue file
  // stays in the active queue, which qmgr empties into the incoming queue when it starts.
  Entry& entry = busy_entry(item, "interrupted");
  const std::string dest_name = entry.item.destination;
  Destination& dest = destination(dest_name);
  --dest.busy;
  update_ready(dest_name, dest);
  undo_attempt(entry.item);
  entry.item.next_try = now;
  set_state(entry, State::TODO);
}

void PostfixPolicy::restarted(double now) {
  // qmgr starts with nothing in memory. It moves what was left in the active queue to the incoming
  // queue and scans the incoming and then the deferred queue at once. No destination has a
  // concurrency window or a dead state any more.
  std::vector<Entry*> incoming;
  for (auto& [id, entry] : entries_) {
    if (entry.state == State::TODO) entry.item.next_try = now;
    if (entry.state == State::TODO || entry.state == State::INCOMING) {
      set_state(entry, State::INCOMING);
      incoming.push_back(&entry);
    } else if (entry.state == State::SCANNED) {
      set_state(entry, State::DEFERRED);
    }
  }
  std::sort(incoming.begin(), incoming.end(),
            [](const Entry* a, const Entry* b) { return a->sequence < b->sequence; });
  incoming_.clear();
  for (const Entry* entry : incoming) incoming_.push_back(entry->item.id);
  scanned_.clear();
  for (auto it = destinations_.begin(); it != destinations_.end();) {
    it->second.todo.clear();
    it = it->second.busy == 0 ? destinations_.erase(it) : std::next(it);
  }
  ready_.clear();
  dead_.clear();
  for (auto& [name, dest] : destinations_) update_ready(name, dest);
  last_served_.clear();
  last_scan_ = -kNever;
  scan_origin_ = now;
}

Disposition PostfixPolicy::finished(Item item, Outcome outcome, double now) {
  Entry& entry = busy_entry(item, "finished");
  const std::string dest_name = entry.item.destination;
  Destination& dest = destination(dest_name);
  // Only a connection or handshake failure is negative feedback, because a 4xx or 5xx reply after
  // the greeting shows that the destination is up.
  if (outcome == Outcome::UNREACHABLE) {
    negative_feedback(dest, now);
  } else {
    positive_feedback(dest);
  }
  --dest.busy;
  update_ready(dest_name, dest);

  Disposition disposition = Disposition::REQUEUED;
  if (outcome == Outcome::DELIVERED) {
    disposition = Disposition::DONE;
  } else if (outcome == Outcome::FAILED) {
    disposition = Disposition::BOUNCED;
  } else if (now >= entry.item.created + config_.maximal_queue_lifetime) {
    disposition = Disposition::EXPIRED;
  }
  if (disposition != Disposition::REQUEUED) {
    set_state(entry, State::INCOMING);  // leaves the busy and active counts
    entries_.erase(item.id);
    return disposition;
  }
  defer(entry, now);
  return disposition;
}

}  // namespace mailsim::queue
