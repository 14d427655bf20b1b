// The envelope-threshold onset detectors (SCIENCE.md §5.1, §5.4-§5.6) through their internal
// interface (detect/onsets/method.hpp): test functions against direct computations, spans on
// hand-made step signals at the exact expected samples, the temporal rules (Lidierth T1/T2,
// Abbink's transition search, Silva's adaptive threshold, Londral's minimum state), simulated
// bursts against the simulator's ground truth, parameter errors and the field table.
#include "detect/onsets/method.hpp"

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
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using emg::detect::AbbinkParams;
using emg::detect::HodgesBuiParams;
using emg::detect::LidierthParams;
using emg::detect::LondralParams;
using emg::detect::SilvaParams;
using emg::detect::detail::MethodResult;
using emg::detect::detail::OnsetContext;
using emg::detect::detail::Span;

OnsetContext context(const std::vector<double>& x, double fs, std::int64_t b0, std::int64_t b1) {
  return OnsetContext{.x = x, .fs_hz = fs, .baseline_begin = b0, .baseline_end = b1};
}

std::vector<double> white(std::size_t n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> x(n);
  for (double& v : x) v = d(g);
  return x;
}

/// Brute-force centred mean: sample n averages [n - (w-1)/2, n + w/2] clipped to the signal.
std::vector<double> centred_mean_direct(const std::vector<double>& v, long w) {
  const long n = static_cast<long>(v.size());
  std::vector<double> out(v.size());
  for (long i = 0; i < n; ++i) {
    const long a = std::max(0L, i - (w - 1) / 2), b = std::min(n - 1, i + w / 2);
    double s = 0.0;
    for (long k = a; k <= b; ++k) s += v[static_cast<std::size_t>(k)];
    out[static_cast<std::size_t>(i)] = s / static_cast<double>(b - a + 1);
  }
  return out;
}

/// (v - mean) / sd with mean, population SD over [b0, b1).
std::vector<double> normalise_direct(std::vector<double> v, std::int64_t b0, std::int64_t b1) {
  double m = 0.0;
  for (std::int64_t i = b0; i < b1; ++i) m += v[static_cast<std::size_t>(i)];
  m /= static_cast<double>(b1 - b0);
  double ss = 0.0;
  for (std::int64_t i = b0; i < b1; ++i) ss += std::pow(v[static_cast<std::size_t>(i)] - m, 2);
  const double sd = std::sqrt(ss / static_cast<double>(b1 - b0));
  for (double& y : v) y = (y - m) / sd;
  return v;
}

std::vector<double> abs_of(const std::vector<double>& x) {
  std::vector<double> a(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) a[i] = std::abs(x[i]);
  return a;
}

std::vector<double> lowpass_direct(const std::vector<double>& v, double fs, double fc, int order) {
  const emg::filters::Sos sos = emg::filters::butter(order, {fc}, emg::filters::BType::lowpass, fs);
  const Eigen::Map<const emg::RowMatrixXd> m(v.data(), 1, static_cast<Eigen::Index>(v.size()));
  const emg::RowMatrixXd y = emg::filters::sosfiltfilt(sos, m);
  return {y.data(), y.data() + y.size()};
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

std::string spans_text(const std::vector<Span>& s) {
  std::ostringstream t;
  for (const Span& x : s) t << '[' << x.begin << ',' << x.end << ") ";
  return t.str();
}

void expect_spans(const std::vector<Span>& got, const std::vector<Span>& want) {
  ASSERT_EQ(got.size(), want.size()) << "got " << spans_text(got) << " want " << spans_text(want);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].begin, want[i].begin) << "span " << i << ": got " << spans_text(got);
    EXPECT_EQ(got[i].end, want[i].end) << "span " << i << ": got " << spans_text(got);
  }
}

