#include <emg/simulate/fields.hpp>

#include "detail/check.hpp"


namespace emg::simulate {

namespace {


using Builder = FieldBuilder;

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

const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key) {
  return emg::find_field(fields, key, "simulate", "simulator");
}

}  // namespace emg::simulate
