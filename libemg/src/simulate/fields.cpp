#include <emg/simulate/fields.hpp>

#include "detail/check.hpp"

#include <charconv>
#include <cmath>
#include <set>

namespace emg::simulate {

namespace {

using detail::fail_param;
using detail::fmt;

class Builder {
 public:
  explicit Builder(std::vector<FieldRef>& out) : out_(out) {}
  Builder& section(std::string name, const ParamTable* table) {
    section_ = std::move(name);
    table_ = table;
    return *this;
  }
  template <class T>
  Builder& operator()(const char* name, T* field) {
    FieldRef f;
    f.key = section_ + "." + name;
    f.target = field;
    f.info = lookup(name);
    out_.push_back(std::move(f));
    return *this;
  }
  Builder& enumeration(const char* name, EnumField e) {
    FieldRef f;
    f.key = section_ + "." + name;
    f.target = std::move(e);
    f.info = lookup(name);
    out_.push_back(std::move(f));
    return *this;
  }

 private:
  const ParamInfo* lookup(const std::string& name) const {
    if (!table_) return nullptr;
    for (const auto& p : *table_)
      if (p.name == name) return &p;
    return nullptr;
  }
  std::vector<FieldRef>& out_;
  std::string section_;
  const ParamTable* table_ = nullptr;
};

template <class E>
EnumField enum_field(E* e, std::string (*to)(E), E (*parse)(const std::string&), std::vector<std::string> choices) {
  return EnumField{[e, to] { return to(*e); }, [e, parse](const std::string& s) { *e = parse(s); }, std::move(choices)};
}

void add_signal(Builder& b, SpectrumShape& s, MotorUnitPoolParams& pool, HumParams& hum, WanderParams& wander,
                EcgParams& ecg, AdcParams& adc) {
  b.section("spectrum", &SpectrumShape::describe())("low_corner_hz", &s.low_corner_hz)("high_corner_hz", &s.high_corner_hz)(
      "scale", &s.scale);
  b.section("pool", &MotorUnitPoolParams::describe())("n_units", &pool.n_units)("recruitment_range", &pool.recruitment_range)(
      "excitation_gain", &pool.excitation_gain)("min_rate_hz", &pool.min_rate_hz)("peak_rate_first_hz", &pool.peak_rate_first_hz)(
      "peak_rate_diff_hz", &pool.peak_rate_diff_hz)("isi_cv", &pool.isi_cv)("twitch_force_range", &pool.twitch_force_range)(
      "twitch_time_longest_s", &pool.twitch_time_longest_s)("twitch_time_range", &pool.twitch_time_range)(
      "muap_width_min_s", &pool.muap_width_min_s)("muap_width_max_s", &pool.muap_width_max_s)(
      "muap_amplitude", &pool.muap_amplitude);
  b.section("hum", &HumParams::describe())("line_hz", &hum.line_hz)("amplitude", &hum.amplitude)("n_harmonics", &hum.n_harmonics)(
      "harmonic_decay", &hum.harmonic_decay)("drift_hz", &hum.drift_hz)("drift_time_s", &hum.drift_time_s);
  b.section("wander", &WanderParams::describe())("amplitude", &wander.amplitude)("max_hz", &wander.max_hz);
  b.section("ecg", &EcgParams::describe())("amplitude", &ecg.amplitude)("heart_rate_bpm", &ecg.heart_rate_bpm)("hrv_sd_s", &ecg.hrv_sd_s);
  b.section("adc", &AdcParams::describe())("bits", &adc.bits)("range", &adc.range);
}

template <class T>
T parse_number(const FieldRef& f, const std::string& text, const char* type) {
  T v{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto res = std::from_chars(first, last, v);
  if (res.ec != std::errc() || res.ptr != last || text.empty()) {
    fail_param("set_field", f.key, "\"" + text + "\"", std::string("must be ") + type);
  }
  return v;
}

}  // namespace

std::vector<FieldRef> session_fields(SessionParams& p) {
  std::vector<FieldRef> out;
  Builder b(out);
  b.section("session", &SessionParams::describe())("fs_hz", &p.fs_hz)
      .enumeration("layout", enum_field(&p.layout, &to_string, &parse_session_layout, {"session", "per_train"}))(
          "pre_s", &p.pre_s)("post_s", &p.post_s)
      .enumeration("emg_model", enum_field(&p.emg_model, &to_string, &parse_emg_model, {"shaped_noise", "motor_units"}))(
          "snr_db", &p.snr_db)
      .enumeration("noise_color", enum_field(&p.noise_color, &to_string, &parse_noise_color, {"white", "pink"}))(
          "quantize", &p.quantize)("channel", &p.channel)("target_muscle", &p.target_muscle);
  auto& l = p.ladder;
  b.section("ladder", &LadderParams::describe())("start_hz", &l.start_hz)("step_hz", &l.step_hz)("max_hz", &l.max_hz)(
      "train_duration_s", &l.train_duration_s)("pulses_per_train", &l.pulses_per_train)("rest_s", &l.rest_s)(
      "stop_at_first_cramp", &l.stop_at_first_cramp)("confirm_repeats", &l.confirm_repeats);
  auto& c = p.afterdischarge;
  b.section("afterdischarge", &AfterdischargeParams::describe())("amplitude", &c.amplitude)("gain_per_hz", &c.gain_per_hz)(
      "amplitude_sd", &c.amplitude_sd)("rise_tau_min_s", &c.rise_tau_min_s)("rise_tau_max_s", &c.rise_tau_max_s)(
      "decay_tau_min_s", &c.decay_tau_min_s)("decay_tau_max_s", &c.decay_tau_max_s)("duration_min_s", &c.duration_min_s)(
      "duration_max_s", &c.duration_max_s)("modulation_depth_min", &c.modulation_depth_min)(
      "modulation_depth_max", &c.modulation_depth_max)("modulation_hz", &c.modulation_hz)("onset_delay_s", &c.onset_delay_s)(
      "compression_per_hz", &c.compression_per_hz)("min_scale", &c.min_scale)("end_taper_s", &c.end_taper_s);
  auto& a = p.artifact;
  b.section("artifact", &ArtifactParams::describe())("amplitude", &a.amplitude)("amplitude_sd", &a.amplitude_sd)(
      "pulse_width_us", &a.pulse_width_us)("biphasic", &a.biphasic)("alternating_polarity", &a.alternating_polarity)(
      "tail_ratio", &a.tail_ratio)("tail_tau_s", &a.tail_tau_s)("clip_probability", &a.clip_probability)(
      "clip_level", &a.clip_level);
  auto& m = p.mwave;
  b.section("mwave", &MwaveParams::describe())("amplitude", &m.amplitude)("latency_s", &m.latency_s)(
      "duration_s", &m.duration_s)("decline", &m.decline)("amplitude_sd", &m.amplitude_sd)(
      "fwave_persistence", &m.fwave_persistence)("fwave_latency_s", &m.fwave_latency_s)(
      "fwave_amplitude_ratio", &m.fwave_amplitude_ratio);
  auto& f = p.cramp_firing;
  b.section("cramp_firing", &CrampFiringParams::describe())("rate_mean_hz", &f.rate_mean_hz)("rate_sd_hz", &f.rate_sd_hz)(
      "rate_min_hz", &f.rate_min_hz)("rate_max_hz", &f.rate_max_hz)("isi_cv", &f.isi_cv)(
      "doublet_fraction", &f.doublet_fraction)("doublet_isi_min_s", &f.doublet_isi_min_s)(
      "doublet_isi_max_s", &f.doublet_isi_max_s)("modulation_hz", &f.modulation_hz)("modulation_depth", &f.modulation_depth)(
      "active_fraction", &f.active_fraction)("duration_min_s", &f.duration_min_s)("duration_max_s", &f.duration_max_s);
  add_signal(b, p.spectrum, p.pool, p.hum, p.wander, p.ecg, p.adc);
  return out;
}

std::vector<FieldRef> burst_fields(BurstTrialParams& p) {
  std::vector<FieldRef> out;
  Builder b(out);
  b.section("bursts", &BurstTrialParams::describe())("fs_hz", &p.fs_hz)("duration_s", &p.duration_s)(
      "n_channels", &p.n_channels)("amplitude", &p.amplitude)("rise_min_s", &p.rise_min_s)("rise_max_s", &p.rise_max_s)(
      "burst_min_s", &p.burst_min_s)("burst_max_s", &p.burst_max_s)("rest_min_s", &p.rest_min_s)(
      "rest_max_s", &p.rest_max_s)("lead_s", &p.lead_s)("snr_db", &p.snr_db)("fatigue_scale_end", &p.fatigue_scale_end)
      .enumeration("emg_model", enum_field(&p.emg_model, &to_string, &parse_emg_model, {"shaped_noise", "motor_units"}))
      .enumeration("noise_color", enum_field(&p.noise_color, &to_string, &parse_noise_color, {"white", "pink"}))(
          "quantize", &p.quantize);
  add_signal(b, p.spectrum, p.pool, p.hum, p.wander, p.ecg, p.adc);
  return out;
}

std::vector<FieldRef> study_fields(StudyParams& p) {
  std::vector<FieldRef> out;
  Builder b(out);
  b.section("study", &StudyParams::describe())("name", &p.name)("description", &p.description)("n_subjects", &p.n_subjects)("ctf_mean_hz", &p.ctf_mean_hz)(
      "ctf_sd_hz", &p.ctf_sd_hz)("ctf_min_hz", &p.ctf_min_hz)("ctf_max_hz", &p.ctf_max_hz)("retest_sd_hz", &p.retest_sd_hz)(
      "order_drift_hz", &p.order_drift_hz)("counterbalance", &p.counterbalance)("seed", &p.seed);
  return out;
}

std::string field_text(const FieldRef& f) {
  struct V {
    std::string operator()(double* v) const { return fmt(*v); }
    std::string operator()(int* v) const { return std::to_string(*v); }
    std::string operator()(long* v) const { return std::to_string(*v); }
    std::string operator()(bool* v) const { return *v ? "true" : "false"; }
    std::string operator()(std::string* v) const { return *v; }
    std::string operator()(std::uint64_t* v) const { return std::to_string(*v); }
    std::string operator()(const EnumField& e) const { return e.get(); }
  };
  return std::visit(V{}, f.target);
}

void set_field(const FieldRef& f, const std::string& text) {
  struct V {
    const FieldRef& f;
    const std::string& text;
    void operator()(double* v) const {
      if (text == "nan" || text == "inf" || text == "-inf") fail_param("set_field", f.key, text, "must be a finite number");
      *v = parse_number<double>(f, text, "a number");
    }
    void operator()(int* v) const { *v = parse_number<int>(f, text, "an integer"); }
    void operator()(long* v) const { *v = parse_number<long>(f, text, "an integer"); }
    void operator()(bool* v) const {
      if (text == "true" || text == "1" || text == "yes" || text == "on") *v = true;
      else if (text == "false" || text == "0" || text == "no" || text == "off") *v = false;
      else fail_param("set_field", f.key, "\"" + text + "\"", "must be true or false");
    }
    void operator()(std::string* v) const { *v = text; }
    void operator()(std::uint64_t* v) const { *v = parse_number<std::uint64_t>(f, text, "an integer in 0..2^64-1"); }
    void operator()(const EnumField& e) const { e.set(text); }
  };
  std::visit(V{f, text}, f.target);
}

const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key) {
  for (const auto& f : fields)
    if (f.key == key) return f;
  std::set<std::string> sections;
  for (const auto& f : fields) sections.insert(f.key.substr(0, f.key.find('.')));
  std::string names;
  for (const auto& s : sections) names += (names.empty() ? "" : ", ") + s;
  fail_param("simulate", "parameter", "\"" + key + "\"", "is not a simulator parameter (sections: " + names + ")");
}

}  // namespace emg::simulate
