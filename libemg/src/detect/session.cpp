#include <emg/detect/session.hpp>

#include "detail/check.hpp"
#include "detect/channels.hpp"

#include <algorithm>
#include <cmath>

namespace emg::detect {

namespace {



std::string join_ints(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ';';
    s += std::to_string(v[i]);
  }
  return s;
}
std::string join_longs(const std::vector<long>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ';';
    s += std::to_string(v[i]);
  }
  return s;
}

void add_suppress(FieldBuilder& b, const std::string& section, stim::SuppressParams& s, const ParamTable* table) {
  const auto parse = [](const std::string& t) { return stim::parse_suppress_method(t, "SuppressParams"); };
  const std::vector<std::string> methods{"blank_linear", "blank_cubic", "blank_zero", "template_subtraction"};
  b.section(section, table)
      .enumeration("method", enum_field(&s.method, &stim::to_string, parse, methods))("pre_s", &s.pre_s)(
          "blank_s", &s.blank_s)("template_pulses", &s.template_pulses)("template_window_s", &s.template_window_s)(
          "template_max_s", &s.template_max_s)("subtract_mwave", &s.subtract_mwave)("mwave_guard_s", &s.mwave_guard_s)(
          "template_end_z", &s.template_end_z)("scale_template", &s.scale_template)
      .enumeration("residual_fill",
                   enum_field(&s.residual_fill, &stim::to_string, parse, {"blank_linear", "blank_cubic", "blank_zero"}));
}

/// SuppressParams' table with the defaults of CrampParams::suppression (25 ms blanking, ...).
const ParamTable& cramp_suppression_table() {
  static const ParamTable table = [] {
    ParamTable t = stim::SuppressParams::describe();
    stim::SuppressParams defaults = CrampParams{}.suppression;
    std::vector<FieldRef> fields;
    FieldBuilder b(fields);
    add_suppress(b, "s", defaults, nullptr);
    for (ParamInfo& info : t) {
      for (const FieldRef& f : fields)
        if (f.key.size() == info.name.size() + 2 && f.key.compare(2, std::string::npos, info.name) == 0) {
          info.default_value = field_text(f);
        }
    }
    return t;
  }();
  return table;
}

template <class T, class F>
std::vector<T> collect(std::size_t n, F f) {
  std::vector<T> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<T>(f(i)));
  return v;
}

void add_trend(Table& t, const std::string& prefix, const std::vector<spectral::Trend>& tr) {
  const std::size_t n = tr.size();
  t.add(prefix + "_slope", collect<double>(n, [&](std::size_t i) { return tr[i].slope; }));
  t.add(prefix + "_intercept", collect<double>(n, [&](std::size_t i) { return tr[i].intercept; }));
  t.add(prefix + "_slope_ci_low", collect<double>(n, [&](std::size_t i) { return tr[i].slope_ci_low; }));
  t.add(prefix + "_slope_ci_high", collect<double>(n, [&](std::size_t i) { return tr[i].slope_ci_high; }));
  t.add(prefix + "_normalized_slope_pct", collect<double>(n, [&](std::size_t i) { return tr[i].normalized_slope_pct_per_s; }));
  t.add(prefix + "_r_squared", collect<double>(n, [&](std::size_t i) { return tr[i].r_squared; }));
  t.add(prefix + "_n", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].n; }));
}

}  // namespace

// ---- parameters ------------------------------------------------------------------------------

void SessionAnalysisParams::validate(double fs_hz) const {
  find.validate(fs_hz);
  if (mwaves) {
    suppress.validate(fs_hz);
    mwave.validate(fs_hz);
  }
  cramp.validate(fs_hz);
  ctf.validate();
}

const ParamTable& SessionAnalysisParams::describe() {
  static const ParamTable table = {
      {"channel", "", "", "a channel name or empty",
       "channel analysed; empty = the first EMG-type channel, else channel 0 (pulses from the EMG are searched there)"},
      {"mwaves", "", "true", "true|false", "measure the M-wave of every pulse (on the suppress.* suppressed signal)"},
  };
  return table;
}

