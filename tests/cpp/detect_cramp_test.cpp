// Cramp decision per train and CTF per session (SCIENCE.md §1.3, §1.6): a sweep over simulated
// EIC sessions (SNR 0-30 dB, artefacts 10-1000x the cramp amplitude with and without clipping,
// M-wave decline 0-1, trains 4-40 Hz, CTFs spread over the ladder) scored against the simulator's
// truth; closed-form checks of the measures (RMS ratios, area, MNF/MDF of a sine, decay tau) on
// synthetic signals; real recordings without stimulation; every bad input gives a status with its
// reason; the CTF rule (interval, censoring, confirmation, uncounted trains); parameter rules.
#include <emg/detect/cramp.hpp>
#include <emg/detect/ctf.hpp>
#include <emg/errors.hpp>
#include <emg/io/formats.hpp>
#include <emg/simulate/random.hpp>
#include <emg/simulate/session.hpp>
#include <emg/stim/pulses.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

namespace sim = emg::simulate;
using emg::Recording;
using emg::RowMatrixXd;
using emg::detect::CrampParams;
using emg::detect::CrampResult;
using emg::detect::CtfParams;
using emg::detect::CtfResult;
using emg::detect::UncountedPolicy;
using emg::detect::cramp_threshold_frequency;
using emg::detect::detect_cramps;
using emg::stim::PulseTrain;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- the simulated sweep ------------------------------------------------------------------------

/// A short ladder 4, 8, ..., 40 Hz (2-s trains, 12 s rest) that does not stop at the first cramp,
/// so every session has cramping and non-cramping trains; cramps last 3-9 s.
sim::SessionParams sweep_session(double snr_db, double artifact, double clip, double decline) {
  sim::SessionParams p;
  p.snr_db = snr_db;
  p.ladder.start_hz = 4.0;
  p.ladder.step_hz = 4.0;
  p.ladder.max_hz = 40.0;
  p.ladder.stop_at_first_cramp = false;
  p.ladder.rest_s = 12.0;
  p.post_s = 15.0;
  p.afterdischarge.duration_min_s = 3.0;
  p.afterdischarge.duration_max_s = 9.0;
  p.afterdischarge.decay_tau_min_s = 10.0;  // see Sweep.FastDecay for the default 5-30 s
  p.artifact.amplitude = artifact;
  p.artifact.clip_probability = clip;
  p.mwave.decline = decline;
  return p;
}

struct Score {
  long trains = 0, correct = 0, undecided = 0, false_cramps = 0, missed = 0;
  long sessions = 0, ctf_exact = 0;
  std::vector<double> onset_ms, offset_ms;  // signed errors (detected - truth)
  void add(const Score& o) {
    trains += o.trains, correct += o.correct, undecided += o.undecided, false_cramps += o.false_cramps, missed += o.missed;
    sessions += o.sessions, ctf_exact += o.ctf_exact;
    onset_ms.insert(onset_ms.end(), o.onset_ms.begin(), o.onset_ms.end());
    offset_ms.insert(offset_ms.end(), o.offset_ms.begin(), o.offset_ms.end());
  }
  double accuracy() const { return trains ? static_cast<double>(correct) / static_cast<double>(trains) : 0.0; }
  double ctf_rate() const { return sessions ? static_cast<double>(ctf_exact) / static_cast<double>(sessions) : 0.0; }
};

double median(std::vector<double> v, bool absolute) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (absolute) {
    for (double& x : v) x = std::abs(x);
  }
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/// Score one simulated session: per-train decisions, edges of the true positives, and the CTF
/// against the truth (first cramping ladder step, interval lower bound the previous step).
Score score_session(const sim::SimulatedRecording& s, const std::vector<CrampResult>& res, std::map<double, Score>* by_f = nullptr) {
  Score sc;
  const auto& truth = s.truth.trains;
  const double fs = s.recording.fs_hz();
  EXPECT_EQ(res.size(), truth.size());
  for (std::size_t k = 0; k < res.size() && k < truth.size(); ++k) {
    const CrampResult& r = res[k];
    const emg::TruthTrain& t = truth[k];
    EXPECT_EQ(r.start_sample, t.start_sample);
    Score one;
    ++one.trains;
    if (!r.decided) {
      ++one.undecided;
      ADD_FAILURE() << "undecided train " << r.train_id << " at " << r.frequency_hz << " Hz: " << r.message;
    } else if (r.cramp == t.cramp) {
      ++one.correct;
    } else if (r.cramp) {
      ++one.false_cramps;
      std::printf("  false cramp: train %ld at %g Hz (truth: no cramp), onset %.3f s after the last pulse, duration %.3f s, peak %.3g, "
                  "thresholds on %.3g off %.3g, baseline %.3g +- %.3g: %s\n",
                  r.train_id, r.frequency_hz, r.onset_s - static_cast<double>(r.end_sample) / fs, r.duration_s, r.peak_rms,
                  r.threshold_on, r.threshold_off, r.baseline_mean, r.baseline_sd, r.status.c_str());
    } else {
      ++one.missed;
    }
    if (r.decided && r.cramp && t.cramp) {
      one.onset_ms.push_back(1e3 * static_cast<double>(r.onset_sample - t.cramp_onset_sample) / fs);
      if (!r.offset_censored) one.offset_ms.push_back(1e3 * static_cast<double>(r.offset_sample - t.cramp_offset_sample) / fs);
    }
    if (by_f) (*by_f)[t.frequency_hz].add(one);
    sc.add(one);
  }
  const CtfResult c = cramp_threshold_frequency(res);
  double ctf = kInf, lower = 0.0;
  for (const emg::TruthTrain& t : truth) {
    if (t.cramp) {
      ctf = t.frequency_hz;
      break;
    }
    lower = t.frequency_hz;
  }
  ++sc.sessions;
  // nominal frequencies with stored stimulation; least-squares ones (exact to rounding) from the EMG
  const auto same = [](double a, double b) { return std::abs(a - b) < 0.01; };
  const bool exact = c.determined && (std::isinf(ctf) ? c.censored && same(c.lower_hz, lower)
                                                      : !c.censored && same(c.ctf_hz, ctf) && same(c.lower_hz, lower) && c.upper_hz == c.ctf_hz);
  if (exact) ++sc.ctf_exact;
  return sc;
}

