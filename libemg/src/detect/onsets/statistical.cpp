// The statistical onset detectors (SCIENCE.md §5.2, §5.3, §5.7): Bonato's double threshold on
// the chi2(2) pair statistic, the TKEO-conditioned threshold, and AGLR (AR whitening + variance
// step likelihood ratio with maximum-likelihood change times). Declared in method.hpp and
// emg/detect/onset_statistical.hpp.
#include "detect/onsets/method.hpp"

#include "detail/check.hpp"

#include <emg/detect/onset_statistical.hpp>
#include <emg/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace emg::detect {

using detail::require;
using emg::detail::fmt;

namespace {

constexpr long kMaxArOrder = 64;

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

/// Test samples in Bonato's m window at fs_hz (disjoint pairs halve the rate).
long bonato_m(const BonatoParams& p, double fs_hz) {
  const double rate = p.sliding ? fs_hz : fs_hz / 2.0;
  return static_cast<long>(std::llround(p.m_s * rate));
}

/// P(Binom(m, q) >= r0), summed in logs (accurate for small q).
double binom_upper_tail(long m, long r0, double q) {
  if (q <= 0.0) return 0.0;
  if (q >= 1.0) return 1.0;
  const double lq = std::log(q), l1q = std::log1p(-q);
  const double lm = std::lgamma(static_cast<double>(m) + 1.0);
  double sum = 0.0;
  for (long k = r0; k <= m; ++k) {
    const double kd = static_cast<double>(k), md = static_cast<double>(m);
    sum += std::exp(lm - std::lgamma(kd + 1.0) - std::lgamma(md - kd + 1.0) + kd * lq + (md - kd) * l1q);
  }
  return std::min(sum, 1.0);
}

/// Yule-Walker AR fit (Levinson-Durbin on the biased autocorrelation) of x[begin, end) about its
/// mean: the prediction-error filter e[n] = x[n] + sum_k a[k-1] x[n-k]. Empty for a flat segment.
std::vector<double> fit_ar(std::span<const double> x, std::int64_t begin, std::int64_t end, long order) {
  const std::int64_t n = end - begin;
  order = std::min<long>(order, static_cast<long>(n / 4));
  if (order <= 0 || n <= 1) return {};
  double mean = 0.0;
  for (std::int64_t i = begin; i < end; ++i) mean += x[at(i)];
  mean /= static_cast<double>(n);
  std::vector<double> r(static_cast<std::size_t>(order) + 1, 0.0);
  for (long k = 0; k <= order; ++k) {
    double s = 0.0;
    for (std::int64_t i = begin; i + k < end; ++i) s += (x[at(i)] - mean) * (x[at(i + k)] - mean);
    r[static_cast<std::size_t>(k)] = s / static_cast<double>(n);
  }
  if (!(r[0] > 0.0)) return {};
  std::vector<double> a(static_cast<std::size_t>(order) + 1, 0.0), prev;
  a[0] = 1.0;
  double err = r[0];
  long fitted = 0;
  for (long i = 1; i <= order; ++i) {
    double acc = r[static_cast<std::size_t>(i)];
    for (long j = 1; j < i; ++j) acc += a[static_cast<std::size_t>(j)] * r[static_cast<std::size_t>(i - j)];
    const double k = -acc / err;
    if (!std::isfinite(k) || std::abs(k) >= 1.0) break;
    prev = a;
    for (long j = 1; j < i; ++j) a[static_cast<std::size_t>(j)] += k * prev[static_cast<std::size_t>(i - j)];
    a[static_cast<std::size_t>(i)] = k;
    err *= 1.0 - k * k;
    fitted = i;
    if (!(err > 0.0)) break;
  }
  return {a.begin() + 1, a.begin() + 1 + fitted};
}

/// Prediction error of x under the AR filter a, forwards (from past samples) or backwards (from
/// future samples; the time-reversed process has the same autocorrelation). The first (forwards)
/// or last (backwards) a.size() samples lack a full history and are NaN.
std::vector<double> whiten(std::span<const double> x, const std::vector<double>& a, bool backwards) {
  const auto n = static_cast<std::int64_t>(x.size());
  const auto p = static_cast<std::int64_t>(a.size());
  std::vector<double> e(x.begin(), x.end());
  if (p == 0) return e;
  for (std::int64_t i = 0; i < n; ++i) {
    const bool full = backwards ? i + p < n : i >= p;
    if (!full) {
      e[at(i)] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    double s = x[at(i)];
    if (!backwards) {
      for (std::int64_t k = 1; k <= p; ++k) s += a[at(k - 1)] * x[at(i - k)];
    } else {
      for (std::int64_t k = 1; k <= p; ++k) s += a[at(k - 1)] * x[at(i + k)];
    }
    e[at(i)] = s;
  }
  return e;
}

/// Prefix sums: out[i] = sum of v[0, i).
std::vector<double> prefix(const std::vector<double>& v) {
  std::vector<double> c(v.size() + 1, 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) c[i + 1] = c[i] + v[i];
  return c;
}

bool is_laplace(const std::string& model) { return model == "laplace"; }

}  // namespace

// ---- Bonato (§5.2) ---------------------------------------------------------------------------

double bonato_zeta(double pfa, long m, long r0) {
  require(std::isfinite(pfa) && pfa > 0.0 && pfa < 1.0, "bonato", "pfa", pfa, "in (0, 1)");
  require(m >= 1, "bonato", "m", static_cast<double>(m), ">= 1 test sample");
  require(r0 >= 1 && r0 <= m, "bonato", "r0", static_cast<double>(r0), ("in [1, m] with m = " + std::to_string(m)).c_str());
  // The upper tail grows monotonically with P: bisect ln P over [ln 1e-300, 0].
  double lo = std::log(1e-300), hi = 0.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (binom_upper_tail(m, r0, std::exp(mid)) < pfa) lo = mid; else hi = mid;
  }
  const double log_p = 0.5 * (lo + hi);
  return -2.0 * log_p;
}

