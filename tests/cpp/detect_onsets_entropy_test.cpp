// The entropy-family onset detectors (SCIENCE.md §5.8, §5.9): exact sample entropy against the
// direct O(N^2) definition and the closed-form value of white Gaussian noise, sliding-window
// counts against per-window counts, the single-changepoint posterior against its closed form and
// a synthetic step, both detectors on simulated bursts against the simulator's truth, parameter
// validation and the field table.
#include "detect/onsets/method.hpp"
#include "detect/onsets/sampen.hpp"

#include "test_helpers.hpp"

#include <emg/detect/onsets.hpp>
#include <emg/fields.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/simulate/session.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

using emg::detect::detail::changepoint_posterior;
using emg::detect::detail::OnsetContext;
using emg::detect::detail::posterior_quantile;
using emg::detect::detail::SampEnCounts;
using emg::detect::detail::sample_entropy;
using emg::detect::detail::sample_entropy_counts;
using emg::detect::detail::sliding_sample_entropy_counts;
using emg::detect::detail::Span;

std::vector<double> gaussian(std::size_t n, std::uint64_t seed, double sd = 1.0) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0.0, sd);
  std::vector<double> x(n);
  for (double& v : x) v = d(g);
  return x;
}

double sd_of(const std::vector<double>& x) {
  double m = 0.0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size()));
}

// The definition, pair by pair.
SampEnCounts direct_counts(std::span<const double> x, long m, double r) {
  SampEnCounts c;
  const auto n = static_cast<std::int64_t>(x.size());
  for (std::int64_t i = 0; i < n - m; ++i) {
    for (std::int64_t j = i + 1; j < n - m; ++j) {
      bool match = true;
      for (long k = 0; k < m && match; ++k) match = std::abs(x[static_cast<std::size_t>(i + k)] - x[static_cast<std::size_t>(j + k)]) <= r;
      if (!match) continue;
      ++c.b;
      if (std::abs(x[static_cast<std::size_t>(i + m)] - x[static_cast<std::size_t>(j + m)]) <= r) ++c.a;
    }
  }
  return c;
}

// ---- sample entropy ----------------------------------------------------------------------------

TEST(SampleEntropy, CountsEqualTheDirectDefinition) {
  std::uint64_t seed = 1;
  for (const std::size_t n : {3u, 5u, 12u, 57u, 200u, 401u}) {
    for (const long m : {1L, 2L, 3L}) {
      for (const double r : {0.0, 0.05, 0.2, 0.5, 3.0}) {
        const std::vector<double> x = gaussian(n, seed++);
        const SampEnCounts got = sample_entropy_counts(x, m, r);
        const SampEnCounts want = direct_counts(x, m, r);
        EXPECT_EQ(got.a, want.a) << "n=" << n << " m=" << m << " r=" << r;
        EXPECT_EQ(got.b, want.b) << "n=" << n << " m=" << m << " r=" << r;
      }
    }
  }
  // Ties and distances exactly equal to r (small integers): the boundary |d| = r counts as a match.
  std::mt19937_64 g(7);
  std::uniform_int_distribution<int> u(-3, 3);
  for (int rep = 0; rep < 20; ++rep) {
    std::vector<double> x(150);
    for (double& v : x) v = 0.5 * u(g);
    for (const double r : {0.0, 0.5, 1.0}) {
      for (const long m : {1L, 2L}) {
        const SampEnCounts got = sample_entropy_counts(x, m, r);
        const SampEnCounts want = direct_counts(x, m, r);
        EXPECT_EQ(got.a, want.a);
        EXPECT_EQ(got.b, want.b);
      }
    }
  }
  // A wide range (one huge outlier) forces coarse buckets; still exact.
  std::vector<double> x = gaussian(300, 99);
  x[150] = 1e12;
  const SampEnCounts got = sample_entropy_counts(x, 2, 0.2);
  const SampEnCounts want = direct_counts(x, 2, 0.2);
  EXPECT_EQ(got.a, want.a);
  EXPECT_EQ(got.b, want.b);
}

