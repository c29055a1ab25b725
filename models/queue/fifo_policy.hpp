// A plain first-in first-out queue, as a baseline for the real MTAs'
// policies: items start strictly in queue order, at most `concurrency` at
// once. A deferred item goes to the back of the queue and may not start
// before its retry time, which also holds up every item behind it
// (head-of-line blocking is the point of this baseline).
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "models/queue/policy.hpp"
#include "models/queue/spec.hpp"

namespace mailsim::queue {

struct FifoConfig {
  long concurrency = 1;
  double retry = 15 * 60;  ///< fixed time from a failure to the next try
  double lifetime = 5 * 86400;
};

class FifoPolicy : public Policy {
 public:
  FifoPolicy(std::string name, FifoConfig config);

  static FifoConfig parse_settings(const std::vector<spec::Setting>& settings);

  std::string name() const override { return name_; }
  void enqueue(Item item, double now) override;
  std::vector<Item> take_due(double now) override;
  double next_due(double now) const override;
  Disposition finished(Item item, Outcome outcome, double now) override;
  void interrupted(Item item, double now) override;
  std::size_t waiting() const override { return queue_.size(); }
  std::size_t active() const override { return active_.size(); }

 private:
  std::string name_;
  FifoConfig config_;
  std::deque<Item> queue_;
  std::map<ItemId, Item> active_;
};

}  // namespace mailsim::queue