/// A step signal: |x| alternates 1, 2 (even / odd sample) at rest; `level` on the given intervals;
/// signs alternate so the signal is zero-mean-ish.
std::vector<double> step_signal(long n, const std::vector<std::pair<std::vector<Span>, double>>& levels) {
  std::vector<double> x(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = (i % 2 == 0) ? 1.0 : 2.0;
  for (const auto& [spans, level] : levels)
    for (const Span& s : spans)
      for (std::int64_t i = s.begin; i < s.end; ++i) x[static_cast<std::size_t>(i)] = level;
  for (long i = 0; i < n; ++i)
    if ((i / 2) % 2 == 1) x[static_cast<std::size_t>(i)] = -x[static_cast<std::size_t>(i)];
  return x;
}

// ---- Hodges & Bui ------------------------------------------------------------------------------

TEST(HodgesBui, TestFunctionEqualsTheDirectNormalisedEnvelope) {
  const double fs = 1000.0;
  const std::vector<double> x = white(3000, 1);
  const OnsetContext c = context(x, fs, 100, 1100);
  for (const double lp : {0.0, 50.0}) {
    const HodgesBuiParams p{.lowpass_hz = lp, .lowpass_order = 2, .window_s = 0.021, .h = 3.0};
    const MethodResult r = emg::detect::detail::run_hodges_bui(c, p);
    std::vector<double> a = abs_of(x);
    if (lp > 0.0) a = lowpass_direct(a, fs, lp, 2);
    const std::vector<double> ref = normalise_direct(centred_mean_direct(a, 21), 100, 1100);
    EXPECT_LT(max_abs_diff(r.test_function, ref), 1e-9) << "lowpass_hz=" << lp;
    EXPECT_EQ(r.threshold, 3.0);
    EXPECT_TRUE(std::isnan(r.threshold_off));
    EXPECT_NEAR(r.baseline_mean, 0.0, 1e-12);
    EXPECT_NEAR(r.baseline_sd, 1.0, 1e-12);
    // the spans are exactly the runs of ref > h
    std::vector<Span> want;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (!(ref[i] > 3.0)) continue;
      if (!want.empty() && want.back().end == static_cast<std::int64_t>(i)) {
        ++want.back().end;
      } else {
        want.push_back({static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1});
      }
    }
    ASSERT_FALSE(want.empty());  // white noise crosses 3 SD of its envelope somewhere in 3 s
    expect_spans(r.active, want);
  }
}

TEST(HodgesBui, StepSpansStartAndEndWithinHalfAWindow) {
  // |x| 1, 2, 1, 2 ... at rest, 10 on [200, 300). A centred window of w samples covers
  // [n - (w-1)/2, n + w/2], so it first holds a 10 at n = 200 - w/2 and last at 300 - 1 + (w-1)/2.
  // Rest values of the mean: w = 3: 4/3, 5/3 (mean 1.5, SD 1/6); w = 5: 7/5, 8/5 (SD 0.1); one 10
  // in the window lifts g to >= 17 > h = 3.
  const std::vector<double> x = step_signal(500, {{{{200, 300}}, 10.0}});
  const OnsetContext c = context(x, 1000.0, 10, 110);
  for (const long w : {3L, 5L}) {
    const HodgesBuiParams p{.lowpass_hz = 0.0, .window_s = static_cast<double>(w) / 1000.0, .h = 3.0};
    const MethodResult r = emg::detect::detail::run_hodges_bui(c, p);
    expect_spans(r.active, {{200 - w / 2, 300 + (w - 1) / 2}});
    const double rest = w == 3 ? 1.0 / 6.0 : 0.1;
    EXPECT_NEAR(r.test_function[50], ((w == 3 ? 5.0 / 3.0 : 7.0 / 5.0) - 1.5) / rest, 1e-12);  // even sample
    EXPECT_NEAR(r.test_function[250], (10.0 - 1.5) / rest, 1e-9);
  }
}

// ---- Lidierth -----------------------------------------------------------------------------------

