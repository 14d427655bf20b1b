// The entropy-family onset detectors (SCIENCE.md §5.8, §5.9): sliding-window sample entropy
// (Zhang & Zhou 2012) and a single-changepoint Bayesian refinement of candidate edges (after
// Tenan et al. 2017), with their parameter tables and field sections.
#include "detect/onsets/method.hpp"
#include "detect/onsets/sampen.hpp"

#include "detail/check.hpp"

#include <emg/errors.hpp>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <numbers>
#include <string>

namespace emg::detect {

namespace {

using emg::detail::fmt;

constexpr const char* kSampEn = "sampen";
constexpr const char* kChangepoint = "changepoint";

long round_samples(double seconds, double fs_hz) {
  const double v = seconds * fs_hz;
  return std::isfinite(v) && std::abs(v) < 1e15 ? static_cast<long>(std::llround(v)) : 0;
}

}  // namespace

// ---- parameters --------------------------------------------------------------------------------

double SampEnParams::window_for(double fs_hz) const {
  if (!std::isnan(window_s)) return window_s;
  return fs_hz > 0.0 ? std::max(kAutoWindowS, static_cast<double>(kAutoWindowSamples) / fs_hz) : kAutoWindowS;
}

void SampEnParams::validate(double fs_hz) const {
  using detail::require;
  require(m >= 1 && m <= 10, kSampEn, "m", static_cast<double>(m), "in 1..10");
  require(std::isfinite(r) && r > 0.0 && r <= 10.0, kSampEn, "r", r,
          "in (0, 10] (units of the rest-window SD; the usual values are 0.1-0.25)");
  require(std::isnan(window_s) || (std::isfinite(window_s) && window_s > 0.0 && window_s <= 10.0), kSampEn, "window_s",
          window_s, "nan (automatic) or in (0, 10] s (SCIENCE.md: 0.1-0.25 s)");
  const double window = window_for(fs_hz);
  const long need = m + 10;
  const std::string rule = "at least m + 10 = " + std::to_string(need) + " samples at fs_hz=" + fmt(fs_hz);
  require(round_samples(window, fs_hz) >= need, kSampEn, "window_s", window_s, rule.c_str());
  const std::string step_rule = "0 (every sample) or in (0, window_s=" + fmt(window) + "] s";
  require(std::isfinite(step_s) && step_s >= 0.0 && step_s <= window, kSampEn, "step_s", step_s, step_rule.c_str());
  require(std::isfinite(h) && h >= 0.0, kSampEn, "h", h, "finite and >= 0");
  require(min_matches >= 1 && min_matches <= 1000, kSampEn, "min_matches", static_cast<double>(min_matches),
          "in 1..1000");
  require(std::isfinite(min_run_s) && min_run_s >= 0.0 && min_run_s <= 10.0, kSampEn, "min_run_s", min_run_s,
          "in [0, 10] s");
}

const ParamTable& SampEnParams::describe() {
  static const ParamTable table = {
      {"m", "", "2", "1..10", "template length of SampEn(m, r)"},
      {"r", "", "0.2", "(0, 10]", "tolerance in SDs of the signal over the rest window (Chebyshev distance)"},
      {"window_s", "s", "nan", "nan or (0, 10], >= m + 10 samples",
       "sliding SampEn window (SCIENCE.md: 0.1-0.25 s); nan = 0.125 s, lengthened to 250 samples below 2 kHz "
       "(1 kHz: 0.25 s; 250 Hz: 1 s) so that a window holds enough template pairs"},
      {"step_s", "s", "0", "0 or (0, window_s]", "spacing of the windows; 0 = every sample (incremental counts)"},
      {"h", "", "5", ">= 0", "threshold mu0 + h sigma0 of the window SampEn over the rest window"},
      {"min_matches", "", "15", "1..1000",
       "a window with fewer matching (m+1)-template pairs A gets the largest SampEn, ln((W-m)(W-m-1)/2)"},
      {"min_run_s", "s", "0.05", "[0, 10]",
       "windows above the threshold count only in runs of consecutive windows whose starts span this long"},
  };
  return table;
}

void ChangepointParams::validate(double fs_hz) const {
  using detail::require;
  require(std::isfinite(cutoff) && cutoff > 0.0 && cutoff < 1.0, kChangepoint, "cutoff", cutoff, "in (0, 1)");
  require(std::isfinite(h) && h >= 0.0, kChangepoint, "h", h, "finite and >= 0");
  require(std::isfinite(smooth_s) && smooth_s > 0.0 && smooth_s <= 1.0, kChangepoint, "smooth_s", smooth_s,
          "in (0, 1] s");
  require(std::isfinite(min_segment_s) && min_segment_s > 0.0, kChangepoint, "min_segment_s", min_segment_s,
          "finite and > 0 (at least 2 samples are used)");
  const std::string win_rule = "in [4 min_segment_s=" + fmt(4.0 * min_segment_s) + ", 60] s";
  require(std::isfinite(window_s) && window_s >= 4.0 * min_segment_s && window_s <= 60.0, kChangepoint, "window_s",
          window_s, win_rule.c_str());
  const std::string win_samples = "at least 8 samples at fs_hz=" + fmt(fs_hz);
  require(round_samples(window_s, fs_hz) >= 8, kChangepoint, "window_s", window_s, win_samples.c_str());
}

const ParamTable& ChangepointParams::describe() {
  static const ParamTable table = {
      {"cutoff", "", "0.5", "(0, 1)",
       "an edge is the first split whose cumulative posterior probability reaches this (0.5 = posterior median)"},
      {"window_s", "s", "1", "[4 min_segment_s, 60]",
       "longest window the single-changepoint model sees around each candidate edge (clipped between candidates)"},
      {"h", "", "3", ">= 0", "candidate activity: smoothed |x| above mu0 + h sigma0 of the rest window"},
      {"smooth_s", "s", "0.05", "(0, 1]", "centred moving average of |x| for the candidates (and the test function)"},
      {"min_segment_s", "s", "0.01", "> 0", "shortest segment on either side of a split (at least 2 samples)"},
  };
  return table;
}

}  // namespace emg::detect

