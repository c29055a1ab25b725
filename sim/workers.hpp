// Reusable daemon actors. SimGrid keeps a finished actor, its stack
// included, while any of its communications is still referenced. A daemon
// runs one session per connection or message, so the actors of one role on
// one host are kept and given the next job instead of being started anew.
// Their number stays near the number of jobs running at once.
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
  std::map<std::string, std::shared_ptr<Pool>> pools_;  // by "host/role"
};

}  // namespace mailsim::sim