void BonatoParams::validate(double fs_hz) const {
  emg::detail::check_fs("bonato", fs_hz);
  require(std::isfinite(pfa) && pfa > 0.0 && pfa < 1.0, "bonato", "pfa", pfa, "in (0, 1)");
  require(std::isfinite(m_s) && m_s > 0.0, "bonato", "m_s", m_s, "finite and > 0");
  const long m = bonato_m(*this, fs_hz);
  require(m >= 1, "bonato", "m_s", m_s,
          ("at least one test sample at fs_hz=" + fmt(fs_hz) + (sliding ? "" : " on disjoint pairs")).c_str());
  require(r0 >= 1 && r0 <= m, "bonato", "r0", static_cast<double>(r0),
          ("in [1, m] where m = " + std::to_string(m) + " test samples (bonato.m_s=" + fmt(m_s) + " at fs_hz=" +
           fmt(fs_hz) + ")")
              .c_str());
  require(std::isfinite(min_length_s) && min_length_s >= 0.0, "bonato", "min_length_s", min_length_s, "finite and >= 0");
  require(whiten_order >= 0 && whiten_order <= kMaxArOrder, "bonato", "whiten_order", static_cast<double>(whiten_order),
          "in [0, 64]");
}

const ParamTable& BonatoParams::describe() {
  static const ParamTable table = {
      {"pfa", "", "0.05", "(0, 1)", "false-alarm probability of one m-window at rest; sets zeta via the binomial law"},
      {"m_s", "s", "0.01", "> 0, >= 1 test sample", "length of the second-threshold window (m test samples)"},
      {"r0", "", "1", "[1, m]", "active when at least r0 of m successive test samples exceed zeta"},
      {"min_length_s", "s", "0.03", ">= 0", "active and rest phases shorter than this are merged into their neighbours"},
      {"sliding", "", "true", "true|false", "test function at every sample (else on disjoint sample pairs, as BioSPPy)"},
      {"whiten_order", "", "0", "[0, 64]", "AR whitening order fitted on the rest window (0 = none)"},
  };
  return table;
}

