// Stimulation simulator (SCIENCE.md §7.3): pulse timing against exact integer rounding, artefact
// shape (spike, charge balance, polarity, tail time constant, clipping), M-wave latency, amplitude
// and decline, F-wave persistence and collisions, determinism and every parameter rule.
#include <emg/errors.hpp>
#include <emg/simulate/stimulation.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using emg::TruthPulse;
using emg::VectorXd;
using emg::simulate::ArtifactParams;
using emg::simulate::MwaveParams;
using emg::simulate::Rng;
using emg::simulate::TrainSpec;

using Pulses = std::vector<std::int64_t>;

/// Round-half-up of S + k fs / f with integers only (fs, f integers; S = start_s fs integer).
std::int64_t exact_pulse(std::int64_t start_sample, std::int64_t k, std::int64_t fs, std::int64_t f) {
  return start_sample + (2 * k * fs + f) / (2 * f);
}

ArtifactParams clean_artifact() {
  ArtifactParams a;
  a.amplitude = 1.0;
  a.amplitude_sd = 0.0;
  a.biphasic = false;
  a.tail_ratio = 0.0;
  a.clip_level = 1e9;
  return a;
}

MwaveParams clean_mwave() {
  MwaveParams m;
  m.amplitude = 1e-3;
  m.amplitude_sd = 0.0;
  m.decline = 0.0;
  m.fwave_persistence = 0.0;
  return m;
}

double p2p(const VectorXd& x, Eigen::Index from, Eigen::Index to) {
  to = std::min(to, x.size());
  return x.segment(from, to - from).maxCoeff() - x.segment(from, to - from).minCoeff();
}

// ------------------------------------------------------------------------------- pulse timing

TEST(PulseSamples, ExactToTheSampleAndArtefactPeakOnThePulse) {
  for (const std::int64_t fs : {1000, 2000, 4096}) {
    for (std::int64_t f = 4; f <= 40; ++f) {
      TrainSpec train;
      train.start_s = 1.5;
      train.frequency_hz = static_cast<double>(f);
      train.n_pulses = 150;
      Rng rng(1);
      const Pulses p = emg::simulate::pulse_samples(train, static_cast<double>(fs), rng);
      ASSERT_EQ(p.size(), 150u);
      const std::int64_t s0 = 3 * fs / 2;
      for (std::int64_t k = 0; k < 150; ++k) {
        ASSERT_EQ(p[static_cast<std::size_t>(k)], exact_pulse(s0, k, fs, f)) << "fs " << fs << " f " << f << " k " << k;
      }
      // artefacts: the peak of every pulse sits on its sample, one spike per pulse
      VectorXd x = VectorXd::Zero(p.back() + fs);
      ArtifactParams a;  // defaults: biphasic, tail 0.1, sd 0.05
      a.clip_level = 1e9;
      std::vector<TruthPulse> truth;
      emg::simulate::add_artifacts(x, static_cast<double>(fs), p, a, rng, truth);
      ASSERT_EQ(truth.size(), p.size());
      for (std::size_t k = 0; k < p.size(); ++k) {
        const Eigen::Index from = p[k];
        const Eigen::Index to = k + 1 < p.size() ? p[k + 1] : x.size();
        Eigen::Index arg = 0;
        x.segment(from, to - from).cwiseAbs().maxCoeff(&arg);
        ASSERT_EQ(from + arg, p[k]) << "fs " << fs << " f " << f << " k " << k;
        ASSERT_EQ(truth[k].sample, p[k]);
        ASSERT_EQ(x[from], truth[k].artifact_amplitude);
      }
      const Eigen::Index spikes = (x.array() > 0.5).count();
      ASSERT_EQ(spikes, 150) << "fs " << fs << " f " << f;
    }
  }
}

TEST(PulseSamples, NonIntegerFrequencyMatchesLongDoubleReference) {
  for (const double f : {4.7, 7.3, 13.9, 33.3}) {
    TrainSpec train{0.25, f, 300, 0.0};
    Rng rng(3);
    const Pulses p = emg::simulate::pulse_samples(train, 2048.0, rng);
    ASSERT_EQ(p.size(), 300u);
    for (std::size_t k = 0; k < p.size(); ++k) {
      const long double t = 0.25L + static_cast<long double>(k) / static_cast<long double>(f);
      EXPECT_EQ(p[k], std::llround(t * 2048.0L)) << f << " " << k;
    }
  }
}

