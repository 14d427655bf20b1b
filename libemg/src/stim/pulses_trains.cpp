// Grouping of stimulation pulses into trains, checks against the nominal protocol (a frequency
// ladder or the stored stimulation table), and the recording-level search (SCIENCE.md §4.1).
#include <emg/errors.hpp>
#include <emg/stim/pulses.hpp>

#include "detail/check.hpp"
#include "detail/robust.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>

namespace emg::stim {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kGroupParams = "TrainGroupParams";
constexpr std::string_view kGroup = "group_trains";
constexpr std::string_view kMatch = "match_trains";
constexpr std::string_view kFind = "find_trains";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void add_reason(PulseTrain& t, const std::string& reason) {
  if (t.status == "ok") t.status = reason;
  else t.status += "; " + reason;
}

/// "a, b, c" (at most `show` items, then "... (n in all)").
std::string sample_list(const std::vector<std::int64_t>& v, std::size_t show = 5) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < show; ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() > show) s += ", ... (" + std::to_string(v.size()) + " in all)";
  return s;
}

/// Frequency text with 3 decimals ("12.000").
std::string hz(double f) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", f);
  return b;
}

void check_pulse_list(std::string_view fn, const std::vector<std::int64_t>& pulses, long n_samples) {
  if (n_samples < 0) fail_param(fn, "n_samples", std::to_string(n_samples), "must be >= 0");
  for (std::size_t k = 0; k < pulses.size(); ++k) {
    const std::string name = "pulses[" + std::to_string(k) + "]";
    if (pulses[k] < 0 || pulses[k] >= n_samples) {
      fail_param(fn, name, std::to_string(pulses[k]), "must be in [0, n_samples=" + std::to_string(n_samples) + ")");
    }
    if (k > 0 && pulses[k] <= pulses[k - 1]) {
      fail_param(fn, name, std::to_string(pulses[k]),
                 "must be > pulses[" + std::to_string(k - 1) + "]=" + std::to_string(pulses[k - 1]) +
                     " (pulses strictly increasing)");
    }
  }
}

double median_of(std::vector<double> v) { return detail::median(std::move(v)); }

