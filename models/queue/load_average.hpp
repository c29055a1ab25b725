// The 1-minute load average a Sendmail daemon reads on Linux, and Sendmail's
// two decisions that use it.
//
// Linux recomputes the average every 5 seconds (LOAD_FREQ) as
//   avenrun = avenrun * EXP_1 + n * (1 - EXP_1),  EXP_1 = 1884 / 2048,
// where n is the number of processes running or waiting for the disk, and
// 1884 / 2048 is its fixed-point value of exp(-5 s / 60 s). Sendmail's getla()
// reads the first field of /proc/loadavg and rounds it to an integer.
//
// Not modelled: the kernel's fixed-point rounding, and the phase of its
// 5-second clock (here the ticks fall on multiples of 5 s after the start).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mailsim::queue {

class LoadAverage {
 public:
  /// Seconds between two updates of the average (Linux's LOAD_FREQ).
  static constexpr double kTick = 5.0;
  /// The weight the previous average keeps at each update (Linux's EXP_1 / FIXED_1).
  static constexpr double kDecay = 1884.0 / 2048.0;

  /// Applies every update at or before `now`, with `running` processes at each of them. Call
  /// it before the number of processes changes, so earlier updates see the old number.
  void advance(double now, std::size_t running);

  /// Returns the average at `now` if `running` processes stay until then.
  double at(double now, std::size_t running) const;

  /// Returns Sendmail's CurrentLA at `now`: the average rounded to the nearest integer.
  long sendmail_la(double now, std::size_t running) const;

  /// Starts again from 0 at `now`, as the kernel does when the host boots.
  void reset(double now);

 private:
  std::int64_t ticks_before(double now) const;

  double average_ = 0;
  std::int64_t ticks_ = 0;  ///< updates applied, counted from time 0
};

/// Sendmail's shouldqueue(): at a load of `la`, a message of work priority `priority` is only
/// queued, not delivered, when la >= QueueLA and priority > QueueFactor / (la - QueueLA + 1).
bool sendmail_should_queue(long priority, long la, long queue_la, long queue_factor);

/// Sendmail's refuseconnections() load test: RefuseLA > 0 and la >= RefuseLA.
bool sendmail_refuses(long la, long refuse_la);

}  // namespace mailsim::queue
