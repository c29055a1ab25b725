#include "models/queue/exim_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "models/common/error.hpp"

namespace mailsim::queue {
namespace {

const std::vector<std::string> kSettings = {"retry", "queue_run_interval", "retry_interval_max"};

[[noreturn]] void retry_error(size_t index, const std::string& message) {
  throw InputError(SourcePos{"<retry>", 1, static_cast<int>(index) + 1}, message);
}

// Reads rules left to right, keeping the index of the next character.
class RetryParser {
 public:
  explicit RetryParser(const std::string& text) : text_(text) {}

  std::vector<RetryRule> parse() {
    std::vector<RetryRule> rules;
    skip_spaces();
    if (at_end()) retry_error(pos_, "missing retry rule; expected e.g. F,2h,15m");
    while (true) {
      rules.push_back(parse_rule());
      skip_spaces();
      if (at_end()) break;
      if (text_[pos_] != ';') {
        retry_error(pos_,
                    std::string("unexpected '") + text_[pos_] + "'; expected ';' between rules");
      }
      ++pos_;
      skip_spaces();
      if (at_end()) retry_error(pos_, "missing retry rule after ';'");
    }
    return rules;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }

  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  void expect_comma(const char* what) {
    skip_spaces();
    if (at_end() || text_[pos_] != ',') {
      retry_error(pos_, std::string("expected ',' before the ") + what);
    }
    ++pos_;
    skip_spaces();
  }

  RetryRule parse_rule() {
    RetryRule rule;
    size_t letter = pos_;
    rule.kind = text_[pos_];
    if (rule.kind == 'H') {
      retry_error(letter, "retry rule H (randomized intervals) is not modelled; use F or G");
    }
    if (rule.kind != 'F' && rule.kind != 'G') {
      retry_error(letter, std::string("invalid retry rule letter '") + rule.kind +
                              "'; expected F (fixed) or G (geometric)");
    }
    ++pos_;
    expect_comma("cutoff time");
    size_t cutoff_at = pos_;
    rule.cutoff = parse_time("cutoff time");
    // Exim's readconf rejects a rule whose cutoff or interval is 0, or whose G multiplier is below 1.
    if (rule.cutoff <= 0) retry_error(cutoff_at, "retry cutoff time must be greater than zero");
    expect_comma("interval");
    rule.interval = parse_time("interval");
    if (rule.interval <= 0) retry_error(pos_ - 1, "retry interval must be greater than zero");
    skip_spaces();
    bool has_multiplier = !at_end() && text_[pos_] == ',';
    if (rule.kind == 'F' && has_multiplier) {
      retry_error(pos_, "an F rule takes no multiplier; use G,<cutoff>,<interval>,<multiplier>");
    }
    if (rule.kind == 'G') {
      if (!has_multiplier) retry_error(pos_, "a G rule needs a multiplier, e.g. G,16h,1h,1.5");
      expect_comma("multiplier");
      size_t multiplier_at = pos_;
      rule.multiplier = parse_multiplier();
      if (rule.multiplier < 1) {
        retry_error(multiplier_at, "invalid multiplier " + text_.substr(multiplier_at, pos_ - multiplier_at) +
                                       "; a G rule's multiplier must be at least 1");
      }
    }
    return rule;
  }

  // Exim's time syntax: one or more <digits><unit> with units s, m, h, d, w (`1h30m`). A bare
  // number is seconds.
  double parse_time(const char* what) {
    size_t start = pos_;
    double total = 0;
    bool any = false;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      double number = 0;
      while (!at_end() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        number = number * 10 + (text_[pos_] - '0');
        ++pos_;
      }
      double unit = 1;
      if (!at_end()) {
        switch (text_[pos_]) {
          case 's':
            unit = 1;
            ++pos_;
            break;
          case 'm':
            unit = 60;
            ++pos_;
            break;
          case 'h':
            unit = 3600;
            ++pos_;
            break;
          case 'd':
            unit = 86400;
            ++pos_;
            break;
          case 'w':
            unit = 7 * 86400;
            ++pos_;
            break;
          default:
            break;
        }
      }
      total += number * unit;
      any = true;
    }
    if (!any)
      retry_error(start, std::string("invalid ") + what + "; expected a time such as 2h or 15m");
    if (!at_end() && !std::isspace(static_cast<unsigned char>(text_[pos_])) && text_[pos_] != ',' &&
        text_[pos_] != ';') {
      retry_error(pos_, std::string("invalid character '") + text_[pos_] + "' in the " + what +
                            "; expected units s, m, h, d or w");
    }
    return total;
  }

