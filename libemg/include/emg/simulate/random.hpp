// Seeded random numbers that give the same sequence on every platform and compiler: the 64-bit
// Mersenne Twister (std::mt19937_64, whose output the C++ standard specifies exactly) with our own
// distribution transforms (the standard library's distributions differ between implementations).
#pragma once

#include <cstdint>
#include <random>

namespace emg::simulate {

/// SplitMix64 mix of (seed, stream): independent child seeds for sessions, trains, channels...
/// so that parallel generation gives the same numbers as serial generation.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64() { return engine_(); }
  /// Uniform on [0, 1) with 53 random bits.
  double uniform();
  /// Uniform on [low, high).
  double uniform(double low, double high);
  /// Uniform integer in [low, high] (inclusive), without modulo bias.
  long uniform_int(long low, long high);
  /// Standard normal (Marsaglia polar method; the second value of each pair is kept).
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  /// Normal truncated to [low, high] by rejection (falls back to uniform on [low, high] after 1000
  /// rejections, which only happens when the interval lies far in a tail).
  double truncated_normal(double mean, double sd, double low, double high);
  /// Exponential with the given rate (> 0).
  double exponential(double rate);
  /// Gamma(shape, 1) (Marsaglia-Tsang), shape > 0.
  double gamma(double shape);
  bool bernoulli(double p) { return uniform() < p; }
  /// A child generator seeded with derive_seed(seed, stream).
  Rng child(std::uint64_t stream) const { return Rng(derive_seed(seed_, stream)); }
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace emg::simulate