TEST(PulseSamples, JitterIsGaussianBoundedAndIncreasing) {
  TrainSpec train{0.0, 20.0, 4000, 1e-3};
  Rng rng(11);
  const Pulses p = emg::simulate::pulse_samples(train, 10000.0, rng);
  double s1 = 0.0, s2 = 0.0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (k > 0) {
      ASSERT_GT(p[k], p[k - 1]);
    }
    const double dev = static_cast<double>(p[k]) / 10000.0 - static_cast<double>(k) / 20.0;
    ASSERT_LE(std::abs(dev), 3e-3 + 0.5e-4);  // truncated at 3 SD (+ half a sample of rounding)
    ASSERT_GE(p[k], 0);
    s1 += dev;
    s2 += dev * dev;
  }
  const double n = static_cast<double>(p.size());
  const double sd = std::sqrt(s2 / n - (s1 / n) * (s1 / n));
  // SD of N(0, 1 ms) truncated at +-3 SD is 0.9866 ms; rounding adds (0.1 ms)^2/12; 4000 draws -> SE ~1.2 %
  EXPECT_NEAR(sd, 0.9866e-3, 0.05e-3);
  EXPECT_NEAR(s1 / n, 0.0, 0.07e-3);
}

// ----------------------------------------------------------------------------- artefact shape

TEST(Artifacts, BiphasicEqualChargeAndMonophasic) {
  const Pulses p = {100, 300};
  for (const bool biphasic : {false, true}) {
    ArtifactParams a = clean_artifact();
    a.pulse_width_us = 1000.0;  // 4.096 samples at 4096 Hz -> 4
    a.biphasic = biphasic;
    VectorXd x = VectorXd::Zero(500);
    Rng rng(5);
    std::vector<TruthPulse> truth;
    emg::simulate::add_artifacts(x, 4096.0, p, a, rng, truth);
    for (const auto s : p) {
      for (int i = 0; i < 4; ++i) EXPECT_EQ(x[s + i], 1.0);
      for (int i = 4; i < 8; ++i) EXPECT_EQ(x[s + i], biphasic ? -1.0 : 0.0);
      EXPECT_EQ(x[s + 8], 0.0);
      EXPECT_EQ(x.segment(s, 150).sum(), biphasic ? 0.0 : 4.0);
    }
    EXPECT_EQ(x.cwiseAbs().sum(), biphasic ? 16.0 : 8.0);
  }
  // a width below one sample still gives one sample
  ArtifactParams a = clean_artifact();
  a.pulse_width_us = 100.0;
  VectorXd x = VectorXd::Zero(500);
  Rng rng(5);
  std::vector<TruthPulse> truth;
  emg::simulate::add_artifacts(x, 1000.0, p, a, rng, truth);
  EXPECT_EQ(x[100], 1.0);
  EXPECT_EQ(x.cwiseAbs().sum(), 2.0);
}

TEST(Artifacts, AlternatingPolarity) {
  TrainSpec train{0.1, 10.0, 20, 0.0};
  Rng rng(2);
  const Pulses p = emg::simulate::pulse_samples(train, 2000.0, rng);
  for (const bool alternating : {false, true}) {
    ArtifactParams a;
    a.alternating_polarity = alternating;
    a.clip_level = 1e9;
    VectorXd x = VectorXd::Zero(p.back() + 400);
    std::vector<TruthPulse> truth;
    emg::simulate::add_artifacts(x, 2000.0, p, a, rng, truth);
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double expected_sign = (alternating && k % 2 == 1) ? -1.0 : 1.0;
      EXPECT_EQ(std::copysign(1.0, truth[k].artifact_amplitude), expected_sign) << k;
      EXPECT_EQ(std::copysign(1.0, x[p[k]]), expected_sign) << k;
      EXPECT_EQ(std::copysign(1.0, x[p[k] + 1]), -expected_sign) << k;  // biphasic second phase
      EXPECT_EQ(std::copysign(1.0, x[p[k] + 5]), expected_sign) << k;   // tail keeps the spike's sign
      EXPECT_NEAR(std::abs(truth[k].artifact_amplitude), 1.0, 0.3);     // sd 0.05 -> 6 SD
    }
  }
}

TEST(Artifacts, AmplitudeVariationHasTheRequestedSd) {
  TrainSpec train{0.0, 40.0, 3000, 0.0};
  Rng rng(8);
  const Pulses p = emg::simulate::pulse_samples(train, 1000.0, rng);
  ArtifactParams a = clean_artifact();
  a.amplitude = 2.0;
  a.amplitude_sd = 0.1;
  VectorXd x = VectorXd::Zero(p.back() + 10);
  std::vector<TruthPulse> truth;
  emg::simulate::add_artifacts(x, 1000.0, p, a, rng, truth);
  double s1 = 0.0, s2 = 0.0;
  for (const auto& t : truth) {
    s1 += t.artifact_amplitude;
    s2 += t.artifact_amplitude * t.artifact_amplitude;
  }
  const double n = static_cast<double>(truth.size());
  const double mean = s1 / n;
  const double sd = std::sqrt(s2 / n - mean * mean);
  EXPECT_NEAR(mean, 2.0, 4.0 * 0.2 / std::sqrt(n));          // SE of the mean 0.0037
  EXPECT_NEAR(sd, 0.2, 4.0 * 0.2 / std::sqrt(2.0 * n));      // SE of the SD 0.0026
}

