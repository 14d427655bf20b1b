// Cramp decision per stimulation train (SCIENCE.md §1.6): suppression, band-pass, a masked
// moving-RMS envelope on a hop grid, baseline statistics, hysteresis thresholds with a gap rule,
// maximum-likelihood refinement of the edges, and the cramp measures.
#include <emg/detect/cramp.hpp>
#include <emg/errors.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/spectral/metrics.hpp>
#include <emg/spectral/spectra.hpp>

#include "detail/check.hpp"
#include "detail/robust.hpp"
#include "detect/channels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace emg::detect {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kParams = "CrampParams";
constexpr std::string_view kDetect = "detect_cramps";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMadToSigma = detail::kMadToSigma;
constexpr double kFloorQuantile = 0.10;  ///< noise floor = this quantile of the channel's envelope
constexpr long kMinRefineSegment = 10;   ///< samples on the estimated side of a refined edge

constexpr std::uint8_t kPulseMask = 1;
constexpr std::uint8_t kRailMask = 2;
constexpr std::uint8_t kNonFiniteMask = 4;

std::int64_t to_samples(double t_s, double fs_hz) { return static_cast<std::int64_t>(std::llround(t_s * fs_hz)); }

void check_range(std::string_view param, double value, double lo, double hi, std::string_view rule) {
  if (!std::isfinite(value) || value < lo || value > hi) fail_param(kParams, param, fmt(value), rule);
}

double median_inplace(double* v, std::size_t n) { return detail::median_in_place(v, n); }

/// Status codes and their details, in the order found.
struct Status {
  std::string codes;
  std::string message;
  bool blocked = false;  ///< a code that prevents the decision
  void add(std::string_view code, const std::string& detail, bool blocking) {
    if (codes.find(std::string(code)) == std::string::npos) codes += (codes.empty() ? "" : "; ") + std::string(code);
    message += (message.empty() ? "" : "; ") + std::string(code) + ": " + detail;
    blocked = blocked || blocking;
  }
};

/// Everything computed once per channel.
struct Work {
  double fs = 0.0;
  std::int64_t n = 0;
  std::vector<double> y;            ///< cleaned (suppressed, bridged, filtered) signal
  std::vector<std::uint8_t> mask;   ///< kPulseMask | kRailMask | kNonFiniteMask
  std::vector<long double> s2;      ///< prefix sums of y^2 over usable samples (n + 1)
  std::vector<std::int64_t> cnt;    ///< prefix counts of usable samples (n + 1)
  std::vector<double> env;          ///< envelope on the hop grid (NaN = undefined)
  std::int64_t W = 1, H = 1;        ///< window and hop in samples
  double floor = kNaN;
  std::string preprocessing;
  double band_low = 0.0, band_high = 0.0;  ///< analysis band for MNF/MDF

  std::int64_t centre(std::int64_t j) const { return j * H; }
  std::int64_t n_hops() const { return static_cast<std::int64_t>(env.size()); }
  /// usable samples and their sum of squares in [a, b)
  std::int64_t count(std::int64_t a, std::int64_t b) const { return cnt[static_cast<std::size_t>(b)] - cnt[static_cast<std::size_t>(a)]; }
  double sumsq(std::int64_t a, std::int64_t b) const {
    return static_cast<double>(s2[static_cast<std::size_t>(b)] - s2[static_cast<std::size_t>(a)]);
  }
  bool above(std::int64_t j, double theta) const {
    const double e = env[static_cast<std::size_t>(j)];
    return std::isfinite(e) && e > theta;
  }
  bool at_least(std::int64_t j, double theta) const {
    const double e = env[static_cast<std::size_t>(j)];
    return std::isfinite(e) && e >= theta;
  }
};

/// Linear bridge over the runs of non-finite samples (ends hold their one neighbour; all = 0).
void bridge_nonfinite(std::vector<double>& y, const std::vector<std::uint8_t>& mask) {
  const std::int64_t n = static_cast<std::int64_t>(y.size());
  std::int64_t i = 0;
  while (i < n) {
    if (!(mask[static_cast<std::size_t>(i)] & kNonFiniteMask)) {
      ++i;
      continue;
    }
    std::int64_t e = i;
    while (e < n && (mask[static_cast<std::size_t>(e)] & kNonFiniteMask)) ++e;
    const bool left = i > 0, right = e < n;
    const double a = left ? y[static_cast<std::size_t>(i - 1)] : (right ? y[static_cast<std::size_t>(e)] : 0.0);
    const double b = right ? y[static_cast<std::size_t>(e)] : a;
    const double h = static_cast<double>(e - i + 1);
    for (std::int64_t k = i; k < e; ++k) y[static_cast<std::size_t>(k)] = a + (b - a) * static_cast<double>(k - i + 1) / h;
    i = e;
  }
}

/// Runs of >= run samples exactly at the channel's finite min or max (not for a constant channel).
void mark_rails(const std::vector<double>& y, std::vector<std::uint8_t>& mask, long run) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (mask[i] & kNonFiniteMask) continue;
    lo = std::min(lo, y[i]);
    hi = std::max(hi, y[i]);
  }
  if (!(hi > lo)) return;
  const std::size_t n = y.size();
  std::size_t i = 0;
  while (i < n) {
    const bool rail = !(mask[i] & kNonFiniteMask) && (y[i] == hi || y[i] == lo);
    if (!rail) {
      ++i;
      continue;
    }
    const double v = y[i];
    std::size_t e = i;
    while (e < n && !(mask[e] & kNonFiniteMask) && y[e] == v) ++e;
    if (static_cast<long>(e - i) >= run) {
      for (std::size_t k = i; k < e; ++k) mask[k] |= kRailMask;
    }
    i = e;
  }
}

std::vector<std::int64_t> train_pulses(const stim::PulseTrain& t) {
  if (!t.pulses.empty()) return t.pulses;
  if (t.start_sample < 0) return {};
  if (t.end_sample > t.start_sample) return {t.start_sample, t.end_sample};
  return {t.start_sample};
}

