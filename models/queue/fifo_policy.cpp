#include "models/queue/fifo_policy.hpp"

#include <stdexcept>

namespace mailsim::queue {
namespace {

const std::vector<std::string> kSettings = {"concurrency", "retry", "lifetime"};

}  // namespace

FifoConfig FifoPolicy::parse_settings(const std::vector<spec::Setting>& settings) {
  FifoConfig config;
  for (const spec::Setting& setting : settings) {
    spec::check_setting("fifo", setting, kSettings, false);
    if (setting.name == "concurrency") {
      config.concurrency = spec::integer_value(setting, 1);
    } else if (setting.name == "retry") {
      config.retry = spec::duration_value(setting);
      // A zero interval would retry a deferred message at the same instant forever.
      if (config.retry <= 0) spec::fail(setting.value_column, "retry must be longer than 0, e.g. retry=15m");
    } else if (setting.name == "lifetime") {
      config.lifetime = spec::duration_value(setting);
    } else {
      spec::unknown_setting("fifo", setting, kSettings);
    }
  }
  return config;
}

FifoPolicy::FifoPolicy(std::string name, FifoConfig config)
    : name_(std::move(name)), config_(config) {}

void FifoPolicy::enqueue(Item item, double now) {
  item.created = now;
  item.next_try = now;
  queue_.push_back(item);
}

std::vector<Item> FifoPolicy::take_due(double now) {
  std::vector<Item> started;
  while (!queue_.empty() && active_.size() < static_cast<std::size_t>(config_.concurrency) &&
         queue_.front().next_try <= now) {
    Item item = queue_.front();
    queue_.pop_front();
    begin_attempt(item, now);
    active_[item.id] = item;
    started.push_back(item);
  }
  return started;
}

double FifoPolicy::next_due(double now) const {
  if (queue_.empty() || active_.size() >= static_cast<std::size_t>(config_.concurrency)) {
    return kNever;
  }
  double head = queue_.front().next_try;
  return head > now ? head : kNever;
}

void FifoPolicy::interrupted(Item item, double now) {
  auto it = active_.find(item.id);
  if (it == active_.end()) {
    throw std::logic_error("fifo queue: interrupted() for an item that is not active");
  }
  // Back at the head of the queue, due at once, as if the attempt had not started.
  Item entry = it->second;
  active_.erase(it);
  undo_attempt(entry);
  entry.next_try = now;
  queue_.push_front(entry);
}

Disposition FifoPolicy::finished(Item item, Outcome outcome, double now) {
  auto it = active_.find(item.id);
  if (it == active_.end()) {
    throw std::logic_error("fifo queue: finished() for an item that is not active");
  }
  Item entry = it->second;
  active_.erase(it);
  switch (outcome) {
    case Outcome::DELIVERED:
      return Disposition::DONE;
    case Outcome::FAILED:
      return Disposition::BOUNCED;
    case Outcome::DEFERRED:
    case Outcome::UNREACHABLE:
      break;
  }
  if (now - entry.created >= config_.lifetime) return Disposition::EXPIRED;
  entry.next_try = now + config_.retry;
  queue_.push_back(entry);
  return Disposition::REQUEUED;
}

}  // namespace mailsim::queue