TEST(SampleEntropy, WhiteGaussianNoiseHasTheClosedFormValue) {
  // For i.i.d. samples A/B -> P(|X - Y| <= r) = erf(r / (2 sigma)), so SampEn = -ln erf(0.1) = 2.18513
  // at r = 0.2 SD, for every m. With N = 20000 the estimate's SD is ~0.005; tolerance 0.03.
  const std::vector<double> x = gaussian(20000, 2024);
  const double r = 0.2 * sd_of(x);
  const double want = -std::log(std::erf(0.1));
  EXPECT_NEAR(want, 2.18513, 1e-5);
  for (const long m : {1L, 2L, 3L}) EXPECT_NEAR(sample_entropy(x, m, r), want, 0.03) << "m=" << m;
}

TEST(SampleEntropy, UndefinedCasesAndBadArguments) {
  EXPECT_TRUE(std::isnan(sample_entropy(std::vector<double>{1.0, 2.0, 3.0}, 2, 0.1)));  // one template: B = 0
  EXPECT_TRUE(std::isinf(sample_entropy(std::vector<double>{0.0, 0.0, 5.0, 0.0, 0.0, 9.0}, 2, 0.1)));  // A = 0 < B
  EXPECT_DOUBLE_EQ(sample_entropy(std::vector<double>(50, 1.0), 2, 0.0), 0.0);  // constant: A = B
  EXPECT_ERROR(sample_entropy(std::vector<double>{1.0, 2.0}, 0, 0.1), "m=0", ">= 1");
  EXPECT_ERROR(sample_entropy(std::vector<double>{1.0, 2.0}, 2, -1.0), "r=-1", ">= 0");
  EXPECT_ERROR(sample_entropy(std::vector<double>{1.0, NAN, 2.0}, 2, 0.1), "x[1]=nan", "finite");
  EXPECT_ERROR(sliding_sample_entropy_counts(std::vector<double>(10, 0.0), 2, 0.1, 3, 1), "window=3");
  EXPECT_ERROR(sliding_sample_entropy_counts(std::vector<double>(10, 0.0), 2, 0.1, 5, 0), "step=0");
}

TEST(SampleEntropy, SlidingCountsEqualEachWindowCountedAlone) {
  // A rest / burst / rest signal, so the window counts change a lot as it slides.
  std::vector<double> x = gaussian(3000, 5);
  for (std::size_t i = 1000; i < 1800; ++i) x[i] *= 8.0;
  const long window = 200;
  for (const long m : {1L, 2L, 3L}) {
    for (const long step : {1L, 7L, 150L, 197L, 250L}) {  // incremental below window - m, fresh from there on
      const std::vector<SampEnCounts> c = sliding_sample_entropy_counts(x, m, 0.2, window, step);
      ASSERT_EQ(c.size(), static_cast<std::size_t>((3000 - window) / step + 1));
      for (std::size_t k = 0; k < c.size(); ++k) {
        const SampEnCounts want =
            sample_entropy_counts(std::span<const double>(x).subspan(k * static_cast<std::size_t>(step), window), m, 0.2);
        ASSERT_EQ(c[k].a, want.a) << "m=" << m << " step=" << step << " window " << k;
        ASSERT_EQ(c[k].b, want.b) << "m=" << m << " step=" << step << " window " << k;
      }
    }
  }
  EXPECT_TRUE(sliding_sample_entropy_counts(std::vector<double>(100, 0.0), 2, 0.1, 101, 1).empty());
}

// ---- changepoint posterior -----------------------------------------------------------------------

double log_evidence_direct(std::span<const double> y) {
  const auto k = static_cast<double>(y.size());
  double m = 0.0;
  for (double v : y) m += v;
  m /= k;
  double s = 0.0;
  for (double v : y) s += (v - m) * (v - m);
  return std::lgamma(0.5 * (k - 1.0)) - 0.5 * std::log(k) - 0.5 * (k - 1.0) * std::log(std::numbers::pi * s);
}

