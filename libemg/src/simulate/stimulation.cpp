// Stimulation for the simulator (SCIENCE.md §7.3): pulse trains on exact samples, per-pulse
// artefacts (spike, charge-balancing phase, exponential tail, polarity, ADC clipping) and the
// evoked M-waves / F-waves, each with its ground truth.
#include <emg/errors.hpp>
#include <emg/simulate/stimulation.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace emg::simulate {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kPulses = "pulse_samples";
constexpr std::string_view kArtifacts = "add_artifacts";
constexpr std::string_view kMwaves = "add_mwaves";
constexpr std::string_view kTemplate = "mwave_template";
constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxSampleIndex = 9007199254740992.0;  // 2^53: beyond this doubles skip integers

void check_unit_interval(std::string_view function, std::string_view param, double value) {
  if (!std::isfinite(value) || value < 0.0 || value > 1.0) fail_param(function, param, fmt(value), "must be in [0, 1]");
}

/// Samples of a template of duration_s (llround), validated to be more than 2.
Eigen::Index template_length(std::string_view function, std::string_view param, double duration_s, double fs_hz) {
  detail::check_positive(function, param, duration_s);
  const double n = duration_s * fs_hz;
  if (!(n < kMaxSampleIndex) || std::llround(n) < 3) {
    fail_param(function, param, fmt(duration_s),
               "must span more than 2 samples at fs_hz=" + fmt(fs_hz) + " (>= " + fmt(2.5 / fs_hz) + " s)");
  }
  return static_cast<Eigen::Index>(std::llround(n));
}

/// sin(2 pi lobes/2 u) sin^2(pi u) at u = (j + 1/2)/N, scaled to unit peak-to-peak. lobes = 2 gives
/// the biphasic M-wave, lobes = 4 the polyphasic F-wave; both are antisymmetric (zero area).
VectorXd lobed_template(Eigen::Index n, int lobes) {
  VectorXd t(n);
  const double nd = static_cast<double>(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double u = (static_cast<double>(j) + 0.5) / nd;
    const double s = std::sin(kPi * u);
    t[j] = std::sin(kPi * static_cast<double>(lobes) * u) * s * s;
  }
  const double p2p = t.maxCoeff() - t.minCoeff();
  t /= p2p;
  return t;
}

void check_pulses(std::string_view function, const std::vector<std::int64_t>& pulses, Eigen::Index n_samples) {
  for (std::size_t k = 0; k < pulses.size(); ++k) {
    const std::string name = "pulses[" + std::to_string(k) + "]";
    if (pulses[k] < 0 || pulses[k] >= n_samples) {
      fail_param(function, name, std::to_string(pulses[k]),
                 "must be in [0, n_samples=" + std::to_string(n_samples) + ") (a sample of x)");
    }
    if (k > 0 && pulses[k] <= pulses[k - 1]) {
      fail_param(function, name, std::to_string(pulses[k]),
                 "must be > pulses[" + std::to_string(k - 1) + "]=" + std::to_string(pulses[k - 1]) +
                     " (pulses strictly increasing)");
    }
  }
}