TEST(Lidierth, T1ConfirmsAndT2ToleratesDipsAtTheExpectedSamples) {
  // window 1 sample, no low-pass: g = (|x| - 1.5) / 0.5 = -1 / +1 at rest, 17 at |x| = 10.
  // T1 = 5 samples, T2 = 3 samples (a dip of 3 or more cancels an unconfirmed change).
  const std::vector<Span> high = {
      {100, 104},                          // (a) 4 samples < T1: no event
      {150, 155},                          // (b) exactly T1: event [150, 155)
      {200, 210}, {212, 230},              // (c) a 2-sample dip inside: one event [200, 230)
      {300, 303}, {305, 307},              // (d) 3 + 2 above around a 2-sample dip: confirmed, [300, 307)
      {400, 402}, {405, 409},              // (e) 2, dip of 3 (= T2: cancels), 4 < T1: no event
      {500, 520}, {524, 540},              // (f) a 4-sample dip (< T1 below): one event [500, 540)
      {600, 615}, {620, 640},              // (g) a 5-sample dip (= T1 below): offset at 615, onset at 620
  };
  const std::vector<double> x = step_signal(800, {{high, 10.0}});
  const OnsetContext c = context(x, 1000.0, 0, 90);
  const LidierthParams p{.lowpass_hz = 0.0, .window_s = 0.001, .h = 3.0, .t1_s = 0.005, .t2_s = 0.003};
  const MethodResult r = emg::detect::detail::run_lidierth(c, p);
  EXPECT_NEAR(r.test_function[0], -1.0, 1e-12);
  EXPECT_NEAR(r.test_function[1], 1.0, 1e-12);
  EXPECT_NEAR(r.test_function[150], 17.0, 1e-12);
  expect_spans(r.active, {{150, 155}, {200, 230}, {300, 307}, {500, 540}, {600, 615}, {620, 640}});
  // with t1 = 1 sample (and t2 = 0) every crossing is confirmed at once: Lidierth is Hodges-Bui
  const LidierthParams q{.lowpass_hz = 0.0, .window_s = 0.001, .h = 3.0, .t1_s = 0.001, .t2_s = 0.0};
  const HodgesBuiParams hb{.lowpass_hz = 0.0, .window_s = 0.001, .h = 3.0};
  expect_spans(emg::detect::detail::run_lidierth(c, q).active, emg::detect::detail::run_hodges_bui(c, hb).active);
}

TEST(Lidierth, AnOffsetPendingAtTheEndIsAcceptedAtItsAlarm) {
  const std::vector<double> x = step_signal(300, {{{{200, 297}}, 10.0}});
  const OnsetContext c = context(x, 1000.0, 0, 100);
  const LidierthParams p{.lowpass_hz = 0.0, .window_s = 0.001, .h = 3.0, .t1_s = 0.005, .t2_s = 0.003};
  expect_spans(emg::detect::detail::run_lidierth(c, p).active, {{200, 297}});
  const std::vector<double> y = step_signal(300, {{{{200, 300}}, 10.0}});
  expect_spans(emg::detect::detail::run_lidierth(context(y, 1000.0, 0, 100), p).active, {{200, 300}});
}

// ---- Abbink -------------------------------------------------------------------------------------

TEST(Abbink, TestFunctionIsTheLowPassedEnvelopeNormalisedByItsBaseline) {
  const double fs = 2000.0;
  const std::vector<double> x = white(6000, 2);
  const OnsetContext c = context(x, fs, 200, 2200);
  const AbbinkParams p{};  // 20 ms window, 30 Hz order 10, h = 5
  const MethodResult r = emg::detect::detail::run_abbink(c, p);
  const std::vector<double> ref =
      normalise_direct(lowpass_direct(centred_mean_direct(abs_of(x), 40), fs, 30.0, 10), 200, 2200);
  EXPECT_LT(max_abs_diff(r.test_function, ref), 1e-9);
  EXPECT_EQ(r.threshold, 5.0);
  EXPECT_NEAR(r.baseline_mean, 0.0, 1e-12);
  EXPECT_NEAR(r.baseline_sd, 1.0, 1e-12);
}

