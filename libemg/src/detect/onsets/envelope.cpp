// The envelope-threshold onset detectors (SCIENCE.md §5.1, §5.4-§5.6): Hodges & Bui, Lidierth,
// Abbink, Silva, Londral; their parameter checks, tables and field sections.
//
// Every test function is delay-corrected: the windows are centred (moving_average_centred), the
// low-passes zero-phase, so a step in the signal's amplitude at sample s moves the test function
// around s, never W/2 later. Every detector is one or two O(n) passes.
#include "detect/onsets/method.hpp"

#include "detail/check.hpp"

#include <emg/detect/onset_envelope.hpp>
#include <emg/filters/design.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>

namespace emg::detect {

namespace {

using detail::require;

constexpr double kMaxWindowS = 10.0;  // longest window any of these detectors accepts

// ---- shared checks ------------------------------------------------------------------------------

void check_fs(const char* section, double fs_hz) {
  require(std::isfinite(fs_hz) && fs_hz > 0.0, section, "fs_hz", fs_hz, "finite and > 0");
}

/// A window in seconds: finite, in (0, kMaxWindowS], holding at least `min_samples` samples.
void check_window(const char* section, const char* name, double seconds, double fs_hz, long min_samples) {
  require(std::isfinite(seconds) && seconds > 0.0 && seconds <= kMaxWindowS, section, name, seconds, "in (0, 10] s");
  const std::string rule = "at least " + std::to_string(min_samples) + " samples long at fs_hz=" +
                           emg::detail::fmt(fs_hz) + " (>= " + emg::detail::fmt(static_cast<double>(min_samples) / fs_hz) +
                           " s)";
  require(std::llround(seconds * fs_hz) >= min_samples, section, name, seconds, rule.c_str());
}

/// A duration that may be zero: finite, in [0, kMaxWindowS].
void check_duration(const char* section, const char* name, double seconds) {
  require(std::isfinite(seconds) && seconds >= 0.0 && seconds <= kMaxWindowS, section, name, seconds, "in [0, 10] s");
}

/// An optional zero-phase Butterworth low-pass: 0 (none) or in (0, fs/2); order 1..kMaxButterOrder.
void check_lowpass(const char* section, double lowpass_hz, int order, double fs_hz) {
  const std::string rule = "0 (no low-pass) or in (0, fs_hz/2=" + emg::detail::fmt(fs_hz / 2.0) + ") Hz";
  require(std::isfinite(lowpass_hz) && lowpass_hz >= 0.0 && lowpass_hz < fs_hz / 2.0, section, "lowpass_hz", lowpass_hz,
          rule.c_str());
  const std::string orule = "in 1.." + std::to_string(filters::kMaxButterOrder);
  require(order >= 1 && order <= filters::kMaxButterOrder, section, "lowpass_order", static_cast<double>(order),
          orule.c_str());
}

void check_h(const char* section, double h) {
  require(std::isfinite(h) && h > 0.0 && h <= 1000.0, section, "h", h, "in (0, 1000] (baseline SDs)");
}

// ---- shared detection steps ---------------------------------------------------------------------

/// Fill baseline_mean / baseline_sd of r.test_function over the rest window.
void fill_baseline(detail::MethodResult& r, const detail::OnsetContext& c) {
  const detail::MeanSd s = detail::mean_sd(r.test_function, c.baseline_begin, c.baseline_end);
  r.baseline_mean = s.mean;
  r.baseline_sd = s.sd;
}

/// Confirmed state changes (Lidierth 1986, SCIENCE.md §5.4; also Londral's minimum state
/// duration). Starting at rest, a change of state is raised at the first sample of the other
/// state (the alarm) and confirmed once `confirm` samples of the new state have accumulated
/// without an excursion back into the old state of `cancel` or more consecutive samples; the
/// change is dated at the alarm. A sample is active when g > h (NaN counts as rest). A change
/// still pending at the end of the signal is confirmed only for an offset (the signal ends at
/// rest). One pass, O(n).
std::vector<detail::Span> confirmed_states(std::span<const double> g, double h, std::int64_t confirm,
                                           std::int64_t cancel) {
  std::vector<detail::Span> out;
  const auto n = static_cast<std::int64_t>(g.size());
  confirm = std::max<std::int64_t>(confirm, 1);
  cancel = std::max<std::int64_t>(cancel, 1);
  bool active = false, alarm = false;
  std::int64_t alarm_at = 0, count = 0, fail = 0, onset = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const bool above = g[static_cast<std::size_t>(k)] > h;
    const bool in_new = active ? !above : above;
    if (!alarm) {
      if (!in_new) continue;
      alarm = true;
      alarm_at = k;
      count = 0;
      fail = 0;
    }
    if (in_new) {
      ++count;
      fail = 0;
      if (count >= confirm) {  // confirmed: the state changed at the alarm
        if (active) {
          out.push_back({onset, alarm_at});
        } else {
          onset = alarm_at;
        }
        active = !active;
        alarm = false;
      }
    } else if (++fail >= cancel) {
      alarm = false;  // the old state came back for too long: a false alarm
    }
  }
  if (active) out.push_back({onset, alarm ? alarm_at : n});
  return out;
}

/// Arg-max of score(t) over windows [lo, hi] whose ends never decrease (monotone deque). Ties go
/// to the latest index when `latest`, else to the earliest. Amortised O(1) per query and index.
template <class Score>
class SlidingArgmax {
 public:
  SlidingArgmax(Score score, bool latest) : score_(std::move(score)), latest_(latest) {}
  std::int64_t query(std::int64_t lo, std::int64_t hi) {
    for (next_ = std::max(next_, lo); next_ <= hi; ++next_) {
      const std::int64_t s = score_(next_);
      while (!q_.empty() && (q_.back().second < s || (latest_ && q_.back().second == s))) q_.pop_back();
      q_.emplace_back(next_, s);
    }
    while (!q_.empty() && q_.front().first < lo) q_.pop_front();
    return q_.empty() ? lo : q_.front().first;
  }