namespace emg::detect::detail {

namespace {

using emg::detail::fmt;

// ---- exact SampEn counting on a bucket grid ----------------------------------------------------
//
// Templates are filed by their first value (m = 1) or their first two values (m >= 2) in cells of
// width w slightly above r per coordinate, so any template within Chebyshev distance r of one in
// cell (k0, k1) lies in a cell (k0 + d0, k1 + d1), d in {-1, 0, 1} (w exceeds r by 1e-4 relative,
// far above the rounding of (x - xmin) / w, which stays below 2^32). Cell coordinates are taken
// modulo 64 per axis (2-D) or 4096 (1-D), so the 9 (3) neighbour cells are always distinct slots;
// aliasing only adds candidates, because every candidate is checked with the exact predicate
// |x[i+k] - x[q+k]| <= r for k = 0..m. For band-passed noise at r = 0.2 SD this visits ~7
// candidates per template instead of the ~T/9 of a sorted first coordinate. Templates enter in
// index order and leave oldest first, so each cell is a FIFO (a singly linked list).
class TemplateGrid {
 public:
  static constexpr std::uint64_t kAxisBits = 6;
  static constexpr std::uint64_t kAxis = std::uint64_t{1} << kAxisBits;  // 2-D: 64 x 64 cells
  static constexpr std::uint64_t kCells = kAxis * kAxis;                 // 1-D: 4096 cells

  TemplateGrid(std::span<const double> x, long m, double r, std::int64_t live)
      : x_(x.data()), m_(m), r_(r), two_d_(m >= 2) {
    double lo = 0.0, hi = 0.0;
    if (!x.empty()) {
      const auto [a, b] = std::minmax_element(x.begin(), x.end());
      lo = *a;
      hi = *b;
    }
    xmin_ = lo;
    const double w = std::max({r * (1.0 + 1e-4), (hi - lo) * 0x1p-32, DBL_MIN});
    inv_w_ = 1.0 / w;
    const auto cap = std::bit_ceil(static_cast<std::uint64_t>(std::max<std::int64_t>(live, 1)));
    slot_mask_ = cap - 1;
    head_.assign(kCells, -1);
    tail_.assign(kCells, -1);
    next_.assign(cap, -1);
  }

