#include "models/queue/sendmail_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace mailsim::queue {
namespace {

const std::vector<std::string> kSettings = {
    "QueueInterval",      "MaxQueueRunSize", "QueueSortOrder", "RecipientFactor",
    "ClassFactor",        "RetryFactor",     "MinQueueAge",    "DeliveryMode",
    "MaxDaemonChildren",  "QueueLA",         "RefuseLA",       "Timeout.queuereturn",
    "ConnectionCacheSize", "QueueFactor"};

// Returns the lower-case first letter of a keyword value such as QueueSortOrder's. A ':' or
// '=' in it is a mistyped separator ("host:MaxQueueRunSize=1"), which would hide the setting after it.
char first_letter(const spec::Setting& setting) {
  const std::string& value = setting.value;
  const auto separator = value.find_first_of(":=");
  if (separator != std::string::npos) {
    spec::fail(setting.value_column + static_cast<int>(separator),
               "invalid " + setting.name + " value \"" + value + "\"; settings are separated by commas");
  }
  return value.empty() ? '\0'
                       : static_cast<char>(std::tolower(static_cast<unsigned char>(value[0])));
}

// Sendmail, like its readcf.c, looks only at the first letter of the value.
QueueSortOrder parse_sort_order(const spec::Setting& setting) {
  switch (first_letter(setting)) {
    case 'p':
      return QueueSortOrder::PRIORITY;
    case 'h':
      return QueueSortOrder::HOST;
    case 't':
      return QueueSortOrder::TIME;
    case 'f':
      return QueueSortOrder::FILENAME;
    case 'm':
      return QueueSortOrder::MODIFICATION;
    case 'r':
      return QueueSortOrder::RANDOM;
    case 'n':
      return QueueSortOrder::NONE;
    default:
      spec::fail(setting.value_column,
                 "invalid QueueSortOrder value \"" + setting.value +
                     "\"; expected priority, host, time, filename, modification, random or none");
  }
}

DeliveryMode parse_delivery_mode(const spec::Setting& setting) {
  switch (first_letter(setting)) {
    case 'i':
      return DeliveryMode::INTERACTIVE;
    case 'b':
      return DeliveryMode::BACKGROUND;
    case 'q':
      return DeliveryMode::QUEUE_ONLY;
    case 'd':
      return DeliveryMode::DEFERRED;
    default:
      spec::fail(setting.value_column,
                 "invalid DeliveryMode value \"" + setting.value +
                     "\"; expected interactive, background, queueonly or deferred (i, b, q, d)");
  }
}

std::string reversed_lower(const std::string& host) {
  std::string out(host.rbegin(), host.rend());
  return spec::lower(out);
}

// The qf file's modification time: the end of the last attempt, or the
// time the message was queued.
double qf_modified(const Item& item) {
  return item.last_attempt >= 0 ? item.last_attempt : item.created;
}

}  // namespace

long sendmail_priority(const Item& item, const SendmailConfig& config) {
  return static_cast<long>(item.size) - item.msg_class * config.class_factor +
         item.recipients * config.recipient_factor;
}

void sort_queue_run(std::vector<Item>& items, QueueSortOrder order, std::mt19937& rng) {
  // Sendmail uses qsort(), which leaves equal keys in no set order. A
  // stable sort keeps them in queue directory order.
  switch (order) {
    case QueueSortOrder::PRIORITY:
      std::stable_sort(items.begin(), items.end(),
                       [](const Item& a, const Item& b) { return a.priority < b.priority; });
      break;
    case QueueSortOrder::HOST:
      // sortq() compares recipient hosts written backwards, so that all
      // hosts of one domain sort together, then the priority.
      std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        std::string ha = reversed_lower(a.destination);
        std::string hb = reversed_lower(b.destination);
        if (ha != hb) return ha < hb;
        return a.priority < b.priority;
      });
      break;
    case QueueSortOrder::TIME:
      std::stable_sort(items.begin(), items.end(),
                       [](const Item& a, const Item& b) { return a.created < b.created; });
      break;
    case QueueSortOrder::FILENAME:
      std::stable_sort(items.begin(), items.end(),
                       [](const Item& a, const Item& b) { return a.queue_id < b.queue_id; });
      break;
    case QueueSortOrder::MODIFICATION:
      // Oldest qf modification first.
      std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return qf_modified(a) < qf_modified(b);
      });
      break;
    case QueueSortOrder::RANDOM:
      std::shuffle(items.begin(), items.end(), rng);
      break;
    case QueueSortOrder::NONE:
      break;
  }
}