/// Cell runner: `seeds` sessions per (SNR, artefact, clip, decline) cell, CTFs cycling over the
/// ladder (3 Hz: every train cramps; 43 Hz: none does, right-censored).
std::map<double, Score> run_sweep(const std::vector<double>& snrs, int seeds, double end_taper_s, double decay_tau_min_s,
                                  std::map<double, Score>* by_f = nullptr) {
  const double artifacts[] = {1e-3, 1e-2, 1e-1};  // 10, 100, 1000 x afterdischarge.amplitude (1e-4 V)
  const double clips[] = {0.0, 0.5};
  const double declines[] = {0.0, 0.5, 1.0};
  const double ctfs[] = {3.0, 7.0, 13.0, 18.0, 23.0, 29.0, 35.0, 43.0};
  std::map<double, Score> out;
  std::uint64_t cell = 0;
  for (double snr : snrs) {
    for (double a : artifacts) {
      for (double clip : clips) {
        for (double d : declines) {
          for (int s = 0; s < seeds; ++s, ++cell) {
            sim::SessionParams p = sweep_session(snr, a, clip, d);
            p.afterdischarge.end_taper_s = end_taper_s;
            p.afterdischarge.decay_tau_min_s = decay_tau_min_s;
            const auto sessions = sim::simulate_session(p, ctfs[cell % 8], 5000 + cell);
            const auto res = detect_cramps(sessions[0].recording);  // stored stimulation
            const Score sc = score_session(sessions[0], res, snr >= 10.0 ? by_f : nullptr);
            if (sc.false_cramps + sc.missed + sc.undecided > 0) {
              std::printf("  ... in the session SNR %g dB, artefact %g V, clip %g, decline %g, CTF %g Hz, seed %llu\n", snr, a, clip, d,
                          ctfs[cell % 8], static_cast<unsigned long long>(5000 + cell));
            }
            out[snr].add(sc);
          }
        }
      }
    }
  }
  return out;
}

void print_table(const char* title, const std::map<double, Score>& t) {
  std::printf("%s\n  SNR dB | trains | accuracy | undecided | false | missed | median |onset| (signed) ms | median |offset| (signed) ms | CTF exact\n",
              title);
  for (const auto& [snr, s] : t) {
    std::printf("  %6.0f | %6ld | %7.2f%% | %9ld | %5ld | %6ld | %12.1f (%+6.1f)      | %13.1f (%+6.1f)      | %ld/%ld\n", snr, s.trains,
                100.0 * s.accuracy(), s.undecided, s.false_cramps, s.missed, median(s.onset_ms, true), median(s.onset_ms, false),
                median(s.offset_ms, true), median(s.offset_ms, false), s.ctf_exact, s.sessions);
  }
}

// The targets at SNR >= 10 dB: accuracy >= 98 %, median |onset error| <= 50 ms, CTF exact
// >= 95 %. The offset: the simulator's truth offset is the *middle* of its raised-cosine end taper
// (end_taper_s = 0.2 s), while the detector marks the return to baseline, which at high SNR lies
// near the end of the taper: measured median +25.5 / +52.5 / +71 ms at 10 / 20 / 30 dB (and +5 /
// +13 / +19 ms with a 50-ms taper, OffsetErrorScalesWithTheTaper). So the 50-ms offset target is
// asserted at 10 dB, and at 20-30 dB the offset error is asserted to lie inside the taper's second
// half (0 < median error < 100 ms). Measured accuracy: 100 % at 0-20 dB, 99.81 % at 30 dB (one
// false cramp: a noise stretch 7 % above a baseline realisation 3 % low); CTF exact 54/54, 54/54,
// 54/54, 53/54.
TEST(Sweep, DecisionEdgesAndCtfAgainstTruth) {
  std::map<double, Score> by_f;
  const auto t = run_sweep({0.0, 10.0, 20.0, 30.0}, 3, 0.2, 10.0, &by_f);
  print_table("cramp decision vs truth (3 sessions x 36 cells per SNR, 10 trains 4-40 Hz each)", t);
  std::printf("  per frequency at SNR >= 10 dB:");
  for (const auto& [f, s] : by_f) std::printf(" %g Hz %.1f%%", f, 100.0 * s.accuracy());
  std::printf("\n");
  Score all10;
  for (const auto& [snr, s] : t) {
    // the §1.6 rule on noise alone: measured 1 false cramp in 2160 trains (see the report)
    EXPECT_LE(static_cast<double>(s.false_cramps), 0.005 * static_cast<double>(s.trains)) << "SNR " << snr;
    if (snr < 10.0) continue;
    all10.add(s);
    EXPECT_GE(s.accuracy(), 0.98) << "SNR " << snr;
    EXPECT_LE(median(s.onset_ms, true), 50.0) << "SNR " << snr;
    EXPECT_GE(s.ctf_rate(), 0.95) << "SNR " << snr;
    const double off = median(s.offset_ms, false);
    if (snr == 10.0) {
      EXPECT_LE(median(s.offset_ms, true), 50.0);
    }
    EXPECT_GT(off, 0.0) << "SNR " << snr << ": the return to baseline comes after the taper's middle";
    EXPECT_LT(off, 100.0) << "SNR " << snr << ": ... and before the taper's end";
  }
  for (const auto& [f, s] : by_f) EXPECT_GE(s.accuracy(), 0.98) << f << " Hz";
  EXPECT_GE(all10.accuracy(), 0.98);
  EXPECT_GE(all10.ctf_rate(), 0.95);
}

TEST(Sweep, OffsetErrorScalesWithTheTaper) {
  const auto t = run_sweep({10.0, 20.0, 30.0}, 1, 0.05, 10.0);
  print_table("same with afterdischarge.end_taper_s = 0.05 s", t);
  for (const auto& [snr, s] : t) {
    EXPECT_LE(median(s.offset_ms, true), 50.0) << "SNR " << snr;
    EXPECT_LE(median(s.onset_ms, true), 50.0) << "SNR " << snr;
    EXPECT_GE(s.accuracy(), 0.98) << "SNR " << snr;
  }
}

// Default decay (tau 5-30 s): a cramp may fade into the noise before its truth offset.
TEST(Sweep, FastDecay) {
  const auto t = run_sweep({10.0, 20.0, 30.0}, 1, 0.2, 5.0);
  print_table("same with afterdischarge.decay_tau_min_s = 5 s (the default)", t);
  for (const auto& [snr, s] : t) {
    EXPECT_GE(s.accuracy(), 0.98) << "SNR " << snr;
    EXPECT_GE(s.ctf_rate(), 0.95) << "SNR " << snr;
  }
}