void check_trains(const std::vector<stim::PulseTrain>& trains, std::int64_t n) {
  for (std::size_t k = 0; k < trains.size(); ++k) {
    const stim::PulseTrain& t = trains[k];
    const std::string name = "trains[" + std::to_string(k) + "]";
    if (t.start_sample < 0) continue;  // a nominal train that was not detected
    if (t.end_sample < t.start_sample || t.end_sample >= n) {
      fail_param(kDetect, name + ".end_sample", std::to_string(t.end_sample),
                 "must be in [start_sample=" + std::to_string(t.start_sample) + ", n_samples=" + std::to_string(n) + ")");
    }
    const std::vector<std::int64_t>& p = t.pulses;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] < 0 || p[i] >= n) {
        fail_param(kDetect, name + ".pulses[" + std::to_string(i) + "]", std::to_string(p[i]),
                   "must be in [0, n_samples=" + std::to_string(n) + ")");
      }
      if (i > 0 && p[i] <= p[i - 1]) {
        fail_param(kDetect, name + ".pulses[" + std::to_string(i) + "]", std::to_string(p[i]),
                   "must be > the previous pulse " + std::to_string(p[i - 1]) + " (pulses strictly increasing)");
      }
    }
  }
}

/// Suppression, bridging, band-pass, prefix sums, envelope, noise floor.
void prepare(Work& w, MatrixView x, long channel, const std::vector<stim::PulseTrain>& trains, const CrampParams& p,
             std::vector<stim::SampleInterval>& intervals) {
  const std::int64_t n = x.cols();
  const double fs = w.fs;
  w.n = n;
  w.y.resize(static_cast<std::size_t>(n));
  w.mask.assign(static_cast<std::size_t>(n), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = x(channel, i);
    w.y[static_cast<std::size_t>(i)] = v;
    if (!std::isfinite(v)) w.mask[static_cast<std::size_t>(i)] |= kNonFiniteMask;
  }
  mark_rails(w.y, w.mask, p.saturation_run);
  bridge_nonfinite(w.y, w.mask);

  // all pulses in time order, labelled with their train
  std::vector<std::pair<std::int64_t, long>> all;
  for (std::size_t k = 0; k < trains.size(); ++k) {
    for (std::int64_t s : train_pulses(trains[k])) all.emplace_back(s, static_cast<long>(k));
  }
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> pulses;
  std::vector<long> ids;
  for (const auto& [s, id] : all) {
    if (!pulses.empty() && pulses.back() == s) continue;
    pulses.push_back(s);
    ids.push_back(id);
  }
  std::string pre;
  if (!pulses.empty()) {
    if (p.suppress) {
      const Eigen::Map<const RowMatrixXd> row(w.y.data(), 1, n);
      stim::Suppressed s = stim::suppress_artifacts(row, fs, pulses, p.suppression, ids);
      for (std::int64_t i = 0; i < n; ++i) w.y[static_cast<std::size_t>(i)] = s.data(0, i);
      intervals = std::move(s.intervals);
      pre = "suppress_artifacts(method=" + stim::to_string(p.suppression.method) + ", blank_s=" + fmt(p.suppression.blank_s) +
            ", pre_s=" + fmt(p.suppression.pre_s) + ")";
    } else {
      intervals = stim::suppression_intervals(n, fs, pulses, p.suppression);
      pre = "no artefact suppression (suppress=false; the pulse spans are still left out of the envelope)";
    }
    for (const stim::SampleInterval& iv : intervals) {
      for (std::int64_t i = iv.start_sample; i < iv.end_sample; ++i) w.mask[static_cast<std::size_t>(i)] |= kPulseMask;
    }
  }

  const double nyq = fs / 2.0;
  w.band_low = p.low_hz;
  w.band_high = std::min(p.high_hz, nyq);
  std::string filt;
  if (!p.bandpass) {
    filt = "no band-pass (bandpass=false)";
    w.band_low = 0.0;
  } else if (p.low_hz >= nyq) {
    filt = "band-pass skipped: low_hz=" + fmt(p.low_hz) + " Hz >= Nyquist " + fmt(nyq) + " Hz (fs_hz=" + fmt(fs) +
           " too low)";
    w.band_low = 0.0;
  } else {
    filters::Sos sos;
    std::string what;
    if (p.high_hz < nyq) {
      sos = filters::butter(p.order, {p.low_hz, p.high_hz}, filters::BType::bandpass, fs);
      what = "band-pass " + fmt(p.low_hz) + "-" + fmt(p.high_hz) + " Hz";
    } else {
      sos = filters::butter(p.order, {p.low_hz}, filters::BType::highpass, fs);
      what = "high-pass " + fmt(p.low_hz) + " Hz only (high_hz=" + fmt(p.high_hz) + " Hz >= Nyquist " + fmt(nyq) +
             " Hz at fs_hz=" + fmt(fs) + ")";
    }
    if (n > filters::default_padlen(sos)) {
      const Eigen::Map<const RowMatrixXd> row(w.y.data(), 1, n);
      const RowMatrixXd f = filters::sosfiltfilt(sos, row);
      for (std::int64_t i = 0; i < n; ++i) w.y[static_cast<std::size_t>(i)] = f(0, i);
      filt = what + ", Butterworth order " + std::to_string(p.order) + ", zero-phase";
    } else {
      filt = "band-pass skipped: " + std::to_string(n) + " samples are not more than the filter's padlen " +
             std::to_string(filters::default_padlen(sos));
      w.band_low = 0.0;
    }
  }
  w.preprocessing = pre.empty() ? filt : pre + "; " + filt;

  // prefix sums over usable samples
  w.s2.assign(static_cast<std::size_t>(n + 1), 0.0L);
  w.cnt.assign(static_cast<std::size_t>(n + 1), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    const bool ok = w.mask[u] == 0;
    const long double v = w.y[u];
    w.s2[u + 1] = w.s2[u] + (ok ? v * v : 0.0L);
    w.cnt[u + 1] = w.cnt[u] + (ok ? 1 : 0);
  }

  // envelope on the hop grid
  w.W = std::max<std::int64_t>(2, to_samples(p.window_s, fs));
  w.H = std::max<std::int64_t>(1, to_samples(p.hop_s, fs));
  const std::int64_t nh = (n - 1) / w.H + 1;
  w.env.assign(static_cast<std::size_t>(nh), kNaN);
  const double need = p.min_valid_fraction * static_cast<double>(w.W);
  std::vector<double> finite;
  finite.reserve(static_cast<std::size_t>(nh));
  for (std::int64_t j = 0; j < nh; ++j) {
    const std::int64_t c = j * w.H;
    const std::int64_t a = std::max<std::int64_t>(0, c - (w.W - 1) / 2);
    const std::int64_t b = std::min<std::int64_t>(n, c + w.W / 2 + 1);
    const std::int64_t m = w.count(a, b);
    if (m <= 0 || static_cast<double>(m) < need) continue;
    const double e = std::sqrt(std::max(0.0, w.sumsq(a, b) / static_cast<double>(m)));
    w.env[static_cast<std::size_t>(j)] = e;
    finite.push_back(e);
  }
  if (!finite.empty()) {
    const auto q = static_cast<std::size_t>(kFloorQuantile * static_cast<double>(finite.size() - 1));
    std::nth_element(finite.begin(), finite.begin() + static_cast<long>(q), finite.end());
    w.floor = finite[q];
  }
}

