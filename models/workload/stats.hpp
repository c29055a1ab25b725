// Statistics for the benchmark report (latency percentiles, means, queue
// depth averaged over time, confidence intervals over seeds) and the
// closed-form queueing results that validation tests compare runs against:
// M/M/1 and M/M/c (Erlang C).
//
// Percentiles use the nearest-rank rule. Confidence intervals are two-sided
// 95% Student t intervals. Not modelled: other percentile rules
// (interpolating ones such as Excel's PERCENTILE), batch means within one
// run, M/G/1 or priority queues.
#pragma once

#include <cstddef>
#include <vector>

namespace mailsim::workload {

/// Nearest-rank percentile: the smallest sample value such that at least p percent of the
/// sample is at or below it, i.e. sorted[ceil(p / 100 * n) - 1], and the minimum for p = 0.
/// Throws std::invalid_argument for an empty sample or p outside [0, 100].
double percentile(std::vector<double> sample, double p);

/// Arithmetic mean. Throws std::invalid_argument for an empty sample.
double mean(const std::vector<double>& sample);

/// Sample standard deviation (divisor n - 1). Throws std::invalid_argument when n < 2.
double sample_stddev(const std::vector<double>& sample);

/// The summary line of one latency sample.
struct Summary {
  std::size_t count = 0;
  double mean = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

/// Count, mean and nearest-rank p50, p95, p99 and max. Throws for an empty sample.
Summary summarize(std::vector<double> sample);

/// Time average of a step function such as a queue depth. A value set at time t stays in effect
/// until the next change.
class TimeWeightedMean {
 public:
  /// Sets the value from time `t` on. Throws std::invalid_argument when t is earlier than the
  /// previous change.
  void set(double t, double value);

  /// Integral of the function from the first change to `end`, divided by that span. Returns the
  /// current value when the span is empty. Throws std::invalid_argument before any set() or
  /// when `end` is earlier than the last change.
  double mean(double end) const;

  /// Largest value set so far (0 before any set()).
  double max() const { return max_; }

 private:
  bool started_ = false;
  double start_ = 0;
  double last_time_ = 0;
  double last_value_ = 0;
  double area_ = 0;
  double max_ = 0;
};

/// A mean with its confidence interval [lower, upper] = mean -/+ half_width.
struct ConfidenceInterval {
  double mean = 0;
  double half_width = 0;
  double lower = 0;
  double upper = 0;
};

/// Two-sided 95% critical value of Student's t with `dof` degrees of freedom. It is the table
/// value for 1..30, and up to 120 the value of the next smaller tabled dof (30, 40, 60, 120), so
/// the interval errs wide. Beyond 120 it is the normal 1.960. Throws when dof < 1.
double student_t95(std::size_t dof);

/// 95% interval for the mean of independent values (one per seed):
/// mean -/+ t95(n - 1) * s / sqrt(n). Throws std::invalid_argument when n < 2.
ConfidenceInterval confidence_interval95(const std::vector<double>& values);

/// M/M/1 mean time in system W = 1 / (mu - lambda), rates per second.
/// Throws std::invalid_argument unless 0 <= lambda < mu.
double mm1_time_in_system(double lambda, double mu);

/// Erlang C: the probability that an arrival at an M/M/c queue waits,
/// C(c, a) with offered load a = lambda / mu. Throws unless c >= 1 and 0 <= lambda < c * mu.
double erlang_c(std::size_t servers, double lambda, double mu);

/// M/M/c mean waiting time in queue Wq = C(c, a) / (c * mu - lambda).
double mmc_waiting_time(std::size_t servers, double lambda, double mu);

/// M/M/c mean time in system W = Wq + 1 / mu.
double mmc_time_in_system(std::size_t servers, double lambda, double mu);

}  // namespace mailsim::workload