 private:
  Score score_;
  bool latest_;
  std::int64_t next_ = 0;
  std::deque<std::pair<std::int64_t, std::int64_t>> q_;
};

}  // namespace

// ---- the detectors ------------------------------------------------------------------------------

namespace detail {

MethodResult run_hodges_bui(const OnsetContext& c, const HodgesBuiParams& p) {
  MethodResult r;
  MeanSd e_stats;
  r.test_function = normalised_envelope(c, p.lowpass_hz, p.lowpass_order, p.window_s, "hodges_bui", e_stats);
  r.threshold = p.h;
  r.active = threshold_spans(r.test_function, p.h, p.h);
  fill_baseline(r, c);
  return r;
}

MethodResult run_lidierth(const OnsetContext& c, const LidierthParams& p) {
  MethodResult r;
  MeanSd e_stats;
  r.test_function = normalised_envelope(c, p.lowpass_hz, p.lowpass_order, p.window_s, "lidierth", e_stats);
  r.threshold = p.h;
  r.active = confirmed_states(r.test_function, p.h, samples_of(p.t1_s, c.fs_hz), samples_of(p.t2_s, c.fs_hz, 0));
  fill_baseline(r, c);
  return r;
}

MethodResult run_abbink(const OnsetContext& c, const AbbinkParams& p) {
  MethodResult r;
  // The centred moving average of |x|, low-passed again (zero-phase), normalised by its own
  // baseline so that h and transition_h are in SDs of the function that is thresholded.
  MeanSd stats;
  std::vector<double> f = normalised_envelope(c, 0.0, 1, p.window_s, "abbink", stats);
  f = lowpass_zero_phase(f, c.fs_hz, p.lowpass_hz, p.lowpass_order, "abbink.lowpass_hz");
  stats = mean_sd(f, c.baseline_begin, c.baseline_end);
  const double sd = guarded_sd(stats);
  for (double& y : f) y = (y - stats.mean) / sd;
  r.test_function = std::move(f);
  r.threshold = p.h;
  fill_baseline(r, c);

  const std::span<const double> g = r.test_function;
  const auto n = static_cast<std::int64_t>(g.size());
  const std::vector<Span> alarms = threshold_spans(g, p.h, p.h);
  if (alarms.empty()) return r;
  // Prefix counts of samples below / above the transition threshold: any window count in O(1).
  std::vector<std::int64_t> below(static_cast<std::size_t>(n) + 1, 0), above(static_cast<std::size_t>(n) + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const double y = g[static_cast<std::size_t>(i)];
    below[static_cast<std::size_t>(i) + 1] = below[static_cast<std::size_t>(i)] + (y < p.transition_h ? 1 : 0);
    above[static_cast<std::size_t>(i) + 1] = above[static_cast<std::size_t>(i)] + (y > p.transition_h ? 1 : 0);
  }
  const std::int64_t w = samples_of(p.alarm_s, c.fs_hz);
  auto count = [n](const std::vector<std::int64_t>& pre, std::int64_t a, std::int64_t b) {
    a = std::clamp<std::int64_t>(a, 0, n);
    b = std::clamp<std::int64_t>(b, 0, n);
    return pre[static_cast<std::size_t>(b)] - pre[static_cast<std::size_t>(a)];
  };
  // Onset transition t: rest before, activity after: #below in [t - w, t) + #above in [t, t + w),
  // searched in [alarm - w, alarm]. Offset transition: #above before + #below after, searched in
  // [alarm, alarm + w] (transition_h <= h, so it is crossed before the onset alarm and after the
  // offset alarm). Ties go to the candidate nearest the alarm: a brief false alarm in the rest
  // (where both counts are flat) stays brief instead of growing to 2 alarm_s.
  SlidingArgmax on_search([&](std::int64_t t) { return count(below, t - w, t) + count(above, t, t + w); }, true);
  SlidingArgmax off_search([&](std::int64_t t) { return count(above, t - w, t) + count(below, t, t + w); }, false);
  for (const Span& a : alarms) {
    const std::int64_t on = on_search.query(std::max<std::int64_t>(a.begin - w, 0), a.begin);
    const std::int64_t off = a.end >= n ? n : off_search.query(a.end, std::min<std::int64_t>(a.end + w, n - 1));
    if (!r.active.empty() && on <= r.active.back().end) {
      r.active.back().begin = std::min(r.active.back().begin, on);
      r.active.back().end = std::max(r.active.back().end, off);
    } else {
      r.active.push_back({on, off});
    }
  }
  return r;
}

MethodResult run_silva(const OnsetContext& c, const SilvaParams& p) {
  MethodResult r;
  const auto n = static_cast<std::int64_t>(c.x.size());
  std::vector<double> ax(c.x.size());
  for (std::size_t i = 0; i < ax.size(); ++i) ax[i] = std::abs(c.x[i]);
  r.test_function = moving_average_centred(ax, samples_of(p.window_s, c.fs_hz));
  fill_baseline(r, c);
  const double fixed = r.baseline_mean + p.h * guarded_sd({r.baseline_mean, r.baseline_sd});
  r.threshold = fixed;
  // The adaptive threshold: the mean |x| over the preceding threshold_window_s (trailing window
  // [k - W_T + 1, k], truncated at the start). A centred long window would rise before a burst
  // and delay its onset by up to half the rise time. Onset when the test function exceeds both
  // thresholds, offset when it falls below both (BioSPPy's rule).
  const std::int64_t wt = samples_of(p.threshold_window_s, c.fs_hz);
  constexpr std::int64_t kRestart = 4096;  // exact recomputation of the running sum against drift
  double sum = 0.0;
  bool active = false;
  std::int64_t onset = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t lo = std::max<std::int64_t>(k - wt + 1, 0);
    if (k % kRestart == 0) {
      sum = 0.0;
      for (std::int64_t i = lo; i <= k; ++i) sum += ax[static_cast<std::size_t>(i)];
    } else {
      sum += ax[static_cast<std::size_t>(k)];
      if (lo > 0) sum -= ax[static_cast<std::size_t>(lo - 1)];
    }
    const double adaptive = sum / static_cast<double>(k - lo + 1);
    const double g = r.test_function[static_cast<std::size_t>(k)];
    if (!active && g > fixed && g > adaptive) {
      active = true;
      onset = k;
    } else if (active && !(g > fixed) && !(g > adaptive)) {
      active = false;
      r.active.push_back({onset, k});
    }
  }
  if (active) r.active.push_back({onset, n});
  return r;
}