// Pulses found in the EMG itself (no stored stimulation): same decisions.
TEST(Sweep, TrainsDetectedFromTheEmg) {
  Score sc;
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    sim::SessionParams p = sweep_session(20.0, seed % 2 ? 1e-1 : 1e-2, seed % 2 ? 0.5 : 0.0, 0.5);
    const auto s = sim::simulate_session(p, 13.0 + 4.0 * static_cast<double>(seed), 77 + seed);
    Recording rec(s[0].recording.data(), s[0].recording.fs_hz(), s[0].recording.channels());  // no /stimulation
    emg::stim::FindTrainsParams find;
    find.source = "emg";
    const auto res = detect_cramps(rec, "", CrampParams{}, find);
    sc.add(score_session(s[0], res));
  }
  print_table("trains detected from the EMG (SNR 20 dB, 4 sessions)", {{20.0, sc}});
  EXPECT_EQ(sc.accuracy(), 1.0);
  EXPECT_EQ(sc.ctf_exact, sc.sessions);
}

TEST(Sweep, MotorUnitEmg) {
  Score sc;
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    sim::SessionParams p = sweep_session(20.0, 1e-2, 0.0, 0.5);
    p.emg_model = sim::EmgModel::motor_units;
    p.ladder.start_hz = 12.0;
    p.ladder.max_hz = 24.0;
    const auto s = sim::simulate_session(p, 17.0 + 4.0 * static_cast<double>(seed), 300 + seed);
    sc.add(score_session(s[0], detect_cramps(s[0].recording)));
  }
  print_table("level-B motor-unit cramp EMG (SNR 20 dB, 2 sessions 12-24 Hz)", {{20.0, sc}});
  EXPECT_EQ(sc.accuracy(), 1.0);
  EXPECT_EQ(sc.ctf_exact, sc.sessions);
  EXPECT_LE(median(sc.onset_ms, true), 50.0);
}

// ---- synthetic signals with closed-form measures ---------------------------------------------

constexpr double kFs = 2000.0;

std::vector<double> white(long n, double sd, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v) x = sd * rng.normal();
  return v;
}

std::vector<std::int64_t> pulses_at(double start_s, double f_hz, long count, double fs = kFs) {
  std::vector<std::int64_t> p;
  for (long k = 0; k < count; ++k) p.push_back(std::llround((start_s + static_cast<double>(k) / f_hz) * fs));
  return p;
}

std::vector<PulseTrain> trains_of(const std::vector<std::int64_t>& pulses, long n, double fs = kFs) {
  return emg::stim::group_trains(pulses, fs, n);
}

RowMatrixXd as_row(const std::vector<double>& v) {
  RowMatrixXd m(1, static_cast<long>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) m(0, static_cast<long>(i)) = v[i];
  return m;
}

/// 40 s of unit white noise, a 10-Hz 2-s train from 4 s (last pulse 5.9 s), then `add` applied.
struct Synthetic {
  std::vector<double> x;
  std::vector<std::int64_t> pulses = pulses_at(4.0, 10.0, 20);
  double t_end = 5.9;
  explicit Synthetic(double duration_s = 40.0, std::uint64_t seed = 1) : x(white(std::llround(duration_s * kFs), 1.0, seed)) {}
  long n() const { return static_cast<long>(x.size()); }
  /// add white noise of `sd` x envelope(t - t0) over [t0, t1)
  template <class F>
  void burst(double t0, double t1, double sd, F envelope, std::uint64_t seed = 9) {
    sim::Rng rng(seed);
    const long last = std::min<long>(n(), std::llround(t1 * kFs));
    for (long i = std::llround(t0 * kFs); i < last; ++i) {
      x[static_cast<std::size_t>(i)] += sd * envelope(static_cast<double>(i) / kFs - t0) * rng.normal();
    }
  }
  std::vector<CrampResult> run(const CrampParams& p = {}) const { return detect_cramps(as_row(x), kFs, 0, trains_of(pulses, n()), p); }
};

// A constant-amplitude "cramp" (white noise 5 x the baseline SD) from 20 ms to 8 s after the last
// pulse: every measure has a closed form in the baseline level (the same filter acts on both).
TEST(Measures, ConstantCrampClosedForms) {
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 8.0, 5.0, [](double) { return 1.0; });
  const auto r = s.run();
  ASSERT_EQ(r.size(), 1u);
  const CrampResult& c = r[0];
  EXPECT_EQ(c.status, "ok") << c.message;
  EXPECT_TRUE(c.decided);
  EXPECT_TRUE(c.cramp);
  EXPECT_NEAR(c.onset_s, s.t_end + 0.02, 0.05);
  EXPECT_NEAR(c.offset_s, s.t_end + 8.0, 0.02);
  EXPECT_NEAR(c.duration_s, 8.0, 0.02);
  // Unit white noise through the zero-phase 20-450 Hz order-4 Butterworth at 2 kHz has RMS
  // 0.6278 (SciPy: np.std(sosfiltfilt(butter(4, [20, 450], 'band', fs=2000, output='sos'), w)) for
  // 4e5 normal samples); the cramp is sqrt(26) x that. Sampling errors: the 1.9-s baseline about
  // 2.5 %, the first second of the cramp about 3 %, five seconds about 1.1 %.
  const double gain = 0.6278, level = std::sqrt(26.0);
  EXPECT_NEAR(c.baseline_mean, gain, 0.06 * gain);
  EXPECT_NEAR(c.mean_rms_1s, gain * level, 0.08 * gain * level);
  EXPECT_NEAR(c.mean_rms_5s, gain * level, 0.04 * gain * level);
  EXPECT_GT(c.peak_rms, c.mean_rms_5s);
  EXPECT_LT(c.peak_rms, 1.3 * gain * level);
  EXPECT_NEAR(c.area / ((gain * level - c.baseline_mean) * 8.0), 1.0, 0.05);
  EXPECT_NEAR(c.epoch_snr_db, 10.0 * std::log10(26.0), 0.6);  // against the realised baseline
  // evidence: thresholds from the baseline statistics
  // (the floor min_on_ratio = 1.5 is above mu + 3 sigma for this steady baseline)
  EXPECT_DOUBLE_EQ(c.threshold_on, std::max(c.baseline_mean + 3.0 * c.baseline_sd, 1.5 * c.baseline_mean));
  EXPECT_DOUBLE_EQ(c.threshold_off, c.baseline_mean + 2.0 * c.baseline_sd);
  EXPECT_NEAR(c.baseline_s, 1.9, 0.02);
  EXPECT_HAS(c.preprocessing, "band-pass 20-450 Hz");
  EXPECT_HAS(c.preprocessing, "suppress_artifacts");
  // band-passed white noise: the envelope's relative SD over a 100-ms window is about
  // 1 / sqrt(2 x 0.1 s x 430 Hz) / ... (a few %), far below 20 %
  EXPECT_LT(c.baseline_sd / c.baseline_mean, 0.2);
  // with MVC normalisation
  CrampParams p;
  p.e_mvc = 10.0 * c.baseline_mean;
  const auto m = s.run(p)[0];
  EXPECT_NEAR(m.mean_rms_1s_pct_mvc, 100.0 * m.mean_rms_1s / p.e_mvc, 1e-9);
  EXPECT_NEAR(m.peak_rms_pct_mvc, 10.0 * m.peak_rms / c.baseline_mean, 1e-6);
}