TEST(ChangepointPosterior, MatchesTheClosedFormAndPeaksAtTheTrueSplit) {
  // Rectified Gaussian noise whose SD steps from 1 to 5 at sample 600 (the detector's model input).
  std::vector<double> y = gaussian(1000, 11);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::abs(y[i]) * (i >= 600 ? 5.0 : 1.0);
  const long kmin = 10;
  const std::vector<double> post = changepoint_posterior(y, kmin);
  ASSERT_EQ(post.size(), y.size() + 1);
  double total = 0.0;
  for (double p : post) total += p;
  EXPECT_NEAR(total, 1.0, 1e-12);
  for (std::size_t t = 0; t < static_cast<std::size_t>(kmin); ++t) EXPECT_EQ(post[t], 0.0);
  for (std::size_t t = y.size() - kmin + 1; t <= y.size(); ++t) EXPECT_EQ(post[t], 0.0);
  const auto argmax = std::max_element(post.begin(), post.end()) - post.begin();
  EXPECT_NEAR(static_cast<double>(argmax), 600.0, 3.0);
  EXPECT_NEAR(static_cast<double>(posterior_quantile(post, 0.5)), 600.0, 3.0);
  // Ratios against the two-segment evidence computed directly (two-pass sums, std::lgamma).
  const std::span<const double> s(y);
  const auto direct = [&](std::size_t t) { return log_evidence_direct(s.first(t)) + log_evidence_direct(s.subspan(t)); };
  for (const std::size_t t : {590u, 595u, 598u, 602u, 610u}) {
    if (post[t] <= 0.0 || post[600] <= 0.0) continue;
    EXPECT_NEAR(std::log(post[t] / post[600]), direct(t) - direct(600), 1e-6) << "t=" << t;
  }
  const std::vector<double> flat_post = changepoint_posterior(gaussian(400, 3), 20);  // no change: still sums to 1
  double flat_total = 0.0;
  for (double p : flat_post) flat_total += p;
  EXPECT_NEAR(flat_total, 1.0, 1e-12);
  for (const std::size_t t : {50u, 200u, 350u}) {
    const std::vector<double> z = gaussian(400, 3);
    EXPECT_NEAR(std::log(flat_post[t] / flat_post[200]),
                log_evidence_direct(std::span<const double>(z).first(t)) + log_evidence_direct(std::span<const double>(z).subspan(t)) -
                    log_evidence_direct(std::span<const double>(z).first(200)) -
                    log_evidence_direct(std::span<const double>(z).subspan(200)),
                1e-6);
  }
  EXPECT_TRUE(changepoint_posterior(std::vector<double>(19, 1.0), 10).empty());
  EXPECT_EQ(posterior_quantile({}, 0.5), -1);
}

TEST(ChangepointPosterior, FindsPureMeanAndPureVarianceShifts) {
  std::vector<double> mean_shift = gaussian(800, 21);
  for (std::size_t i = 300; i < 800; ++i) mean_shift[i] += 1.5;
  EXPECT_NEAR(static_cast<double>(posterior_quantile(changepoint_posterior(mean_shift, 5), 0.5)), 300.0, 5.0);
  std::vector<double> var_shift = gaussian(800, 22);
  for (std::size_t i = 500; i < 800; ++i) var_shift[i] *= 4.0;
  EXPECT_NEAR(static_cast<double>(posterior_quantile(changepoint_posterior(var_shift, 5), 0.5)), 500.0, 5.0);
}

// ---- the detectors on simulated bursts -------------------------------------------------------------

struct Trial {
  std::vector<double> x;  // band-passed 20-450 Hz (as the framework does)
  std::vector<emg::detect::TrueEvent> truth;
  double fs_hz = 2000.0;
};

Trial burst_trial(double snr_db, std::uint64_t seed) {
  emg::simulate::BurstTrialParams p;
  p.duration_s = 20.0;
  p.snr_db = snr_db;
  const emg::simulate::SimulatedRecording sim = emg::simulate::simulate_bursts(p, seed);
  Trial t;
  t.fs_hz = p.fs_hz;
  const emg::filters::Sos sos = emg::filters::butter(4, {20.0, 450.0}, emg::filters::BType::bandpass, p.fs_hz);
  const emg::RowMatrixXd y = emg::filters::sosfiltfilt(sos, sim.recording.data());
  t.x.assign(y.data(), y.data() + y.cols());
  for (const emg::TruthBurst& b : sim.truth.bursts) t.truth.push_back({b.onset_sample, b.offset_sample});
  return t;
}

struct Score {
  long matched = 0, n_true = 0, n_detected = 0;
  double median_onset_abs_s = NAN, median_offset_abs_s = NAN;
};

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