void prepare_truth(std::string_view function, const std::vector<std::int64_t>& pulses, std::vector<TruthPulse>& truth) {
  if (truth.empty()) {
    truth.resize(pulses.size());
  } else if (truth.size() != pulses.size()) {
    fail_param(function, "truth", "size " + std::to_string(truth.size()),
               "must be empty or have one entry per pulse (" + std::to_string(pulses.size()) + ")");
  }
  for (std::size_t k = 0; k < pulses.size(); ++k) truth[k].sample = pulses[k];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Pulse train

std::vector<std::int64_t> pulse_samples(const TrainSpec& train, double fs_hz, Rng& rng) {
  detail::check_fs(kPulses, fs_hz);
  if (!std::isfinite(train.start_s) || train.start_s < 0.0) {
    fail_param(kPulses, "start_s", fmt(train.start_s), "must be finite and >= 0");
  }
  detail::check_positive(kPulses, "frequency_hz", train.frequency_hz);
  if (train.frequency_hz > fs_hz / 2.0) {
    fail_param(kPulses, "frequency_hz", fmt(train.frequency_hz),
               "must be <= fs_hz/2 = " + fmt(fs_hz / 2.0) + " Hz for fs_hz=" + fmt(fs_hz) +
                   " so that consecutive pulses fall at least 2 samples apart");
  }
  if (train.n_pulses < 1) fail_param(kPulses, "n_pulses", std::to_string(train.n_pulses), "must be >= 1");
  detail::check_nonnegative(kPulses, "jitter_s", train.jitter_s);
  const double ipi_s = 1.0 / train.frequency_hz;
  if (train.jitter_s > 0.1 * ipi_s) {
    fail_param(kPulses, "jitter_s", fmt(train.jitter_s),
               "must be <= 0.1/frequency_hz = " + fmt(0.1 * ipi_s) + " s (10 % of the inter-pulse interval)");
  }
  const double last = (train.start_s + static_cast<double>(train.n_pulses - 1) * ipi_s + 0.25 * ipi_s) * fs_hz;
  if (!(last < kMaxSampleIndex)) {
    fail_param(kPulses, "n_pulses", std::to_string(train.n_pulses),
               "puts the last pulse beyond sample 2^53 (start_s=" + fmt(train.start_s) + ", frequency_hz=" +
                   fmt(train.frequency_hz) + ", fs_hz=" + fmt(fs_hz) + ")");
  }

  const double limit_s = std::min(3.0 * train.jitter_s, 0.25 * ipi_s);
  std::vector<std::int64_t> out(static_cast<std::size_t>(train.n_pulses));
  for (long k = 0; k < train.n_pulses; ++k) {
    double t = train.start_s + static_cast<double>(k) / train.frequency_hz;
    if (train.jitter_s > 0.0) t += rng.truncated_normal(0.0, train.jitter_s, -limit_s, limit_s);
    std::int64_t s = std::llround(t * fs_hz);
    if (s < 0) s = 0;
    // Jitter is bounded to IPI/4 and IPI >= 2 samples, so this only guards rounding corner cases.
    if (k > 0 && s <= out[static_cast<std::size_t>(k - 1)]) s = out[static_cast<std::size_t>(k - 1)] + 1;
    out[static_cast<std::size_t>(k)] = s;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Artefacts

void ArtifactParams::validate(double fs_hz) const {
  detail::check_fs(kArtifacts, fs_hz);
  detail::check_nonnegative(kArtifacts, "amplitude", amplitude);
  check_unit_interval(kArtifacts, "amplitude_sd", amplitude_sd);
  if (!std::isfinite(pulse_width_us) || pulse_width_us <= 0.0 || pulse_width_us > 10000.0) {
    fail_param(kArtifacts, "pulse_width_us", fmt(pulse_width_us), "must be in (0, 10000] (at most 10 ms)");
  }
  detail::check_nonnegative(kArtifacts, "tail_ratio", tail_ratio);
  detail::check_positive(kArtifacts, "tail_tau_s", tail_tau_s);
  if (tail_tau_s * fs_hz * 8.0 > 1e9) {
    fail_param(kArtifacts, "tail_tau_s", fmt(tail_tau_s), "must be <= " + fmt(1e9 / (8.0 * fs_hz)) + " s (8 tau <= 1e9 samples)");
  }
  check_unit_interval(kArtifacts, "clip_probability", clip_probability);
  detail::check_positive(kArtifacts, "clip_level", clip_level);
}

const ParamTable& ArtifactParams::describe() {
  static const ParamTable table = {
      {"amplitude", "units", "1", ">= 0", "peak of the stimulus spike (10-1000x the EMG RMS)"},
      {"amplitude_sd", "", "0.05", "[0, 1]", "relative pulse-to-pulse SD of the spike peak (Gaussian, clamped at 0)"},
      {"pulse_width_us", "us", "150", "(0, 10000]", "stimulator pulse width; the spike lasts max(1 sample, this)"},
      {"biphasic", "", "true", "true|false", "a charge-balancing phase of opposite sign and equal width follows the spike"},
      {"alternating_polarity", "", "false", "true|false", "the polarity flips on every other pulse"},
      {"tail_ratio", "", "0.1", ">= 0", "amplitude of the exponential tail relative to the spike peak"},
      {"tail_tau_s", "s", "0.002", "> 0", "time constant of the tail (0.5-5 ms); cut at the next pulse or after 8 tau"},
      {"clip_probability", "", "0", "[0, 1]", "chance that a pulse saturates the amplifier (x clamped to +-clip_level)"},
      {"clip_level", "units", "0.005", "> 0", "ADC range; pulses whose artefact exceeds it are flagged clipped"},
  };
  return table;
}

void add_artifacts(VectorXd& x, double fs_hz, const std::vector<std::int64_t>& pulses, const ArtifactParams& artifact,
                   Rng& rng, std::vector<TruthPulse>& truth) {
  artifact.validate(fs_hz);
  const Eigen::Index n = x.size();
  check_pulses(kArtifacts, pulses, n);
  prepare_truth(kArtifacts, pulses, truth);

  const Eigen::Index width =
      std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(artifact.pulse_width_us * 1e-6 * fs_hz)));
  const Eigen::Index spike_len = artifact.biphasic ? 2 * width : width;
  const Eigen::Index tail_len = static_cast<Eigen::Index>(std::ceil(8.0 * artifact.tail_tau_s * fs_hz));
  const double step = std::exp(-1.0 / (fs_hz * artifact.tail_tau_s));
  const double level = artifact.clip_level;

  for (std::size_t k = 0; k < pulses.size(); ++k) {
    const double gauss = rng.normal();
    const double u_clip = rng.uniform();
    const double sign = (artifact.alternating_polarity && k % 2 == 1) ? -1.0 : 1.0;
    const double peak = sign * artifact.amplitude * std::max(0.0, 1.0 + artifact.amplitude_sd * gauss);
    const Eigen::Index p = pulses[k];
    Eigen::Index end = p + std::max(spike_len, tail_len);
    if (k + 1 < pulses.size()) end = std::min<Eigen::Index>(end, pulses[k + 1]);
    end = std::min(end, n);

    const Eigen::Index spike_end = std::min(p + width, end);
    for (Eigen::Index i = p; i < spike_end; ++i) x[i] += peak;
    const Eigen::Index neg_end = artifact.biphasic ? std::min(p + 2 * width, end) : spike_end;
    for (Eigen::Index i = spike_end; i < neg_end; ++i) x[i] -= peak;
    if (artifact.tail_ratio > 0.0 && neg_end < end) {
      double v = artifact.tail_ratio * peak * std::exp(-static_cast<double>(neg_end - p) / (fs_hz * artifact.tail_tau_s));
      for (Eigen::Index i = neg_end; i < end; ++i) {
        x[i] += v;
        v *= step;
      }
    }

    bool exceeded = false;
    if (u_clip < artifact.clip_probability) {
      for (Eigen::Index i = p; i < end; ++i) {
        if (x[i] > level) {
          x[i] = level;
          exceeded = true;
        } else if (x[i] < -level) {
          x[i] = -level;
          exceeded = true;
        }
      }
    } else {
      for (Eigen::Index i = p; i < end && !exceeded; ++i) exceeded = std::abs(x[i]) > level;
    }
    truth[k].artifact_amplitude = peak;
    truth[k].clipped = exceeded;
  }
}

// ---------------------------------------------------------------------------------------------
// M-waves and F-waves

void MwaveParams::validate(double fs_hz, double pulse_width_us) const {
  detail::check_fs(kMwaves, fs_hz);
  detail::check_nonnegative(kMwaves, "amplitude", amplitude);
  detail::check_positive(kMwaves, "latency_s", latency_s);
  if (!(latency_s * fs_hz < kMaxSampleIndex) || std::llround(latency_s * fs_hz) < 1) {
    fail_param(kMwaves, "latency_s", fmt(latency_s),
               "must be at least one sample (" + fmt(0.5 / fs_hz) + " s at fs_hz=" + fmt(fs_hz) +
                   ") so the M-wave starts after the pulse");
  }
  if (pulse_width_us > 0.0 && latency_s * 1e6 <= pulse_width_us) {
    fail_param(kMwaves, "latency_s", fmt(latency_s),
               "must be > the stimulator pulse width (pulse_width_us=" + fmt(pulse_width_us) + ")");
  }
  (void)template_length(kMwaves, "duration_s", duration_s, fs_hz);
  check_unit_interval(kMwaves, "decline", decline);
  check_unit_interval(kMwaves, "amplitude_sd", amplitude_sd);
  check_unit_interval(kMwaves, "fwave_persistence", fwave_persistence);
  detail::check_positive(kMwaves, "fwave_latency_s", fwave_latency_s);
  if (fwave_latency_s <= latency_s + kFwaveJitterS || !(fwave_latency_s * fs_hz < kMaxSampleIndex / 2.0)) {
    fail_param(kMwaves, "fwave_latency_s", fmt(fwave_latency_s),
               "must be > latency_s + " + fmt(kFwaveJitterS) + " s (the F-wave jitter) = " +
                   fmt(latency_s + kFwaveJitterS) + " s");
  }
  check_unit_interval(kMwaves, "fwave_amplitude_ratio", fwave_amplitude_ratio);
}

const ParamTable& MwaveParams::describe() {
  static const ParamTable table = {
      {"amplitude", "units", "0.001", ">= 0", "M_max: peak-to-peak of the first M-wave of a train (0 = no M-waves)"},
      {"latency_s", "s", "0.004", "(pulse width, ...)", "M-wave onset after the pulse (3-6 ms)"},
      {"duration_s", "s", "0.012", "> 2 samples", "M-wave duration (10-15 ms), biphasic sin(2 pi u) sin^2(pi u) shape"},
      {"decline", "", "0.5", "[0, 1]", "beta in M_k = M_max (1 - beta k / K) along a train of K pulses"},
      {"amplitude_sd", "", "0.03", "[0, 1]", "relative pulse-to-pulse SD of the M-wave amplitude"},
      {"fwave_persistence", "", "0", "[0, 1]", "probability of an F-wave after each pulse (0.2-0.8 when on)"},
      {"fwave_latency_s", "s", "0.05", "> latency_s + 1 ms",
       "F-wave onset after the pulse (45-55 ms), jittered uniformly by +-1 ms; dropped when it collides with the next "
       "pulse's M-wave"},
      {"fwave_amplitude_ratio", "", "0.03", "[0, 1]", "F-wave peak-to-peak relative to M_max (1-5 %)"},
  };
  return table;
}

VectorXd mwave_template(double duration_s, double fs_hz) {
  detail::check_fs(kTemplate, fs_hz);
  return lobed_template(template_length(kTemplate, "duration_s", duration_s, fs_hz), 2);
}

void add_mwaves(VectorXd& x, double fs_hz, const std::vector<std::int64_t>& pulses, const MwaveParams& mwave, Rng& rng,
                std::vector<TruthPulse>& truth) {
  mwave.validate(fs_hz);
  const Eigen::Index n = x.size();
  check_pulses(kMwaves, pulses, n);
  prepare_truth(kMwaves, pulses, truth);
  if (pulses.empty()) return;

  const VectorXd m_shape = mwave_template(mwave.duration_s, fs_hz);
  const Eigen::Index m_len = m_shape.size();
  const Eigen::Index f_len = std::max<Eigen::Index>(
      3, static_cast<Eigen::Index>(std::llround(kFwaveDurationRatio * mwave.duration_s * fs_hz)));
  const VectorXd f_shape = lobed_template(f_len, 4);
  const Eigen::Index latency = static_cast<Eigen::Index>(std::llround(mwave.latency_s * fs_hz));
  const double big_k = static_cast<double>(pulses.size());
  const double f_amp = mwave.fwave_amplitude_ratio * mwave.amplitude;

  for (std::size_t k = 0; k < pulses.size(); ++k) {
    const double gauss = rng.normal();
    const double u_f = rng.uniform();
    const double u_jitter = rng.uniform();
    TruthPulse& tp = truth[k];
    tp.mwave_sample = -1;
    tp.mwave_amplitude = 0.0;
    tp.fwave_sample = -1;
    const Eigen::Index p = pulses[k];

    const double m_k = mwave.amplitude * (1.0 - mwave.decline * static_cast<double>(k) / big_k) *
                       std::max(0.0, 1.0 + mwave.amplitude_sd * gauss);
    const Eigen::Index onset = p + latency;
    if (mwave.amplitude > 0.0 && onset < n) {
      const Eigen::Index len = std::min(m_len, n - onset);
      double hi = -std::numeric_limits<double>::infinity();
      double lo = std::numeric_limits<double>::infinity();
      for (Eigen::Index j = 0; j < len; ++j) {
        const double v = m_k * m_shape[j];
        x[onset + j] += v;
        hi = std::max(hi, v);
        lo = std::min(lo, v);
      }
      tp.mwave_sample = onset;
      tp.mwave_amplitude = hi - lo;
    }

    if (f_amp > 0.0 && u_f < mwave.fwave_persistence) {
      const double t_f = mwave.fwave_latency_s + (2.0 * u_jitter - 1.0) * kFwaveJitterS;
      const Eigen::Index f_onset = p + static_cast<Eigen::Index>(std::llround(t_f * fs_hz));
      const bool collides = k + 1 < pulses.size() && f_onset >= pulses[k + 1] + latency;
      if (!collides && f_onset < n) {
        const Eigen::Index len = std::min(f_len, n - f_onset);
        for (Eigen::Index j = 0; j < len; ++j) x[f_onset + j] += f_amp * f_shape[j];
        tp.fwave_sample = f_onset;
      }
    }
  }
}

}  // namespace emg::simulate