// MNF/MDF of a 120-Hz sine "cramp" over white noise: the spectrum is the sine's line plus the
// in-band noise, MNF = (P_s 120 + P_n 235) / (P_s + P_n) with the band 20-450 Hz (mid 235 Hz).
TEST(Measures, SpectralFrequenciesOfASine) {
  Synthetic s;
  const double amp = 10.0;  // sine power 50 vs noise power 0.43 in the band (unit white noise at 2 kHz)
  for (long i = std::llround((s.t_end + 0.02) * kFs); i < std::llround((s.t_end + 5.0) * kFs); ++i) {
    s.x[static_cast<std::size_t>(i)] += amp * std::sin(2.0 * M_PI * 120.0 * static_cast<double>(i) / kFs);
  }
  const auto c = s.run()[0];
  ASSERT_TRUE(c.cramp) << c.message;
  const double ps = amp * amp / 2.0, pn = 430.0 / 1000.0;
  EXPECT_NEAR(c.mnf_hz, (ps * 120.0 + pn * 235.0) / (ps + pn), 3.0);
  EXPECT_NEAR(c.mdf_hz, 120.0, 2.0);
}

// Exponential decay: e(t) = sqrt(1 + (A e^{-t/tau})^2) ~ c + A e^{-t/tau} while A e^{-t/tau} >> 1.
TEST(Measures, DecayTau) {
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 14.0, 30.0, [](double t) { return std::exp(-t / 4.0); });
  const auto c = s.run()[0];
  ASSERT_TRUE(c.cramp) << c.message;
  EXPECT_NEAR(c.decay_tau_s, 4.0, 0.6);
  CrampParams p;
  p.fit_decay = false;
  EXPECT_TRUE(std::isnan(s.run(p)[0].decay_tau_s));
}

// ---- decisions, statuses and edge cases ------------------------------------------------------

TEST(Decision, QuietAfterTheTrainIsNoCramp) {
  Synthetic s;
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "ok") << c.message;
  EXPECT_TRUE(c.decided);
  EXPECT_FALSE(c.cramp);
  EXPECT_TRUE(std::isnan(c.onset_s));
  EXPECT_NEAR(c.window_start_s, s.t_end + 0.1, 1e-9);
  EXPECT_NEAR(c.window_end_s, s.t_end + 30.0, 1e-9);
}

TEST(Decision, ShortBurstIsNoCramp) {
  Synthetic s(40.0);
  s.burst(s.t_end + 0.05, s.t_end + 0.6, 5.0, [](double) { return 1.0; });
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "ok") << c.message;
  EXPECT_TRUE(c.decided);
  EXPECT_FALSE(c.cramp);
  CrampParams p;
  p.min_duration_s = 0.5;
  EXPECT_TRUE(s.run(p)[0].cramp) << "min_duration_s is the rule";
}

TEST(Decision, GapsUpToMaxGapAreTolerated) {
  Synthetic s(40.0);
  s.burst(s.t_end + 0.02, s.t_end + 6.0, 5.0, [](double t) { return std::fmod(t, 1.0) < 0.85 ? 1.0 : 0.0; });  // 150-ms pauses
  const auto c = s.run()[0];
  ASSERT_TRUE(c.cramp) << c.message;
  EXPECT_NEAR(c.offset_s, s.t_end + 5.87, 0.05);  // the last pause is not followed by activity
  CrampParams p;
  p.max_gap_s = 0.02;
  const auto d = s.run(p)[0];
  EXPECT_FALSE(d.cramp) << "each 0.85-s run is shorter than min_duration_s once the pauses end it";
  EXPECT_TRUE(d.decided);
}

TEST(Decision, DelayedActivity) {
  Synthetic s(40.0);
  s.burst(s.t_end + 1.5, s.t_end + 5.0, 5.0, [](double) { return 1.0; });
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "delayed_activity") << c.message;
  EXPECT_TRUE(c.decided);
  EXPECT_FALSE(c.cramp);
  EXPECT_NEAR(c.delayed_onset_s, s.t_end + 1.5, 0.06);
  CrampParams p;
  p.accept_delayed = true;
  const auto d = s.run(p)[0];
  EXPECT_TRUE(d.cramp);
  EXPECT_EQ(d.status, "delayed_activity");
  EXPECT_NEAR(d.onset_s, s.t_end + 1.5, 0.06);
}

TEST(Decision, MvcCriterionRaisesTheOnThreshold) {
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 8.0, 2.0, [](double) { return 1.0; });
  const auto c = s.run()[0];
  ASSERT_TRUE(c.cramp);
  CrampParams p;
  p.e_mvc = 10.0 * c.mean_rms_1s;
  p.mvc_fraction = 0.5;  // on-threshold at 5 x the cramp's level
  const auto d = s.run(p)[0];
  EXPECT_FALSE(d.cramp);
  EXPECT_DOUBLE_EQ(d.threshold_on, 0.5 * p.e_mvc);
}

TEST(Decision, OnThresholdFloorIgnoresASmallSteadyRise) {
  // a sustained rise of the envelope by sqrt(1 + 0.8^2) = 1.28x: above mu + 3 sigma of a steady
  // baseline (sigma ~ 5 % of mu), below the default floor 1.5 mu -- no cramp; without the floor
  // (min_on_ratio = 1) it is one
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 8.0, 0.8, [](double) { return 1.0; });
  const auto c = s.run()[0];
  ASSERT_TRUE(c.decided) << c.message;
  EXPECT_FALSE(c.cramp);
  EXPECT_DOUBLE_EQ(c.threshold_on, 1.5 * c.baseline_mean);
  EXPECT_LT(c.baseline_mean + 3.0 * c.baseline_sd, 1.25 * c.baseline_mean);
  CrampParams p;
  p.min_on_ratio = 1.0;
  const auto d = s.run(p)[0];
  EXPECT_TRUE(d.cramp) << d.message;
  EXPECT_DOUBLE_EQ(d.threshold_on, d.baseline_mean + 3.0 * d.baseline_sd);
  p.min_on_ratio = 0.5;
  EXPECT_ERROR(s.run(p), "min_on_ratio", "0.5");
}

