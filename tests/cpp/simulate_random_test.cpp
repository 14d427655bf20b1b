// emg::simulate::Rng: known answers (the C++ standard's mt19937_64 value, committed first draws
// computed by an independent Python re-implementation of mt19937_64 + the polar method) and the
// moments of every distribution on 1e5 draws, with tolerances of 5-6 standard errors.
#include <emg/errors.hpp>
#include <emg/simulate/random.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace {

using emg::simulate::derive_seed;
using emg::simulate::Rng;

constexpr int kN = 100000;

struct Moments {
  double mean = 0.0, var = 0.0;
};
template <class Draw>
Moments moments(Draw&& draw, int n = kN) {
  double s = 0.0, s2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    s += x;
    s2 += x * x;
  }
  const double mean = s / n;
  return {mean, (s2 - n * mean * mean) / (n - 1)};
}

TEST(SimRandom, EngineKnownAnswer) {
  // C++ standard [rand.predef]: the 10000th consecutive invocation of a default-constructed
  // mt19937_64 produces 9981545732273789042.
  std::mt19937_64 engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
  // Rng(5489) wraps the same engine (5489 is the default seed)
  Rng rng(5489);
  for (int i = 0; i < 9999; ++i) rng.next_u64();
  EXPECT_EQ(rng.next_u64(), 9981545732273789042ULL);
}

TEST(SimRandom, CommittedFirstDraws) {
  // computed once with a pure-Python mt19937_64, (u64 >> 11) * 2^-53 and Marsaglia's polar method
  Rng u(42);
  EXPECT_EQ(u.uniform(), 0.755155532954539);
  EXPECT_EQ(u.uniform(), 0.6390313938546974);
  EXPECT_EQ(u.uniform(), 0.7521452007480266);
  Rng g(42);
  EXPECT_EQ(g.normal(), 1.2938204232729367);
  EXPECT_EQ(g.normal(), 0.7049882664208599);  // the spare of the first pair
  EXPECT_EQ(g.normal(), 0.3979773961837887);
}

TEST(SimRandom, SameSeedSameSequence) {
  Rng a(2024), b(2024), c(2025);
  bool differ = false;
  for (int i = 0; i < 1000; ++i) {
    const double xa = a.normal() + a.uniform() + a.gamma(2.5) + a.exponential(1.5) + static_cast<double>(a.uniform_int(-5, 5));
    const double xb = b.normal() + b.uniform() + b.gamma(2.5) + b.exponential(1.5) + static_cast<double>(b.uniform_int(-5, 5));
    const double xc = c.normal() + c.uniform() + c.gamma(2.5) + c.exponential(1.5) + static_cast<double>(c.uniform_int(-5, 5));
    ASSERT_EQ(xa, xb) << i;
    differ = differ || xa != xc;
  }
  EXPECT_TRUE(differ);
  EXPECT_EQ(a.seed(), 2024u);
}

TEST(SimRandom, UniformRangeAndMoments) {
  Rng rng(1);
  double lo = 1.0, hi = 0.0;
  const Moments m = moments([&] {
    const double x = rng.uniform();
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    return x;
  });
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1.0 - 1e-3);
  EXPECT_NEAR(m.mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / kN));
  EXPECT_NEAR(m.var, 1.0 / 12.0, 5 * std::sqrt(1.0 / 180.0 / kN));  // mu4 - sigma^4 = 1/80 - 1/144
  const Moments m2 = moments([&] { return rng.uniform(-2.0, 6.0); });
  EXPECT_NEAR(m2.mean, 2.0, 5 * 8.0 * std::sqrt(1.0 / 12.0 / kN));
  EXPECT_NEAR(m2.var, 64.0 / 12.0, 0.05);
  // every uniform() is a multiple of 2^-53
  for (int i = 0; i < 100; ++i) {
    const double x = rng.uniform() * 0x1.0p53;
    EXPECT_EQ(x, std::floor(x));
  }
}

TEST(SimRandom, NormalMoments) {
  Rng rng(2);
  int within_1sd = 0;
  double s3 = 0.0, s4 = 0.0;
  const Moments m = moments([&] {
    const double x = rng.normal();
    within_1sd += std::fabs(x) < 1.0;
    s3 += x * x * x;
    s4 += x * x * x * x;
    return x;
  });
  EXPECT_NEAR(m.mean, 0.0, 5 * std::sqrt(1.0 / kN));
  EXPECT_NEAR(m.var, 1.0, 5 * std::sqrt(2.0 / kN));
  EXPECT_NEAR(s3 / kN, 0.0, 5 * std::sqrt(15.0 / kN));
  EXPECT_NEAR(s4 / kN, 3.0, 5 * std::sqrt(96.0 / kN));
  EXPECT_NEAR(within_1sd / double(kN), 0.682689492, 5 * std::sqrt(0.6827 * 0.3173 / kN));
  const Moments m2 = moments([&] { return rng.normal(10.0, 3.0); });
  EXPECT_NEAR(m2.mean, 10.0, 5 * 3.0 / std::sqrt(kN));
  EXPECT_NEAR(m2.var, 9.0, 5 * 9.0 * std::sqrt(2.0 / kN));
}

TEST(SimRandom, ExponentialMoments) {
  Rng rng(3);
  double lo = 1.0;
  const Moments m = moments([&] {
    const double x = rng.exponential(2.0);
    lo = std::min(lo, x);
    return x;
  });
  EXPECT_GE(lo, 0.0);
  EXPECT_NEAR(m.mean, 0.5, 5 * 0.5 / std::sqrt(kN));
  EXPECT_NEAR(m.var, 0.25, 5 * std::sqrt(0.5 / kN));  // (mu4 - sigma^4) = 8 / rate^4
}

