// M-wave measures per pulse (latency, peak latency, peak-to-peak, area, duration) and their trends
// along and across trains (SCIENCE.md §4.3).
#include <emg/errors.hpp>
#include <emg/stim/mwaves.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace emg::stim {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kMeasure = "measure_mwaves";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_pulses(std::string_view function, const std::vector<std::int64_t>& pulses, std::int64_t n_samples) {
  for (std::size_t k = 0; k < pulses.size(); ++k) {
    if (pulses[k] < 0 || pulses[k] >= n_samples) {
      fail_param(function, "pulses[" + std::to_string(k) + "]", std::to_string(pulses[k]),
                 "must be in [0, n_samples=" + std::to_string(n_samples) + ") (a sample of x)");
    }
    if (k > 0 && pulses[k] <= pulses[k - 1]) {
      fail_param(function, "pulses[" + std::to_string(k) + "]", std::to_string(pulses[k]),
                 "must be > pulses[" + std::to_string(k - 1) + "]=" + std::to_string(pulses[k - 1]) +
                     " (pulses strictly increasing)");
    }
  }
}

Eigen::Index samples(double t_s, double fs_hz) { return static_cast<Eigen::Index>(std::llround(t_s * fs_hz)); }

spectral::Trend nan_trend(long n) {
  spectral::Trend t;
  t.slope = t.intercept = t.slope_ci_low = t.slope_ci_high = t.normalized_slope_pct_per_s = t.r_squared = kNaN;
  t.n = n;
  return t;
}

/// linear_trend when there are >= 3 points with distinct t, else NaNs.
spectral::Trend trend_or_nan(const std::vector<double>& t, const std::vector<double>& y) {
  const long n = static_cast<long>(t.size());
  if (n < 3) return nan_trend(n);
  const VectorXd tv = Eigen::Map<const VectorXd>(t.data(), n);
  const VectorXd yv = Eigen::Map<const VectorXd>(y.data(), n);
  if (!yv.allFinite()) return nan_trend(n);
  return spectral::linear_trend(tv, yv);
}

/// Baseline span [b0, b1) of the pulse at p (empty when b1 <= b0).
std::pair<Eigen::Index, Eigen::Index> baseline_span(double fs_hz, std::int64_t p, std::int64_t prev,
                                                    const MwaveMeasureParams& params) {
  const Eigen::Index b0 = std::max<Eigen::Index>({p - samples(params.baseline_s, fs_hz), prev + 1, 0});
  const Eigen::Index b1 = p - samples(params.baseline_end_s, fs_hz);
  return {b0, std::max(b0, b1)};
}

struct Baseline {
  double mean = 0.0;
  double sd = 0.0;
  bool ok = false;
};

void measure_one(const double* x, Eigen::Index n, double fs_hz, std::int64_t p, std::int64_t next, const Baseline& base,
                 double sigma, const MwaveMeasureParams& params, Mwave& m) {
  m.latency_s = m.peak_latency_s = m.area = m.duration_s = kNaN;
  m.peak_to_peak = kNaN;
  m.found = false;
  m.onset_sample = m.offset_sample = -1;
  m.baseline_mean = base.mean;
  m.baseline_sd = sigma;
  const bool has_baseline = base.ok;
  const double mu = base.mean;

  const Eigen::Index w0 = p + samples(params.window_start_s, fs_hz);
  Eigen::Index w1 = std::min<Eigen::Index>(p + samples(params.window_end_s, fs_hz), n);
  if (next >= 0) w1 = std::min<Eigen::Index>(w1, next);
  if (w1 <= w0) {
    m.status = "no_window";
    return;
  }

  double hi = -std::numeric_limits<double>::infinity(), lo = std::numeric_limits<double>::infinity(), peak = 0.0;
  for (Eigen::Index i = w0; i < w1; ++i) {
    hi = std::max(hi, x[i]);
    lo = std::min(lo, x[i]);
    peak = std::max(peak, std::abs(x[i] - mu));
  }
  m.peak_to_peak = hi - lo;
  if (!(peak > params.detect_sd * sigma) || !(peak > 0.0) || !(m.peak_to_peak > params.min_peak_to_peak)) {
    m.status = "below_noise";
    return;
  }

  const double theta = std::max(params.onset_sd * sigma, params.onset_fraction * peak);
  const double ext = params.extend_sd * sigma;
  Eigen::Index c = w0;
  while (c < w1 && !(std::abs(x[c] - mu) > theta)) ++c;
  Eigen::Index d = w1 - 1;
  while (d > c && !(std::abs(x[d] - mu) > theta)) --d;
  if (c >= w1) {  // cannot happen: the peak itself exceeds theta (theta < peak), kept for safety
    m.status = "below_noise";
    return;
  }
  Eigen::Index onset = c;
  while (onset > w0 && std::abs(x[onset - 1] - mu) > ext) --onset;
  Eigen::Index offset = d;
  while (offset + 1 < w1 && std::abs(x[offset + 1] - mu) > ext) ++offset;

  // first phase: same sign as x[c] - mu from c on
  const bool positive = x[c] - mu > 0.0;
  Eigen::Index pk = c;
  for (Eigen::Index i = c; i < w1; ++i) {
    const double v = x[i] - mu;
    if ((v > 0.0) != positive || v == 0.0) break;
    if (std::abs(v) > std::abs(x[pk] - mu)) pk = i;
  }

  double area = 0.0;
  for (Eigen::Index i = onset; i <= offset; ++i) area += std::abs(x[i] - mu);
  m.found = true;
  m.onset_sample = onset;
  m.offset_sample = offset;
  m.latency_s = static_cast<double>(onset - p) / fs_hz;
  m.peak_latency_s = static_cast<double>(pk - p) / fs_hz;
  m.area = area / fs_hz;
  m.duration_s = static_cast<double>(offset - onset + 1) / fs_hz;
  m.status = onset == w0 ? "onset_at_window_start" : (has_baseline ? "ok" : "no_baseline");
}

}  // namespace