/// One run of activity on the hop grid.
struct Run {
  std::int64_t onset_hop = 0;   ///< first hop of the run (walked back along theta_off)
  std::int64_t last_hop = 0;    ///< last hop >= theta_off
  std::int64_t offset_hop = 0;  ///< first hop of the dip that ended it (last_hop + 1 when censored)
  bool censored = false;        ///< P ended before a dip longer than the gap
};

Run follow(const Work& w, std::int64_t j, std::int64_t j_end, std::int64_t floor_sample, double theta_off,
           std::int64_t gap_hops) {
  Run r;
  std::int64_t k = j;
  while (k - 1 >= 0 && w.centre(k - 1) >= floor_sample && w.at_least(k - 1, theta_off)) --k;
  r.onset_hop = k;
  r.last_hop = j;
  std::int64_t i = j + 1;
  for (; i <= j_end; ++i) {
    if (w.at_least(i, theta_off)) {
      r.last_hop = i;
    } else if (i - r.last_hop > gap_hops) {
      break;
    }
  }
  r.offset_hop = r.last_hop + 1;
  r.censored = i > j_end;
  return r;
}

/// Maximum-likelihood change of variance in [a, b) (zero-mean Gaussian segments with unknown
/// powers p1, p2: maximise -n1 ln p1 - n2 ln p2 over the split k; Staude et al. 2001's change-time
/// re-estimation). rising: the power goes up at the change. `fallback` when no split has
/// kMinRefineSegment usable samples on each side with the power changing the expected way.
std::int64_t refine_edge(const Work& w, std::int64_t a, std::int64_t b, bool rising, std::int64_t fallback) {
  if (b - a < 2 * kMinRefineSegment) return fallback;
  double best = -std::numeric_limits<double>::infinity();
  std::int64_t best_k = fallback;
  for (std::int64_t k = a; k <= b; ++k) {
    const std::int64_t n1 = w.count(a, k), n2 = w.count(k, b);
    if (n1 < kMinRefineSegment || n2 < kMinRefineSegment) continue;
    const double p1 = w.sumsq(a, k) / static_cast<double>(n1), p2 = w.sumsq(k, b) / static_cast<double>(n2);
    if (!(p1 > 0.0) || !(p2 > 0.0) || (rising ? !(p2 > p1) : !(p1 > p2))) continue;
    const double ll = -static_cast<double>(n1) * std::log(p1) - static_cast<double>(n2) * std::log(p2);
    if (ll > best) {
      best = ll;
      best_k = k;
    }
  }
  return best_k;
}

/// tau of e(t) = c + A exp(-t / tau) by least squares (c, A linear; tau by a log grid then golden
/// section). NaN when A <= 0 or the optimum sits at the upper end (no decay).
double fit_decay(const std::vector<double>& t, const std::vector<double>& e) {
  const std::size_t m = t.size();
  if (m < 5) return kNaN;
  const auto sse = [&](double tau, double* amp) {
    double s1 = 0, sg = 0, sgg = 0, se = 0, sge = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double g = std::exp(-t[i] / tau);
      s1 += 1.0;
      sg += g;
      sgg += g * g;
      se += e[i];
      sge += g * e[i];
    }
    const double det = s1 * sgg - sg * sg;
    if (!(std::abs(det) > 1e-300)) return std::numeric_limits<double>::infinity();
    const double c = (sgg * se - sg * sge) / det;
    const double a = (s1 * sge - sg * se) / det;
    double r = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double d = e[i] - c - a * std::exp(-t[i] / tau);
      r += d * d;
    }
    if (amp) *amp = a;
    return r;
  };
  const double lo = std::log(0.05), hi = std::log(1000.0);
  constexpr int kGrid = 48;
  int best = 0;
  double best_v = std::numeric_limits<double>::infinity();
  for (int g = 0; g <= kGrid; ++g) {
    const double v = sse(std::exp(lo + (hi - lo) * g / kGrid), nullptr);
    if (v < best_v) {
      best_v = v;
      best = g;
    }
  }
  if (best == kGrid) return kNaN;
  double a = lo + (hi - lo) * std::max(0, best - 1) / kGrid, b = lo + (hi - lo) * std::min(kGrid, best + 1) / kGrid;
  const double r = 0.5 * (std::sqrt(5.0) - 1.0);
  for (int it = 0; it < 60; ++it) {
    const double c = b - r * (b - a), d = a + r * (b - a);
    if (sse(std::exp(c), nullptr) < sse(std::exp(d), nullptr)) b = d;
    else a = c;
  }
  const double tau = std::exp(0.5 * (a + b));
  double amp = 0.0;
  sse(tau, &amp);
  if (!(amp > 0.0)) return kNaN;
  return tau;
}

std::string seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f s", s);
  return b;
}

void clear_cramp(CrampResult& r) {
  r.cramp = false;
  r.offset_censored = false;
  r.onset_s = r.offset_s = r.duration_s = kNaN;
  r.onset_sample = r.offset_sample = -1;
  r.peak_rms = r.mean_rms_1s = r.mean_rms_5s = kNaN;
  r.peak_rms_pct_mvc = r.mean_rms_1s_pct_mvc = r.mean_rms_5s_pct_mvc = kNaN;
  r.area = r.mnf_hz = r.mdf_hz = r.epoch_snr_db = r.decay_tau_s = kNaN;
}

