// Artefact suppression and M-wave measures (SCIENCE.md §4.2-4.3) on simulated stimulation: the
// inter-pulse EMG keeps its RMS and MNF (every method, 4-40 Hz, artefacts 10-1000x the EMG RMS,
// with and without M-waves), template subtraction removes the artefact tail that blanking leaves,
// M-wave latency / amplitude / area / duration / decline against the simulator's truth, exact
// intervals and fills, edge cases and every parameter rule.
#include <emg/errors.hpp>
#include <emg/simulate/random.hpp>
#include <emg/simulate/shaped_noise.hpp>
#include <emg/simulate/stimulation.hpp>
#include <emg/spectral/metrics.hpp>
#include <emg/spectral/spectra.hpp>
#include <emg/stim/artifacts.hpp>
#include <emg/stim/mwaves.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace {

using emg::RowMatrixXd;
using emg::TruthPulse;
using emg::VectorXd;
using emg::simulate::Rng;
using emg::stim::Mwave;
using emg::stim::MwaveMeasureParams;
using emg::stim::SampleInterval;
using emg::stim::SuppressMethod;
using emg::stim::SuppressParams;

using Pulses = std::vector<std::int64_t>;

constexpr double kFs = 2048.0;

Pulses make_train(double start_s, double f_hz, long n, double fs = kFs) {
  emg::simulate::TrainSpec spec;
  spec.start_s = start_s;
  spec.frequency_hz = f_hz;
  spec.n_pulses = n;
  Rng rng(7);
  return emg::simulate::pulse_samples(spec, fs, rng);
}

/// Unit-variance EMG-like noise times `rms`.
VectorXd emg_noise(long n, double rms, std::uint64_t seed, double fs = kFs) {
  Rng rng(seed);
  return rms * emg::simulate::shaped_noise(n, fs, emg::simulate::SpectrumShape{}, rng);
}

RowMatrixXd as_row(const VectorXd& x) { return x.transpose(); }

/// The samples of x in [from, to) outside the mask.
VectorXd kept(const VectorXd& x, const std::vector<std::uint8_t>& mask, Eigen::Index from, Eigen::Index to) {
  VectorXd out(to - from);
  Eigen::Index m = 0;
  for (Eigen::Index i = from; i < to; ++i) {
    if (mask[static_cast<std::size_t>(i)] == 0) out[m++] = x[i];
  }
  out.conservativeResize(m);
  return out;
}

double rms(const VectorXd& x) { return std::sqrt(x.squaredNorm() / static_cast<double>(x.size())); }

double mnf(const VectorXd& x, double fs = kFs) {
  emg::spectral::WelchParams w;
  w.nperseg = 256;
  const emg::spectral::Psd psd = emg::spectral::welch(as_row(x), fs, w);
  return emg::spectral::mean_frequency(psd.freqs_hz, psd.power)[0];
}

emg::simulate::ArtifactParams artefact(double amplitude, double tail_tau_s) {
  emg::simulate::ArtifactParams a;
  a.amplitude = amplitude;
  a.tail_tau_s = tail_tau_s;
  a.clip_level = 1e12;
  return a;
}

emg::simulate::MwaveParams mwave(double amplitude, double decline = 0.5, double sd = 0.03) {
  emg::simulate::MwaveParams m;
  m.amplitude = amplitude;
  m.decline = decline;
  m.amplitude_sd = sd;
  return m;
}

struct Scenario {
  Pulses pulses;
  VectorXd truth_emg;     ///< EMG alone
  VectorXd truth_mwaves;  ///< EMG + M-waves (= truth_emg without M-waves)
  VectorXd recorded;      ///< EMG + M-waves + artefacts
  std::vector<TruthPulse> truth;
  Eigen::Index from = 0, to = 0;  ///< the train: first pulse to last pulse + one interval
};

Scenario scenario(double f_hz, long n_pulses, double ratio, double mwave_p2p, double tail_tau_s, std::uint64_t seed) {
  Scenario s;
  s.pulses = make_train(0.5, f_hz, n_pulses);
  const auto ipi = static_cast<Eigen::Index>(std::llround(kFs / f_hz));
  const Eigen::Index n = s.pulses.back() + ipi + static_cast<Eigen::Index>(kFs / 2);
  s.truth_emg = emg_noise(static_cast<long>(n), 1.0, seed);
  s.truth_mwaves = s.truth_emg;
  Rng rng(seed + 1000);
  if (mwave_p2p > 0.0) emg::simulate::add_mwaves(s.truth_mwaves, kFs, s.pulses, mwave(mwave_p2p), rng, s.truth);
  s.recorded = s.truth_mwaves;
  emg::simulate::add_artifacts(s.recorded, kFs, s.pulses, artefact(ratio, tail_tau_s), rng, s.truth);
  s.from = s.pulses.front();
  s.to = s.pulses.back() + ipi;
  return s;
}

