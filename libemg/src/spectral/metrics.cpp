// Spectral moments, MNF, MDF, peak frequency, band power and FInsm5 over a closed band of a
// uniform frequency grid. A channel with zero power in the band gets NaN for the ratio metrics
// (they are undefined there), never an arbitrary number.
#include <emg/spectral/metrics.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace emg::spectral {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Selection {
  long first = 0, last = -1;  // inclusive bin range
  double df = 0.0;
};

// Validates grid, power and band; returns the bins inside the band. A bin counts as inside when
// it is within 1e-9 bin widths of the band, so that rounding in k * fs / nfft does not drop an edge.
Selection select(std::string_view fn, const VectorXd& f, MatrixView power, Band band, bool exclude_dc) {
  const long nf = f.size();
  if (nf < 2) detail::fail_param(fn, "freqs_hz", std::to_string(nf) + " values", "must have at least 2 frequencies");
  if (power.cols() != nf || power.rows() < 1) {
    detail::fail_param(fn, "power", "shape (" + std::to_string(power.rows()) + ", " + std::to_string(power.cols()) + ")",
                       "must be channels x n_freqs with n_freqs = " + std::to_string(nf));
  }
  if (!f.allFinite()) detail::fail_param(fn, "freqs_hz", "non-finite value", "must be finite");
  const double df = (f(nf - 1) - f(0)) / static_cast<double>(nf - 1);
  if (!(df > 0.0)) detail::fail_param(fn, "freqs_hz", "spacing " + detail::fmt(df), "must be increasing");
  for (long i = 1; i < nf; ++i) {
    if (std::abs((f(i) - f(i - 1)) - df) > 1e-6 * df) {
      detail::fail_param(fn, "freqs_hz", "step " + detail::fmt(f(i) - f(i - 1)) + " at index " + std::to_string(i),
                         "must be a uniform grid (spacing " + detail::fmt(df) + ")");
    }
  }
  if (f(0) < 0.0) detail::fail_param(fn, "freqs_hz", detail::fmt(f(0)), "must be >= 0");
  for (Eigen::Index c = 0; c < power.rows(); ++c) {
    for (Eigen::Index k = 0; k < nf; ++k) {
      const double v = power(c, k);
      if (!std::isfinite(v) || v < 0.0) {
        detail::fail_param(fn, "power", detail::fmt(v) + " at channel " + std::to_string(c) + ", bin " + std::to_string(k),
                           "must be finite and >= 0");
      }
    }
  }
  const double tol = 1e-9 * df;
  const double lo = band.low_hz < 0.0 ? f(0) : band.low_hz;
  const double hi = band.high_hz < 0.0 ? f(nf - 1) : band.high_hz;
  if (std::isnan(band.low_hz) || (band.low_hz >= 0.0 && (lo < f(0) - tol || lo > f(nf - 1) + tol))) {
    detail::fail_param(fn, "low_hz", detail::fmt(band.low_hz),
                       "must lie inside the frequency grid [" + detail::fmt(f(0)) + ", " + detail::fmt(f(nf - 1)) + "] Hz");
  }
  if (std::isnan(band.high_hz) || (band.high_hz >= 0.0 && (hi < f(0) - tol || hi > f(nf - 1) + tol))) {
    detail::fail_param(fn, "high_hz", detail::fmt(band.high_hz),
                       "must lie inside the frequency grid [" + detail::fmt(f(0)) + ", " + detail::fmt(f(nf - 1)) + "] Hz");
  }
  if (band.low_hz >= 0.0 && band.high_hz >= 0.0 && !(lo < hi)) {
    detail::fail_param(fn, "low_hz", detail::fmt(lo), "must be < high_hz (" + detail::fmt(hi) + ")");
  }
  Selection s;
  s.df = df;
  s.first = nf;
  for (long i = 0; i < nf; ++i) {
    if (f(i) >= lo - tol && f(i) <= hi + tol) {
      if (s.first == nf) s.first = i;
      s.last = i;
    }
  }
  if (s.first > s.last) {
    detail::fail_param(fn, "low_hz", detail::fmt(lo), "and high_hz=" + detail::fmt(hi) + " select no frequency bin");
  }
  if (exclude_dc && f(s.first) <= 0.0) {
    detail::fail_param(fn, "low_hz", detail::fmt(band.low_hz),
                       "must exclude 0 Hz for a negative-order moment (set low_hz > 0)");
  }
  return s;
}

double moment_row(const VectorXd& f, MatrixView p, long c, const Selection& s, double k) {
  double m = 0.0;
  for (long i = s.first; i <= s.last; ++i) m += std::pow(f(i), k) * p(c, i);
  return m * s.df;
}

}  // namespace

VectorXd spectral_moment(const VectorXd& freqs_hz, MatrixView power, double k, Band band) {
  if (!std::isfinite(k)) detail::fail_param("spectral_moment", "k", detail::fmt(k), "must be finite");
  const Selection s = select("spectral_moment", freqs_hz, power, band, k < 0.0);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) out(c) = moment_row(freqs_hz, power, c, s, k);
  return out;
}

VectorXd band_power(const VectorXd& freqs_hz, MatrixView power, Band band) {
  const Selection s = select("band_power", freqs_hz, power, band, false);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) out(c) = moment_row(freqs_hz, power, c, s, 0.0);
  return out;
}

VectorXd mean_frequency(const VectorXd& freqs_hz, MatrixView power, Band band) {
  const Selection s = select("mean_frequency", freqs_hz, power, band, false);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) {
    double m0 = 0.0, m1 = 0.0;
    for (long i = s.first; i <= s.last; ++i) {
      m0 += power(c, i);
      m1 += freqs_hz(i) * power(c, i);
    }
    out(c) = m0 > 0.0 ? m1 / m0 : kNaN;
  }
  return out;
}

VectorXd median_frequency(const VectorXd& freqs_hz, MatrixView power, Band band) {
  const Selection s = select("median_frequency", freqs_hz, power, band, false);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) {
    double total = 0.0;
    for (long i = s.first; i <= s.last; ++i) total += power(c, i);
    if (!(total > 0.0)) {
      out(c) = kNaN;
      continue;
    }
    const double half = 0.5 * total;
    double below = 0.0;  // cumulative power up to the lower edge of bin i
    long i = s.first;
    for (; i < s.last; ++i) {
      if (below + power(c, i) >= half) break;
      below += power(c, i);
    }
    const double pi = power(c, i);
    const double frac = pi > 0.0 ? (half - below) / pi : 0.0;
    out(c) = freqs_hz(i) - 0.5 * s.df + frac * s.df;
  }
  return out;
}

VectorXd peak_frequency(const VectorXd& freqs_hz, MatrixView power, Band band) {
  const Selection s = select("peak_frequency", freqs_hz, power, band, false);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) {
    long best = s.first;
    for (long i = s.first + 1; i <= s.last; ++i)
      if (power(c, i) > power(c, best)) best = i;
    out(c) = freqs_hz(best);
  }
  return out;
}

VectorXd fatigue_index_fi_nsm5(const VectorXd& freqs_hz, MatrixView power, Band band) {
  const Selection s = select("fatigue_index_fi_nsm5", freqs_hz, power, band, true);
  VectorXd out(power.rows());
  for (long c = 0; c < power.rows(); ++c) {
    const double m5 = moment_row(freqs_hz, power, c, s, 5.0);
    out(c) = m5 > 0.0 ? moment_row(freqs_hz, power, c, s, -1.0) / m5 : kNaN;
  }
  return out;
}

}  // namespace emg::spectral
