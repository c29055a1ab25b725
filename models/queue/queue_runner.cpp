#include "models/queue/queue_runner.hpp"

#include <algorithm>
#include <cmath>

namespace mailsim::queue {

bool QueueRunner::run_due(double now) const {
  return interval_ > 0 && !running_ && now >= next_start_;
}

void QueueRunner::start(double now, std::deque<ItemId> items) {
  run_start_ = stamp(now);
  next_start_ = run_start_ + interval_;
  items_ = std::move(items);
  running_ = true;
  delivering_ = false;
  if (items_.empty()) end(now);
}

std::optional<ItemId> QueueRunner::next() {
  if (!running_ || delivering_ || items_.empty()) return std::nullopt;
  ItemId id = items_.front();
  items_.pop_front();
  delivering_ = true;
  return id;
}

void QueueRunner::item_finished(double now) {
  delivering_ = false;
  if (items_.empty()) end(now);
}

void QueueRunner::stop(double now) {
  if (!running_) return;
  items_.clear();
  delivering_ = false;
  end(now);
}

void QueueRunner::end(double now) {
  running_ = false;
  // Multiples of the interval that passed while the run was going lapse; a
  // run ending exactly on a multiple lets the next run start then.
  next_start_ = std::max(run_start_ + interval_, origin_ + std::ceil((now - origin_) / interval_) * interval_);
}

double QueueRunner::first_start_at_or_after(double time) const {
  if (interval_ <= 0) return kNever;
  double start = std::max(next_start_, origin_ + std::ceil((time - origin_) / interval_) * interval_);
  return start;
}

void QueueRunner::restart(double now) {
  if (interval_ <= 0) return;
  origin_ = now;
  next_start_ = now;
  running_ = false;
  delivering_ = false;
  items_.clear();
}

}  // namespace mailsim::queue