SendmailConfig SendmailPolicy::parse_settings(const std::vector<spec::Setting>& settings) {
  SendmailConfig config;
  for (const spec::Setting& setting : settings) {
    spec::check_setting("sendmail", setting, kSettings, true);
    const std::string key = spec::lower(setting.name);
    if (key == "queueinterval") {
      config.queue_interval = spec::duration_value(setting);
    } else if (key == "maxqueuerunsize") {
      config.max_queue_run_size = spec::integer_value(setting, 0);
    } else if (key == "queuesortorder") {
      config.sort_order = parse_sort_order(setting);
    } else if (key == "recipientfactor") {
      config.recipient_factor = spec::integer_value(setting, 0);
    } else if (key == "classfactor") {
      config.class_factor = spec::integer_value(setting, 0);
    } else if (key == "retryfactor") {
      config.retry_factor = spec::integer_value(setting, 0);
    } else if (key == "minqueueage") {
      config.min_queue_age = spec::duration_value(setting);
    } else if (key == "deliverymode") {
      config.delivery_mode = parse_delivery_mode(setting);
    } else if (key == "maxdaemonchildren") {
      config.max_daemon_children = spec::integer_value(setting, 0);
    } else if (key == "queuela") {
      config.queue_la = spec::integer_value(setting, 0);
    } else if (key == "queuefactor") {
      config.queue_factor = spec::integer_value(setting, 0);
    } else if (key == "refusela") {
      config.refuse_la = spec::integer_value(setting, 0);
    } else if (key == "timeout.queuereturn") {
      config.queue_return = spec::duration_value(setting);
    } else if (key == "connectioncachesize") {
      config.connection_cache_size = spec::integer_value(setting, 0);
    } else {
      spec::unknown_setting("sendmail", setting, kSettings);
    }
  }
  return config;
}

SendmailPolicy::SendmailPolicy(std::string name, SendmailConfig config)
    : name_(std::move(name)), config_(config), runner_(config.queue_interval) {}

std::size_t SendmailPolicy::children() const {
  // The runner process delivers its jobs itself, one at a time, and counts once for the whole
  // run, also between two jobs.
  std::size_t runner = runner_.running() ? 1 : 0;
  return active_ - run_delivering_ + runner;
}

bool SendmailPolicy::child_free() const {
  return config_.max_daemon_children == 0 ||
         children() < static_cast<std::size_t>(config_.max_daemon_children);
}

bool SendmailPolicy::should_queue(double now, long priority) const {
  return sendmail_should_queue(priority, load_average(now), config_.queue_la, config_.queue_factor);
}

bool SendmailPolicy::refuses(double now) const {
  return sendmail_refuses(load_average(now), config_.refuse_la);
}

long SendmailPolicy::run_load_average(double now) {
  // SM_GET_LA in run_work_group() reads the load again only after GET_NEW_LA_TIME (30 s).
  if (run_la_time_ < now - 30) {
    run_la_ = load_average(now);
    run_la_time_ = now;
  }
  return run_la_;
}

void SendmailPolicy::restarted(double now) {
  runner_.restart(now);
  load_.reset(now);
}