struct Method {
  const char* name;
  SuppressParams params;
  bool keeps_mwave;
};

std::vector<Method> methods() {
  SuppressParams lin, cub, zero, tmpl, keep;
  cub.method = SuppressMethod::blank_cubic;
  zero.method = SuppressMethod::blank_zero;
  tmpl.method = SuppressMethod::template_subtraction;
  keep.method = SuppressMethod::template_subtraction;
  keep.subtract_mwave = false;
  keep.mwave_guard_s = 3.5e-3;  // just before the 4 ms M-wave latency
  return {{"blank_linear", lin, true},
          {"blank_cubic", cub, true},
          {"blank_zero", zero, true},
          {"template", tmpl, false},
          {"template_keep", keep, true}};
}

struct Errors {
  double rms_pct = 0.0, mnf_pct = 0.0;
};

Errors inter_pulse_errors(const Scenario& s, const Method& m) {
  const emg::stim::Suppressed out = emg::stim::suppress_artifacts(as_row(s.recorded), kFs, s.pulses, m.params);
  const std::vector<std::uint8_t> mask = emg::stim::suppressed_mask(out.intervals, s.recorded.size());
  const VectorXd clean = out.data.row(0).transpose();
  const VectorXd& truth = m.keeps_mwave ? s.truth_mwaves : s.truth_emg;
  const VectorXd a = kept(clean, mask, s.from, s.to);
  const VectorXd b = kept(truth, mask, s.from, s.to);
  return {100.0 * (rms(a) / rms(b) - 1.0), 100.0 * (mnf(a) / mnf(b) - 1.0)};
}

// ---------------------------------------------------------------------------- inter-pulse EMG

// Amplifier that recovers fast (tail tau 0.5 ms, the default 3 ms blanking covers it): every method
// keeps the RMS and the MNF of the inter-pulse EMG within 10 % of the artefact-free truth.
TEST(SuppressArtifacts, InterPulseEmgKeepsRmsAndMnfForEveryMethod) {
  std::printf("tail tau 0.5 ms; errors in %% (RMS / MNF) of the kept samples against the artefact-free truth\n");
  std::printf("%-14s %5s %6s %7s | %14s\n", "method", "f_hz", "ratio", "mwaves", "rms% / mnf%");
  double worst_rms = 0.0, worst_mnf = 0.0;
  std::uint64_t seed = 1;
  for (const double f : {4.0, 10.0, 20.0, 40.0}) {
    for (const double ratio : {10.0, 100.0, 1000.0}) {
      for (const double mw : {0.0, 10.0}) {
        const Scenario s = scenario(f, 40, ratio, mw, 0.5e-3, seed++);
        for (const Method& m : methods()) {
          const Errors e = inter_pulse_errors(s, m);
          std::printf("%-14s %5.0f %6.0f %7s | %6.2f / %6.2f\n", m.name, f, ratio, mw > 0 ? "yes" : "no", e.rms_pct,
                      e.mnf_pct);
          EXPECT_LT(std::abs(e.rms_pct), 10.0) << m.name << " f " << f << " ratio " << ratio << " mwave " << mw;
          EXPECT_LT(std::abs(e.mnf_pct), 10.0) << m.name << " f " << f << " ratio " << ratio << " mwave " << mw;
          worst_rms = std::max(worst_rms, std::abs(e.rms_pct));
          worst_mnf = std::max(worst_mnf, std::abs(e.mnf_pct));
        }
      }
    }
  }
  std::printf("worst |error|: rms %.2f %%, mnf %.2f %%\n", worst_rms, worst_mnf);
}

// The simulator's default tail (tau 2 ms, 10 % of the spike) outlasts a 3 ms blank: at 1000x the
// blanking methods leave it, template subtraction removes it.
TEST(SuppressArtifacts, SlowTailNeedsTemplateSubtraction) {
  std::printf("tail tau 2 ms; errors in %% (RMS / MNF)\n");
  std::uint64_t seed = 100;
  for (const double f : {10.0, 40.0}) {
    for (const double ratio : {10.0, 100.0, 1000.0}) {
      const Scenario s = scenario(f, 40, ratio, 0.0, 2e-3, seed++);
      for (const Method& m : methods()) {
        const Errors e = inter_pulse_errors(s, m);
        std::printf("%-14s %5.0f %6.0f | %8.2f / %6.2f\n", m.name, f, ratio, e.rms_pct, e.mnf_pct);
        if (m.params.method == SuppressMethod::template_subtraction && m.params.subtract_mwave) {
          EXPECT_LT(std::abs(e.rms_pct), 10.0) << m.name << " f " << f << " ratio " << ratio;
          EXPECT_LT(std::abs(e.mnf_pct), 10.0) << m.name << " f " << f << " ratio " << ratio;
        } else if (ratio == 1000.0) {
          EXPECT_GT(e.rms_pct, 10.0) << m.name << " f " << f << ": the tail should show";
        }
      }
    }
  }
}

