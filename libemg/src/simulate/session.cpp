// EIC sessions and voluntary-burst trials: the composers that turn the generators (shaped noise or
// motor units, stimulation, contaminations, ADC) into Recordings with their GroundTruth.
#include <emg/simulate/session.hpp>
#include <emg/version.hpp>

#include "detail/check.hpp"
#include "simulate/provenance.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace emg::simulate {

namespace {

using detail::fail_param;
using detail::fmt;

constexpr std::string_view kSession = "simulate_session";
constexpr std::string_view kBursts = "simulate_bursts";

// Child-stream numbers: fixed, so every part of a recording has its own reproducible stream.
enum Stream : std::uint64_t {
  kNoise = 1,
  kHum = 2,
  kWander = 3,
  kEcg = 4,
  kTrainBase = 1000,   // + train index: pulses, artefacts, M-waves
  kCrampBase = 2000,   // + train index: cramp template and its EMG
  kChannelBase = 3000, // + channel index (burst trials)
  kRecordingBase = 10000,  // + recording index * 16 (per-train layout)
};

std::int64_t to_sample(double t_s, double fs_hz) { return static_cast<std::int64_t>(std::llround(t_s * fs_hz)); }

void mark(ActivityMatrix& activity, long channel, std::int64_t from, std::int64_t to, Activity state) {
  const std::int64_t n = activity.cols();
  from = std::clamp<std::int64_t>(from, 0, n);
  to = std::clamp<std::int64_t>(to, 0, n);
  for (std::int64_t i = from; i < to; ++i) activity(channel, i) = static_cast<std::uint8_t>(state);
}

/// The EMG of one cramp (unit-free shaped noise times its envelope, or a motor-unit pool scaled to
/// the same peak RMS), added to x. Returns the afterdischarge template that was used.
struct CrampDraw {
  AfterdischargeTemplate ad;
  double scale = 1.0;
};

CrampDraw draw_cramp(const SessionParams& p, double frequency_hz, double ctf_hz, double onset_s, double max_end_s,
                     Rng& rng) {
  const AfterdischargeParams& c = p.afterdischarge;
  CrampDraw d;
  const double margin = std::max(0.0, frequency_hz - ctf_hz);
  const double variation = rng.truncated_normal(1.0, c.amplitude_sd, std::max(0.05, 1.0 - 2.0 * c.amplitude_sd),
                                                1.0 + 2.0 * c.amplitude_sd);
  d.ad.onset_s = onset_s;
  d.ad.amplitude = c.amplitude * (1.0 + c.gain_per_hz * margin) * variation;
  d.ad.rise_tau_s = rng.uniform(c.rise_tau_min_s, c.rise_tau_max_s);
  d.ad.decay_tau_s = rng.uniform(c.decay_tau_min_s, c.decay_tau_max_s);
  d.ad.modulation_depth = rng.uniform(c.modulation_depth_min, c.modulation_depth_max);
  d.ad.modulation_hz = c.modulation_hz;
  d.ad.modulation_phase_rad = rng.uniform(0.0, 2.0 * M_PI);
  d.ad.end_taper_s = c.end_taper_s;
  const double duration = rng.uniform(c.duration_min_s, c.duration_max_s);
  d.ad.duration_s = std::min(duration, max_end_s - onset_s);
  d.scale = std::max(c.min_scale, 1.0 - c.compression_per_hz * margin);
  return d;
}

/// Add the EMG of a cramp to x[0, n); fills the truth burst/firings.
void add_cramp_emg(VectorXd& x, const SessionParams& p, const CrampDraw& d, Rng& rng, GroundTruth& truth) {
  const double fs = p.fs_hz;
  const std::int64_t n = x.size();
  const std::int64_t first = std::clamp<std::int64_t>(to_sample(d.ad.onset_s, fs), 0, n);
  const std::int64_t last =
      std::clamp<std::int64_t>(to_sample(d.ad.onset_s + d.ad.duration_s + d.ad.end_taper_s, fs) + 1, 0, n);
  if (last <= first) return;
  const long len = static_cast<long>(last - first);
  if (p.emg_model == EmgModel::shaped_noise) {
    VectorXd envelope = VectorXd::Zero(len);
    AfterdischargeTemplate local = d.ad;
    local.onset_s = 0.0;
    add_afterdischarge(envelope, fs, local);
    SpectrumShape shape = p.spectrum;
    shape.scale *= d.scale;
    const VectorXd s = shaped_noise(len, fs, shape, rng);
    x.segment(first, len).array() += envelope.array() * s.array();
  } else {
    // Level B: the cramp pool fires from the onset; its EMG is scaled so that the RMS of its
    // first second equals the drawn peak amplitude, then shaped by the template's end taper.
    MotorUnitActivity mu = simulate_cramp_firing(len, fs, 0.0, p.pool, p.cramp_firing, rng);
    const long ref = std::min<long>(len, static_cast<long>(fs));
    const double rms = std::sqrt(mu.emg.head(ref).squaredNorm() / static_cast<double>(ref));
    const double gain = rms > 0.0 ? d.ad.amplitude / rms : 0.0;
    VectorXd taper = VectorXd::Ones(len);
    const double end_mid = d.ad.duration_s;
    for (long i = 0; i < len; ++i) {
      const double t = static_cast<double>(i) / fs;
      const double u = (t - (end_mid - d.ad.end_taper_s / 2.0)) / d.ad.end_taper_s;
      if (u >= 1.0) taper[i] = 0.0;
      else if (u > 0.0) taper[i] = 0.5 * (1.0 + std::cos(M_PI * u));
    }
    x.segment(first, len).array() += gain * mu.emg.array() * taper.array();
    for (std::size_t k = 0; k < mu.firing_sample.size(); ++k) {
      const std::int64_t s = mu.firing_sample[k];
      if (s >= len || taper[static_cast<long>(s)] <= 0.0) continue;
      truth.firing_unit.push_back(mu.firing_unit[k]);
      truth.firing_sample.push_back(first + s);
    }
  }
}

void add_contaminations(VectorXd& x, double fs, NoiseColor color, double noise_rms, const HumParams& hum,
                        const WanderParams& wander, const EcgParams& ecg, const Rng& base) {
  Rng noise_rng = base.child(kNoise);
  x += baseline_noise(x.size(), fs, color, noise_rms, noise_rng);
  if (hum.amplitude > 0.0) {
    Rng r = base.child(kHum);
    add_hum(x, fs, hum, r);
  }
  if (wander.amplitude > 0.0) {
    Rng r = base.child(kWander);
    add_wander(x, fs, wander, r);
  }
  if (ecg.amplitude > 0.0) {
    Rng r = base.child(kEcg);
    add_ecg(x, fs, ecg, r);
  }
}

ChannelInfo emg_channel(const std::string& name, const std::string& muscle, const AdcParams& adc, bool quantized) {
  ChannelInfo ch;
  ch.name = name;
  ch.type = "EMG";
  ch.units = "V";
  ch.target_muscle = muscle;
  ch.placement = "bipolar surface, simulated";
  if (quantized) {
    ch.conversion = adc.conversion();
    ch.offset = 0.0;
    ch.digital_min = adc.digital_min();
    ch.digital_max = adc.digital_max();
  }
  return ch;
}

/// One train inside a recording: when, how many pulses, and (when it cramps) the cramp.
struct TrainPlan {
  long train_id = 0;
  double frequency_hz = 0.0;
  double start_s = 0.0;  // first pulse, in the recording's time
  long n_pulses = 0;
  std::size_t ladder_index = 0;  // stream index
};

double last_pulse_s(const TrainPlan& t) { return t.start_s + static_cast<double>(t.n_pulses - 1) / t.frequency_hz; }

SimulatedRecording render(const SessionParams& p, double ctf_hz, const std::vector<TrainPlan>& trains, double duration_s,
                          const Rng& base, std::uint64_t seed, const std::string& recording_label) {
  const double fs = p.fs_hz;
  const long n = static_cast<long>(std::llround(duration_s * fs));
  VectorXd x = VectorXd::Zero(n);
  GroundTruth truth;
  truth.activity = ActivityMatrix::Zero(1, n);
  Stimulation stim;
  const std::int64_t response_len = to_sample(p.mwave.latency_s + p.mwave.duration_s, fs);

  for (std::size_t k = 0; k < trains.size(); ++k) {
    const TrainPlan& tp = trains[k];
    Rng train_rng = base.child(kTrainBase + tp.ladder_index);
    TrainSpec spec{.start_s = tp.start_s, .frequency_hz = tp.frequency_hz, .n_pulses = tp.n_pulses};
    const std::vector<std::int64_t> pulses = pulse_samples(spec, fs, train_rng);
    std::vector<TruthPulse> tpulses(pulses.size());
    for (std::size_t i = 0; i < pulses.size(); ++i) {
      tpulses[i].sample = pulses[i];
      tpulses[i].train_id = tp.train_id;
    }
    if (p.mwave.amplitude > 0.0) add_mwaves(x, fs, pulses, p.mwave, train_rng, tpulses);
    // artefacts are added after all EMG below, so clipping sees the whole signal: keep them
    TruthTrain tt;
    tt.train_id = tp.train_id;
    tt.frequency_hz = tp.frequency_hz;
    tt.start_sample = pulses.front();
    tt.end_sample = pulses.back();
    tt.n_pulses = static_cast<long>(pulses.size());
    tt.cramp = tp.frequency_hz >= ctf_hz;
    mark(truth.activity, 0, pulses.front(), pulses.back() + response_len, Activity::stimulation);

    StimTrain st;
    st.train_id = tp.train_id;
    st.start_sample = pulses.front();
    st.end_sample = pulses.back();
    st.frequency_hz = tp.frequency_hz;
    st.pulse_width_us = p.artifact.pulse_width_us;
    st.intensity = 1.3;  // x the current giving the maximal M-wave (30 % supramaximal)
    st.n_pulses = static_cast<long>(pulses.size());
    stim.trains.push_back(st);
    stim.pulses.insert(stim.pulses.end(), pulses.begin(), pulses.end());

    if (tt.cramp) {
      Rng cramp_rng = base.child(kCrampBase + tp.ladder_index);
      const double onset_s = static_cast<double>(pulses.back()) / fs + p.afterdischarge.onset_delay_s;
      // the cramp ends before the next train and before the recording ends
      double max_end = duration_s - p.afterdischarge.end_taper_s;
      if (k + 1 < trains.size()) max_end = std::min(max_end, trains[k + 1].start_s - 0.5);
      const CrampDraw d = draw_cramp(p, tp.frequency_hz, ctf_hz, onset_s, max_end, cramp_rng);
      if (d.ad.duration_s > 0.0) {
        add_cramp_emg(x, p, d, cramp_rng, truth);
        tt.cramp_onset_sample = to_sample(d.ad.onset_s, fs);
        tt.cramp_offset_sample = std::min<std::int64_t>(to_sample(d.ad.onset_s + d.ad.duration_s, fs), n - 1);
        tt.cramp_amplitude = d.ad.amplitude;
        tt.cramp_spectral_scale = d.scale;
        mark(truth.activity, 0, tt.cramp_onset_sample, tt.cramp_offset_sample, Activity::cramp);
        truth.bursts.push_back(TruthBurst{.channel = 0,
                                          .onset_sample = tt.cramp_onset_sample,
                                          .offset_sample = tt.cramp_offset_sample,
                                          .kind = "cramp",
                                          .amplitude = d.ad.amplitude,
                                          .rise_s = d.ad.rise_tau_s});
      }
    }
    truth.trains.push_back(tt);
    truth.pulses.insert(truth.pulses.end(), tpulses.begin(), tpulses.end());
  }

  const double noise_rms = p.afterdischarge.amplitude / std::pow(10.0, p.snr_db / 20.0);
  add_contaminations(x, fs, p.noise_color, noise_rms, p.hum, p.wander, p.ecg, base);

  // Artefacts last: the amplifier saturates on the sum of everything.
  ArtifactParams art = p.artifact;
  if (p.quantize) art.clip_level = std::min(art.clip_level, p.adc.range);
  std::size_t offset = 0;
  for (std::size_t k = 0; k < trains.size(); ++k) {
    const long np = truth.trains[k].n_pulses;
    std::vector<std::int64_t> pulses(stim.pulses.begin() + static_cast<long>(offset),
                                     stim.pulses.begin() + static_cast<long>(offset) + np);
    std::vector<TruthPulse> tpulses(truth.pulses.begin() + static_cast<long>(offset),
                                    truth.pulses.begin() + static_cast<long>(offset) + np);
    Rng art_rng = base.child(kTrainBase + trains[k].ladder_index).child(7);
    add_artifacts(x, fs, pulses, art, art_rng, tpulses);
    std::copy(tpulses.begin(), tpulses.end(), truth.pulses.begin() + static_cast<long>(offset));
    offset += static_cast<std::size_t>(np);
  }
  if (p.quantize) quantize(x, p.adc);

  RowMatrixXd data(1, n);
  data.row(0) = x.transpose();
  Recording rec(std::move(data), fs, {emg_channel(p.channel, p.target_muscle, p.adc, p.quantize)});
  rec.set_stimulation(std::move(stim));
  rec.append_history("simulate_session(seed=" + std::to_string(seed) + ", ctf_hz=" + fmt(ctf_hz) + ", " +
                     recording_label + ")");
  truth.attributes = session_attributes(p);
  truth.attributes["generator"] = "cramplab.simulate.session";
  truth.attributes["library_version"] = emg::version();
  truth.attributes["seed"] = std::to_string(seed);
  truth.attributes["ctf_hz"] = fmt(ctf_hz);
  truth.attributes["recording"] = recording_label;
  rec.set_attribute("simulated", "true");
  rec.set_attribute("generator", "cramplab.simulate.session");
  return {std::move(rec), std::move(truth)};
}

}  // namespace