TEST(Abbink, TransitionIsWhereTheTransitionThresholdIsCrossed) {
  // window 1 sample, no low-pass: g = -1 / +1 at rest, (2.5 - 1.5) / 0.5 = 2 on the shoulders
  // (between transition_h = 1.5 and h = 3) and 17 on the plateau. Alarm at 205 (first g > 3),
  // transition at 200 (first shoulder sample); the plateau ends at 260, the shoulder at 265.
  const std::vector<double> x = step_signal(600, {{{{200, 205}, {260, 265}, {400, 402}}, 2.5}, {{{205, 260}, {402, 430}}, 10.0}});
  const OnsetContext c = context(x, 1000.0, 0, 100);
  const AbbinkParams p{.window_s = 0.001, .lowpass_hz = 0.0, .h = 3.0, .transition_h = 1.5, .alarm_s = 0.01};
  const MethodResult r = emg::detect::detail::run_abbink(c, p);
  EXPECT_NEAR(r.test_function[200], 2.0, 1e-12);
  EXPECT_NEAR(r.test_function[205], 17.0, 1e-12);
  expect_spans(r.active, {{200, 265}, {400, 430}});
  // a shoulder longer than alarm_s: every candidate in [195, 205] scores 10 + 0; the tie goes to
  // the alarm. A shoulder of 8 samples: t = 197 scores 10 + 10; t < 197 loses samples above after
  // it, t > 197 samples below before it: the onset is 197, the first shoulder sample.
  const std::vector<double> y = step_signal(600, {{{{180, 205}}, 2.5}, {{{205, 260}}, 10.0}});
  expect_spans(emg::detect::detail::run_abbink(context(y, 1000.0, 0, 100), p).active, {{205, 260}});
  const std::vector<double> z = step_signal(600, {{{{197, 205}}, 2.5}, {{{205, 260}}, 10.0}});
  expect_spans(emg::detect::detail::run_abbink(context(z, 1000.0, 0, 100), p).active, {{197, 260}});
  // transition_h = h: the transition is the alarm itself
  const AbbinkParams q{.window_s = 0.001, .lowpass_hz = 0.0, .h = 3.0, .transition_h = 3.0, .alarm_s = 0.01};
  expect_spans(emg::detect::detail::run_abbink(c, q).active, {{205, 260}, {402, 430}});
}

// ---- Silva --------------------------------------------------------------------------------------

TEST(Silva, FixedAndAdaptiveThresholdsAtTheExpectedSamples) {
  // w = 3 samples: the rest test function alternates 5/3 (even n), 4/3 (odd n): mean 1.5, SD 1/6,
  // fixed threshold 1.5 + 3/6 = 2. Trailing adaptive window W_T = 20 samples.
  // Event 1: |x| = 10 on [100, 200): onset 99 (window [98, 100] holds a 10), offset 201 (window
  // [200, 202] is at rest, below both).
  // Event 2: |x| = 6 on [203, 260). From 202 on the test function is above the fixed threshold,
  // but the trailing mean still holds the 10s: at 215 it is (4 x 10 + 1 + 2 + 1 + 13 x 6) / 20 =
  // 6.1 > 6, at 216 (3 x 10 + 4 + 14 x 6) / 20 = 5.9 < 6: onset 216. Offset 261 (window [260, 262]
  // is at rest; at 260 it holds a 6, (6 + 1 + 2) / 3 = 3 > 2).
  const std::vector<double> x = step_signal(400, {{{{100, 200}}, 10.0}, {{{203, 260}}, 6.0}});
  const OnsetContext c = context(x, 1000.0, 2, 92);
  const SilvaParams p{.window_s = 0.003, .threshold_window_s = 0.02, .h = 3.0};
  const MethodResult r = emg::detect::detail::run_silva(c, p);
  EXPECT_LT(max_abs_diff(r.test_function, centred_mean_direct(abs_of(x), 3)), 1e-12);
  EXPECT_NEAR(r.baseline_mean, 1.5, 1e-12);
  EXPECT_NEAR(r.baseline_sd, 1.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.threshold, 2.0, 1e-12);
  expect_spans(r.active, {{99, 201}, {216, 261}});
}

