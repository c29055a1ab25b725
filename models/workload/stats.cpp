#include "models/workload/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mailsim::workload {
namespace {

void check_queue(std::size_t servers, double lambda, double mu) {
  if (servers == 0) throw std::invalid_argument("a queue needs at least 1 server");
  if (!(mu > 0))
    throw std::invalid_argument(fmt::format("service rate mu must be > 0, got {}", mu));
  if (!(lambda >= 0))
    throw std::invalid_argument(fmt::format("arrival rate lambda must be >= 0, got {}", lambda));
  if (lambda >= static_cast<double>(servers) * mu)
    throw std::invalid_argument(
        fmt::format("queue is unstable: lambda {} >= c * mu = {} (no steady state)", lambda,
                    static_cast<double>(servers) * mu));
}

}  // namespace

double percentile(std::vector<double> sample, double p) {
  if (sample.empty()) throw std::invalid_argument("percentile of an empty sample");
  if (!(p >= 0 && p <= 100))
    throw std::invalid_argument(fmt::format("percentile must be in [0, 100], got {}", p));
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  // The small subtraction keeps p * n / 100 from landing just above a whole number through
  // rounding (95 * 20 / 100 must give rank 19, not 20).
  auto rank = static_cast<std::size_t>(std::ceil(p / 100 * n - 1e-9));
  if (rank == 0) rank = 1;
  return sample[rank - 1];
}

double mean(const std::vector<double>& sample) {
  if (sample.empty()) throw std::invalid_argument("mean of an empty sample");
  double sum = 0;
  for (double x : sample) sum += x;
  return sum / static_cast<double>(sample.size());
}

double sample_stddev(const std::vector<double>& sample) {
  if (sample.size() < 2) throw std::invalid_argument("standard deviation needs at least 2 values");
  const double m = mean(sample);
  double squares = 0;
  for (double x : sample) squares += (x - m) * (x - m);
  return std::sqrt(squares / static_cast<double>(sample.size() - 1));
}

Summary summarize(std::vector<double> sample) {
  if (sample.empty()) throw std::invalid_argument("summary of an empty sample");
  std::sort(sample.begin(), sample.end());
  Summary s;
  s.count = sample.size();
  s.mean = mean(sample);
  s.p50 = percentile(sample, 50);
  s.p95 = percentile(sample, 95);
  s.p99 = percentile(sample, 99);
  s.max = sample.back();
  return s;
}

void TimeWeightedMean::set(double t, double value) {
  if (!started_) {
    started_ = true;
    start_ = t;
    max_ = value;
  } else {
    if (t < last_time_)
      throw std::invalid_argument(
          fmt::format("step function time went back from {} to {}", last_time_, t));
    area_ += last_value_ * (t - last_time_);
    max_ = std::max(max_, value);
  }
  last_time_ = t;
  last_value_ = value;
}

double TimeWeightedMean::mean(double end) const {
  if (!started_) throw std::invalid_argument("time-weighted mean of an empty step function");
  if (end < last_time_)
    throw std::invalid_argument(fmt::format(
        "time-weighted mean up to {} is before the last change at {}", end, last_time_));
  const double span = end - start_;
  if (span <= 0) return last_value_;
  return (area_ + last_value_ * (end - last_time_)) / span;
}

double student_t95(std::size_t dof) {
  // t(0.975, dof) for dof = 1..30, as in the NIST/SEMATECH e-Handbook of Statistical Methods,
  // table 1.3.6.7.2.
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                  2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                  2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                  2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof == 0) throw std::invalid_argument("Student t needs at least 1 degree of freedom");
  if (dof <= 30) return kTable[dof - 1];
  if (dof < 40) return 2.042;
  if (dof < 60) return 2.021;
  if (dof < 120) return 2.000;
  if (dof == 120) return 1.980;
  return 1.960;
}

ConfidenceInterval confidence_interval95(const std::vector<double>& values) {
  if (values.size() < 2)
    throw std::invalid_argument("a confidence interval needs values from at least 2 seeds");
  ConfidenceInterval ci;
  ci.mean = mean(values);
  const double n = static_cast<double>(values.size());
  ci.half_width = student_t95(values.size() - 1) * sample_stddev(values) / std::sqrt(n);
  ci.lower = ci.mean - ci.half_width;
  ci.upper = ci.mean + ci.half_width;
  return ci;
}

double mm1_time_in_system(double lambda, double mu) {
  check_queue(1, lambda, mu);
  return 1 / (mu - lambda);
}

double erlang_c(std::size_t servers, double lambda, double mu) {
  check_queue(servers, lambda, mu);
  const double a = lambda / mu;
  const double c = static_cast<double>(servers);
  // Erlang B comes from its recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1, which avoids
  // the overflow of a^c / c! for many servers. Erlang C follows as C = c B / (c - a (1 - B)).
  double b = 1;
  for (std::size_t k = 1; k <= servers; ++k) b = a * b / (static_cast<double>(k) + a * b);
  return c * b / (c - a * (1 - b));
}

double mmc_waiting_time(std::size_t servers, double lambda, double mu) {
  return erlang_c(servers, lambda, mu) / (static_cast<double>(servers) * mu - lambda);
}

double mmc_time_in_system(std::size_t servers, double lambda, double mu) {
  return mmc_waiting_time(servers, lambda, mu) + 1 / mu;
}

}  // namespace mailsim::workload