  /// Adds to a / b the matches of template q with the current members.
  void count(std::int64_t q, std::int64_t& a, std::int64_t& b) const {
    std::uint64_t cells[9];
    std::size_t n_cells = 0;
    const std::uint64_t k0 = key(x_[q]);
    if (two_d_) {
      const std::uint64_t k1 = key(x_[q + 1]);
      for (std::uint64_t d0 = 0; d0 < 3; ++d0) {
        for (std::uint64_t d1 = 0; d1 < 3; ++d1) cells[n_cells++] = cell2(k0 + d0 - 1, k1 + d1 - 1);
      }
    } else {
      for (std::uint64_t d0 = 0; d0 < 3; ++d0) cells[n_cells++] = (k0 + d0 - 1) & (kCells - 1);
    }
    const std::span<const std::uint64_t> c(cells, n_cells);
    switch (m_) {
      case 1: count_fixed<1>(q, c, a, b); break;
      case 2: count_fixed<2>(q, c, a, b); break;
      default: count_any(q, c, a, b); break;
    }
  }

  /// Appends template q (larger than every member).
  void push(std::int64_t q) {
    const std::uint64_t cell = cell_of(q);
    next_[static_cast<std::uint64_t>(q) & slot_mask_] = -1;
    if (tail_[cell] < 0) {
      head_[cell] = q;
    } else {
      next_[static_cast<std::uint64_t>(tail_[cell]) & slot_mask_] = q;
    }
    tail_[cell] = q;
  }

  /// Removes template q, the oldest member.
  void pop(std::int64_t q) {
    const std::uint64_t cell = cell_of(q);
    head_[cell] = next_[static_cast<std::uint64_t>(q) & slot_mask_];
    if (head_[cell] < 0) tail_[cell] = -1;
  }

 private:
  // Branch-free per candidate (the outcomes are unpredictable); m = 1, 2 unrolled.
  template <long M>
  void count_fixed(std::int64_t q, std::span<const std::uint64_t> cells, std::int64_t& a, std::int64_t& b) const {
    const double* xq = x_ + q;
    const double r = r_;
    std::int64_t da = 0, db = 0;
    for (const std::uint64_t cell : cells) {
      for (std::int64_t i = head_[cell]; i >= 0; i = next_[static_cast<std::uint64_t>(i) & slot_mask_]) {
        const double* xi = x_ + i;
        bool match = std::abs(xi[0] - xq[0]) <= r;
        if constexpr (M >= 2) match &= std::abs(xi[1] - xq[1]) <= r;
        db += match;
        da += match & (std::abs(xi[M] - xq[M]) <= r);
      }
    }
    a += da;
    b += db;
  }

  void count_any(std::int64_t q, std::span<const std::uint64_t> cells, std::int64_t& a, std::int64_t& b) const {
    const double* xq = x_ + q;
    const double r = r_;
    const long m = m_;
    std::int64_t da = 0, db = 0;
    for (const std::uint64_t cell : cells) {
      for (std::int64_t i = head_[cell]; i >= 0; i = next_[static_cast<std::uint64_t>(i) & slot_mask_]) {
        const double* xi = x_ + i;
        bool match = true;
        for (long j = 0; j < m; ++j) match &= std::abs(xi[j] - xq[j]) <= r;
        db += match;
        da += match & (std::abs(xi[m] - xq[m]) <= r);
      }
    }
    a += da;
    b += db;
  }

  std::uint64_t key(double v) const {
    return static_cast<std::uint64_t>(std::max((v - xmin_) * inv_w_, 0.0));  // in [0, ~2^32]
  }
  static std::uint64_t cell2(std::uint64_t k0, std::uint64_t k1) {
    return ((k0 & (kAxis - 1)) << kAxisBits) | (k1 & (kAxis - 1));
  }
  std::uint64_t cell_of(std::int64_t q) const {
    const std::uint64_t k0 = key(x_[q]);
    return two_d_ ? cell2(k0, key(x_[q + 1])) : (k0 & (kCells - 1));
  }