namespace detail {

MethodResult run_bonato(const OnsetContext& c, const BonatoParams& p) {
  const auto n = static_cast<std::int64_t>(c.x.size());
  MethodResult r;
  std::vector<double> y;
  if (p.whiten_order > 0) {
    y = whiten(c.x, fit_ar(c.x, c.baseline_begin, c.baseline_end, p.whiten_order), false);
  } else {
    y.assign(c.x.begin(), c.x.end());
  }
  const double sd0 = guarded_sd(mean_sd(y, c.baseline_begin, c.baseline_end));
  const double inv_var = 1.0 / (sd0 * sd0);
  const long m = bonato_m(p, c.fs_hz);
  const double zeta = bonato_zeta(p.pfa, m, p.r0);

  // Test function; `t` = number of test samples, test sample j covers samples [j*step, j*step+step).
  r.test_function.resize(at(n));
  const std::int64_t step = p.sliding ? 1 : 2;
  const std::int64_t t = (n + step - 1) / step;
  std::vector<std::int64_t> above(at(t) + 1, 0);  // prefix counts of g > zeta over test samples
  for (std::int64_t j = 0; j < t; ++j) {
    double g;  // NaN (undefined) where the whitening lacks history; never above zeta
    if (p.sliding) {
      g = j == 0 ? 2.0 * y[0] * y[0] * inv_var : (y[at(j - 1)] * y[at(j - 1)] + y[at(j)] * y[at(j)]) * inv_var;
      r.test_function[at(j)] = g;
    } else {
      const std::int64_t a = 2 * j;
      g = a + 1 < n ? (y[at(a)] * y[at(a)] + y[at(a + 1)] * y[at(a + 1)]) * inv_var : 2.0 * y[at(a)] * y[at(a)] * inv_var;
      r.test_function[at(a)] = g;
      if (a + 1 < n) r.test_function[at(a + 1)] = g;
    }
    above[at(j) + 1] = above[at(j)] + (g > zeta ? 1 : 0);
  }
  // Second threshold: a centred window of m test samples holds at least r0 exceedances.
  const std::int64_t before = (m - 1) / 2, after = m / 2;
  std::vector<Span> spans;
  std::int64_t open = -1;
  for (std::int64_t j = 0; j <= t; ++j) {
    bool act = false;
    if (j < t) {
      const std::int64_t lo = std::max<std::int64_t>(j - before, 0), hi = std::min<std::int64_t>(j + after + 1, t);
      act = above[at(hi)] - above[at(lo)] >= p.r0;
    }
    if (act && open < 0) open = j;
    if (!act && open >= 0) {
      spans.push_back({open * step, std::min(j * step, n)});
      open = -1;
    }
  }
  // State rule: short active phases go, then short rest phases are closed.
  const std::int64_t min_len = samples_of(p.min_length_s, c.fs_hz, 0);
  spans = close_gaps_drop_short(std::move(spans), 0, min_len);
  r.active = close_gaps_drop_short(std::move(spans), min_len, 0);

  const MeanSd g0 = mean_sd(r.test_function, c.baseline_begin, c.baseline_end);
  r.threshold = zeta;
  r.baseline_mean = g0.mean;
  r.baseline_sd = g0.sd;
  return r;
}

}  // namespace detail

// ---- TKEO (§5.3) -----------------------------------------------------------------------------

void TkeoParams::validate(double fs_hz) const {
  emg::detail::check_fs("tkeo", fs_hz);
  require(std::isfinite(lowpass_hz) && lowpass_hz >= 0.0 && lowpass_hz < fs_hz / 2.0, "tkeo", "lowpass_hz", lowpass_hz,
          ("0 (none) or in (0, fs_hz/2 = " + fmt(fs_hz / 2.0) + ")").c_str());
  require(lowpass_order >= 1 && lowpass_order <= 10, "tkeo", "lowpass_order", lowpass_order, "in 1..10");
  require(std::isfinite(j) && j >= 0.0, "tkeo", "j", j, "finite and >= 0");
  require(std::isfinite(min_duration_s) && min_duration_s >= 0.0, "tkeo", "min_duration_s", min_duration_s,
          "finite and >= 0");
}

const ParamTable& TkeoParams::describe() {
  static const ParamTable table = {
      {"lowpass_hz", "Hz", "15", "0 or (0, fs_hz/2)", "zero-phase Butterworth low-pass of |psi| (0 = none)"},
      {"lowpass_order", "", "2", "1..10", "order of that low-pass"},
      {"j", "", "4", ">= 0", "threshold mu0 + j sigma0 of the conditioned |psi| over the rest window"},
      {"min_duration_s", "s", "0.025", ">= 0", "an interval counts only when above the threshold this long"},
  };
  return table;
}