TEST(Artifacts, TailDecaysWithTau) {
  for (const double tau : {0.5e-3, 2e-3, 5e-3}) {
    ArtifactParams a = clean_artifact();
    a.tail_ratio = 0.2;
    a.tail_tau_s = tau;
    const double fs = 4096.0;
    const Pulses p = {50};
    VectorXd x = VectorXd::Zero(2000);
    Rng rng(4);
    std::vector<TruthPulse> truth;
    emg::simulate::add_artifacts(x, fs, p, a, rng, truth);
    const Eigen::Index end = 50 + static_cast<Eigen::Index>(std::ceil(8.0 * tau * fs));
    // least-squares fit of log(x) = c - t / tau over the tail
    double st = 0, sy = 0, stt = 0, sty = 0, n = 0;
    for (Eigen::Index i = 51; i < end; ++i) {
      ASSERT_GT(x[i], 0.0) << i;
      const double t = static_cast<double>(i - 50) / fs;
      const double y = std::log(x[i]);
      st += t;
      sy += y;
      stt += t * t;
      sty += t * y;
      n += 1;
    }
    const double slope = (n * sty - st * sy) / (n * stt - st * st);
    const double intercept = (sy - slope * st) / n;
    EXPECT_NEAR(-1.0 / slope, tau, 1e-9 * tau);
    EXPECT_NEAR(intercept, std::log(0.2), 1e-9);
    EXPECT_EQ(x[end], 0.0);  // cut after 8 tau
    EXPECT_GT(end - 51, 10);
  }
}

TEST(Artifacts, TailIsCutAtTheNextPulse) {
  ArtifactParams a = clean_artifact();
  a.tail_ratio = 0.5;
  a.tail_tau_s = 50e-3;  // 8 tau = 400 ms, far past the 25 ms IPI
  const Pulses p = {0, 25, 50};
  VectorXd x = VectorXd::Zero(60);
  Rng rng(4);
  std::vector<TruthPulse> truth;
  emg::simulate::add_artifacts(x, 1000.0, p, a, rng, truth);
  EXPECT_EQ(x[25], 1.0);  // the previous tail does not add to the next spike
  EXPECT_EQ(x[50], 1.0);
  EXPECT_NEAR(x[24], 0.5 * std::exp(-24e-3 / 50e-3), 1e-12);
  EXPECT_NEAR(x[59], 0.5 * std::exp(-9e-3 / 50e-3), 1e-12);  // the last tail runs to the end of x
}

TEST(Artifacts, ClippingHonoursLevelAndFlagsExactlyTheClippedPulses) {
  TrainSpec train{0.05, 20.0, 400, 0.0};
  Rng rng0(21);
  const Pulses p = emg::simulate::pulse_samples(train, 2000.0, rng0);
  ArtifactParams a;
  a.amplitude = 1.0;
  a.amplitude_sd = 0.3;  // about half the pulses exceed the level
  a.clip_level = 1.0;
  VectorXd base = VectorXd::Zero(p.back() + 200);
  VectorXd clipped = base;
  std::vector<TruthPulse> t_base, t_clip;
  {
    Rng rng(99);
    a.clip_probability = 0.0;
    emg::simulate::add_artifacts(base, 2000.0, p, a, rng, t_base);
  }
  {
    Rng rng(99);
    a.clip_probability = 0.5;
    emg::simulate::add_artifacts(clipped, 2000.0, p, a, rng, t_clip);
  }
  long exceeding = 0, saturated = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    const Eigen::Index from = p[k];
    const Eigen::Index to = k + 1 < p.size() ? p[k + 1] : base.size();
    const bool exceeds = base.segment(from, to - from).cwiseAbs().maxCoeff() > 1.0;
    const bool changed = base.segment(from, to - from) != clipped.segment(from, to - from);
    EXPECT_EQ(t_base[k].artifact_amplitude, t_clip[k].artifact_amplitude);  // same draws
    EXPECT_EQ(t_base[k].clipped, exceeds) << k;
    EXPECT_EQ(t_clip[k].clipped, exceeds) << k;
    if (changed) {
      ++saturated;
      EXPECT_TRUE(t_clip[k].clipped) << k;
      EXPECT_EQ(clipped.segment(from, to - from).cwiseAbs().maxCoeff(), 1.0) << k;
      EXPECT_EQ(std::abs(clipped[from]), 1.0) << k;
    }
    exceeding += exceeds ? 1 : 0;
  }
  // P(exceed) = P(N > 0) = 1/2 -> ~200 of 400; half of those saturated -> ~100 (binomial, 5 SD)
  EXPECT_NEAR(static_cast<double>(exceeding), 200.0, 50.0);
  EXPECT_NEAR(static_cast<double>(saturated), 0.5 * static_cast<double>(exceeding), 5.0 * std::sqrt(0.25 * static_cast<double>(exceeding)));

  // always saturating: every sample within +-level, the spike sits on the rail
  a.amplitude_sd = 0.0;
  a.clip_level = 0.5;
  a.clip_probability = 1.0;
  VectorXd x = VectorXd::Zero(p.back() + 200);
  std::vector<TruthPulse> t_all;
  Rng rng(5);
  emg::simulate::add_artifacts(x, 2000.0, p, a, rng, t_all);
  EXPECT_EQ(x.cwiseAbs().maxCoeff(), 0.5);
  for (std::size_t k = 0; k < p.size(); ++k) {
    EXPECT_TRUE(t_all[k].clipped);
    EXPECT_EQ(x[p[k]], 0.5);
    EXPECT_EQ(x[p[k] + 1], -0.5);
    EXPECT_EQ(t_all[k].artifact_amplitude, 1.0);
  }
  // artefact below the level: nothing flagged, nothing changed even when always saturating
  a.clip_level = 2.0;
  VectorXd y = VectorXd::Zero(p.back() + 200), y_ref = y;
  std::vector<TruthPulse> t_none, t_ref;
  Rng r1(6), r2(6);
  emg::simulate::add_artifacts(y, 2000.0, p, a, r1, t_none);
  a.clip_probability = 0.0;
  emg::simulate::add_artifacts(y_ref, 2000.0, p, a, r2, t_ref);
  EXPECT_TRUE(y == y_ref);
  for (const auto& t : t_none) EXPECT_FALSE(t.clipped);
}

