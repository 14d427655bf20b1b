// Sliding-window fatigue series and OLS trends with a Student-t confidence interval.
//
// Each epoch's PSD is the Welch estimate (Hann, 50 % overlap) as welch() computes it, but with one
// FFT buffer per thread for the whole series and, when epochs overlap on the segment grid, each
// shared segment transformed once. Segment periodograms and epoch sums are independent parallel
// items with a fixed summation order, so any thread count gives the same bits.
#include <emg/parallel.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/metrics.hpp>

#include "detail/check.hpp"
#include "detail/fft.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace emg::spectral {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Student t quantile via the regularized incomplete beta function ----

// ln Gamma(b + 1/2) - ln Gamma(b), without the cancellation of two large lgamma values.
double lgamma_half_step(double b) {
  if (b < 20.0) return std::lgamma(b + 0.5) - std::lgamma(b);
  // Stirling series of both terms; the leading parts combine into b*log1p(1/(2b)) + ln(b)/2 - 1/2
  auto tail = [](double z) {
    const double z2 = z * z;
    return 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z2) + 1.0 / (1260.0 * z * z2 * z2) - 1.0 / (1680.0 * z * z2 * z2 * z2);
  };
  return b * std::log1p(0.5 / b) + 0.5 * std::log(b) - 0.5 + tail(b + 0.5) - tail(b);
}

// Continued fraction of the incomplete beta function (modified Lentz evaluation).
double beta_cf(double a, double b, double x) {
  constexpr double tiny = 1e-300, eps = 1e-16;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 100000; ++m) {
    const double md = m, m2 = 2.0 * md;
    double num = md * (b - md) * x / ((a - 1.0 + m2) * (a + m2));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
    if (std::abs(c) < tiny) c = tiny;
    h *= d * c;
    num = -(a + md) * (a + b + md) * x / ((a + m2) * (a + 1.0 + m2));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
    if (std::abs(c) < tiny) c = tiny;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < eps) break;
  }
  return h;
}

// Upper tail of Student's t with nu dof: P(T > t) for t >= 0, i.e. I_{nu/(nu+t^2)}(nu/2, 1/2) / 2.
double t_upper_tail(double t, double nu) {
  const double a = 0.5 * nu, b = 0.5;
  const double x = nu / (nu + t * t);     // argument of I
  const double y = t * t / (nu + t * t);  // 1 - x, computed without cancellation
  if (y == 0.0) return 0.5;
  // ln B(nu/2, 1/2) = ln Gamma(1/2) + ln Gamma(nu/2) - ln Gamma(nu/2 + 1/2)
  const double lnB = 0.5 * std::log(std::numbers::pi) - lgamma_half_step(a);
  const double lnfront = a * std::log(x) + b * std::log(y) - lnB;
  double ib;
  if (x < (a + 1.0) / (a + b + 2.0)) {
    ib = std::exp(lnfront) * beta_cf(a, b, x) / a;
  } else {
    ib = 1.0 - std::exp(lnfront) * beta_cf(b, a, y) / b;
  }
  return 0.5 * ib;
}

