#include "models/queue/load_average.hpp"

#include <algorithm>
#include <cmath>

namespace mailsim::queue {

std::int64_t LoadAverage::ticks_before(double now) const {
  // Updates fall at kTick, 2 kTick, ...; the one at `now` itself counts.
  return static_cast<std::int64_t>(std::floor(now / kTick + 1e-9));
}

double LoadAverage::at(double now, std::size_t running) const {
  std::int64_t due = ticks_before(now) - ticks_;
  if (due <= 0) return average_;
  // k updates with the same n: n + (avenrun - n) * EXP_1^k.
  double n = static_cast<double>(running);
  return n + (average_ - n) * std::pow(kDecay, static_cast<double>(due));
}

void LoadAverage::advance(double now, std::size_t running) {
  average_ = at(now, running);
  ticks_ = std::max(ticks_, ticks_before(now));
}

long LoadAverage::sendmail_la(double now, std::size_t running) const {
  return static_cast<long>(at(now, running) + 0.5);
}

void LoadAverage::reset(double now) {
  average_ = 0;
  ticks_ = ticks_before(now);
}

bool sendmail_should_queue(long priority, long la, long queue_la, long queue_factor) {
  if (la < queue_la) return false;
  // C's integer division, as in Sendmail's conf.c.
  return priority > queue_factor / (la - queue_la + 1);
}

bool sendmail_refuses(long la, long refuse_la) { return refuse_la > 0 && la >= refuse_la; }

}  // namespace mailsim::queue