std::vector<FieldRef> session_analysis_fields(SessionAnalysisParams& p) {
  std::vector<FieldRef> out;
  FieldBuilder b(out);
  b.section("analysis", &SessionAnalysisParams::describe())("channel", &p.channel)("mwaves", &p.mwaves);
  b.section("find", &stim::FindTrainsParams::describe())("source", &p.find.source);
  auto& d = p.find.detect;
  b.section("pulses", &stim::PulseDetectParams::describe())("threshold_mad", &d.threshold_mad)(
      "local_threshold_mad", &d.local_threshold_mad)("min_step_rms", &d.min_step_rms)(
      "local_min_step_rms", &d.local_min_step_rms)("min_step_fraction", &d.min_step_fraction)(
      "local_window_s", &d.local_window_s)("shape_window_s", &d.shape_window_s)("max_rise_s", &d.max_rise_s)(
      "max_frequency_hz", &d.max_frequency_hz)("refractory_s", &d.refractory_s)("trigger_threshold", &d.trigger_threshold)(
      "min_pulse_gap_s", &d.min_pulse_gap_s)("trigger_latency_s", &d.trigger_latency_s);
  auto& g = p.find.group;
  b.section("trains", &stim::TrainGroupParams::describe())("ipi_tolerance", &g.ipi_tolerance)("min_pulses", &g.min_pulses)(
      "max_gap_s", &g.max_gap_s)("expected_frequency_hz", &g.expected_frequency_hz)(
      "expected_n_pulses", &g.expected_n_pulses)("frequency_tolerance_hz", &g.frequency_tolerance_hz);
  add_suppress(b, "suppress", p.suppress, &stim::SuppressParams::describe());
  auto& m = p.mwave;
  b.section("mwave", &stim::MwaveMeasureParams::describe())("window_start_s", &m.window_start_s)(
      "window_end_s", &m.window_end_s)("baseline_s", &m.baseline_s)("baseline_end_s", &m.baseline_end_s)(
      "onset_sd", &m.onset_sd)("onset_fraction", &m.onset_fraction)("extend_sd", &m.extend_sd)("detect_sd", &m.detect_sd)(
      "min_peak_to_peak", &m.min_peak_to_peak);
  auto& c = p.cramp;
  b.section("cramp", &CrampParams::describe())("suppress", &c.suppress)("bandpass", &c.bandpass)("low_hz", &c.low_hz)(
      "high_hz", &c.high_hz)("order", &c.order)("window_s", &c.window_s)("hop_s", &c.hop_s)(
      "min_valid_fraction", &c.min_valid_fraction)("baseline_start_s", &c.baseline_start_s)(
      "baseline_end_s", &c.baseline_end_s)("min_baseline_s", &c.min_baseline_s)("robust_baseline", &c.robust_baseline)(
      "max_baseline_ratio", &c.max_baseline_ratio)("baseline_active_fraction", &c.baseline_active_fraction)(
      "k_on", &c.k_on)("min_on_ratio", &c.min_on_ratio)("k_off", &c.k_off)("mvc_fraction", &c.mvc_fraction)("e_mvc", &c.e_mvc)("blank_s", &c.blank_s)(
      "post_window_s", &c.post_window_s)("onset_within_s", &c.onset_within_s)("min_duration_s", &c.min_duration_s)(
      "max_gap_s", &c.max_gap_s)("accept_delayed", &c.accept_delayed)("refine_s", &c.refine_s)(
      "refine_onset", &c.refine_onset)("refine_offset", &c.refine_offset)("require_ok_train", &c.require_ok_train)(
      "saturation_run", &c.saturation_run)("spectral_window_s", &c.spectral_window_s)(
      "spectral_segment_s", &c.spectral_segment_s)("fit_decay", &c.fit_decay)("fit_min_s", &c.fit_min_s);
  add_suppress(b, "cramp_suppress", c.suppression, &cramp_suppression_table());
  auto& t = p.ctf;
  b.section("ctf", &CtfParams::describe())("confirm_repeats", &t.confirm_repeats)("require_ok_status", &t.require_ok_status)
      .enumeration("uncounted", enum_field(&t.uncounted, &to_string,
                                           [](const std::string& s) { return parse_uncounted_policy(s); },
                                           {"skip", "fail"}))("frequency_tolerance_hz", &t.frequency_tolerance_hz);
  return out;
}