// One-to-one: every true burst takes the unused detection with the nearest onset within tolerance.
Score score(const std::vector<Span>& det, const Trial& t, double tolerance_s) {
  Score s;
  s.n_true = static_cast<long>(t.truth.size());
  s.n_detected = static_cast<long>(det.size());
  std::vector<bool> used(det.size(), false);
  std::vector<double> on, off;
  for (const emg::detect::TrueEvent& e : t.truth) {
    long best = -1;
    double best_d = tolerance_s;
    for (std::size_t k = 0; k < det.size(); ++k) {
      const double d = std::abs(static_cast<double>(det[k].begin - e.onset_sample)) / t.fs_hz;
      if (!used[k] && d <= best_d) best = static_cast<long>(k), best_d = d;
    }
    if (best < 0) continue;
    used[static_cast<std::size_t>(best)] = true;
    ++s.matched;
    on.push_back(best_d);
    off.push_back(std::abs(static_cast<double>(det[static_cast<std::size_t>(best)].end - e.offset_sample)) / t.fs_hz);
  }
  s.median_onset_abs_s = median(on);
  s.median_offset_abs_s = median(off);
  return s;
}

// The framework's default post-processing (merge gaps < 50 ms, drop events < 50 ms).
std::vector<Span> post(std::vector<Span> s, double fs_hz) {
  return emg::detect::detail::close_gaps_drop_short(std::move(s), std::llround(0.05 * fs_hz), std::llround(0.05 * fs_hz));
}

OnsetContext context(const Trial& t) {
  // Rest window 0.5-2.5 s, inside the simulator's 3 s quiet lead.
  return OnsetContext{t.x, t.fs_hz, std::llround(0.5 * t.fs_hz), std::llround(2.5 * t.fs_hz)};
}

TEST(ChangepointDetector, FindsEveryBurstAt20dBWithSmallOnsetErrors) {
  long matched = 0, n_true = 0, n_detected = 0;
  std::vector<double> medians;
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    const Trial t = burst_trial(20.0, seed);
    const emg::detect::detail::MethodResult r = emg::detect::detail::run_changepoint(context(t), {});
    ASSERT_EQ(r.test_function.size(), t.x.size());
    EXPECT_GT(r.threshold, r.baseline_mean);
    const Score s = score(post(r.active, t.fs_hz), t, 0.1);
    EXPECT_EQ(s.matched, s.n_true) << "seed " << seed;  // every true burst found (onset within 100 ms)
    matched += s.matched, n_true += s.n_true, n_detected += s.n_detected;
    medians.push_back(s.median_onset_abs_s);
    EXPECT_LE(s.median_onset_abs_s, 0.030) << "seed " << seed;
    EXPECT_LE(s.median_offset_abs_s, 0.060) << "seed " << seed;
  }
  EXPECT_GE(n_true, 15);
  EXPECT_EQ(n_detected, matched);  // no false events
}

TEST(SampEnDetector, FindsEveryBurstAt20dB) {
  for (const std::uint64_t seed : {1u, 2u}) {
    const Trial t = burst_trial(20.0, seed);
    const emg::detect::detail::MethodResult r = emg::detect::detail::run_sampen(context(t), {});
    ASSERT_EQ(r.test_function.size(), t.x.size());
    // Rest windows of band-passed noise: SampEn of the order of white noise's 2.18; bursts (10x
    // the rest SD against the rest tolerance) have almost no matches and sit far above.
    EXPECT_GT(r.baseline_mean, 1.0);
    EXPECT_LT(r.baseline_mean, 3.0);
    const Score s = score(post(r.active, t.fs_hz), t, 0.1);
    EXPECT_EQ(s.matched, s.n_true) << "seed " << seed;
    EXPECT_EQ(s.n_detected, s.matched) << "seed " << seed;
    EXPECT_LE(s.median_onset_abs_s, 0.040) << "seed " << seed;
  }
}

TEST(SampEnDetector, IgnoresIsolatedSpikesInTheRest) {
  // Spikes of 30 rest SDs (one sample each) in the rest between bursts: SampEn barely moves.
  Trial t = burst_trial(20.0, 4);
  std::vector<bool> active(t.x.size(), false);
  for (const auto& e : t.truth)
    for (std::int64_t i = std::max<std::int64_t>(e.onset_sample - 400, 0); i < std::min<std::int64_t>(e.offset_sample + 400, static_cast<std::int64_t>(t.x.size())); ++i)
      active[static_cast<std::size_t>(i)] = true;
  const double rest_sd = sd_of(std::vector<double>(t.x.begin() + 1000, t.x.begin() + 5000));
  long spikes = 0;
  for (std::size_t i = 6000; i < t.x.size(); i += 1500) {
    if (active[i]) continue;
    t.x[i] += 30.0 * rest_sd;
    ++spikes;
  }
  ASSERT_GE(spikes, 2);
  const emg::detect::detail::MethodResult r = emg::detect::detail::run_sampen(context(t), {});
  const Score s = score(post(r.active, t.fs_hz), t, 0.1);
  EXPECT_EQ(s.matched, s.n_true);
  EXPECT_EQ(s.n_detected, s.matched);
}

