// Level A of the simulator (SCIENCE.md §7.1): surface EMG as amplitude-modulated Gaussian noise
// with the Shwedyk / Farina-Merletti spectrum, plus the contaminations of a real recording
// (baseline noise, mains hum with harmonics and drift, baseline wander, ECG, ADC quantisation).
// Every generator takes an Rng and gives the same numbers for the same seed on every platform.
#pragma once

#include <emg/params.hpp>
#include <emg/simulate/random.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <vector>

namespace emg::simulate {

/// P(f) = k f_h^4 f^2 / ((f^2 + f_l^2)(f^2 + f_h^2)^2) with both corners multiplied by `scale`
/// (scale < 1 = fatigue / above-threshold cramp compression).
struct SpectrumShape {
  double low_corner_hz = 60.0;    ///< f_l
  double high_corner_hz = 120.0;  ///< f_h (double pole)
  double scale = 1.0;             ///< s, multiplies both corners
  /// Corners and scale finite and > 0; scale * high_corner_hz (and scale * low_corner_hz) below
  /// Nyquist.
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// The model PSD at f_hz with k = 1 (one-sided, arbitrary units). No validation (hot path).
double emg_psd_model(double f_hz, const SpectrumShape& shape);

/// Unit-variance Gaussian noise whose PSD follows emg_psd_model, shaped in the frequency domain
/// (exact to the model at every bin up to Nyquist; our own FFT so the bytes do not depend on the
/// FFT library or the CPU). Made in blocks of N = next power of two >= fs_hz (clamped to
/// 256..65536) samples: white Gaussian noise -> FFT -> sqrt(P(f)) -> inverse FFT, normalised so
/// that the expected variance is 1 (from the discrete PSD sum, not the realisation's variance).
/// Consecutive blocks overlap by N/4 samples joined with a sin/cos cross-fade (w1^2 + w2^2 = 1).
/// `scale_per_sample`, when given (size n_samples, values > 0), multiplies shape.scale over time;
/// each block uses the value at its centre sample (slow changes only).
VectorXd shaped_noise(long n_samples, double fs_hz, const SpectrumShape& shape, Rng& rng,
                      const VectorXd* scale_per_sample = nullptr);

/// Shape of the burst's rise and fall.
enum class RampShape { linear, raised_cosine };

/// Trapezoidal amplitude template of a voluntary burst: 0 before onset, linear (or raised-cosine)
/// rise over rise_s to `amplitude`, plateau, fall over fall_s, 0 after onset + duration_s.
/// With u = t - onset_s: rise a = A u / rise_s (raised cosine: A (1 - cos(pi u / rise_s)) / 2) for
/// 0 <= u < rise_s; A on the plateau; fall a = A (duration_s - u) / fall_s (or its raised cosine)
/// for duration_s - fall_s < u < duration_s; 0 otherwise.
struct BurstTemplate {
  double onset_s = 0.0;
  double duration_s = 1.0;  ///< onset to end of the fall
  double rise_s = 0.05;     ///< 20-200 ms in the validation sweeps
  double fall_s = 0.05;
  double amplitude = 1.0;   ///< plateau RMS in units
  RampShape ramp = RampShape::linear;
  /// amplitude >= 0, duration_s > 0, rise_s, fall_s >= 0 with rise_s + fall_s <= duration_s.
  void validate() const;
};
/// Add the template to `envelope` (sampled at fs_hz, sample 0 at t = 0).
void add_burst(VectorXd& envelope, double fs_hz, const BurstTemplate& burst);

/// Cramp afterdischarge (SCIENCE.md §7.1):
///   a(t) = A [1 - exp(-(t - t0)/tau_r)] exp(-(t - t0)/tau_d) [1 + m sin(2 pi f_m t + phi)]
/// for t >= t0, ended by a raised-cosine taper of `end_taper_s` at t0 + duration_s (the cramp
/// self-extinguishes). t is the time from the start of the signal (so phi is the modulation phase
/// at t = 0), u = t - t0. `amplitude` is the peak of a(t) without modulation, i.e. A = amplitude /
/// g* with g* = max_u (1 - exp(-u/tau_r)) exp(-u/tau_d) = tau_d/(tau_r+tau_d) (tau_r/(tau_r+tau_d))^(tau_r/tau_d).
/// Taper: factor (1 + cos(pi (u - duration_s + end_taper_s/2) / end_taper_s)) / 2 for
/// |u - duration_s| < end_taper_s / 2, 0 beyond (end_taper_s = 0: a hard stop at u = duration_s).
struct AfterdischargeTemplate {
  double onset_s = 0.0;          ///< t0 (end of the train)
  double duration_s = 20.0;      ///< onset to the middle of the end taper (= truth offset)
  double amplitude = 1.0;        ///< peak RMS in units
  double rise_tau_s = 0.2;       ///< tau_r, 0.1-0.5 s
  double decay_tau_s = 15.0;     ///< tau_d, 5-30 s
  double modulation_depth = 0.2; ///< m, 0.1-0.3
  double modulation_hz = 1.4;    ///< common-drive peak (Minetto 2009)
  double modulation_phase_rad = 0.0;
  double end_taper_s = 0.2;
  /// amplitude >= 0; duration_s, rise_tau_s, decay_tau_s > 0; 0 <= modulation_depth <= 1;
  /// modulation_hz >= 0; 0 <= end_taper_s <= duration_s.
  void validate() const;
};
void add_afterdischarge(VectorXd& envelope, double fs_hz, const AfterdischargeTemplate& ad);

enum class NoiseColor { white, pink };

/// Zero-mean Gaussian noise of the given (expected) RMS: white, or pink (PSD 1/f above 0.5 Hz,
/// flat below, 0 at DC; shaped like shaped_noise with blocks of next_pow2(4 fs_hz) samples).
VectorXd baseline_noise(long n_samples, double fs_hz, NoiseColor color, double rms, Rng& rng);

/// Mains hum: sum over harmonics h = 1..n of amplitude * harmonic_decay^(h-1) * sin(phase_h(t)),
/// with the fundamental drifting slowly (a random walk bounded to +- drift_hz, phase-continuous).
struct HumParams {
  double line_hz = 50.0;
  double amplitude = 0.0;       ///< fundamental amplitude in units (0 = none, nothing drawn)
  int n_harmonics = 5;          ///< harmonics at or above Nyquist are skipped
  double harmonic_decay = 0.5;  ///< each harmonic's amplitude relative to the previous one
  double drift_hz = 0.2;        ///< +- bound of the frequency drift
  double drift_time_s = 10.0;   ///< time scale of the drift
  /// line_hz > 0, line_hz + drift_hz < fs/2, 0 <= drift_hz < line_hz, amplitude >= 0,
  /// n_harmonics >= 1, harmonic_decay >= 0, drift_time_s > 0.
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};
/// The drift is a reflected random walk of the fundamental's offset at knots every drift_time_s/8
/// (step SD drift_hz / sqrt(8)), linearly interpolated, so |f(t) - line_hz| <= drift_hz; harmonic h
/// has phase h * phase_1(t) + phi_h (random phi_h) and is skipped when h (line_hz + drift_hz) >= fs/2.
void add_hum(VectorXd& x, double fs_hz, const HumParams& hum, Rng& rng);

/// Baseline wander: a sum of 4 slow sinusoids (random frequency in [0.1 max_hz, max_hz], random
/// weight and phase), scaled so that its peak |value| over the signal is exactly `amplitude`.
struct WanderParams {
  double amplitude = 0.0;  ///< peak amplitude in units (0 = none, nothing drawn)
  double max_hz = 0.5;
  /// amplitude >= 0, 0 < max_hz < fs/2.
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};
void add_wander(VectorXd& x, double fs_hz, const WanderParams& wander, Rng& rng);

/// ECG contamination: a P-QRS-T template of Gaussian waves repeated at RR intervals with heart-rate
/// variability; as seen on trunk and proximal-limb EMG. RR ~ normal(60/heart_rate_bpm, hrv_sd_s)
/// truncated to +-50 % of the mean; the first R peak is uniform in [0, RR); R peaks sit exactly on
/// samples (the template is normalised so that its value at the R peak is `amplitude`).
struct EcgParams {
  double amplitude = 0.0;        ///< R-peak amplitude in units (0 = none, nothing drawn, no peaks)
  double heart_rate_bpm = 70.0;
  double hrv_sd_s = 0.03;        ///< SD of the RR interval
  /// amplitude >= 0, 20 <= heart_rate_bpm <= 250, hrv_sd_s >= 0.
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};
/// Adds the ECG and returns the R-peak samples (those inside the signal).
std::vector<std::int64_t> add_ecg(VectorXd& x, double fs_hz, const EcgParams& ecg, Rng& rng);

/// An ideal ADC: `bits` over [-range, +range) in units; values beyond the range clip to the
/// extreme codes. counts = round(x / conversion), conversion = 2 range / 2^bits.
struct AdcParams {
  int bits = 16;              ///< 8..24
  double range = 5e-3;        ///< full-scale amplitude in units (e.g. 5 mV)
  void validate() const;
  static const ParamTable& describe();
  double conversion() const;  ///< units per count
  double digital_min() const; ///< -2^(bits-1)
  double digital_max() const; ///< 2^(bits-1) - 1
};
/// Quantise in place (x becomes count * conversion, count = round half away from zero, clipped to
/// [digital_min, digital_max]); returns the number of clipped samples. Non-finite x is an error.
long quantize(VectorXd& x, const AdcParams& adc);

}  // namespace emg::simulate