/// Cramp measures between onset and offset (samples).
void measure(CrampResult& r, const Work& w, const CrampParams& p, std::int64_t clean_start) {
  const double fs = w.fs;
  const std::int64_t on = r.onset_sample, off = r.offset_sample;
  const std::int64_t h0 = (on + w.H - 1) / w.H, h1 = std::min<std::int64_t>(off / w.H, w.n_hops() - 1);
  double peak = kNaN, area = 0.0, sum1 = 0.0, sum5 = 0.0;
  long n1 = 0, n5 = 0;
  const double hop_s = static_cast<double>(w.H) / fs;
  for (std::int64_t j = h0; j <= h1; ++j) {
    const double e = w.env[static_cast<std::size_t>(j)];
    if (!std::isfinite(e)) continue;
    if (!(e <= peak)) peak = e;
    area += std::max(0.0, e - r.baseline_mean) * hop_s;
    const double t = static_cast<double>(w.centre(j) - on) / fs;
    if (t < 1.0) {
      sum1 += e;
      ++n1;
    }
    if (t < 5.0) {
      sum5 += e;
      ++n5;
    }
  }
  r.peak_rms = peak;
  r.area = area;
  r.mean_rms_1s = n1 ? sum1 / static_cast<double>(n1) : kNaN;
  r.mean_rms_5s = n5 ? sum5 / static_cast<double>(n5) : kNaN;
  if (p.e_mvc > 0.0) {
    r.peak_rms_pct_mvc = 100.0 * r.peak_rms / p.e_mvc;
    r.mean_rms_1s_pct_mvc = 100.0 * r.mean_rms_1s / p.e_mvc;
    r.mean_rms_5s_pct_mvc = 100.0 * r.mean_rms_5s / p.e_mvc;
  }

  // spectrum of the first spectral_window_s (after the last suppressed span of the train)
  const std::int64_t s0 = std::max(on, clean_start);
  const std::int64_t s1 = std::min(s0 + to_samples(p.spectral_window_s, fs), off);
  const std::int64_t nper = to_samples(p.spectral_segment_s, fs);
  if (nper >= 8 && s1 - s0 >= nper) {
    long nfft = 1;
    while (nfft < nper) nfft *= 2;
    spectral::WelchParams wp;
    wp.nperseg = static_cast<long>(nper);
    wp.nfft = nfft;
    const Eigen::Map<const RowMatrixXd> seg(w.y.data() + s0, 1, s1 - s0);
    const spectral::Psd psd = spectral::welch(seg, fs, wp);
    const spectral::Band band{w.band_low, w.band_high};
    r.mnf_hz = spectral::mean_frequency(psd.freqs_hz, psd.power, band)(0);
    r.mdf_hz = spectral::median_frequency(psd.freqs_hz, psd.power, band)(0);
    const std::int64_t m = w.count(s0, s1);
    if (m > 0 && r.baseline_mean > 0.0) {
      r.epoch_snr_db = 10.0 * std::log10(w.sumsq(s0, s1) / static_cast<double>(m) / (r.baseline_mean * r.baseline_mean));
    }
  }

  if (p.fit_decay) {
    // from the envelope peak within the first 2 s to the offset
    const std::int64_t hp_end = std::min<std::int64_t>(h1, (on + to_samples(2.0, fs)) / w.H);
    std::int64_t hp = -1;
    double best = -1.0;
    for (std::int64_t j = h0; j <= hp_end; ++j) {
      const double e = w.env[static_cast<std::size_t>(j)];
      if (std::isfinite(e) && e > best) {
        best = e;
        hp = j;
      }
    }
    if (hp >= 0 && static_cast<double>(w.centre(h1) - w.centre(hp)) / fs >= p.fit_min_s) {
      std::vector<double> t, e;
      t.reserve(static_cast<std::size_t>(h1 - hp + 1));
      e.reserve(static_cast<std::size_t>(h1 - hp + 1));
      for (std::int64_t j = hp; j <= h1; ++j) {
        const double v = w.env[static_cast<std::size_t>(j)];
        if (!std::isfinite(v)) continue;
        t.push_back(static_cast<double>(w.centre(j) - w.centre(hp)) / fs);
        e.push_back(v);
      }
      r.decay_tau_s = fit_decay(t, e);
    }
  }
}