TEST(SampEnDetector, AutomaticWindowHoldsEnoughSamplesAndAShortWindowSaysWhy) {
  using emg::detect::SampEnParams;
  EXPECT_DOUBLE_EQ(SampEnParams{}.window_for(2000.0), 0.125);
  EXPECT_DOUBLE_EQ(SampEnParams{}.window_for(4000.0), 0.125);
  EXPECT_DOUBLE_EQ(SampEnParams{}.window_for(1000.0), 0.25);
  EXPECT_DOUBLE_EQ(SampEnParams{}.window_for(250.0), 1.0);
  EXPECT_DOUBLE_EQ(SampEnParams{.window_s = 0.2}.window_for(250.0), 0.2);
  // White rest with 10x bursts at 250 Hz: 31-sample windows (0.125 s) hold ~400 template pairs and
  // about 0.6 expected (m+1)-matches, so nearly every window takes the cap and nothing can exceed
  // the threshold; the automatic 1-s window detects the bursts.
  const double fs = 250.0;
  std::vector<double> x = gaussian(static_cast<std::size_t>(40 * fs), 11);
  for (const double start_s : {8.0, 20.0, 31.0})
    for (long i = static_cast<long>(start_s * fs); i < static_cast<long>((start_s + 3.0) * fs); ++i) x[static_cast<std::size_t>(i)] *= 10.0;
  emg::detect::OnsetParams p;
  p.onsets.method = emg::detect::OnsetMethod::sampen;
  p.baseline.start_s = 1.0;
  p.baseline.end_s = 6.0;
  const emg::detect::Onsets automatic = emg::detect::detect_onsets(x, fs, p);
  EXPECT_EQ(automatic.status, "ok") << automatic.message;
  EXPECT_EQ(automatic.events.size(), 3u);
  p.sampen.window_s = 0.125;
  const emg::detect::Onsets short_window = emg::detect::detect_onsets(x, fs, p);
  EXPECT_EQ(short_window.status, "no_activity");
  EXPECT_NE(short_window.message.find("largest window SampEn"), std::string::npos) << short_window.message;
  EXPECT_NE(short_window.message.find("31 samples"), std::string::npos) << short_window.message;
  EXPECT_NE(short_window.message.find("sampen.window_s"), std::string::npos) << short_window.message;
}

TEST(EntropyDetectors, RunThroughDetectOnsets) {
  const Trial t = burst_trial(20.0, 6);
  for (const auto method : {emg::detect::OnsetMethod::sampen, emg::detect::OnsetMethod::changepoint}) {
    emg::detect::OnsetParams p;
    p.onsets.method = method;
    p.onsets.bandpass = false;  // already band-passed
    p.baseline.start_s = 0.5;
    p.baseline.end_s = 2.5;
    const emg::detect::Onsets o = emg::detect::detect_onsets(t.x, t.fs_hz, p);
    EXPECT_EQ(o.status, "ok") << o.message;
    std::vector<Span> det;
    for (const emg::detect::OnsetEvent& e : o.events) det.push_back({e.onset_sample, e.offset_sample});
    const Score s = score(det, t, 0.1);
    EXPECT_EQ(s.matched, s.n_true) << emg::detect::to_string(method);
    EXPECT_EQ(s.n_detected, s.matched) << emg::detect::to_string(method);
    for (const emg::detect::OnsetEvent& e : o.events) EXPECT_GT(e.score, 1.0);
  }
}

// ---- parameters ----------------------------------------------------------------------------------

