// Amplitude estimators (SCIENCE.md 3.4). The moving-window kernels are the hot path: one pass
// per channel with restarted running sums, see moving_row.
#include <emg/filters/amplitude.hpp>

#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/parallel.hpp>

#include "detail/check.hpp"
#include "detail/memory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace emg::filters {
namespace {

using detail::fmt;

struct Square {
  static double f(double v) { return v * v; }
};
struct Identity {
  static double f(double v) { return v; }
};

/// Extent of a window around output sample n: [n - back, n + fwd].
struct Extent {
  long back = 0;
  long fwd = 0;
};

Extent extent(long n_window, WindowAlign align) {
  if (align == WindowAlign::trailing) return {n_window - 1, 0};
  return {(n_window - 1) / 2, n_window / 2};
}

/// Exact sum of F(x[k]) for k in [lo, hi] (inclusive, already clipped). Four accumulators keep
/// the add latency off the critical path; the order is fixed, so the result is deterministic.
template <class F>
double exact_sum(const double* x, long lo, long hi) {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  long k = lo;
  for (; k + 3 <= hi; k += 4) {
    a0 += F::f(x[k]);
    a1 += F::f(x[k + 1]);
    a2 += F::f(x[k + 2]);
    a3 += F::f(x[k + 3]);
  }
  for (; k <= hi; ++k) a0 += F::f(x[k]);
  return (a0 + a1) + (a2 + a3);
}

/// Number of samples inside the clipped window of output n.
inline long window_count(long n, long len, Extent e) {
  return std::min(len - 1, n + e.fwd) - std::max(0L, n - e.back) + 1;
}

/// Full windows: out[n] = sqrt(max(out[n], 0) * inv) (Root) or out[n] * inv, from `n` to `hi`.
/// Returns the sum of the raw values (see finish_span) and advances `n` past what it handled.
template <bool Root>
double scale_full_sse2(double* out, long& n, long hi, double inv) {
  double acc = 0.0;
#if defined(__SSE2__)
  const __m128d zero = _mm_setzero_pd(), scale = _mm_set1_pd(inv);
  __m128d acc2 = _mm_setzero_pd();
  for (; n + 2 <= hi; n += 2) {
    const __m128d raw = _mm_loadu_pd(out + n);
    acc2 = _mm_add_pd(acc2, raw);
    if constexpr (Root) {
      // max(zero, raw) keeps a NaN (maxpd returns its second operand when one is NaN)
      _mm_storeu_pd(out + n, _mm_sqrt_pd(_mm_mul_pd(_mm_max_pd(zero, raw), scale)));
    } else {
      _mm_storeu_pd(out + n, _mm_mul_pd(raw, scale));
    }
  }
  double lanes[2];
  _mm_storeu_pd(lanes, acc2);
  acc = lanes[0] + lanes[1];
#else
  (void)out;
  (void)hi;
  (void)inv;
#endif
  return acc;
}

#if defined(__GNUC__) && defined(__x86_64__)
#define EMG_HAVE_AVX_PATH 1
/// The same with 4-wide AVX: square roots are the bottleneck of moving_rms and AVX doubles their
/// throughput. Chosen at run time; every operation is correctly rounded, so both paths give
/// bit-identical results.
__attribute__((target("avx"))) double root_full_avx(double* out, long& n, long hi, double inv) {
  const __m256d zero = _mm256_setzero_pd(), scale = _mm256_set1_pd(inv);
  __m256d acc4 = _mm256_setzero_pd();
  for (; n + 4 <= hi; n += 4) {
    const __m256d raw = _mm256_loadu_pd(out + n);
    acc4 = _mm256_add_pd(acc4, raw);
    _mm256_storeu_pd(out + n, _mm256_sqrt_pd(_mm256_mul_pd(_mm256_max_pd(zero, raw), scale)));
  }
  double lanes[4];
  _mm256_storeu_pd(lanes, acc4);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

bool cpu_has_avx() {
  static const bool has = __builtin_cpu_supports("avx");
  return has;
}
#endif

/// Turns window sums out[lo, hi) into the statistic in place: the mean, or the root of the mean
/// (a sum that rounded below zero counts as zero). Called on each span right after it was summed,
/// while it is still in cache. Returns the sum of the raw window sums: it is NaN or Inf exactly
/// when some window held a NaN/Inf sample (or overflowed), which spares a separate scan of x.
template <bool Root>
double finish_span(double* out, long lo, long hi, long len, Extent e) {
  const long n_window = e.back + e.fwd + 1;
  double acc = 0.0;
  if (lo >= e.back && hi <= len - e.fwd) {  // full windows: one scale, vectorised
    const double inv = 1.0 / static_cast<double>(n_window);
    long n = lo;
#if defined(EMG_HAVE_AVX_PATH)
    if (Root && cpu_has_avx()) acc += root_full_avx(out, n, hi, inv);
#endif
    acc += scale_full_sse2<Root>(out, n, hi, inv);
    for (; n < hi; ++n) {
      acc += out[n];
      if constexpr (Root) {
        out[n] = std::sqrt(std::max(out[n], 0.0) * inv);
      } else {
        out[n] *= inv;
      }
    }
    return acc;
  }
  for (long n = lo; n < hi; ++n) {
    acc += out[n];
    const double v = out[n] / static_cast<double>(window_count(n, len, e));
    if constexpr (Root) {
      out[n] = std::sqrt(std::max(v, 0.0));
    } else {
      out[n] = v;
    }
  }
  return acc;
}

/// out[n] = statistic of F(x) over the window of n clipped to [0, len-1].
///
/// Running sum, restarted from an exact sum every `restart` outputs so that rounding error stays
/// bounded by ~restart * eps * max F(x) however long the signal. Where four consecutive restart
/// spans lie inside the signal (no edge clipping) they run interleaved: four independent
/// dependency chains instead of one, which is what makes the loop fast.
template <class F, bool Root>
double moving_row(const double* x, long len, Extent e, long restart, double* out) {
  double acc = 0.0;
  const long lo_interior = e.back + 1;  // from here on a sample leaves the window at every step
  const long hi_interior = len - 1 - e.fwd;  // up to here a sample enters the window at every step
  auto exact_at = [&](long n) {
    return exact_sum<F>(x, std::max(0L, n - e.back), std::min(len - 1, n + e.fwd));
  };
  long n = 0;
  while (n < len) {
    const long span4 = 4 * restart;
    if (n >= lo_interior && n + span4 - 1 <= hi_interior) {
      const long n0 = n, n1 = n + restart, n2 = n + 2 * restart, n3 = n + 3 * restart;
      double s0 = exact_at(n0), s1 = exact_at(n1), s2 = exact_at(n2), s3 = exact_at(n3);
      out[n0] = s0;
      out[n1] = s1;
      out[n2] = s2;
      out[n3] = s3;
      const long add = e.fwd, drop = e.back + 1;  // sample entering / leaving at each step
      for (long i = 1; i < restart; ++i) {
        s0 += F::f(x[n0 + i + add]) - F::f(x[n0 + i - drop]);
        s1 += F::f(x[n1 + i + add]) - F::f(x[n1 + i - drop]);
        s2 += F::f(x[n2 + i + add]) - F::f(x[n2 + i - drop]);
        s3 += F::f(x[n3 + i + add]) - F::f(x[n3 + i - drop]);
        out[n0 + i] = s0;
        out[n1 + i] = s1;
        out[n2 + i] = s2;
        out[n3 + i] = s3;
      }
      acc += finish_span<Root>(out, n, n + span4, len, e);
      n += span4;
      continue;
    }
    // Edges (and a short remainder): one chain with the clipping rules spelled out.
    const long end = std::min(len, n + restart);
    double s = exact_at(n);
    out[n] = s;
    for (long m = n + 1; m < end; ++m) {
      if (m + e.fwd <= len - 1) s += F::f(x[m + e.fwd]);
      if (m - e.back - 1 >= 0) s -= F::f(x[m - e.back - 1]);
      out[m] = s;
    }
    acc += finish_span<Root>(out, n, end, len, e);
    n = end;
  }
  return acc;
}

/// Shared driver of moving_rms / moving_average.
template <class F, bool Root>
RowMatrixXd moving_stat(MatrixView x, double fs_hz, double window_s, WindowAlign align, const char* function) {
  if (x.rows() < 1 || x.cols() < 1) detail::check_signal(function, x);  // throws the empty-input message
  const long n_window = window_samples(window_s, fs_hz, function);
  const long len = x.cols();
  if (n_window > len) {
    detail::fail_param(function, "window_s", fmt(window_s),
                       "is longer than the signal (" + std::to_string(n_window) + " samples > " +
                           std::to_string(len) + " samples at fs_hz=" + fmt(fs_hz) + ")");
  }
  const Extent e = extent(n_window, align);
  const long restart = std::max(kRecomputeEvery, n_window);
  RowMatrixXd y(x.rows(), len);
  detail::advise_huge_pages(y.data(), static_cast<long>(y.size()));
  const long rows = x.rows();
  bool all_finite = true;
#pragma omp parallel for schedule(dynamic, 1) num_threads(emg::get_num_threads()) if (rows > 1) reduction(&& : all_finite)
  for (long c = 0; c < rows; ++c) {
    all_finite = std::isfinite(moving_row<F, Root>(x.row(c).data(), len, e, restart, y.row(c).data())) && all_finite;
  }
  if (!all_finite) {
    detail::check_signal(function, x);  // names the first NaN/Inf sample
    if (!y.allFinite()) {
      detail::fail_param(function, "x", "max |x| = " + fmt(x.cwiseAbs().maxCoeff()),
                         "is too large: window sums overflow the double range");
    }
  }
  return y;
}

}  // namespace

RowMatrixXd rectify(MatrixView x) {
  detail::check_signal("rectify", x);
  return x.cwiseAbs();
}

WindowAlign parse_align(std::string_view name, std::string_view function) {
  if (name == "centered" || name == "centred" || name == "center") return WindowAlign::centered;
  if (name == "trailing") return WindowAlign::trailing;
  std::string quoted(1, '\'');
  quoted.append(name).push_back('\'');
  detail::fail_param(function, "align", quoted, "must be 'centered' or 'trailing'");
}

WindowAlign parse_align(std::string_view name) { return parse_align(name, "parse_align"); }

std::string to_string(WindowAlign align) { return align == WindowAlign::trailing ? "trailing" : "centered"; }

long window_samples(double window_s, double fs_hz, std::string_view function) {
  detail::check_fs(function, fs_hz);
  detail::check_positive(function, "window_s", window_s);
  const double n = std::round(window_s * fs_hz);
  if (!(n < 9.0e15)) detail::fail_param(function, "window_s", fmt(window_s), "is too long to count in samples");
  return std::max(1L, static_cast<long>(n));
}

RowMatrixXd moving_rms(MatrixView x, double fs_hz, double window_s, WindowAlign align) {
  return moving_stat<Square, true>(x, fs_hz, window_s, align, "moving_rms");
}

RowMatrixXd moving_average(MatrixView x, double fs_hz, double window_s, WindowAlign align) {
  return moving_stat<Identity, false>(x, fs_hz, window_s, align, "moving_average");
}

RowMatrixXd linear_envelope(MatrixView x, double fs_hz, double cutoff_hz, int order) {
  constexpr const char* fn = "linear_envelope";
  detail::check_fs(fn, fs_hz);
  detail::check_below_nyquist(fn, "cutoff_hz", cutoff_hz, fs_hz);
  if (order < 1 || order > kMaxButterOrder) {
    detail::fail_param(fn, "order", std::to_string(order),
                       "must be in 1.." + std::to_string(kMaxButterOrder) + " (Butterworth order N)");
  }
  detail::check_signal(fn, x);
  const Sos sos = butter(order, {cutoff_hz}, BType::lowpass, fs_hz);
  const long padlen = default_padlen(sos);
  if (x.cols() <= padlen) {
    detail::fail_param(fn, "x", std::to_string(x.cols()) + " samples",
                       "is too short: zero-phase filtering needs more than padlen=" + std::to_string(padlen) +
                           " samples for order=" + std::to_string(order));
  }
  RowMatrixXd env = sosfiltfilt(sos, x.cwiseAbs(), PadType::odd);
  env = env.cwiseMax(0.0);
  return env;
}

RowMatrixXd tkeo(MatrixView x) {
  detail::check_signal("tkeo", x, 3);
  const long len = x.cols();
  RowMatrixXd y(x.rows(), len);
  for (long c = 0; c < x.rows(); ++c) {
    const double* in = x.row(c).data();
    double* out = y.row(c).data();
    for (long n = 1; n < len - 1; ++n) out[n] = in[n] * in[n] - in[n - 1] * in[n + 1];
    out[0] = out[1];
    out[len - 1] = out[len - 2];
  }
  return y;
}

VectorXd arv(MatrixView x) {
  detail::check_signal("arv", x);
  return x.cwiseAbs().rowwise().sum() / static_cast<double>(x.cols());
}

VectorXd rms(MatrixView x) {
  detail::check_signal("rms", x);
  return (x.rowwise().squaredNorm() / static_cast<double>(x.cols())).cwiseSqrt();
}

VectorXd iemg(MatrixView x, double fs_hz) {
  detail::check_fs("iemg", fs_hz);
  detail::check_signal("iemg", x);
  return x.cwiseAbs().rowwise().sum() / fs_hz;
}

}  // namespace emg::filters