// ---- enum names ------------------------------------------------------------------------------

std::string to_string(EmgModel m) { return m == EmgModel::shaped_noise ? "shaped_noise" : "motor_units"; }
std::string to_string(SessionLayout l) { return l == SessionLayout::session ? "session" : "per_train"; }
std::string to_string(NoiseColor c) { return c == NoiseColor::white ? "white" : "pink"; }

EmgModel parse_emg_model(const std::string& text) {
  if (text == "shaped_noise") return EmgModel::shaped_noise;
  if (text == "motor_units") return EmgModel::motor_units;
  fail_param("simulate", "emg_model", "\"" + text + "\"", "must be shaped_noise or motor_units");
}
SessionLayout parse_session_layout(const std::string& text) {
  if (text == "session") return SessionLayout::session;
  if (text == "per_train") return SessionLayout::per_train;
  fail_param("simulate", "layout", "\"" + text + "\"", "must be session or per_train");
}
NoiseColor parse_noise_color(const std::string& text) {
  if (text == "white") return NoiseColor::white;
  if (text == "pink") return NoiseColor::pink;
  fail_param("simulate", "noise_color", "\"" + text + "\"", "must be white or pink");
}

// ---- ladder ----------------------------------------------------------------------------------

void LadderParams::validate() const {
  constexpr std::string_view fn = "LadderParams";
  detail::check_positive(fn, "ladder.start_hz", start_hz);
  detail::check_positive(fn, "ladder.step_hz", step_hz);
  detail::check_positive(fn, "ladder.max_hz", max_hz);
  if (max_hz < start_hz) fail_param(fn, "ladder.max_hz", fmt(max_hz), "must be >= ladder.start_hz=" + fmt(start_hz));
  if ((max_hz - start_hz) / step_hz > 1000.0) {
    fail_param(fn, "ladder.step_hz", fmt(step_hz), "gives more than 1000 trains between start_hz and max_hz");
  }
  if (pulses_per_train < 0 || pulses_per_train > 100000) {
    fail_param(fn, "ladder.pulses_per_train", std::to_string(pulses_per_train), "must be in 0..100000 (0 = use train_duration_s)");
  }
  if (pulses_per_train == 0) detail::check_positive(fn, "ladder.train_duration_s", train_duration_s);
  detail::check_nonnegative(fn, "ladder.rest_s", rest_s);
  if (confirm_repeats < 0 || confirm_repeats > 3) {
    fail_param(fn, "ladder.confirm_repeats", std::to_string(confirm_repeats), "must be in 0..3");
  }
}

