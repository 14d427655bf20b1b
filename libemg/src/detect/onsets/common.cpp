// Building blocks shared by the onset detectors (declared in method.hpp).
#include "detect/onsets/method.hpp"

#include "detail/check.hpp"

#include <emg/errors.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace emg::detect::detail {

void require(bool ok, const char* section, const char* name, double value, const char* rule) {
  if (ok) return;
  throw InvalidArgument(std::string(section) + "." + name + "=" + emg::detail::fmt(value) + " must be " + rule);
}

std::string fmt4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

MeanSd mean_sd(std::span<const double> v, std::int64_t begin, std::int64_t end) {
  begin = std::max<std::int64_t>(begin, 0);
  end = std::min<std::int64_t>(end, static_cast<std::int64_t>(v.size()));
  double sum = 0.0;
  long n = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    const double y = v[static_cast<std::size_t>(i)];
    if (std::isnan(y)) continue;
    sum += y;
    ++n;
  }
  MeanSd s;
  if (n == 0) return s;
  s.mean = sum / static_cast<double>(n);
  double ss = 0.0;  // two-pass: no cancellation on a large mean
  for (std::int64_t i = begin; i < end; ++i) {
    const double y = v[static_cast<std::size_t>(i)];
    if (!std::isnan(y)) ss += (y - s.mean) * (y - s.mean);
  }
  s.sd = std::sqrt(ss / static_cast<double>(n));
  return s;
}

double guarded_sd(const MeanSd& s) {
  const double floor = 1e-12 * std::max(std::abs(s.mean), 1e-300);
  return std::isnan(s.sd) ? floor : std::max(s.sd, floor);
}

std::vector<double> moving_average_centred(std::span<const double> v, long w) {
  const auto n = static_cast<std::int64_t>(v.size());
  std::vector<double> out(v.size());
  if (n == 0) return out;
  w = std::max<long>(w, 1);
  const std::int64_t before = (w - 1) / 2, after = w / 2;
  const double* p = v.data();
  // Output i averages [max(i - before, 0), min(i + after + 1, n)). The running sum is recomputed
  // exactly at the start of every block of kRestart outputs (against drift); inside a block it
  // adds the entering sample and drops the leaving one, and the full-window outputs of the
  // interior are multiplied by 1/w (their divisor is constant).
  constexpr std::int64_t kRestart = 4096;
  const double inv_w = 1.0 / static_cast<double>(w);
  for (std::int64_t i0 = 0; i0 < n; i0 += kRestart) {
    const std::int64_t i1 = std::min(i0 + kRestart, n);
    std::int64_t lo = std::max<std::int64_t>(i0 - before, 0), hi = std::min<std::int64_t>(i0 + after + 1, n);
    double sum = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) sum += p[k];
    std::int64_t i = i0;
    // left edge (window clipped at 0) and any output whose window is clipped
    const auto edge = [&](std::int64_t i_) {
      const std::int64_t a_ = std::max<std::int64_t>(i_ - before, 0), b_ = std::min<std::int64_t>(i_ + after + 1, n);
      while (hi < b_) sum += p[hi++];
      while (lo < a_) sum -= p[lo++];
      out[static_cast<std::size_t>(i_)] = sum / static_cast<double>(b_ - a_);
    };
    out[static_cast<std::size_t>(i)] = sum / static_cast<double>(hi - lo);
    for (++i; i < i1 && i - before <= 0; ++i) edge(i);
    // interior: both ends move by one sample per output
    const std::int64_t interior_end = std::min(i1, n - after);
    for (; i < interior_end; ++i) {
      sum += p[i + after];
      sum -= p[i - before - 1];
      out[static_cast<std::size_t>(i)] = sum * inv_w;
    }
    lo = i - before - 1 > 0 ? i - before - 1 : 0;
    hi = std::min<std::int64_t>(i + after, n);
    for (; i < i1; ++i) edge(i);
  }
  return out;
}

std::vector<double> lowpass_zero_phase(std::span<const double> v, double fs_hz, double cutoff_hz, int order,
                                       const char* key) {
  if (!(cutoff_hz > 0.0)) return {v.begin(), v.end()};
  if (!(cutoff_hz < fs_hz / 2.0)) {
    throw InvalidArgument(std::string(key) + "=" + emg::detail::fmt(cutoff_hz) + " must be below fs/2 = " +
                          emg::detail::fmt(fs_hz / 2.0) + " Hz (0 = no low-pass)");
  }
  return zero_phase(v, filters::butter(order, {cutoff_hz}, filters::BType::lowpass, fs_hz), key);
}

std::vector<double> zero_phase(std::span<const double> v, const filters::Sos& sos, const std::string& what,
                               const std::string& hint) {
  const long padlen = filters::default_padlen(sos);
  if (static_cast<long>(v.size()) <= padlen) {
    throw InvalidArgument(what + ": the signal (" + std::to_string(v.size()) +
                          " samples) must be longer than the filter's padding (" + std::to_string(padlen) + " samples" +
                          hint + ")");
  }
  const Eigen::Map<const RowMatrixXd> m(v.data(), 1, static_cast<Eigen::Index>(v.size()));
  const RowMatrixXd y = filters::sosfiltfilt(sos, m);
  return {y.data(), y.data() + y.size()};
}

long samples_of(double seconds, double fs_hz, long at_least) {
  return std::max(at_least, static_cast<long>(std::llround(seconds * fs_hz)));
}

std::vector<Span> threshold_spans(std::span<const double> v, double on, double off) {
  std::vector<Span> out;
  const auto n = static_cast<std::int64_t>(v.size());
  std::int64_t i = 0;
  while (i < n) {
    if (!(v[static_cast<std::size_t>(i)] > on)) {
      ++i;
      continue;
    }
    const std::int64_t begin = i;
    while (i < n && v[static_cast<std::size_t>(i)] > off) ++i;
    out.push_back({begin, i});
  }
  return out;
}

std::vector<Span> close_gaps_drop_short(std::vector<Span> s, std::int64_t gap, std::int64_t min_length) {
  std::vector<Span> merged;
  for (const Span& x : s) {
    if (!merged.empty() && x.begin - merged.back().end < gap) {
      merged.back().end = std::max(merged.back().end, x.end);
    } else {
      merged.push_back(x);
    }
  }
  std::vector<Span> out;
  for (const Span& x : merged)
    if (x.end - x.begin >= min_length) out.push_back(x);
  return out;
}

std::vector<double> normalised_envelope(const OnsetContext& c, double lowpass_hz, int order, double window_s,
                                        const char* section, MeanSd& e_stats) {
  std::vector<double> r(c.x.size());
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = std::abs(c.x[i]);
  const std::string key = std::string(section) + ".lowpass_hz";
  if (lowpass_hz > 0.0) r = lowpass_zero_phase(r, c.fs_hz, lowpass_hz, order, key.c_str());
  std::vector<double> e = moving_average_centred(r, samples_of(window_s, c.fs_hz));
  e_stats = mean_sd(e, c.baseline_begin, c.baseline_end);
  const double sd = guarded_sd(e_stats);
  for (double& y : e) y = (y - e_stats.mean) / sd;
  return e;
}

}  // namespace emg::detect::detail