// Quantile t_p of Student's t (p in (0.5, 1)) by bracketing and bisection on the upper tail.
double student_t_quantile(double p, double nu) {
  const double q = 1.0 - p;
  double lo = 0.0, hi = 1.0;
  while (t_upper_tail(hi, nu) > q && hi < 1e300) {
    lo = hi;
    hi *= 2.0;
  }
  for (int it = 0; it < 2000; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (t_upper_tail(mid, nu) > q) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---- Welch PSD of the epochs ----

struct EpochPlan {
  long nperseg = 0, step = 0, nseg = 0, nf = 0;
  VectorXd window;
  std::vector<double> scale;  // per bin: density scale, doubled except DC / even Nyquist
};

// Sum with four independent accumulators (a single chain is bound by the add latency).
inline double sum4(const double* v, long m) {
  // Eigen's packet reduction keeps several vector accumulators: about 4x the scalar loop
  return Eigen::Map<const VectorXd>(v, m).sum();
}

// |rfft(detrend(s) * w)|^2 of one segment into out[0..nf).
void segment_power(const double* s, const EpochPlan& e, Detrend detrend, const detail::RfftPlan& fft,
                   double* __restrict buf, std::complex<double>* spec, double* __restrict out) {
  const long m = e.nperseg;
  const double* w = e.window.data();
  if (detrend == Detrend::none) {
    for (long i = 0; i < m; ++i) buf[i] = s[i] * w[i];
  } else {
    const double mean = sum4(s, m) / static_cast<double>(m);
    if (detrend == Detrend::constant) {
      for (long i = 0; i < m; ++i) buf[i] = (s[i] - mean) * w[i];
    } else {
      const double md = static_cast<double>(m);
      const double tc = 0.5 * (md - 1.0), tt = md * (md * md - 1.0) / 12.0;
      double ts = 0.0;
      for (long i = 0; i < m; ++i) ts += (static_cast<double>(i) - tc) * s[i];
      const double slope = tt > 0.0 ? ts / tt : 0.0;
      for (long i = 0; i < m; ++i) buf[i] = (s[i] - mean - slope * (static_cast<double>(i) - tc)) * w[i];
    }
  }
  detail::rfft(fft, buf, spec);
  for (long k = 0; k < e.nf; ++k) out[k] = std::norm(spec[k]);
}

// Epoch PSD = scaled mean of its segment periodograms, summed in segment order.
void epoch_from_segments(const double* seg_rows, long first, const EpochPlan& e, double* psd) {
  std::fill(psd, psd + e.nf, 0.0);
  for (long j = 0; j < e.nseg; ++j) {
    const double* r = seg_rows + (first + j) * e.nf;
    for (long k = 0; k < e.nf; ++k) psd[k] += r[k];
  }
  const double inv = 1.0 / static_cast<double>(e.nseg);
  for (long k = 0; k < e.nf; ++k) psd[k] *= inv * e.scale[static_cast<std::size_t>(k)];
}

void rms_arv(const double* x, long w, double& rms, double& arv) {
  double s0 = 0.0, s1 = 0.0, a0 = 0.0, a1 = 0.0;
  long i = 0;
  for (; i + 2 <= w; i += 2) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
    a0 += std::abs(x[i]);
    a1 += std::abs(x[i + 1]);
  }
  for (; i < w; ++i) {
    s0 += x[i] * x[i];
    a0 += std::abs(x[i]);
  }
  rms = std::sqrt((s0 + s1) / static_cast<double>(w));
  arv = (a0 + a1) / static_cast<double>(w);
}

// Empty-input and finiteness check: one vectorisable pass (x * 0 is NaN exactly for NaN / Inf);
// only a failure pays for check_signal's exact message.
void check_input(std::string_view fn, MatrixView x) {
  if (x.rows() < 1 || x.cols() < 1) detail::check_signal(fn, x);
  double acc0 = 0.0, acc1 = 0.0;
  for (Eigen::Index c = 0; c < x.rows(); ++c) {
    const double* v = x.row(c).data();
    const long n = x.cols();
    long i = 0;
    for (; i + 2 <= n; i += 2) {
      acc0 += v[i] * 0.0;
      acc1 += v[i + 1] * 0.0;
    }
    for (; i < n; ++i) acc0 += v[i] * 0.0;
  }
  if (!(acc0 == 0.0 && acc1 == 0.0)) detail::check_signal(fn, x);
}

Trend nan_trend(long n) {
  Trend t;
  t.slope = t.intercept = t.slope_ci_low = t.slope_ci_high = kNaN;
  t.normalized_slope_pct_per_s = t.r_squared = kNaN;
  t.n = n;
  return t;
}

Trend trend_or_nan(const VectorXd& t, const VectorXd& y) {
  if (t.size() < 3 || !y.allFinite()) return nan_trend(t.size());
  return linear_trend(t, y);
}

long samples(double seconds, double fs_hz) { return std::lround(seconds * fs_hz); }

}  // namespace

Trend linear_trend(const VectorXd& t, const VectorXd& y) {
  constexpr std::string_view fn = "linear_trend";
  if (t.size() != y.size()) {
    detail::fail_param(fn, "y", std::to_string(y.size()) + " values",
                       "must have the same length as t (" + std::to_string(t.size()) + ")");
  }
  const long n = t.size();
  if (n < 3) detail::fail_param(fn, "t", std::to_string(n) + " points", "must have at least 3 points (the CI needs n - 2 >= 1)");
  if (!t.allFinite()) detail::fail_param(fn, "t", "a non-finite value", "must be finite");
  if (!y.allFinite()) detail::fail_param(fn, "y", "a non-finite value", "must be finite");
  const double tm = t.mean(), ym = y.mean();
  double sxx = 0.0, sxy = 0.0, syy = 0.0;
  for (long i = 0; i < n; ++i) {
    const double dt = t(i) - tm, dy = y(i) - ym;
    sxx += dt * dt;
    sxy += dt * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0.0)) detail::fail_param(fn, "t", "all equal to " + detail::fmt(t(0)), "must contain distinct times");
  Trend r;
  r.n = n;
  r.slope = sxy / sxx;
  r.intercept = ym - r.slope * tm;
  double sse = 0.0;
  for (long i = 0; i < n; ++i) {
    const double e = y(i) - r.intercept - r.slope * t(i);
    sse += e * e;
  }
  const double dof = static_cast<double>(n - 2);
  const double se = std::sqrt(sse / dof / sxx);
  const double tq = student_t_quantile(0.975, dof);
  r.slope_ci_low = r.slope - tq * se;
  r.slope_ci_high = r.slope + tq * se;
  r.normalized_slope_pct_per_s = r.intercept != 0.0 ? 100.0 * r.slope / r.intercept : kNaN;
  r.r_squared = syy > 0.0 ? std::min(1.0, sxy * sxy / (sxx * syy)) : 0.0;
  return r;
}