std::vector<double> LadderParams::frequencies() const {
  std::vector<double> f;
  for (long k = 0;; ++k) {
    const double v = start_hz + static_cast<double>(k) * step_hz;
    if (v > max_hz + 1e-9) break;
    f.push_back(v);
  }
  return f;
}

long LadderParams::n_pulses(double frequency_hz) const {
  if (pulses_per_train > 0) return pulses_per_train;
  return std::max<long>(1, static_cast<long>(std::llround(train_duration_s * frequency_hz)));
}

const ParamTable& LadderParams::describe() {
  static const ParamTable t = {
      {"start_hz", "Hz", "4", "> 0", "frequency of the first train"},
      {"step_hz", "Hz", "2", "> 0", "increment between trains"},
      {"max_hz", "Hz", "40", ">= start_hz", "highest frequency tried (tolerability limit); no cramp up to it = censored CTF"},
      {"train_duration_s", "s", "2", "> 0", "train length when pulses_per_train is 0 (pulses = round(duration x f))"},
      {"pulses_per_train", "", "0", "0..100000", "fixed pulses per train (150 in the Minetto protocol); 0 = use train_duration_s"},
      {"rest_s", "s", "60", ">= 0", "from the last pulse of a train to the first pulse of the next"},
      {"stop_at_first_cramp", "", "true", "true|false", "end the ladder at the first cramping train"},
      {"confirm_repeats", "", "0", "0..3", "extra trains at the first cramping frequency (confirmation)"},
  };
  return t;
}