  const double* x_;
  long m_;
  double r_;
  bool two_d_;
  double xmin_ = 0.0;
  double inv_w_ = 1.0;
  std::uint64_t slot_mask_ = 0;
  std::vector<std::int64_t> head_, tail_, next_;
};

void check_sampen_args(std::span<const double> x, long m, double r, const char* function) {
  if (m < 1) throw InvalidArgument(std::string(function) + ": m=" + std::to_string(m) + " must be >= 1");
  if (!(r >= 0.0) || !std::isfinite(r)) throw InvalidArgument(std::string(function) + ": r=" + fmt(r) + " must be finite and >= 0");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(std::string(function) + ": x[" + std::to_string(i) + "]=" + fmt(x[i]) + " must be finite");
    }
  }
}

// ---- single-changepoint posterior --------------------------------------------------------------

/// Scratch space reused across the windows of one channel.
struct PosteriorWork {
  std::vector<double> s1, s2, lgam;
};

/// posterior[t], t in [0, n], of the split of y; empty when n < 2 k0.
void posterior_into(std::span<const double> y, long min_segment, PosteriorWork& w, std::vector<double>& post) {
  const auto n = static_cast<std::int64_t>(y.size());
  const std::int64_t k0 = std::max<std::int64_t>(min_segment, 2);
  post.clear();
  if (n < 2 * k0) return;
  const auto un = static_cast<std::size_t>(n);
  double mean = 0.0;
  for (const double v : y) mean += v;
  mean /= static_cast<double>(n);
  // Running sums of the centred values (centring keeps S = sum d^2 - (sum d)^2 / k accurate).
  w.s1.assign(un + 1, 0.0);
  w.s2.assign(un + 1, 0.0);
  for (std::size_t i = 0; i < un; ++i) {
    const double d = y[i] - mean;
    w.s1[i + 1] = w.s1[i] + d;
    w.s2[i + 1] = w.s2[i] + d * d;
  }
  // lgamma((k - 1) / 2) for k = 2..n by the recurrence Gamma(z + 1) = z Gamma(z) (std::lgamma
  // is not thread-safe in glibc: it writes signgam).
  w.lgam.assign(un + 1, 0.0);
  if (un >= 2) w.lgam[2] = 0.5 * std::log(std::numbers::pi);  // Gamma(1/2) = sqrt(pi)
  if (un >= 3) w.lgam[3] = 0.0;                               // Gamma(1) = 1
  for (std::size_t k = 4; k <= un; ++k) w.lgam[k] = w.lgam[k - 2] + std::log(0.5 * static_cast<double>(k - 3));
  // A floor for S (a constant segment would have an infinite density): 1e-12 of the window's
  // mean square deviation per sample, so exactly flat stretches are strongly but finitely favoured.
  const double floor_per_sample = std::max(1e-12 * w.s2[un] / static_cast<double>(n), 1e-300);
  const auto log_evidence = [&](std::int64_t k, double a, double b) {
    const double dk = static_cast<double>(k);
    const double s = std::max(b - a * a / dk, floor_per_sample * dk);
    return w.lgam[static_cast<std::size_t>(k)] - 0.5 * std::log(dk) - 0.5 * (dk - 1.0) * std::log(std::numbers::pi * s);
  };
  post.assign(un + 1, 0.0);
  double best = -INFINITY;
  for (std::int64_t t = k0; t <= n - k0; ++t) {
    const auto ut = static_cast<std::size_t>(t);
    const double l = log_evidence(t, w.s1[ut], w.s2[ut]) +
                     log_evidence(n - t, w.s1[un] - w.s1[ut], w.s2[un] - w.s2[ut]);
    post[ut] = l;
    best = std::max(best, l);
  }
  double total = 0.0;
  for (std::int64_t t = k0; t <= n - k0; ++t) {
    const auto ut = static_cast<std::size_t>(t);
    post[ut] = std::exp(post[ut] - best);
    total += post[ut];
  }
  for (std::int64_t t = k0; t <= n - k0; ++t) post[static_cast<std::size_t>(t)] /= total;
}

}  // namespace