CrampResult analyse(const Work& w, const stim::PulseTrain& train, std::int64_t prev_end, std::int64_t next_start,
                    std::int64_t clean_start, const CrampParams& p, std::vector<double>& buf) {
  const double fs = w.fs;
  CrampResult r;
  r.train_id = train.train_id;
  r.frequency_hz = std::isfinite(train.nominal_frequency_hz) ? train.nominal_frequency_hz : train.frequency_hz;
  r.start_sample = train.start_sample;
  r.end_sample = train.end_sample;
  r.preprocessing = w.preprocessing;
  r.noise_floor = w.floor;
  Status st;
  const auto finish = [&]() {
    if (st.blocked) {
      r.decided = false;
      clear_cramp(r);
    }
    r.status = st.codes.empty() ? "ok" : st.codes;
    r.message = st.message;
    return r;
  };
  if (train.start_sample < 0) {
    st.add("not_detected", "the train was not found in the recording (" + train.status + ")", true);
    return finish();
  }
  if (!train.ok()) st.add("train_status", "the train's own status: " + train.status, p.require_ok_train);

  const std::int64_t start = train.start_sample, end = train.end_sample, n = w.n;

  // baseline
  // B never reaches back into the previous train (its pulses, M-waves and the first blank_s after it)
  std::int64_t b0 = start + to_samples(p.baseline_start_s, fs);
  const std::int64_t b1 = start + to_samples(p.baseline_end_s, fs);
  const bool after_prev = prev_end >= 0 && prev_end + to_samples(p.blank_s, fs) > b0;
  if (after_prev) b0 = prev_end + to_samples(p.blank_s, fs);
  const std::int64_t jb0 = std::max<std::int64_t>(0, (std::max<std::int64_t>(b0, 0) + w.H - 1) / w.H);
  const std::int64_t jb1 = b1 >= 0 ? std::min<std::int64_t>(b1 / w.H, w.n_hops() - 1) : -1;
  buf.clear();
  for (std::int64_t j = jb0; j <= jb1; ++j) {
    const double e = w.env[static_cast<std::size_t>(j)];
    if (std::isfinite(e)) buf.push_back(e);
  }
  r.baseline_s = static_cast<double>(buf.size()) * static_cast<double>(w.H) / fs;

  // post-train window P
  const std::int64_t p0 = end + to_samples(p.blank_s, fs);
  const std::int64_t p_nominal = end + to_samples(p.post_window_s, fs);
  std::int64_t p_end = std::min(p_nominal, n - 1);
  bool cut_by_next = false;
  if (next_start >= 0 && next_start - 1 < p_end) {
    p_end = next_start - 1;
    cut_by_next = true;
  }
  const bool cut_by_end = !cut_by_next && p_nominal > n - 1;
  r.window_start_s = static_cast<double>(p0) / fs;
  r.window_end_s = static_cast<double>(p_end) / fs;
  const std::string cut_code = cut_by_next ? "next_train_in_window" : "recording_ends_in_window";
  const std::string cut_text =
      cut_by_next ? "the next train starts " + seconds(static_cast<double>(next_start - end) / fs) + " after the last pulse"
                  : "the recording ends " + seconds(static_cast<double>(n - 1 - end) / fs) + " after the last pulse (post_window_s=" +
                        fmt(p.post_window_s) + ")";
  if (cut_by_end) st.add("recording_ends_in_window", cut_text, false);

  // non-finite samples anywhere in the analysed span
  {
    const std::int64_t a = std::max<std::int64_t>(0, b0 - w.W), b = std::min<std::int64_t>(n, std::max(p_end, end) + w.W);
    std::int64_t bad = 0, first = -1;
    for (std::int64_t i = a; i < b; ++i) {
      if (w.mask[static_cast<std::size_t>(i)] & kNonFiniteMask) {
        if (first < 0) first = i;
        ++bad;
      }
    }
    if (bad > 0) {
      st.add("non_finite", std::to_string(bad) + " NaN/Inf samples between the baseline and the end of the post window (first at " +
                               seconds(static_cast<double>(first) / fs) + ")",
             true);
      return finish();
    }
  }

  if (r.baseline_s < p.min_baseline_s) {
    st.add("baseline_too_short",
           "only " + seconds(r.baseline_s) + " of defined envelope in the baseline window [" +
               seconds(static_cast<double>(b0) / fs) + ", " + seconds(static_cast<double>(b1) / fs) +
               "] (min_baseline_s=" + fmt(p.min_baseline_s) + (b0 < 0 ? "; the window starts before the recording" : "") +
               (after_prev ? "; the window starts after the previous train" : "") + ")",
           true);
    return finish();
  }

  // baseline statistics (plain and robust)
  double mean = 0.0;
  for (double v : buf) mean += v;
  mean /= static_cast<double>(buf.size());
  double ss = 0.0;
  for (double v : buf) ss += (v - mean) * (v - mean);
  const double sd = buf.size() > 1 ? std::sqrt(ss / static_cast<double>(buf.size() - 1)) : 0.0;
  const double med = median_inplace(buf.data(), buf.size());
  for (double& v : buf) v = std::abs(v - med);
  const double rsd = kMadToSigma * median_inplace(buf.data(), buf.size());
  r.baseline_mean = p.robust_baseline ? med : mean;
  r.baseline_sd = p.robust_baseline ? rsd : sd;
  const double mu = r.baseline_mean, sigma = r.baseline_sd;
  if (!(mu > 0.0) || !(sigma > 1e-12 * mu)) {
    st.add("baseline_flat", "the baseline envelope is constant (mean " + fmt(mu) + ", SD " + fmt(sigma) +
                                "): thresholds would be meaningless",
           true);
    return finish();
  }
  r.threshold_on = std::max({mu + p.k_on * sigma, p.min_on_ratio * mu, p.mvc_fraction * p.e_mvc});
  r.threshold_off = mu + p.k_off * sigma;
  const double th_on = r.threshold_on, th_off = r.threshold_off;

  // baseline activity
  if (p.max_baseline_ratio > 0.0 && w.floor > 0.0 && mu > p.max_baseline_ratio * w.floor) {
    st.add("baseline_active", "baseline level " + fmt(mu) + " > max_baseline_ratio=" + fmt(p.max_baseline_ratio) +
                                  " x the recording's noise floor " + fmt(w.floor),
           true);
  }
  {
    const double lim = med + p.k_on * rsd;
    long above = 0, total = 0;
    for (std::int64_t j = jb0; j <= jb1; ++j) {
      const double e = w.env[static_cast<std::size_t>(j)];
      if (!std::isfinite(e)) continue;
      ++total;
      if (e > lim) ++above;
    }
    const double frac = total ? static_cast<double>(above) / static_cast<double>(total) : 0.0;
    if (frac > p.baseline_active_fraction) {
      st.add("baseline_active", fmt(std::round(1000.0 * frac) / 10.0) + " % of the baseline above median + k_on x robust SD (> " +
                                    fmt(100.0 * p.baseline_active_fraction) + " %)",
             true);
    }
  }

  if (p_end < p0) {
    st.add(cut_code, "no post-train window left: " + cut_text, true);
    return finish();
  }
  const std::int64_t on_limit = end + to_samples(p.onset_within_s, fs);
  const std::int64_t decision_end = std::min(p_end, on_limit + to_samples(p.min_duration_s + p.max_gap_s, fs));
  {
    std::int64_t rail = 0;
    for (std::int64_t i = p0; i <= decision_end; ++i) rail += (w.mask[static_cast<std::size_t>(i)] & kRailMask) ? 1 : 0;
    if (rail > 0) {
      st.add("saturated", std::to_string(rail) + " samples at the channel's min/max (clipping) in the first " +
                              seconds(static_cast<double>(decision_end - p0 + 1) / fs) + " of the post window",
             true);
    }
  }

  // decision
  const std::int64_t j0 = (p0 + w.H - 1) / w.H, j1 = std::min<std::int64_t>(p_end / w.H, w.n_hops() - 1);
  const std::int64_t gap_hops = to_samples(p.max_gap_s, fs) / w.H;
  const std::int64_t dmin = to_samples(p.min_duration_s, fs);
  const auto duration = [&](const Run& run) { return w.centre(run.offset_hop) - w.centre(run.onset_hop); };
  bool found = false, undecidable = false, delayed = false;
  Run cr;
  std::int64_t j = j0;
  for (; j <= j1 && w.centre(j) <= on_limit; ++j) {
    if (!w.above(j, th_on)) continue;
    const Run run = follow(w, j, j1, end, th_off, gap_hops);
    if (duration(run) >= dmin) {
      found = true;
      cr = run;
      break;
    }
    if (run.censored) {
      undecidable = true;
      st.add(cut_code, "activity from " + seconds(static_cast<double>(w.centre(run.onset_hop)) / fs) +
                           " still on at the end of the window after " + seconds(static_cast<double>(duration(run)) / fs) +
                           " < min_duration_s=" + fmt(p.min_duration_s) + ": " + cut_text,
             true);
      break;
    }
    j = run.offset_hop;
  }
  if (!found && !undecidable && p_end < on_limit) {
    undecidable = true;
    st.add(cut_code, "the window ends before onset_within_s=" + fmt(p.onset_within_s) + " s: " + cut_text, true);
  }
  if (!found && !undecidable) {
    // sustained activity that starts later: delayed activity (SCIENCE.md §1.6 step 7)
    j = std::max(j, j0);
    for (; j <= j1; ++j) {
      if (!w.above(j, th_on)) continue;
      const Run run = follow(w, j, j1, end, th_off, gap_hops);
      if (duration(run) >= dmin) {
        delayed = true;
        r.delayed_onset_s = static_cast<double>(w.centre(run.onset_hop)) / fs;
        st.add("delayed_activity",
               "sustained activity from " + seconds(static_cast<double>(w.centre(run.onset_hop) - end) / fs) +
                   " after the last pulse (onset_within_s=" + fmt(p.onset_within_s) +
                   (p.accept_delayed ? "; counted as a cramp: accept_delayed=true)" : "; not a cramp: accept_delayed=false)"),
               false);
        if (p.accept_delayed) {
          found = true;
          cr = run;
        }
        break;
      }
      if (run.censored) break;
      j = run.offset_hop;
    }
  }
  r.decided = !undecidable;
  if (found) {
    r.cramp = true;
    r.offset_censored = cr.censored;
    std::int64_t on = w.centre(cr.onset_hop);
    std::int64_t off = cr.censored ? std::min(w.centre(cr.last_hop), p_end) : std::min(w.centre(cr.offset_hop), p_end);
    if (p.refine_s > 0.0) {
      const std::int64_t R = to_samples(p.refine_s, fs);
      if (p.refine_onset) on = refine_edge(w, std::max(on - R, end), std::min(on + R, off), true, on);
      if (p.refine_offset && !cr.censored) off = refine_edge(w, std::max(off - R, on + 1), std::min(off + R, p_end + 1), false, off);
    }
    r.onset_sample = on;
    r.offset_sample = off;
    r.onset_s = static_cast<double>(on) / fs;
    r.offset_s = static_cast<double>(off) / fs;
    r.duration_s = static_cast<double>(off - end) / fs;
    if (cr.censored) {
      st.add("offset_censored", "the cramp was still on at the end of the window (" + seconds(r.window_end_s) +
                                    "): offset and duration are lower bounds",
             false);
    }
    measure(r, w, p, clean_start);
  }
  (void)delayed;
  return finish();
}

}  // namespace