TEST(Artifacts, ClippingAppliesToTheSumWithTheSignal) {
  ArtifactParams a = clean_artifact();
  a.clip_level = 1.2;
  a.clip_probability = 1.0;
  VectorXd x = VectorXd::Constant(20, 0.5);
  std::vector<TruthPulse> truth;
  Rng rng(1);
  emg::simulate::add_artifacts(x, 1000.0, {10}, a, rng, truth);
  EXPECT_EQ(x[10], 1.2);  // 0.5 + 1 clipped
  EXPECT_TRUE(truth[0].clipped);
  EXPECT_EQ(x[9], 0.5);
}

// -------------------------------------------------------------------------------- M-waves

TEST(MwaveTemplate, BiphasicUnitPeakToPeakExactSupport) {
  for (const double fs : {1000.0, 2000.0, 4096.0}) {
    for (const double d : {10e-3, 12e-3, 15e-3}) {
      const VectorXd t = emg::simulate::mwave_template(d, fs);
      ASSERT_EQ(t.size(), std::llround(d * fs));
      EXPECT_NEAR(t.maxCoeff() - t.minCoeff(), 1.0, 1e-15);
      EXPECT_NEAR(t.sum(), 0.0, 1e-13);  // zero area
      int sign_changes = 0;
      for (Eigen::Index j = 1; j < t.size(); ++j) {
        EXPECT_NEAR(t[j], -t[t.size() - 1 - j], 1e-14);  // antisymmetric about its centre
        if ((t[j] > 0) != (t[j - 1] > 0) && t[j] != 0.0) ++sign_changes;
      }
      EXPECT_EQ(sign_changes, 1) << "biphasic";
      EXPECT_GT(t[0], 0.0);
      // sin(2 pi u) sin^2(pi u) peaks at u = 1/3 with value (3 sqrt 3 / 8); p2p 2 x that
      const double peak_u = static_cast<double>(t.size()) / 3.0 - 0.5;
      Eigen::Index arg = 0;
      t.maxCoeff(&arg);
      EXPECT_NEAR(static_cast<double>(arg), peak_u, 0.51);
    }
  }
}

TEST(Mwaves, OnsetAtLatencyAndPeakToPeakEqualsTruth) {
  for (const double fs : {1000.0, 2000.0, 4096.0}) {
    TrainSpec train{0.2, 10.0, 30, 0.0};
    Rng rng(13);
    const Pulses p = emg::simulate::pulse_samples(train, fs, rng);
    MwaveParams m;  // defaults: latency 4 ms, duration 12 ms, decline 0.5, sd 0.03
    VectorXd x = VectorXd::Zero(p.back() + static_cast<Eigen::Index>(fs));
    std::vector<TruthPulse> truth;
    emg::simulate::add_mwaves(x, fs, p, m, rng, truth);
    const Eigen::Index lat = std::llround(4e-3 * fs);
    const Eigen::Index len = std::llround(12e-3 * fs);
    for (std::size_t k = 0; k < p.size(); ++k) {
      ASSERT_EQ(truth[k].mwave_sample, p[k] + lat);
      const Eigen::Index on = truth[k].mwave_sample;
      EXPECT_EQ(x.segment(p[k], lat).cwiseAbs().maxCoeff(), 0.0);
      EXPECT_NE(x[on], 0.0);
      EXPECT_EQ(x[on + len], 0.0);
      EXPECT_NE(x[on + len - 1], 0.0);
      EXPECT_NEAR(p2p(x, on, on + len), truth[k].mwave_amplitude, 1e-15);
      EXPECT_NEAR(truth[k].mwave_amplitude, 1e-3 * (1.0 - 0.5 * static_cast<double>(k) / 30.0), 1.5e-4);
      EXPECT_EQ(truth[k].fwave_sample, -1);
    }
  }
}

