// Pulse detection (SCIENCE.md §4.1): stimulation artefacts in the EMG (steps of the unfiltered
// signal against robust global and local floors, with a spike-shape test) or trigger edges.
#include <emg/errors.hpp>
#include <emg/stim/pulses.hpp>

#include "detail/check.hpp"
#include "detail/robust.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace emg::stim {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kParams = "PulseDetectParams";
constexpr std::string_view kDetect = "detect_pulses";
constexpr double kMadToSigma = detail::kMadToSigma;

void check_range(std::string_view param, double value, double lo, double hi, std::string_view rule) {
  if (!std::isfinite(value) || value < lo || value > hi) fail_param(kParams, param, fmt(value), rule);
}


struct Robust {
  double median = 0.0;
  double scale = 0.0;  // 1.4826 MAD
};

/// Median and scaled MAD of src[0..n), using buf and buf2 (size >= n each) as scratch.
Robust robust(const double* src, std::size_t n, double* buf, double* buf2) {
  Robust r;
  if (n == 0) return r;
  r.median = detail::median_radix(src, n, buf);
  for (std::size_t i = 0; i < n; ++i) buf2[i] = std::abs(src[i] - r.median);
  r.scale = kMadToSigma * detail::median_radix(buf2, n, buf);
  return r;
}

Eigen::Index to_samples(double seconds, double fs_hz) { return static_cast<Eigen::Index>(std::llround(seconds * fs_hz)); }

void check_finite(const Eigen::Ref<const VectorXd>& x) {
  if (x.allFinite()) return;
  Eigen::Index first = -1, bad = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      if (first < 0) first = i;
      ++bad;
    }
  }
  if (bad == x.size()) {
    fail_param(kDetect, "x", "all " + std::to_string(bad) + " samples non-finite",
               "must be finite (an all-NaN channel: disconnected, or padding of a shorter channel?)");
  }
  fail_param(kDetect, "x", fmt(x[first]) + " at sample " + std::to_string(first),
             "must be finite (" + std::to_string(bad) + " NaN/Inf samples; interpolate or cut them first)");
}

std::vector<std::int64_t> detect_trigger(const Eigen::Ref<const VectorXd>& x, double fs_hz, const PulseDetectParams& p) {
  std::vector<std::int64_t> out;
  const double lo = x.minCoeff();
  const double hi = x.maxCoeff();
  if (!(hi > lo)) return out;  // a flat channel: no edges
  const double level = lo + p.trigger_threshold * (hi - lo);
  const double gap_s = p.min_pulse_gap_s > 0.0 ? p.min_pulse_gap_s : p.effective_refractory_s();
  const Eigen::Index gap = std::max<Eigen::Index>(1, to_samples(gap_s, fs_hz));
  const Eigen::Index shift = to_samples(p.trigger_latency_s, fs_hz);
  Eigen::Index last = -gap;
  for (Eigen::Index n = 1; n < x.size(); ++n) {
    if (x[n - 1] < level && x[n] >= level) {
      if (n - last < gap) continue;  // a bounce of the previous edge
      last = n;
      const Eigen::Index s = n + shift;
      if (s >= 0 && s < x.size()) out.push_back(static_cast<std::int64_t>(s));
    }
  }
  return out;
}