void MwaveMeasureParams::validate(double fs_hz) const {
  detail::check_fs(kMeasure, fs_hz);
  if (!std::isfinite(window_start_s) || window_start_s < 0.0) {
    fail_param(kMeasure, "window_start_s", fmt(window_start_s), "must be finite and >= 0");
  }
  if (!std::isfinite(window_end_s) || window_end_s <= window_start_s || window_end_s > 0.2) {
    fail_param(kMeasure, "window_end_s", fmt(window_end_s),
               "must be in (window_start_s=" + fmt(window_start_s) + ", 0.2]");
  }
  if (!std::isfinite(baseline_s) || baseline_s <= 0.0 || baseline_s > 0.1) {
    fail_param(kMeasure, "baseline_s", fmt(baseline_s), "must be in (0, 0.1]");
  }
  if (!std::isfinite(baseline_end_s) || baseline_end_s < 0.0 || baseline_end_s >= baseline_s) {
    fail_param(kMeasure, "baseline_end_s", fmt(baseline_end_s), "must be in [0, baseline_s=" + fmt(baseline_s) + ")");
  }
  detail::check_nonnegative(kMeasure, "onset_sd", onset_sd);
  detail::check_nonnegative(kMeasure, "extend_sd", extend_sd);
  if (extend_sd > onset_sd) {
    fail_param(kMeasure, "extend_sd", fmt(extend_sd), "must be <= onset_sd=" + fmt(onset_sd));
  }
  detail::check_nonnegative(kMeasure, "detect_sd", detect_sd);
  if (!std::isfinite(onset_fraction) || onset_fraction < 0.0 || onset_fraction >= 1.0) {
    fail_param(kMeasure, "onset_fraction", fmt(onset_fraction), "must be in [0, 1)");
  }
  detail::check_nonnegative(kMeasure, "min_peak_to_peak", min_peak_to_peak);
}

const ParamTable& MwaveMeasureParams::describe() {
  static const ParamTable table = {
      {"window_start_s", "s", "0.002", ">= 0", "the M-wave search window starts this long after the pulse"},
      {"window_end_s", "s", "0.025", "(window_start_s, 0.2]", "... and ends this long after it (clipped at the next pulse)"},
      {"baseline_s", "s", "0.005", "(0, 0.1]", "the pre-pulse baseline starts this long before the pulse"},
      {"baseline_end_s", "s", "0.0005", "[0, baseline_s)", "... and ends this long before it"},
      {"onset_sd", "", "3", ">= 0", "onset threshold in baseline SDs"},
      {"onset_fraction", "", "0.02", "[0, 1)", "onset threshold at least this fraction of the window's peak |x - mean|"},
      {"extend_sd", "", "1.5", "[0, onset_sd]", "onset and offset extend outwards while |x - mean| exceeds this many SDs"},
      {"detect_sd", "", "5", ">= 0", "an M-wave is found when its peak |x - mean| exceeds this many baseline SDs"},
      {"min_peak_to_peak", "units", "0", ">= 0", "an M-wave is found only when its peak-to-peak exceeds this"},
  };
  return table;
}