double student_t_ppf(double p, double dof) {
  constexpr std::string_view fn = "student_t_ppf";
  if (!(p > 0.0 && p < 1.0)) detail::fail_param(fn, "p", detail::fmt(p), "must be in (0, 1)");
  if (!(dof > 0.0) || !std::isfinite(dof)) detail::fail_param(fn, "dof", detail::fmt(dof), "must be finite and > 0");
  if (p == 0.5) return 0.0;
  return p > 0.5 ? student_t_quantile(p, dof) : -student_t_quantile(1.0 - p, dof);
}

void FatigueParams::validate(double fs_hz) const {
  constexpr std::string_view fn = "fatigue_series";
  detail::check_fs(fn, fs_hz);
  detail::check_positive(fn, "window_s", window_s);
  detail::check_positive(fn, "step_s", step_s);
  detail::check_positive(fn, "segment_s", segment_s);
  if (samples(step_s, fs_hz) < 1) {
    detail::fail_param(fn, "step_s", detail::fmt(step_s), "must be at least one sample (1/fs_hz)");
  }
  if (samples(segment_s, fs_hz) < 2) {
    detail::fail_param(fn, "segment_s", detail::fmt(segment_s), "must be at least two samples (2/fs_hz)");
  }
  if (samples(segment_s, fs_hz) > samples(window_s, fs_hz)) {
    detail::fail_param(fn, "segment_s", detail::fmt(segment_s),
                       "must be <= window_s (" + detail::fmt(window_s) + ") after rounding to samples");
  }
  detail::check_nonnegative(fn, "low_hz", low_hz);
  if (low_hz >= fs_hz / 2.0) {
    detail::fail_param(fn, "low_hz", detail::fmt(low_hz), "must be below Nyquist (" + detail::fmt(fs_hz / 2.0) + " Hz)");
  }
  if (!std::isfinite(high_hz) || high_hz <= low_hz) {
    detail::fail_param(fn, "high_hz", detail::fmt(high_hz), "must be finite and > low_hz (" + detail::fmt(low_hz) + ")");
  }
}

const ParamTable& FatigueParams::describe() {
  static const ParamTable table = {
      {"window_s", "s", "1", "(0, inf), >= segment_s", "Length of each analysis epoch."},
      {"step_s", "s", "0.5", "(0, inf), >= 1 sample", "Hop between the starts of consecutive epochs."},
      {"segment_s", "s", "0.25", "[2 samples, window_s]",
       "Welch segment length inside an epoch (Hann window, 50 % overlap)."},
      {"low_hz", "Hz", "20", "[0, fs_hz/2)", "Lower edge of the MNF / MDF analysis band."},
      {"high_hz", "Hz", "450", "(low_hz, inf); clipped to Nyquist", "Upper edge of the MNF / MDF analysis band."},
      {"detrend", "", "constant", "none | constant | linear", "Detrending of each Welch segment."},
  };
  return table;
}

