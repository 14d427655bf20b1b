// The statistical onset detectors (SCIENCE.md §5.2 Bonato, §5.3 TKEO, §5.7 AGLR) through the
// internal detector interface (detect/onsets/method.hpp): Bonato's threshold against the
// closed-form binomial solution and its chi2(2) false-alarm rate on white noise, spans on variance
// steps, every simulated burst found at 20 dB, parameter errors and the field table.
#include "detect/onsets/method.hpp"

#include "test_helpers.hpp"

#include <emg/detect/onset_statistical.hpp>
#include <emg/fields.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/simulate/session.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using emg::detect::AglrParams;
using emg::detect::BonatoParams;
using emg::detect::TkeoParams;
using emg::detect::detail::MethodResult;
using emg::detect::detail::OnsetContext;
using emg::detect::detail::Span;

std::vector<double> white(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(n));
  for (double& v : x) v = g(rng);
  return x;
}

/// The framework's default post-processing (post.merge_gap_s = post.min_active_s = 0.05 s).
std::vector<Span> post(std::vector<Span> s, double fs_hz) {
  const auto k = static_cast<std::int64_t>(std::llround(0.05 * fs_hz));
  return emg::detect::detail::close_gaps_drop_short(std::move(s), k, k);
}

// ---- Bonato's thresholds ------------------------------------------------------------------------

TEST(Bonato, ZetaCheckValue) {
  // SCIENCE.md §5.2 [D]: Pfa 0.05, m 5, r0 1 -> P = 1 - 0.95^(1/5) = 0.01021, zeta = 9.17.
  const double zeta = emg::detect::bonato_zeta(0.05, 5, 1);
  const double p_closed = 1.0 - std::pow(0.95, 0.2);
  EXPECT_NEAR(std::exp(-zeta / 2.0), p_closed, 1e-12);
  EXPECT_NEAR(std::exp(-zeta / 2.0), 0.01021, 5e-6);
  EXPECT_NEAR(zeta, 9.17, 0.005);
  // r0 = 2 of m = 5: P(Binom(5, P) >= 2) = 1 - (1-P)^5 - 5 P (1-P)^4 = pfa.
  const double z2 = emg::detect::bonato_zeta(0.05, 5, 2);
  const double q = std::exp(-z2 / 2.0);
  EXPECT_NEAR(1.0 - std::pow(1.0 - q, 5) - 5.0 * q * std::pow(1.0 - q, 4), 0.05, 1e-12);
  EXPECT_LT(z2, zeta);  // two exceedances needed: a lower first threshold
  // r0 = m: P^m = pfa.
  EXPECT_NEAR(emg::detect::bonato_zeta(0.01, 3, 3), -2.0 * std::log(std::pow(0.01, 1.0 / 3.0)), 1e-9);
}

TEST(Bonato, ThresholdScalesMWithFs) {
  // m_s = 10 ms: 5 test samples at 500 Hz (the biosignalEMG default), 20 at 2 kHz, 10 pairs at 2 kHz.
  const std::vector<double> x = white(2000, 1);
  const OnsetContext c500{x, 500.0, 0, 1000};
  EXPECT_NEAR(emg::detect::detail::run_bonato(c500, {}).threshold, emg::detect::bonato_zeta(0.05, 5, 1), 1e-12);
  const OnsetContext c2k{x, 2000.0, 0, 1000};
  EXPECT_NEAR(emg::detect::detail::run_bonato(c2k, {}).threshold, emg::detect::bonato_zeta(0.05, 20, 1), 1e-12);
  EXPECT_NEAR(emg::detect::detail::run_bonato(c2k, {.sliding = false}).threshold,
              emg::detect::bonato_zeta(0.05, 10, 1), 1e-12);
}

