// evaluate_onsets: detected events against ground truth (SCIENCE.md §5.10): one-to-one matching
// of onsets within a tolerance, detection rates, timing errors and Bland-Altman limits, and the
// fraction of misclassified samples.
#include "detail/check.hpp"

#include <emg/detect/onsets.hpp>
#include <emg/errors.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace emg::detect {

const ParamTable& OnsetEvaluateParams::describe() {
  static const ParamTable t = {
      {"tolerance_s", "s", "0.05", "> 0", "a detected and a true onset within this of each other match (one-to-one)"},
  };
  return t;
}

void OnsetEvaluateParams::validate() const {
  if (!std::isfinite(tolerance_s) || tolerance_s <= 0.0) {
    throw InvalidArgument("evaluate.tolerance_s=" + emg::detail::fmt(tolerance_s) + " must be finite and > 0");
  }
}

namespace {

struct ErrorStats {
  double bias = OnsetEvaluation::kNaN, sd = OnsetEvaluation::kNaN, mae = OnsetEvaluation::kNaN;
  double rmse = OnsetEvaluation::kNaN, median_abs = OnsetEvaluation::kNaN;
  double loa_low = OnsetEvaluation::kNaN, loa_high = OnsetEvaluation::kNaN;
};

ErrorStats error_stats(const std::vector<double>& e) {
  ErrorStats s;
  if (e.empty()) return s;
  const auto n = static_cast<double>(e.size());
  double sum = 0.0, sum_abs = 0.0, sum_sq = 0.0;
  for (const double v : e) sum += v, sum_abs += std::abs(v), sum_sq += v * v;
  s.bias = sum / n;
  s.mae = sum_abs / n;
  s.rmse = std::sqrt(sum_sq / n);
  std::vector<double> a(e.size());
  for (std::size_t i = 0; i < e.size(); ++i) a[i] = std::abs(e[i]);
  std::sort(a.begin(), a.end());
  const std::size_t h = a.size() / 2;
  s.median_abs = a.size() % 2 ? a[h] : 0.5 * (a[h - 1] + a[h]);
  if (e.size() >= 2) {
    double ss = 0.0;
    for (const double v : e) ss += (v - s.bias) * (v - s.bias);
    s.sd = std::sqrt(ss / (n - 1.0));  // sample SD, as in Bland-Altman analyses
    s.loa_low = s.bias - 1.96 * s.sd;
    s.loa_high = s.bias + 1.96 * s.sd;
  }
  return s;
}

using Interval = std::pair<std::int64_t, std::int64_t>;

/// Union of intervals clipped to [0, n), sorted and disjoint.
std::vector<Interval> normalised(std::vector<Interval> v, std::int64_t n) {
  for (auto& [a, b] : v) a = std::clamp<std::int64_t>(a, 0, n), b = std::clamp<std::int64_t>(b, 0, n);
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const auto& [a, b] : v) {
    if (b <= a) continue;
    if (!out.empty() && a <= out.back().second) {
      out.back().second = std::max(out.back().second, b);
    } else {
      out.emplace_back(a, b);
    }
  }
  return out;
}

std::int64_t covered(const std::vector<Interval>& v) {
  std::int64_t c = 0;
  for (const auto& [a, b] : v) c += b - a;
  return c;
}

std::int64_t overlap(const std::vector<Interval>& x, const std::vector<Interval>& y) {
  std::int64_t c = 0;
  std::size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    const std::int64_t a = std::max(x[i].first, y[j].first), b = std::min(x[i].second, y[j].second);
    if (b > a) c += b - a;
    if (x[i].second < y[j].second) ++i; else ++j;
  }
  return c;
}

}  // namespace