TEST(Status, NoStimulation) {
  Synthetic s;
  const auto r = detect_cramps(as_row(s.x), kFs, 0, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, "no_stimulation");
  EXPECT_FALSE(r[0].decided);
  EXPECT_FALSE(r[0].cramp);
  const CtfResult c = cramp_threshold_frequency(r);
  EXPECT_FALSE(c.determined);
  EXPECT_EQ(c.status, "no_stimulation");
}

TEST(Status, AllNanChannel) {
  Synthetic s;
  RowMatrixXd x = as_row(s.x);
  x.row(0).setConstant(std::numeric_limits<double>::quiet_NaN());
  const auto r = detect_cramps(x, kFs, 0, trains_of(s.pulses, s.n()));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, "non_finite");
  EXPECT_HAS(r[0].message, "every sample");
  EXPECT_FALSE(r[0].decided);
  EXPECT_FALSE(r[0].cramp);
}

TEST(Status, NanInsideOneTrainsWindowOnly) {
  Synthetic s(80.0);
  s.pulses = pulses_at(4.0, 10.0, 20);
  const auto second = pulses_at(44.0, 10.0, 20);
  s.pulses.insert(s.pulses.end(), second.begin(), second.end());
  s.burst(45.92, 52.0, 5.0, [](double) { return 1.0; });
  for (long i = 20000; i < 20100; ++i) s.x[static_cast<std::size_t>(i)] = std::numeric_limits<double>::quiet_NaN();  // at 10 s
  const auto r = s.run();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, "non_finite");
  EXPECT_HAS(r[0].message, "100 NaN/Inf samples");
  EXPECT_FALSE(r[0].decided);
  EXPECT_EQ(r[1].status, "ok") << r[1].message;
  EXPECT_TRUE(r[1].cramp);
}

TEST(Status, BaselineTooShort) {
  Synthetic s;
  s.pulses = pulses_at(0.5, 10.0, 20);  // baseline window [-1.5, 0.4] s: 0.4 s left
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "baseline_too_short");
  EXPECT_HAS(c.message, "starts before the recording");
  EXPECT_FALSE(c.decided);
}

TEST(Status, BaselineActive) {
  Synthetic s(60.0);
  s.pulses = pulses_at(30.0, 10.0, 20);
  s.burst(27.0, 29.95, 4.0, [](double) { return 1.0; });  // a restless subject before the train
  const auto c = s.run()[0];
  EXPECT_HAS(c.status, "baseline_active");
  EXPECT_FALSE(c.decided);
  EXPECT_FALSE(c.cramp);
  CrampParams p;
  p.max_baseline_ratio = 0.0;
  p.baseline_active_fraction = 1.0;
  EXPECT_TRUE(s.run(p)[0].decided) << "both checks can be switched off";
}

TEST(Status, ShortBurstInTheBaselineIsFlagged) {
  Synthetic s(60.0);
  s.pulses = pulses_at(30.0, 10.0, 20);
  s.burst(28.5, 28.9, 4.0, [](double) { return 1.0; });
  const auto c = s.run()[0];
  EXPECT_HAS(c.status, "baseline_active");
  EXPECT_HAS(c.message, "% of the baseline above");
}

TEST(Status, RecordingEndsMidTrain) {
  Synthetic s(5.5);  // the train (4.0-5.9 s) is cut
  s.pulses = pulses_at(4.0, 10.0, 15);
  const auto c = s.run()[0];
  EXPECT_HAS(c.status, "recording_ends_in_window");
  EXPECT_HAS(c.status, "train_status");  // group_trains: cut at the end of the recording
  EXPECT_FALSE(c.decided);
  EXPECT_FALSE(c.cramp);
}

TEST(Status, RecordingEndsInsideTheOnsetWindow) {
  Synthetic s(6.2);  // 0.3 s after the last pulse
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "recording_ends_in_window");
  EXPECT_HAS(c.message, "the recording ends 0.299 s after the last pulse");
  EXPECT_FALSE(c.decided);
}

TEST(Status, RecordingEndsDuringACramp) {
  Synthetic s(11.0);  // 5.1 s after the last pulse, the cramp goes on
  s.burst(s.t_end + 0.02, 11.0, 5.0, [](double) { return 1.0; });
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "recording_ends_in_window; offset_censored") << c.message;
  EXPECT_TRUE(c.decided);
  EXPECT_TRUE(c.cramp);
  EXPECT_TRUE(c.offset_censored);
  EXPECT_NEAR(c.offset_s, 11.0, 0.06);
  // ... but a cramp shorter than min_duration_s so far cannot be decided
  Synthetic t(6.8);
  t.burst(t.t_end + 0.02, 6.8, 5.0, [](double) { return 1.0; });
  const auto d = t.run()[0];
  EXPECT_EQ(d.status, "recording_ends_in_window");
  EXPECT_HAS(d.message, "still on at the end of the window");
  EXPECT_FALSE(d.decided);
  EXPECT_FALSE(d.cramp);
}

TEST(Status, NextTrainTooSoon) {
  Synthetic s;
  const auto second = pulses_at(6.2, 10.0, 20);  // 0.3 s after the first train's last pulse
  s.pulses.insert(s.pulses.end(), second.begin(), second.end());
  emg::stim::TrainGroupParams g;
  g.max_gap_s = 0.2;
  const auto r = detect_cramps(as_row(s.x), kFs, 0, emg::stim::group_trains(s.pulses, kFs, s.n(), g));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, "next_train_in_window");
  EXPECT_FALSE(r[0].decided);
  EXPECT_HAS(r[1].status, "baseline_too_short");  // its baseline is the first train
}

TEST(Status, IrregularTrain) {
  Synthetic s;
  s.pulses = pulses_at(4.0, 10.0, 20);
  s.pulses[7] += 37;  // off the grid
  s.pulses[12] += 61;
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "train_status");
  EXPECT_HAS(c.message, "irregular");
  EXPECT_TRUE(c.decided) << "the activity after it can still be judged";
  CrampParams p;
  p.require_ok_train = true;
  const auto d = s.run(p)[0];
  EXPECT_FALSE(d.decided);
  EXPECT_EQ(d.status, "train_status");
}