std::vector<std::int64_t> detect_emg(const Eigen::Ref<const VectorXd>& x, double fs_hz, const PulseDetectParams& p) {
  std::vector<std::int64_t> out;
  const Eigen::Index n = x.size();
  if (n < 3) return out;
  const std::size_t un = static_cast<std::size_t>(n);

  // Steps d[n] = |x[n] - x[n-1]| (d[0] = 0) and the smallest non-zero step (the ADC resolution
  // of quantised data, whose MAD of d can be 0).
  std::vector<double> d(un, 0.0);
  double lsb = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 1; i < n; ++i) {
    const double v = std::abs(x[i] - x[i - 1]);
    d[static_cast<std::size_t>(i)] = v;
    if (v > 0.0 && v < lsb) lsb = v;
  }
  if (!std::isfinite(lsb)) return out;  // constant signal
  std::vector<double> buf(un), buf2(un);

  const Robust gd = robust(d.data() + 1, un - 1, buf.data(), buf2.data());
  const double step_scale = std::max(gd.scale, lsb);
  const double floor_global = gd.median + p.threshold_mad * step_scale;
  const Robust gx = robust(x.data(), un, buf.data(), buf2.data());
  const double amp_global = p.min_step_rms * gx.scale;

  // Local statistics per block (the last block absorbs the remainder), then the largest of each
  // block and its neighbours. They are computed on first use: a step at or below the global floor
  // is never a pulse, so blocks far from every large step are never looked at (most of a
  // recording; the selections would otherwise dominate the cost).
  const Eigen::Index block = std::max<Eigen::Index>(1, to_samples(p.local_window_s, fs_hz));
  const Eigen::Index nb = std::max<Eigen::Index>(1, n / block);
  std::vector<double> floor_b(static_cast<std::size_t>(nb)), amp_b(static_cast<std::size_t>(nb)), med_x(static_cast<std::size_t>(nb));
  std::vector<std::uint8_t> have_b(static_cast<std::size_t>(nb), 0);
  const auto stats = [&](Eigen::Index b) {
    const std::size_t ub = static_cast<std::size_t>(b);
    if (have_b[ub]) return;
    const Eigen::Index s = b * block;
    const Eigen::Index e = (b + 1 == nb) ? n : s + block;
    const std::size_t len = static_cast<std::size_t>(e - s);
    const Robust ld = robust(d.data() + s, len, buf.data(), buf2.data());
    const Robust lx = robust(x.data() + s, len, buf.data(), buf2.data());
    floor_b[ub] = ld.median + p.local_threshold_mad * std::max(ld.scale, step_scale);
    amp_b[ub] = p.local_min_step_rms * lx.scale;
    med_x[ub] = lx.median;
    have_b[ub] = 1;
  };
  // largest of `v` over block b and its neighbours, at least `global`
  const auto neighbourhood = [&](const std::vector<double>& v, Eigen::Index b, double global) {
    double m = global;
    for (Eigen::Index k = std::max<Eigen::Index>(0, b - 1); k <= std::min(nb - 1, b + 1); ++k) {
      stats(k);
      m = std::max(m, v[static_cast<std::size_t>(k)]);
    }
    return m;
  };
  const auto block_of = [&](Eigen::Index i) { return std::min(i / block, nb - 1); };
  const auto thr_at = [&](Eigen::Index i) { return neighbourhood(floor_b, block_of(i), floor_global); };
  const auto amp_at = [&](Eigen::Index i) { return neighbourhood(amp_b, block_of(i), amp_global); };
  const auto med_x_at = [&](Eigen::Index i) {
    stats(block_of(i));
    return med_x[static_cast<std::size_t>(block_of(i))];
  };

  const Eigen::Index rise = 1 + static_cast<Eigen::Index>(std::ceil(p.max_rise_s * fs_hz));
  const Eigen::Index half = std::max<Eigen::Index>(2, to_samples(p.shape_window_s, fs_hz));
  const Eigen::Index refractory = std::max<Eigen::Index>(1, to_samples(p.effective_refractory_s(), fs_hz));

  Eigen::Index allowed = 1;  // first sample a new pulse may start at (refractory of the last one)
  for (Eigen::Index i = 1; i < n; ++i) {
    if (i < allowed || d[static_cast<std::size_t>(i)] <= floor_global || d[static_cast<std::size_t>(i)] <= thr_at(i)) continue;
    // The spike's largest step within the rise window.
    const Eigen::Index pe = std::min(n, i + rise);
    Eigen::Index ipk = i;
    for (Eigen::Index j = i + 1; j < pe; ++j) {
      if (d[static_cast<std::size_t>(j)] > d[static_cast<std::size_t>(ipk)]) ipk = j;
    }
    const double pk = d[static_cast<std::size_t>(ipk)];
    // Onset: the earliest large step of the spike (the threshold may only be crossed on its second
    // phase), never inside the previous pulse's refractory period.
    Eigen::Index onset = i;
    for (Eigen::Index m = std::max({i - (rise - 1), allowed, Eigen::Index{1}}); m < i; ++m) {
      if (d[static_cast<std::size_t>(m)] >= kOnsetFraction * pk) {
        onset = m;
        break;
      }
    }
    // Shape: the step is a large part of the local range of x.
    const Eigen::Index ws = std::max<Eigen::Index>(0, onset - half);
    const Eigen::Index we = std::min(n - 1, ipk + half);
    double lo = x[ws], hi = x[ws];
    for (Eigen::Index j = ws + 1; j <= we; ++j) {
      lo = std::min(lo, x[j]);
      hi = std::max(hi, x[j]);
    }
    const bool sharp = pk >= p.min_step_fraction * (hi - lo);
    const bool large = pk >= amp_at(onset);
    // A step that leaves a flat run away from the signal's level is a saturated signal moving
    // between rails (e.g. a clipped M-wave), not a new pulse.
    const bool from_rail = onset >= 2 && x[onset - 1] == x[onset - 2] &&
                           std::abs(x[onset - 1] - med_x_at(onset)) >= kRailFraction * pk;
    if (!(sharp && large) || from_rail) {
      i = ipk;  // rejected: go on after its peak (no refractory)
      continue;
    }
    out.push_back(static_cast<std::int64_t>(onset));
    allowed = onset + refractory;
    // Saturation: a flat run away from the pre-pulse level (an amplifier or ADC rail) inside the
    // refractory period extends it to the run's end + the refractory period, so a clipped pulse
    // (and a clipped M-wave swinging rail to rail) counts once.
    const double base = x[std::max<Eigen::Index>(0, onset - 1)];
    for (Eigen::Index j = onset + 1; j < std::min(n, allowed); ++j) {
      if (x[j] == x[j - 1] && std::abs(x[j] - base) >= kRailFraction * pk) {
        while (j < n && x[j] == x[j - 1]) ++j;
        allowed = std::max(allowed, j + refractory);
      }
    }
    i = std::max(i, allowed - 1);
  }
  return out;
}

}  // namespace