TEST(SimRandom, GammaMoments) {
  Rng rng(4);
  for (const double k : {0.5, 1.0, 2.5, 9.0}) {
    double lo = 1.0;
    const Moments m = moments([&] {
      const double x = rng.gamma(k);
      lo = std::min(lo, x);
      return x;
    });
    EXPECT_GT(lo, 0.0) << k;
    EXPECT_NEAR(m.mean, k, 6 * std::sqrt(k / kN)) << k;
    EXPECT_NEAR(m.var, k, 6 * std::sqrt((2 * k * k + 6 * k) / kN)) << k;  // mu4 - sigma^4 = 2k^2 + 6k
  }
}

TEST(SimRandom, TruncatedNormal) {
  Rng rng(5);
  double lo = 1e9, hi = -1e9;
  const Moments m = moments([&] {
    const double x = rng.truncated_normal(0.0, 1.0, -0.5, 2.0);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    return x;
  });
  EXPECT_GE(lo, -0.5);
  EXPECT_LE(hi, 2.0);
  // scipy.stats.truncnorm(-0.5, 2): mean 0.44574377827, var 0.37659383614
  EXPECT_NEAR(m.mean, 0.4457437782725149, 5 * std::sqrt(0.3766 / kN));
  EXPECT_NEAR(m.var, 0.37659383613683584, 0.01);
  // far tail: falls back to uniform inside the bounds
  for (int i = 0; i < 10; ++i) {
    const double x = rng.truncated_normal(0.0, 1.0, 10.0, 11.0);
    EXPECT_GE(x, 10.0);
    EXPECT_LE(x, 11.0);
  }
  EXPECT_EQ(rng.truncated_normal(5.0, 0.0, 0.0, 3.0), 3.0);  // sd 0: clamp the mean
  EXPECT_EQ(rng.truncated_normal(1.0, 0.0, 0.0, 3.0), 1.0);
  EXPECT_ERROR(rng.truncated_normal(0.0, 1.0, 2.0, 1.0), "Rng: truncated_normal low=2 must be <= high=1");
}

TEST(SimRandom, UniformIntUnbiased) {
  Rng rng(6);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < kN; ++i) {
    const long v = rng.uniform_int(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    ++counts[static_cast<std::size_t>(v + 3)];
  }
  double chi2 = 0.0;
  const double e = kN / 7.0;
  for (int c : counts) chi2 += (c - e) * (c - e) / e;
  EXPECT_LT(chi2, 22.46);  // chi2(6) 0.999 quantile
  EXPECT_EQ(rng.uniform_int(5, 5), 5);
  // span 3 * 2^62: plain modulo would put half the draws in the lowest third
  const long low = std::numeric_limits<long>::min();
  const long high = (1L << 62) - 1;  // span high - low + 1 = 3 * 2^62
  const long third = low + (1L << 62);
  int below = 0;
  for (int i = 0; i < kN; ++i) below += rng.uniform_int(low, high) < third;
  EXPECT_NEAR(below / double(kN), 1.0 / 3.0, 5 * std::sqrt(2.0 / 9.0 / kN));
  // the whole 64-bit range is allowed
  const long any = rng.uniform_int(std::numeric_limits<long>::min(), std::numeric_limits<long>::max());
  (void)any;
  EXPECT_ERROR(rng.uniform_int(3, 2), "Rng: uniform_int high=2 must be >= low=3");
}

TEST(SimRandom, Bernoulli) {
  Rng rng(7);
  int hits = 0;
  for (int i = 0; i < kN; ++i) hits += rng.bernoulli(0.3);
  EXPECT_NEAR(hits / double(kN), 0.3, 5 * std::sqrt(0.21 / kN));
}

TEST(SimRandom, DeriveSeedStreams) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL}) {
    for (std::uint64_t s = 0; s < 2000; ++s) seen.insert(derive_seed(seed, s));
  }
  EXPECT_EQ(seen.size(), 6000u);
  EXPECT_EQ(derive_seed(42, 7), derive_seed(42, 7));
  EXPECT_NE(derive_seed(42, 0), 42u);
  // child(s) is Rng(derive_seed(seed, s)); children's first draws are unrelated
  const Rng parent(42);
  Rng c1 = parent.child(1), c1b(derive_seed(42, 1)), c2 = parent.child(2);
  EXPECT_EQ(c1.seed(), derive_seed(42, 1));
  EXPECT_EQ(c1.next_u64(), c1b.next_u64());
  EXPECT_NE(c1.next_u64(), c2.next_u64());
  // first uniforms of consecutive streams look uniform and uncorrelated
  double s = 0.0, sxy = 0.0, prev = parent.child(0).uniform();
  const int n = 20000;
  for (int k = 1; k <= n; ++k) {
    const double x = parent.child(static_cast<std::uint64_t>(k)).uniform();
    s += x;
    sxy += (x - 0.5) * (prev - 0.5);
    prev = x;
  }
  EXPECT_NEAR(s / n, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(sxy / n / (1.0 / 12.0), 0.0, 5 / std::sqrt(double(n)));
}

TEST(SimRandom, BadParameters) {
  Rng rng(8);
  EXPECT_ERROR(rng.exponential(0.0), "Rng: exponential rate=0 must be finite and > 0");
  EXPECT_ERROR(rng.gamma(-1.0), "Rng: gamma shape=-1 must be finite and > 0");
  EXPECT_ERROR(rng.gamma(NAN), "gamma shape=nan");
}

}  // namespace