// ---- params ----------------------------------------------------------------------------------

void CrampParams::validate(double fs_hz) const {
  detail::check_fs(kParams, fs_hz);
  check_range("window_s", window_s, 0.02, 1.0, "must be in [0.02, 1] s (SCIENCE.md §1.6: 50-250 ms)");
  if (std::llround(window_s * fs_hz) < 2) {
    fail_param(kParams, "window_s", fmt(window_s), "must hold >= 2 samples at fs_hz=" + fmt(fs_hz));
  }
  if (!std::isfinite(hop_s) || hop_s <= 0.0 || hop_s > window_s) {
    fail_param(kParams, "hop_s", fmt(hop_s), "must be in (0, window_s=" + fmt(window_s) + "]");
  }
  if (std::llround(hop_s * fs_hz) < 1) fail_param(kParams, "hop_s", fmt(hop_s), "must hold >= 1 sample at fs_hz=" + fmt(fs_hz));
  if (!std::isfinite(min_valid_fraction) || min_valid_fraction <= 0.0 || min_valid_fraction > 1.0) {
    fail_param(kParams, "min_valid_fraction", fmt(min_valid_fraction), "must be in (0, 1]");
  }
  if (!std::isfinite(baseline_start_s) || !std::isfinite(baseline_end_s) || baseline_end_s > 0.0) {
    fail_param(kParams, "baseline_end_s", fmt(baseline_end_s), "must be finite and <= 0 (before the first pulse)");
  }
  if (!(baseline_start_s < baseline_end_s)) {
    fail_param(kParams, "baseline_start_s", fmt(baseline_start_s), "must be < baseline_end_s=" + fmt(baseline_end_s));
  }
  if (!std::isfinite(min_baseline_s) || min_baseline_s <= 0.0 || min_baseline_s > baseline_end_s - baseline_start_s) {
    fail_param(kParams, "min_baseline_s", fmt(min_baseline_s),
               "must be in (0, baseline_end_s - baseline_start_s=" + fmt(baseline_end_s - baseline_start_s) + "]");
  }
  if (!std::isfinite(max_baseline_ratio) || (max_baseline_ratio != 0.0 && max_baseline_ratio < 1.0)) {
    fail_param(kParams, "max_baseline_ratio", fmt(max_baseline_ratio), "must be 0 (no check) or >= 1");
  }
  if (!std::isfinite(baseline_active_fraction) || baseline_active_fraction <= 0.0 || baseline_active_fraction > 1.0) {
    fail_param(kParams, "baseline_active_fraction", fmt(baseline_active_fraction), "must be in (0, 1]");
  }
  detail::check_nonnegative(kParams, "k_off", k_off);
  if (!std::isfinite(k_on) || k_on < k_off) fail_param(kParams, "k_on", fmt(k_on), "must be finite and >= k_off=" + fmt(k_off));
  if (!std::isfinite(min_on_ratio) || min_on_ratio < 1.0 || min_on_ratio > 100.0) {
    fail_param(kParams, "min_on_ratio", fmt(min_on_ratio), "must be in [1, 100] (1 = no floor)");
  }
  detail::check_nonnegative(kParams, "mvc_fraction", mvc_fraction);
  detail::check_nonnegative(kParams, "e_mvc", e_mvc);
  if (mvc_fraction > 0.0 && !(e_mvc > 0.0)) {
    fail_param(kParams, "e_mvc", fmt(e_mvc), "must be > 0 when mvc_fraction=" + fmt(mvc_fraction) + " > 0 (the MVIC envelope level)");
  }
  check_range("blank_s", blank_s, 0.0, 1.0, "must be in [0, 1] s");
  if (!std::isfinite(onset_within_s) || onset_within_s <= blank_s) {
    fail_param(kParams, "onset_within_s", fmt(onset_within_s), "must be > blank_s=" + fmt(blank_s));
  }
  check_range("min_duration_s", min_duration_s, 0.0, 60.0, "must be in (0, 60] s");
  if (min_duration_s <= 0.0) fail_param(kParams, "min_duration_s", fmt(min_duration_s), "must be in (0, 60] s");
  if (!std::isfinite(max_gap_s) || max_gap_s < 0.0 || max_gap_s >= min_duration_s) {
    fail_param(kParams, "max_gap_s", fmt(max_gap_s), "must be in [0, min_duration_s=" + fmt(min_duration_s) + ")");
  }
  if (!std::isfinite(post_window_s) || post_window_s < onset_within_s + min_duration_s) {
    fail_param(kParams, "post_window_s", fmt(post_window_s),
               "must be >= onset_within_s + min_duration_s=" + fmt(onset_within_s + min_duration_s) +
                   " (otherwise no cramp could ever be confirmed)");
  }
  check_range("refine_s", refine_s, 0.0, 1.0, "must be in [0, 1] s");
  if (saturation_run < 2) fail_param(kParams, "saturation_run", std::to_string(saturation_run), "must be >= 2 samples");
  detail::check_positive(kParams, "low_hz", low_hz);
  if (!std::isfinite(high_hz) || high_hz <= low_hz) fail_param(kParams, "high_hz", fmt(high_hz), "must be finite and > low_hz=" + fmt(low_hz));
  if (order < 1 || order > filters::kMaxButterOrder) {
    fail_param(kParams, "order", std::to_string(order), "must be in 1.." + std::to_string(filters::kMaxButterOrder));
  }
  detail::check_positive(kParams, "spectral_segment_s", spectral_segment_s);
  if (!std::isfinite(spectral_window_s) || spectral_window_s < spectral_segment_s) {
    fail_param(kParams, "spectral_window_s", fmt(spectral_window_s), "must be >= spectral_segment_s=" + fmt(spectral_segment_s));
  }
  detail::check_positive(kParams, "fit_min_s", fit_min_s);
  try {
    suppression.validate(fs_hz);
  } catch (const InvalidArgument& e) {
    // "suppress_artifacts: blank_s=..." -> "CrampParams: suppression.blank_s=... (suppress_artifacts)"
    std::string m = e.what();
    const std::size_t colon = m.find(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2) + " (" + m.substr(0, colon) + ")";
    throw InvalidArgument(std::string(kParams) + ": suppression." + m);
  }
}