TEST(Status, NotDetectedTrain) {
  Synthetic s;
  PulseTrain missing;
  missing.train_id = 2;
  missing.start_sample = missing.end_sample = -1;
  missing.status = "not detected (nominal train 2 at 12 Hz)";
  missing.nominal_frequency_hz = 12.0;
  auto trains = trains_of(s.pulses, s.n());
  trains.push_back(missing);
  const auto r = detect_cramps(as_row(s.x), kFs, 0, trains);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].status, "not_detected");
  EXPECT_EQ(r[1].frequency_hz, 12.0);
  EXPECT_FALSE(r[1].decided);
}

TEST(Status, SaturatedCramp) {
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 8.0, 5.0, [](double) { return 1.0; });
  for (double& v : s.x) v = std::clamp(v, -8.0, 8.0);  // the amplifier clips the cramp
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "saturated");
  EXPECT_HAS(c.message, "samples at the channel's min/max");
  EXPECT_FALSE(c.decided);
}

TEST(Status, FlatBaseline) {
  Synthetic s;
  std::fill(s.x.begin(), s.x.end(), 0.0);
  const auto c = s.run()[0];
  EXPECT_EQ(c.status, "baseline_flat");
  EXPECT_FALSE(c.decided);
}

TEST(Preprocessing, LowSamplingRates) {
  const double fs = 500.0;
  const auto x = white(10000, 1.0, 3);
  const auto trains = emg::stim::group_trains(pulses_at(4.0, 10.0, 20, fs), fs, 10000);
  const auto r = detect_cramps(as_row(x), fs, 0, trains);
  EXPECT_HAS(r[0].preprocessing, "high-pass 20 Hz only");
  EXPECT_TRUE(r[0].decided) << r[0].message;
  CrampParams p;
  p.low_hz = 300.0;
  p.high_hz = 400.0;
  const auto q = detect_cramps(as_row(x), fs, 0, trains, p);
  EXPECT_HAS(q[0].preprocessing, "band-pass skipped");
  p.bandpass = false;
  p.suppress = false;
  EXPECT_HAS(detect_cramps(as_row(x), fs, 0, trains, p)[0].preprocessing, "no band-pass");
}

// ---- real recordings without stimulation ------------------------------------------------------

const std::string kReal = std::string(EMG_DATASETS_DIR) + "/real/";

TEST(Real, BiosppyEmgWithoutStimulation) {
  const Recording rec = emg::io::import_file(kReal + "biosppy-examples/emg_1.txt");
  const auto r = detect_cramps(rec);  // no stored pulses, no trigger: pulses searched in the EMG
  for (const CrampResult& c : r) EXPECT_FALSE(c.cramp) << c.train_id << ": " << c.message;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, "no_stimulation");
  EXPECT_FALSE(cramp_threshold_frequency(r).determined);
}

TEST(Real, UciLowerLimbWithoutStimulation) {
  emg::io::ImportOptions opt;
  opt.text.fs_hz = 1000.0;
  const Recording rec = emg::io::import_file(kReal + "uci-lower-limb/3Asen.txt", opt);
  for (long c = 0; c < 4; ++c) {
    const auto r = detect_cramps(rec, rec.channels()[static_cast<std::size_t>(c)].name);
    for (const CrampResult& x : r) EXPECT_FALSE(x.cramp) << c << ": " << x.message;
    ASSERT_EQ(r.size(), 1u) << c;
    EXPECT_EQ(r[0].status, "no_stimulation") << c;
  }
}

// Synthetic pulse times on a real recording (emg_1: bursts at 15.5-16.9 s and 25.6-26.6 s, a
// raised tone after the first one until ~22 s, quiet 2-14 s), with post_window_s = 8 s so that one
// window sees one event: a train ending in the quiet stretch is no cramp; one ending 0.2 s before
// the burst is a "cramp" (the rule cannot tell a voluntary burst from a cramp: activity that
// outlasts the train is the definition), lasting through the raised tone; one ending 1.7 s before
// it is delayed activity. Reference times from a SciPy envelope (sosfiltfilt band-pass 20-450 Hz,
// 100-ms RMS): the burst crosses 20 counts at 15.51 s; 17-22 s the envelope is 7-9 counts against
// a 5-count baseline.
TEST(Real, SyntheticPulsesOnARealRecording) {
  const Recording rec = emg::io::import_file(kReal + "biosppy-examples/emg_1.txt");
  const double fs = rec.fs_hz();
  CrampParams p;
  p.post_window_s = 8.0;
  const auto run = [&](double end_s) {
    const auto trains = emg::stim::group_trains(pulses_at(end_s - 1.9, 10.0, 20, fs), fs, rec.n_samples());
    return detect_cramps(rec, trains, "", p)[0];
  };
  const CrampResult quiet = run(6.0), before = run(15.3), early = run(13.8);
  std::printf("emg_1 with synthetic 10-Hz trains: quiet %s cramp=%d | 0.2 s before a burst %s cramp=%d onset %.3f s offset %.3f s"
              " | 1.7 s before %s cramp=%d delayed onset %.3f s\n",
              quiet.status.c_str(), quiet.cramp, before.status.c_str(), before.cramp, before.onset_s, before.offset_s,
              early.status.c_str(), early.cramp, early.delayed_onset_s);
  EXPECT_EQ(quiet.status, "ok") << quiet.message;
  EXPECT_TRUE(quiet.decided);
  EXPECT_FALSE(quiet.cramp);
  EXPECT_TRUE(before.cramp) << before.message;
  EXPECT_NEAR(before.onset_s, 15.5, 0.1);
  EXPECT_GT(before.offset_s, 17.0);
  EXPECT_LT(before.offset_s, 23.0);
  EXPECT_EQ(early.status, "delayed_activity") << early.message;
  EXPECT_FALSE(early.cramp);
  EXPECT_NEAR(early.delayed_onset_s, 15.5, 0.1);
}

// ---- CTF rule ----------------------------------------------------------------------------------

CrampResult decision(long id, double f, bool cramp, std::string status = "ok", bool decided = true) {
  CrampResult r;
  r.train_id = id;
  r.frequency_hz = f;
  r.cramp = cramp && decided;
  r.decided = decided;
  r.status = std::move(status);
  return r;
}

std::vector<CrampResult> ladder(double first_cramp, double max_hz = 24.0) {
  std::vector<CrampResult> v;
  long id = 1;
  for (double f = 4.0; f <= max_hz; f += 2.0) v.push_back(decision(id++, f, f >= first_cramp));
  return v;
}

