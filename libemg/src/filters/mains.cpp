// Power-line interference removal (SCIENCE.md 3.3): spectrum interpolation on integer-cycle
// segments, or a zero-phase notch cascade; and 50/60 Hz detection.
#include <emg/filters/mains.hpp>

#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/parallel.hpp>

#include "detail/check.hpp"
#include "detail/fft.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>

namespace emg::filters {
namespace {

using detail::fmt;
constexpr const char* kFn = "remove_mains";

/// Replaces the magnitudes of the hum bands of one spectrum (nb = n/2 + 1 bins, bin width df_hz).
void interpolate_bands(std::complex<double>* spec, long nb, double df_hz, const std::vector<double>& harmonics_hz,
                       double bandwidth_hz) {
  for (double f : harmonics_hz) {
    long lo = static_cast<long>(std::ceil((f - bandwidth_hz) / df_hz - 1e-9));
    long hi = static_cast<long>(std::floor((f + bandwidth_hz) / df_hz + 1e-9));
    if (lo > hi) lo = hi = std::lround(f / df_hz);  // band narrower than a bin: take the nearest
    lo = std::max(lo, 1L);
    hi = std::min(hi, nb - 1);
    if (lo > hi) continue;
    const long left = lo - 1;
    const long right = hi + 1 <= nb - 1 ? hi + 1 : left;  // band reaching Nyquist: flat from the left
    const double m_left = std::abs(spec[left]);
    const double m_right = std::abs(spec[right]);
    const double span = static_cast<double>(right - left);
    for (long k = lo; k <= hi; ++k) {
      const double t = span > 0 ? static_cast<double>(k - left) / span : 0.0;
      const double m = m_left + t * (m_right - m_left);
      const double a = std::abs(spec[k]);
      spec[k] = a > 0.0 ? spec[k] * (m / a) : std::complex<double>(m, 0.0);
    }
  }
}

/// Spectrum interpolation of x[0, m) into y[0, m) using the given work buffers.
void interpolate_segment(const double* x, double* y, long m, double fs_hz, const std::vector<double>& harmonics_hz,
                         double bandwidth_hz, double* rbuf, std::complex<double>* cbuf) {
  const auto n = static_cast<std::size_t>(m);
  std::copy(x, x + m, rbuf);
  detail::rfft(n, rbuf, cbuf);
  interpolate_bands(cbuf, m / 2 + 1, fs_hz / static_cast<double>(m), harmonics_hz, bandwidth_hz);
  detail::irfft(n, cbuf, rbuf);
  const double scale = 1.0 / static_cast<double>(m);
  for (long i = 0; i < m; ++i) y[i] = rbuf[i] * scale;
}

RowMatrixXd remove_by_interpolation(MatrixView x, double fs_hz, double line_hz, const std::vector<double>& harmonics_hz,
                                    double bandwidth_hz) {
  const long len = x.cols();
  const long m = integer_cycle_length(len, fs_hz, line_hz);
  if (static_cast<double>(m) * line_hz / fs_hz < 4.0 - 1e-9) {
    detail::fail_param(kFn, "x", std::to_string(len) + " samples",
                       "is too short for method='interpolation': at least 4 line cycles (" +
                           std::to_string(static_cast<long>(std::ceil(4.0 * fs_hz / line_hz))) +
                           " samples at fs_hz=" + fmt(fs_hz) + ", line_hz=" + fmt(line_hz) +
                           ") are needed; use method='notch' for short data");
  }
  RowMatrixXd y(x.rows(), len);
  const long rows = x.rows();
  const long overlap = 2 * m - len;  // >= 0: the two segments cover the record
#pragma omp parallel for schedule(dynamic, 1) num_threads(emg::get_num_threads()) if (rows > 1)
  for (long c = 0; c < rows; ++c) {
    auto rbuf = detail::fft_alloc_real(static_cast<std::size_t>(m));
    auto cbuf = detail::fft_alloc_complex(static_cast<std::size_t>(m / 2 + 1));
    const double* in = x.row(c).data();
    double* out = y.row(c).data();
    interpolate_segment(in, out, m, fs_hz, harmonics_hz, bandwidth_hz, rbuf.get(), cbuf.get());
    if (m == len) continue;
    // Second segment [len - m, len), blended into the first over their overlap.
    std::vector<double> tail(static_cast<std::size_t>(m));
    interpolate_segment(in + (len - m), tail.data(), m, fs_hz, harmonics_hz, bandwidth_hz, rbuf.get(), cbuf.get());
    const long start = len - m;
    for (long i = 0; i < overlap; ++i) {
      const double w = static_cast<double>(i + 1) / static_cast<double>(overlap + 1);
      out[start + i] = (1.0 - w) * out[start + i] + w * tail[static_cast<std::size_t>(i)];
    }
    for (long n = m; n < len; ++n) out[n] = tail[static_cast<std::size_t>(n - start)];
  }
  return y;
}

RowMatrixXd remove_by_notch(MatrixView x, double fs_hz, const std::vector<double>& harmonics_hz, double q) {
  Sos sos(static_cast<Eigen::Index>(harmonics_hz.size()), 6);
  for (std::size_t h = 0; h < harmonics_hz.size(); ++h) {
    sos.row(static_cast<Eigen::Index>(h)) = iirnotch(harmonics_hz[h], q, fs_hz).row(0);
  }
  const long padlen = default_padlen(sos);
  if (x.cols() <= padlen) {
    detail::fail_param(kFn, "x", std::to_string(x.cols()) + " samples",
                       "is too short for method='notch': zero-phase filtering of " +
                           std::to_string(harmonics_hz.size()) + " notch sections needs more than padlen=" +
                           std::to_string(padlen) + " samples (lower max_hz or use a longer record)");
  }
  return sosfiltfilt(sos, x, PadType::odd);
}

/// Welch-averaged (Hann, 50 % overlap), unit-total-power spectrum summed over channels (bin width
/// fs/nseg).
std::vector<double> detection_spectrum(MatrixView x, long nseg) {
  const auto n = static_cast<std::size_t>(nseg);
  const long nb = nseg / 2 + 1;
  const long step = std::max(1L, nseg / 2);
  std::vector<double> win(n);
  const double pi = std::acos(-1.0);
  for (long i = 0; i < nseg; ++i) {
    win[static_cast<std::size_t>(i)] = 0.5 - 0.5 * std::cos(2.0 * pi * static_cast<double>(i) / static_cast<double>(nseg));
  }
  std::vector<double> total(static_cast<std::size_t>(nb), 0.0), chan(static_cast<std::size_t>(nb));
  auto rbuf = detail::fft_alloc_real(n);
  auto cbuf = detail::fft_alloc_complex(static_cast<std::size_t>(nb));
  for (long c = 0; c < x.rows(); ++c) {
    std::fill(chan.begin(), chan.end(), 0.0);
    for (long start = 0; start + nseg <= x.cols(); start += step) {
      const double* seg = x.row(c).data() + start;
      double mean = 0.0;
      for (long i = 0; i < nseg; ++i) mean += seg[i];
      mean /= static_cast<double>(nseg);
      for (long i = 0; i < nseg; ++i) rbuf[i] = (seg[i] - mean) * win[static_cast<std::size_t>(i)];
      detail::rfft(n, rbuf.get(), cbuf.get());
      for (long k = 0; k < nb; ++k) chan[static_cast<std::size_t>(k)] += std::norm(cbuf[k]);
    }
    double sum = 0.0;
    for (double v : chan) sum += v;
    if (sum > 0.0) {
      for (long k = 0; k < nb; ++k) total[static_cast<std::size_t>(k)] += chan[static_cast<std::size_t>(k)] / sum;
    }
  }
  return total;
}

/// Peak-to-neighbour ratio of candidate line frequency `line` in a spectrum of bin width df: the
/// largest over the harmonics line, 2 line, 3 line (those with 8 Hz of room below Nyquist).
double line_ratio(const std::vector<double>& p, double df, double line, double nyq) {
  double best = 0.0;
  for (int h = 1; h <= 3; ++h) {
    const double f = h * line;
    if (f + 8.0 >= nyq) break;
    double band = 0.0, neigh = 0.0;
    long n_band = 0, n_neigh = 0;
    const auto k_lo = static_cast<long>(std::ceil((f - 8.0) / df));
    const auto k_hi = static_cast<long>(std::floor((f + 8.0) / df));
    for (long k = k_lo; k <= k_hi; ++k) {
      const double d = std::abs(static_cast<double>(k) * df - f);
      if (d <= 1.0 + 1e-9) {
        band += p[static_cast<std::size_t>(k)];
        ++n_band;
      } else if (d >= 2.0 - 1e-9) {
        neigh += p[static_cast<std::size_t>(k)];
        ++n_neigh;
      }
    }
    const double expected = n_neigh > 0 ? neigh / static_cast<double>(n_neigh) * static_cast<double>(n_band) : 0.0;
    const double ratio = expected > 0.0 ? band / expected : (band > 0.0 ? HUGE_VAL : 0.0);
    best = std::max(best, ratio);
  }
  return best;
}

}  // namespace

MainsMethod parse_mains_method(std::string_view name, std::string_view function) {
  if (name == "interpolation") return MainsMethod::interpolation;
  if (name == "notch") return MainsMethod::notch;
  std::string quoted(1, '\'');
  quoted.append(name).push_back('\'');
  detail::fail_param(function, "method", quoted, "must be 'interpolation' or 'notch'");
}

MainsMethod parse_mains_method(std::string_view name) { return parse_mains_method(name, "parse_mains_method"); }

std::string to_string(MainsMethod method) { return method == MainsMethod::notch ? "notch" : "interpolation"; }

void MainsParams::validate(double fs_hz) const {
  detail::check_fs(kFn, fs_hz);
  const double nyq = fs_hz / 2.0;
  if (!std::isfinite(line_hz) || line_hz < 0.0 || line_hz >= nyq) {
    detail::fail_param(kFn, "line_hz", fmt(line_hz),
                       "must be 0 (detect) or in (0, " + fmt(nyq) + ") Hz, below Nyquist for fs_hz=" + fmt(fs_hz) +
                           " (50 or 60 for the power grid)");
  }
  const double half_line = (line_hz > 0.0 ? line_hz : 50.0) / 2.0;
  if (!std::isfinite(bandwidth_hz) || bandwidth_hz <= 0.0 || bandwidth_hz >= half_line) {
    detail::fail_param(kFn, "bandwidth_hz", fmt(bandwidth_hz),
                       "must be > 0 and < " + fmt(half_line) + " Hz (half the line frequency)");
  }
  detail::check_positive(kFn, "q", q);
  if (!std::isfinite(max_hz) || max_hz < 0.0 || max_hz > nyq) {
    detail::fail_param(kFn, "max_hz", fmt(max_hz),
                       "must be 0 (up to Nyquist) or in (0, " + fmt(nyq) + "] Hz for fs_hz=" + fmt(fs_hz));
  }
  if (max_hz > 0.0 && line_hz > 0.0 && max_hz < line_hz) {
    detail::fail_param(kFn, "max_hz", fmt(max_hz), "must be >= line_hz=" + fmt(line_hz) + " (no harmonic to treat)");
  }
}

const ParamTable& MainsParams::describe() {
  static const ParamTable table = {
      {"line_hz", "Hz", "50", "0 (detect) or (0, fs_hz/2); normally 50 or 60",
       "Power-line frequency whose harmonics are removed; 0 detects 50 vs 60 Hz from the spectrum."},
      {"method", "", "interpolation", "interpolation | notch",
       "Spectrum interpolation (Mewett et al. 2004) or a zero-phase cascade of IIR notches."},
      {"max_hz", "Hz", "0", "0 (Nyquist) or (0, fs_hz/2]",
       "Highest harmonic frequency treated; harmonics exactly at Nyquist are never treated."},
      {"bandwidth_hz", "Hz", "0.5", "(0, line_hz/2)",
       "Interpolation: half-width of the band replaced around each harmonic."},
      {"q", "", "30", "(0, inf)", "Notch: quality factor of each notch (-3 dB width = frequency / q)."},
  };
  return table;
}

std::vector<double> mains_harmonics(double line_hz, double fs_hz, double max_hz) {
  detail::check_fs("mains_harmonics", fs_hz);
  detail::check_positive("mains_harmonics", "line_hz", line_hz);
  detail::check_nonnegative("mains_harmonics", "max_hz", max_hz);
  const double nyq = fs_hz / 2.0;
  const double top = max_hz > 0.0 ? std::min(max_hz, nyq) : nyq;
  std::vector<double> out;
  for (long h = 1;; ++h) {
    const double f = static_cast<double>(h) * line_hz;
    if (f > top || f >= nyq) break;
    out.push_back(f);
  }
  return out;
}

long integer_cycle_length(long n_samples, double fs_hz, double line_hz) {
  detail::check_fs("integer_cycle_length", fs_hz);
  detail::check_positive("integer_cycle_length", "line_hz", line_hz);
  if (n_samples < 1) {
    detail::fail_param("integer_cycle_length", "n_samples", std::to_string(n_samples), "must be >= 1");
  }
  const double cycles_per_sample = line_hz / fs_hz;
  const long lowest = (n_samples + 1) / 2;
  long best = n_samples;
  double best_dev = 1.0;
  for (long m = n_samples; m >= lowest; --m) {
    const double cycles = static_cast<double>(m) * cycles_per_sample;
    const double dev = std::abs(cycles - std::round(cycles));
    if (dev <= 1e-6) return m;
    if (dev < best_dev - 1e-12) {
      best_dev = dev;
      best = m;
    }
  }
  return best;
}

MainsResult remove_mains(MatrixView x, double fs_hz, const MainsParams& params) {
  params.validate(fs_hz);
  detail::check_signal(kFn, x);
  MainsResult r;
  r.line_hz = params.line_hz > 0.0 ? params.line_hz : detect_line_frequency(x, fs_hz);
  if (params.max_hz > 0.0 && params.max_hz < r.line_hz) {
    detail::fail_param(kFn, "max_hz", fmt(params.max_hz),
                       "must be >= the detected line_hz=" + fmt(r.line_hz) + " (no harmonic to treat)");
  }
  r.harmonics_hz = mains_harmonics(r.line_hz, fs_hz, params.max_hz);
  if (r.harmonics_hz.empty()) {
    detail::fail_param(kFn, "fs_hz", fmt(fs_hz),
                       "must be above twice line_hz=" + fmt(r.line_hz) + " (no harmonic below Nyquist)");
  }
  if (params.method == MainsMethod::notch) {
    r.data = remove_by_notch(x, fs_hz, r.harmonics_hz, params.q);
  } else {
    r.data = remove_by_interpolation(x, fs_hz, r.line_hz, r.harmonics_hz, params.bandwidth_hz);
  }
  const double inv_n = 1.0 / static_cast<double>(x.cols());
  r.removed_power.resize(x.rows());
  r.removed_fraction.resize(x.rows());
  for (long c = 0; c < x.rows(); ++c) {  // row by row: no signal-sized temporary
    r.removed_power(c) = (x.row(c) - r.data.row(c)).squaredNorm() * inv_n;
    const double p = x.row(c).squaredNorm() * inv_n;
    r.removed_fraction(c) = p > 0.0 ? r.removed_power(c) / p : 0.0;
  }
  return r;
}

double detect_line_frequency(MatrixView x, double fs_hz) {
  constexpr const char* fn = "detect_line_frequency";
  detail::check_fs(fn, fs_hz);
  detail::check_signal(fn, x);
  if (fs_hz <= 136.0) {
    detail::fail_param(fn, "fs_hz", fmt(fs_hz), "must be > 136 Hz to tell 50 from 60 Hz (60 + 8 Hz below Nyquist)");
  }
  const auto one_s = static_cast<long>(std::ceil(fs_hz));
  if (x.cols() < one_s) {
    detail::fail_param(fn, "x", std::to_string(x.cols()) + " samples",
                       "is too short: at least 1 s (" + std::to_string(one_s) + " samples) is needed");
  }
  const long nseg = std::min(x.cols(), static_cast<long>(std::llround(fs_hz)));
  const std::vector<double> p = detection_spectrum(x, nseg);
  const double df = fs_hz / static_cast<double>(nseg), nyq = fs_hz / 2.0;
  const double r50 = line_ratio(p, df, 50.0, nyq);
  const double r60 = line_ratio(p, df, 60.0, nyq);
  const double best = std::max(r50, r60);
  if (!(best >= kLineDetectMinRatio)) {
    detail::fail_param(fn, "x", "peak-to-neighbour power ratios 50 Hz: " + fmt(r50) + ", 60 Hz: " + fmt(r60),
                       "show no clear power-line peak (need >= " + fmt(kLineDetectMinRatio) +
                           "); pass line_hz=50 or 60 explicitly");
  }
  return r50 >= r60 ? 50.0 : 60.0;
}

}  // namespace emg::filters