TEST(EntropyParams, ValidateNamesTheDottedKey) {
  using emg::detect::ChangepointParams;
  using emg::detect::SampEnParams;
  EXPECT_NO_THROW(SampEnParams{}.validate(2000.0));
  EXPECT_NO_THROW(ChangepointParams{}.validate(2000.0));
  EXPECT_NO_THROW(SampEnParams{}.validate(100.0));      // the lowest rate the framework accepts
  EXPECT_NO_THROW(ChangepointParams{}.validate(200.0));
  EXPECT_ERROR(SampEnParams{.m = 0}.validate(2000.0), "sampen.m=0", "1..10");
  EXPECT_ERROR(SampEnParams{.r = 0.0}.validate(2000.0), "sampen.r=0", "(0, 10]");
  EXPECT_ERROR(SampEnParams{.r = NAN}.validate(2000.0), "sampen.r=nan");
  EXPECT_ERROR(SampEnParams{.window_s = -1.0}.validate(2000.0), "sampen.window_s=-1");
  EXPECT_ERROR(SampEnParams{.window_s = INFINITY}.validate(2000.0), "sampen.window_s=inf", "nan (automatic)");
  EXPECT_ERROR(SampEnParams{.window_s = 0.005}.validate(2000.0), "sampen.window_s=0.005", "at least m + 10 = 12 samples");
  EXPECT_ERROR(SampEnParams{.min_matches = 0}.validate(2000.0), "sampen.min_matches=0", "1..1000");
  EXPECT_ERROR(SampEnParams{.min_run_s = -0.1}.validate(2000.0), "sampen.min_run_s=-0.1", "[0, 10]");
  EXPECT_ERROR(SampEnParams{.step_s = 0.2}.validate(2000.0), "sampen.step_s=0.2", "window_s=0.125");
  EXPECT_ERROR(SampEnParams{.step_s = -0.01}.validate(2000.0), "sampen.step_s=-0.01");
  EXPECT_ERROR(SampEnParams{.h = -1.0}.validate(2000.0), "sampen.h=-1", ">= 0");
  EXPECT_ERROR(ChangepointParams{.cutoff = 1.0}.validate(2000.0), "changepoint.cutoff=1", "(0, 1)");
  EXPECT_ERROR(ChangepointParams{.cutoff = 0.0}.validate(2000.0), "changepoint.cutoff=0");
  EXPECT_ERROR(ChangepointParams{.window_s = 0.02}.validate(2000.0), "changepoint.window_s=0.02", "4 min_segment_s=0.04");
  EXPECT_ERROR(ChangepointParams{.h = INFINITY}.validate(2000.0), "changepoint.h=inf");
  EXPECT_ERROR(ChangepointParams{.smooth_s = 0.0}.validate(2000.0), "changepoint.smooth_s=0", "(0, 1]");
  EXPECT_ERROR(ChangepointParams{.min_segment_s = 0.0}.validate(2000.0), "changepoint.min_segment_s=0");
  EXPECT_ERROR(ChangepointParams{.min_segment_s = NAN}.validate(2000.0), "changepoint.min_segment_s=nan", "> 0");
  // Through the framework: only the chosen method's section is validated.
  emg::detect::OnsetParams p;
  p.onsets.method = emg::detect::OnsetMethod::sampen;
  p.sampen.m = 11;
  EXPECT_ERROR(emg::detect::detect_onsets(std::vector<double>(20000, 0.0), 2000.0, p), "sampen.m=11");
}

TEST(EntropyParams, FieldTableHasEveryKeyWithItsDefault) {
  emg::detect::OnsetParams p;
  std::vector<emg::FieldRef> fields;
  emg::FieldBuilder b(fields);
  emg::detect::detail::add_entropy_fields(b, p);
  std::vector<std::string> keys;
  for (const emg::FieldRef& f : fields) {
    keys.push_back(f.key);
    ASSERT_NE(f.info, nullptr) << f.key;
    EXPECT_EQ(f.info->default_value, emg::field_text(f)) << f.key;
    EXPECT_FALSE(f.info->help.empty()) << f.key;
    EXPECT_FALSE(f.info->range.empty()) << f.key;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"sampen.m", "sampen.r", "sampen.window_s", "sampen.step_s", "sampen.h",
                                            "sampen.min_matches", "sampen.min_run_s", "changepoint.cutoff", "changepoint.window_s", "changepoint.h",
                                            "changepoint.smooth_s", "changepoint.min_segment_s"}));
  EXPECT_EQ(emg::detect::SampEnParams::describe().size(), 7u);
  EXPECT_EQ(emg::detect::ChangepointParams::describe().size(), 5u);
  // Setting a field by its key reaches the struct.
  emg::set_field(emg::find_field(fields, "changepoint.cutoff"), "0.8");
  EXPECT_EQ(p.changepoint.cutoff, 0.8);
  emg::set_field(emg::find_field(fields, "sampen.m"), "3");
  EXPECT_EQ(p.sampen.m, 3);
}

}  // namespace