TEST(Bonato, Chi2FalseAlarmRateOnWhiteNoise) {
  // Under white Gaussian noise g ~ chi2(2): P(g > zeta) = exp(-zeta/2). Disjoint pairs are
  // independent, so the count is binomial; sigma0 is estimated from the whole signal, which adds
  // a relative error of (zeta/2) sqrt(2/N) to P. Tolerance: 4 SD of both together.
  const std::int64_t n = 400000;
  const std::vector<double> x = white(n, 7);
  const OnsetContext c{x, 2000.0, 0, n};
  for (const bool sliding : {false, true}) {
    const MethodResult r = emg::detect::detail::run_bonato(c, {.sliding = sliding, .whiten_order = 0});
    const double p = std::exp(-r.threshold / 2.0);
    const std::int64_t step = sliding ? 1 : 2;
    std::int64_t hits = 0, tests = 0;
    for (std::int64_t i = sliding ? 1 : 0; i < n; i += step, ++tests)
      if (r.test_function[static_cast<std::size_t>(i)] > r.threshold) ++hits;
    const double rate = static_cast<double>(hits) / static_cast<double>(tests);
    // Sliding g values share a sample with their neighbour: allow 3x the binomial variance.
    const double inflation = sliding ? 3.0 : 1.0;
    const double var = inflation * p * (1.0 - p) / static_cast<double>(tests) +
                       std::pow(r.threshold / 2.0 * p, 2) * 2.0 / static_cast<double>(n);
    EXPECT_NEAR(rate, p, 4.0 * std::sqrt(var)) << "sliding=" << sliding << " expected P=" << p;
    // The rest-window mean of g is E[chi2(2)] = 2 (to 4 SD of the mean of N exponentials / pairs).
    EXPECT_NEAR(r.baseline_mean, 2.0, 4.0 * 2.0 * std::sqrt(inflation / static_cast<double>(tests)));
  }
}

TEST(Bonato, SecondThresholdFalseAlarmProbability) {
  // Without the state rule, a sample is active when its centred window of m disjoint-pair tests
  // holds >= r0 exceedances: at rest that has probability pfa. Windows overlap, so the active
  // fraction has about m times the variance of pfa over N / (2 m) windows; +-0.01 is > 4 SD.
  const std::int64_t n = 400000;
  const std::vector<double> x = white(n, 11);
  const OnsetContext c{x, 2000.0, 0, n};
  for (const long r0 : {1L, 2L}) {
    const BonatoParams p{.pfa = 0.05, .m_s = 0.005, .r0 = r0, .min_length_s = 0.0, .sliding = false};
    const MethodResult r = emg::detect::detail::run_bonato(c, p);
    std::int64_t active = 0;
    for (const Span& s : r.active) active += s.end - s.begin;
    EXPECT_NEAR(static_cast<double>(active) / static_cast<double>(n), 0.05, 0.01) << "r0=" << r0;
  }
}

// ---- spans on variance steps ---------------------------------------------------------------------

struct Step {
  std::vector<double> x;
  std::int64_t on = 0, off = 0;
};

/// White noise (SD 1) with SD `amp` over [1.5 s, 2.5 s) of 4 s at 2 kHz.
Step step_signal(double amp, std::uint64_t seed) {
  Step s;
  s.x = white(8000, seed);
  s.on = 3000;
  s.off = 5000;
  for (std::int64_t i = s.on; i < s.off; ++i) s.x[static_cast<std::size_t>(i)] *= amp;
  return s;
}

template <class Run>
void expect_one_span(const char* name, Run run, std::int64_t tol_on, std::int64_t tol_off) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Step s = step_signal(10.0, seed);
    const OnsetContext c{s.x, 2000.0, 0, 2000};
    const MethodResult r = run(c);
    ASSERT_EQ(r.test_function.size(), s.x.size()) << name;
    const std::vector<Span> spans = post(r.active, 2000.0);
    ASSERT_EQ(spans.size(), 1u) << name << " seed " << seed << ": raw spans " << r.active.size();
    EXPECT_NEAR(static_cast<double>(spans[0].begin), static_cast<double>(s.on), static_cast<double>(tol_on))
        << name << " seed " << seed;
    EXPECT_NEAR(static_cast<double>(spans[0].end), static_cast<double>(s.off), static_cast<double>(tol_off))
        << name << " seed " << seed;
    EXPECT_GT(r.threshold, 0.0);
  }
}

TEST(StatisticalDetectors, OneSpanOnAVarianceStep) {
  // A 20 dB variance step of white noise: one interval, onset and offset within a few ms.
  // Bonato: its centred m window (10 ms) makes a +-5 ms edge (tolerance 10 ms); TKEO: the zero-phase
  // 15 Hz low-pass of |psi| spreads a 100x energy step over ~+-25 ms, so mu0 + 4 sigma0 is crossed
  // early (tolerance 30 ms); AGLR re-estimates the change times by maximum likelihood (3 ms).
  expect_one_span("bonato", [](const OnsetContext& c) { return emg::detect::detail::run_bonato(c, {}); }, 20, 20);
  expect_one_span("tkeo", [](const OnsetContext& c) { return emg::detect::detail::run_tkeo(c, {}); }, 60, 60);
  expect_one_span("aglr", [](const OnsetContext& c) { return emg::detect::detail::run_aglr(c, {}); }, 6, 6);
  expect_one_span("aglr laplace",
                  [](const OnsetContext& c) { return emg::detect::detail::run_aglr(c, {.model = "laplace"}); }, 6, 6);
}