// ---- Londral ------------------------------------------------------------------------------------

TEST(Londral, TestFunctionIsTheWindowedVariance) {
  const std::vector<double> x = white(2000, 3);
  const OnsetContext c = context(x, 1000.0, 0, 500);
  const LondralParams p{.window_s = 0.05, .h = 3.0, .min_active_s = 0.05};
  const MethodResult r = emg::detect::detail::run_londral(c, p);
  // (1/W)(sum x^2 - (sum x)^2 / W) over [n - 24, n + 25], W = the samples that exist
  std::vector<double> ref(x.size());
  for (long n = 0; n < 2000; ++n) {
    const long a = std::max(0L, n - 24), b = std::min(1999L, n + 25);
    double s = 0.0, s2 = 0.0;
    for (long k = a; k <= b; ++k) {
      s += x[static_cast<std::size_t>(k)];
      s2 += x[static_cast<std::size_t>(k)] * x[static_cast<std::size_t>(k)];
    }
    const double w = static_cast<double>(b - a + 1);
    ref[static_cast<std::size_t>(n)] = (s2 - s * s / w) / w;
  }
  EXPECT_LT(max_abs_diff(r.test_function, ref), 1e-12);
  const std::vector<double> base(ref.begin(), ref.begin() + 500);
  double m = 0.0, ss = 0.0;
  for (double v : base) m += v;
  m /= 500.0;
  for (double v : base) ss += (v - m) * (v - m);
  EXPECT_NEAR(r.baseline_mean, m, 1e-12);
  EXPECT_NEAR(r.threshold, m + 3.0 * std::sqrt(ss / 500.0), 1e-12);
}

TEST(Londral, MinimumStateDurationAtTheExpectedSamples) {
  // W = 2 samples: the window [n, n + 1]; the variance of two samples is ((a - b) / 2)^2.
  // Rest x = 1, -1, 2, -2 repeating: variances 1, 2.25, 4, 2.25 (mean 2.375, SD 1.068, threshold
  // 5.58); burst x = +-10 alternating: 100 inside, >= 16 on its first / last window. A burst on
  // [s, e) is above the threshold on [s - 1, e). Minimum state 5 samples.
  std::vector<double> x(600);
  const double rest[4] = {1.0, -1.0, 2.0, -2.0};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = rest[i % 4];
  auto burst = [&x](long s, long e) {
    for (long i = s; i < e; ++i) x[static_cast<std::size_t>(i)] = (i % 2 == 0) ? 10.0 : -10.0;
  };
  burst(150, 153);                    // above on [149, 153): 4 < 5 samples, no event
  burst(200, 204);                    // above on [199, 204): 5 samples, event
  burst(300, 320), burst(323, 340);   // a 3-sample rest (below on [320, 322): 2 samples) ignored
  burst(400, 420), burst(426, 440);   // a 6-sample rest: below on [420, 425), 5 samples: offset 420
  const OnsetContext c = context(x, 1000.0, 0, 100);
  const LondralParams p{.window_s = 0.002, .h = 3.0, .min_active_s = 0.005};
  const MethodResult r = emg::detect::detail::run_londral(c, p);
  EXPECT_NEAR(r.baseline_mean, 2.375, 1e-12);
  EXPECT_NEAR(r.baseline_sd, std::sqrt(1.140625), 1e-12);
  EXPECT_NEAR(r.test_function[310], 100.0, 1e-12);
  expect_spans(r.active, {{199, 204}, {299, 340}, {399, 420}, {425, 440}});
}

// ---- simulated bursts ---------------------------------------------------------------------------

struct Accuracy {
  long n_true = 0, found = 0, n_detected = 0;
  double median_abs_onset_s = 0.0, f1 = 0.0;
};