TEST(SuppressArtifacts, TemplateRemovesTheTailBetterThanBlanking) {
  const Scenario s = scenario(20.0, 40, 1000.0, 0.0, 2e-3, 55);
  SuppressParams blank, tmpl;
  tmpl.method = SuppressMethod::template_subtraction;
  const auto residual = [&](const SuppressParams& p) {
    const RowMatrixXd y = emg::stim::suppress_artifacts(as_row(s.recorded), kFs, s.pulses, p).data;
    const auto b = static_cast<Eigen::Index>(std::llround(p.blank_s * kFs));
    const auto e = static_cast<Eigen::Index>(std::llround(10e-3 * kFs));
    double energy = 0.0;
    for (const std::int64_t pk : s.pulses) {
      for (Eigen::Index i = pk + b; i <= pk + e; ++i) energy += std::pow(y(0, i) - s.truth_emg[i], 2);
    }
    return energy;
  };
  double emg_energy = 0.0;  // the EMG's own energy over the same samples, for scale
  for (const std::int64_t pk : s.pulses) {
    for (Eigen::Index i = pk + 6; i <= pk + 20; ++i) emg_energy += std::pow(s.truth_emg[i], 2);
  }
  const double rb = residual(blank), rt = residual(tmpl);
  std::printf("residual energy in [t_k + blank, t_k + 10 ms] / EMG energy: blanking %.3g, template %.3g\n",
              rb / emg_energy, rt / emg_energy);
  EXPECT_GT(rb / emg_energy, 10.0);  // tail 100x RMS at the pulse, 22x at 3 ms
  // what template subtraction leaves: 5 % of the tail (the artefact's pulse-to-pulse jitter) and the
  // EMG noise the template carries; with scale_template the jitter part goes too
  EXPECT_LT(rt / emg_energy, 1.0);
  EXPECT_LT(rt, 0.01 * rb);
  tmpl.scale_template = true;
  const double rs = residual(tmpl);
  std::printf("  with scale_template: %.3g\n", rs / emg_energy);
  EXPECT_LT(rs, 0.7 * rt);
}

// ---------------------------------------------------------------------------- exact behaviour

TEST(SuppressArtifacts, IntervalsAreExact) {
  SuppressParams p;
  p.pre_s = 2e-3;  // 2 samples at 1 kHz
  p.blank_s = 3e-3;
  const Pulses pulses = {0, 1, 10, 12, 40, 99};
  const std::vector<SampleInterval> iv = emg::stim::suppression_intervals(100, 1000.0, pulses, p);
  // e_k = min(p + 3, n, max(p + 1, p_next - 2)); s_k = max(0, p - 2, e_{k-1})
  const std::vector<SampleInterval> expected = {{0, 1}, {1, 4}, {8, 11}, {11, 15}, {38, 43}, {97, 100}};
  EXPECT_EQ(iv, expected);
  for (std::size_t k = 0; k < iv.size(); ++k) {
    EXPECT_LE(iv[k].start_sample, pulses[k]);
    EXPECT_GT(iv[k].end_sample, pulses[k]);
  }
  // the kernel returns the same spans and replaces exactly those samples
  VectorXd x = VectorXd::LinSpaced(100, 1.0, 100.0);
  for (const std::int64_t pk : pulses) x[pk] += 1e6;
  SuppressParams z = p;
  z.method = SuppressMethod::blank_zero;
  const emg::stim::Suppressed out = emg::stim::suppress_artifacts(as_row(x), 1000.0, pulses, z);
  EXPECT_EQ(out.intervals, expected);
  const std::vector<std::uint8_t> mask = emg::stim::suppressed_mask(out.intervals, 100);
  for (Eigen::Index i = 0; i < 100; ++i) {
    if (mask[static_cast<std::size_t>(i)]) EXPECT_EQ(out.data(0, i), 0.0) << i;
    else EXPECT_EQ(out.data(0, i), x[i]) << i;
  }
}

