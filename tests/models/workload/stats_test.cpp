// Expected values are worked out by hand from the definitions: nearest-rank percentiles, the
// sample standard deviation, Student t intervals, W = 1 / (mu - lambda) for M/M/1 and the
// Erlang C formula for M/M/c.
#include "models/workload/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace mailsim::workload {
namespace {

std::vector<double> one_to(int n) {
  std::vector<double> v;
  for (int i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

TEST(Percentile, NearestRankHandExamples) {
  // Sample {15, 20, 35, 40, 50}, n = 5: rank = ceil(p / 100 * 5).
  struct Case {
    double p, expected;
  };
  const Case cases[] = {
      {0, 15},    // the minimum by definition
      {5, 15},    // rank ceil(0.25) = 1
      {30, 20},   // rank ceil(1.5) = 2
      {40, 20},   // rank 2 exactly
      {50, 35},   // rank ceil(2.5) = 3
      {100, 50},  // rank 5
  };
  const std::vector<double> sample = {50, 15, 40, 20, 35};  // unsorted on purpose
  for (const Case& c : cases) EXPECT_EQ(percentile(sample, c.p), c.expected) << "p" << c.p;
}

TEST(Percentile, ExactRankNotRoundedUp) {
  // 95 * 20 / 100 = 19 exactly: rank 19, not 20.
  EXPECT_EQ(percentile(one_to(20), 95), 19);
  EXPECT_EQ(percentile(one_to(100), 99), 99);
  EXPECT_EQ(percentile(one_to(100), 99.5), 100);
}

TEST(Percentile, InvalidArguments) {
  EXPECT_THROW(percentile({}, 50), std::invalid_argument);
  EXPECT_THROW(percentile({1, 2}, -1), std::invalid_argument);
  EXPECT_THROW(percentile({1, 2}, 100.5), std::invalid_argument);
}

TEST(Summary, OneToHundred) {
  Summary s = summarize(one_to(100));
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_EQ(s.p50, 50);
  EXPECT_EQ(s.p95, 95);
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.max, 100);
}

TEST(Summary, EmptyThrows) {
  EXPECT_THROW(summarize({}), std::invalid_argument);
}

TEST(Mean, Values) {
  EXPECT_DOUBLE_EQ(mean({2, 4, 9}), 5);
  EXPECT_THROW(mean({}), std::invalid_argument);
}

TEST(SampleStddev, Values) {
  // {1..5}: squared deviations 4 + 1 + 0 + 1 + 4 = 10, divided by 4 gives 2.5.
  EXPECT_DOUBLE_EQ(sample_stddev(one_to(5)), std::sqrt(2.5));
  EXPECT_THROW(sample_stddev({1}), std::invalid_argument);
}

TEST(TimeWeightedMean, StepFunction) {
  // Depth 0 on [0, 10), 4 on [10, 15), 2 on [15, 20): (0 + 20 + 10) / 20 = 1.5.
  TimeWeightedMean depth;
  depth.set(0, 0);
  depth.set(10, 4);
  depth.set(15, 2);
  EXPECT_DOUBLE_EQ(depth.mean(20), 1.5);
  EXPECT_DOUBLE_EQ(depth.mean(15), (0 * 10 + 4 * 5) / 15.0);
  EXPECT_EQ(depth.max(), 4);
}

TEST(TimeWeightedMean, StartsAtFirstChange) {
  // From 5 on: 2 on [5, 7), 6 on [7, 9): (4 + 12) / 4 = 4.
  TimeWeightedMean depth;
  depth.set(5, 2);
  EXPECT_DOUBLE_EQ(depth.mean(5), 2);
  depth.set(7, 6);
  EXPECT_DOUBLE_EQ(depth.mean(9), 4);
}

TEST(TimeWeightedMean, SameTimeReplacesValue) {
  TimeWeightedMean depth;
  depth.set(0, 1);
  depth.set(0, 3);
  EXPECT_DOUBLE_EQ(depth.mean(10), 3);
}

TEST(TimeWeightedMean, InvalidUse) {
  TimeWeightedMean depth;
  EXPECT_THROW(depth.mean(1), std::invalid_argument);
  depth.set(10, 1);
  EXPECT_THROW(depth.set(9, 2), std::invalid_argument);
  EXPECT_THROW(depth.mean(5), std::invalid_argument);
}

TEST(StudentT, TableValues) {
  struct Case {
    std::size_t dof;
    double t;
  };
  const Case cases[] = {{1, 12.706}, {2, 4.303},  {4, 2.776},   {10, 2.228},  {30, 2.042},
                        {35, 2.042}, {40, 2.021}, {100, 2.000}, {120, 1.980}, {1000, 1.960}};
  for (const Case& c : cases) EXPECT_DOUBLE_EQ(student_t95(c.dof), c.t) << "dof " << c.dof;
  EXPECT_THROW(student_t95(0), std::invalid_argument);
}

TEST(ConfidenceInterval, FiveSeeds) {
  // {1..5}: mean 3, s = sqrt(2.5), t(4) = 2.776, half width 2.776 * sqrt(2.5 / 5) = 1.962928.
  ConfidenceInterval ci = confidence_interval95(one_to(5));
  EXPECT_DOUBLE_EQ(ci.mean, 3);
  EXPECT_NEAR(ci.half_width, 1.962928, 1e-6);
  EXPECT_NEAR(ci.lower, 1.037072, 1e-6);
  EXPECT_NEAR(ci.upper, 4.962928, 1e-6);
}

TEST(ConfidenceInterval, IdenticalValuesZeroWidth) {
  ConfidenceInterval ci = confidence_interval95({7, 7, 7});
  EXPECT_DOUBLE_EQ(ci.mean, 7);
  EXPECT_DOUBLE_EQ(ci.half_width, 0);
}

TEST(ConfidenceInterval, OneSeedThrows) {
  EXPECT_THROW(confidence_interval95({1}), std::invalid_argument);
}

TEST(Queueing, MM1TimeInSystem) {
  EXPECT_DOUBLE_EQ(mm1_time_in_system(8, 10), 0.5);  // 1 / (10 - 8)
  EXPECT_DOUBLE_EQ(mm1_time_in_system(0, 4), 0.25);  // empty system: service time only
  EXPECT_THROW(mm1_time_in_system(10, 10), std::invalid_argument);
  EXPECT_THROW(mm1_time_in_system(-1, 10), std::invalid_argument);
  EXPECT_THROW(mm1_time_in_system(1, 0), std::invalid_argument);
}

TEST(Queueing, ErlangCHandValues) {
  // C(c, a) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)].
  struct Case {
    std::size_t c;
    double lambda, mu, p_wait, wq, w;
  };
  const Case cases[] = {
      // c = 1 is M/M/1: P(wait) = rho = 0.8, Wq = 0.8 / 2 = 0.4, W = 0.5.
      {1, 8, 10, 0.8, 0.4, 0.5},
      // a = 1: (1/2 * 2) / (1 + 1 + 1) = 1/3; Wq = (1/3) / (2 - 1); W = 1/3 + 1.
      {2, 1, 1, 1.0 / 3, 1.0 / 3, 4.0 / 3},
      // a = 2: (8/6 * 3) / (1 + 2 + 2 + 4) = 4/9; Wq = (4/9) / (3 - 2); W = 4/9 + 1.
      {3, 2, 1, 4.0 / 9, 4.0 / 9, 13.0 / 9},
      // a = 1.5: (1.125 * 4) / (1 + 1.5 + 4.5) = 9/14; Wq = (9/14) / (4 - 3); W = 9/14 + 1/2.
      {2, 3, 2, 9.0 / 14, 9.0 / 14, 9.0 / 14 + 0.5},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(erlang_c(c.c, c.lambda, c.mu), c.p_wait, 1e-12) << "c " << c.c;
    EXPECT_NEAR(mmc_waiting_time(c.c, c.lambda, c.mu), c.wq, 1e-12) << "c " << c.c;
    EXPECT_NEAR(mmc_time_in_system(c.c, c.lambda, c.mu), c.w, 1e-12) << "c " << c.c;
  }
}

TEST(Queueing, ErlangCManyServers) {
  // 500 servers at load 0.5 never wait in practice, and a^c / c! would overflow a double.
  double p = erlang_c(500, 250, 1);
  EXPECT_GE(p, 0);
  EXPECT_LT(p, 1e-20);
}

TEST(Queueing, ErlangCInvalid) {
  EXPECT_THROW(erlang_c(0, 1, 1), std::invalid_argument);
  EXPECT_THROW(erlang_c(2, 2, 1), std::invalid_argument);  // lambda = c * mu: no steady state
}

}  // namespace
}  // namespace mailsim::workload