std::string to_string(PulseSource s) { return s == PulseSource::emg ? "emg" : "trigger"; }

PulseSource parse_pulse_source(const std::string& text) {
  if (text == "emg") return PulseSource::emg;
  if (text == "trigger") return PulseSource::trigger;
  fail_param(kParams, "source", "\"" + text + "\"", "must be emg or trigger");
}

void PulseDetectParams::validate(double fs_hz) const {
  detail::check_fs(kParams, fs_hz);
  check_range("threshold_mad", threshold_mad, 1.0, 1000.0, "must be in [1, 1000] (SCIENCE.md §4.1: 10-20)");
  check_range("local_threshold_mad", local_threshold_mad, 0.0, 1000.0, "must be in [0, 1000]");
  check_range("min_step_rms", min_step_rms, 0.0, 1e6, "must be in [0, 1e6]");
  check_range("local_min_step_rms", local_min_step_rms, 0.0, 1e6, "must be in [0, 1e6]");
  check_range("min_step_fraction", min_step_fraction, 0.0, 1.0, "must be in [0, 1]");
  detail::check_positive(kParams, "local_window_s", local_window_s);
  detail::check_positive(kParams, "shape_window_s", shape_window_s);
  check_range("max_rise_s", max_rise_s, 0.0, 0.01, "must be in [0, 0.01] s");
  detail::check_positive(kParams, "max_frequency_hz", max_frequency_hz);
  detail::check_nonnegative(kParams, "refractory_s", refractory_s);
  if (!(trigger_threshold > 0.0 && trigger_threshold < 1.0)) {
    fail_param(kParams, "trigger_threshold", fmt(trigger_threshold), "must be in (0, 1) (a fraction of the channel's range)");
  }
  detail::check_nonnegative(kParams, "min_pulse_gap_s", min_pulse_gap_s);
  check_range("trigger_latency_s", trigger_latency_s, -1.0, 1.0, "must be in [-1, 1] s");

  if (source == PulseSource::emg) {
    if (fs_hz < kMinEmgPulseFsHz) {
      fail_param(kParams, "fs_hz", fmt(fs_hz),
                 "is too low to resolve stimulation artefacts in the EMG: must be >= " + fmt(kMinEmgPulseFsHz) +
                     " Hz (a 0.1-1 ms spike cannot be told from EMG); use a trigger channel (source=trigger)");
    }
    if (local_window_s * fs_hz < 10.0) {
      fail_param(kParams, "local_window_s", fmt(local_window_s),
                 "must span at least 10 samples at fs_hz=" + fmt(fs_hz) + " (>= " + fmt(10.0 / fs_hz) + " s)");
    }
  }
  const double refr = effective_refractory_s();
  if (refr * fs_hz < 1.5) {
    fail_param(kParams, "fs_hz", fmt(fs_hz),
               "is too low to resolve pulses: the refractory period " + fmt(refr) + " s (" +
                   (refractory_s > 0.0 ? std::string("refractory_s") : "0.5/max_frequency_hz") +
                   ") must span at least 2 samples (fs_hz >= " + fmt(1.5 / refr) + ")");
  }
}