// ---- public internals (sampen.hpp) -------------------------------------------------------------

SampEnCounts sample_entropy_counts(std::span<const double> x, long m, double r) {
  check_sampen_args(x, m, r, "sample_entropy");
  SampEnCounts c;
  const auto n = static_cast<std::int64_t>(x.size());
  const std::int64_t templates = n - m;
  if (templates < 2) return c;
  TemplateGrid grid(x, m, r, templates);
  for (std::int64_t q = 0; q < templates; ++q) {
    grid.count(q, c.a, c.b);
    grid.push(q);
  }
  return c;
}

double sampen_from_counts(const SampEnCounts& c) {
  if (c.b <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (c.a <= 0) return std::numeric_limits<double>::infinity();
  return -std::log(static_cast<double>(c.a) / static_cast<double>(c.b));
}

double sample_entropy(std::span<const double> x, long m, double r) {
  return sampen_from_counts(sample_entropy_counts(x, m, r));
}

std::vector<SampEnCounts> sliding_sample_entropy_counts(std::span<const double> x, long m, double r, long window,
                                                        long step) {
  check_sampen_args(x, m, r, "sliding_sample_entropy_counts");
  if (window < m + 2) {
    throw InvalidArgument("sliding_sample_entropy_counts: window=" + std::to_string(window) + " must be >= m + 2 = " +
                          std::to_string(m + 2));
  }
  if (step < 1) throw InvalidArgument("sliding_sample_entropy_counts: step=" + std::to_string(step) + " must be >= 1");
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<SampEnCounts> out;
  if (n < window) return out;
  const std::int64_t n_windows = (n - window) / step + 1;
  out.resize(static_cast<std::size_t>(n_windows));
  const std::int64_t templates = window - m;  // per window
  TemplateGrid grid(x, m, r, templates);
  std::int64_t a = 0, b = 0;
  if (step < templates) {
    // Incremental: the counts of window s + 1 are those of s minus the pairs of template s plus
    // the pairs of template s + templates (the match relation of a pair does not depend on the window).
    for (std::int64_t q = 0; q < templates; ++q) {
      grid.count(q, a, b);
      grid.push(q);
    }
    out[0] = {a, b};
    std::int64_t s = 0;
    for (std::int64_t k = 1; k < n_windows; ++k) {
      for (const std::int64_t target = k * step; s < target; ++s) {
        grid.pop(s);
        std::int64_t da = 0, db = 0;
        grid.count(s, da, db);
        a -= da;
        b -= db;
        const std::int64_t q = s + templates;
        grid.count(q, a, b);
        grid.push(q);
      }
      out[static_cast<std::size_t>(k)] = {a, b};
    }
  } else {
    // Windows far apart: count each afresh, emptying the grid in between.
    for (std::int64_t k = 0; k < n_windows; ++k) {
      const std::int64_t s = k * step;
      a = b = 0;
      for (std::int64_t q = s; q < s + templates; ++q) {
        grid.count(q, a, b);
        grid.push(q);
      }
      for (std::int64_t q = s; q < s + templates; ++q) grid.pop(q);
      out[static_cast<std::size_t>(k)] = {a, b};
    }
  }
  return out;
}

std::vector<double> changepoint_posterior(std::span<const double> y, long min_segment) {
  PosteriorWork w;
  std::vector<double> post;
  posterior_into(y, min_segment, w, post);
  return post;
}

std::int64_t posterior_quantile(const std::vector<double>& posterior, double cutoff) {
  double cum = 0.0;
  std::int64_t last = -1;
  for (std::size_t t = 0; t < posterior.size(); ++t) {
    if (posterior[t] <= 0.0) continue;
    cum += posterior[t];
    last = static_cast<std::int64_t>(t);
    if (cum >= cutoff) return last;
  }
  return last;  // rounding left the total just below cutoff: the last allowed split
}

// ---- detectors -----------------------------------------------------------------------------------

MethodResult run_sampen(const OnsetContext& c, const SampEnParams& p) {
  MethodResult res;
  const auto n = static_cast<std::int64_t>(c.x.size());
  res.test_function.assign(c.x.size(), MethodResult::kNaN);
  const long window = samples_of(p.window_for(c.fs_hz), c.fs_hz, p.m + 2);
  const long step = p.step_s > 0.0 ? samples_of(p.step_s, c.fs_hz) : 1;
  const double r_abs = p.r * guarded_sd(mean_sd(c.x, c.baseline_begin, c.baseline_end));
  const std::vector<SampEnCounts> counts = sliding_sample_entropy_counts(c.x, p.m, r_abs, window, step);
  if (counts.empty()) return res;
  const auto n_windows = static_cast<std::int64_t>(counts.size());

  // Window SampEn; fewer than min_matches matching (m+1)-pairs (undefined or unreliable: its
  // relative SE is ~1/sqrt(A)) maps to the largest finite value ln(P).
  const double pairs = 0.5 * static_cast<double>(window - p.m) * static_cast<double>(window - p.m - 1);
  const double cap = std::log(std::max(pairs, 1.0));
  std::vector<double> v(counts.size());
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const SampEnCounts& q = counts[k];
    v[k] = (q.a >= std::max<long>(p.min_matches, 1) && q.b > 0)
               ? -std::log(static_cast<double>(q.a) / static_cast<double>(q.b))
               : cap;
  }

  // Rest statistics: windows inside the rest window; else those centred in it; else those
  // overlapping it.
  const auto start = [&](std::int64_t k) { return k * step; };
  std::int64_t k0 = n_windows, k1 = 0;
  const auto select = [&](auto&& inside) {
    k0 = n_windows;
    k1 = 0;
    for (std::int64_t k = 0; k < n_windows; ++k) {
      if (inside(start(k))) {
        k0 = std::min(k0, k);
        k1 = std::max(k1, k + 1);
      }
    }
    return k0 < k1;
  };
  const std::int64_t bb = c.baseline_begin, be = c.baseline_end;
  if (!select([&](std::int64_t s) { return s >= bb && s + window <= be; }) &&
      !select([&](std::int64_t s) { return s + window / 2 >= bb && s + window / 2 < be; })) {
    select([&](std::int64_t s) { return s < be && s + window > bb; });
  }
  const MeanSd stats = mean_sd(v, k0, k1);
  res.baseline_mean = stats.mean;
  res.baseline_sd = stats.sd;
  res.threshold = stats.mean + p.h * guarded_sd(stats);
  if (!(res.threshold < cap)) {
    long capped = 0;
    for (std::int64_t k = k0; k < k1; ++k) capped += v[static_cast<std::size_t>(k)] >= cap;
    res.message = "the threshold mu0 + h sigma0 = " + fmt4(res.threshold) + " is not below the largest window SampEn ln(" +
                  fmt4(pairs) + ") = " + fmt4(cap) + ", so nothing can exceed it: " + std::to_string(capped) + " of " +
                  std::to_string(k1 - k0) + " rest windows of " + std::to_string(window) +
                  " samples have fewer than sampen.min_matches=" + std::to_string(p.min_matches) +
                  " matching pairs; lengthen sampen.window_s or lower sampen.min_matches or sampen.h";
  }

  // Per sample: the largest SampEn of the windows containing it (sliding maximum, monotone deque).
  std::vector<std::int64_t> dq(counts.size());
  std::size_t head = 0, tail = 0;
  std::int64_t next_k = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    while (next_k < n_windows && start(next_k) <= i) {
      while (tail > head && v[static_cast<std::size_t>(dq[tail - 1])] <= v[static_cast<std::size_t>(next_k)]) --tail;
      dq[tail++] = next_k++;
    }
    while (tail > head && start(dq[head]) + window <= i) ++head;
    if (tail > head) res.test_function[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(dq[head])];
  }
  // Runs of windows above the threshold whose starts span at least min_run_s; each kept run
  // [first, last] is active from its first window's start to its last window's end.
  const std::int64_t min_run = p.min_run_s > 0.0 ? samples_of(p.min_run_s, c.fs_hz) : 0;
  for (std::int64_t k = 0; k < n_windows;) {
    if (!(v[static_cast<std::size_t>(k)] > res.threshold)) {
      ++k;
      continue;
    }
    const std::int64_t first = k;
    while (k < n_windows && v[static_cast<std::size_t>(k)] > res.threshold) ++k;
    if ((k - first) * step < min_run) continue;
    const Span span{start(first), std::min<std::int64_t>(start(k - 1) + window, n)};
    if (!res.active.empty() && span.begin <= res.active.back().end) {
      res.active.back().end = span.end;
    } else {
      res.active.push_back(span);
    }
  }
  return res;
}

