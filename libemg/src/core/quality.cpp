// Signal-quality summary: one pass over each channel for the amplitude statistics and the runs,
// one Welch PSD for the mains level. Definitions in quality.hpp.
#include <emg/errors.hpp>
#include <emg/filters/mains.hpp>
#include <emg/parallel.hpp>
#include <emg/quality.hpp>
#include <emg/spectral/metrics.hpp>
#include <emg/spectral/spectra.hpp>

#include "detail/check.hpp"
#include "detail/robust.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace emg {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kFn = "quality_report";
// Shortest record and lowest rate at which detect_line_frequency can tell 50 from 60 Hz.
constexpr double kMinMainsFs = 136.0;
constexpr double kMaxDb = 300.0;

struct Runs {
  long clipped = 0;
  long flat = 0;
};

// Runs of identical values: clipping (run at the channel's min or max, >= clip_run samples) and
// flatness (any value, >= flat_run samples).
Runs count_runs(const double* x, long n, double lo, double hi, long clip_run, long flat_run) {
  Runs r;
  long start = 0;
  while (start < n) {
    long end = start + 1;
    while (end < n && x[end] == x[start]) ++end;
    const long len = end - start;
    if (len >= clip_run && lo < hi && (x[start] == lo || x[start] == hi)) r.clipped += len;
    if (len >= flat_run) r.flat += len;
    start = end;
  }
  return r;
}

long count_saturated(const double* x, long n, const ChannelInfo& info) {
  const double a = info.digital_min * info.conversion + info.offset;
  const double b = info.digital_max * info.conversion + info.offset;
  const double tol = std::abs(info.conversion) * 1e-6;
  const double lo = std::min(a, b) + tol, hi = std::max(a, b) - tol;
  long count = 0;
  for (long i = 0; i < n; ++i) count += (x[i] <= lo || x[i] >= hi) ? 1 : 0;
  return count;
}

using detail::median;

// The samples the mains estimate uses: all of them, or, when the recording has stored stimulation,
// the stimulus-free spans concatenated (see quality.hpp: stimulation harmonics are not hum).
RowMatrixXd mains_samples(const Recording& rec) {
  const Stimulation& st = rec.stimulation();
  const long n = rec.n_samples();
  if (st.pulses.empty() && st.trains.empty()) return rec.data();
  const double fs = rec.fs_hz();
  const auto pre = static_cast<std::int64_t>(std::llround(kStimExcludeBeforeS * fs));
  const auto post = static_cast<std::int64_t>(std::llround(kStimExcludeAfterS * fs));
  std::vector<std::pair<std::int64_t, std::int64_t>> spans;  // [start, end) to drop
  for (const StimTrain& t : st.trains) spans.emplace_back(t.start_sample - pre, t.end_sample + post + 1);
  for (const std::int64_t p : st.pulses) spans.emplace_back(p - pre, p + post + 1);
  std::sort(spans.begin(), spans.end());
  std::vector<std::uint8_t> keep(static_cast<std::size_t>(n), 1);
  for (const auto& [a, b] : spans) {
    for (std::int64_t i = std::max<std::int64_t>(a, 0); i < std::min<std::int64_t>(b, n); ++i) keep[static_cast<std::size_t>(i)] = 0;
  }
  long m = 0;
  for (const std::uint8_t k : keep) m += k;
  RowMatrixXd out(rec.n_channels(), m);
  long j = 0;
  for (long i = 0; i < n; ++i) {
    if (keep[static_cast<std::size_t>(i)]) out.col(j++) = rec.data().col(i);
  }
  return out;
}

// The line frequency of `x`, or 0 when it cannot be determined (see quality.hpp).
double line_frequency(const RowMatrixXd& x, double fs_hz) {
  if (x.cols() == 0 || fs_hz <= kMinMainsFs || x.cols() < static_cast<long>(std::ceil(fs_hz))) return 0.0;
  try {
    return filters::detect_line_frequency(x, fs_hz);
  } catch (const InvalidArgument&) {
    return 0.0;  // no line peak stands out: the preconditions were checked above
  }
}

struct MainsLevel {
  double db = 0.0;
  double peak_hz = 0.0;
};

MainsLevel mains_level(const VectorXd& freqs, const RowMatrixXd& psd, long channel, double line_hz, double fs_hz) {
  const double nyq = fs_hz / 2.0;
  const double df = freqs.size() > 1 ? freqs(1) - freqs(0) : 1.0;
  constexpr double eps = 1e-9;
  MainsLevel best{-HUGE_VAL, 0.0};
  for (int h = 1; h <= 3; ++h) {
    const double f = h * line_hz;
    if (f + 8.0 >= nyq) break;
    const VectorXd line = spectral::band_power(freqs, psd.row(channel), spectral::Band{f - 1.0 - eps, f + 1.0 + eps});
    double neigh = 0.0;
    long n_line = 0, n_neigh = 0;
    for (Eigen::Index k = 0; k < freqs.size(); ++k) {
      const double d = std::abs(freqs(k) - f);
      if (d <= 1.0 + eps) {
        ++n_line;
      } else if (d >= 2.0 - eps && d <= 8.0 + eps) {
        neigh += psd(channel, k);
        ++n_neigh;
      }
    }
    if (n_line == 0 || n_neigh == 0) continue;
    const double expected = neigh / static_cast<double>(n_neigh) * static_cast<double>(n_line) * df;
    double db = 0.0;
    if (expected > 0.0) {
      db = line(0) > 0.0 ? 10.0 * std::log10(line(0) / expected) : -HUGE_VAL;
    } else {
      db = line(0) > 0.0 ? HUGE_VAL : 0.0;  // a pure tone: nothing around it
    }
    if (db > best.db) best = {db, f};
  }
  if (best.peak_hz == 0.0) return {};
  best.db = std::clamp(best.db, -kMaxDb, kMaxDb);  // finite for tables and JSON
  return best;
}

}  // namespace