// ---- cramp -----------------------------------------------------------------------------------

void AfterdischargeParams::validate() const {
  constexpr std::string_view fn = "AfterdischargeParams";
  detail::check_positive(fn, "afterdischarge.amplitude", amplitude);
  detail::check_nonnegative(fn, "afterdischarge.gain_per_hz", gain_per_hz);
  if (!(amplitude_sd >= 0.0 && amplitude_sd < 0.5)) fail_param(fn, "afterdischarge.amplitude_sd", fmt(amplitude_sd), "must be in [0, 0.5)");
  auto range = [&](std::string_view lo_name, double lo, std::string_view hi_name, double hi) {
    detail::check_positive(fn, lo_name, lo);
    detail::check_positive(fn, hi_name, hi);
    if (hi < lo) fail_param(fn, hi_name, fmt(hi), "must be >= " + std::string(lo_name) + "=" + fmt(lo));
  };
  range("afterdischarge.rise_tau_min_s", rise_tau_min_s, "afterdischarge.rise_tau_max_s", rise_tau_max_s);
  range("afterdischarge.decay_tau_min_s", decay_tau_min_s, "afterdischarge.decay_tau_max_s", decay_tau_max_s);
  range("afterdischarge.duration_min_s", duration_min_s, "afterdischarge.duration_max_s", duration_max_s);
  if (!(modulation_depth_min >= 0.0 && modulation_depth_max < 1.0 && modulation_depth_min <= modulation_depth_max)) {
    fail_param(fn, "afterdischarge.modulation_depth_max", fmt(modulation_depth_max),
               "must satisfy 0 <= modulation_depth_min (" + fmt(modulation_depth_min) + ") <= modulation_depth_max < 1");
  }
  detail::check_positive(fn, "afterdischarge.modulation_hz", modulation_hz);
  detail::check_nonnegative(fn, "afterdischarge.onset_delay_s", onset_delay_s);
  detail::check_nonnegative(fn, "afterdischarge.compression_per_hz", compression_per_hz);
  if (!(min_scale > 0.0 && min_scale <= 1.0)) fail_param(fn, "afterdischarge.min_scale", fmt(min_scale), "must be in (0, 1]");
  detail::check_positive(fn, "afterdischarge.end_taper_s", end_taper_s);
}