bool SendmailPolicy::eligible_for_run(const Entry& entry, double run_start) const {
  if (entry.state != State::QUEUED) return false;
  // The run reads the queue directory when it starts. take_due() may handle it later, at the
  // next event: a message queued since then, or whose qf file was locked by a delivery in
  // progress then, waits for the next run.
  if (entry.item.created > run_start || entry.item.last_attempt > run_start) return false;
  // MinQueueAge compares the run's time with the qf's last attempt (its K line). A message never
  // tried is always old enough.
  if (entry.item.last_attempt < 0 || config_.min_queue_age <= 0) return true;
  return run_start - entry.item.last_attempt >= config_.min_queue_age;
}

double SendmailPolicy::next_run_for(const Entry& entry, double after) const {
  double earliest = after;
  if (entry.item.last_attempt >= 0) {
    earliest = std::max(earliest, entry.item.last_attempt + config_.min_queue_age);
  }
  return runner_.first_start_at_or_after(earliest);
}

void SendmailPolicy::enqueue(Item item, double now) {
  item.created = now;
  item.priority = sendmail_priority(item, config_);
  Entry entry;
  entry.sequence = next_sequence_++;
  bool immediate = (config_.delivery_mode == DeliveryMode::INTERACTIVE ||
                    config_.delivery_mode == DeliveryMode::BACKGROUND) &&
                   !should_queue(now, item.priority);
  if (immediate) {
    entry.state = State::WAITING_FOR_CHILD;
    item.next_try = now;
    waiting_for_child_.push_back(item.id);
  } else {
    entry.state = State::QUEUED;
    entry.item = item;
    item.next_try = next_run_for(entry, now);
  }
  entry.item = item;
  Entry& stored = entries_[item.id] = entry;
  if (stored.state == State::QUEUED) mark_queued(stored);
}

void SendmailPolicy::mark_queued(Entry& entry) {
  double from = -kNever;
  if (entry.item.last_attempt >= 0 && config_.min_queue_age > 0)
    from = entry.item.last_attempt + config_.min_queue_age;
  entry.eligible = eligible_.insert(from);
}

void SendmailPolicy::unmark_queued(Entry& entry) {
  if (entry.state == State::QUEUED) eligible_.erase(entry.eligible);
}

Item SendmailPolicy::start_attempt(Entry& entry, double now) {
  unmark_queued(entry);
  entry.state = State::ACTIVE;
  begin_attempt(entry.item, now);
  load_.advance(now, active_);
  ++active_;
  return entry.item;
}

void SendmailPolicy::start_run(double now) {
  // gatherq() stops reading the queue directory after MaxQueueRunSize eligible entries and only
  // then sorts them, so the limit applies in directory order, not after sorting.
  double run_time = runner_.stamp(now);
  std::vector<const Entry*> gathered;
  for (const auto& [id, entry] : entries_) {
    if (eligible_for_run(entry, run_time)) gathered.push_back(&entry);
  }
  std::sort(gathered.begin(), gathered.end(),
            [](const Entry* a, const Entry* b) { return a->sequence < b->sequence; });
  if (config_.max_queue_run_size > 0 &&
      gathered.size() > static_cast<std::size_t>(config_.max_queue_run_size)) {
    gathered.resize(static_cast<std::size_t>(config_.max_queue_run_size));
  }
  std::vector<Item> items;
  for (const Entry* entry : gathered) items.push_back(entry->item);
  sort_queue_run(items, config_.sort_order, rng_);
  std::deque<ItemId> order;
  for (const Item& item : items) order.push_back(item.id);
  runner_.start(now, std::move(order));
}

