// Samplers checked against their distributions' known moments, and the engine against the
// value the C++ standard fixes for it.
#include "models/workload/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mailsim::workload {
namespace {

constexpr int kSamples = 100000;

TEST(Random, EngineMatchesStandard) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64 (seed 5489).
  Random random(5489);
  std::uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = random.next_u64();
  EXPECT_EQ(value, 9981545732273789042ULL);
}

TEST(Random, UniformUsesTop53Bits) {
  Random engine(5489);
  Random random(5489);
  const std::uint64_t raw = engine.next_u64();
  EXPECT_EQ(random.uniform(), static_cast<double>(raw >> 11) / 9007199254740992.0);
}

TEST(Random, UniformRangeAndMean) {
  Random random(7);
  double sum = 0;
  bool in_range = true;
  for (int i = 0; i < kSamples; ++i) {
    double u = random.uniform();
    in_range = in_range && u >= 0 && u < 1;
    sum += u;
  }
  EXPECT_TRUE(in_range);
  EXPECT_NEAR(sum / kSamples, 0.5, 0.005);
}

TEST(Random, SameSeedSameSequence) {
  Random a(42);
  Random b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Random, DifferentSeedsDiffer) {
  Random a(42);
  Random b(43);
  int equal = 0;
  for (int i = 0; i < 100; ++i) equal += a.next_u64() == b.next_u64();
  EXPECT_EQ(equal, 0);
}

TEST(Random, DeriveSeedSeparatesStreams) {
  EXPECT_NE(derive_seed(1, 1), derive_seed(1, 2));
  EXPECT_NE(derive_seed(1, 1), derive_seed(2, 1));
  EXPECT_EQ(derive_seed(9, 4), derive_seed(9, 4));
}

TEST(Random, BelowIsUniformAndInRange) {
  Random random(11);
  std::vector<int> buckets(10, 0);
  bool in_range = true;
  for (int i = 0; i < kSamples; ++i) {
    std::uint64_t x = random.below(10);
    in_range = in_range && x < 10;
    if (x < 10) ++buckets[x];
  }
  EXPECT_TRUE(in_range);
  // Each bucket expects 10000 with a standard deviation of about 95.
  for (int count : buckets) EXPECT_NEAR(count, 10000, 500);
}

TEST(Random, ExponentialMean) {
  Random random(1);
  double sum = 0;
  for (int i = 0; i < kSamples; ++i) sum += random.exponential(2.0);
  EXPECT_NEAR(sum / kSamples, 2.0, 2.0 * 0.02);
}

TEST(Random, NormalMeanAndVariance) {
  Random random(2);
  double sum = 0;
  double squares = 0;
  for (int i = 0; i < kSamples; ++i) {
    double z = random.normal();
    sum += z;
    squares += z * z;
  }
  const double mean = sum / kSamples;
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(squares / kSamples - mean * mean, 1.0, 0.02);
}

TEST(Random, LognormalMedian) {
  Random random(3);
  int below = 0;
  for (int i = 0; i < kSamples; ++i) below += random.lognormal(5000, 1.5) < 5000;
  EXPECT_NEAR(static_cast<double>(below) / kSamples, 0.5, 0.01);
}

TEST(Random, ParetoMinimumAndMean) {
  Random random(4);
  double sum = 0;
  double smallest = 1e300;
  for (int i = 0; i < kSamples; ++i) {
    double x = random.pareto(1.0, 3.0);
    smallest = std::min(smallest, x);
    sum += x;
  }
  EXPECT_GE(smallest, 1.0);
  // Mean of Pareto(x_m = 1, alpha = 3) is alpha x_m / (alpha - 1) = 1.5.
  EXPECT_NEAR(sum / kSamples, 1.5, 1.5 * 0.02);
}

TEST(Random, PoissonMeanAndVariance) {
  struct Case {
    double mean;
  };
  // 3 runs Knuth's method in one piece, 100 in four pieces of at most 30.
  for (Case c : {Case{0.5}, Case{3}, Case{100}}) {
    Random random(5);
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < kSamples; ++i) {
      double k = static_cast<double>(random.poisson(c.mean));
      sum += k;
      squares += k * k;
    }
    const double mean = sum / kSamples;
    EXPECT_NEAR(mean, c.mean, c.mean * 0.02) << "mean " << c.mean;
    EXPECT_NEAR(squares / kSamples - mean * mean, c.mean, c.mean * 0.05) << "mean " << c.mean;
  }
}

TEST(Random, PoissonZeroMean) {
  Random random(6);
  EXPECT_EQ(random.poisson(0), 0u);
}

}  // namespace
}  // namespace mailsim::workload