const ParamTable& AfterdischargeParams::describe() {
  static const ParamTable t = {
      {"amplitude", "V", "1e-4", "> 0", "peak RMS of a threshold cramp (train frequency = CTF)"},
      {"gain_per_hz", "1/Hz", "0.05", ">= 0", "relative amplitude increase per Hz above CTF"},
      {"amplitude_sd", "", "0.15", "[0, 0.5)", "relative cramp-to-cramp amplitude variation"},
      {"rise_tau_min_s", "s", "0.1", "> 0", "rise time constant tau_r, lower bound of the uniform draw"},
      {"rise_tau_max_s", "s", "0.5", ">= rise_tau_min_s", "rise time constant, upper bound"},
      {"decay_tau_min_s", "s", "5", "> 0", "decay time constant tau_d, lower bound"},
      {"decay_tau_max_s", "s", "30", ">= decay_tau_min_s", "decay time constant, upper bound"},
      {"duration_min_s", "s", "5", "> 0", "cramp duration (onset to offset), lower bound"},
      {"duration_max_s", "s", "25", ">= duration_min_s", "cramp duration, upper bound (cut at the recording end)"},
      {"modulation_depth_min", "", "0.1", "[0, 1)", "common-drive amplitude modulation depth m, lower bound"},
      {"modulation_depth_max", "", "0.3", "[min, 1)", "modulation depth, upper bound"},
      {"modulation_hz", "Hz", "1.4", "> 0", "common-drive modulation frequency (Minetto 2009)"},
      {"onset_delay_s", "s", "0.02", ">= 0", "from the last pulse to the cramp onset"},
      {"compression_per_hz", "1/Hz", "0.01", ">= 0", "spectral corner scale drop per Hz above CTF"},
      {"min_scale", "", "0.7", "(0, 1]", "lowest spectral corner scale of a cramp"},
      {"end_taper_s", "s", "0.2", "> 0", "raised-cosine end of the cramp"},
  };
  return t;
}

// ---- session ---------------------------------------------------------------------------------

