#include "sim/trace.hpp"

namespace mailsim::sim {

const char* to_string(MessageStatus status) {
  switch (status) {
    case MessageStatus::QUEUED: return "queued";
    case MessageStatus::DELIVERED: return "delivered";
    case MessageStatus::BOUNCED: return "bounced";
    case MessageStatus::REJECTED: return "rejected";
  }
  return "queued";
}

// A message with several recipients takes the least final state among them:
// any still queued keeps it queued; otherwise any bounce or rejection wins
// over delivery, because the sender hears about it.
MessageStatus MessageRecord::status() const {
  bool bounced = false, rejected = false;
  for (const auto& r : recipients) {
    if (r.status == MessageStatus::QUEUED) return MessageStatus::QUEUED;
    bounced |= r.status == MessageStatus::BOUNCED;
    rejected |= r.status == MessageStatus::REJECTED;
  }
  if (recipients.empty()) return MessageStatus::QUEUED;
  if (rejected) return MessageStatus::REJECTED;
  if (bounced) return MessageStatus::BOUNCED;
  return MessageStatus::DELIVERED;
}

RecipientRecord* MessageRecord::recipient(const std::string& address) {
  for (auto& r : recipients)
    if (r.address == address) return &r;
  return nullptr;
}

MessageRecord& Trace::add_message(const std::string& id) {
  auto [it, inserted] = messages_.try_emplace(id);
  if (inserted) {
    it->second.id = id;
    order_.push_back(id);
  }
  return it->second;
}

MessageRecord* Trace::message(const std::string& id) {
  auto it = messages_.find(id);
  return it == messages_.end() ? nullptr : &it->second;
}

void Trace::add_step(const std::string& id, StepRecord step) {
  if (MessageRecord* m = message(id)) m->steps.push_back(std::move(step));
}

void Trace::set_queue_depth(const std::string& host, double time, int depth) {
  auto& samples = queues[host];
  if (!samples.empty() && samples.back().time == time) {
    samples.back().depth = depth;
    return;
  }
  if (!samples.empty() && samples.back().depth == depth) return;
  samples.push_back({time, depth});
}

}  // namespace mailsim::sim