MethodResult run_londral(const OnsetContext& c, const LondralParams& p) {
  MethodResult r;
  // (1/W)(sum x^2 - (sum x)^2 / W) over a centred window = mean(x^2) - mean(x)^2.
  const long w = samples_of(p.window_s, c.fs_hz, 2);
  std::vector<double> sq(c.x.size());
  for (std::size_t i = 0; i < sq.size(); ++i) sq[i] = c.x[i] * c.x[i];
  const std::vector<double> m1 = moving_average_centred(c.x, w);
  std::vector<double> v = moving_average_centred(sq, w);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::max(v[i] - m1[i] * m1[i], 0.0);
  r.test_function = std::move(v);
  fill_baseline(r, c);
  r.threshold = r.baseline_mean + p.h * guarded_sd({r.baseline_mean, r.baseline_sd});
  // Minimum state duration: a change of state (onset or offset) needs min_active_s consecutive
  // samples of the new state; it is dated at the first of them.
  const std::int64_t m = samples_of(p.min_active_s, c.fs_hz);
  r.active = confirmed_states(r.test_function, r.threshold, m, 1);
  return r;
}

void add_envelope_fields(FieldBuilder& b, OnsetParams& p) {
  b.section("hodges_bui", &HodgesBuiParams::describe())("lowpass_hz", &p.hodges_bui.lowpass_hz)(
      "lowpass_order", &p.hodges_bui.lowpass_order)("window_s", &p.hodges_bui.window_s)("h", &p.hodges_bui.h);
  b.section("lidierth", &LidierthParams::describe())("lowpass_hz", &p.lidierth.lowpass_hz)(
      "lowpass_order", &p.lidierth.lowpass_order)("window_s", &p.lidierth.window_s)("h", &p.lidierth.h)(
      "t1_s", &p.lidierth.t1_s)("t2_s", &p.lidierth.t2_s);
  b.section("abbink", &AbbinkParams::describe())("window_s", &p.abbink.window_s)("lowpass_hz", &p.abbink.lowpass_hz)(
      "lowpass_order", &p.abbink.lowpass_order)("h", &p.abbink.h)("transition_h", &p.abbink.transition_h)(
      "alarm_s", &p.abbink.alarm_s);
  b.section("silva", &SilvaParams::describe())("window_s", &p.silva.window_s)(
      "threshold_window_s", &p.silva.threshold_window_s)("h", &p.silva.h);
  b.section("londral", &LondralParams::describe())("window_s", &p.londral.window_s)("h", &p.londral.h)(
      "min_active_s", &p.londral.min_active_s);
}

}  // namespace detail