/// One candidate train q[0..m): grid walk, frequency, statuses.
PulseTrain build_train(const std::int64_t* q, std::size_t m, double fs_hz, long n_samples, const TrainGroupParams& p) {
  PulseTrain t;
  t.pulses.assign(q, q + m);
  t.n_pulses = static_cast<long>(m);
  t.start_sample = q[0];
  t.end_sample = q[m - 1];
  if (p.expected_frequency_hz > 0.0) t.nominal_frequency_hz = p.expected_frequency_hz;
  if (static_cast<long>(m) < p.min_pulses) {
    add_reason(t, "too few pulses for a train (" + std::to_string(m) + " < min_pulses=" + std::to_string(p.min_pulses) + ")");
  }
  if (m < 2) return t;

  std::vector<double> gaps(m - 1);
  for (std::size_t j = 1; j < m; ++j) gaps[j - 1] = static_cast<double>(q[j] - q[j - 1]);
  const double ipi = median_of(gaps);
  const auto on_grid = [&](double g, long& mult) {
    mult = static_cast<long>(std::llround(g / ipi));
    const double md = static_cast<double>(mult);
    return mult >= 1 && std::abs(g - md * ipi) <= p.ipi_tolerance * md * ipi + 1.0;
  };

  std::vector<double> gu{0.0}, gq{static_cast<double>(q[0])};  // grid index and sample of on-grid pulses
  std::int64_t last = q[0];
  long u = 0;
  std::int64_t first_irregular = -1;
  for (std::size_t j = 1; j < m; ++j) {
    const double g = static_cast<double>(q[j] - last);
    long mult = 0;
    if (on_grid(g, mult)) {
      for (long s = 1; s < mult; ++s) {
        t.missing_samples.push_back(last + std::llround(static_cast<double>(s) * ipi));
      }
      t.n_missing += mult - 1;
    } else {
      long mult2 = 0;
      const bool next_on_grid = j + 1 < m && on_grid(static_cast<double>(q[j + 1] - last), mult2);
      if (g < ipi && (next_on_grid || j + 1 == m)) {  // an extra pulse between two grid slots
        t.extra_samples.push_back(q[j]);
        ++t.n_extra;
        continue;
      }
      ++t.n_irregular;
      if (first_irregular < 0) first_irregular = q[j];
      mult = std::max<long>(1, mult);
    }
    u += mult;
    last = q[j];
    gu.push_back(static_cast<double>(u));
    gq.push_back(static_cast<double>(q[j]));
  }

  // Least-squares IPI over the on-grid pulses.
  double ipi_ls = ipi;
  if (gu.size() >= 2) {
    const double n = static_cast<double>(gu.size());
    const double mu = std::accumulate(gu.begin(), gu.end(), 0.0) / n;
    const double mq = std::accumulate(gq.begin(), gq.end(), 0.0) / n;
    double sxy = 0.0, sxx = 0.0;
    for (std::size_t k = 0; k < gu.size(); ++k) {
      sxy += (gu[k] - mu) * (gq[k] - mq);
      sxx += (gu[k] - mu) * (gu[k] - mu);
    }
    if (sxx > 0.0 && sxy > 0.0) ipi_ls = sxy / sxx;
  }
  t.frequency_hz = fs_hz / ipi_ls;

  if (t.n_irregular > 0) {
    add_reason(t, "irregular intervals: " + std::to_string(t.n_irregular) + " of " + std::to_string(m - 1) +
                      " intervals off the grid of the median IPI " + fmt(ipi) + " samples by more than " +
                      fmt(100.0 * p.ipi_tolerance) + " % + 1 sample (first at sample " + std::to_string(first_irregular) + ")");
  }
  if (t.n_missing > 0) {
    add_reason(t, "missing " + std::to_string(t.n_missing) + (t.n_missing == 1 ? " pulse" : " pulses") +
                      " at samples " + sample_list(t.missing_samples));
  }
  if (t.n_extra > 0) {
    add_reason(t, std::to_string(t.n_extra) + (t.n_extra == 1 ? " extra pulse" : " extra pulses") + " at samples " +
                      sample_list(t.extra_samples));
  }
  t.cut_at_start = static_cast<double>(q[0]) - ipi_ls < 1.0;
  t.cut_at_end = static_cast<double>(q[m - 1]) + ipi_ls > static_cast<double>(n_samples - 1);
  if (t.cut_at_start) add_reason(t, "cut by the start of the recording (a pulse one IPI earlier would be before sample 1)");
  if (t.cut_at_end) {
    add_reason(t, "cut by the end of the recording (it ends less than one IPI before the last sample " +
                      std::to_string(n_samples - 1) + ")");
  }
  if (p.expected_frequency_hz > 0.0 && std::abs(t.frequency_hz - p.expected_frequency_hz) > p.frequency_tolerance_hz) {
    add_reason(t, "frequency " + hz(t.frequency_hz) + " Hz is off the nominal " + fmt(p.expected_frequency_hz) +
                      " Hz by more than frequency_tolerance_hz=" + fmt(p.frequency_tolerance_hz));
  }
  const long on_grid_pulses = t.n_pulses - t.n_extra;
  if (p.expected_n_pulses > 0 && on_grid_pulses != p.expected_n_pulses) {
    add_reason(t, std::to_string(on_grid_pulses) + " pulses on the train's grid, expected " + std::to_string(p.expected_n_pulses));
  }
  return t;
}

PulseTrain not_detected(double frequency_hz, long n_pulses, const std::string& what) {
  PulseTrain t;
  t.start_sample = -1;
  t.end_sample = -1;
  t.nominal_frequency_hz = frequency_hz;
  t.status = "not detected: " + what + (n_pulses > 0 ? " (" + std::to_string(n_pulses) + " pulses)" : std::string());
  return t;
}

void renumber(std::vector<PulseTrain>& trains) {
  for (std::size_t k = 0; k < trains.size(); ++k) trains[k].train_id = static_cast<long>(k + 1);
}

