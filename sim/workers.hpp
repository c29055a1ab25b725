// Reusable daemon actors. SimGrid keeps a finished actor, its stack
// included, while any of its communications is still referenced, and
// starting and killing an actor costs far more than a transfer. A daemon
// runs one session per connection or message, so the actors of one role are
// kept and given the next job, on whichever host it runs: an idle actor
// moves to the job's host first. Their number stays near the number of jobs
// running at once, not the number of hosts.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace simgrid::s4u {
class Host;
}

namespace mailsim::sim {

class Workers {
 public:
  /// Runs `job` in an idle daemon actor of `role` on `host`, or in a new one.
  /// Call from an actor.
  void run(const std::string& role, simgrid::s4u::Host* host, std::function<void()> job);
  /// Drops the pools; call after the engine has run.
  void clear() { pools_.clear(); }

  struct Pool;

 private:
  std::map<std::string, std::shared_ptr<Pool>> pools_;  // by role
};

}  // namespace mailsim::sim