TEST(Mwaves, DeclineAlongTheTrain) {
  TrainSpec train{0.0, 20.0, 150, 0.0};
  Rng rng0(1);
  const Pulses p = emg::simulate::pulse_samples(train, 2000.0, rng0);
  for (const double beta : {0.0, 0.5, 1.0}) {
    MwaveParams m = clean_mwave();
    m.decline = beta;
    VectorXd x = VectorXd::Zero(p.back() + 100);
    std::vector<TruthPulse> truth;
    Rng rng(2);
    emg::simulate::add_mwaves(x, 2000.0, p, m, rng, truth);
    EXPECT_NEAR(truth.back().mwave_amplitude / truth.front().mwave_amplitude, 1.0 - beta * 149.0 / 150.0, 1e-12);
    EXPECT_NEAR(truth.front().mwave_amplitude, 1e-3, 1e-15);
  }
  // with pulse-to-pulse variation: the least-squares line gives the same trend (slope SE ~1.3 %)
  MwaveParams m = clean_mwave();
  m.decline = 0.5;
  m.amplitude_sd = 0.03;
  VectorXd x = VectorXd::Zero(p.back() + 100);
  std::vector<TruthPulse> truth;
  Rng rng(3);
  emg::simulate::add_mwaves(x, 2000.0, p, m, rng, truth);
  double sk = 0, sy = 0, skk = 0, sky = 0;
  const double n = 150.0;
  for (std::size_t k = 0; k < truth.size(); ++k) {
    const double kk = static_cast<double>(k);
    sk += kk;
    sy += truth[k].mwave_amplitude;
    skk += kk * kk;
    sky += kk * truth[k].mwave_amplitude;
  }
  const double slope = (n * sky - sk * sy) / (n * skk - sk * sk);
  const double intercept = (sy - slope * sk) / n;
  EXPECT_NEAR(intercept, 1e-3, 0.03e-3);
  EXPECT_NEAR(slope, -0.5e-3 / 150.0, 0.06 * 0.5e-3 / 150.0);
  EXPECT_NEAR((intercept + 149.0 * slope) / intercept, 1.0 - 0.5 * 149.0 / 150.0, 0.03);
}

TEST(Mwaves, CutAtTheEndOfTheSignal) {
  MwaveParams m = clean_mwave();
  const double fs = 1000.0;
  VectorXd x = VectorXd::Zero(100);
  std::vector<TruthPulse> truth;
  Rng rng(1);
  emg::simulate::add_mwaves(x, fs, {10, 90, 97}, m, rng, truth);
  EXPECT_EQ(truth[0].mwave_sample, 14);
  EXPECT_NEAR(truth[0].mwave_amplitude, 1e-3, 1e-15);
  EXPECT_EQ(truth[1].mwave_sample, 94);  // 6 of 12 samples fit: the positive phase only
  EXPECT_NEAR(truth[1].mwave_amplitude, p2p(x, 94, 100), 1e-18);
  EXPECT_LT(truth[1].mwave_amplitude, 0.8e-3);
  EXPECT_GT(truth[1].mwave_amplitude, 0.0);
  EXPECT_EQ(truth[2].mwave_sample, -1);  // onset 101 is past the end
  EXPECT_EQ(truth[2].mwave_amplitude, 0.0);
  // amplitude 0: no M-waves at all
  MwaveParams off = clean_mwave();
  off.amplitude = 0.0;
  VectorXd y = VectorXd::Zero(100);
  std::vector<TruthPulse> t_off;
  emg::simulate::add_mwaves(y, fs, {10}, off, rng, t_off);
  EXPECT_EQ(y.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(t_off[0].mwave_sample, -1);
}

TEST(Fwaves, PersistenceLatencyAndAmplitude) {
  TrainSpec train{0.0, 4.0, 2000, 0.0};
  Rng rng0(1);
  const double fs = 1000.0;
  const Pulses p = emg::simulate::pulse_samples(train, fs, rng0);
  MwaveParams m = clean_mwave();
  m.fwave_persistence = 0.4;
  m.fwave_amplitude_ratio = 0.05;
  VectorXd x = VectorXd::Zero(p.back() + 250);
  std::vector<TruthPulse> truth;
  Rng rng(17);
  emg::simulate::add_mwaves(x, fs, p, m, rng, truth);
  long count = 0;
  std::int64_t min_lat = 1 << 30, max_lat = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (truth[k].fwave_sample < 0) {
      EXPECT_EQ(x.segment(p[k] + 40, 30).cwiseAbs().maxCoeff(), 0.0) << k;
      continue;
    }
    ++count;
    const std::int64_t lat = truth[k].fwave_sample - p[k];
    min_lat = std::min(min_lat, lat);
    max_lat = std::max(max_lat, lat);
    EXPECT_EQ(x[truth[k].fwave_sample - 1], 0.0);
    EXPECT_NE(x[truth[k].fwave_sample], 0.0);
    // 6-sample polyphasic F-wave (0.5 x 12 ms), peak-to-peak 5 % of M_max
    EXPECT_NEAR(p2p(x, truth[k].fwave_sample, truth[k].fwave_sample + 6), 0.05e-3, 1e-18);
    EXPECT_EQ(x[truth[k].fwave_sample + 6], 0.0);
  }
  const double frac = static_cast<double>(count) / 2000.0;
  EXPECT_NEAR(frac, 0.4, 4.0 * std::sqrt(0.4 * 0.6 / 2000.0));  // 4 SE = 0.044
  EXPECT_EQ(min_lat, 49);  // 50 ms +- 1 ms uniform jitter, all three samples hit in 800 F-waves
  EXPECT_EQ(max_lat, 51);
}