TEST(SuppressArtifacts, FillsAreExactOnLinesAndHoldAtTheEdges) {
  // a straight line is reproduced exactly by the linear and the cubic fill
  const VectorXd line = VectorXd::LinSpaced(200, -3.0, 5.0);
  VectorXd x = line;
  const Pulses pulses = {0, 50, 120, 199};
  for (const std::int64_t pk : pulses) x[pk] += 1e3;
  SuppressParams p;
  p.pre_s = 1e-3;
  p.blank_s = 4e-3;
  for (const SuppressMethod m : {SuppressMethod::blank_linear, SuppressMethod::blank_cubic}) {
    p.method = m;
    const emg::stim::Suppressed out = emg::stim::suppress_artifacts(as_row(x), 1000.0, pulses, p);
    // interior runs: exact line; start run holds y[e], end run holds y[s-1]
    for (Eigen::Index i = 49; i < 54; ++i) EXPECT_NEAR(out.data(0, i), line[i], 1e-12) << to_string(m) << " " << i;
    for (Eigen::Index i = 119; i < 124; ++i) EXPECT_NEAR(out.data(0, i), line[i], 1e-12) << to_string(m) << " " << i;
    for (Eigen::Index i = 0; i < 4; ++i) EXPECT_EQ(out.data(0, i), line[4]) << to_string(m);
    EXPECT_EQ(out.data(0, 198), line[197]);
    EXPECT_EQ(out.data(0, 199), line[197]);
  }
  // the cubic fill follows a curve the line cannot: y = t^2 on a 6-sample gap
  VectorXd q(100);
  for (Eigen::Index i = 0; i < 100; ++i) q[i] = 1e-2 * static_cast<double>(i * i);
  p.pre_s = 0.0;
  p.blank_s = 6e-3;
  const auto max_err = [&](SuppressMethod m) {
    p.method = m;
    const emg::stim::Suppressed out = emg::stim::suppress_artifacts(as_row(q), 1000.0, {50}, p);
    double e = 0.0;
    for (Eigen::Index i = 50; i < 56; ++i) e = std::max(e, std::abs(out.data(0, i) - q[i]));
    return e;
  };
  // linear: chord error of t^2 over 7 samples is 0.01 * 3.5^2 = 0.1225 at the middle; cubic Hermite
  // with one-sided slopes (off by 0.01 each) errs by at most 0.01 * 7 / 4 < 0.02
  EXPECT_NEAR(max_err(SuppressMethod::blank_linear), 0.12, 0.005);
  EXPECT_LT(max_err(SuppressMethod::blank_cubic), 0.02);
  // a run covering the whole signal becomes 0
  p.method = SuppressMethod::blank_linear;
  p.blank_s = 10e-3;
  const VectorXd small = VectorXd::Constant(5, 2.0);
  EXPECT_EQ(emg::stim::suppress_artifacts(as_row(small), 1000.0, {0}, p).data.cwiseAbs().maxCoeff(), 0.0);
}

TEST(SuppressArtifacts, IdenticalArtefactsSubtractToZero) {
  // no EMG, artefacts all alike (no amplitude jitter): template subtraction leaves exactly 0
  const Pulses pulses = make_train(0.2, 25.0, 30);
  VectorXd x = VectorXd::Zero(pulses.back() + 400);
  emg::simulate::ArtifactParams a = artefact(1.0, 2e-3);
  a.amplitude_sd = 0.0;
  Rng rng(3);
  std::vector<TruthPulse> truth;
  emg::simulate::add_artifacts(x, kFs, pulses, a, rng, truth);
  SuppressParams p;
  p.method = SuppressMethod::template_subtraction;
  const RowMatrixXd y = emg::stim::suppress_artifacts(as_row(x), kFs, pulses, p).data;
  EXPECT_LT(y.cwiseAbs().maxCoeff(), 1e-15);
  // with 5 % pulse-to-pulse amplitude jitter the unscaled template leaves ~5 % of the tail; the
  // least-squares gain follows each pulse
  a.amplitude_sd = 0.05;
  VectorXd xj = VectorXd::Zero(x.size());
  Rng rng2(4);
  truth.clear();
  emg::simulate::add_artifacts(xj, kFs, pulses, a, rng2, truth);
  const double plain = emg::stim::suppress_artifacts(as_row(xj), kFs, pulses, p).data.cwiseAbs().maxCoeff();
  p.scale_template = true;
  const double scaled = emg::stim::suppress_artifacts(as_row(xj), kFs, pulses, p).data.cwiseAbs().maxCoeff();
  std::printf("max residual with 5 %% jitter (spike 1, tail 0.1): unscaled %.3g, scaled %.3g\n", plain, scaled);
  EXPECT_GT(plain, 1e-3);
  EXPECT_LT(scaled, 1e-12);
}