TEST(Aglr, ChangeTimeIsTheTwoSegmentMaximumLikelihood) {
  // A small hand-checkable case: no whitening, a 3x SD step at sample 400 of 1000 samples at 1 kHz.
  // The re-estimated onset is the brute-force argmax of the two-segment Gaussian likelihood over
  // the search window: search_s before the end of the first alarming window to min_samples after it.
  std::vector<double> x = white(1000, 3);
  for (std::size_t i = 400; i < 1000; ++i) x[i] *= 3.0;
  const OnsetContext c{x, 1000.0, 0, 300};
  const AglrParams p{.ar_order = 0, .window_s = 0.05, .h = 15.0, .min_samples = 10, .search_s = 0.1};
  const MethodResult r = emg::detect::detail::run_aglr(c, p);
  ASSERT_FALSE(r.active.empty());
  std::int64_t first = -1;
  for (std::size_t i = 0; i < r.test_function.size(); ++i)
    if (r.test_function[i] > p.h) {
      first = static_cast<std::int64_t>(i);
      break;
    }
  ASSERT_GE(first, 0);
  const std::int64_t w0 = first + 25 + 1 - 100, s1 = first + 25 + 1 + 10;  // L = 50: window [i-24, i+25]
  std::int64_t best = -1;
  double best_ll = -1e300;
  for (std::int64_t t = w0 + 10; t <= s1 - 10; ++t) {
    double sa = 0, sb = 0;
    for (std::int64_t i = w0; i < t; ++i) sa += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
    for (std::int64_t i = t; i < s1; ++i) sb += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
    const double na = static_cast<double>(t - w0), nb = static_cast<double>(s1 - t);
    if (!(sb / nb > sa / na)) continue;
    const double ll = -0.5 * (na * std::log(sa / na) + nb * std::log(sb / nb));
    if (ll > best_ll) {
      best_ll = ll;
      best = t;
    }
  }
  EXPECT_EQ(r.active.front().begin, best);
  EXPECT_NEAR(static_cast<double>(best), 400.0, 10.0);
  // S is (L/2)(rho - ln rho - 1) of the centred window: check one sample inside the burst.
  double ss = 0;
  for (std::size_t i = 700 - 24; i <= 700 + 25; ++i) ss += x[i] * x[i];
  double s0 = 0;
  for (std::size_t i = 0; i < 300; ++i) s0 += x[i] * x[i];
  const double rho = (ss / 50.0) / (s0 / 300.0);
  EXPECT_NEAR(r.test_function[700], 25.0 * (rho - std::log(rho) - 1.0), 1e-9 * r.test_function[700]);
}

TEST(Tkeo, TestFunctionAndThreshold) {
  // Without the low-pass the test function is |x[n]^2 - x[n+1] x[n-1]| itself, and the
  // threshold is mu0 + j sigma0 (population SD) of its rest-window values.
  const std::vector<double> x = white(1000, 5);
  const OnsetContext c{x, 1000.0, 100, 600};
  const TkeoParams p{.lowpass_hz = 0.0, .j = 4.0, .min_duration_s = 0.0};
  const MethodResult r = emg::detect::detail::run_tkeo(c, p);
  for (std::size_t i = 1; i + 1 < x.size(); ++i)
    ASSERT_DOUBLE_EQ(r.test_function[i], std::abs(x[i] * x[i] - x[i + 1] * x[i - 1]));
  double s = 0, ss = 0;
  for (std::size_t i = 100; i < 600; ++i) s += r.test_function[i];
  const double mu = s / 500.0;
  for (std::size_t i = 100; i < 600; ++i) ss += (r.test_function[i] - mu) * (r.test_function[i] - mu);
  EXPECT_NEAR(r.threshold, mu + 4.0 * std::sqrt(ss / 500.0), 1e-12);
  for (const Span& sp : r.active)
    for (std::int64_t i = sp.begin; i < sp.end; ++i) EXPECT_GT(r.test_function[static_cast<std::size_t>(i)], r.threshold);
}