TEST(Fwaves, DroppedWhenCollidingWithTheNextMwave) {
  const double fs = 1000.0;
  MwaveParams m = clean_mwave();
  m.fwave_persistence = 1.0;
  for (const double f : {20.0, 25.0}) {
    TrainSpec train{0.0, f, 20, 0.0};
    Rng rng(1);
    const Pulses p = emg::simulate::pulse_samples(train, fs, rng);
    VectorXd x = VectorXd::Zero(p.back() + 200);
    std::vector<TruthPulse> truth;
    emg::simulate::add_mwaves(x, fs, p, m, rng, truth);
    for (std::size_t k = 0; k + 1 < p.size(); ++k) {
      if (f == 20.0) {
        // IPI 50 ms: next M-wave at 54 ms, F-wave at 49-51 ms -> kept
        EXPECT_GE(truth[k].fwave_sample, p[k] + 49) << k;
      } else {
        // IPI 40 ms: next M-wave at 44 ms < 49 ms -> collision, dropped
        EXPECT_EQ(truth[k].fwave_sample, -1) << k;
      }
    }
    EXPECT_GE(truth.back().fwave_sample, p.back() + 49);  // the last pulse has no successor
  }
}

// ---------------------------------------------------------------------- determinism, speed

TEST(Stimulation, DeterministicForASeed) {
  auto run = [](std::uint64_t seed) {
    TrainSpec train{0.5, 30.0, 150, 0.5e-3};
    Rng rng(seed);
    const Pulses p = emg::simulate::pulse_samples(train, 4096.0, rng);
    VectorXd x = VectorXd::Zero(p.back() + 4096);
    ArtifactParams a;
    a.clip_probability = 0.3;
    a.alternating_polarity = true;
    MwaveParams m;
    m.fwave_persistence = 0.5;
    std::vector<TruthPulse> truth;
    emg::simulate::add_artifacts(x, 4096.0, p, a, rng, truth);
    emg::simulate::add_mwaves(x, 4096.0, p, m, rng, truth);
    return std::make_pair(x, truth);
  };
  const auto [x1, t1] = run(42);
  const auto [x2, t2] = run(42);
  const auto [x3, t3] = run(43);
  ASSERT_EQ(x1.size(), x2.size());
  EXPECT_EQ(std::memcmp(x1.data(), x2.data(), sizeof(double) * static_cast<std::size_t>(x1.size())), 0);
  ASSERT_EQ(t1.size(), t2.size());
  for (std::size_t k = 0; k < t1.size(); ++k) {
    EXPECT_EQ(t1[k].sample, t2[k].sample);
    EXPECT_EQ(t1[k].artifact_amplitude, t2[k].artifact_amplitude);
    EXPECT_EQ(t1[k].clipped, t2[k].clipped);
    EXPECT_EQ(t1[k].mwave_amplitude, t2[k].mwave_amplitude);
    EXPECT_EQ(t1[k].fwave_sample, t2[k].fwave_sample);
  }
  EXPECT_FALSE(x1.size() == x3.size() && x1 == x3);
}