TEST(Ctf, IntervalPreviousStepToCrampStep) {
  const CtfResult c = cramp_threshold_frequency(ladder(14.0));
  EXPECT_TRUE(c.determined);
  EXPECT_EQ(c.status, "ok");
  EXPECT_EQ(c.ctf_hz, 14.0);
  EXPECT_EQ(c.lower_hz, 12.0);
  EXPECT_EQ(c.upper_hz, 14.0);
  EXPECT_FALSE(c.censored);
  EXPECT_FALSE(c.left_censored);
  EXPECT_EQ(c.train_id, 6);
  EXPECT_EQ(c.n_trains, 11);
  EXPECT_EQ(c.n_counted, 11);
  EXPECT_EQ(c.n_cramps, 6);
  EXPECT_EQ(c.n_cramps_at_ctf, 1);
}

TEST(Ctf, RightAndLeftCensored) {
  const CtfResult none = cramp_threshold_frequency(ladder(99.0));
  EXPECT_TRUE(none.determined);
  EXPECT_TRUE(none.censored);
  EXPECT_TRUE(std::isnan(none.ctf_hz));
  EXPECT_EQ(none.lower_hz, 24.0) << "stored as censored above the highest step, never as max_hz itself";
  EXPECT_EQ(none.upper_hz, kInf);
  const CtfResult all = cramp_threshold_frequency(ladder(0.0));
  EXPECT_EQ(all.ctf_hz, 4.0);
  EXPECT_EQ(all.lower_hz, 0.0);
  EXPECT_TRUE(all.left_censored);
}

TEST(Ctf, OrderDoesNotMatterAndInconsistentTrainsAreCounted) {
  auto v = ladder(14.0);
  v[8].cramp = false;  // 20 Hz did not cramp after 14 Hz did
  std::reverse(v.begin(), v.end());
  const CtfResult c = cramp_threshold_frequency(v);
  EXPECT_EQ(c.ctf_hz, 14.0);
  EXPECT_EQ(c.lower_hz, 12.0);
  EXPECT_EQ(c.n_inconsistent, 1);
  EXPECT_HAS(c.message, "did not cramp");
}

TEST(Ctf, ConfirmationByRepeats) {
  // 4..16 Hz, a cramp at 16 Hz, one repeat at 16 that cramped: confirmed with 1 repeat
  std::vector<CrampResult> v = ladder(16.0, 16.0);
  v.push_back(decision(8, 16.0, true));
  CtfParams p;
  p.confirm_repeats = 1;
  CtfResult c = cramp_threshold_frequency(v, p);
  EXPECT_EQ(c.ctf_hz, 16.0);
  EXPECT_EQ(c.n_cramps_at_ctf, 2);
  p.confirm_repeats = 2;
  c = cramp_threshold_frequency(v, p);
  EXPECT_TRUE(c.censored) << "two cramps do not confirm with confirm_repeats = 2";
  EXPECT_EQ(c.lower_hz, 16.0);
  // the repeat failed: 16 Hz is not confirmed, 18 Hz cramped twice
  v.back().cramp = false;
  v.push_back(decision(9, 18.0, true));
  v.push_back(decision(10, 18.0, true));
  p.confirm_repeats = 1;
  c = cramp_threshold_frequency(v, p);
  EXPECT_EQ(c.ctf_hz, 18.0);
  EXPECT_EQ(c.lower_hz, 16.0);
  EXPECT_EQ(c.train_id, 9);
  // Akerman-style refinement below the first cramp: 15 Hz retested twice, both cramps
  v.push_back(decision(11, 15.0, true));
  v.push_back(decision(12, 15.0, true));
  c = cramp_threshold_frequency(v, p);
  EXPECT_EQ(c.ctf_hz, 15.0);
  EXPECT_EQ(c.lower_hz, 14.0);
}

TEST(Ctf, UncountedTrainsSkipOrFail) {
  auto v = ladder(14.0);
  v[4] = decision(5, 12.0, false, "baseline_active", false);  // the step below the CTF has no decision
  CtfResult c = cramp_threshold_frequency(v);
  EXPECT_TRUE(c.determined);
  EXPECT_EQ(c.status, "skipped_trains");
  EXPECT_EQ(c.ctf_hz, 14.0);
  EXPECT_EQ(c.lower_hz, 10.0) << "the interval widens to the next counted step";
  EXPECT_EQ(c.uncounted_train_ids, std::vector<long>{5});
  EXPECT_HAS(c.message, "skipped");
  CtfParams p;
  p.uncounted = UncountedPolicy::fail;
  c = cramp_threshold_frequency(v, p);
  EXPECT_FALSE(c.determined);
  EXPECT_EQ(c.status, "uncounted_trains");
  EXPECT_TRUE(std::isnan(c.ctf_hz));
  // an undecided train above the CTF cannot change it
  v = ladder(14.0);
  v[9] = decision(10, 22.0, false, "saturated", false);
  c = cramp_threshold_frequency(v, p);
  EXPECT_TRUE(c.determined);
  EXPECT_EQ(c.status, "ok");
  EXPECT_EQ(c.uncounted_train_ids, std::vector<long>{10});
}

TEST(Ctf, RequireOkStatus) {
  auto v = ladder(14.0);
  v[5].status = "delayed_activity";  // decided, but flagged
  v[5].cramp = true;
  EXPECT_EQ(cramp_threshold_frequency(v).ctf_hz, 14.0);
  CtfParams p;
  p.require_ok_status = true;
  const CtfResult c = cramp_threshold_frequency(v, p);
  EXPECT_EQ(c.ctf_hz, 16.0);
  EXPECT_EQ(c.lower_hz, 12.0);
  EXPECT_EQ(c.status, "skipped_trains");
  // nothing counts at all
  std::vector<CrampResult> bad = {decision(1, 4.0, false, "non_finite", false), decision(2, 6.0, false, "non_finite", false)};
  const CtfResult b = cramp_threshold_frequency(bad);
  EXPECT_FALSE(b.determined);
  EXPECT_EQ(b.status, "no_counted_trains");
}

TEST(Ctf, FrequencyTolerance) {
  std::vector<CrampResult> v = {decision(1, 12.0, false), decision(2, 13.98, true), decision(3, 14.02, true)};
  CtfParams p;
  p.confirm_repeats = 1;
  EXPECT_NEAR(cramp_threshold_frequency(v, p).ctf_hz, 13.98, 1e-12);
  p.frequency_tolerance_hz = 0.01;
  EXPECT_TRUE(cramp_threshold_frequency(v, p).censored);
}

// ---- parameters and bad arguments --------------------------------------------------------------