// ---- analysis --------------------------------------------------------------------------------

StimAnalysis analyse_stimulation(const Recording& rec, const SessionAnalysisParams& params) {
  const double fs = rec.fs_hz();
  params.validate(fs);
  StimAnalysis a;
  a.fs_hz = fs;
  a.channel = detail::analysed_channel(rec, params.channel);
  a.channel_name = rec.channels()[static_cast<std::size_t>(a.channel)].name;
  a.search = stim::find_trains(rec, detail::pulse_search_channel(rec, a.channel, params.find.source), params.find);
  for (const stim::PulseTrain& t : a.search.trains) {
    for (const std::int64_t p : t.pulses) {
      a.pulses.push_back(p);
      a.pulse_train_ids.push_back(t.train_id);
    }
  }
  // trains come in time order and do not overlap, but keep the pulse list strictly increasing
  // whatever a stored table says
  std::vector<std::size_t> order(a.pulses.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return a.pulses[i] < a.pulses[j]; });
  std::vector<std::int64_t> pulses;
  std::vector<long> ids;
  for (const std::size_t i : order) {
    if (!pulses.empty() && a.pulses[i] == pulses.back()) continue;
    pulses.push_back(a.pulses[i]);
    ids.push_back(a.pulse_train_ids[i]);
  }
  a.pulses = std::move(pulses);
  a.pulse_train_ids = std::move(ids);
  a.intervals = stim::suppression_intervals(rec.n_samples(), fs, a.pulses, params.suppress);
  if (params.mwaves && !a.pulses.empty()) {
    const MatrixView row = rec.data().middleRows(a.channel, 1);
    const stim::Suppressed s = stim::suppress_artifacts(row, fs, a.pulses, params.suppress, a.pulse_train_ids);
    a.mwaves = stim::measure_mwaves(s.data, fs, a.pulses, params.mwave, a.pulse_train_ids);
    for (stim::Mwave& w : a.mwaves) w.channel = a.channel;
    a.mwave_trends = stim::mwave_trends(a.mwaves);
  }
  return a;
}

SessionAnalysis analyse_session(const Recording& rec, const SessionAnalysisParams& params) {
  SessionAnalysis s;
  s.stim = analyse_stimulation(rec, params);
  s.cramps = detect_cramps(rec.data(), rec.fs_hz(), s.stim.channel, s.stim.search.trains, params.cramp);
  s.ctf = cramp_threshold_frequency(s.cramps, params.ctf);
  return s;
}

// ---- tables ----------------------------------------------------------------------------------

Table pulses_table(const StimAnalysis& a) {
  const std::size_t n = a.pulses.size();
  std::vector<std::int64_t> in_train(n, 0);
  for (std::size_t i = 1; i < n; ++i) {
    if (a.pulse_train_ids[i] == a.pulse_train_ids[i - 1]) in_train[i] = in_train[i - 1] + 1;
  }
  Table t;
  t.add("pulse_index", collect<std::int64_t>(n, [](std::size_t i) { return i; }));
  t.add("train_id", collect<std::int64_t>(n, [&](std::size_t i) { return a.pulse_train_ids[i]; }));
  t.add("pulse_in_train", std::move(in_train));
  t.add("sample", collect<std::int64_t>(n, [&](std::size_t i) { return a.pulses[i]; }));
  t.add("time_s", collect<double>(n, [&](std::size_t i) { return static_cast<double>(a.pulses[i]) / a.fs_hz; }));
  const bool have = a.intervals.size() == n;
  t.add("suppressed_start_sample",
        collect<std::int64_t>(n, [&](std::size_t i) { return have ? a.intervals[i].start_sample : -1; }));
  t.add("suppressed_end_sample",
        collect<std::int64_t>(n, [&](std::size_t i) { return have ? a.intervals[i].end_sample : -1; }));
  return t;
}