TEST(SuppressArtifacts, TemplatesNeverMixTrains) {
  // two trains back to back, artefacts 1 and 3: with train ids each template is exact
  const Pulses a = make_train(0.2, 20.0, 12), b = make_train(0.2 + 12.0 / 20.0, 20.0, 12);
  Pulses pulses = a;
  pulses.insert(pulses.end(), b.begin(), b.end());
  VectorXd x = VectorXd::Zero(pulses.back() + 300);
  emg::simulate::ArtifactParams art = artefact(1.0, 2e-3);
  art.amplitude_sd = 0.0;
  Rng rng(5);
  std::vector<TruthPulse> truth;
  emg::simulate::add_artifacts(x, kFs, a, art, rng, truth);
  art.amplitude = 3.0;
  truth.clear();
  VectorXd xb = VectorXd::Zero(x.size());
  emg::simulate::add_artifacts(xb, kFs, b, art, rng, truth);
  x += xb;
  std::vector<long> ids(pulses.size(), 1);
  std::fill(ids.begin() + 12, ids.end(), 2);
  SuppressParams p;
  p.method = SuppressMethod::template_subtraction;
  p.template_pulses = 4;  // an even count averages the two middle values: a mixed window shows
  EXPECT_LT(emg::stim::suppress_artifacts(as_row(x), kFs, pulses, p, ids).data.cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_GT(emg::stim::suppress_artifacts(as_row(x), kFs, pulses, p).data.cwiseAbs().maxCoeff(), 0.01);
}

TEST(SuppressArtifacts, ChannelsAreIndependentAndInputUntouched) {
  const Scenario s1 = scenario(20.0, 20, 100.0, 5.0, 2e-3, 11);
  const Scenario s2 = scenario(20.0, 20, 300.0, 0.0, 1e-3, 12);
  RowMatrixXd x(2, s1.recorded.size());
  x.row(0) = s1.recorded.transpose();
  x.row(1) = s2.recorded.transpose();
  const RowMatrixXd copy = x;
  for (const Method& m : methods()) {
    const emg::stim::Suppressed both = emg::stim::suppress_artifacts(x, kFs, s1.pulses, m.params);
    EXPECT_EQ(both.data.rows(), 2);
    for (Eigen::Index c = 0; c < 2; ++c) {
      const emg::stim::Suppressed one = emg::stim::suppress_artifacts(x.row(c), kFs, s1.pulses, m.params);
      EXPECT_EQ(one.data.row(0), both.data.row(c)) << m.name;
      EXPECT_EQ(one.intervals, both.intervals);
    }
  }
  EXPECT_EQ(x, copy);
  // no pulses: identity
  const emg::stim::Suppressed none = emg::stim::suppress_artifacts(x, kFs, {}, SuppressParams{});
  EXPECT_EQ(none.data, x);
  EXPECT_TRUE(none.intervals.empty());
  // pulses at the very first and last samples
  for (const Method& m : methods()) {
    const Pulses edge = {0, x.cols() - 1};
    const emg::stim::Suppressed out = emg::stim::suppress_artifacts(x, kFs, edge, m.params);
    EXPECT_EQ(out.intervals.front().start_sample, 0);
    EXPECT_EQ(out.intervals.back().end_sample, x.cols());
    EXPECT_TRUE(out.data.allFinite());
  }
}

TEST(SuppressArtifacts, ParameterAndInputRules) {
  const VectorXd x = VectorXd::Ones(1000);
  const RowMatrixXd r = as_row(x);
  const Pulses ok = {100, 200};
  const auto with = [](auto f) {
    SuppressParams p;
    f(p);
    return p;
  };
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, 0.0, ok), "suppress_artifacts", "fs_hz");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.pre_s = -1e-3; })), "pre_s");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.blank_s = 0.0; })), "blank_s",
               "(0, 0.05]");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.blank_s = 0.2; })), "blank_s");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.template_pulses = 0; })),
               "template_pulses", "1..15");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.template_pulses = 16; })),
               "template_pulses");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.template_window_s = -1.0; })),
               "template_window_s");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.template_max_s = 0.0; })),
               "template_max_s");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.template_max_s = 1e-4; })),
               "template_max_s", "one sample");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, with([](SuppressParams& p) { p.mwave_guard_s = NAN; })),
               "mwave_guard_s");
  EXPECT_ERROR(emg::stim::suppress_artifacts(
                   r, kFs, ok, with([](SuppressParams& p) { p.residual_fill = SuppressMethod::template_subtraction; })),
               "residual_fill");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, {100, 1000}), "pulses[1]", "1000", "n_samples=1000");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, {-1}), "pulses[0]");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, {200, 200}), "pulses[1]", "strictly increasing");
  EXPECT_ERROR(emg::stim::suppress_artifacts(r, kFs, ok, SuppressParams{}, {1}), "train_ids");
  RowMatrixXd bad = r;
  bad(0, 17) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_ERROR(emg::stim::suppress_artifacts(bad, kFs, ok), "suppress_artifacts", "x", "sample 17");
  EXPECT_ERROR(emg::stim::suppress_artifacts(RowMatrixXd(1, 0), kFs, {}), "empty");
  EXPECT_ERROR(emg::stim::parse_suppress_method("blank"), "method", "blank");
  for (const SuppressMethod m : {SuppressMethod::blank_linear, SuppressMethod::blank_cubic, SuppressMethod::blank_zero,
                                 SuppressMethod::template_subtraction}) {
    EXPECT_EQ(emg::stim::parse_suppress_method(emg::stim::to_string(m)), m);
  }
  EXPECT_EQ(SuppressParams::describe().size(), 11u);
  EXPECT_EQ(MwaveMeasureParams::describe().size(), 9u);
}