OnsetEvaluation evaluate_onsets(const std::vector<OnsetEvent>& detected, const std::vector<TrueEvent>& truth, double fs_hz,
                                const OnsetEvaluateParams& params, std::int64_t n_samples) {
  emg::detail::check_fs("evaluate_onsets", fs_hz);
  params.validate();
  if (n_samples < 0) emg::detail::fail_param("evaluate_onsets", "n_samples", std::to_string(n_samples), "must be >= 0");
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i].offset_sample < truth[i].onset_sample) {
      emg::detail::fail("evaluate_onsets", "true event " + std::to_string(i) + " ends (" + std::to_string(truth[i].offset_sample) +
                                          ") before it starts (" + std::to_string(truth[i].onset_sample) + ")");
    }
  }
  OnsetEvaluation r;
  r.n_true = static_cast<long>(truth.size());
  r.n_detected = static_cast<long>(detected.size());
  const double tol = params.tolerance_s * fs_hz;  // in samples

  // Candidate pairs within the tolerance, closest first (ties: earlier true event, then earlier detection).
  std::vector<std::tuple<double, std::size_t, std::size_t>> cand;
  std::vector<std::size_t> order(detected.size());
  for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return detected[a].onset_sample < detected[b].onset_sample; });
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const auto t = static_cast<double>(truth[i].onset_sample);
    auto it = std::lower_bound(order.begin(), order.end(), t - tol, [&](std::size_t j, double v) {
      return static_cast<double>(detected[j].onset_sample) < v;
    });
    for (; it != order.end() && static_cast<double>(detected[*it].onset_sample) <= t + tol; ++it) {
      cand.emplace_back(std::abs(static_cast<double>(detected[*it].onset_sample) - t), i, *it);
    }
  }
  std::sort(cand.begin(), cand.end());
  std::vector<char> used_true(truth.size(), 0), used_det(detected.size(), 0);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (const auto& [d, i, j] : cand) {
    if (used_true[i] || used_det[j]) continue;
    used_true[i] = used_det[j] = 1;
    pairs.emplace_back(i, j);
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [i, j] : pairs) {
    r.true_index.push_back(static_cast<long>(i));
    r.detected_index.push_back(static_cast<long>(j));
    r.onset_error_s.push_back(static_cast<double>(detected[j].onset_sample - truth[i].onset_sample) / fs_hz);
    r.offset_error_s.push_back(static_cast<double>(detected[j].offset_sample - truth[i].offset_sample) / fs_hz);
  }
  r.true_positives = static_cast<long>(pairs.size());
  r.false_positives = r.n_detected - r.true_positives;
  r.false_negatives = r.n_true - r.true_positives;
  if (r.n_detected > 0) r.precision = static_cast<double>(r.true_positives) / static_cast<double>(r.n_detected);
  if (r.n_true > 0) r.recall = static_cast<double>(r.true_positives) / static_cast<double>(r.n_true);
  if (r.n_true > 0 && r.n_detected > 0) {
    r.f1 = 2.0 * static_cast<double>(r.true_positives) / static_cast<double>(r.n_true + r.n_detected);
  } else if (r.n_true > 0 || r.n_detected > 0) {
    r.f1 = 0.0;  // events on one side only: nothing can match
  }
  const ErrorStats on = error_stats(r.onset_error_s), off = error_stats(r.offset_error_s);
  std::tie(r.onset_bias_s, r.onset_sd_s, r.onset_mae_s, r.onset_rmse_s, r.onset_median_abs_s, r.onset_loa_low_s,
           r.onset_loa_high_s) = std::tuple(on.bias, on.sd, on.mae, on.rmse, on.median_abs, on.loa_low, on.loa_high);
  std::tie(r.offset_bias_s, r.offset_sd_s, r.offset_mae_s, r.offset_rmse_s, r.offset_median_abs_s, r.offset_loa_low_s,
           r.offset_loa_high_s) = std::tuple(off.bias, off.sd, off.mae, off.rmse, off.median_abs, off.loa_low, off.loa_high);
  if (n_samples > 0) {
    std::vector<Interval> d, t;
    for (const auto& e : detected) d.emplace_back(e.onset_sample, e.offset_sample);
    for (const auto& e : truth) t.emplace_back(e.onset_sample, e.offset_sample);
    d = normalised(std::move(d), n_samples);
    t = normalised(std::move(t), n_samples);
    const std::int64_t wrong = covered(d) + covered(t) - 2 * overlap(d, t);
    r.misclassified_fraction = static_cast<double>(wrong) / static_cast<double>(n_samples);
  }
  return r;
}

Table evaluation_table(const std::vector<std::string>& labels, const std::vector<OnsetEvaluation>& evaluations,
                       const std::string& label_column) {
  if (labels.size() != evaluations.size()) {
    emg::detail::fail("evaluation_table", std::to_string(labels.size()) + " labels for " + std::to_string(evaluations.size()) +
                                         " evaluations");
  }
  Table t;
  t.add(label_column, std::vector<std::string>(labels));
  auto ints = [&](const char* name, long OnsetEvaluation::*m) {
    std::vector<std::int64_t> v;
    for (const auto& e : evaluations) v.push_back(e.*m);
    t.add(name, std::move(v));
  };
  auto nums = [&](const char* name, double OnsetEvaluation::*m) {
    std::vector<double> v;
    for (const auto& e : evaluations) v.push_back(e.*m);
    t.add(name, std::move(v));
  };
  ints("n_true", &OnsetEvaluation::n_true);
  ints("n_detected", &OnsetEvaluation::n_detected);
  ints("true_positives", &OnsetEvaluation::true_positives);
  ints("false_positives", &OnsetEvaluation::false_positives);
  ints("false_negatives", &OnsetEvaluation::false_negatives);
  nums("precision", &OnsetEvaluation::precision);
  nums("recall", &OnsetEvaluation::recall);
  nums("f1", &OnsetEvaluation::f1);
  nums("onset_bias_s", &OnsetEvaluation::onset_bias_s);
  nums("onset_sd_s", &OnsetEvaluation::onset_sd_s);
  nums("onset_mae_s", &OnsetEvaluation::onset_mae_s);
  nums("onset_rmse_s", &OnsetEvaluation::onset_rmse_s);
  nums("onset_median_abs_s", &OnsetEvaluation::onset_median_abs_s);
  nums("onset_loa_low_s", &OnsetEvaluation::onset_loa_low_s);
  nums("onset_loa_high_s", &OnsetEvaluation::onset_loa_high_s);
  nums("offset_bias_s", &OnsetEvaluation::offset_bias_s);
  nums("offset_sd_s", &OnsetEvaluation::offset_sd_s);
  nums("offset_mae_s", &OnsetEvaluation::offset_mae_s);
  nums("offset_rmse_s", &OnsetEvaluation::offset_rmse_s);
  nums("offset_median_abs_s", &OnsetEvaluation::offset_median_abs_s);
  nums("offset_loa_low_s", &OnsetEvaluation::offset_loa_low_s);
  nums("offset_loa_high_s", &OnsetEvaluation::offset_loa_high_s);
  nums("misclassified_fraction", &OnsetEvaluation::misclassified_fraction);
  return t;
}

Table evaluation_pairs_table(const OnsetEvaluation& e) {
  std::vector<std::int64_t> ti(e.true_index.begin(), e.true_index.end()), di(e.detected_index.begin(), e.detected_index.end());
  Table t;
  t.add("true_index", std::move(ti)).add("detected_index", std::move(di));
  t.add("onset_error_s", std::vector<double>(e.onset_error_s)).add("offset_error_s", std::vector<double>(e.offset_error_s));
  return t;
}

}  // namespace emg::detect