Table trains_table(const StimAnalysis& a) {
  const auto& tr = a.search.trains;
  const std::size_t n = tr.size();
  const double fs = a.fs_hz;
  const auto time = [fs](std::int64_t s) { return s < 0 ? std::nan("") : static_cast<double>(s) / fs; };
  Table t;
  t.add("train_id", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].train_id; }));
  t.add("start_sample", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].start_sample; }));
  t.add("end_sample", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].end_sample; }));
  t.add("start_s", collect<double>(n, [&](std::size_t i) { return time(tr[i].start_sample); }));
  t.add("end_s", collect<double>(n, [&](std::size_t i) { return time(tr[i].end_sample); }));
  t.add("n_pulses", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].n_pulses; }));
  t.add("frequency_hz", collect<double>(n, [&](std::size_t i) { return tr[i].frequency_hz; }));
  t.add("nominal_frequency_hz", collect<double>(n, [&](std::size_t i) { return tr[i].nominal_frequency_hz; }));
  t.add("nominal_train_id", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].nominal_train_id; }));
  t.add("n_missing", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].n_missing; }));
  t.add("n_extra", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].n_extra; }));
  t.add("n_irregular", collect<std::int64_t>(n, [&](std::size_t i) { return tr[i].n_irregular; }));
  t.add_bool("cut_at_start", collect<std::uint8_t>(n, [&](std::size_t i) { return tr[i].cut_at_start; }));
  t.add_bool("cut_at_end", collect<std::uint8_t>(n, [&](std::size_t i) { return tr[i].cut_at_end; }));
  t.add("missing_samples", collect<std::string>(n, [&](std::size_t i) { return join_ints(tr[i].missing_samples); }));
  t.add("extra_samples", collect<std::string>(n, [&](std::size_t i) { return join_ints(tr[i].extra_samples); }));
  t.add("source", std::vector<std::string>(n, a.search.source));
  t.add("channel", std::vector<std::string>(n, a.channel_name));
  t.add("status", collect<std::string>(n, [&](std::size_t i) { return tr[i].status; }));
  return t;
}

Table mwaves_table(const StimAnalysis& a) {
  const auto& m = a.mwaves;
  const std::size_t n = m.size();
  Table t;
  t.add("channel", std::vector<std::string>(n, a.channel_name));
  t.add("train_id", collect<std::int64_t>(n, [&](std::size_t i) { return m[i].train_id; }));
  t.add("pulse_in_train", collect<std::int64_t>(n, [&](std::size_t i) { return m[i].pulse_index; }));
  t.add("pulse_sample", collect<std::int64_t>(n, [&](std::size_t i) { return m[i].pulse_sample; }));
  t.add("pulse_time_s",
        collect<double>(n, [&](std::size_t i) { return static_cast<double>(m[i].pulse_sample) / a.fs_hz; }));
  t.add_bool("found", collect<std::uint8_t>(n, [&](std::size_t i) { return m[i].found; }));
  t.add("latency_s", collect<double>(n, [&](std::size_t i) { return m[i].latency_s; }));
  t.add("peak_latency_s", collect<double>(n, [&](std::size_t i) { return m[i].peak_latency_s; }));
  t.add("peak_to_peak", collect<double>(n, [&](std::size_t i) { return m[i].peak_to_peak; }));
  t.add("area", collect<double>(n, [&](std::size_t i) { return m[i].area; }));
  t.add("duration_s", collect<double>(n, [&](std::size_t i) { return m[i].duration_s; }));
  t.add("onset_sample", collect<std::int64_t>(n, [&](std::size_t i) { return m[i].onset_sample; }));
  t.add("offset_sample", collect<std::int64_t>(n, [&](std::size_t i) { return m[i].offset_sample; }));
  t.add("baseline_mean", collect<double>(n, [&](std::size_t i) { return m[i].baseline_mean; }));
  t.add("baseline_sd", collect<double>(n, [&](std::size_t i) { return m[i].baseline_sd; }));
  t.add("status", collect<std::string>(n, [&](std::size_t i) { return m[i].status; }));
  return t;
}