TEST(Params, RulesNameTheParameter) {
  const auto bad = [](auto edit, const char* name, const char* rule) {
    CrampParams p;
    edit(p);
    EXPECT_ERROR(p.validate(kFs), "CrampParams", name, rule);
  };
  bad([](CrampParams& p) { p.window_s = 0.01; }, "window_s=0.01", "[0.02, 1]");
  bad([](CrampParams& p) { p.hop_s = 0.2; }, "hop_s=0.2", "window_s");
  bad([](CrampParams& p) { p.min_valid_fraction = 0.0; }, "min_valid_fraction=0", "(0, 1]");
  bad([](CrampParams& p) { p.baseline_end_s = 0.5; }, "baseline_end_s=0.5", "<= 0");
  bad([](CrampParams& p) { p.baseline_start_s = -0.05; }, "baseline_start_s=-0.05", "baseline_end_s");
  bad([](CrampParams& p) { p.min_baseline_s = 3.0; }, "min_baseline_s=3", "baseline_end_s - baseline_start_s");
  bad([](CrampParams& p) { p.max_baseline_ratio = 0.5; }, "max_baseline_ratio=0.5", ">= 1");
  bad([](CrampParams& p) { p.baseline_active_fraction = 2.0; }, "baseline_active_fraction=2", "(0, 1]");
  bad([](CrampParams& p) { p.k_on = 1.0; }, "k_on=1", ">= k_off=2");
  bad([](CrampParams& p) { p.k_off = -1.0; }, "k_off=-1", ">= 0");
  bad([](CrampParams& p) { p.mvc_fraction = 0.1; }, "e_mvc=0", "mvc_fraction");
  bad([](CrampParams& p) { p.blank_s = -0.1; }, "blank_s=-0.1", "[0, 1]");
  bad([](CrampParams& p) { p.onset_within_s = 0.05; }, "onset_within_s=0.05", "> blank_s");
  bad([](CrampParams& p) { p.min_duration_s = 0.0; }, "min_duration_s=0", "(0, 60]");
  bad([](CrampParams& p) { p.max_gap_s = 1.0; }, "max_gap_s=1", "min_duration_s");
  bad([](CrampParams& p) { p.post_window_s = 1.2; }, "post_window_s=1.2", "onset_within_s + min_duration_s");
  bad([](CrampParams& p) { p.refine_s = 2.0; }, "refine_s=2", "[0, 1]");
  bad([](CrampParams& p) { p.saturation_run = 1; }, "saturation_run=1", ">= 2");
  bad([](CrampParams& p) { p.low_hz = 0.0; }, "low_hz=0", "> 0");
  bad([](CrampParams& p) { p.high_hz = 10.0; }, "high_hz=10", "low_hz");
  bad([](CrampParams& p) { p.order = 11; }, "order=11", "1..10");
  bad([](CrampParams& p) { p.spectral_window_s = 0.1; }, "spectral_window_s=0.1", "spectral_segment_s");
  bad([](CrampParams& p) { p.fit_min_s = 0.0; }, "fit_min_s=0", "> 0");
  bad([](CrampParams& p) { p.suppression.blank_s = 0.2; }, "suppression.blank_s=0.2", "(0, 0.05]");
  EXPECT_ERROR(CrampParams{}.validate(0.0), "fs_hz=0");
  EXPECT_ERROR(CrampParams{}.validate(5.0), "window_s=0.1", ">= 2 samples");
  CtfParams c;
  c.confirm_repeats = 11;
  EXPECT_ERROR(c.validate(), "CtfParams", "confirm_repeats=11", "0..10");
  c = {};
  c.frequency_tolerance_hz = 0.0;
  EXPECT_ERROR(cramp_threshold_frequency({}, c), "frequency_tolerance_hz=0");
  EXPECT_ERROR(emg::detect::parse_uncounted_policy("maybe"), "uncounted", "skip or fail");
  EXPECT_EQ(emg::detect::parse_uncounted_policy("fail"), UncountedPolicy::fail);
  EXPECT_EQ(emg::detect::to_string(UncountedPolicy::skip), "skip");
}

TEST(Params, DescribeListsEveryField) {
  const auto& t = CrampParams::describe();
  const auto has = [&](const std::string& n) {
    return std::any_of(t.begin(), t.end(), [&](const emg::ParamInfo& i) { return i.name == n; });
  };
  for (const char* n : {"window_s", "hop_s", "baseline_start_s", "baseline_end_s", "robust_baseline", "k_on", "k_off",
                        "mvc_fraction", "e_mvc", "blank_s", "post_window_s", "onset_within_s", "min_duration_s", "max_gap_s",
                        "accept_delayed", "refine_s", "refine_onset", "refine_offset", "low_hz", "high_hz",
                        "suppression.blank_s", "suppression.method"}) {
    EXPECT_TRUE(has(n)) << n;
  }
  for (const emg::ParamInfo& i : t) EXPECT_FALSE(i.help.empty()) << i.name;
  EXPECT_EQ(CtfParams::describe().size(), 4u);
}

TEST(BadArguments, ChannelsAndTrains) {
  Synthetic s;
  const auto trains = trains_of(s.pulses, s.n());
  EXPECT_ERROR(detect_cramps(as_row(s.x), kFs, 1, trains), "detect_cramps", "channel=1", "[0, 1)");
  auto bad = trains;
  bad[0].pulses.back() = s.n() + 5;
  EXPECT_ERROR(detect_cramps(as_row(s.x), kFs, 0, bad), "trains[0].pulses[19]", "n_samples");
  bad = trains;
  std::swap(bad[0].pulses[3], bad[0].pulses[4]);
  EXPECT_ERROR(detect_cramps(as_row(s.x), kFs, 0, bad), "trains[0].pulses[4]", "strictly increasing");
  const Recording rec(as_row(s.x), kFs);
  EXPECT_ERROR(detect_cramps(rec, trains, "nope"), "nope");
}

// The robust baseline gives the same decision on a clean baseline and different evidence.
TEST(Decision, RobustBaseline) {
  Synthetic s;
  s.burst(s.t_end + 0.02, s.t_end + 8.0, 5.0, [](double) { return 1.0; });
  CrampParams p;
  p.robust_baseline = true;
  const auto a = s.run()[0], b = s.run(p)[0];
  EXPECT_TRUE(b.cramp);
  EXPECT_NEAR(b.baseline_mean / a.baseline_mean, 1.0, 0.05);
  EXPECT_NE(b.baseline_mean, a.baseline_mean);
  EXPECT_NEAR(b.onset_s, a.onset_s, 0.05);
}

}  // namespace
