#include "sim/workers.hpp"

#include <vector>

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {

// Actors run one at a time and switch only in simcalls, so the pool needs no mutex: an idle
// worker lists itself and suspends with nothing in between, and run() resumes it.
struct Workers::Pool {
  struct Job {
    sg4::Host* host;
    std::function<void()> run;
  };
  std::deque<Job> jobs;
  std::vector<sg4::ActorPtr> idle;
};

namespace {

void worker_loop(const std::shared_ptr<Workers::Pool>& pool) {
  while (true) {
    if (pool->jobs.empty()) {
      pool->idle.push_back(sg4::Actor::self());
      sg4::this_actor::suspend();
      continue;
    }
    Workers::Pool::Job job = std::move(pool->jobs.front());
    pool->jobs.pop_front();
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
  if (!pool->idle.empty()) {
    sg4::ActorPtr worker = pool->idle.back();
    pool->idle.pop_back();
    worker->resume();
    return;
  }
  sg4::Actor::create(role, host, [p = pool] {
    sg4::Actor::self()->daemonize();
    worker_loop(p);
  });
}

}  // namespace mailsim::sim
