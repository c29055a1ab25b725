#include "models/workload/random.hpp"

#include <cmath>
#include <limits>

namespace mailsim::workload {

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + (stream + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Random::uniform() {
  // 53 bits fill a double's mantissa exactly, so every value is k * 2^-53.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

std::uint64_t Random::below(std::uint64_t n) {
  // Values at or above the largest multiple of n would favour small results; draw again.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

double Random::exponential(double mean) {
  return -mean * std::log(uniform_positive());
}

double Random::normal() {
  constexpr double kTwoPi = 6.283185307179586476925;
  double radius = std::sqrt(-2.0 * std::log(uniform_positive()));
  return radius * std::cos(kTwoPi * uniform());
}

double Random::lognormal(double median, double sigma) {
  return std::exp(std::log(median) + sigma * normal());
}

double Random::pareto(double minimum, double alpha) {
  return minimum / std::pow(uniform_positive(), 1.0 / alpha);
}

std::uint64_t Random::poisson(double mean) {
  constexpr double kPiece = 30.0;
  std::uint64_t count = 0;
  while (mean > 0) {
    double piece = mean > kPiece ? kPiece : mean;
    mean -= piece;
    // Knuth: multiply uniforms until the product drops to exp(-piece) or below.
    const double threshold = std::exp(-piece);
    double product = uniform_positive();
    while (product > threshold) {
      ++count;
      product *= uniform_positive();
    }
  }
  return count;
}

}  // namespace mailsim::workload