void SessionParams::validate() const {
  detail::check_fs(kSession, fs_hz);
  spectrum.validate(fs_hz);  // first: "sampled too slowly for EMG" is the message that helps
  detail::check_nonnegative(kSession, "pre_s", pre_s);
  ladder.validate();
  afterdischarge.validate();
  // a cramp needs room: after the last train (post_s), and before the next one when the ladder
  // goes on after a cramp (rest_s); cramps longer than the room are cut to it
  const double room = afterdischarge.onset_delay_s + afterdischarge.end_taper_s + 0.5;
  if (!(post_s >= room)) {
    fail_param(kSession, "post_s", fmt(post_s), "must be >= " + fmt(room) + " s (onset delay + end taper + 0.5 s) so a cramp fits");
  }
  if ((!ladder.stop_at_first_cramp || ladder.confirm_repeats > 0) && !(ladder.rest_s >= room + 0.5)) {
    fail_param(kSession, "ladder.rest_s", fmt(ladder.rest_s),
               "must be >= " + fmt(room + 0.5) + " s when trains follow a cramp (stop_at_first_cramp false or confirm_repeats > 0)");
  }
  artifact.validate(fs_hz);
  mwave.validate(fs_hz, artifact.pulse_width_us);
  if (emg_model == EmgModel::motor_units) {
    pool.validate(fs_hz);
    cramp_firing.validate();
  }
  if (!std::isfinite(snr_db) || snr_db < -20.0 || snr_db > 80.0) {
    fail_param(kSession, "snr_db", fmt(snr_db), "must be in [-20, 80] dB");
  }
  hum.validate(fs_hz);
  wander.validate(fs_hz);
  ecg.validate(fs_hz);
  if (quantize) adc.validate();
  if (channel.empty()) fail_param(kSession, "channel", "\"\"", "must be a non-empty channel name");
  const double max_train_s = static_cast<double>(ladder.n_pulses(ladder.max_hz)) / ladder.start_hz;
  if (max_train_s > 3600.0) fail_param(kSession, "ladder.pulses_per_train", std::to_string(ladder.pulses_per_train),
                                       "gives trains longer than an hour at start_hz");
}

const ParamTable& SessionParams::describe() {
  static const ParamTable t = {
      {"fs_hz", "Hz", "2000", "> 0", "sampling rate"},
      {"layout", "", "session", "session|per_train", "one recording per session, or one per train"},
      {"pre_s", "s", "2", ">= 0", "baseline before the first train (before every train with per_train)"},
      {"post_s", "s", "30", ">= onset delay + end taper + 0.5 s", "recorded after the last train (after every train with per_train); a cramp longer than this is cut at the end (its offset is then the last sample)"},
      {"emg_model", "", "shaped_noise", "shaped_noise|motor_units", "level A (shaped noise) or level B (motor-unit pool)"},
      {"snr_db", "dB", "20", "[-20, 80]", "threshold-cramp amplitude over the baseline noise RMS"},
      {"noise_color", "", "white", "white|pink", "spectrum of the baseline noise"},
      {"quantize", "", "true", "true|false", "quantise with the ADC (adc.bits, adc.range) and keep the counts"},
      {"channel", "", "FHB", "name", "EMG channel name"},
      {"target_muscle", "", "flexor hallucis brevis", "text", "BIDS target_muscle of the channel"},
  };
  return t;
}

std::vector<SimulatedRecording> simulate_session(const SessionParams& params, double ctf_hz, std::uint64_t seed) {
  params.validate();
  if (!std::isfinite(ctf_hz) || ctf_hz <= 0.0) fail_param(kSession, "ctf_hz", fmt(ctf_hz), "must be finite and > 0");
  const Rng base(seed);
  const std::vector<double> ladder = params.ladder.frequencies();

  // Which trains are delivered: the ladder up to the first cramp, plus the confirmation repeats.
  std::vector<double> delivered;
  for (double f : ladder) {
    delivered.push_back(f);
    if (f >= ctf_hz) {
      for (int r = 0; r < params.ladder.confirm_repeats; ++r) delivered.push_back(f);
      if (params.ladder.stop_at_first_cramp) break;
    }
  }

  std::vector<SimulatedRecording> out;
  if (params.layout == SessionLayout::session) {
    std::vector<TrainPlan> trains;
    double t = params.pre_s;
    for (std::size_t k = 0; k < delivered.size(); ++k) {
      TrainPlan tp{.train_id = static_cast<long>(k + 1), .frequency_hz = delivered[k], .start_s = t,
                   .n_pulses = params.ladder.n_pulses(delivered[k]), .ladder_index = k};
      trains.push_back(tp);
      t = last_pulse_s(tp) + params.ladder.rest_s;
    }
    const double duration = last_pulse_s(trains.back()) + params.post_s + 1.0 / params.fs_hz;
    out.push_back(render(params, ctf_hz, trains, duration, base, seed, "session"));
  } else {
    for (std::size_t k = 0; k < delivered.size(); ++k) {
      TrainPlan tp{.train_id = static_cast<long>(k + 1), .frequency_hz = delivered[k], .start_s = params.pre_s,
                   .n_pulses = params.ladder.n_pulses(delivered[k]), .ladder_index = k};
      const double duration = last_pulse_s(tp) + params.post_s + 1.0 / params.fs_hz;
      const Rng rec_base = base.child(kRecordingBase + 16 * k);
      out.push_back(render(params, ctf_hz, {tp}, duration, rec_base, seed, "train " + std::to_string(k + 1)));
    }
  }
  return out;
}