void QualityParams::validate(double fs_hz) const {
  detail::check_fs(kFn, fs_hz);
  detail::check_positive(kFn, "flat_run_s", flat_run_s);
  if (!std::isfinite(dead_rms_ratio) || dead_rms_ratio < 0.0 || dead_rms_ratio >= 1.0) {
    fail_param(kFn, "dead_rms_ratio", fmt(dead_rms_ratio), "must be finite and in [0, 1)");
  }
  if (!std::isfinite(clip_run_samples) || clip_run_samples < 2.0 || clip_run_samples > 1e9 ||
      clip_run_samples != std::floor(clip_run_samples)) {
    fail_param(kFn, "clip_run_samples", fmt(clip_run_samples), "must be a whole number in [2, 1e9]");
  }
}

const ParamTable& QualityParams::describe() {
  static const ParamTable table = {
      {"flat_run_s", "s", "0.1", "(0, inf)",
       "A run of identical samples at least this long (and >= 2 samples) counts towards flat_fraction."},
      {"dead_rms_ratio", "", "0.001", "[0, 1)",
       "A channel whose RMS is below this fraction of the median RMS of the channels with the same units is dead."},
      {"clip_run_samples", "samples", "3", "whole number >= 2",
       "Runs of at least this many samples at the channel's own min or max count as clipped."},
  };
  return table;
}

QualityReport quality_report(const Recording& rec, const QualityParams& params) {
  params.validate(rec.fs_hz());
  QualityReport out;
  out.fs_hz = rec.fs_hz();
  out.n_samples = rec.n_samples();
  out.duration_s = rec.duration_s();
  const long n = rec.n_samples();
  const long n_ch = rec.n_channels();
  const auto clip_run = static_cast<long>(params.clip_run_samples);
  const long flat_run = std::max(2L, static_cast<long>(std::ceil(params.flat_run_s * rec.fs_hz() - 1e-9)));

  out.channels.resize(static_cast<std::size_t>(n_ch));
  // Channels are independent and each writes only its own entry: same result for any thread count.
#pragma omp parallel for schedule(dynamic, 1) num_threads(get_num_threads()) if (n_ch > 1)
  for (long c = 0; c < n_ch; ++c) {
    const ChannelInfo& info = rec.channels()[static_cast<std::size_t>(c)];
    ChannelQuality& q = out.channels[static_cast<std::size_t>(c)];
    const double* x = rec.data().row(c).data();
    q.name = info.name;
    q.units = info.units;
    const auto row = rec.data().row(c);
    q.min = row.minCoeff();
    q.max = row.maxCoeff();
    q.mean = row.mean();
    q.rms = std::sqrt(row.squaredNorm() / static_cast<double>(n));
    q.saturation_known =
        std::isfinite(info.conversion) && std::isfinite(info.digital_min) && std::isfinite(info.digital_max);
    if (q.saturation_known) q.saturated = count_saturated(x, n, info);
    const Runs runs = count_runs(x, n, q.min, q.max, clip_run, flat_run);
    q.clipped = runs.clipped;
    q.flat_fraction = static_cast<double>(runs.flat) / static_cast<double>(n);
    q.dead = q.min == q.max;
  }

  // Relative deadness only among channels in the same units.
  std::map<std::string, std::vector<double>> rms_by_units;
  for (const auto& q : out.channels) rms_by_units[q.units].push_back(q.rms);
  std::map<std::string, double> median_rms;
  for (const auto& [units, values] : rms_by_units) {
    if (values.size() >= 2) median_rms[units] = median(values);
  }
  for (auto& q : out.channels) {
    const auto it = median_rms.find(q.units);
    if (it != median_rms.end() && q.rms < params.dead_rms_ratio * it->second) q.dead = true;
  }

  const RowMatrixXd quiet = mains_samples(rec);
  out.mains_samples = static_cast<long>(quiet.cols());
  const double line_hz = line_frequency(quiet, rec.fs_hz());
  if (line_hz > 0.0) {
    spectral::WelchParams wp;
    wp.window = spectral::Window{"hann"};
    wp.nperseg = std::min(static_cast<long>(quiet.cols()), static_cast<long>(std::llround(rec.fs_hz())));
    wp.noverlap = wp.nperseg / 2;
    wp.detrend = spectral::Detrend::constant;
    wp.scaling = spectral::Scaling::density;
    const spectral::Psd psd = spectral::welch(quiet, rec.fs_hz(), wp);
    for (long c = 0; c < n_ch; ++c) {
      auto& q = out.channels[static_cast<std::size_t>(c)];
      q.mains_hz = line_hz;
      const MainsLevel level = mains_level(psd.freqs_hz, psd.power, c, line_hz, rec.fs_hz());
      q.mains_db = level.db;
      q.mains_peak_hz = level.peak_hz;
    }
  }
  return out;
}

}  // namespace emg
