// Level A of the simulator (SCIENCE.md §7.1): frequency-domain shaped Gaussian noise with the
// Shwedyk / Farina-Merletti spectrum, amplitude templates and recording contaminations.
#include <emg/simulate/shaped_noise.hpp>

#include "detail/check.hpp"
#include "simulate/detail_fft.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

namespace emg::simulate {

using emg::detail::fail_param;
using emg::detail::fmt;

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr std::string_view kShaped = "shaped_noise";
constexpr std::string_view kBaseline = "baseline_noise";
constexpr std::string_view kBurst = "add_burst";
constexpr std::string_view kAfter = "add_afterdischarge";
constexpr std::string_view kHum = "add_hum";
constexpr std::string_view kWander = "add_wander";
constexpr std::string_view kEcg = "add_ecg";
constexpr std::string_view kQuantize = "quantize";

inline double model(double f, double fl, double fh) {
  const double f2 = f * f, fh2 = fh * fh;
  const double d = f2 + fh2;
  return fh2 * fh2 * f2 / ((f2 + fl * fl) * d * d);
}

void check_length(std::string_view function, long n_samples) {
  if (n_samples < 0) fail_param(function, "n_samples", std::to_string(n_samples), "must be >= 0");
}

std::size_t block_size(double samples, std::size_t max_n) {
  const double want = std::ceil(samples);
  const std::size_t n = want >= static_cast<double>(max_n) ? max_n : detail::next_pow2(static_cast<std::size_t>(want));
  return std::clamp<std::size_t>(n, 256, max_n);
}

/// Gaussian noise shaped block by block. `psd(block, centre_sample, p)` fills p[0 .. N/2] with the
/// one-sided PSD at f_k = k fs / N (any units); each block is scaled to expected variance gain^2.
/// Blocks of N samples start every N - N/4 samples and are cross-faded over N/4 samples with
/// w_in = sin, w_out = cos (w_in^2 + w_out^2 = 1). Two blocks share one complex FFT (real + imag
/// parts), with separate real symmetric filters.
template <class Psd>
VectorXd shape_blocks(long n, std::size_t N, double gain, Rng& rng, Psd&& psd) {
  VectorXd out = VectorXd::Zero(n);
  if (n == 0) return out;
  const std::size_t L = N / 4, hop = N - L, half = N / 2;
  const long n_blocks = n <= static_cast<long>(N) ? 1 : 1 + (n - static_cast<long>(N) + static_cast<long>(hop) - 1) / static_cast<long>(hop);
  const detail::Fft fft(N);
  const detail::UnitRoots fade(8 * L);  // sin / cos of pi/2 (t + 0.5) / L at index 2t + 1
  std::vector<double> re(N), im(N), p(half + 1), g0(half + 1), g1(half + 1);

  const auto filter = [&](long block, std::vector<double>& g) {
    const long centre = std::min(block * static_cast<long>(hop) + static_cast<long>(half), n - 1);
    psd(block, centre, p);
    double total = p[0] + p[half];
    for (std::size_t k = 1; k < half; ++k) total += 2.0 * p[k];
    // y = IFFT(G X) without 1/N: var(y) = sum_k G_k^2 N  ->  G_k = gain sqrt(P_k / (N total))
    const double c = total > 0.0 ? gain * gain / (static_cast<double>(N) * total) : 0.0;
    for (std::size_t k = 0; k <= half; ++k) g[k] = std::sqrt(p[k] * c);
  };
  const auto accumulate = [&](long block, const std::vector<double>& y) {
    const long start = block * static_cast<long>(hop);
    const std::size_t count = static_cast<std::size_t>(std::min<long>(static_cast<long>(N), n - start));
    const bool fade_in = block > 0, fade_out = block < n_blocks - 1;
    double* o = out.data() + start;
    for (std::size_t t = 0; t < count; ++t) {
      double w = 1.0;
      if (fade_in && t < L) w = fade.sin[2 * t + 1];
      else if (fade_out && t >= hop) w = fade.cos[2 * (t - hop) + 1];
      o[t] += w * y[t];
    }
  };

  for (long b0 = 0; b0 < n_blocks; b0 += 2) {
    const bool pair = b0 + 1 < n_blocks;
    for (std::size_t i = 0; i < N; ++i) re[i] = rng.normal();
    if (pair) {
      for (std::size_t i = 0; i < N; ++i) im[i] = rng.normal();
    } else {
      std::fill(im.begin(), im.end(), 0.0);
    }
    filter(b0, g0);
    if (pair) filter(b0 + 1, g1);
    else g1 = g0;
    fft.transform(re.data(), im.data(), false);
    // W = A Z + B conj(Z[-k]), A = (G0 + G1) / 2, B = (G0 - G1) / 2: block 0 stays in the real
    // part and block 1 in the imaginary part of the inverse transform.
    for (std::size_t k = 0; k <= half; ++k) {
      const double a = 0.5 * (g0[k] + g1[k]), bb = 0.5 * (g0[k] - g1[k]);
      const std::size_t m = (N - k) % N;
      const double zr = re[k], zi = im[k], mr = re[m], mi = im[m];
      re[k] = a * zr + bb * mr;
      im[k] = a * zi - bb * mi;
      if (m != k) {
        re[m] = a * mr + bb * zr;
        im[m] = a * mi - bb * zi;
      }
    }
    fft.transform(re.data(), im.data(), true);
    accumulate(b0, re);
    if (pair) accumulate(b0 + 1, im);
  }
  return out;
}

void check_envelope_fs(std::string_view function, double fs_hz) { emg::detail::check_fs(function, fs_hz); }

// First sample index at or after time t (>= 0), clamped to [0, n].
long first_sample_at(double t_s, double fs_hz, long n) {
  const double i = std::ceil(t_s * fs_hz);
  if (!(i > 0.0)) return 0;
  return i >= static_cast<double>(n) ? n : static_cast<long>(i);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Spectrum and shaped noise

void SpectrumShape::validate(double fs_hz) const {
  emg::detail::check_fs(kShaped, fs_hz);
  emg::detail::check_positive(kShaped, "low_corner_hz", low_corner_hz);
  emg::detail::check_positive(kShaped, "high_corner_hz", high_corner_hz);
  emg::detail::check_positive(kShaped, "scale", scale);
  const double nyq = fs_hz / 2.0;
  const auto too_slow = [&](std::string_view param, double corner) {
    fail_param(kShaped, param, fmt(corner),
               "times scale=" + fmt(scale) + " (" + fmt(corner * scale) + " Hz) must be below Nyquist (" + fmt(nyq) +
                   " Hz for fs_hz=" + fmt(fs_hz) + "); sample at > " + fmt(2.0 * corner * scale) +
                   " Hz or lower the corner");
  };
  if (high_corner_hz * scale >= nyq) too_slow("high_corner_hz", high_corner_hz);
  if (low_corner_hz * scale >= nyq) too_slow("low_corner_hz", low_corner_hz);
}

const ParamTable& SpectrumShape::describe() {
  static const ParamTable table = {
      {"low_corner_hz", "Hz", "60", "> 0", "f_l: single pole of the Shwedyk / Farina-Merletti EMG spectrum"},
      {"high_corner_hz", "Hz", "120", "> 0, scale * high_corner_hz < fs_hz/2",
       "f_h: double pole of the spectrum (with the zero at DC, peak near 65 Hz for the defaults)"},
      {"scale", "", "1", "> 0",
       "multiplies both corners; < 1 compresses the spectrum (fatigue, above-threshold cramp): 0.8 moves MNF 115.5 -> 95.9 Hz"},
  };
  return table;
}

double emg_psd_model(double f_hz, const SpectrumShape& shape) {
  return model(f_hz, shape.low_corner_hz * shape.scale, shape.high_corner_hz * shape.scale);
}

VectorXd shaped_noise(long n_samples, double fs_hz, const SpectrumShape& shape, Rng& rng, const VectorXd* scale_per_sample) {
  check_length(kShaped, n_samples);
  shape.validate(fs_hz);
  if (scale_per_sample != nullptr) {
    const VectorXd& s = *scale_per_sample;
    if (s.size() != n_samples) {
      fail_param(kShaped, "scale_per_sample", "size " + std::to_string(s.size()),
                 "must have n_samples=" + std::to_string(n_samples) + " values");
    }
    for (long i = 0; i < s.size(); ++i) {
      if (!std::isfinite(s(i)) || s(i) <= 0.0) {
        fail_param(kShaped, "scale_per_sample", fmt(s(i)) + " at sample " + std::to_string(i), "must be finite and > 0");
      }
    }
    if (n_samples > 0) {
      const double smax = s.maxCoeff();
      const double fh = shape.high_corner_hz * shape.scale * smax, nyq = fs_hz / 2.0;
      if (fh >= nyq || shape.low_corner_hz * shape.scale * smax >= nyq) {
        fail_param(kShaped, "scale_per_sample", "max " + fmt(smax),
                   "times scale * high_corner_hz (" + fmt(fh) + " Hz) must be below Nyquist (" + fmt(nyq) + " Hz)");
      }
    }
  }
  const std::size_t N = block_size(fs_hz, 65536);
  const double df = fs_hz / static_cast<double>(N);
  return shape_blocks(n_samples, N, 1.0, rng, [&](long, long centre, std::vector<double>& p) {
    const double s = shape.scale * (scale_per_sample != nullptr ? (*scale_per_sample)(centre) : 1.0);
    const double fl = shape.low_corner_hz * s, fh = shape.high_corner_hz * s;
    for (std::size_t k = 0; k < p.size(); ++k) p[k] = model(static_cast<double>(k) * df, fl, fh);
  });
}

// ---------------------------------------------------------------------------------------------
// Amplitude templates

void BurstTemplate::validate() const {
  if (!std::isfinite(onset_s)) fail_param(kBurst, "onset_s", fmt(onset_s), "must be finite");
  emg::detail::check_positive(kBurst, "duration_s", duration_s);
  emg::detail::check_nonnegative(kBurst, "rise_s", rise_s);
  emg::detail::check_nonnegative(kBurst, "fall_s", fall_s);
  emg::detail::check_nonnegative(kBurst, "amplitude", amplitude);
  if (rise_s + fall_s > duration_s) {
    fail_param(kBurst, "rise_s", fmt(rise_s), "plus fall_s=" + fmt(fall_s) + " must be <= duration_s=" + fmt(duration_s));
  }
}

void add_burst(VectorXd& envelope, double fs_hz, const BurstTemplate& burst) {
  check_envelope_fs(kBurst, fs_hz);
  burst.validate();
  const long n = envelope.size();
  const long i0 = first_sample_at(burst.onset_s, fs_hz, n);
  const long i1 = first_sample_at(burst.onset_s + burst.duration_s, fs_hz, n);
  const bool cosine = burst.ramp == RampShape::raised_cosine;
  const auto ramp = [&](double r) { return cosine ? 0.5 * (1.0 - std::cos(std::numbers::pi * r)) : r; };
  const double fall_start = burst.duration_s - burst.fall_s;
  for (long i = i0; i < i1; ++i) {
    const double u = static_cast<double>(i) / fs_hz - burst.onset_s;
    if (u < 0.0 || u >= burst.duration_s) continue;
    double a = 1.0;
    if (u < burst.rise_s) a = ramp(u / burst.rise_s);
    if (u > fall_start) a = std::min(a, ramp((burst.duration_s - u) / burst.fall_s));
    envelope(i) += burst.amplitude * a;
  }
}

void AfterdischargeTemplate::validate() const {
  if (!std::isfinite(onset_s)) fail_param(kAfter, "onset_s", fmt(onset_s), "must be finite");
  emg::detail::check_positive(kAfter, "duration_s", duration_s);
  emg::detail::check_nonnegative(kAfter, "amplitude", amplitude);
  emg::detail::check_positive(kAfter, "rise_tau_s", rise_tau_s);
  emg::detail::check_positive(kAfter, "decay_tau_s", decay_tau_s);
  if (!(modulation_depth >= 0.0 && modulation_depth <= 1.0)) {
    fail_param(kAfter, "modulation_depth", fmt(modulation_depth), "must be in [0, 1] (the envelope must stay >= 0)");
  }
  emg::detail::check_nonnegative(kAfter, "modulation_hz", modulation_hz);
  if (!std::isfinite(modulation_phase_rad)) fail_param(kAfter, "modulation_phase_rad", fmt(modulation_phase_rad), "must be finite");
  emg::detail::check_nonnegative(kAfter, "end_taper_s", end_taper_s);
  if (end_taper_s > duration_s) {
    fail_param(kAfter, "end_taper_s", fmt(end_taper_s), "must be <= duration_s=" + fmt(duration_s));
  }
}

void add_afterdischarge(VectorXd& envelope, double fs_hz, const AfterdischargeTemplate& ad) {
  check_envelope_fs(kAfter, fs_hz);
  ad.validate();
  const double tr = ad.rise_tau_s, td = ad.decay_tau_s;
  const double g_peak = td / (tr + td) * std::pow(tr / (tr + td), tr / td);
  const double a0 = ad.amplitude / g_peak;
  const double half_taper = 0.5 * ad.end_taper_s;
  const double u_end = ad.duration_s + half_taper;
  const long n = envelope.size();
  const long i0 = first_sample_at(ad.onset_s, fs_hz, n);
  const long i1 = std::min(n, first_sample_at(ad.onset_s + u_end, fs_hz, n) + 1);
  for (long i = i0; i < i1; ++i) {
    const double t = static_cast<double>(i) / fs_hz;
    const double u = t - ad.onset_s;
    if (u < 0.0) continue;
    double taper = 1.0;
    if (ad.end_taper_s > 0.0) {
      const double v = u - (ad.duration_s - half_taper);
      if (v >= ad.end_taper_s) continue;
      if (v > 0.0) taper = 0.5 * (1.0 + std::cos(std::numbers::pi * v / ad.end_taper_s));
    } else if (u >= ad.duration_s) {
      continue;
    }
    const double g = -std::expm1(-u / tr) * std::exp(-u / td);
    const double mod = 1.0 + ad.modulation_depth * std::sin(kTwoPi * ad.modulation_hz * t + ad.modulation_phase_rad);
    envelope(i) += a0 * g * mod * taper;
  }
}

// ---------------------------------------------------------------------------------------------
// Baseline noise

VectorXd baseline_noise(long n_samples, double fs_hz, NoiseColor color, double rms, Rng& rng) {
  check_length(kBaseline, n_samples);
  emg::detail::check_fs(kBaseline, fs_hz);
  emg::detail::check_nonnegative(kBaseline, "rms", rms);
  if (color == NoiseColor::white) {
    VectorXd x(n_samples);
    for (long i = 0; i < n_samples; ++i) x(i) = rms * rng.normal();
    return x;
  }
  // pink: 1 / max(f, 0.5 Hz), 0 at DC; blocks of >= 4 s so the 0.5 Hz knee is resolved
  const std::size_t N = block_size(4.0 * fs_hz, std::size_t{1} << 20);
  const double df = fs_hz / static_cast<double>(N);
  return shape_blocks(n_samples, N, rms, rng, [&](long, long, std::vector<double>& p) {
    p[0] = 0.0;
    for (std::size_t k = 1; k < p.size(); ++k) p[k] = 1.0 / std::max(static_cast<double>(k) * df, 0.5);
  });
}

// ---------------------------------------------------------------------------------------------
// Mains hum

void HumParams::validate(double fs_hz) const {
  emg::detail::check_fs(kHum, fs_hz);
  emg::detail::check_positive(kHum, "line_hz", line_hz);
  emg::detail::check_nonnegative(kHum, "amplitude", amplitude);
  emg::detail::check_nonnegative(kHum, "drift_hz", drift_hz);
  if (drift_hz >= line_hz) fail_param(kHum, "drift_hz", fmt(drift_hz), "must be < line_hz=" + fmt(line_hz));
  emg::detail::check_positive(kHum, "drift_time_s", drift_time_s);
  if (n_harmonics < 1) fail_param(kHum, "n_harmonics", std::to_string(n_harmonics), "must be >= 1");
  emg::detail::check_nonnegative(kHum, "harmonic_decay", harmonic_decay);
  const double nyq = fs_hz / 2.0;
  if (line_hz + drift_hz >= nyq) {
    fail_param(kHum, "line_hz", fmt(line_hz),
               "plus drift_hz=" + fmt(drift_hz) + " must be below Nyquist (" + fmt(nyq) + " Hz for fs_hz=" + fmt(fs_hz) + ")");
  }
}

const ParamTable& HumParams::describe() {
  static const ParamTable table = {
      {"line_hz", "Hz", "50", "(0, fs_hz/2 - drift_hz)", "mains fundamental (50 or 60 Hz)"},
      {"amplitude", "units", "0", ">= 0", "amplitude of the fundamental (0 = no hum)"},
      {"n_harmonics", "", "5", ">= 1", "number of harmonics including the fundamental; those at or above Nyquist are skipped"},
      {"harmonic_decay", "", "0.5", ">= 0", "amplitude of each harmonic relative to the previous one"},
      {"drift_hz", "Hz", "0.2", "[0, line_hz)", "bound of the slow random drift of the fundamental"},
      {"drift_time_s", "s", "10", "> 0", "time scale of the drift (random-walk SD drift_hz over drift_time_s)"},
  };
  return table;
}

void add_hum(VectorXd& x, double fs_hz, const HumParams& hum, Rng& rng) {
  hum.validate(fs_hz);
  if (hum.amplitude == 0.0 || x.size() == 0) return;
  const long n = x.size();
  const double nyq = fs_hz / 2.0;
  // harmonic amplitudes and phases (all drawn, including skipped ones, so the draws do not depend on fs)
  std::vector<double> amp, phase0;
  double a = hum.amplitude;
  const double phase1 = rng.uniform(0.0, kTwoPi);
  for (int h = 1; h <= hum.n_harmonics; ++h, a *= hum.harmonic_decay) {
    const double ph = h == 1 ? 0.0 : rng.uniform(0.0, kTwoPi);
    if (static_cast<double>(h) * (hum.line_hz + hum.drift_hz) >= nyq) continue;
    amp.push_back(a);
    phase0.push_back(ph);
  }
  // drift knots: reflected random walk bounded to +-drift_hz
  const double knot_s = hum.drift_time_s / 8.0;
  const double duration = static_cast<double>(n) / fs_hz;
  const long n_knots = static_cast<long>(std::floor(duration / knot_s)) + 2;
  const double bound = hum.drift_hz, step_sd = hum.drift_hz / std::sqrt(8.0);
  std::vector<double> knots(static_cast<std::size_t>(n_knots));
  knots[0] = rng.uniform(-bound, bound);
  for (std::size_t k = 1; k < knots.size(); ++k) {
    double d = knots[k - 1] + step_sd * rng.normal();
    for (int r = 0; r < 64 && (d > bound || d < -bound); ++r) d = d > bound ? 2.0 * bound - d : -2.0 * bound - d;
    knots[k] = std::clamp(d, -bound, bound);
  }
  double phase = phase1;
  const double knots_per_sample = 1.0 / (knot_s * fs_hz);
  for (long i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::size_t h = 0; h < amp.size(); ++h) s += amp[h] * std::sin(static_cast<double>(h + 1) * phase + phase0[h]);
    x(i) += s;
    const double q = static_cast<double>(i) * knots_per_sample;
    const auto k = static_cast<std::size_t>(q);
    const double frac = q - static_cast<double>(k);
    const double f = hum.line_hz + knots[k] + frac * (knots[k + 1] - knots[k]);
    phase += kTwoPi * f / fs_hz;
    if (phase >= kTwoPi) phase -= kTwoPi;
  }
}

// ---------------------------------------------------------------------------------------------
// Baseline wander

void WanderParams::validate(double fs_hz) const {
  emg::detail::check_fs(kWander, fs_hz);
  emg::detail::check_nonnegative(kWander, "amplitude", amplitude);
  emg::detail::check_positive(kWander, "max_hz", max_hz);
  if (max_hz >= fs_hz / 2.0) {
    fail_param(kWander, "max_hz", fmt(max_hz), "must be below Nyquist (" + fmt(fs_hz / 2.0) + " Hz for fs_hz=" + fmt(fs_hz) + ")");
  }
}

const ParamTable& WanderParams::describe() {
  static const ParamTable table = {
      {"amplitude", "units", "0", ">= 0", "peak |value| of the baseline wander over the signal (0 = none)"},
      {"max_hz", "Hz", "0.5", "(0, fs_hz/2)", "highest frequency of its 4 sinusoids (drawn in [0.1 max_hz, max_hz])"},
  };
  return table;
}

void add_wander(VectorXd& x, double fs_hz, const WanderParams& wander, Rng& rng) {
  wander.validate(fs_hz);
  if (wander.amplitude == 0.0 || x.size() == 0) return;
  constexpr int kComponents = 4;
  double f[kComponents], w[kComponents], ph[kComponents];
  for (int c = 0; c < kComponents; ++c) {
    f[c] = rng.uniform(0.1 * wander.max_hz, wander.max_hz);
    w[c] = rng.uniform(0.5, 1.0);
    ph[c] = rng.uniform(0.0, kTwoPi);
  }
  VectorXd s(x.size());
  for (long i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / fs_hz;
    double v = 0.0;
    for (int c = 0; c < kComponents; ++c) v += w[c] * std::sin(kTwoPi * f[c] * t + ph[c]);
    s(i) = v;
  }
  const double peak = s.cwiseAbs().maxCoeff();
  if (peak > 0.0) x += (wander.amplitude / peak) * s;
}

// ---------------------------------------------------------------------------------------------
// ECG

void EcgParams::validate(double fs_hz) const {
  emg::detail::check_fs(kEcg, fs_hz);
  emg::detail::check_nonnegative(kEcg, "amplitude", amplitude);
  if (!(heart_rate_bpm >= 20.0 && heart_rate_bpm <= 250.0)) {
    fail_param(kEcg, "heart_rate_bpm", fmt(heart_rate_bpm), "must be in [20, 250]");
  }
  emg::detail::check_nonnegative(kEcg, "hrv_sd_s", hrv_sd_s);
}

const ParamTable& EcgParams::describe() {
  static const ParamTable table = {
      {"amplitude", "units", "0", ">= 0", "R-peak amplitude of the ECG contamination (0 = none)"},
      {"heart_rate_bpm", "1/min", "70", "[20, 250]", "mean heart rate; mean RR = 60 / heart_rate_bpm"},
      {"hrv_sd_s", "s", "0.03", ">= 0", "SD of the RR interval (normal, truncated to +-50 % of the mean)"},
  };
  return table;
}

std::vector<std::int64_t> add_ecg(VectorXd& x, double fs_hz, const EcgParams& ecg, Rng& rng) {
  ecg.validate(fs_hz);
  std::vector<std::int64_t> peaks;
  if (ecg.amplitude == 0.0 || x.size() == 0) return peaks;
  // P, Q, R, S, T as Gaussian waves: offset from R (s), relative amplitude, SD (s)
  struct Wave { double offset_s, amp, sd_s; };
  static constexpr Wave kWaves[] = {
      {-0.20, 0.12, 0.025}, {-0.03, -0.12, 0.010}, {0.0, 1.0, 0.010}, {0.03, -0.22, 0.010}, {0.28, 0.30, 0.045}};
  double at_r = 0.0;
  for (const Wave& wv : kWaves) at_r += wv.amp * std::exp(-0.5 * (wv.offset_s / wv.sd_s) * (wv.offset_s / wv.sd_s));
  const double gain = ecg.amplitude / at_r;
  const long n = x.size();
  const double rr_mean = 60.0 / ecg.heart_rate_bpm;
  double t = rng.uniform() * rr_mean;
  for (;;) {
    const double r_sample = std::round(t * fs_hz);
    if (r_sample >= static_cast<double>(n)) break;
    const auto r = static_cast<long>(r_sample);
    peaks.push_back(r);
    for (const Wave& wv : kWaves) {
      const double centre = static_cast<double>(r) + wv.offset_s * fs_hz;  // in samples
      const double reach = 5.0 * wv.sd_s * fs_hz;
      const long lo = std::max(0L, static_cast<long>(std::ceil(centre - reach)));
      const long hi = std::min(n - 1, static_cast<long>(std::floor(centre + reach)));
      const double inv = 1.0 / (wv.sd_s * fs_hz);
      for (long i = lo; i <= hi; ++i) {
        const double z = (static_cast<double>(i) - centre) * inv;
        x(i) += gain * wv.amp * std::exp(-0.5 * z * z);
      }
    }
    t += rng.truncated_normal(rr_mean, ecg.hrv_sd_s, 0.5 * rr_mean, 1.5 * rr_mean);
  }
  return peaks;
}

// ---------------------------------------------------------------------------------------------
// ADC

void AdcParams::validate() const {
  if (bits < 8 || bits > 24) fail_param(kQuantize, "bits", std::to_string(bits), "must be in 8..24");
  emg::detail::check_positive(kQuantize, "range", range);
}

const ParamTable& AdcParams::describe() {
  static const ParamTable table = {
      {"bits", "", "16", "8..24", "ADC resolution; codes -2^(bits-1) .. 2^(bits-1) - 1"},
      {"range", "units", "0.005", "> 0", "full-scale amplitude: the ADC spans [-range, +range); beyond it samples clip"},
  };
  return table;
}

double AdcParams::conversion() const { return std::ldexp(range, 1 - bits); }
double AdcParams::digital_min() const { return -std::ldexp(1.0, bits - 1); }
double AdcParams::digital_max() const { return std::ldexp(1.0, bits - 1) - 1.0; }

long quantize(VectorXd& x, const AdcParams& adc) {
  adc.validate();
  const double conv = adc.conversion(), lo = adc.digital_min(), hi = adc.digital_max();
  for (long i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x(i))) fail_param(kQuantize, "x", fmt(x(i)) + " at sample " + std::to_string(i), "must be finite");
  }
  long clipped = 0;
  for (long i = 0; i < x.size(); ++i) {
    double c = std::round(x(i) / conv);
    if (c > hi) {
      c = hi;
      ++clipped;
    } else if (c < lo) {
      c = lo;
      ++clipped;
    }
    x(i) = (c + 0.0) * conv;  // + 0.0 turns a -0 count into +0, so count * conversion + 0 is bit-exact
  }
  return clipped;
}

}  // namespace emg::simulate