FatigueSeries fatigue_series(MatrixView x, double fs_hz, const FatigueParams& params) {
  constexpr std::string_view fn = "fatigue_series";
  params.validate(fs_hz);
  check_input(fn, x);
  const long W = samples(params.window_s, fs_hz), S = samples(params.step_s, fs_hz);
  const long n = x.cols(), C = x.rows();
  if (n < W) {
    detail::fail_param(fn, "x", std::to_string(n) + " samples",
                       "is shorter than one epoch (window_s=" + detail::fmt(params.window_s) + " s = " +
                           std::to_string(W) + " samples)");
  }
  const long E = (n - W) / S + 1;

  EpochPlan e;
  e.nperseg = samples(params.segment_s, fs_hz);
  const long noverlap = e.nperseg / 2;
  e.step = e.nperseg - noverlap;
  e.nseg = (W - noverlap) / e.step;
  e.nf = e.nperseg / 2 + 1;
  e.window = get_window(Window{"hann"}, e.nperseg);
  const double sc = 1.0 / (fs_hz * e.window.squaredNorm());
  e.scale.assign(static_cast<std::size_t>(e.nf), 2.0 * sc);
  e.scale[0] = sc;
  if (e.nperseg % 2 == 0) e.scale.back() = sc;

  const double df = 1.0 / (static_cast<double>(e.nperseg) * (1.0 / fs_hz));
  VectorXd freqs(e.nf);
  for (long k = 0; k < e.nf; ++k) freqs(k) = static_cast<double>(k) * df;
  const Band band{params.low_hz, std::min(params.high_hz, freqs(e.nf - 1))};
  if (!(band.low_hz < band.high_hz)) {
    detail::fail_param(fn, "low_hz", detail::fmt(params.low_hz),
                       "must be below the highest Welch frequency (" + detail::fmt(freqs(e.nf - 1)) + " Hz)");
  }

  FatigueSeries out;
  out.times_s.resize(E);
  for (long i = 0; i < E; ++i) out.times_s(i) = (static_cast<double>(i * S) + 0.5 * static_cast<double>(W)) / fs_hz;
  out.mnf_hz.resize(C, E);
  out.mdf_hz.resize(C, E);
  out.rms.resize(C, E);
  out.arv.resize(C, E);

  // Epochs are processed in fixed chunks of kChunk. When the epoch step is a whole number of
  // segment hops, neighbouring epochs share segments and a chunk transforms each of its distinct
  // segments (k starts at k * hop) once into a per-thread, cache-sized table; otherwise each
  // epoch transforms its own. Either way an epoch sums the same periodograms in the same order,
  // so both paths, any chunking and any thread count give identical numbers.
  constexpr long kChunk = 32;
  const bool shared = S % e.step == 0;
  const long q = shared ? S / e.step : e.nseg;
  const long n_chunks = (E + kChunk - 1) / kChunk;
  const long table_rows = shared ? (kChunk - 1) * q + e.nseg : e.nseg;
  const detail::RfftPlan fft = detail::rfft_plan(static_cast<std::size_t>(e.nperseg));  // lock-free afterwards
  RowMatrixXd psd(E, e.nf);
  // small jobs on one thread: waking a team costs more than it saves (results are the same)
  const int threads = static_cast<double>(C) * static_cast<double>(n) < 262144.0 ? 1 : get_num_threads();
  for (long c = 0; c < C; ++c) {
    const double* xc = x.row(c).data();
#pragma omp parallel num_threads(threads)
    {
      auto buf = detail::fft_alloc_real(static_cast<std::size_t>(e.nperseg));
      auto spec = detail::fft_alloc_complex(static_cast<std::size_t>(e.nf));
      std::vector<double> table(static_cast<std::size_t>(table_rows * e.nf));
#pragma omp for schedule(dynamic, 1)
      for (long ch = 0; ch < n_chunks; ++ch) {
        const long i0 = ch * kChunk, i1 = std::min(E, i0 + kChunk);
        if (shared) {
          const long k0 = i0 * q, k1 = (i1 - 1) * q + e.nseg;
          for (long k = k0; k < k1; ++k) {
            segment_power(xc + k * e.step, e, params.detrend, fft, buf.get(), spec.get(), table.data() + (k - k0) * e.nf);
          }
        }
        for (long i = i0; i < i1; ++i) {
          if (!shared) {
            for (long j = 0; j < e.nseg; ++j) {
              segment_power(xc + i * S + j * e.step, e, params.detrend, fft, buf.get(), spec.get(),
                            table.data() + j * e.nf);
            }
          }
          epoch_from_segments(table.data(), shared ? (i - i0) * q : 0, e, psd.row(i).data());
          rms_arv(xc + i * S, W, out.rms(c, i), out.arv(c, i));
        }
      }
    }
    out.mnf_hz.row(c) = mean_frequency(freqs, psd, band).transpose();
    out.mdf_hz.row(c) = median_frequency(freqs, psd, band).transpose();
  }
  for (long c = 0; c < C; ++c) {
    out.mnf_trend.push_back(trend_or_nan(out.times_s, out.mnf_hz.row(c).transpose()));
    out.mdf_trend.push_back(trend_or_nan(out.times_s, out.mdf_hz.row(c).transpose()));
    out.rms_trend.push_back(trend_or_nan(out.times_s, out.rms.row(c).transpose()));
    out.arv_trend.push_back(trend_or_nan(out.times_s, out.arv.row(c).transpose()));
  }
  return out;
}

}  // namespace emg::spectral