// ---------------------------------------------------------------------------- M-waves

struct MwaveCase {
  Pulses pulses;
  VectorXd x;
  std::vector<TruthPulse> truth;
  VectorXd shape;  ///< unit peak-to-peak template
};

/// A 20 Hz train of M-waves (12 ms, latency 4 ms) in EMG-like noise at the given SNR (M-wave RMS
/// over its duration / noise RMS), optionally with artefacts, suppressed by blank_linear.
MwaveCase mwave_case(double snr_db, double decline, double sd, long n_pulses, std::uint64_t seed,
                     double artefact_ratio = 0.0) {
  MwaveCase c;
  c.pulses = make_train(0.3, 20.0, n_pulses);
  c.shape = emg::simulate::mwave_template(12e-3, kFs);
  const double m_rms = std::sqrt(c.shape.squaredNorm() / static_cast<double>(c.shape.size()));
  const double noise_rms = m_rms / std::pow(10.0, snr_db / 20.0);
  const Eigen::Index n = c.pulses.back() + 2048;
  c.x = emg_noise(static_cast<long>(n), noise_rms, seed);
  Rng rng(seed + 1);
  emg::simulate::add_mwaves(c.x, kFs, c.pulses, mwave(1.0, decline, sd), rng, c.truth);
  if (artefact_ratio > 0.0) {
    emg::simulate::add_artifacts(c.x, kFs, c.pulses, artefact(artefact_ratio * noise_rms, 0.5e-3), rng, c.truth);
    c.x = emg::stim::suppress_artifacts(as_row(c.x), kFs, c.pulses).data.row(0).transpose();
  }
  return c;
}

TEST(MeasureMwaves, AgainstTruthAcrossSnr) {
  Eigen::Index argmax = 0;
  std::printf("%6s | %8s %8s %8s %10s %10s %9s\n", "SNR dB", "onset", "onset<=1", "peak<=1", "p2p err %", "area err %",
              "dur smp");
  for (const double snr : {60.0, 40.0, 26.0, 20.0}) {
    const MwaveCase c = mwave_case(snr, 0.0, 0.03, 150, 21 + static_cast<std::uint64_t>(snr));
    c.shape.maxCoeff(&argmax);
    const std::vector<Mwave> m = emg::stim::measure_mwaves(as_row(c.x), kFs, c.pulses);
    ASSERT_EQ(m.size(), c.pulses.size());
    double onset_err = 0.0, p2p_err = 0.0, area_err = 0.0, dur_err = 0.0;
    long onset_ok = 0, peak_ok = 0;
    for (std::size_t k = 0; k < m.size(); ++k) {
      ASSERT_TRUE(m[k].found) << "snr " << snr << " pulse " << k << " " << m[k].status;
      const double true_onset = static_cast<double>(c.truth[k].mwave_sample - c.pulses[k]);
      const double amp = c.truth[k].mwave_amplitude;
      const double on = m[k].latency_s * kFs - true_onset;
      onset_err += on;
      onset_ok += std::abs(on) <= 1.0 + 1e-9;
      peak_ok += std::abs(m[k].peak_latency_s * kFs - (true_onset + static_cast<double>(argmax))) <= 1.0 + 1e-9;
      p2p_err += m[k].peak_to_peak / amp - 1.0;
      area_err += m[k].area / (amp * c.shape.cwiseAbs().sum() / kFs) - 1.0;
      dur_err += m[k].duration_s * kFs - static_cast<double>(c.shape.size());
    }
    const double np = static_cast<double>(m.size());
    onset_err /= np, p2p_err *= 100.0 / np, area_err *= 100.0 / np, dur_err /= np;
    const double onset_frac = static_cast<double>(onset_ok) / np, peak_frac = static_cast<double>(peak_ok) / np;
    std::printf("%6.0f | %+8.2f %8.2f %8.2f %+10.2f %+10.2f %+9.2f\n", snr, onset_err, onset_frac, peak_frac, p2p_err,
                area_err, dur_err);
    // measured (seeded): p2p <= 0.6 %, area <= 0.8 %, peak latency 100 % within a sample at every SNR;
    // onset +0.5 / +0.7 / +1.7 / +2.4 samples and duration -1.0 / -1.5 / -3.4 / -3.9 samples at
    // 60 / 40 / 26 / 20 dB: the template's cubic rise hides its first samples in the noise
    EXPECT_LT(std::abs(p2p_err), 5.0) << snr;   // mean peak-to-peak within 5 % at SNR >= 20 dB
    EXPECT_LT(std::abs(area_err), 5.0) << snr;
    EXPECT_GE(peak_frac, 0.95) << snr;           // first-phase peak within 1 sample
    if (snr >= 40.0) {
      EXPECT_GE(onset_frac, 0.9) << snr;         // onset within 1 sample of the truth
      EXPECT_LT(std::abs(onset_err), 1.0) << snr;
      EXPECT_LT(std::abs(dur_err), 2.0) << snr;
    } else {
      EXPECT_GT(onset_err, 0.0) << snr;          // late, never early: no crossing in the noise
      EXPECT_LT(onset_err, 3.0) << snr;
      EXPECT_LT(std::abs(dur_err), 5.0) << snr;
    }
  }
}

