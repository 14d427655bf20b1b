// detect_onsets: preprocessing, rest window, the chosen detector, post-processing, scoring,
// result tables (SCIENCE.md §5). The detectors themselves are in envelope.cpp, statistical.cpp
// and entropy.cpp behind detail::run_<method>.
#include "detect/onsets/method.hpp"

#include "detail/check.hpp"

#include <emg/errors.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/parallel.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <span>
#include <numeric>
#include <string>

namespace emg::detect {

namespace {

using emg::detail::fmt;
using detail::MethodResult;
using detail::OnsetContext;
using detail::Span;

const std::vector<std::string>& names() {
  static const std::vector<std::string> n = {"hodges_bui", "bonato", "tkeo",  "lidierth", "abbink",
                                             "silva",      "londral", "aglr", "sampen",   "changepoint"};
  return n;
}

[[noreturn]] void bad(const std::string& key, double value, const std::string& rule) {
  throw InvalidArgument(key + "=" + fmt(value) + " must be " + rule);
}

std::string join_names() {
  std::string s;
  for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

std::string to_string(OnsetMethod m) { return names()[static_cast<std::size_t>(m)]; }

OnsetMethod parse_onset_method(const std::string& name) {
  for (std::size_t i = 0; i < names().size(); ++i)
    if (names()[i] == name) return static_cast<OnsetMethod>(i);
  throw InvalidArgument("onsets.method='" + name + "' is not a detector (" + join_names() + ")");
}

const std::vector<std::string>& onset_method_names() { return names(); }

// ---- parameters -------------------------------------------------------------------------------

const ParamTable& OnsetPreParams::describe() {
  static const ParamTable t = {
      {"method", "", "hodges_bui", join_names(), "the detector (SCIENCE.md §5)"},
      {"bandpass", "", "true", "true|false", "zero-phase Butterworth band-pass before the detector"},
      {"low_hz", "Hz", "20", "(0, high_hz)", "lower band edge (removes drift and most ECG energy)"},
      {"high_hz", "Hz", "450", "> low_hz; lowered to 0.45 fs when above", "upper band edge"},
      {"order", "", "4", "1..10", "Butterworth order of the band-pass"},
  };
  return t;
}

void OnsetPreParams::validate(double fs_hz) const {
  if (!std::isfinite(fs_hz) || fs_hz < kMinOnsetFsHz) bad("fs_hz", fs_hz, ">= " + fmt(kMinOnsetFsHz) + " Hz for onset detection");
  if (!bandpass) return;
  if (!std::isfinite(low_hz) || low_hz <= 0.0) bad("onsets.low_hz", low_hz, "finite and > 0");
  if (!std::isfinite(high_hz) || high_hz <= low_hz) bad("onsets.high_hz", high_hz, "finite and > onsets.low_hz=" + fmt(low_hz));
  if (low_hz >= 0.45 * fs_hz) bad("onsets.low_hz", low_hz, "below 0.45 fs = " + fmt(0.45 * fs_hz) + " Hz");
  if (order < 1 || order > 10) bad("onsets.order", order, "in 1..10");
}

const ParamTable& OnsetBaselineParams::describe() {
  static const ParamTable t = {
      {"start_s", "s", "nan", "nan (automatic) or [0, end_s)", "start of the rest window (nan with end_s = the quietest window)"},
      {"end_s", "s", "nan", "nan or (start_s, duration]", "end of the rest window"},
      {"length_s", "s", "2", "(0, duration]", "length of the automatic rest window"},
      {"step_s", "s", "0.05", "> 0", "step of the search for the quietest window"},
      {"parts", "", "4", "1..100", "the rest window is cut into this many pieces for the quietness check"},
      {"max_spread", "", "5", "0 or >= 1",
       "largest / smallest piece RMS above this = baseline_not_quiet (0 = no check)"},
      {"max_rms", "units", "0", ">= 0", "rest-window RMS above this = baseline_not_quiet (0 = no check)"},
  };
  return t;
}

void OnsetBaselineParams::validate(double fs_hz, std::int64_t n_samples) const {
  const double duration = static_cast<double>(n_samples) / fs_hz;
  const bool given_start = !std::isnan(start_s), given_end = !std::isnan(end_s);
  if (given_start != given_end) {
    throw InvalidArgument("baseline.start_s=" + fmt(start_s) + " and baseline.end_s=" + fmt(end_s) +
                          " must both be given (a rest window) or both be nan (the quietest window)");
  }
  double window = length_s;
  if (given_start) {
    if (!std::isfinite(start_s) || start_s < 0.0) bad("baseline.start_s", start_s, "finite and >= 0");
    if (!std::isfinite(end_s) || end_s <= start_s) bad("baseline.end_s", end_s, "finite and > baseline.start_s=" + fmt(start_s));
    if (end_s > duration * (1.0 + 1e-12)) bad("baseline.end_s", end_s, "<= the signal's duration " + fmt(duration) + " s");
    window = end_s - start_s;
  } else {
    if (!std::isfinite(length_s) || length_s <= 0.0) bad("baseline.length_s", length_s, "finite and > 0");
    if (length_s > duration * (1.0 + 1e-12)) {
      bad("baseline.length_s", length_s, "<= the signal's duration " + fmt(duration) + " s (the rest window must fit)");
    }
    if (!std::isfinite(step_s) || step_s <= 0.0) bad("baseline.step_s", step_s, "finite and > 0");
  }
  if (window < 0.05 || window * fs_hz < 10.0) {
    throw InvalidArgument("baseline: the rest window (" + fmt(window) + " s) must be at least 0.05 s and 10 samples");
  }
  if (parts < 1 || parts > 100) bad("baseline.parts", static_cast<double>(parts), "in 1..100");
  if (!std::isfinite(max_spread) || (max_spread != 0.0 && max_spread < 1.0)) bad("baseline.max_spread", max_spread, "0 or >= 1");
  if (!std::isfinite(max_rms) || max_rms < 0.0) bad("baseline.max_rms", max_rms, "finite and >= 0");
}

const ParamTable& OnsetPostParams::describe() {
  static const ParamTable t = {
      {"merge_gap_s", "s", "0.05", ">= 0", "gaps between active spans shorter than this are closed (step 1)"},
      {"min_active_s", "s", "0.05", ">= 0", "events shorter than this are dropped (step 2)"},
      {"min_rest_s", "s", "0", ">= 0", "an event starting sooner than this after the previous one joins it (step 3)"},
  };
  return t;
}

void OnsetPostParams::validate() const {
  if (!std::isfinite(merge_gap_s) || merge_gap_s < 0.0) bad("post.merge_gap_s", merge_gap_s, "finite and >= 0");
  if (!std::isfinite(min_active_s) || min_active_s < 0.0) bad("post.min_active_s", min_active_s, "finite and >= 0");
  if (!std::isfinite(min_rest_s) || min_rest_s < 0.0) bad("post.min_rest_s", min_rest_s, "finite and >= 0");
}

void OnsetParams::validate(double fs_hz, std::int64_t n_samples) const {
  onsets.validate(fs_hz);
  baseline.validate(fs_hz, n_samples);
  post.validate();
  switch (onsets.method) {
    case OnsetMethod::hodges_bui: hodges_bui.validate(fs_hz); break;
    case OnsetMethod::bonato: bonato.validate(fs_hz); break;
    case OnsetMethod::tkeo: tkeo.validate(fs_hz); break;
    case OnsetMethod::lidierth: lidierth.validate(fs_hz); break;
    case OnsetMethod::abbink: abbink.validate(fs_hz); break;
    case OnsetMethod::silva: silva.validate(fs_hz); break;
    case OnsetMethod::londral: londral.validate(fs_hz); break;
    case OnsetMethod::aglr: aglr.validate(fs_hz); break;
    case OnsetMethod::sampen: sampen.validate(fs_hz); break;
    case OnsetMethod::changepoint: changepoint.validate(fs_hz); break;
  }
}

std::vector<FieldRef> onset_fields(OnsetParams& p) {
  std::vector<FieldRef> out;
  FieldBuilder b(out);
  b.section("onsets", &OnsetPreParams::describe())
      .enumeration("method", enum_field(&p.onsets.method, &to_string, &parse_onset_method, names()))(
          "bandpass", &p.onsets.bandpass)("low_hz", &p.onsets.low_hz)("high_hz", &p.onsets.high_hz)("order", &p.onsets.order);
  b.section("baseline", &OnsetBaselineParams::describe())("start_s", &p.baseline.start_s)("end_s", &p.baseline.end_s)(
      "length_s", &p.baseline.length_s)("step_s", &p.baseline.step_s)("parts", &p.baseline.parts)(
      "max_spread", &p.baseline.max_spread)("max_rms", &p.baseline.max_rms);
  b.section("post", &OnsetPostParams::describe())("merge_gap_s", &p.post.merge_gap_s)(
      "min_active_s", &p.post.min_active_s)("min_rest_s", &p.post.min_rest_s);
  detail::add_envelope_fields(b, p);
  detail::add_statistical_fields(b, p);
  detail::add_entropy_fields(b, p);
  return out;
}

// ---- detection --------------------------------------------------------------------------------

namespace {

MethodResult run_method(const OnsetContext& c, const OnsetParams& p) {
  switch (p.onsets.method) {
    case OnsetMethod::hodges_bui: return detail::run_hodges_bui(c, p.hodges_bui);
    case OnsetMethod::bonato: return detail::run_bonato(c, p.bonato);
    case OnsetMethod::tkeo: return detail::run_tkeo(c, p.tkeo);
    case OnsetMethod::lidierth: return detail::run_lidierth(c, p.lidierth);
    case OnsetMethod::abbink: return detail::run_abbink(c, p.abbink);
    case OnsetMethod::silva: return detail::run_silva(c, p.silva);
    case OnsetMethod::londral: return detail::run_londral(c, p.londral);
    case OnsetMethod::aglr: return detail::run_aglr(c, p.aglr);
    case OnsetMethod::sampen: return detail::run_sampen(c, p.sampen);
    case OnsetMethod::changepoint: return detail::run_changepoint(c, p.changepoint);
  }
  throw InvalidArgument("onsets.method: unknown detector");
}

void note(Onsets& r, const std::string& text) { r.message += (r.message.empty() ? "" : "; ") + text; }

/// The band-passed (or mean-removed) signal.
std::vector<double> preprocess(std::span<const double> x, double fs_hz, const OnsetPreParams& p, Onsets& r) {
  if (!p.bandpass) {
    double mean = 0.0;
    for (const double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - mean;
    return y;
  }
  double high = p.high_hz;
  if (high > 0.45 * fs_hz) {
    high = 0.45 * fs_hz;
    note(r, "onsets.high_hz lowered to 0.45 fs = " + fmt(high) + " Hz");
  }
  return detail::zero_phase(x, filters::butter(p.order, {p.low_hz, high}, filters::BType::bandpass, fs_hz),
                            "detect_onsets: band-pass", "; onsets.bandpass=false skips it");
}

/// The rest window [begin, end) in samples: the given one, or the quietest of length_s.
std::pair<std::int64_t, std::int64_t> rest_window(const std::vector<double>& y, double fs_hz, const OnsetBaselineParams& b) {
  const auto n = static_cast<std::int64_t>(y.size());
  if (!std::isnan(b.start_s)) {
    const auto begin = std::clamp<std::int64_t>(std::llround(b.start_s * fs_hz), 0, n);
    const auto end = std::clamp<std::int64_t>(std::llround(b.end_s * fs_hz), begin, n);
    return {begin, end};
  }
  const std::int64_t len = std::clamp<std::int64_t>(std::llround(b.length_s * fs_hz), 1, n);
  const std::int64_t step = std::max<std::int64_t>(std::llround(b.step_s * fs_hz), 1);
  // Candidate windows start at multiples of `step`. Sums of y^2 over blocks of gcd(step, len)
  // samples, then prefix sums over the blocks (long double: the window sums of a long signal keep
  // their low bits); every candidate window is a whole number of blocks. Memory: n / block
  // entries, not n.
  const std::int64_t block = std::gcd(step, len);
  const std::int64_t n_blocks = n / block;
  std::vector<long double> cum(static_cast<std::size_t>(n_blocks) + 1, 0.0L);
  for (std::int64_t k = 0; k < n_blocks; ++k) {
    long double ss = 0.0L;
    for (std::int64_t i = k * block; i < (k + 1) * block; ++i) {
      const double v = y[static_cast<std::size_t>(i)];
      ss += static_cast<long double>(v) * v;
    }
    cum[static_cast<std::size_t>(k) + 1] = cum[static_cast<std::size_t>(k)] + ss;
  }
  const std::int64_t per_window = len / block;  // exact: block divides len
  std::int64_t best = 0;
  long double best_sum = cum[static_cast<std::size_t>(per_window)];
  for (std::int64_t s = step; s + len <= n; s += step) {
    const std::int64_t k = s / block;  // exact: block divides step
    const long double sum = cum[static_cast<std::size_t>(k + per_window)] - cum[static_cast<std::size_t>(k)];
    if (sum < best_sum) best_sum = sum, best = s;
  }
  return {best, best + len};
}

double rms_of(const std::vector<double>& y, std::int64_t begin, std::int64_t end) {
  double ss = 0.0;
  for (std::int64_t i = begin; i < end; ++i) ss += y[static_cast<std::size_t>(i)] * y[static_cast<std::size_t>(i)];
  return end > begin ? std::sqrt(ss / static_cast<double>(end - begin)) : 0.0;
}

/// Empty result with a status when the rest window is flat or not quiet; else "".
/// Whether v is constant over [begin, end).
bool constant_over(std::span<const double> v, std::int64_t begin, std::int64_t end) {
  for (std::int64_t i = begin + 1; i < end; ++i)
    if (v[static_cast<std::size_t>(i)] != v[static_cast<std::size_t>(begin)]) return false;
  return true;
}

/// The status of the rest window ("" = usable). x is the raw signal: a constant raw rest window
/// is flat even when the band-pass leaves round-off residue in it.
std::string check_rest(std::span<const double> x, const std::vector<double>& y, std::int64_t begin, std::int64_t end,
                       const OnsetBaselineParams& b, double rms, std::string& message) {
  if (!(rms > 0.0) || constant_over(y, begin, end) || constant_over(x, begin, end)) {
    message = "the rest window has no variation (a silent or constant signal): thresholds cannot be set";
    return "flat";
  }
  if (b.max_rms > 0.0 && rms > b.max_rms) {
    message = "rest-window RMS " + detail::fmt4(rms) + " > baseline.max_rms=" + fmt(b.max_rms);
    return "baseline_not_quiet";
  }
  if (b.max_spread > 0.0 && b.parts > 1) {
    double pmin = 0.0, pmax = 0.0;
    const std::int64_t len = end - begin;
    for (long k = 0; k < b.parts; ++k) {
      const std::int64_t a = begin + len * k / b.parts, z = begin + len * (k + 1) / b.parts;
      const double r = rms_of(y, a, z);
      if (k == 0) pmin = pmax = r;
      pmin = std::min(pmin, r);
      pmax = std::max(pmax, r);
    }
    if (!(pmin > 0.0) || pmax > b.max_spread * pmin) {
      message = "the RMS of the rest window's " + std::to_string(b.parts) + " pieces ranges " + detail::fmt4(pmin) + " to " +
                detail::fmt4(pmax) + " (ratio " + (pmin > 0.0 ? detail::fmt4(pmax / pmin) : std::string("inf")) +
                " > baseline.max_spread=" +
                fmt(b.max_spread) + "): there is activity in it; give a rest window (baseline.start_s/end_s)";
      return "baseline_not_quiet";
    }
  }
  return "";
}

/// Steps 2-3 of OnsetPostParams (step 1 and the detector's own rules come first).
std::vector<Span> post_process(const std::vector<Span>& raw, double fs_hz, const OnsetPostParams& p) {
  std::vector<Span> s = detail::close_gaps_drop_short(raw, std::llround(p.merge_gap_s * fs_hz),
                                                      std::llround(p.min_active_s * fs_hz));
  const std::int64_t rest = std::llround(p.min_rest_s * fs_hz);
  std::vector<Span> out;
  for (const Span& x : s) {
    if (!out.empty() && x.begin - out.back().end < rest) {
      out.back().end = x.end;
    } else {
      out.push_back(x);
    }
  }
  return out;
}

}  // namespace

Onsets detect_onsets(std::span<const double> x, double fs_hz, const OnsetParams& params) {
  Onsets r;
  r.method = to_string(params.onsets.method);
  r.fs_hz = fs_hz;
  if (!std::isfinite(fs_hz) || fs_hz < kMinOnsetFsHz) bad("fs_hz", fs_hz, ">= " + fmt(kMinOnsetFsHz) + " Hz for onset detection");
  if (x.empty()) throw InvalidArgument("detect_onsets: the signal is empty");
  const auto n = static_cast<std::int64_t>(x.size());
  params.validate(fs_hz, n);

  std::int64_t n_bad = 0, first_bad = -1;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[static_cast<std::size_t>(i)])) {
      if (first_bad < 0) first_bad = i;
      ++n_bad;
    }
  }
  if (n_bad > 0) {
    r.status = "non_finite";
    r.message = std::to_string(n_bad) + " non-finite samples (first at sample " + std::to_string(first_bad) +
                "): nothing detected (interpolate or cut them first)";
    r.test_function.assign(x.size(), Onsets::kNaN);
    return r;
  }