// ---- voluntary bursts ------------------------------------------------------------------------

void BurstTrialParams::validate() const {
  detail::check_fs(kBursts, fs_hz);
  detail::check_positive(kBursts, "duration_s", duration_s);
  if (duration_s * fs_hz > 2e9) fail_param(kBursts, "duration_s", fmt(duration_s), "gives more than 2e9 samples");
  if (n_channels < 1 || n_channels > 256) fail_param(kBursts, "n_channels", std::to_string(n_channels), "must be in 1..256");
  detail::check_positive(kBursts, "amplitude", amplitude);
  auto range = [&](std::string_view lo_name, double lo, std::string_view hi_name, double hi) {
    detail::check_positive(kBursts, lo_name, lo);
    detail::check_positive(kBursts, hi_name, hi);
    if (hi < lo) fail_param(kBursts, hi_name, fmt(hi), "must be >= " + std::string(lo_name) + "=" + fmt(lo));
  };
  range("rise_min_s", rise_min_s, "rise_max_s", rise_max_s);
  range("burst_min_s", burst_min_s, "burst_max_s", burst_max_s);
  range("rest_min_s", rest_min_s, "rest_max_s", rest_max_s);
  if (2.0 * rise_max_s > burst_min_s) {
    fail_param(kBursts, "rise_max_s", fmt(rise_max_s), "must be <= burst_min_s/2=" + fmt(burst_min_s / 2.0) +
                                                           " (rise and fall must fit in the shortest burst)");
  }
  detail::check_nonnegative(kBursts, "lead_s", lead_s);
  if (lead_s + burst_max_s > duration_s) {
    fail_param(kBursts, "duration_s", fmt(duration_s), "must hold lead_s + burst_max_s=" + fmt(lead_s + burst_max_s));
  }
  if (!std::isfinite(snr_db) || snr_db < -20.0 || snr_db > 80.0) fail_param(kBursts, "snr_db", fmt(snr_db), "must be in [-20, 80] dB");
  spectrum.validate(fs_hz);
  if (!(fatigue_scale_end > 0.0 && fatigue_scale_end <= 2.0)) {
    fail_param(kBursts, "fatigue_scale_end", fmt(fatigue_scale_end), "must be in (0, 2]");
  }
  if (fatigue_scale_end != 1.0 && emg_model == EmgModel::motor_units) {
    fail_param(kBursts, "fatigue_scale_end", fmt(fatigue_scale_end), "needs emg_model shaped_noise (spectral scaling)");
  }
  if (emg_model == EmgModel::motor_units) pool.validate(fs_hz);
  hum.validate(fs_hz);
  wander.validate(fs_hz);
  ecg.validate(fs_hz);
  if (quantize) adc.validate();
}

const ParamTable& BurstTrialParams::describe() {
  static const ParamTable t = {
      {"fs_hz", "Hz", "2000", "> 0", "sampling rate"},
      {"duration_s", "s", "60", "> 0", "length of the trial"},
      {"n_channels", "", "1", "1..256", "channels, each with its own bursts and noise"},
      {"amplitude", "V", "1e-4", "> 0", "plateau RMS of a burst"},
      {"rise_min_s", "s", "0.02", "> 0", "burst rise time, lower bound of the uniform draw"},
      {"rise_max_s", "s", "0.2", "<= burst_min_s/2", "burst rise time, upper bound"},
      {"burst_min_s", "s", "0.5", "> 0", "burst duration (onset to offset), lower bound"},
      {"burst_max_s", "s", "2", ">= burst_min_s", "burst duration, upper bound"},
      {"rest_min_s", "s", "1", "> 0", "rest between bursts, lower bound"},
      {"rest_max_s", "s", "3", ">= rest_min_s", "rest between bursts, upper bound"},
      {"lead_s", "s", "3", ">= 0", "quiet time before the first burst"},
      {"snr_db", "dB", "20", "[-20, 80]", "plateau amplitude over the baseline noise RMS"},
      {"fatigue_scale_end", "", "1", "(0, 2]", "spectral corner scale at the end relative to the start (linear; 1 = no fatigue)"},
      {"emg_model", "", "shaped_noise", "shaped_noise|motor_units", "level A or level B EMG"},
      {"noise_color", "", "white", "white|pink", "spectrum of the baseline noise"},
      {"quantize", "", "false", "true|false", "quantise with the ADC"},
  };
  return t;
}