Table mwave_trends_table(const StimAnalysis& a) {
  // one row per train, then (when M-waves were measured) the across-train trends of the channel
  // as rows with scope across_trains_first / across_trains_mean and train_id -1
  struct Row {
    std::string scope;
    long train_id = -1;
    const stim::MwaveTrainTrend* train = nullptr;
    spectral::Trend p2p, area;
  };
  std::vector<Row> rows;
  for (const auto& tr : a.mwave_trends.trains) rows.push_back({"train", tr.train_id, &tr, tr.peak_to_peak_trend, tr.area_trend});
  const spectral::Trend none{std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan(""), 0};
  const auto ch = static_cast<std::size_t>(a.channel);
  if (!a.mwave_trends.trains.empty() && ch < a.mwave_trends.across_trains_first.size()) {
    rows.push_back({"across_trains_first", -1, nullptr, a.mwave_trends.across_trains_first[ch], none});
    rows.push_back({"across_trains_mean", -1, nullptr, a.mwave_trends.across_trains_mean[ch], none});
  }
  const std::size_t n = rows.size();
  const double nan = std::nan("");
  const auto field = [&](double stim::MwaveTrainTrend::*f) {
    return collect<double>(n, [&](std::size_t i) { return rows[i].train ? rows[i].train->*f : nan; });
  };
  Table t;
  t.add("channel", std::vector<std::string>(n, a.channel_name));
  t.add("scope", collect<std::string>(n, [&](std::size_t i) { return rows[i].scope; }));
  t.add("train_id", collect<std::int64_t>(n, [&](std::size_t i) { return rows[i].train_id; }));
  t.add("n_pulses", collect<std::int64_t>(n, [&](std::size_t i) { return rows[i].train ? rows[i].train->n_pulses : 0; }));
  t.add("n_found", collect<std::int64_t>(n, [&](std::size_t i) { return rows[i].train ? rows[i].train->n_found : 0; }));
  t.add("first_peak_to_peak", field(&stim::MwaveTrainTrend::first_peak_to_peak));
  t.add("last_peak_to_peak", field(&stim::MwaveTrainTrend::last_peak_to_peak));
  t.add("mean_peak_to_peak", field(&stim::MwaveTrainTrend::mean_peak_to_peak));
  t.add("last_first_ratio", field(&stim::MwaveTrainTrend::last_first_ratio));
  t.add("fitted_last_first_ratio", field(&stim::MwaveTrainTrend::fitted_last_first_ratio));
  t.add("mean_latency_s", field(&stim::MwaveTrainTrend::mean_latency_s));
  t.add("mean_duration_s", field(&stim::MwaveTrainTrend::mean_duration_s));
  // slopes per pulse along a train, per train across trains (normalized: % of the intercept)
  std::vector<spectral::Trend> p2p, area;
  for (const Row& r : rows) {
    p2p.push_back(r.p2p);
    area.push_back(r.area);
  }
  add_trend(t, "peak_to_peak", p2p);
  add_trend(t, "area", area);
  return t;
}