TEST(Stimulation, TruthSizeAndTrainIdAreHonoured) {
  std::vector<TruthPulse> truth(2);
  truth[0].train_id = 7;
  truth[1].train_id = 7;
  VectorXd x = VectorXd::Zero(200);
  Rng rng(1);
  emg::simulate::add_artifacts(x, 1000.0, {10, 110}, ArtifactParams{}, rng, truth);
  emg::simulate::add_mwaves(x, 1000.0, {10, 110}, MwaveParams{}, rng, truth);
  EXPECT_EQ(truth[1].train_id, 7);
  EXPECT_EQ(truth[1].sample, 110);
  EXPECT_EQ(truth[1].mwave_sample, 114);
  std::vector<TruthPulse> wrong(3);
  EXPECT_ERROR(emg::simulate::add_artifacts(x, 1000.0, {10, 110}, ArtifactParams{}, rng, wrong), "add_artifacts",
               "truth=size 3", "one entry per pulse (2)");
  EXPECT_ERROR(emg::simulate::add_mwaves(x, 1000.0, {10, 110}, MwaveParams{}, rng, wrong), "add_mwaves", "truth=size 3");
}

// ---------------------------------------------------------------------------------- errors

TEST(Stimulation, EveryBadTrainParameterNamesIt) {
  using emg::simulate::pulse_samples;
  Rng rng(1);
  EXPECT_ERROR(pulse_samples(TrainSpec{}, 0.0, rng), "pulse_samples: fs_hz=0");
  EXPECT_ERROR(pulse_samples(TrainSpec{-1.0, 10.0, 20, 0.0}, 1000.0, rng), "pulse_samples: start_s=-1", ">= 0");
  EXPECT_ERROR(pulse_samples(TrainSpec{NAN, 10.0, 20, 0.0}, 1000.0, rng), "pulse_samples: start_s=nan");
  EXPECT_ERROR(pulse_samples(TrainSpec{0.0, 0.0, 20, 0.0}, 1000.0, rng), "pulse_samples: frequency_hz=0", "> 0");
  EXPECT_ERROR(pulse_samples(TrainSpec{0.0, 501.0, 20, 0.0}, 1000.0, rng), "pulse_samples: frequency_hz=501",
               "fs_hz/2 = 500", "2 samples apart");
  EXPECT_NO_THROW(pulse_samples(TrainSpec{0.0, 500.0, 20, 0.0}, 1000.0, rng));
  EXPECT_ERROR(pulse_samples(TrainSpec{0.0, 10.0, 0, 0.0}, 1000.0, rng), "pulse_samples: n_pulses=0", ">= 1");
  EXPECT_ERROR(pulse_samples(TrainSpec{0.0, 10.0, 20, -1e-3}, 1000.0, rng), "pulse_samples: jitter_s=-0.001");
  EXPECT_ERROR(pulse_samples(TrainSpec{0.0, 10.0, 20, 0.02}, 1000.0, rng), "pulse_samples: jitter_s=0.02",
               "10 % of the inter-pulse interval");
  EXPECT_ERROR(pulse_samples(TrainSpec{1e13, 10.0, 20, 0.0}, 1000.0, rng), "pulse_samples: n_pulses=20", "2^53");
}

TEST(Stimulation, EveryBadArtifactParameterNamesIt) {
  const auto bad = [](auto mutate, const char* part) {
    ArtifactParams a;
    mutate(a);
    EXPECT_ERROR(a.validate(1000.0), "add_artifacts: ", part);
    VectorXd x = VectorXd::Zero(100);
    Rng rng(1);
    std::vector<TruthPulse> truth;
    EXPECT_ERROR(emg::simulate::add_artifacts(x, 1000.0, {10}, a, rng, truth), part);
  };
  EXPECT_NO_THROW(ArtifactParams{}.validate(1000.0));
  EXPECT_ERROR(ArtifactParams{}.validate(-1.0), "add_artifacts: fs_hz=-1");
  bad([](ArtifactParams& a) { a.amplitude = -1.0; }, "amplitude=-1 must be finite and >= 0");
  bad([](ArtifactParams& a) { a.amplitude = INFINITY; }, "amplitude=inf");
  bad([](ArtifactParams& a) { a.amplitude_sd = 1.5; }, "amplitude_sd=1.5 must be in [0, 1]");
  bad([](ArtifactParams& a) { a.pulse_width_us = 0.0; }, "pulse_width_us=0 must be in (0, 10000]");
  bad([](ArtifactParams& a) { a.pulse_width_us = 2e4; }, "pulse_width_us=20000");
  bad([](ArtifactParams& a) { a.tail_ratio = -0.1; }, "tail_ratio=-0.1");
  bad([](ArtifactParams& a) { a.tail_tau_s = 0.0; }, "tail_tau_s=0 must be finite and > 0");
  bad([](ArtifactParams& a) { a.tail_tau_s = 1e9; }, "tail_tau_s=1e+09");
  bad([](ArtifactParams& a) { a.clip_probability = -0.1; }, "clip_probability=-0.1 must be in [0, 1]");
  bad([](ArtifactParams& a) { a.clip_probability = NAN; }, "clip_probability=nan");
  bad([](ArtifactParams& a) { a.clip_level = 0.0; }, "clip_level=0 must be finite and > 0");
  // pulses
  VectorXd x = VectorXd::Zero(100);
  Rng rng(1);
  std::vector<TruthPulse> truth;
  EXPECT_ERROR(emg::simulate::add_artifacts(x, 1000.0, {10, 100}, ArtifactParams{}, rng, truth),
               "add_artifacts: pulses[1]=100 must be in [0, n_samples=100)");
  EXPECT_ERROR(emg::simulate::add_artifacts(x, 1000.0, {-1}, ArtifactParams{}, rng, truth), "pulses[0]=-1");
  EXPECT_ERROR(emg::simulate::add_artifacts(x, 1000.0, {10, 10}, ArtifactParams{}, rng, truth),
               "add_artifacts: pulses[1]=10 must be > pulses[0]=10");
}