SimulatedRecording simulate_bursts(const BurstTrialParams& p, std::uint64_t seed) {
  p.validate();
  const double fs = p.fs_hz;
  const long n = static_cast<long>(std::llround(p.duration_s * fs));
  const Rng base(seed);
  RowMatrixXd data(p.n_channels, n);
  GroundTruth truth;
  truth.activity = ActivityMatrix::Zero(p.n_channels, n);
  std::vector<ChannelInfo> channels;
  const double noise_rms = p.amplitude / std::pow(10.0, p.snr_db / 20.0);
  for (long c = 0; c < p.n_channels; ++c) {
    const Rng ch_base = base.child(kChannelBase + static_cast<std::uint64_t>(c));
    Rng rng = ch_base.child(100);
    VectorXd envelope = VectorXd::Zero(n);
    double t = p.lead_s;
    for (;;) {
      BurstTemplate b;
      b.onset_s = t;
      b.duration_s = rng.uniform(p.burst_min_s, p.burst_max_s);
      b.rise_s = rng.uniform(p.rise_min_s, p.rise_max_s);
      b.fall_s = rng.uniform(p.rise_min_s, p.rise_max_s);
      b.amplitude = p.amplitude;
      if (b.onset_s + b.duration_s > p.duration_s - p.rest_min_s) break;
      add_burst(envelope, fs, b);
      const std::int64_t on = to_sample(b.onset_s, fs), off = to_sample(b.onset_s + b.duration_s, fs);
      truth.bursts.push_back(TruthBurst{.channel = c, .onset_sample = on, .offset_sample = off, .kind = "voluntary",
                                        .amplitude = b.amplitude, .rise_s = b.rise_s});
      mark(truth.activity, c, on, off, Activity::voluntary);
      t = b.onset_s + b.duration_s + rng.uniform(p.rest_min_s, p.rest_max_s);
    }
    VectorXd x(n);
    if (p.emg_model == EmgModel::shaped_noise) {
      Rng srng = ch_base.child(101);
      if (p.fatigue_scale_end == 1.0) {
        x = envelope.array() * shaped_noise(n, fs, p.spectrum, srng).array();
      } else {
        VectorXd scale(n);
        for (long i = 0; i < n; ++i) {
          scale[i] = 1.0 + (p.fatigue_scale_end - 1.0) * static_cast<double>(i) / static_cast<double>(std::max<long>(1, n - 1));
        }
        x = envelope.array() * shaped_noise(n, fs, p.spectrum, srng, &scale).array();
      }
    } else {
      // Excitation follows the template (plateau = half of the pool's range); scale the EMG so a
      // plateau's RMS equals the amplitude.
      Rng mrng = ch_base.child(102);
      const VectorXd excitation = envelope * (0.5 / p.amplitude);
      MotorUnitActivity mu = simulate_pool(excitation, fs, p.pool, mrng);
      double sum2 = 0.0;
      long count = 0;
      for (long i = 0; i < n; ++i) {
        if (envelope[i] >= 0.999 * p.amplitude) {
          sum2 += mu.emg[i] * mu.emg[i];
          ++count;
        }
      }
      const double gain = count > 0 && sum2 > 0.0 ? p.amplitude / std::sqrt(sum2 / static_cast<double>(count)) : 0.0;
      x = gain * mu.emg;
      for (std::size_t k = 0; k < mu.firing_sample.size(); ++k) {
        truth.firing_unit.push_back(mu.firing_unit[k] + 1000 * c);
        truth.firing_sample.push_back(mu.firing_sample[k]);
      }
    }
    add_contaminations(x, fs, p.noise_color, noise_rms, p.hum, p.wander, p.ecg, ch_base);
    if (p.quantize) quantize(x, p.adc);
    data.row(c) = x.transpose();
    ChannelInfo ch = emg_channel("EMG" + std::to_string(c + 1), "", p.adc, p.quantize);
    channels.push_back(ch);
  }
  Recording rec(std::move(data), fs, std::move(channels));
  rec.append_history("simulate_bursts(seed=" + std::to_string(seed) + ")");
  rec.set_attribute("simulated", "true");
  rec.set_attribute("generator", "cramplab.simulate.bursts");
  truth.attributes = burst_attributes(p);
  truth.attributes["generator"] = "cramplab.simulate.bursts";
  truth.attributes["library_version"] = emg::version();
  truth.attributes["seed"] = std::to_string(seed);
  return {std::move(rec), std::move(truth)};
}

}  // namespace emg::simulate
