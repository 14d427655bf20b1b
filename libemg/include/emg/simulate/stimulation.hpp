// Stimulation for the simulator (SCIENCE.md §7.3): pulse trains, the artefact of every pulse
// (spike, exponential tail, polarity, ADC clipping) and the evoked responses (M-wave declining
// along the train, optional F-waves). Every pulse sits exactly on a sample.
#pragma once

#include <emg/params.hpp>
#include <emg/simulate/random.hpp>
#include <emg/truth.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <vector>

namespace emg::simulate {

/// A train of n_pulses at frequency_hz from start_s: t_k = start_s + k / f (+ optional jitter).
struct TrainSpec {
  double start_s = 0.0;
  double frequency_hz = 10.0;
  long n_pulses = 20;
  double jitter_s = 0.0;   ///< SD of a Gaussian timing jitter per pulse (0 = none)
};
/// The pulse onsets in samples, llround(t_k fs_hz), strictly increasing. Requires frequency_hz <=
/// fs_hz/2 (pulses at least 2 samples apart), n_pulses >= 1, start_s >= 0 and jitter_s <= 0.1 /
/// frequency_hz. The jitter is Gaussian truncated at +-min(3 jitter_s, IPI/4) (one draw per pulse,
/// none when jitter_s = 0); a jittered pulse is kept at sample >= 0 and after the previous one.
std::vector<std::int64_t> pulse_samples(const TrainSpec& train, double fs_hz, Rng& rng);

struct ArtifactParams {
  double amplitude = 1.0;            ///< spike peak in units (10-1000x the EMG RMS in the sweeps)
  double amplitude_sd = 0.05;        ///< relative pulse-to-pulse variation
  double pulse_width_us = 150.0;     ///< stimulator pulse width (spike length, at least one sample)
  bool biphasic = true;              ///< charge-balanced: a negative phase follows the spike
  bool alternating_polarity = false; ///< polarity flips every pulse
  double tail_ratio = 0.1;           ///< exponential tail amplitude relative to the spike
  double tail_tau_s = 2e-3;          ///< 0.5-5 ms
  double clip_probability = 0.0;     ///< chance that a pulse saturates the amplifier ...
  double clip_level = 5e-3;          ///< ... at this level in units (the ADC range)
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// F-wave model constants: onset jitter uniform on +-kFwaveJitterS around fwave_latency_s, polyphasic
/// (4-lobe) shape lasting kFwaveDurationRatio x duration_s (at least 3 samples).
inline constexpr double kFwaveJitterS = 1e-3;
inline constexpr double kFwaveDurationRatio = 0.5;

struct MwaveParams {
  double amplitude = 1e-3;           ///< M_max peak-to-peak in units (0 = no M-waves)
  double latency_s = 4e-3;           ///< 3-6 ms
  double duration_s = 12e-3;         ///< 10-15 ms
  double decline = 0.5;              ///< beta: M_k = M_max (1 - beta k / K)
  double amplitude_sd = 0.03;        ///< relative pulse-to-pulse variation
  double fwave_persistence = 0.0;    ///< probability of an F-wave after a pulse (0.2-0.8 when on)
  double fwave_latency_s = 0.050;    ///< 45-55 ms
  double fwave_amplitude_ratio = 0.03;  ///< 1-5 % of M_max
  /// pulse_width_us > 0 also checks latency_s > the stimulator pulse width (the composer passes
  /// ArtifactParams::pulse_width_us; add_mwaves itself does not know it).
  void validate(double fs_hz, double pulse_width_us = 0.0) const;
  static const ParamTable& describe();
};

/// Add the artefact of every pulse to x (sample 0 = t 0) and fill the matching TruthPulse fields
/// (sample, artifact_amplitude, clipped; train_id is left to the caller); `pulses` and `truth` are
/// parallel (truth is resized when empty, else must have one entry per pulse). Per pulse k:
/// spike A_k = s_k amplitude max(0, 1 + amplitude_sd N(0,1)) on W = max(1, llround(pw fs)) samples,
/// s_k = -1 on odd pulses when alternating_polarity; when biphasic -A_k on the next W samples; then
/// the tail s_k tail_ratio A_k exp(-(n - p_k)/(fs tau)) up to p_k + ceil(8 tau fs). Everything stops
/// at the next pulse and at the end of x. With probability clip_probability the pulse saturates:
/// x over its artefact span is clamped to +-clip_level. clipped = |x| exceeded clip_level somewhere
/// in the span (before any clamping), saturating or not. artifact_amplitude = s_k A_k (unclipped).
/// Each pulse draws one normal and one uniform, whatever the parameters.
void add_artifacts(VectorXd& x, double fs_hz, const std::vector<std::int64_t>& pulses, const ArtifactParams& artifact,
                   Rng& rng, std::vector<TruthPulse>& truth);

/// Add the M-wave (and F-wave) evoked by every pulse of one train; fills mwave_sample,
/// mwave_amplitude and fwave_sample. Responses are cut at the end of x.
/// M_k = amplitude (1 - decline k/K) max(0, 1 + amplitude_sd N(0,1)) times mwave_template, onset
/// p_k + llround(latency_s fs) (mwave_sample; -1 when amplitude = 0 or the onset is past the end);
/// mwave_amplitude = peak-to-peak actually added. F-wave with probability fwave_persistence, amplitude
/// fwave_amplitude_ratio x amplitude (peak-to-peak), onset p_k + llround((fwave_latency_s + U(-1,1)
/// kFwaveJitterS) fs); it is dropped (fwave_sample = -1) when its onset is at or after the next
/// pulse's M-wave onset (collision with the next antidromic volley) or past the end of x.
/// Each pulse draws one normal and two uniforms, whatever the parameters.
void add_mwaves(VectorXd& x, double fs_hz, const std::vector<std::int64_t>& pulses, const MwaveParams& mwave, Rng& rng,
                std::vector<TruthPulse>& truth);

/// The biphasic M-wave template (unit peak-to-peak) of the given duration, sampled at fs_hz:
/// N = llround(duration_s fs_hz) >= 3 samples of sin(2 pi u) sin^2(pi u), u = (j + 1/2)/N, scaled
/// to unit peak-to-peak (positive phase first, zero area, antisymmetric about its centre).
VectorXd mwave_template(double duration_s, double fs_hz);

}  // namespace emg::simulate