long find_channel(const Recording& rec, const std::string& name, const std::string& type) {
  if (!name.empty()) return rec.channel_index(name);
  for (long c = 0; c < rec.n_channels(); ++c) {
    if (rec.channels()[static_cast<std::size_t>(c)].type == type) return c;
  }
  return -1;
}

}  // namespace

// ---- parameters ------------------------------------------------------------------------------

void TrainGroupParams::validate(double fs_hz) const {
  detail::check_fs(kGroupParams, fs_hz);
  if (!std::isfinite(ipi_tolerance) || ipi_tolerance < 0.0 || ipi_tolerance > 0.25) {
    fail_param(kGroupParams, "ipi_tolerance", fmt(ipi_tolerance), "must be in [0, 0.25] (relative, 0.02 = +-2 %)");
  }
  if (min_pulses < 1) fail_param(kGroupParams, "min_pulses", std::to_string(min_pulses), "must be >= 1");
  detail::check_positive(kGroupParams, "max_gap_s", max_gap_s);
  if (max_gap_s * fs_hz < 2.0) {
    fail_param(kGroupParams, "max_gap_s", fmt(max_gap_s), "must span at least 2 samples at fs_hz=" + fmt(fs_hz));
  }
  detail::check_nonnegative(kGroupParams, "expected_frequency_hz", expected_frequency_hz);
  if (expected_n_pulses < 0) fail_param(kGroupParams, "expected_n_pulses", std::to_string(expected_n_pulses), "must be >= 0 (0 = unknown)");
  detail::check_positive(kGroupParams, "frequency_tolerance_hz", frequency_tolerance_hz);
}

const ParamTable& TrainGroupParams::describe() {
  static const ParamTable table = {
      {"ipi_tolerance", "", "0.02", "[0, 0.25]", "relative tolerance of an inter-pulse interval around m x the median IPI (+ 1 sample)"},
      {"min_pulses", "", "3", ">= 1", "fewer pulses are reported as 'too few pulses for a train'"},
      {"max_gap_s", "s", "1", "> 0", "a gap between pulses longer than this always ends a train"},
      {"expected_frequency_hz", "Hz", "0", ">= 0", "nominal train frequency to check against (0 = unknown)"},
      {"expected_n_pulses", "", "0", ">= 0", "nominal pulses per train to check against (0 = unknown)"},
      {"frequency_tolerance_hz", "Hz", "0.5", "> 0", "allowed difference from the nominal frequency (SCIENCE.md §4.1)"},
  };
  return table;
}

void FindTrainsParams::validate(double fs_hz) const {
  if (source != "auto" && source != "stored" && source != "trigger" && source != "emg") {
    fail_param("FindTrainsParams", "source", "\"" + source + "\"", "must be auto, stored, trigger or emg");
  }
  // the detection parameters are checked even when stored pulses make them unused (a bad value
  // is a mistake either way); the rules that depend on fs_hz are checked by detect_pulses, at
  // the rate of the channel it searches
  detect.validate(std::max(fs_hz, 1e6));
  group.validate(fs_hz);
}

const ParamTable& FindTrainsParams::describe() {
  static const ParamTable table = [] {
    ParamTable t = {{"source", "", "auto", "auto|stored|trigger|emg",
                     "where the pulses come from; auto = stored /stimulation, else a TRIG channel, else the EMG"}};
    for (ParamInfo i : PulseDetectParams::describe()) {
      if (i.name == "source") continue;  // set by find_trains
      i.name = "detect." + i.name;
      t.push_back(i);
    }
    for (ParamInfo i : TrainGroupParams::describe()) {
      i.name = "group." + i.name;
      t.push_back(i);
    }
    return t;
  }();
  return table;
}

// ---- grouping --------------------------------------------------------------------------------

std::vector<PulseTrain> group_trains(const std::vector<std::int64_t>& pulses, double fs_hz, long n_samples,
                                     const TrainGroupParams& params) {
  params.validate(fs_hz);
  check_pulse_list(kGroup, pulses, n_samples);
  std::vector<PulseTrain> out;
  const double max_gap = params.max_gap_s * fs_hz;
  std::size_t s = 0;
  for (std::size_t k = 1; k <= pulses.size(); ++k) {
    if (k == pulses.size() || static_cast<double>(pulses[k] - pulses[k - 1]) > max_gap) {
      out.push_back(build_train(pulses.data() + s, k - s, fs_hz, n_samples, params));
      s = k;
    }
  }
  renumber(out);
  return out;
}