// ---- simulated bursts ----------------------------------------------------------------------------

struct Accuracy {
  long n_true = 0, found = 0, detected = 0;
  double median_abs_onset_s = 0.0;
};

/// Band-pass (20-450 Hz, order 4, zero phase) a simulated burst trial, run a detector with the
/// rest window [0.5, 2.5) s of the quiet lead, apply the default post-processing and match every
/// true burst to the nearest detected onset within 50 ms (one-to-one in order).
template <class Run>
Accuracy burst_accuracy(double snr_db, std::uint64_t seed, Run run) {
  emg::simulate::BurstTrialParams bp;
  bp.fs_hz = 2000.0;
  bp.duration_s = 20.0;
  bp.snr_db = snr_db;
  const emg::simulate::SimulatedRecording sim = emg::simulate::simulate_bursts(bp, seed);
  const emg::filters::Sos sos = emg::filters::butter(4, {20.0, 450.0}, emg::filters::BType::bandpass, bp.fs_hz);
  const emg::RowMatrixXd y = emg::filters::sosfiltfilt(sos, sim.recording.data());
  const std::vector<double> x(y.data(), y.data() + y.cols());
  const OnsetContext c{x, bp.fs_hz, 1000, 5000};
  const std::vector<Span> spans = post(run(c).active, bp.fs_hz);
  Accuracy a;
  a.detected = static_cast<long>(spans.size());
  std::vector<double> err;
  std::set<std::size_t> used;
  for (const auto& b : sim.truth.bursts) {
    ++a.n_true;
    std::size_t best = spans.size();
    double best_e = 0.05 * bp.fs_hz + 0.5;
    for (std::size_t k = 0; k < spans.size(); ++k) {
      const double e = std::abs(static_cast<double>(spans[k].begin - b.onset_sample));
      if (e < best_e && !used.count(k)) {
        best_e = e;
        best = k;
      }
    }
    if (best == spans.size()) continue;
    used.insert(best);
    ++a.found;
    err.push_back(best_e / bp.fs_hz);
  }
  if (!err.empty()) {
    std::sort(err.begin(), err.end());
    a.median_abs_onset_s = err[err.size() / 2];
  }
  return a;
}

template <class Run>
void expect_bursts_found(const char* name, Run run) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const Accuracy a = burst_accuracy(20.0, seed, run);
    ASSERT_GE(a.n_true, 4) << name;
    EXPECT_EQ(a.found, a.n_true) << name << " seed " << seed << " (detected " << a.detected << ")";
    EXPECT_LE(a.median_abs_onset_s, 0.030) << name << " seed " << seed;
  }
}

TEST(StatisticalDetectors, SimulatedBurstsAt20dB) {
  // SCIENCE.md §7.1 bursts (rise 20-200 ms) at 20 dB SNR with the default parameters: every true
  // burst matched within 50 ms, median |onset error| <= 30 ms.
  expect_bursts_found("bonato", [](const OnsetContext& c) { return emg::detect::detail::run_bonato(c, {}); });
  expect_bursts_found("tkeo", [](const OnsetContext& c) { return emg::detect::detail::run_tkeo(c, {}); });
  expect_bursts_found("aglr", [](const OnsetContext& c) { return emg::detect::detail::run_aglr(c, {}); });
  expect_bursts_found("aglr laplace",
                      [](const OnsetContext& c) { return emg::detect::detail::run_aglr(c, {.model = "laplace"}); });
}

// ---- parameters ----------------------------------------------------------------------------------

TEST(StatisticalParams, DefaultsValidate) {
  for (const double fs : {500.0, 2000.0, 10000.0}) {
    EXPECT_NO_THROW(BonatoParams{}.validate(fs));
    EXPECT_NO_THROW(TkeoParams{}.validate(fs));
    EXPECT_NO_THROW(AglrParams{}.validate(fs));
  }
}

