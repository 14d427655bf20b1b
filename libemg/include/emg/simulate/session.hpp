// Simulated recordings with ground truth (SCIENCE.md §1.3, §7): an electrically-induced-cramp
// (EIC) session — the frequency ladder of stimulation trains, each with its artefacts and
// M-waves, followed by a cramp afterdischarge if and only if the train frequency reaches the
// subject's cramp threshold frequency (CTF) — and a voluntary-burst trial for onset detectors.
#pragma once

#include <emg/params.hpp>
#include <emg/recording.hpp>
#include <emg/simulate/motor_units.hpp>
#include <emg/simulate/shaped_noise.hpp>
#include <emg/simulate/stimulation.hpp>
#include <emg/truth.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace emg::simulate {

/// How the EMG itself is made: level A (shaped noise, fast) or level B (motor-unit pool).
enum class EmgModel { shaped_noise, motor_units };
/// One recording for the whole session, or one recording per train.
enum class SessionLayout { session, per_train };

std::string to_string(EmgModel m);
std::string to_string(SessionLayout l);
std::string to_string(NoiseColor c);
EmgModel parse_emg_model(const std::string& text);        ///< "shaped_noise" | "motor_units"
SessionLayout parse_session_layout(const std::string& text); ///< "session" | "per_train"
NoiseColor parse_noise_color(const std::string& text);     ///< "white" | "pink"

/// The frequency ladder (SCIENCE.md §1.3): trains at start_hz, start_hz + step_hz, ... up to
/// max_hz, with rest_s between trains, stopping at the first cramp (plus `confirm_repeats`
/// extra trains at the cramping frequency, for protocols that confirm a cramp by a repeat).
struct LadderParams {
  double start_hz = 4.0;
  double step_hz = 2.0;
  double max_hz = 40.0;
  double train_duration_s = 2.0;  ///< train length when pulses_per_train = 0 (Miller lab)
  long pulses_per_train = 0;      ///< fixed pulse count (Minetto lab: 150); 0 = use train_duration_s
  double rest_s = 60.0;           ///< from the end of one train to the next (session layout)
  bool stop_at_first_cramp = true;
  int confirm_repeats = 0;        ///< extra trains at the first cramping frequency (0-3)
  void validate() const;
  static const ParamTable& describe();
  /// Ladder frequencies start_hz, start_hz + step_hz, ... <= max_hz (+1e-9 Hz).
  std::vector<double> frequencies() const;
  /// Pulses of a train at f.
  long n_pulses(double frequency_hz) const;
};

/// The cramp afterdischarge as a function of the margin f - CTF (SCIENCE.md §7.1, §7.3).
struct AfterdischargeParams {
  double amplitude = 100e-6;        ///< peak RMS at threshold (f = CTF), in volts
  double gain_per_hz = 0.05;        ///< relative amplitude increase per Hz above CTF
  double amplitude_sd = 0.15;       ///< relative cramp-to-cramp variation (truncated at +-2 SD)
  double rise_tau_min_s = 0.1, rise_tau_max_s = 0.5;
  double decay_tau_min_s = 5.0, decay_tau_max_s = 30.0;
  double duration_min_s = 5.0, duration_max_s = 25.0;  ///< onset to offset, cut at the recording end
  double modulation_depth_min = 0.1, modulation_depth_max = 0.3;
  double modulation_hz = 1.4;
  double onset_delay_s = 0.02;      ///< from the last pulse to the cramp onset
  double compression_per_hz = 0.01; ///< spectral scale s = max(min_scale, 1 - compression_per_hz (f - CTF))
  double min_scale = 0.7;
  double end_taper_s = 0.2;
  void validate() const;
  static const ParamTable& describe();
};

struct SessionParams {
  double fs_hz = 2000.0;
  SessionLayout layout = SessionLayout::session;
  double pre_s = 2.0;              ///< baseline before the first train (before every train when per_train)
  double post_s = 30.0;            ///< recorded after the last train (after every train when per_train)
  LadderParams ladder;
  ArtifactParams artifact{.amplitude = 3e-3};
  MwaveParams mwave{.amplitude = 2e-3};
  AfterdischargeParams afterdischarge;
  EmgModel emg_model = EmgModel::shaped_noise;
  SpectrumShape spectrum;
  MotorUnitPoolParams pool;
  CrampFiringParams cramp_firing;
  double snr_db = 20.0;            ///< cramp threshold amplitude (cramp.amplitude) over the baseline noise RMS
  NoiseColor noise_color = NoiseColor::white;
  HumParams hum;
  WanderParams wander;
  EcgParams ecg;
  AdcParams adc{.bits = 16, .range = 10e-3};
  bool quantize = true;            ///< keep ADC counts (the file stores them bit-exactly as integers)
  std::string channel = "FHB";
  std::string target_muscle = "flexor hallucis brevis";
  void validate() const;
  static const ParamTable& describe();
};

/// One simulated recording and its truth.
struct SimulatedRecording {
  Recording recording;
  GroundTruth truth;
};

/// Simulate one EIC session of a subject whose true CTF is ctf_hz. With layout session: one
/// recording; with per_train: one per train. The recording carries /stimulation (pulses, trains
/// with frequency, pulse width and n_pulses) and attributes (subject, generator); the truth
/// carries everything else. Deterministic in `seed`; trains get independent child streams, so
/// the result does not depend on threads.
std::vector<SimulatedRecording> simulate_session(const SessionParams& params, double ctf_hz, std::uint64_t seed);

/// A voluntary-burst trial (for onset/offset detectors and fatigue metrics): trapezoidal bursts
/// with random rise times, durations and rests, at a given SNR, optionally with a progressive
/// spectral compression (fatigue), with the optional contaminations.
struct BurstTrialParams {
  double fs_hz = 2000.0;
  double duration_s = 60.0;
  long n_channels = 1;
  double amplitude = 100e-6;          ///< plateau RMS in volts
  double rise_min_s = 0.02, rise_max_s = 0.2;
  double burst_min_s = 0.5, burst_max_s = 2.0;  ///< onset to offset
  double rest_min_s = 1.0, rest_max_s = 3.0;    ///< between bursts
  double lead_s = 3.0;                ///< quiet time at the start (a baseline window)
  double snr_db = 20.0;               ///< plateau amplitude over the baseline noise RMS
  /// Myoelectric fatigue: the spectral corner scale falls linearly from spectrum.scale at t = 0 to
  /// spectrum.scale * fatigue_scale_end at the end (1 = no fatigue; 0.7 = MDF from ~96 to ~69 Hz).
  double fatigue_scale_end = 1.0;
  EmgModel emg_model = EmgModel::shaped_noise;
  SpectrumShape spectrum;
  MotorUnitPoolParams pool;
  NoiseColor noise_color = NoiseColor::white;
  HumParams hum;
  WanderParams wander;
  EcgParams ecg;
  AdcParams adc{.bits = 16, .range = 10e-3};
  bool quantize = false;
  void validate() const;
  static const ParamTable& describe();
};
SimulatedRecording simulate_bursts(const BurstTrialParams& params, std::uint64_t seed);

}  // namespace emg::simulate
