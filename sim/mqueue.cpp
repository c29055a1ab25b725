#include "sim/mqueue.hpp"

#include <algorithm>

namespace mailsim::sim {

QueueEntry& MailQueue::add(QueueEntry entry) {
  entries_.push_back(std::make_unique<QueueEntry>(std::move(entry)));
  if (on_change_) on_change_(depth());
  return *entries_.back();
}

QueueEntry* MailQueue::find(const std::string& queue_id) {
  for (auto& e : entries_)
    if (e->queue_id == queue_id) return e.get();
  return nullptr;
}

void MailQueue::remove(const std::string& queue_id) {
  auto it = std::remove_if(entries_.begin(), entries_.end(),
                           [&](const auto& e) { return e->queue_id == queue_id; });
  if (it == entries_.end()) return;
  entries_.erase(it, entries_.end());
  if (on_change_) on_change_(depth());
}

std::vector<std::string> MailQueue::run_order() const {
  std::vector<const QueueEntry*> sorted;
  for (const auto& e : entries_) sorted.push_back(e.get());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->created < b->created;
  });
  std::vector<std::string> ids;
  for (const auto* e : sorted) ids.push_back(e->queue_id);
  return ids;
}

}  // namespace mailsim::sim