  double parse_multiplier() {
    size_t start = pos_;
    while (!at_end() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
      ++pos_;
    }
    std::string number = text_.substr(start, pos_ - start);
    char* end = nullptr;
    double value = number.empty() ? 0 : std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || value <= 0) {
      retry_error(start, "invalid multiplier; expected a number such as 1.5");
    }
    if (!at_end() && !std::isspace(static_cast<unsigned char>(text_[pos_])) && text_[pos_] != ';') {
      retry_error(pos_, std::string("invalid character '") + text_[pos_] + "' in the multiplier");
    }
    return value;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

std::string host_key(const std::string& destination) {
  return "T:" + destination;
}
std::string address_key(ItemId id) {
  return "R:" + std::to_string(id);
}

}  // namespace

std::vector<RetryRule> parse_retry_rules(const std::string& text) {
  return RetryParser(text).parse();
}

std::optional<double> next_retry(const std::vector<RetryRule>& rules, const RetryRecord& record,
                                 double now, double failing_interval, double max_interval) {
  const RetryRule* rule = nullptr;
  for (const RetryRule& candidate : rules) {
    if (failing_interval <= candidate.cutoff) {
      rule = &candidate;
      break;
    }
  }
  if (rule == nullptr) return std::nullopt;
  double gap = rule->interval;
  if (rule->kind == 'G') {
    // The previous gap is the smaller of the one predicted and the one that
    // actually passed (a late queue run does not inflate the next gap).
    double predicted = record.next_try - record.last_try;
    double actual = now - record.last_try;
    double last_gap = std::min(predicted, actual);
    // Exim stores the multiplier in thousandths and truncates the product
    // to whole seconds.
    double thousandths = std::round(rule->multiplier * 1000);
    if (last_gap >= rule->interval) gap = std::floor(last_gap * thousandths / 1000);
  }
  return now + std::min(gap, max_interval);
}

EximConfig EximPolicy::parse_settings(const std::vector<spec::Setting>& settings) {
  EximConfig config;
  for (const spec::Setting& setting : settings) {
    spec::check_setting("exim", setting, kSettings, false);
    if (setting.name == "retry") {
      try {
        config.rules = parse_retry_rules(setting.value);
      } catch (const InputError& error) {
        // Point at the character inside the whole policy spec.
        spec::fail(setting.value_column + error.pos().column - 1, error.message());
      }
    } else if (setting.name == "queue_run_interval") {
      config.queue_run_interval = spec::duration_value(setting);
    } else if (setting.name == "retry_interval_max") {
      config.retry_interval_max = spec::duration_value(setting);
    } else {
      spec::unknown_setting("exim", setting, kSettings);
    }
  }
  return config;
}

EximPolicy::EximPolicy(std::string name, EximConfig config)
    : name_(std::move(name)), config_(std::move(config)), runner_(config_.queue_run_interval) {}

std::optional<RetryRecord> EximPolicy::host_record(const std::string& destination) const {
  auto it = records_.find(host_key(destination));
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

double EximPolicy::retry_time(const Item& item) const {
  double time = -kNever;
  for (const std::string& key : {host_key(item.destination), address_key(item.id)}) {
    auto it = records_.find(key);
    if (it != records_.end()) time = std::max(time, it->second.next_try);
  }
  return time;
}

void EximPolicy::enqueue(Item item, double now) {
  item.created = now;
  Entry entry;
  entry.sequence = next_sequence_++;
  double retry = retry_time(item);
  if (retry <= now) {
    item.next_try = now;
    entry.state = State::IMMEDIATE;
    immediate_.push_back(item.id);
  } else {
    // The host's retry time has not come: Exim skips the immediate attempt.
    item.next_try = retry;
    entry.state = State::QUEUED;
    ++queued_;
  }
  entry.item = item;
  entries_[item.id] = entry;
}

Item EximPolicy::start_attempt(Entry& entry, double now) {
  if (entry.state == State::QUEUED) --queued_;
  entry.state = State::ACTIVE;
  begin_attempt(entry.item, now);
  ++active_;
  return entry.item;
}

std::vector<Item> EximPolicy::take_due(double now) {
  std::vector<Item> started;
  for (ItemId id : immediate_) started.push_back(start_attempt(entries_.at(id), now));
  immediate_.clear();

  if (runner_.run_due(now)) {
    // NOTE: Exim's queue runner visits messages in an arbitrary order unless queue_run_in_order is
    // set. This model always uses arrival order.
    double run_time = runner_.stamp(now);
    std::vector<const Entry*> due;
    for (const auto& [id, entry] : entries_) {
      // The run reads the spool when it starts, not when take_due() gets to it.
      if (entry.state == State::QUEUED && entry.item.created <= run_time && retry_time(entry.item) <= run_time) {
        due.push_back(&entry);
      }
    }
    std::sort(due.begin(), due.end(),
              [](const Entry* a, const Entry* b) { return a->sequence < b->sequence; });
    std::deque<ItemId> order;
    for (const Entry* entry : due) order.push_back(entry->item.id);
    runner_.start(now, std::move(order));
  }
  while (runner_.running()) {
    std::optional<ItemId> id = runner_.next();
    if (!id) break;
    auto it = entries_.find(*id);
    if (it == entries_.end() || it->second.state != State::QUEUED) {
      runner_.item_finished(now);
      continue;
    }
    it->second.from_run = true;
    started.push_back(start_attempt(it->second, now));
  }
  return started;
}

double EximPolicy::next_due(double now) const {
  if (runner_.running()) return kNever;  // the run goes on when an attempt finishes
  // The next queue run while anything is queued. A run that finds nothing
  // past its retry time changes nothing, and the earliest retry time would
  // cost a pass over the queue at every call.
  if (queued_ == 0) return kNever;
  return runner_.first_start_at_or_after(now);
}

EximPolicy::Entries::iterator EximPolicy::end_attempt(const Item& item, double now, const char* call) {
  auto it = entries_.find(item.id);
  if (it == entries_.end() || it->second.state != State::ACTIVE) {
    throw std::logic_error(std::string("exim queue: ") + call + "() for an item that is not active");
  }
  Entry& entry = it->second;
  --active_;
  if (entry.from_run) {
    entry.from_run = false;
    runner_.item_finished(now);
  }
  return it;
}

void EximPolicy::interrupted(Item item, double now) {
  // A killed delivery process writes no retry record, so the next queue run tries the message.
  Entry& entry = end_attempt(item, now, "interrupted")->second;
  undo_attempt(entry.item);
  entry.state = State::QUEUED;
  ++queued_;
  entry.item.next_try = retry_time(entry.item);
}

Disposition EximPolicy::finished(Item item, Outcome outcome, double now) {
  auto it = end_attempt(item, now, "finished");
  Entry& entry = it->second;
  entry.item.last_attempt = now;
  const std::string address = address_key(entry.item.id);
  if (outcome == Outcome::DELIVERED || outcome == Outcome::FAILED) {
    // A delivery that reached the host clears the host's retry record.
    if (outcome == Outcome::DELIVERED) records_.erase(host_key(entry.item.destination));
    records_.erase(address);
    entries_.erase(it);
    return outcome == Outcome::DELIVERED ? Disposition::DONE : Disposition::BOUNCED;
  }

  const bool host_error = outcome == Outcome::UNREACHABLE;
  const std::string key = host_error ? host_key(entry.item.destination) : address;
  RetryRecord& record = records_.try_emplace(key, RetryRecord{now, now, now}).first->second;
  const double age = now - entry.item.created;
  double failing = now - record.first_failed;
  // For an address error a message older than the record counts its age,
  // so that deliveries of other messages cannot reset its clock.
  if (!host_error) failing = std::max(failing, age);
  std::optional<double> next =
      next_retry(config_.rules, record, now, failing, config_.retry_interval_max);
  // A message on the queue since before the host started failing times out
  // once its own age passes the last cutoff.
  if (next && !config_.rules.empty() && entry.item.created <= record.first_failed &&
      age > config_.rules.back().cutoff) {
    next.reset();
  }
  record.last_try = now;
  record.next_try = next.value_or(now);
  if (!next) {
    records_.erase(address);
    entries_.erase(it);
    return Disposition::EXPIRED;
  }
  entry.state = State::QUEUED;
  ++queued_;
  entry.item.next_try = retry_time(entry.item);
  return Disposition::REQUEUED;
}

}  // namespace mailsim::queue