/// Band-pass 20-450 Hz, run the detector with the framework's default post-processing (close gaps
/// < 50 ms, drop events < 50 ms), match each true burst to the nearest detected onset within 50 ms
/// (one-to-one, greedy in time order).
template <class Run>
Accuracy accuracy(double snr_db, std::uint64_t seed, Run run) {
  emg::simulate::BurstTrialParams bp;
  bp.duration_s = 20.0;
  bp.snr_db = snr_db;
  const emg::simulate::SimulatedRecording sim = emg::simulate::simulate_bursts(bp, seed);
  const double fs = bp.fs_hz;
  const emg::filters::Sos sos = emg::filters::butter(4, {20.0, 450.0}, emg::filters::BType::bandpass, fs);
  const emg::RowMatrixXd y = emg::filters::sosfiltfilt(sos, sim.recording.data());
  const std::vector<double> x(y.data(), y.data() + y.cols());
  const OnsetContext c = context(x, fs, static_cast<std::int64_t>(0.5 * fs), static_cast<std::int64_t>(2.5 * fs));
  const MethodResult r = run(c);
  const auto fifty_ms = static_cast<std::int64_t>(0.05 * fs);
  const std::vector<Span> ev = emg::detect::detail::close_gaps_drop_short(r.active, fifty_ms, fifty_ms);
  Accuracy a;
  a.n_true = static_cast<long>(sim.truth.bursts.size());
  a.n_detected = static_cast<long>(ev.size());
  std::vector<bool> used(ev.size(), false);
  std::vector<double> err;
  for (const auto& b : sim.truth.bursts) {
    long best = -1;
    for (std::size_t k = 0; k < ev.size(); ++k) {
      if (used[k] || std::abs(ev[k].begin - b.onset_sample) > fifty_ms) continue;
      if (best < 0 || std::abs(ev[k].begin - b.onset_sample) < std::abs(ev[static_cast<std::size_t>(best)].begin - b.onset_sample))
        best = static_cast<long>(k);
    }
    if (best < 0) continue;
    used[static_cast<std::size_t>(best)] = true;
    ++a.found;
    err.push_back(std::abs(static_cast<double>(ev[static_cast<std::size_t>(best)].begin - b.onset_sample)) / fs);
  }
  if (!err.empty()) {
    std::sort(err.begin(), err.end());
    const std::size_t m = err.size() / 2;
    a.median_abs_onset_s = err.size() % 2 ? err[m] : 0.5 * (err[m - 1] + err[m]);
  }
  const double prec = a.n_detected ? static_cast<double>(a.found) / static_cast<double>(a.n_detected) : 0.0;
  const double rec = static_cast<double>(a.found) / static_cast<double>(a.n_true);
  a.f1 = prec + rec > 0.0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
  return a;
}

template <class Run>
void check_simulated(const char* name, Run run) {
  long true_10 = 0, found_10 = 0, detected_10 = 0;
  for (const std::uint64_t seed : {11ULL, 12ULL, 13ULL}) {
    for (const double snr : {20.0, 10.0}) {
      const Accuracy a = accuracy(snr, seed, run);
      std::cout << name << " seed " << seed << " snr " << snr << " dB: true " << a.n_true << " found " << a.found
                << " detected " << a.n_detected << " F1 " << a.f1 << " median |onset error| "
                << a.median_abs_onset_s * 1e3 << " ms\n";
      ASSERT_GE(a.n_true, 5);
      if (snr == 20.0) {
        EXPECT_EQ(a.found, a.n_true) << name << " seed " << seed;          // every true burst found
        EXPECT_LE(a.n_detected, a.n_true + 1) << name << " seed " << seed;  // at most one spurious event
        EXPECT_LE(a.median_abs_onset_s, 0.030) << name << " seed " << seed;
      } else {
        true_10 += a.n_true;
        found_10 += a.found;
        detected_10 += a.n_detected;
      }
    }
  }
  // 10 dB, pooled over the three trials: at least 80 % found within 50 ms, at most 3 extra events
  EXPECT_GE(static_cast<double>(found_10), 0.8 * static_cast<double>(true_10)) << name;
  EXPECT_LE(detected_10, true_10 + 3) << name;
}