// ---- parameters ---------------------------------------------------------------------------------

void HodgesBuiParams::validate(double fs_hz) const {
  constexpr const char* s = "hodges_bui";
  check_fs(s, fs_hz);
  check_lowpass(s, lowpass_hz, lowpass_order, fs_hz);
  check_window(s, "window_s", window_s, fs_hz, 1);
  check_h(s, h);
}

const ParamTable& HodgesBuiParams::describe() {
  static const ParamTable t = {
      {"lowpass_hz", "Hz", "50", "0 or (0, fs_hz/2)",
       "zero-phase Butterworth low-pass of the rectified EMG before the moving average (0 = none; paper: 10/50/500)"},
      {"lowpass_order", "", "2", "1..10", "Butterworth order of that low-pass"},
      {"window_s", "s", "0.02", "(0, 10], >= 1 sample", "centred moving-average window (paper: 20/50/100 ms)"},
      {"h", "SD", "3", "(0, 1000]", "threshold in baseline SDs of the envelope (paper: 1/2/3)"},
  };
  return t;
}

void LidierthParams::validate(double fs_hz) const {
  constexpr const char* s = "lidierth";
  check_fs(s, fs_hz);
  check_lowpass(s, lowpass_hz, lowpass_order, fs_hz);
  check_window(s, "window_s", window_s, fs_hz, 1);
  check_h(s, h);
  check_window(s, "t1_s", t1_s, fs_hz, 1);
  check_duration(s, "t2_s", t2_s);
}