MethodResult run_changepoint(const OnsetContext& c, const ChangepointParams& p) {
  MethodResult res;
  const auto n = static_cast<std::int64_t>(c.x.size());
  std::vector<double> y(c.x.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::abs(c.x[i]);
  const long smooth = samples_of(p.smooth_s, c.fs_hz);
  res.test_function = moving_average_centred(y, smooth);
  const MeanSd stats = mean_sd(res.test_function, c.baseline_begin, c.baseline_end);
  res.baseline_mean = stats.mean;
  res.baseline_sd = stats.sd;
  res.threshold = stats.mean + p.h * guarded_sd(stats);
  const std::vector<Span> cand =
      close_gaps_drop_short(threshold_spans(res.test_function, res.threshold, res.threshold), smooth, smooth);
  if (cand.empty()) return res;

  const long min_segment = samples_of(p.min_segment_s, c.fs_hz, 2);
  const std::int64_t half = samples_of(p.window_s, c.fs_hz) / 2;
  PosteriorWork work;
  std::vector<double> post;
  // The edge inside [lo, hi): the posterior quantile of the split; `fallback` when the window is
  // too short for two segments.
  const auto refine = [&](std::int64_t lo, std::int64_t hi, std::int64_t fallback) {
    lo = std::max<std::int64_t>(lo, 0);
    hi = std::min<std::int64_t>(hi, n);
    if (hi - lo < 2 * min_segment) return fallback;
    posterior_into(std::span<const double>(y).subspan(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - lo)),
                   min_segment, work, post);
    const std::int64_t t = posterior_quantile(post, p.cutoff);
    return t < 0 ? fallback : lo + t;
  };

  std::vector<Span> out;
  out.reserve(cand.size());
  for (std::size_t k = 0; k < cand.size(); ++k) {
    const Span& s = cand[k];
    const std::int64_t mid = s.begin + (s.end - s.begin) / 2;
    const std::int64_t prev_mid = k == 0 ? 0 : cand[k - 1].end + (s.begin - cand[k - 1].end) / 2;
    const std::int64_t next_mid = k + 1 == cand.size() ? n : s.end + (cand[k + 1].begin - s.end) / 2;
    Span e = s;
    if (s.begin > 0) e.begin = refine(std::max(s.begin - half, prev_mid), std::min(s.begin + half, mid), s.begin);
    if (s.end < n) e.end = refine(std::max(s.end - half, mid), std::min(s.end + half, next_mid), s.end);
    if (e.begin >= e.end) e = s;
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  res.active = close_gaps_drop_short(std::move(out), 1, 1);  // merge touching or overlapping refinements
  return res;
}

// ---- fields --------------------------------------------------------------------------------------

void add_entropy_fields(FieldBuilder& b, OnsetParams& p) {
  b.section("sampen", &SampEnParams::describe())("m", &p.sampen.m)("r", &p.sampen.r)("window_s", &p.sampen.window_s)(
      "step_s", &p.sampen.step_s)("h", &p.sampen.h)(
      "min_matches", &p.sampen.min_matches)("min_run_s", &p.sampen.min_run_s);
  b.section("changepoint", &ChangepointParams::describe())("cutoff", &p.changepoint.cutoff)(
      "window_s", &p.changepoint.window_s)("h", &p.changepoint.h)("smooth_s", &p.changepoint.smooth_s)(
      "min_segment_s", &p.changepoint.min_segment_s);
}

}  // namespace emg::detect::detail