TEST(Simulated, HodgesBui) {
  check_simulated("hodges_bui", [](const OnsetContext& c) { return emg::detect::detail::run_hodges_bui(c, {}); });
}
TEST(Simulated, Lidierth) {
  check_simulated("lidierth", [](const OnsetContext& c) { return emg::detect::detail::run_lidierth(c, {}); });
}
TEST(Simulated, Abbink) {
  check_simulated("abbink", [](const OnsetContext& c) { return emg::detect::detail::run_abbink(c, {}); });
}
TEST(Simulated, Silva) {
  check_simulated("silva", [](const OnsetContext& c) { return emg::detect::detail::run_silva(c, {}); });
}
TEST(Simulated, Londral) {
  check_simulated("londral", [](const OnsetContext& c) { return emg::detect::detail::run_londral(c, {}); });
}

// ---- parameters ---------------------------------------------------------------------------------

TEST(Params, DefaultsAreValidAtCommonRates) {
  for (const double fs : {500.0, 1000.0, 2000.0, 10000.0}) {
    EXPECT_NO_THROW(HodgesBuiParams{}.validate(fs));
    EXPECT_NO_THROW(LidierthParams{}.validate(fs));
    EXPECT_NO_THROW(AbbinkParams{}.validate(fs));
    EXPECT_NO_THROW(SilvaParams{}.validate(fs));
    EXPECT_NO_THROW(LondralParams{}.validate(fs));
  }
}

TEST(Params, ErrorsNameTheDottedKeyTheValueAndTheRule) {
  const double fs = 2000.0;
  EXPECT_ERROR(HodgesBuiParams{.window_s = -1.0}.validate(fs), "hodges_bui.window_s=-1 must be", "(0, 10]");
  EXPECT_ERROR(HodgesBuiParams{.window_s = 0.0001}.validate(fs), "hodges_bui.window_s=1e-04 must be", "1 samples");
  EXPECT_ERROR(HodgesBuiParams{.lowpass_hz = 1000.0}.validate(fs), "hodges_bui.lowpass_hz=1000 must be", "fs_hz/2=1000");
  EXPECT_ERROR(HodgesBuiParams{.lowpass_order = 0}.validate(fs), "hodges_bui.lowpass_order=0 must be in 1..10");
  EXPECT_ERROR(HodgesBuiParams{.h = 0.0}.validate(fs), "hodges_bui.h=0 must be");
  EXPECT_ERROR(HodgesBuiParams{.h = std::nan("")}.validate(fs), "hodges_bui.h=nan must be");
  EXPECT_ERROR(LidierthParams{.t1_s = 0.0}.validate(fs), "lidierth.t1_s=0 must be");
  EXPECT_ERROR(LidierthParams{.t2_s = -0.01}.validate(fs), "lidierth.t2_s=-0.01 must be in [0, 10]");
  EXPECT_ERROR(LidierthParams{.lowpass_order = 11}.validate(fs), "lidierth.lowpass_order=11 must be in 1..10");
  EXPECT_ERROR(AbbinkParams{.transition_h = 6.0}.validate(fs), "abbink.transition_h=6 must be", "<= h=5");
  EXPECT_ERROR(AbbinkParams{.alarm_s = 20.0}.validate(fs), "abbink.alarm_s=20 must be in (0, 10]");
  EXPECT_ERROR(AbbinkParams{.lowpass_hz = -5.0}.validate(fs), "abbink.lowpass_hz=-5 must be");
  EXPECT_ERROR((SilvaParams{.window_s = 0.5, .threshold_window_s = 0.5}.validate(fs)),
               "silva.threshold_window_s=0.5 must be > window_s=0.5");
  EXPECT_ERROR(SilvaParams{.h = -1.0}.validate(fs), "silva.h=-1 must be in [0, 1000]");
  EXPECT_ERROR(LondralParams{.window_s = 0.0005}.validate(fs), "londral.window_s=5e-04 must be", "2 samples");
  EXPECT_ERROR(LondralParams{.min_active_s = 0.0}.validate(fs), "londral.min_active_s=0 must be");
  EXPECT_ERROR(LondralParams{}.validate(0.0), "londral.fs_hz=0 must be");
}