const ParamTable& PulseDetectParams::describe() {
  static const ParamTable table = {
      {"source", "", "emg", "emg|trigger", "detect artefacts in the EMG, or rising edges of a trigger channel"},
      {"threshold_mad", "", "12", "[1, 1000]",
       "k of the noise floor median(d) + k 1.4826 MAD(d) of the steps d = |x[n] - x[n-1]| (SCIENCE.md §4.1: 10-20)"},
      {"local_threshold_mad", "", "8", "[0, 1000]",
       "k of the same floor in local_window_s blocks (largest of a block and its neighbours): ignores ongoing EMG"},
      {"min_step_rms", "", "12", "[0, 1e6]", "the spike's largest step over the robust RMS 1.4826 MAD(x) of the signal"},
      {"local_min_step_rms", "", "6", "[0, 1e6]", "the spike's largest step over the robust RMS of the surrounding blocks"},
      {"min_step_fraction", "", "0.5", "[0, 1]",
       "the spike's largest step over the range of x within +-shape_window_s (rejects M-waves and EMG)"},
      {"local_window_s", "s", "0.05", ">= 10 samples", "block length of the local statistics"},
      {"shape_window_s", "s", "0.002", "> 0", "half-width of the range window of the shape test (at least 2 samples)"},
      {"max_rise_s", "s", "0.001", "[0, 0.01]", "the spike's largest step follows its onset within 1 + ceil(max_rise_s fs) samples"},
      {"max_frequency_hz", "Hz", "100", "> 0", "highest stimulation frequency expected (sets the refractory period)"},
      {"refractory_s", "s", "0", ">= 0 (>= 2 samples)", "minimum time between pulses; 0 = 0.5 / max_frequency_hz"},
      {"trigger_threshold", "", "0.5", "(0, 1)", "trigger level as a fraction of the trigger channel's range (min to max)"},
      {"min_pulse_gap_s", "s", "0", ">= 0", "trigger debounce: edges closer than this to the last are ignored; 0 = refractory"},
      {"trigger_latency_s", "s", "0", "[-1, 1]", "fixed device latency added to each trigger edge"},
  };
  return table;
}

std::vector<std::int64_t> detect_pulses(const Eigen::Ref<const VectorXd>& x, double fs_hz, const PulseDetectParams& params) {
  params.validate(fs_hz);
  if (x.size() == 0) return {};
  check_finite(x);
  return params.source == PulseSource::emg ? detect_emg(x, fs_hz, params) : detect_trigger(x, fs_hz, params);
}

}  // namespace emg::stim