std::vector<PulseTrain> group_trains(const std::vector<std::int64_t>& pulses, double fs_hz, long n_samples,
                                     const TrainGroupParams& params, const std::vector<double>& nominal_ladder_hz) {
  for (std::size_t k = 0; k < nominal_ladder_hz.size(); ++k) {
    detail::check_positive(kGroup, "nominal_ladder_hz[" + std::to_string(k) + "]", nominal_ladder_hz[k]);
  }
  TrainGroupParams p = params;
  p.expected_frequency_hz = 0.0;  // the ladder gives each train its own
  const std::vector<PulseTrain> trains = group_trains(pulses, fs_hz, n_samples, p);
  const double tol = params.frequency_tolerance_hz;
  const std::size_t nl = nominal_ladder_hz.size();
  const auto missing = [&](std::size_t k) {
    return not_detected(nominal_ladder_hz[k], 0, "nominal train " + std::to_string(k + 1) + " at " + fmt(nominal_ladder_hz[k]) + " Hz");
  };
  std::vector<PulseTrain> out;
  std::size_t j = 0;
  for (PulseTrain t : trains) {
    if (t.n_pulses < params.min_pulses) {
      out.push_back(std::move(t));
      continue;
    }
    std::size_t k = j;
    while (k < nl && !(std::abs(t.frequency_hz - nominal_ladder_hz[k]) <= tol)) ++k;
    if (k < nl) {
      for (std::size_t s = j; s < k; ++s) out.push_back(missing(s));
      t.nominal_frequency_hz = nominal_ladder_hz[k];
      j = k + 1;
    } else if (j < nl) {
      t.nominal_frequency_hz = nominal_ladder_hz[j];
      add_reason(t, "frequency " + hz(t.frequency_hz) + " Hz is off the nominal ladder[" + std::to_string(j) + "]=" +
                        fmt(nominal_ladder_hz[j]) + " Hz by more than frequency_tolerance_hz=" + fmt(tol));
      ++j;
    } else {
      add_reason(t, "no nominal frequency: more trains than the " + std::to_string(nl) + " of the nominal ladder");
    }
    out.push_back(std::move(t));
  }
  for (std::size_t s = j; s < nl; ++s) out.push_back(missing(s));
  renumber(out);
  return out;
}

