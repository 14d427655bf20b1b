// Rng: std::mt19937_64 (its output is fixed by the C++ standard) and our own transforms, so the
// same seed gives the same numbers with every standard library.
#include <emg/simulate/random.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <limits>

namespace emg::simulate {

namespace {
constexpr std::string_view kRng = "Rng";
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // SplitMix64 finaliser applied twice over (seed, stream): consecutive streams give unrelated seeds.
  auto mix = [](std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(seed) ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL));
}

Rng::Rng(std::uint64_t seed) : seed_(seed), engine_(seed) {}

double Rng::uniform() {
  // top 53 bits -> [0, 1) exactly representable
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

long Rng::uniform_int(long low, long high) {
  if (high < low) detail::fail_param(kRng, "uniform_int high", std::to_string(high), "must be >= low=" + std::to_string(low));
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) + 1ULL;
  if (span == 0) return static_cast<long>(engine_());  // the whole 64-bit range
  // Lemire-free simple rejection: accept draws below the largest multiple of span.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % span;
  std::uint64_t r = engine_();
  while (r >= limit) r = engine_();
  return static_cast<long>(static_cast<std::uint64_t>(low) + r % span);
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double m = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * m;
  has_spare_ = true;
  return u * m;
}

double Rng::truncated_normal(double mean, double sd, double low, double high) {
  if (!(low <= high)) detail::fail_param(kRng, "truncated_normal low", detail::fmt(low), "must be <= high=" + detail::fmt(high));
  if (sd <= 0.0) return std::fmin(std::fmax(mean, low), high);
  for (int i = 0; i < 1000; ++i) {
    const double x = normal(mean, sd);
    if (x >= low && x <= high) return x;
  }
  return uniform(low, high);
}

double Rng::exponential(double rate) {
  detail::check_positive(kRng, "exponential rate", rate);
  return -std::log1p(-uniform()) / rate;
}

double Rng::gamma(double shape) {
  detail::check_positive(kRng, "gamma shape", shape);
  if (shape < 1.0) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a)
    const double g = gamma(shape + 1.0);
    return g * std::pow(uniform() + 0x1.0p-54, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace emg::simulate