TEST(Stimulation, EveryBadMwaveParameterNamesIt) {
  const auto bad = [](auto mutate, const char* part) {
    MwaveParams m;
    mutate(m);
    EXPECT_ERROR(m.validate(1000.0), "add_mwaves: ", part);
    VectorXd x = VectorXd::Zero(100);
    Rng rng(1);
    std::vector<TruthPulse> truth;
    EXPECT_ERROR(emg::simulate::add_mwaves(x, 1000.0, {10}, m, rng, truth), part);
  };
  EXPECT_NO_THROW(MwaveParams{}.validate(1000.0));
  EXPECT_NO_THROW(MwaveParams{}.validate(1000.0, 1000.0));
  EXPECT_ERROR(MwaveParams{}.validate(NAN), "add_mwaves: fs_hz=nan");
  bad([](MwaveParams& m) { m.amplitude = -1e-3; }, "amplitude=-0.001 must be finite and >= 0");
  bad([](MwaveParams& m) { m.latency_s = 0.0; }, "latency_s=0 must be finite and > 0");
  bad([](MwaveParams& m) { m.latency_s = 0.4e-3; }, "latency_s=4e-04 must be at least one sample");
  bad([](MwaveParams& m) { m.duration_s = -1.0; }, "duration_s=-1 must be finite and > 0");
  bad([](MwaveParams& m) { m.duration_s = 2e-3; }, "duration_s=0.002 must span more than 2 samples");
  bad([](MwaveParams& m) { m.decline = 1.1; }, "decline=1.1 must be in [0, 1]");
  bad([](MwaveParams& m) { m.decline = -0.1; }, "decline=-0.1");
  bad([](MwaveParams& m) { m.amplitude_sd = 2.0; }, "amplitude_sd=2 must be in [0, 1]");
  bad([](MwaveParams& m) { m.fwave_persistence = 1.5; }, "fwave_persistence=1.5 must be in [0, 1]");
  bad([](MwaveParams& m) { m.fwave_latency_s = 0.0; }, "fwave_latency_s=0 must be finite and > 0");
  bad([](MwaveParams& m) { m.fwave_latency_s = 4.5e-3; }, "fwave_latency_s=0.0045 must be > latency_s + 0.001");
  bad([](MwaveParams& m) { m.fwave_amplitude_ratio = -0.01; }, "fwave_amplitude_ratio=-0.01 must be in [0, 1]");
  EXPECT_ERROR(MwaveParams{}.validate(1000.0, 4000.0), "add_mwaves: latency_s=0.004 must be > the stimulator pulse width",
               "pulse_width_us=4000");
  EXPECT_NO_THROW(MwaveParams{}.validate(1000.0, 3999.0));
  // template
  EXPECT_ERROR(emg::simulate::mwave_template(2e-3, 1000.0), "mwave_template: duration_s=0.002", "more than 2 samples");
  EXPECT_ERROR(emg::simulate::mwave_template(12e-3, 0.0), "mwave_template: fs_hz=0");
  // pulses
  VectorXd x = VectorXd::Zero(100);
  Rng rng(1);
  std::vector<TruthPulse> truth;
  EXPECT_ERROR(emg::simulate::add_mwaves(x, 1000.0, {50, 20}, MwaveParams{}, rng, truth),
               "add_mwaves: pulses[1]=20 must be > pulses[0]=50");
}

TEST(Stimulation, DescribeTablesListEveryField) {
  std::vector<std::string> names;
  for (const auto& p : ArtifactParams::describe()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"amplitude", "amplitude_sd", "pulse_width_us", "biphasic",
                                             "alternating_polarity", "tail_ratio", "tail_tau_s", "clip_probability",
                                             "clip_level"}));
  names.clear();
  for (const auto& p : MwaveParams::describe()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"amplitude", "latency_s", "duration_s", "decline", "amplitude_sd",
                                             "fwave_persistence", "fwave_latency_s", "fwave_amplitude_ratio"}));
  for (const auto& p : MwaveParams::describe()) EXPECT_FALSE(p.help.empty()) << p.name;
}

}  // namespace
