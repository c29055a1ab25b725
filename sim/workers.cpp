#include "sim/workers.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {

struct Workers::Pool {
  std::deque<std::function<void()>> jobs;
  int idle = 0;
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr ready = sg4::ConditionVariable::create();
};

namespace {

void worker_loop(const std::shared_ptr<Workers::Pool>& pool) {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<sg4::Mutex> lock(*pool->mutex);
      ++pool->idle;
      while (pool->jobs.empty()) pool->ready->wait(lock);
      --pool->idle;
      job = std::move(pool->jobs.front());
      pool->jobs.pop_front();
    }
    job();
  }
}

}  // namespace

void Workers::run(const std::string& role, sg4::Host* host, std::function<void()> job) {
  auto& pool = pools_[host->get_name() + "/" + role];
  if (!pool) pool = std::make_shared<Pool>();
  pool->jobs.push_back(std::move(job));
  if (pool->idle >= static_cast<int>(pool->jobs.size())) {
    pool->ready->notify_one();
    return;
  }
  sg4::Actor::create(role, host, [p = pool] {
    sg4::Actor::self()->daemonize();
    worker_loop(p);
  });
}

}  // namespace mailsim::sim