  const std::vector<double> y = preprocess(x, fs_hz, params.onsets, r);
  const auto [b0, b1] = rest_window(y, fs_hz, params.baseline);
  r.baseline_automatic = std::isnan(params.baseline.start_s);
  r.baseline_start_s = static_cast<double>(b0) / fs_hz;
  r.baseline_end_s = static_cast<double>(b1) / fs_hz;
  r.baseline_rms = rms_of(y, b0, b1);
  std::string message;
  if (const std::string status = check_rest(x, y, b0, b1, params.baseline, r.baseline_rms, message); !status.empty()) {
    r.status = status;
    note(r, message);
    r.test_function.assign(x.size(), Onsets::kNaN);
    return r;
  }

  const OnsetContext ctx{y, fs_hz, b0, b1};
  MethodResult m = run_method(ctx, params);
  r.threshold = m.threshold;
  r.threshold_off = m.threshold_off;
  r.baseline_mean = m.baseline_mean;
  r.baseline_sd = m.baseline_sd;
  const std::vector<Span> events = post_process(m.active, fs_hz, params.post);
  const double scale = std::abs(m.threshold) > 0.0 ? m.threshold : 1.0;
  for (const Span& s : events) {
    OnsetEvent e;
    e.onset_sample = s.begin;
    e.offset_sample = s.end;
    e.onset_s = static_cast<double>(s.begin) / fs_hz;
    e.offset_s = static_cast<double>(s.end) / fs_hz;
    double sum = 0.0;
    long cnt = 0;
    if (m.test_function.size() == x.size()) {
      for (std::int64_t i = s.begin; i < s.end; ++i) {
        const double v = m.test_function[static_cast<std::size_t>(i)];
        if (!std::isnan(v)) sum += v, ++cnt;
      }
    }
    e.score = cnt ? sum / static_cast<double>(cnt) / scale : Onsets::kNaN;
    e.onset_censored = s.begin == 0;
    e.offset_censored = s.end >= n;
    r.events.push_back(e);
  }
  r.test_function = std::move(m.test_function);
  if (r.test_function.size() != x.size()) r.test_function.assign(x.size(), Onsets::kNaN);
  if (r.events.empty()) {
    r.status = "no_activity";
    note(r, m.message.empty() ? "no event above the threshold (after post-processing)" : m.message);
  }
  return r;
}

std::vector<Onsets> detect_onsets(MatrixView x, double fs_hz, const OnsetParams& params, const std::vector<long>& channels) {
  const auto n_rows = static_cast<long>(x.rows());
  std::vector<long> list = channels;
  if (list.empty())
    for (long c = 0; c < n_rows; ++c) list.push_back(c);
  for (const long c : list) {
    if (c < 0 || c >= n_rows) {
      throw InvalidArgument("detect_onsets: channel " + std::to_string(c) + " is not in the recording (0.." +
                            std::to_string(n_rows - 1) + ")");
    }
  }
  params.validate(fs_hz, static_cast<std::int64_t>(x.cols()));
  std::vector<Onsets> out(list.size());
  std::vector<std::exception_ptr> errors(list.size());
  const auto n = static_cast<long>(list.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(emg::get_num_threads()) if (n > 1)
  for (long k = 0; k < n; ++k) {
    try {
      const long c = list[static_cast<std::size_t>(k)];
      const auto row = x.row(c);
      out[static_cast<std::size_t>(k)] =
          detect_onsets(std::span<const double>(row.data(), static_cast<std::size_t>(row.size())), fs_hz, params);
      out[static_cast<std::size_t>(k)].channel = c;
    } catch (...) {
      errors[static_cast<std::size_t>(k)] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

std::vector<Onsets> detect_onsets(const Recording& rec, const OnsetParams& params, const std::vector<long>& channels) {
  std::vector<Onsets> out = detect_onsets(MatrixView(rec.data()), rec.fs_hz(), params, channels);
  for (Onsets& r : out) r.channel_name = rec.channels()[static_cast<std::size_t>(r.channel)].name;
  return out;
}

// ---- tables -----------------------------------------------------------------------------------

Table onsets_table(const std::vector<Onsets>& results) {
  std::vector<std::int64_t> channel, event, on, off;
  std::vector<std::string> name, method;
  std::vector<double> on_s, off_s, dur, score;
  std::vector<std::uint8_t> on_c, off_c;
  for (const Onsets& r : results) {
    for (std::size_t k = 0; k < r.events.size(); ++k) {
      const OnsetEvent& e = r.events[k];
      channel.push_back(r.channel);
      name.push_back(r.channel_name);
      method.push_back(r.method);
      event.push_back(static_cast<std::int64_t>(k));
      on.push_back(e.onset_sample);
      off.push_back(e.offset_sample);
      on_s.push_back(e.onset_s);
      off_s.push_back(e.offset_s);
      dur.push_back(e.offset_s - e.onset_s);
      score.push_back(e.score);
      on_c.push_back(e.onset_censored);
      off_c.push_back(e.offset_censored);
    }
  }
  Table t;
  t.add("channel", std::move(channel)).add("channel_name", std::move(name)).add("method", std::move(method));
  t.add("event", std::move(event)).add("onset_sample", std::move(on)).add("offset_sample", std::move(off));
  t.add("onset_s", std::move(on_s)).add("offset_s", std::move(off_s)).add("duration_s", std::move(dur));
  t.add("score", std::move(score)).add_bool("onset_censored", std::move(on_c)).add_bool("offset_censored", std::move(off_c));
  return t;
}

Table test_function_table(const std::vector<Onsets>& results) {
  std::size_t n = 0;
  double fs_hz = 0.0;
  for (const Onsets& r : results) {
    n = std::max(n, r.test_function.size());
    if (fs_hz <= 0.0) fs_hz = r.fs_hz;
  }
  std::vector<std::int64_t> sample(n);
  std::vector<double> time_s(n);
  for (std::size_t i = 0; i < n; ++i) {
    sample[i] = static_cast<std::int64_t>(i);
    time_s[i] = fs_hz > 0.0 ? static_cast<double>(i) / fs_hz : Onsets::kNaN;
  }
  Table t;
  t.add("sample", std::move(sample)).add("time_s", std::move(time_s));
  std::vector<std::string> used{"sample", "time_s"};
  for (const Onsets& r : results) {
    std::string name = r.channel_name;
    const bool bad = name.empty() || name.find('/') != std::string::npos ||
                     std::find(used.begin(), used.end(), name) != used.end();
    if (bad) name = "ch" + std::to_string(r.channel);
    while (std::find(used.begin(), used.end(), name) != used.end()) name += "_";
    used.push_back(name);
    std::vector<double> v(r.test_function.begin(), r.test_function.end());
    v.resize(n, Onsets::kNaN);
    t.add(name, std::move(v));
  }
  return t;
}

Table onset_channels_table(const std::vector<Onsets>& results) {
  std::vector<std::int64_t> channel, n_events;
  std::vector<std::string> name, method, status, message;
  std::vector<double> thr, thr_off, b0, b1, bmean, bsd, brms;
  std::vector<std::uint8_t> automatic;
  for (const Onsets& r : results) {
    channel.push_back(r.channel);
    name.push_back(r.channel_name);
    method.push_back(r.method);
    status.push_back(r.status);
    message.push_back(r.message);
    n_events.push_back(static_cast<std::int64_t>(r.events.size()));
    thr.push_back(r.threshold);
    thr_off.push_back(r.threshold_off);
    b0.push_back(r.baseline_start_s);
    b1.push_back(r.baseline_end_s);
    automatic.push_back(r.baseline_automatic);
    bmean.push_back(r.baseline_mean);
    bsd.push_back(r.baseline_sd);
    brms.push_back(r.baseline_rms);
  }
  Table t;
  t.add("channel", std::move(channel)).add("channel_name", std::move(name)).add("method", std::move(method));
  t.add("status", std::move(status)).add("message", std::move(message)).add("n_events", std::move(n_events));
  t.add("threshold", std::move(thr)).add("threshold_off", std::move(thr_off));
  t.add("baseline_start_s", std::move(b0)).add("baseline_end_s", std::move(b1)).add_bool("baseline_automatic", std::move(automatic));
  t.add("baseline_mean", std::move(bmean)).add("baseline_sd", std::move(bsd)).add("baseline_rms", std::move(brms));
  return t;
}

}  // namespace emg::detect