std::vector<PulseTrain> match_trains(const std::vector<PulseTrain>& detected, const Stimulation& stored, double fs_hz,
                                     const TrainGroupParams& params) {
  params.validate(fs_hz);
  const double tol = params.frequency_tolerance_hz;
  std::vector<PulseTrain> out = detected;
  std::vector<double> key(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) key[i] = static_cast<double>(out[i].start_sample);
  std::vector<bool> used(out.size(), false);
  for (const StimTrain& s : stored.trains) {
    if (s.end_sample < s.start_sample) {
      fail_param(kMatch, "stored.trains[train_id=" + std::to_string(s.train_id) + "].end_sample", std::to_string(s.end_sample),
                 "must be >= start_sample=" + std::to_string(s.start_sample));
    }
    long best = -1;
    std::int64_t best_overlap = -1;
    for (std::size_t i = 0; i < detected.size(); ++i) {
      if (used[i] || detected[i].n_pulses == 0) continue;
      const std::int64_t ov = std::min(detected[i].end_sample, s.end_sample) - std::max(detected[i].start_sample, s.start_sample);
      if (ov >= 0 && ov > best_overlap) {
        best_overlap = ov;
        best = static_cast<long>(i);
      }
    }
    const std::string what = "stored train " + std::to_string(s.train_id) + " (" + fmt(s.frequency_hz) + " Hz, samples " +
                             std::to_string(s.start_sample) + "-" + std::to_string(s.end_sample) + ")";
    if (best < 0) {
      PulseTrain t = not_detected(s.frequency_hz, s.n_pulses, what);
      t.nominal_train_id = s.train_id;
      out.push_back(std::move(t));
      key.push_back(static_cast<double>(s.start_sample));
      continue;
    }
    const std::size_t b = static_cast<std::size_t>(best);
    used[b] = true;
    PulseTrain& t = out[b];
    t.nominal_train_id = s.train_id;
    if (s.frequency_hz > 0.0) {
      t.nominal_frequency_hz = s.frequency_hz;
      if (!(std::abs(t.frequency_hz - s.frequency_hz) <= tol)) {
        add_reason(t, "frequency " + hz(t.frequency_hz) + " Hz is off the stored " + fmt(s.frequency_hz) +
                          " Hz by more than frequency_tolerance_hz=" + fmt(tol));
      }
    }
    const long grid_pulses = t.n_pulses - t.n_extra;
    if (s.n_pulses > 0 && grid_pulses != s.n_pulses) {
      add_reason(t, std::to_string(grid_pulses) + " pulses on the train's grid, stored " + std::to_string(s.n_pulses));
    }
    const double f = s.frequency_hz > 0.0 ? s.frequency_hz : t.frequency_hz;
    const double half_ipi = std::isfinite(f) && f > 0.0 ? 0.5 * fs_hz / f : 0.0;
    if (std::abs(static_cast<double>(t.start_sample - s.start_sample)) > half_ipi) {
      add_reason(t, "starts at sample " + std::to_string(t.start_sample) + ", stored " + std::to_string(s.start_sample));
    }
    if (std::abs(static_cast<double>(t.end_sample - s.end_sample)) > half_ipi) {
      add_reason(t, "ends at sample " + std::to_string(t.end_sample) + ", stored " + std::to_string(s.end_sample));
    }
  }
  for (std::size_t i = 0; i < detected.size(); ++i) {
    if (!used[i] && !stored.trains.empty()) add_reason(out[i], "not in the stored stimulation table");
  }
  std::vector<std::size_t> order(out.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key[a] < key[b]; });
  std::vector<PulseTrain> sorted;
  sorted.reserve(out.size());
  for (std::size_t i : order) sorted.push_back(std::move(out[i]));
  renumber(sorted);
  return sorted;
}

// ---- recording operation ---------------------------------------------------------------------

TrainSearch find_trains(const Recording& rec, const std::string& channel, const FindTrainsParams& params) {
  const double fs = rec.fs_hz();
  params.validate(fs);
  const Stimulation& st = rec.stimulation();
  std::string source = params.source;
  if (source == "auto") {
    if (!st.pulses.empty()) source = "stored";
    else if (find_channel(rec, "", "TRIG") >= 0) source = "trigger";
    else source = "emg";
  }
  TrainSearch res;
  res.source = source;
  if (source == "stored") {
    if (st.pulses.empty()) {
      fail_param(kFind, "source", "stored", "needs stored /stimulation pulses, and the recording has none");
    }
    res.pulses = st.pulses;
    std::sort(res.pulses.begin(), res.pulses.end());
    res.pulses.erase(std::unique(res.pulses.begin(), res.pulses.end()), res.pulses.end());
  } else {
    PulseDetectParams dp = params.detect;
    dp.source = source == "trigger" ? PulseSource::trigger : PulseSource::emg;
    long c = find_channel(rec, channel, source == "trigger" ? "TRIG" : "EMG");
    if (c < 0 && source == "trigger") {
      std::string names;
      for (const ChannelInfo& ch : rec.channels()) names += (names.empty() ? "" : ", ") + ch.name + " (" + ch.type + ")";
      fail_param(kFind, "source", "trigger", "needs a TRIG channel (or a channel name); channels: " + names);
    }
    if (c < 0) c = 0;
    res.channel = c;
    res.pulses = detect_pulses(rec.data().row(c).transpose(), fs, dp);
  }
  res.trains = group_trains(res.pulses, fs, rec.n_samples(), params.group);
  if (!st.trains.empty()) res.trains = match_trains(res.trains, st, fs, params.group);
  return res;
}

}  // namespace emg::stim