TEST(MeasureMwaves, AfterBlankingTheArtefacts) {
  // artefacts 1000x the noise, fast amplifier recovery, 30 dB: the blanked signal measures as the clean one
  const MwaveCase c = mwave_case(30.0, 0.5, 0.03, 150, 77, 1000.0);
  const std::vector<Mwave> m = emg::stim::measure_mwaves(as_row(c.x), kFs, c.pulses);
  double worst = 0.0, mean = 0.0;
  long ok = 0;
  for (std::size_t k = 0; k < m.size(); ++k) {
    ASSERT_TRUE(m[k].found) << k << " " << m[k].status;
    ok += m[k].status == "ok";  // else onset_at_window_start: the onset walked into the blanked line
    const double e = std::abs(m[k].peak_to_peak / c.truth[k].mwave_amplitude - 1.0);
    worst = std::max(worst, e);
    mean += e / static_cast<double>(m.size());
  }
  std::printf("after blanking, 30 dB (24 dB at the train end): peak-to-peak error mean %.2f %%, worst %.2f %%, %ld/%zu ok\n",
              100.0 * mean, 100.0 * worst, ok, m.size());
  EXPECT_LT(mean, 0.02);
  EXPECT_LT(worst, 0.1);
  EXPECT_GE(ok, 140);
}

TEST(MeasureMwaves, DeclineAlongTheTrainAndAcrossTrains) {
  // three trains of 150 pulses, decline 0.5 within each; M_max 1, 0.8, 0.6 from train to train
  std::vector<Mwave> all;
  const double true_ratio = 1.0 - 0.5 * 149.0 / 150.0;
  for (long t = 0; t < 3; ++t) {
    MwaveCase c = mwave_case(30.0, 0.5, 0.03, 150, 300 + static_cast<std::uint64_t>(t));
    (void)c;
    // rescale: rebuild with M_max = 1 - 0.2 t by scaling the signal (noise scales too: SNR is kept)
    c.x *= 1.0 - 0.2 * static_cast<double>(t);
    std::vector<long> ids(c.pulses.size(), 10 + t);
    std::vector<Mwave> m = emg::stim::measure_mwaves(as_row(c.x), kFs, c.pulses, {}, ids);
    all.insert(all.end(), m.begin(), m.end());
  }
  const emg::stim::MwaveTrends tr = emg::stim::mwave_trends(all);
  ASSERT_EQ(tr.trains.size(), 3u);
  for (long t = 0; t < 3; ++t) {
    const emg::stim::MwaveTrainTrend& s = tr.trains[static_cast<std::size_t>(t)];
    const double mmax = 1.0 - 0.2 * static_cast<double>(t);
    EXPECT_EQ(s.train_id, 10 + t);
    EXPECT_EQ(s.n_pulses, 150);
    EXPECT_EQ(s.n_found, 150);
    std::printf("train %ld: fitted last/first %.4f (truth %.4f), raw %.4f, slope %.3g/pulse (truth %.3g)\n", t,
                s.fitted_last_first_ratio, true_ratio, s.last_first_ratio, s.peak_to_peak_trend.slope,
                -0.5 * mmax / 150.0);
    EXPECT_NEAR(s.fitted_last_first_ratio, true_ratio, 0.03);
    EXPECT_NEAR(s.last_first_ratio, true_ratio, 0.1);
    EXPECT_NEAR(s.peak_to_peak_trend.slope, -0.5 * mmax / 150.0, 0.1 * 0.5 * mmax / 150.0);
    EXPECT_NEAR(s.mean_duration_s * kFs, 24.0, 4.0);
    EXPECT_LT(s.area_trend.slope, 0.0);
  }
  ASSERT_EQ(tr.across_trains_first.size(), 1u);
  EXPECT_NEAR(tr.across_trains_first[0].slope, -0.2, 0.02);
  EXPECT_NEAR(tr.across_trains_mean[0].slope, -0.2 * (1.0 + true_ratio) / 2.0, 0.02);
}

