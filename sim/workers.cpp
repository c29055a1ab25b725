#include "sim/workers.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {

struct Workers::Pool {
  struct Job {
    sg4::Host* host;
    std::function<void()> run;
  };
  std::deque<Job> jobs;
  int idle = 0;
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr ready = sg4::ConditionVariable::create();
};

namespace {

void worker_loop(const std::shared_ptr<Workers::Pool>& pool) {
  while (true) {
    Workers::Pool::Job job;
    {
      std::unique_lock<sg4::Mutex> lock(*pool->mutex);
      ++pool->idle;
      while (pool->jobs.empty()) pool->ready->wait(lock);
      --pool->idle;
      job = std::move(pool->jobs.front());
      pool->jobs.pop_front();
    }
    if (sg4::this_actor::get_host() != job.host) sg4::this_actor::set_host(job.host);
    job.run();
    job.run = nullptr;  // frees what the job captured before the actor waits again
  }
}

}  // namespace

void Workers::run(const std::string& role, sg4::Host* host, std::function<void()> job) {
  auto& pool = pools_[role];
  if (!pool) pool = std::make_shared<Pool>();
  pool->jobs.push_back(Pool::Job{host, std::move(job)});
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