namespace detail {

MethodResult run_tkeo(const OnsetContext& c, const TkeoParams& p) {
  const auto n = static_cast<std::int64_t>(c.x.size());
  MethodResult r;
  std::vector<double> psi(at(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double xi = c.x[at(i)];
    psi[at(i)] = (i == 0 || i == n - 1) ? xi * xi : std::abs(xi * xi - c.x[at(i + 1)] * c.x[at(i - 1)]);
  }
  r.test_function = lowpass_zero_phase(psi, c.fs_hz, p.lowpass_hz, p.lowpass_order, "tkeo.lowpass_hz");
  const MeanSd s = mean_sd(r.test_function, c.baseline_begin, c.baseline_end);
  const double sd = guarded_sd(s);
  r.threshold = std::max(s.mean + p.j * sd, sd);  // > 0 for the score even on an odd baseline
  r.baseline_mean = s.mean;
  r.baseline_sd = s.sd;
  r.active = close_gaps_drop_short(threshold_spans(r.test_function, r.threshold, r.threshold), 0,
                                   samples_of(p.min_duration_s, c.fs_hz, 0));
  return r;
}

}  // namespace detail

// ---- AGLR (§5.7) -----------------------------------------------------------------------------

void AglrParams::validate(double fs_hz) const {
  emg::detail::check_fs("aglr", fs_hz);
  require(ar_order >= 0 && ar_order <= kMaxArOrder, "aglr", "ar_order", static_cast<double>(ar_order), "in [0, 64]");
  require(std::isfinite(window_s) && window_s > 0.0, "aglr", "window_s", window_s, "finite and > 0");
  const long L = static_cast<long>(std::llround(window_s * fs_hz));
  require(L >= 2, "aglr", "window_s", window_s, ("at least 2 samples at fs_hz=" + fmt(fs_hz)).c_str());
  require(std::isfinite(h) && h > 0.0, "aglr", "h", h, "finite and > 0");
  if (model != "gaussian" && model != "laplace") {
    throw InvalidArgument("aglr.model=" + model + " must be gaussian or laplace");
  }
  require(min_samples >= 1, "aglr", "min_samples", static_cast<double>(min_samples), ">= 1");
  require(std::isfinite(search_s) && search_s >= window_s, "aglr", "search_s", search_s,
          ("finite and >= aglr.window_s=" + fmt(window_s)).c_str());
  const long ws = static_cast<long>(std::llround(search_s * fs_hz));
  require(ws >= 2 * min_samples, "aglr", "min_samples", static_cast<double>(min_samples),
          ("at most half the search window (" + std::to_string(ws) + " samples at fs_hz=" + fmt(fs_hz) + ")").c_str());
}

const ParamTable& AglrParams::describe() {
  static const ParamTable table = {
      {"ar_order", "", "8", "[0, 64]", "order of the AR whitening fitted on the rest window (0 = none)"},
      {"window_s", "s", "0.05", ">= 2 samples", "L: the window of the variance-ratio log-likelihood S (centred)"},
      {"h", "", "15", "> 0", "alarm while S > h (log-likelihood units)"},
      {"model", "", "gaussian", "gaussian|laplace", "noise law: variance (gaussian) or mean-absolute scale (laplace)"},
      {"min_samples", "", "10", ">= 1, <= half of search_s", "fewest samples on either side of a re-estimated change"},
      {"search_s", "s", "0.1", ">= window_s", "the change time is searched this long before an alarm (after, for an offset)"},
  };
  return table;
}

namespace detail {

namespace {

/// The split of [w0, w1) maximising the two-segment likelihood, each side >= d samples, with the
/// later segment louder (rising = true) or quieter; -1 when there is none. c = prefix sums of the
/// per-sample statistic (e^2 or |e|), k = 1/2 (gaussian) or 1 (laplace).
std::int64_t best_split(const std::vector<double>& c, std::int64_t w0, std::int64_t w1, std::int64_t d, double k,
                        bool rising) {
  std::int64_t best = -1;
  double best_ll = -std::numeric_limits<double>::infinity();
  for (std::int64_t s = w0 + d; s <= w1 - d; ++s) {
    const double na = static_cast<double>(s - w0), nb = static_cast<double>(w1 - s);
    const double va = (c[at(s)] - c[at(w0)]) / na, vb = (c[at(w1)] - c[at(s)]) / nb;
    if (!(va > 0.0) || !(vb > 0.0) || (rising ? !(vb > va) : !(va > vb))) continue;
    const double ll = -k * (na * std::log(va) + nb * std::log(vb));
    if (ll > best_ll) {
      best_ll = ll;
      best = s;
    }
  }
  return best;
}

}  // namespace

MethodResult run_aglr(const OnsetContext& c, const AglrParams& p) {
  const auto n = static_cast<std::int64_t>(c.x.size());
  const bool laplace = is_laplace(p.model);
  const double k = laplace ? 1.0 : 0.5;
  MethodResult r;
  const std::vector<double> a = fit_ar(c.x, c.baseline_begin, c.baseline_end, p.ar_order);
  std::vector<double> uf = whiten(c.x, a, false), ub = whiten(c.x, a, true);
  for (double& v : uf) v = laplace ? std::abs(v) : v * v;
  for (double& v : ub) v = laplace ? std::abs(v) : v * v;
  // Rest scale theta0 (forward residuals with a full AR history); samples without a full history
  // count as exactly at rest.
  const MeanSd rest = mean_sd(uf, c.baseline_begin, c.baseline_end);
  const double theta0 = std::isnan(rest.mean) || !(rest.mean > 0.0) ? 1e-300 : rest.mean;
  for (double& v : uf)
    if (std::isnan(v)) v = theta0;
  for (double& v : ub)
    if (std::isnan(v)) v = theta0;
  const std::vector<double> cf = prefix(uf), cb = prefix(ub);

  // S over a centred window of L samples (truncated at the edges), one-sided (rho > 1).
  const std::int64_t L = samples_of(p.window_s, c.fs_hz, 2);
  const std::int64_t before = (L - 1) / 2, after = L / 2;
  r.test_function.resize(at(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t lo = std::max<std::int64_t>(i - before, 0), hi = std::min<std::int64_t>(i + after + 1, n);
    const double len = static_cast<double>(hi - lo);
    const double rho = (cf[at(hi)] - cf[at(lo)]) / len / theta0;
    r.test_function[at(i)] = rho > 1.0 ? k * len * (rho - std::log(rho) - 1.0) : 0.0;
  }
  const std::vector<Span> alarms = threshold_spans(r.test_function, p.h, p.h);

  // Change times: forwards from each alarm's first window, backwards from its last window.
  const std::int64_t ws = samples_of(p.search_s, c.fs_hz, 2);
  const std::int64_t d = p.min_samples;
  std::int64_t prev_end = 0;
  for (std::size_t q = 0; q < alarms.size(); ++q) {
    const Span& al = alarms[q];
    // The split needs >= d samples after it: the search runs d samples past the first alarming window.
    const std::int64_t s1x = std::min(al.begin + after + 1, n);  // end of the first alarming window
    const std::int64_t s1 = std::min(s1x + d, n);
    const std::int64_t w0 = std::max({s1x - ws, prev_end, std::int64_t{0}});
    std::int64_t on = s1 - w0 >= 2 * d ? best_split(cf, w0, s1, d, k, true) : -1;
    if (on < 0) on = std::max(al.begin, prev_end);
    const std::int64_t e0x = std::max<std::int64_t>(al.end - 1 - before, 0);  // start of the last alarming window
    const std::int64_t e0 = std::max<std::int64_t>(std::max(e0x - d, on + 1), 0);
    const std::int64_t next = q + 1 < alarms.size() ? alarms[q + 1].begin : n;
    const std::int64_t w1 = std::min({e0x + ws, next, n});
    std::int64_t off = w1 - e0 >= 2 * d ? best_split(cb, e0, w1, d, k, false) : -1;
    if (off < 0) off = al.end;
    if (off <= on) {
      on = std::max(al.begin, prev_end);
      off = std::max(al.end, on + 1);
    }
    if (!r.active.empty() && on <= r.active.back().end) {
      r.active.back().end = std::max(r.active.back().end, off);
    } else {
      r.active.push_back({on, off});
    }
    prev_end = r.active.back().end;
  }

  const MeanSd s0 = mean_sd(r.test_function, c.baseline_begin, c.baseline_end);
  r.threshold = p.h;
  r.baseline_mean = s0.mean;
  r.baseline_sd = s0.sd;
  return r;
}

// ---- field table -----------------------------------------------------------------------------

void add_statistical_fields(FieldBuilder& b, OnsetParams& p) {
  b.section("bonato", &BonatoParams::describe())("pfa", &p.bonato.pfa)("m_s", &p.bonato.m_s)("r0", &p.bonato.r0)(
      "min_length_s", &p.bonato.min_length_s)("sliding", &p.bonato.sliding)("whiten_order", &p.bonato.whiten_order);
  b.section("tkeo", &TkeoParams::describe())("lowpass_hz", &p.tkeo.lowpass_hz)("lowpass_order", &p.tkeo.lowpass_order)(
      "j", &p.tkeo.j)("min_duration_s", &p.tkeo.min_duration_s);
  std::string* model = &p.aglr.model;
  b.section("aglr", &AglrParams::describe())("ar_order", &p.aglr.ar_order)("window_s", &p.aglr.window_s)("h", &p.aglr.h)
      .enumeration("model", EnumField{[model] { return *model; },
                                      [model](const std::string& s) {
                                        if (s != "gaussian" && s != "laplace") {
                                          throw InvalidArgument("aglr.model=" + s + " must be gaussian or laplace");
                                        }
                                        *model = s;
                                      },
                                      {"gaussian", "laplace"}})("min_samples", &p.aglr.min_samples)(
          "search_s", &p.aglr.search_s);
}

}  // namespace detail

}  // namespace emg::detect