TEST(StatisticalParams, ErrorsNameTheDottedKey) {
  EXPECT_ERROR(BonatoParams{.pfa = 0.0}.validate(2000.0), "bonato.pfa=0", "(0, 1)");
  EXPECT_ERROR(BonatoParams{.pfa = 1.0}.validate(2000.0), "bonato.pfa=1");
  EXPECT_ERROR(BonatoParams{.m_s = -0.01}.validate(2000.0), "bonato.m_s=-0.01");
  EXPECT_ERROR(BonatoParams{.m_s = 0.0002}.validate(2000.0), "bonato.m_s=", "at least one test sample");
  EXPECT_ERROR(BonatoParams{.r0 = 21}.validate(2000.0), "bonato.r0=21", "m = 20");
  EXPECT_ERROR((BonatoParams{.r0 = 6, .sliding = false}.validate(1000.0)), "bonato.r0=6", "m = 5");
  EXPECT_ERROR(BonatoParams{.r0 = 0}.validate(2000.0), "bonato.r0=0");
  EXPECT_ERROR(BonatoParams{.min_length_s = -1.0}.validate(2000.0), "bonato.min_length_s=-1");
  EXPECT_ERROR(BonatoParams{.whiten_order = 65}.validate(2000.0), "bonato.whiten_order=65");
  EXPECT_ERROR(emg::detect::bonato_zeta(0.05, 5, 6), "bonato.r0=6");
  EXPECT_ERROR(TkeoParams{.lowpass_hz = 1000.0}.validate(2000.0), "tkeo.lowpass_hz=1000", "fs_hz/2");
  EXPECT_ERROR(TkeoParams{.lowpass_hz = -5.0}.validate(2000.0), "tkeo.lowpass_hz=-5");
  EXPECT_ERROR(TkeoParams{.lowpass_order = 0}.validate(2000.0), "tkeo.lowpass_order=0");
  EXPECT_ERROR(TkeoParams{.j = std::nan("")}.validate(2000.0), "tkeo.j=nan");
  EXPECT_ERROR(TkeoParams{.min_duration_s = -0.1}.validate(2000.0), "tkeo.min_duration_s=-0.1");
  EXPECT_ERROR(AglrParams{.ar_order = -1}.validate(2000.0), "aglr.ar_order=-1");
  EXPECT_ERROR(AglrParams{.window_s = 0.0}.validate(2000.0), "aglr.window_s=0");
  EXPECT_ERROR((AglrParams{.window_s = 0.0005, .search_s = 0.1}.validate(2000.0)), "aglr.window_s=", "at least 2 samples");
  EXPECT_ERROR(AglrParams{.h = 0.0}.validate(2000.0), "aglr.h=0");
  EXPECT_ERROR(AglrParams{.model = "cauchy"}.validate(2000.0), "aglr.model=cauchy", "gaussian or laplace");
  EXPECT_ERROR(AglrParams{.min_samples = 0}.validate(2000.0), "aglr.min_samples=0");
  EXPECT_ERROR(AglrParams{.min_samples = 101}.validate(2000.0), "aglr.min_samples=101", "half the search window");
  EXPECT_ERROR(AglrParams{.search_s = 0.01}.validate(2000.0), "aglr.search_s=0.01", ">= aglr.window_s=0.05");
}

TEST(StatisticalParams, FieldTable) {
  emg::detect::OnsetParams p;
  std::vector<emg::FieldRef> fields;
  emg::FieldBuilder b(fields);
  emg::detect::detail::add_statistical_fields(b, p);
  // Every field has its ParamInfo, whose printed default is the field's default value, and every
  // described parameter is a field (same order).
  std::vector<std::string> expected;
  for (const auto& [section, table] : {std::pair{"bonato", &BonatoParams::describe()},
                                       std::pair{"tkeo", &TkeoParams::describe()},
                                       std::pair{"aglr", &AglrParams::describe()}}) {
    for (const emg::ParamInfo& info : *table) {
      expected.push_back(std::string(section) + "." + info.name);
      EXPECT_FALSE(info.help.empty()) << info.name;
      EXPECT_FALSE(info.range.empty()) << info.name;
    }
  }
  ASSERT_EQ(fields.size(), expected.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(fields[i].key, expected[i]);
    ASSERT_NE(fields[i].info, nullptr) << fields[i].key;
    EXPECT_EQ(fields[i].info->default_value, emg::field_text(fields[i])) << fields[i].key;
  }
  // Setting through the table reaches the struct; a bad model names the key.
  emg::set_field(emg::find_field(fields, "bonato.r0"), "2");
  EXPECT_EQ(p.bonato.r0, 2);
  emg::set_field(emg::find_field(fields, "aglr.model"), "laplace");
  EXPECT_EQ(p.aglr.model, "laplace");
  EXPECT_ERROR(emg::set_field(emg::find_field(fields, "aglr.model"), "cauchy"), "aglr.model", "cauchy");
}

}  // namespace