const ParamTable& CrampParams::describe() {
  static const ParamTable table = [] {
    ParamTable t = {
        {"suppress", "", "true", "true|false", "suppress each pulse's artefact (suppression.*) before filtering"},
        {"bandpass", "", "true", "true|false", "zero-phase Butterworth band-pass after suppression"},
        {"low_hz", "Hz", "20", "(0, high_hz)", "lower band edge; at or above fs/2 the band-pass is skipped (noted in preprocessing)"},
        {"high_hz", "Hz", "450", "> low_hz", "upper band edge; at or above fs/2 only the high-pass is applied (noted)"},
        {"order", "", "4", "1..10", "Butterworth order N"},
        {"window_s", "s", "0.1", "[0.02, 1]", "moving-RMS envelope window, centred (SCIENCE.md §1.6: 50-250 ms)"},
        {"hop_s", "s", "0.01", "(0, window_s]", "envelope sample spacing"},
        {"min_valid_fraction", "", "0.5", "(0, 1]",
         "an envelope sample needs this fraction of its window outside suppressed / saturated / non-finite samples"},
        {"baseline_start_s", "s", "-2", "< baseline_end_s", "baseline window start, from the train's first pulse"},
        {"baseline_end_s", "s", "-0.1", "<= 0", "baseline window end, from the train's first pulse"},
        {"min_baseline_s", "s", "1", "(0, baseline length]", "defined envelope needed in the baseline (else baseline_too_short)"},
        {"robust_baseline", "", "false", "true|false", "baseline level and spread as median and 1.4826 MAD"},
        {"max_baseline_ratio", "", "2", "0 or >= 1",
         "baseline_active when the baseline level exceeds this x the channel's noise floor (10th percentile of the envelope); 0 = off"},
        {"baseline_active_fraction", "", "0.1", "(0, 1]",
         "baseline_active when more than this fraction of the baseline exceeds median + k_on x robust SD"},
        {"k_on", "", "3", ">= k_off", "on-threshold mu_B + k_on sigma_B"},
        {"min_on_ratio", "", "1.5", "[1, 100]",
         "floor of the on-threshold: at least min_on_ratio x mu_B (a steady baseline has sigma_B near 0); 1 = no floor"},
        {"k_off", "", "2", ">= 0", "off-threshold mu_B + k_off sigma_B (hysteresis)"},
        {"mvc_fraction", "", "0", ">= 0", "on-threshold at least mvc_fraction x e_mvc (amplitude-relative criterion)"},
        {"e_mvc", "units", "0", ">= 0", "RMS envelope of the best MVIC plateau (0 = none)"},
        {"blank_s", "s", "0.1", "[0, 1]", "the post-train window starts this long after the last pulse (artefact tail, M-, F-waves)"},
        {"post_window_s", "s", "30", ">= onset_within_s + min_duration_s", "the post-train window ends this long after the last pulse"},
        {"onset_within_s", "s", "0.5", "> blank_s", "a cramp crosses the on-threshold no later than this after the last pulse"},
        {"min_duration_s", "s", "1", "(0, 60]", "shortest cramp, onset to offset (SCIENCE.md: 0.5-5 s)"},
        {"max_gap_s", "s", "0.2", "[0, min_duration_s)", "dips below the off-threshold up to this long do not end a cramp"},
        {"accept_delayed", "", "false", "true|false", "sustained activity starting after onset_within_s counts as a cramp"},
        {"refine_s", "s", "0.3", "[0, 1]", "search half-width of the edge refinement around the envelope crossing (0 = off)"},
        {"refine_onset", "", "false", "true|false",
         "re-estimate the onset as the maximum-likelihood variance change (the envelope crossing is closer on slow rises)"},
        {"refine_offset", "", "true", "true|false",
         "re-estimate the offset as the maximum-likelihood variance change (removes the envelope window's lag)"},
        {"require_ok_train", "", "false", "true|false", "no decision for a train whose own status is not ok"},
        {"saturation_run", "samples", "3", ">= 2", "consecutive samples at the channel's min/max that count as saturation"},
        {"spectral_window_s", "s", "1", ">= spectral_segment_s", "MNF/MDF over the first this-long of the cramp"},
        {"spectral_segment_s", "s", "0.25", "> 0", "Welch segment (Hann, 50 % overlap, zero-padded to a power of two)"},
        {"fit_decay", "", "true", "true|false", "fit an exponential decay to the envelope from its peak to the offset"},
        {"fit_min_s", "s", "1", "> 0", "shortest peak-to-offset span that is fitted"},
    };
    for (ParamInfo i : stim::SuppressParams::describe()) {
      i.name = "suppression." + i.name;
      if (i.name == "suppression.blank_s") {
        i.default_value = "0.025";
        i.help = "the blanked span ends this long after the pulse (here the whole artefact + M-wave span)";
      }
      t.push_back(i);
    }
    return t;
  }();
  return table;
}