// ---- field table --------------------------------------------------------------------------------

TEST(Fields, EveryFieldHasItsTableEntryAndDefaultsMatch) {
  emg::detect::OnsetParams p;
  std::vector<emg::FieldRef> f;
  emg::FieldBuilder b(f);
  emg::detect::detail::add_envelope_fields(b, p);
  const std::size_t n_declared = HodgesBuiParams::describe().size() + LidierthParams::describe().size() +
                                 AbbinkParams::describe().size() + SilvaParams::describe().size() +
                                 LondralParams::describe().size();
  EXPECT_EQ(f.size(), n_declared);  // every declared parameter is a field, and the reverse
  EXPECT_EQ(f.size(), 4u + 6u + 6u + 3u + 3u);
  for (const emg::FieldRef& r : f) {
    ASSERT_NE(r.info, nullptr) << r.key;
    EXPECT_EQ(r.key.substr(r.key.find('.') + 1), r.info->name);
    EXPECT_EQ(emg::field_text(r), r.info->default_value) << r.key;  // table default == in-class default
    EXPECT_FALSE(r.info->help.empty()) << r.key;
    EXPECT_FALSE(r.info->range.empty()) << r.key;
  }
}

TEST(Fields, SetFieldRoundTrips) {
  emg::detect::OnsetParams p;
  std::vector<emg::FieldRef> f;
  emg::FieldBuilder b(f);
  emg::detect::detail::add_envelope_fields(b, p);
  for (const emg::FieldRef& r : f) {
    const std::string text = std::holds_alternative<int*>(r.target) ? "7" : "0.125";
    emg::set_field(r, text);
    EXPECT_EQ(emg::field_text(r), text) << r.key;
  }
  EXPECT_EQ(p.hodges_bui.window_s, 0.125);
  EXPECT_EQ(p.hodges_bui.lowpass_order, 7);
  EXPECT_EQ(p.lidierth.t2_s, 0.125);
  EXPECT_EQ(p.abbink.transition_h, 0.125);
  EXPECT_EQ(p.silva.threshold_window_s, 0.125);
  EXPECT_EQ(p.londral.min_active_s, 0.125);
  EXPECT_EQ(&emg::find_field(f, "abbink.alarm_s"), &f[4 + 6 + 5]);
}

TEST(OnsetBlocks, CentredMovingAverageEqualsBruteForce) {
  // Lengths across the 4096-sample restart blocks, windows odd and even, wider than the signal.
  std::mt19937_64 rng(17);
  std::normal_distribution<double> nd(3.0, 1.0);
  for (const std::size_t n : {1u, 2u, 7u, 4095u, 4096u, 4097u, 9000u}) {
    std::vector<double> v(n);
    for (double& x : v) x = nd(rng);
    for (const long w : {1L, 2L, 5L, 40L, 41L, 5000L, 20000L}) {
      const std::vector<double> got = emg::detect::detail::moving_average_centred(v, w);
      ASSERT_EQ(got.size(), n);
      const long before = (w - 1) / 2, after = w / 2;
      for (std::size_t i = 0; i < n; ++i) {
        const long a = std::max<long>(static_cast<long>(i) - before, 0);
        const long b = std::min<long>(static_cast<long>(i) + after + 1, static_cast<long>(n));
        double sum = 0.0;
        for (long k = a; k < b; ++k) sum += v[static_cast<std::size_t>(k)];
        ASSERT_NEAR(got[i], sum / static_cast<double>(b - a), 1e-12) << "n " << n << " w " << w << " i " << i;
      }
    }
  }
}

}  // namespace