const ParamTable& LidierthParams::describe() {
  static const ParamTable t = {
      {"lowpass_hz", "Hz", "50", "0 or (0, fs_hz/2)", "zero-phase Butterworth low-pass of the rectified EMG (0 = none)"},
      {"lowpass_order", "", "2", "1..10", "Butterworth order of that low-pass"},
      {"window_s", "s", "0.02", "(0, 10], >= 1 sample", "centred moving-average window"},
      {"h", "SD", "3", "(0, 1000]", "threshold in baseline SDs of the envelope"},
      {"t1_s", "s", "0.025", "(0, 10], >= 1 sample",
       "a change of state (onset or offset) needs this much of the new state after the alarm; dated at the alarm"},
      {"t2_s", "s", "0.01", "[0, 10]",
       "returns to the old state shorter than this are ignored while a change is being confirmed; longer ones cancel it"},
  };
  return t;
}

void AbbinkParams::validate(double fs_hz) const {
  constexpr const char* s = "abbink";
  check_fs(s, fs_hz);
  check_window(s, "window_s", window_s, fs_hz, 1);
  check_lowpass(s, lowpass_hz, lowpass_order, fs_hz);
  check_h(s, h);
  const std::string rule = "finite and <= h=" + emg::detail::fmt(h);
  require(std::isfinite(transition_h) && transition_h <= h, s, "transition_h", transition_h, rule.c_str());
  check_window(s, "alarm_s", alarm_s, fs_hz, 1);
}

const ParamTable& AbbinkParams::describe() {
  static const ParamTable t = {
      {"window_s", "s", "0.02", "(0, 10], >= 1 sample", "centred moving-average window of the rectified EMG"},
      {"lowpass_hz", "Hz", "30", "0 or (0, fs_hz/2)",
       "zero-phase Butterworth low-pass of the moving average (0 = none; BioSPPy: 30 Hz, order 10)"},
      {"lowpass_order", "", "10", "1..10", "Butterworth order of that low-pass"},
      {"h", "SD", "5", "(0, 1000]",
       "alarm threshold in baseline SDs of the low-passed envelope (high, against false alarms; transition_h times the onset)"},
      {"transition_h", "SD", "1.5", "<= h",
       "transition threshold: the onset (offset) is the sample that best separates values below (above) it "
       "before from values above (below) it after"},
      {"alarm_s", "s", "0.1", "(0, 10], >= 1 sample",
       "length of the two counting windows and of the search before an onset alarm / after an offset alarm"},
  };
  return t;
}

void SilvaParams::validate(double fs_hz) const {
  constexpr const char* s = "silva";
  check_fs(s, fs_hz);
  check_window(s, "window_s", window_s, fs_hz, 1);
  check_window(s, "threshold_window_s", threshold_window_s, fs_hz, 1);
  const std::string rule = "> window_s=" + emg::detail::fmt(window_s);
  require(threshold_window_s > window_s, s, "threshold_window_s", threshold_window_s, rule.c_str());
  require(std::isfinite(h) && h >= 0.0 && h <= 1000.0, s, "h", h, "in [0, 1000] (baseline SDs)");
}

const ParamTable& SilvaParams::describe() {
  static const ParamTable t = {
      {"window_s", "s", "0.05", "(0, 10], >= 1 sample", "centred moving average of |x|: the test function"},
      {"threshold_window_s", "s", "0.5", "> window_s",
       "trailing moving average of |x| over this long: the adaptive threshold"},
      {"h", "SD", "4", "[0, 1000]",
       "fixed threshold mu0 + h sigma0 of the test function over the baseline; onset above both thresholds, "
       "offset below both"},
  };
  return t;
}

void LondralParams::validate(double fs_hz) const {
  constexpr const char* s = "londral";
  check_fs(s, fs_hz);
  check_window(s, "window_s", window_s, fs_hz, 2);
  check_h(s, h);
  check_window(s, "min_active_s", min_active_s, fs_hz, 1);
}

const ParamTable& LondralParams::describe() {
  static const ParamTable t = {
      {"window_s", "s", "0.05", "(0, 10], >= 2 samples",
       "centred window of the variance (1/W)(sum x^2 - (sum x)^2 / W): the test function"},
      {"h", "SD", "3", "(0, 1000]", "threshold mu0 + h sigma0 of the variance over the baseline"},
      {"min_active_s", "s", "0.05", "(0, 10], >= 1 sample",
       "a change of state (onset or offset) needs this long of the new state without interruption"},
  };
  return t;
}

}  // namespace emg::detect