Table cramps_table(const SessionAnalysis& a) {
  const auto& r = a.cramps;
  const std::size_t n = r.size();
  const auto d = [&](double CrampResult::*f) { return collect<double>(n, [&](std::size_t i) { return r[i].*f; }); };
  const auto b = [&](bool CrampResult::*f) { return collect<std::uint8_t>(n, [&](std::size_t i) { return r[i].*f; }); };
  const auto s = [&](std::int64_t CrampResult::*f) { return collect<std::int64_t>(n, [&](std::size_t i) { return r[i].*f; }); };
  Table t;
  t.add("train_id", collect<std::int64_t>(n, [&](std::size_t i) { return r[i].train_id; }));
  t.add("frequency_hz", d(&CrampResult::frequency_hz));
  t.add("start_sample", s(&CrampResult::start_sample));
  t.add("end_sample", s(&CrampResult::end_sample));
  t.add_bool("decided", b(&CrampResult::decided));
  t.add_bool("cramp", b(&CrampResult::cramp));
  t.add_bool("offset_censored", b(&CrampResult::offset_censored));
  t.add("onset_s", d(&CrampResult::onset_s));
  t.add("offset_s", d(&CrampResult::offset_s));
  t.add("duration_s", d(&CrampResult::duration_s));
  t.add("onset_sample", s(&CrampResult::onset_sample));
  t.add("offset_sample", s(&CrampResult::offset_sample));
  t.add("delayed_onset_s", d(&CrampResult::delayed_onset_s));
  t.add("peak_rms", d(&CrampResult::peak_rms));
  t.add("mean_rms_1s", d(&CrampResult::mean_rms_1s));
  t.add("mean_rms_5s", d(&CrampResult::mean_rms_5s));
  t.add("peak_rms_pct_mvc", d(&CrampResult::peak_rms_pct_mvc));
  t.add("mean_rms_1s_pct_mvc", d(&CrampResult::mean_rms_1s_pct_mvc));
  t.add("mean_rms_5s_pct_mvc", d(&CrampResult::mean_rms_5s_pct_mvc));
  t.add("area", d(&CrampResult::area));
  t.add("mnf_hz", d(&CrampResult::mnf_hz));
  t.add("mdf_hz", d(&CrampResult::mdf_hz));
  t.add("epoch_snr_db", d(&CrampResult::epoch_snr_db));
  t.add("decay_tau_s", d(&CrampResult::decay_tau_s));
  t.add("baseline_mean", d(&CrampResult::baseline_mean));
  t.add("baseline_sd", d(&CrampResult::baseline_sd));
  t.add("baseline_s", d(&CrampResult::baseline_s));
  t.add("noise_floor", d(&CrampResult::noise_floor));
  t.add("threshold_on", d(&CrampResult::threshold_on));
  t.add("threshold_off", d(&CrampResult::threshold_off));
  t.add("window_start_s", d(&CrampResult::window_start_s));
  t.add("window_end_s", d(&CrampResult::window_end_s));
  t.add("channel", std::vector<std::string>(n, a.stim.channel_name));
  t.add("preprocessing", collect<std::string>(n, [&](std::size_t i) { return r[i].preprocessing; }));
  t.add("status", collect<std::string>(n, [&](std::size_t i) { return r[i].status; }));
  t.add("message", collect<std::string>(n, [&](std::size_t i) { return r[i].message; }));
  return t;
}

Table ctf_table(const SessionAnalysis& a) {
  const CtfResult& c = a.ctf;
  Table t;
  t.add_bool("determined", {static_cast<std::uint8_t>(c.determined)});
  t.add("ctf_hz", std::vector<double>{c.ctf_hz});
  t.add("lower_hz", std::vector<double>{c.lower_hz});
  t.add("upper_hz", std::vector<double>{c.upper_hz});
  t.add_bool("censored", {static_cast<std::uint8_t>(c.censored)});
  t.add_bool("left_censored", {static_cast<std::uint8_t>(c.left_censored)});
  t.add("train_id", std::vector<std::int64_t>{c.train_id});
  t.add("n_trains", std::vector<std::int64_t>{c.n_trains});
  t.add("n_counted", std::vector<std::int64_t>{c.n_counted});
  t.add("n_cramps", std::vector<std::int64_t>{c.n_cramps});
  t.add("n_cramps_at_ctf", std::vector<std::int64_t>{c.n_cramps_at_ctf});
  t.add("n_inconsistent", std::vector<std::int64_t>{c.n_inconsistent});
  t.add("uncounted_train_ids", std::vector<std::string>{join_longs(c.uncounted_train_ids)});
  t.add("source", std::vector<std::string>{a.stim.search.source});
  t.add("channel", std::vector<std::string>{a.stim.channel_name});
  t.add("status", std::vector<std::string>{c.status});
  t.add("message", std::vector<std::string>{c.message});
  return t;
}

}  // namespace emg::detect