// ---- detection -------------------------------------------------------------------------------

std::vector<CrampResult> detect_cramps(MatrixView x, double fs_hz, long channel, const std::vector<stim::PulseTrain>& trains,
                                       const CrampParams& params) {
  params.validate(fs_hz);
  if (x.rows() < 1 || x.cols() < 1) {
    fail_param(kDetect, "x", std::to_string(x.rows()) + "x" + std::to_string(x.cols()), "must have >= 1 channel and >= 1 sample");
  }
  if (channel < 0 || channel >= x.rows()) {
    fail_param(kDetect, "channel", std::to_string(channel), "must be in [0, " + std::to_string(x.rows()) + ")");
  }
  const std::int64_t n = x.cols();
  check_trains(trains, n);
  if (trains.empty()) {
    CrampResult r;
    r.status = "no_stimulation";
    r.message = "no_stimulation: no stimulation trains were given / found, so there is nothing to decide";
    return {r};
  }

  Work w;
  w.fs = fs_hz;
  bool all_bad = true;
  for (std::int64_t i = 0; i < n && all_bad; ++i) all_bad = !std::isfinite(x(channel, i));
  std::vector<CrampResult> out;
  out.reserve(trains.size());
  if (all_bad) {
    for (const stim::PulseTrain& t : trains) {
      CrampResult r;
      r.train_id = t.train_id;
      r.frequency_hz = std::isfinite(t.nominal_frequency_hz) ? t.nominal_frequency_hz : t.frequency_hz;
      r.start_sample = t.start_sample;
      r.end_sample = t.end_sample;
      r.status = "non_finite";
      r.message = "non_finite: every sample of channel " + std::to_string(channel) + " is NaN/Inf";
      out.push_back(r);
    }
    return out;
  }

  std::vector<stim::SampleInterval> intervals;
  prepare(w, x, channel, trains, params, intervals);

  // next train start and the end of each train's last suppressed span
  std::vector<std::int64_t> starts;
  for (const stim::PulseTrain& t : trains) {
    if (t.start_sample >= 0) starts.push_back(t.start_sample);
  }
  std::sort(starts.begin(), starts.end());
  std::vector<double> buf;
  buf.reserve(static_cast<std::size_t>(std::max<double>(1.0, (params.baseline_end_s - params.baseline_start_s) / params.hop_s + 2.0)));
  std::vector<std::int64_t> ends;
  for (const stim::PulseTrain& t : trains) {
    if (t.start_sample >= 0) ends.push_back(t.end_sample);
  }
  std::sort(ends.begin(), ends.end());
  for (const stim::PulseTrain& t : trains) {
    std::int64_t next = -1, prev = -1;
    std::int64_t clean = t.end_sample + 1;
    if (t.start_sample >= 0) {
      const auto it = std::upper_bound(starts.begin(), starts.end(), t.end_sample);
      if (it != starts.end()) next = *it;
      const auto pe = std::lower_bound(ends.begin(), ends.end(), t.start_sample);  // trains ending before this one starts
      if (pe != ends.begin()) prev = *std::prev(pe);
      const auto iv = std::upper_bound(intervals.begin(), intervals.end(), t.end_sample,
                                       [](std::int64_t s, const stim::SampleInterval& v) { return s < v.start_sample; });
      if (iv != intervals.begin()) clean = std::max(clean, std::prev(iv)->end_sample);
    }
    out.push_back(analyse(w, t, prev, next, clean, params, buf));
  }
  return out;
}

std::vector<CrampResult> detect_cramps(const Recording& rec, const std::vector<stim::PulseTrain>& trains,
                                       const std::string& channel, const CrampParams& params) {
  return detect_cramps(rec.data(), rec.fs_hz(), detail::analysed_channel(rec, channel), trains, params);
}

std::vector<CrampResult> detect_cramps(const Recording& rec, const std::string& channel, const CrampParams& params,
                                       const stim::FindTrainsParams& find) {
  params.validate(rec.fs_hz());
  const long c = detail::analysed_channel(rec, channel);
  const stim::TrainSearch s = stim::find_trains(rec, detail::pulse_search_channel(rec, c, find.source), find);
  return detect_cramps(rec.data(), rec.fs_hz(), c, s.trains, params);
}

}  // namespace emg::detect