std::vector<Item> SendmailPolicy::take_due(double now) {
  std::vector<Item> started;
  // The daemon starts a due queue run before it accepts more connections.
  if (runner_.run_due(now)) {
    run_la_time_ = -kNever;
    if (sendmail_should_queue(config_.recipient_factor, run_load_average(now), config_.queue_la,
                              config_.queue_factor)) {
      runner_.start(now, {});  // "Skipping queue run -- load average too high"
    } else if (!child_free()) {
      runner_.start(now, {});  // "Skipping queue run -- too many children" (MaxDaemonChildren)
    } else {
      start_run(now);
    }
  }
  while (!waiting_for_child_.empty() && child_free()) {
    Entry& entry = entries_.at(waiting_for_child_.front());
    waiting_for_child_.pop_front();
    started.push_back(start_attempt(entry, now));
  }
  while (runner_.running()) {
    std::optional<ItemId> id = runner_.next();
    if (!id) break;
    auto it = entries_.find(*id);
    if (it == entries_.end() || it->second.state != State::QUEUED) {
      runner_.item_finished(now);
      continue;
    }
    // run_work_group() checks the load before each job: too high for any job ends the run, too
    // high for this job's priority skips it, and in priority order also the jobs after it.
    long la = run_load_average(now);
    if (sendmail_should_queue(config_.recipient_factor, la, config_.queue_la, config_.queue_factor)) {
      runner_.stop(now);  // "Aborting queue run: load average too high"
      break;
    }
    if (sendmail_should_queue(it->second.item.priority, la, config_.queue_la, config_.queue_factor)) {
      if (config_.sort_order == QueueSortOrder::PRIORITY) {
        runner_.stop(now);  // "Skipping ... and flushing rest of queue"
        break;
      }
      runner_.item_finished(now);
      continue;
    }
    it->second.from_run = true;
    run_delivering_ = 1;
    started.push_back(start_attempt(it->second, now));
    started.back().queue_run = true;
  }
  return started;
}

double SendmailPolicy::next_due(double now) const {
  if (runner_.running()) return kNever;  // the run goes on when an attempt finishes
  // The first run at or after the moment the earliest queued entry becomes
  // eligible. Later entries cannot make it earlier, because run starts only
  // grow with time.
  if (eligible_.empty()) return kNever;
  return runner_.first_start_at_or_after(std::max(now, *eligible_.begin()));
}

SendmailPolicy::Entries::iterator SendmailPolicy::end_attempt(const Item& item, double now, const char* call) {
  auto it = entries_.find(item.id);
  if (it == entries_.end() || it->second.state != State::ACTIVE) {
    throw std::logic_error(std::string("sendmail queue: ") + call + "() for an item that is not active");
  }
  Entry& entry = it->second;
  load_.advance(now, active_);
  --active_;
  if (entry.from_run) {
    entry.from_run = false;
    run_delivering_ = 0;
    runner_.item_finished(now);
  }
  return it;
}

void SendmailPolicy::interrupted(Item item, double now) {
  // The killed process never rewrote the qf file: its priority, tries and times stay as they were,
  // and the next queue run takes it.
  Entry& entry = end_attempt(item, now, "interrupted")->second;
  undo_attempt(entry.item);
  entry.state = State::QUEUED;
  entry.item.next_try = next_run_for(entry, now);
  mark_queued(entry);
}

Disposition SendmailPolicy::finished(Item item, Outcome outcome, double now) {
  auto it = end_attempt(item, now, "finished");
  Entry& entry = it->second;

  // The qf file is rewritten when the attempt ends, and MinQueueAge and QueueSortOrder=modification
  // look at that time.
  entry.item.last_attempt = now;
  switch (outcome) {
    case Outcome::DELIVERED:
      entries_.erase(it);
      return Disposition::DONE;
    case Outcome::FAILED:
      entries_.erase(it);
      return Disposition::BOUNCED;
    case Outcome::DEFERRED:
    case Outcome::UNREACHABLE:
      break;
  }

  // Timeout.queuereturn counts from the time the message was queued.
  if (now - entry.item.created >= config_.queue_return) {
    entries_.erase(it);
    return Disposition::EXPIRED;
  }

  entry.item.priority += config_.retry_factor;
  entry.state = State::QUEUED;
  mark_queued(entry);
  entry.item.next_try = next_run_for(entry, now);
  return Disposition::REQUEUED;
}

}  // namespace mailsim::queue
