// Seeded random streams for workload generation. Every sampler is built on
// std::mt19937_64 and written out here, because the std:: distributions may
// return different values for the same engine state in different standard
// libraries. The engine itself is fully specified by the C++ standard.
//
// Not modelled: quasi-random sequences, correlated streams.
#pragma once

#include <cstdint>
#include <random>

namespace mailsim::workload {

/// Mixes a seed and a stream number into a separate engine seed (SplitMix64 finaliser), so
/// each part of a workload has its own stream and changing one part leaves the others alone.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

/// A random stream with hand-written samplers.
///
/// NOTE: the engine output and uniform() are bit-identical everywhere. The samplers call
/// std::log, std::exp, std::pow and std::cos, whose last bit may differ between C libraries,
/// so a sample can differ in its last bits on another libm.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// Next raw 64-bit engine output.
  std::uint64_t next_u64() { return engine_(); }

  /// Uniform double in [0, 1) from the top 53 bits of one engine output.
  double uniform();

  /// Uniform double in (0, 1], safe to pass to log() and pow(u, 1/x).
  double uniform_positive() { return 1.0 - uniform(); }

  /// Uniform integer in [0, n), without modulo bias (rejection of the last partial block).
  /// n must be positive.
  std::uint64_t below(std::uint64_t n);

  /// Exponential sample with the given mean, by inverse transform: -mean * ln(U).
  double exponential(double mean);

  /// Standard normal sample by the Box-Muller transform (one of the pair is used).
  double normal();

  /// Log-normal sample: exp(ln(median) + sigma * Z). The median of the result is `median`.
  double lognormal(double median, double sigma);

  /// Pareto (type I) sample by inverse transform: minimum / U^(1/alpha), never below `minimum`.
  double pareto(double minimum, double alpha);

  /// Poisson sample. Knuth's product-of-uniforms method runs on pieces of mean at most 30
  /// (a Poisson(a+b) count is the sum of independent Poisson(a) and Poisson(b) counts), so
  /// exp(-mean) never underflows. The cost grows linearly with the mean.
  std::uint64_t poisson(double mean);

 private:
  std::mt19937_64 engine_;
};

}  // namespace mailsim::workload