TEST(MeasureMwaves, EdgeCasesAndStatus) {
  // no M-wave: noise only -> below_noise, p2p still measured, trend NaN
  const VectorXd noise = emg_noise(4096, 1.0, 5);
  const Pulses pulses = make_train(0.1, 20.0, 10);
  const std::vector<Mwave> m = emg::stim::measure_mwaves(as_row(noise), kFs, pulses);
  long found = 0;
  for (const Mwave& w : m) {
    found += w.found;
    if (!w.found) {
      EXPECT_EQ(w.status, "below_noise");
      EXPECT_GT(w.peak_to_peak, 0.0);
      EXPECT_TRUE(std::isnan(w.latency_s));
    }
  }
  EXPECT_LE(found, 1);
  const emg::stim::MwaveTrends tr = emg::stim::mwave_trends(m);
  ASSERT_EQ(tr.trains.size(), 1u);
  EXPECT_TRUE(std::isnan(tr.trains[0].peak_to_peak_trend.slope));
  EXPECT_TRUE(std::isnan(tr.across_trains_first[0].slope));
  // pulses at the first and last samples: no baseline / no window
  VectorXd x = VectorXd::Zero(200);
  const VectorXd shape = emg::simulate::mwave_template(12e-3, kFs);
  x.segment(8, shape.size()) = shape;
  const std::vector<Mwave> e = emg::stim::measure_mwaves(as_row(x), kFs, {0, 199});
  EXPECT_EQ(e[0].status, "ok");  // the train's baseline (before pulse 199) serves pulse 0 too
  EXPECT_EQ(emg::stim::measure_mwaves(as_row(x), kFs, {0})[0].status, "no_baseline");
  EXPECT_TRUE(e[0].found);
  EXPECT_EQ(e[0].onset_sample, 8);  // noise-free: the first non-zero sample
  EXPECT_EQ(e[0].offset_sample, 8 + shape.size() - 1);
  EXPECT_NEAR(e[0].peak_to_peak, 1.0, 1e-12);
  EXPECT_EQ(e[1].status, "no_window");
  EXPECT_TRUE(std::isnan(e[1].peak_to_peak));
  // window clipped at the next pulse
  const std::vector<Mwave> close = emg::stim::measure_mwaves(as_row(x), kFs, {0, 12});
  EXPECT_EQ(close[0].offset_sample, 11);
  EXPECT_EQ(close[0].pulse_index, 0);
  EXPECT_EQ(close[1].pulse_index, 1);
}

TEST(MeasureMwaves, ParameterRules) {
  const RowMatrixXd r = as_row(VectorXd::Ones(500));
  const auto with = [](auto f) {
    MwaveMeasureParams p;
    f(p);
    return p;
  };
  using P = MwaveMeasureParams;
  EXPECT_ERROR(emg::stim::measure_mwaves(r, -1.0, {1}), "measure_mwaves", "fs_hz");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.window_start_s = -1.0; })), "window_start_s");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.window_end_s = 1e-3; })), "window_end_s");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.baseline_s = 0.0; })), "baseline_s");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.baseline_end_s = 0.01; })), "baseline_end_s");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.onset_sd = -1.0; })), "onset_sd");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.extend_sd = 4.0; })), "extend_sd", "onset_sd");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.detect_sd = NAN; })), "detect_sd");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.onset_fraction = 1.0; })), "onset_fraction");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1}, with([](P& p) { p.min_peak_to_peak = -1.0; })),
               "min_peak_to_peak");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {500}), "pulses[0]");
  EXPECT_ERROR(emg::stim::measure_mwaves(r, kFs, {1, 2}, {}, {3}), "train_ids");
  RowMatrixXd bad = r;
  bad(0, 3) = std::numeric_limits<double>::infinity();
  EXPECT_ERROR(emg::stim::measure_mwaves(bad, kFs, {1}), "sample 3");
  Mwave neg;
  neg.channel = -2;
  EXPECT_ERROR(emg::stim::mwave_trends({neg}), "mwave_trends", "channel");
}

}  // namespace