std::vector<Mwave> measure_mwaves(MatrixView x, double fs_hz, const std::vector<std::int64_t>& pulses,
                                  const MwaveMeasureParams& params, const std::vector<long>& train_ids) {
  params.validate(fs_hz);
  detail::check_signal(kMeasure, x);
  const Eigen::Index n = x.cols();
  check_pulses(kMeasure, pulses, n);
  if (!train_ids.empty() && train_ids.size() != pulses.size()) {
    fail_param(kMeasure, "train_ids", "size " + std::to_string(train_ids.size()),
               "must be empty or have one entry per pulse (" + std::to_string(pulses.size()) + ")");
  }
  const std::size_t np = pulses.size();
  std::vector<Mwave> out(static_cast<std::size_t>(x.rows()) * np);
  for (Eigen::Index c = 0; c < x.rows(); ++c) {
    const double* row = x.row(c).data();
    std::size_t first = 0;
    while (first < np) {
      std::size_t last = first;  // the train [first, last]
      while (last + 1 < np && (train_ids.empty() || train_ids[last + 1] == train_ids[first])) ++last;
      // the train's baseline: mean and SD over the baseline samples of all its pulses
      Baseline base;
      double sum = 0.0;
      long count = 0;
      for (std::size_t k = first; k <= last; ++k) {
        const auto [b0, b1] = baseline_span(fs_hz, pulses[k], k > 0 ? pulses[k - 1] : -1, params);
        for (Eigen::Index i = b0; i < b1; ++i) sum += row[i];
        count += static_cast<long>(b1 - b0);
      }
      if (count >= 2) {
        base.mean = sum / static_cast<double>(count);
        double ss = 0.0;
        for (std::size_t k = first; k <= last; ++k) {
          const auto [b0, b1] = baseline_span(fs_hz, pulses[k], k > 0 ? pulses[k - 1] : -1, params);
          for (Eigen::Index i = b0; i < b1; ++i) ss += (row[i] - base.mean) * (row[i] - base.mean);
        }
        base.sd = std::sqrt(ss / static_cast<double>(count));
        base.ok = true;
      }
      const double sigma = base.sd;
      for (std::size_t k = first; k <= last; ++k) {
        Mwave& m = out[static_cast<std::size_t>(c) * np + k];
        m.channel = static_cast<long>(c);
        m.train_id = train_ids.empty() ? 0 : train_ids[k];
        m.pulse_index = static_cast<long>(k - first);
        m.pulse_sample = pulses[k];
        const std::int64_t next = k + 1 < np ? pulses[k + 1] : -1;
        measure_one(row, n, fs_hz, pulses[k], next, base, sigma, params, m);
      }
      first = last + 1;
    }
  }
  return out;
}

MwaveTrends mwave_trends(const std::vector<Mwave>& mwaves) {
  // group by channel, then train in order of first appearance
  std::map<long, std::vector<long>> train_order;  // channel -> train ids in appearance order
  std::map<std::pair<long, long>, std::vector<const Mwave*>> groups;
  for (const Mwave& m : mwaves) {
    if (m.channel < 0) fail_param("mwave_trends", "channel", std::to_string(m.channel), "must be >= 0");
    auto& members = groups[{m.channel, m.train_id}];
    if (members.empty()) train_order[m.channel].push_back(m.train_id);
    members.push_back(&m);
  }
  MwaveTrends out;
  long max_channel = -1;
  for (const auto& [ch, ids] : train_order) max_channel = std::max(max_channel, ch);
  out.across_trains_mean.assign(static_cast<std::size_t>(max_channel + 1), nan_trend(0));
  out.across_trains_first.assign(static_cast<std::size_t>(max_channel + 1), nan_trend(0));
  for (const auto& [ch, ids] : train_order) {
    std::vector<double> order, means, firsts;
    for (std::size_t ti = 0; ti < ids.size(); ++ti) {
      std::vector<const Mwave*> members = groups[{ch, ids[ti]}];
      std::stable_sort(members.begin(), members.end(),
                       [](const Mwave* a, const Mwave* b) { return a->pulse_index < b->pulse_index; });
      MwaveTrainTrend t;
      t.channel = ch;
      t.train_id = ids[ti];
      t.n_pulses = static_cast<long>(members.size());
      std::vector<double> idx, p2p, area;
      double lat = 0.0, dur = 0.0;
      for (const Mwave* m : members) {
        if (!m->found) continue;
        idx.push_back(static_cast<double>(m->pulse_index));
        p2p.push_back(m->peak_to_peak);
        area.push_back(m->area);
        lat += m->latency_s;
        dur += m->duration_s;
      }
      t.n_found = static_cast<long>(idx.size());
      t.peak_to_peak_trend = trend_or_nan(idx, p2p);
      t.area_trend = trend_or_nan(idx, area);
      if (t.n_found > 0) {
        const double nf = static_cast<double>(t.n_found);
        t.first_peak_to_peak = p2p.front();
        t.last_peak_to_peak = p2p.back();
        double s = 0.0;
        for (double v : p2p) s += v;
        t.mean_peak_to_peak = s / nf;
        t.last_first_ratio = p2p.back() / p2p.front();
        t.mean_latency_s = lat / nf;
        t.mean_duration_s = dur / nf;
        const spectral::Trend& tr = t.peak_to_peak_trend;
        t.fitted_last_first_ratio =
            (tr.intercept + tr.slope * idx.back()) / (tr.intercept + tr.slope * idx.front());  // NaN when n < 3
        order.push_back(static_cast<double>(ti));
        means.push_back(t.mean_peak_to_peak);
        firsts.push_back(t.first_peak_to_peak);
      } else {
        t.first_peak_to_peak = t.last_peak_to_peak = t.mean_peak_to_peak = kNaN;
        t.last_first_ratio = t.fitted_last_first_ratio = t.mean_latency_s = t.mean_duration_s = kNaN;
      }
      out.trains.push_back(std::move(t));
    }
    out.across_trains_mean[static_cast<std::size_t>(ch)] = trend_or_nan(order, means);
    out.across_trains_first[static_cast<std::size_t>(ch)] = trend_or_nan(order, firsts);
  }
  return out;
}

}  // namespace emg::stim
