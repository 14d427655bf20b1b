// EIC sessions, burst trials and studies from the simulator: the ladder, cramp iff f >= CTF, pulse
// timing to the sample, M-wave latency, SNR, determinism (committed checksum), study plans and the
// study folder.
#include <emg/io/checksum.hpp>
#include <emg/io/store.hpp>
#include <emg/simulate/fields.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/study.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/metrics.hpp>
#include <emg/spectral/spectra.hpp>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

namespace sim = emg::simulate;

namespace {

sim::SessionParams short_session() {
  sim::SessionParams p;
  p.ladder.rest_s = 12.0;
  p.post_s = 12.0;
  p.afterdischarge.duration_min_s = 4.0;
  p.afterdischarge.duration_max_s = 8.0;
  return p;
}

double rms(const Eigen::Ref<const Eigen::VectorXd>& x) { return std::sqrt(x.squaredNorm() / static_cast<double>(x.size())); }

std::string digest(const sim::SimulatedRecording& r) {
  // Data, stimulation and truth: what "same seed, same bytes" is about (file bytes also hold the
  // library version).
  std::string bytes;
  const auto& d = r.recording.data();
  bytes.append(reinterpret_cast<const char*>(d.data()), static_cast<std::size_t>(d.size()) * sizeof(double));
  for (auto s : r.recording.stimulation().pulses) bytes.append(reinterpret_cast<const char*>(&s), sizeof s);
  const auto& a = r.truth.activity;
  bytes.append(reinterpret_cast<const char*>(a.data()), static_cast<std::size_t>(a.size()));
  for (const auto& t : r.truth.trains) {
    bytes += std::to_string(t.cramp_onset_sample) + "," + std::to_string(t.cramp_offset_sample) + ";";
  }
  for (const auto& p : r.truth.pulses) bytes += std::to_string(p.mwave_sample) + "," + std::to_string(p.fwave_sample) + ";";
  return emg::io::sha256_hex(bytes.data(), bytes.size());
}

}  // namespace

TEST(SimulateSession, LadderStopsAtFirstCrampAndCrampsExactlyWhenFrequencyReachesCtf) {
  const sim::SessionParams p = short_session();
  for (double ctf : {4.0, 9.3, 14.0, 17.99, 26.5, 40.0}) {
    const auto recs = sim::simulate_session(p, ctf, 7);
    ASSERT_EQ(recs.size(), 1u);
    const auto& trains = recs[0].truth.trains;
    ASSERT_FALSE(trains.empty());
    for (std::size_t k = 0; k < trains.size(); ++k) {
      EXPECT_DOUBLE_EQ(trains[k].frequency_hz, 4.0 + 2.0 * static_cast<double>(k));
      EXPECT_EQ(trains[k].cramp, trains[k].frequency_hz >= ctf) << "ctf " << ctf << " train " << k;
    }
    EXPECT_TRUE(trains.back().cramp) << "the ladder ends at the first cramp";
    EXPECT_DOUBLE_EQ(trains.back().frequency_hz, std::ceil((ctf - 4.0) / 2.0 - 1e-12) * 2.0 + 4.0);
    EXPECT_EQ(recs[0].recording.stimulation().trains.size(), trains.size());
  }
}

TEST(SimulateSession, CensoredWhenCtfAboveTheLadderAndRepeatsConfirm) {
  sim::SessionParams p = short_session();
  p.ladder.max_hz = 12.0;
  auto recs = sim::simulate_session(p, 30.0, 1);
  ASSERT_EQ(recs[0].truth.trains.size(), 5u);  // 4, 6, 8, 10, 12
  for (const auto& t : recs[0].truth.trains) EXPECT_FALSE(t.cramp);
  p.ladder.max_hz = 40.0;
  p.ladder.confirm_repeats = 2;
  recs = sim::simulate_session(p, 9.0, 1);
  const auto& t = recs[0].truth.trains;
  ASSERT_EQ(t.size(), 6u);  // 4, 6, 8, 10, 10, 10
  EXPECT_DOUBLE_EQ(t[3].frequency_hz, 10.0);
  EXPECT_DOUBLE_EQ(t[5].frequency_hz, 10.0);
  EXPECT_FALSE(t[2].cramp);
  EXPECT_TRUE(t[3].cramp && t[4].cramp && t[5].cramp);
  p.ladder.confirm_repeats = 0;
  p.ladder.stop_at_first_cramp = false;
  p.ladder.max_hz = 16.0;
  recs = sim::simulate_session(p, 9.0, 1);
  EXPECT_EQ(recs[0].truth.trains.size(), 7u);
}

TEST(SimulateSession, PulsesSitOnTheExpectedSamplesAndMatchTheTruth) {
  sim::SessionParams p = short_session();
  for (double fs : {1000.0, 2000.0, 4096.0}) {
    p.fs_hz = fs;
    const auto recs = sim::simulate_session(p, 12.0, 3);
    const auto& rec = recs[0].recording;
    const auto& truth = recs[0].truth;
    ASSERT_EQ(truth.pulses.size(), rec.stimulation().pulses.size());
    std::size_t i = 0;
    double start_s = p.pre_s;
    for (const auto& tr : rec.stimulation().trains) {
      const long n = p.ladder.n_pulses(tr.frequency_hz);
      EXPECT_EQ(tr.n_pulses, n);
      for (long k = 0; k < n; ++k, ++i) {
        const auto expected = static_cast<std::int64_t>(std::llround((start_s + static_cast<double>(k) / tr.frequency_hz) * fs));
        EXPECT_EQ(rec.stimulation().pulses[i], expected) << "fs " << fs << " f " << tr.frequency_hz << " k " << k;
        EXPECT_EQ(truth.pulses[i].sample, expected);
        EXPECT_EQ(truth.pulses[i].train_id, tr.train_id);
        EXPECT_EQ(truth.pulses[i].mwave_sample, expected + std::llround(p.mwave.latency_s * fs));
      }
      start_s += static_cast<double>(n - 1) / tr.frequency_hz + p.ladder.rest_s;
    }
  }
}

TEST(SimulateSession, ArtefactPeaksAreAtThePulsesAndTheBaselineHasTheRequestedSnr) {
  sim::SessionParams p = short_session();
  p.quantize = false;
  p.artifact.amplitude_sd = 0.0;
  p.snr_db = 20.0;
  const auto recs = sim::simulate_session(p, 8.0, 5);
  const auto& x = recs[0].recording.data();
  const double fs = p.fs_hz;
  // baseline before the first train: noise only
  const long n0 = static_cast<long>((p.pre_s - 0.1) * fs);
  const double noise = rms(x.row(0).head(n0).transpose());
  EXPECT_NEAR(20.0 * std::log10(p.afterdischarge.amplitude / noise), 20.0, 0.3);
  for (const auto& pulse : recs[0].truth.pulses) {
    // the spike's own phase (a biphasic pulse's second phase has the other sign)
    const double sign = pulse.artifact_amplitude >= 0.0 ? 1.0 : -1.0;
    double best = 0.0;
    std::int64_t where = -1;
    for (std::int64_t s = pulse.sample - 2; s <= pulse.sample + 2; ++s) {
      if (sign * x(0, s) > best) {
        best = sign * x(0, s);
        where = s;
      }
    }
    EXPECT_EQ(where, pulse.sample);
    EXPECT_GT(best, 10.0 * noise);
  }
}

TEST(SimulateSession, CrampIsActivityThatOutlastsTheTrainWithTheTruthOnsetAndOffset) {
  sim::SessionParams p = short_session();
  p.quantize = false;
  const auto recs = sim::simulate_session(p, 10.0, 11);
  const auto& x = recs[0].recording.data();
  const auto& truth = recs[0].truth;
  const double fs = p.fs_hz;
  const double noise = p.afterdischarge.amplitude / std::pow(10.0, p.snr_db / 20.0);
  for (const auto& t : truth.trains) {
    // 1 s after the last M-wave: the cramp (or nothing)
    const std::int64_t a = t.end_sample + static_cast<std::int64_t>(0.3 * fs);
    const double post = rms(x.row(0).segment(a, static_cast<long>(fs)).transpose());
    if (t.cramp) {
      EXPECT_GT(post, 3.0 * noise) << "train " << t.train_id;
      EXPECT_GT(t.cramp_onset_sample, t.end_sample);
      EXPECT_LE(t.cramp_onset_sample - t.end_sample, std::llround(0.05 * fs));
      const double dur = static_cast<double>(t.cramp_offset_sample - t.cramp_onset_sample) / fs;
      EXPECT_GE(dur, p.afterdischarge.duration_min_s - 1e-9);
      EXPECT_LE(dur, p.afterdischarge.duration_max_s + 1e-9);
      // after the offset and its taper: back to noise
      const std::int64_t b = t.cramp_offset_sample + static_cast<std::int64_t>(0.3 * fs);
      if (b + static_cast<std::int64_t>(fs) < x.cols()) {
        EXPECT_LT(rms(x.row(0).segment(b, static_cast<long>(fs)).transpose()), 1.3 * noise);
      }
      EXPECT_EQ(truth.activity(0, (t.cramp_onset_sample + t.cramp_offset_sample) / 2), static_cast<std::uint8_t>(emg::Activity::cramp));
    } else {
      EXPECT_LT(post, 1.3 * noise) << "train " << t.train_id;
      EXPECT_EQ(t.cramp_onset_sample, -1);
    }
    EXPECT_EQ(truth.activity(0, (t.start_sample + t.end_sample) / 2), static_cast<std::uint8_t>(emg::Activity::stimulation));
  }
  ASSERT_EQ(truth.bursts.size(), 1u);
  EXPECT_EQ(truth.bursts[0].kind, "cramp");
  EXPECT_EQ(truth.activity(0, 10), static_cast<std::uint8_t>(emg::Activity::rest));
}

TEST(SimulateSession, AboveThresholdCrampsAreLargerAndSpectrallyCompressed) {
  sim::SessionParams p = short_session();
  p.quantize = false;
  p.ladder.stop_at_first_cramp = false;
  p.ladder.max_hz = 34.0;
  p.afterdischarge.amplitude_sd = 0.0;
  p.afterdischarge.duration_min_s = p.afterdischarge.duration_max_s = 6.0;
  const auto recs = sim::simulate_session(p, 14.0, 2);
  const auto& trains = recs[0].truth.trains;
  const auto& x = recs[0].recording.data();
  const double fs = p.fs_hz;
  std::vector<double> mnf, amp;
  for (const auto& t : trains) {
    if (!t.cramp) continue;
    amp.push_back(t.cramp_amplitude);
    const long a = static_cast<long>(t.cramp_onset_sample + static_cast<std::int64_t>(0.5 * fs));
    const emg::RowMatrixXd seg = x.block(0, a, 1, static_cast<long>(4.0 * fs));
    emg::spectral::WelchParams w;
    w.nperseg = 512;
    const auto psd = emg::spectral::welch(seg, fs, w);
    mnf.push_back(emg::spectral::mean_frequency(psd.freqs_hz, psd.power, {20.0, 450.0})[0]);
  }
  ASSERT_GE(mnf.size(), 8u);
  EXPECT_GT(amp.back(), amp.front() * 1.5);
  // threshold cramp: the default spectrum (MNF ~115.5 Hz); 20 Hz above: scale 0.8 (~95.9 Hz)
  EXPECT_NEAR(mnf.front(), 115.5, 6.0);
  EXPECT_NEAR(mnf.back(), 95.9, 6.0);
}

TEST(SimulateSession, PerTrainLayoutGivesOneRecordingPerTrainWithItsOwnBaseline) {
  sim::SessionParams p = short_session();
  p.layout = sim::SessionLayout::per_train;
  p.ladder.pulses_per_train = 150;
  p.post_s = 10.0;
  const auto recs = sim::simulate_session(p, 9.0, 4);
  ASSERT_EQ(recs.size(), 4u);  // 4, 6, 8, 10
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const auto& r = recs[k];
    ASSERT_EQ(r.truth.trains.size(), 1u);
    const double f = 4.0 + 2.0 * static_cast<double>(k);
    EXPECT_EQ(r.truth.trains[0].n_pulses, 150);
    EXPECT_EQ(r.recording.stimulation().pulses.front(), std::llround(p.pre_s * p.fs_hz));
    EXPECT_NEAR(r.recording.duration_s(), p.pre_s + 149.0 / f + p.post_s, 1e-3);
    EXPECT_EQ(r.truth.trains[0].cramp, f >= 9.0);
  }
}

TEST(SimulateSession, SameSeedSameBytesAndTheCommittedChecksum) {
  const sim::SessionParams p = short_session();
  const auto a = sim::simulate_session(p, 13.0, 20261202);
  const auto b = sim::simulate_session(p, 13.0, 20261202);
  const auto c = sim::simulate_session(p, 13.0, 20261203);
  EXPECT_EQ(digest(a[0]), digest(b[0]));
  EXPECT_NE(digest(a[0]), digest(c[0]));
  EXPECT_EQ(a[0].recording.data(), b[0].recording.data());
  // Committed: the bytes this version of the generator makes (a change of any generator shows here;
  // update deliberately, and say so in the changelog, when a generator changes on purpose).
  EXPECT_EQ(digest(a[0]), "f43b9571b85926fa038bb02b828cb2cefe2ab5d7137ecf69b3c5dbbde48dff9a");
}

TEST(SimulateSession, QuantisedRecordingsHoldExactAdcCounts) {
  const sim::SessionParams p = short_session();
  const auto recs = sim::simulate_session(p, 8.0, 9);
  const auto& rec = recs[0].recording;
  const auto& ch = rec.channels()[0];
  ASSERT_TRUE(std::isfinite(ch.conversion));
  EXPECT_DOUBLE_EQ(ch.conversion, p.adc.conversion());
  for (long i = 0; i < rec.n_samples(); i += 97) {
    const double counts = std::round(rec.data()(0, i) / ch.conversion);
    EXPECT_EQ(counts * ch.conversion, rec.data()(0, i));  // what the HDF5 writer needs to keep counts
    EXPECT_GE(counts, ch.digital_min);
    EXPECT_LE(counts, ch.digital_max);
  }
}

TEST(SimulateSession, MotorUnitModelGivesCrampFiringsInTheTruth) {
  sim::SessionParams p = short_session();
  p.emg_model = sim::EmgModel::motor_units;
  p.quantize = false;
  const auto recs = sim::simulate_session(p, 6.0, 8);
  const auto& truth = recs[0].truth;
  ASSERT_FALSE(truth.firing_sample.empty());
  ASSERT_EQ(truth.firing_unit.size(), truth.firing_sample.size());
  const auto& cramp = truth.trains.back();
  ASSERT_TRUE(cramp.cramp);
  for (auto s : truth.firing_sample) {
    EXPECT_GE(s, cramp.cramp_onset_sample);
    EXPECT_LE(s, cramp.cramp_offset_sample + std::llround(p.afterdischarge.end_taper_s * p.fs_hz));
  }
  const auto& x = recs[0].recording.data();
  const double early = rms(x.row(0).segment(cramp.cramp_onset_sample + 200, 2000).transpose());
  EXPECT_NEAR(early / cramp.cramp_amplitude, 1.0, 0.5);
}

TEST(SimulateSession, BadParametersAreClearErrors) {
  sim::SessionParams p = short_session();
  EXPECT_ERROR(sim::simulate_session(p, -3.0, 1), "ctf_hz=-3");
  EXPECT_ERROR(sim::simulate_session(p, std::nan(""), 1), "ctf_hz=nan");
  p.fs_hz = 200.0;  // too slow for the EMG spectrum
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "200");
  p = short_session();
  p.ladder.max_hz = 2.0;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "ladder.max_hz=2", "ladder.start_hz=4");
  p = short_session();
  p.snr_db = -40.0;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "snr_db=-40");
  p = short_session();
  p.afterdischarge.duration_max_s = 1.0;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "afterdischarge.duration_max_s=1");
  p = short_session();
  p.ladder.step_hz = 0.0;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "ladder.step_hz=0");
}

// ---- voluntary bursts ----------------------------------------------------------------------

TEST(SimulateBursts, BurstsFollowTheTemplateAndTheTruth) {
  sim::BurstTrialParams p;
  p.duration_s = 40.0;
  p.n_channels = 2;
  const auto r = sim::simulate_bursts(p, 3);
  const auto& x = r.recording.data();
  ASSERT_GE(r.truth.bursts.size(), 12u);
  const double noise = p.amplitude / std::pow(10.0, p.snr_db / 20.0);
  std::int64_t prev_off = 0;
  long prev_ch = -1;
  for (const auto& b : r.truth.bursts) {
    EXPECT_EQ(b.kind, "voluntary");
    EXPECT_GE(b.rise_s, p.rise_min_s);
    EXPECT_LE(b.rise_s, p.rise_max_s);
    const double dur = static_cast<double>(b.offset_sample - b.onset_sample) / p.fs_hz;
    EXPECT_GE(dur, p.burst_min_s - 1e-3);
    EXPECT_LE(dur, p.burst_max_s + 1e-3);
    if (b.channel == prev_ch) {
      EXPECT_GE(static_cast<double>(b.onset_sample - prev_off) / p.fs_hz, p.rest_min_s - 1e-3);
    }
    prev_ch = b.channel;
    prev_off = b.offset_sample;
    // plateau RMS ~ amplitude (noise adds in power)
    const long mid = static_cast<long>((b.onset_sample + b.offset_sample) / 2);
    const long half = static_cast<long>(0.1 * p.fs_hz);
    const double plateau = rms(x.row(b.channel).segment(mid - half, 2 * half).transpose());
    EXPECT_NEAR(plateau, std::sqrt(p.amplitude * p.amplitude + noise * noise), 0.25 * p.amplitude);
  }
  const double lead = rms(x.row(0).head(static_cast<long>((p.lead_s - 0.05) * p.fs_hz)).transpose());
  EXPECT_NEAR(lead, noise, 0.1 * noise);
  EXPECT_ERROR(([&] {
                 sim::BurstTrialParams q;
                 q.rise_max_s = 0.4;
                 q.burst_min_s = 0.5;
                 return sim::simulate_bursts(q, 1);
               }()),
               "rise_max_s=0.4");
}

// ---- fields -------------------------------------------------------------------------------

TEST(SimulateFields, EveryFieldHasHelpAndRoundTripsThroughText) {
  sim::SessionParams p;
  const auto fields = sim::session_fields(p);
  std::set<std::string> keys;
  for (const auto& f : fields) {
    EXPECT_TRUE(keys.insert(f.key).second) << f.key;
    ASSERT_NE(f.info, nullptr) << f.key << " has no describe() entry";
    EXPECT_FALSE(f.info->help.empty()) << f.key;
    const std::string before = sim::field_text(f);
    sim::set_field(f, before);
    EXPECT_EQ(sim::field_text(f), before) << f.key;
  }
  sim::set_field(sim::find_field(fields, "ladder.start_hz"), "6");
  EXPECT_DOUBLE_EQ(p.ladder.start_hz, 6.0);
  sim::set_field(sim::find_field(fields, "session.layout"), "per_train");
  EXPECT_EQ(p.layout, sim::SessionLayout::per_train);
  EXPECT_ERROR(sim::set_field(sim::find_field(fields, "ladder.start_hz"), "six"), "ladder.start_hz", "must be a number");
  EXPECT_ERROR(sim::set_field(sim::find_field(fields, "session.layout"), "daily"), "layout", "session or per_train");
  EXPECT_ERROR(sim::find_field(fields, "ladder.stat_hz"), "ladder.stat_hz", "sections:");
  sim::BurstTrialParams b;
  for (const auto& f : sim::burst_fields(b)) EXPECT_NE(f.info, nullptr) << f.key;
  sim::StudyParams s;
  for (const auto& f : sim::study_fields(s)) EXPECT_NE(f.info, nullptr) << f.key;
}

// ---- studies ------------------------------------------------------------------------------

TEST(SimulateStudy, PresetsCarryThePublishedEffects) {
  const std::map<std::string, std::vector<double>> effects = {
      {"hydration", {0.0, 0.0}}, {"rehydration", {-5.1, 5.4}}, {"fatigue", {0.0, 12.9}}, {"prior_cramp", {0.0, -4.0}}};
  for (const auto& name : sim::study_preset_names()) {
    const auto p = sim::study_preset(name);
    ASSERT_EQ(p.conditions.size(), 2u) << name;
    EXPECT_DOUBLE_EQ(p.conditions[0].ctf_shift_hz, effects.at(name)[0]) << name;
    EXPECT_DOUBLE_EQ(p.conditions[1].ctf_shift_hz, effects.at(name)[1]) << name;
    EXPECT_NO_THROW(p.validate()) << name;
  }
  EXPECT_ERROR(sim::study_preset("hydratoin"), "hydratoin", "hydration, rehydration");
}

TEST(SimulateStudy, PlanIsCounterbalancedAndRecoversTheEffectByAPairedComparison) {
  for (const std::string name : {"rehydration", "fatigue", "prior_cramp", "hydration"}) {
    auto p = sim::study_preset(name);
    p.n_subjects = 400;
    p.seed = 5;
    const auto plan = sim::plan_study(p);
    ASSERT_EQ(plan.sessions.size(), 800u);
    std::map<std::string, int> first;
    std::vector<double> diff;
    for (std::size_t i = 0; i < plan.sessions.size(); i += 2) {
      const auto& s1 = plan.sessions[i];
      const auto& s2 = plan.sessions[i + 1];
      EXPECT_EQ(s1.subject, s2.subject);
      EXPECT_NE(s1.condition, s2.condition);
      first[s1.condition]++;
      const auto& a = s1.condition == p.conditions[0].name ? s1 : s2;
      const auto& b = s1.condition == p.conditions[0].name ? s2 : s1;
      diff.push_back(b.true_ctf_hz - a.true_ctf_hz);
      EXPECT_EQ(std::isnan(a.ladder_ctf_hz), a.true_ctf_hz > p.session.ladder.max_hz);
      if (!std::isnan(a.ladder_ctf_hz)) {
        EXPECT_GE(a.ladder_ctf_hz, a.true_ctf_hz);
        EXPECT_LT(a.ladder_ctf_hz - a.true_ctf_hz, p.session.ladder.step_hz);
      }
    }
    EXPECT_EQ(first[p.conditions[0].name], 200) << "counterbalanced AB / BA";
    const double mean = std::accumulate(diff.begin(), diff.end(), 0.0) / static_cast<double>(diff.size());
    double ss = 0.0;
    for (double d : diff) ss += (d - mean) * (d - mean);
    const double se = std::sqrt(ss / static_cast<double>(diff.size() - 1) / static_cast<double>(diff.size()));
    const double effect = p.conditions[1].ctf_shift_hz - p.conditions[0].ctf_shift_hz;
    EXPECT_NEAR(mean, effect, 3.0 * se) << name;                       // unbiased
    EXPECT_NEAR(se * std::sqrt(400.0), std::sqrt(2.0) * p.retest_sd_hz, 0.3) << name;  // SD of the change
  }
}

TEST(SimulateStudy, BadStudiesAreClearErrors) {
  auto p = sim::study_preset("hydration");
  p.n_subjects = 0;
  EXPECT_ERROR(sim::plan_study(p), "study.n_subjects=0", "1..10000");
  p = sim::study_preset("hydration");
  p.ctf_min_hz = 2.0;
  EXPECT_ERROR(sim::plan_study(p), "study.ctf_min_hz=2", "inside the frequency ladder");
  p = sim::study_preset("hydration");
  p.ctf_max_hz = 60.0;
  EXPECT_ERROR(sim::plan_study(p), "study.ctf_max_hz=60", "ladder.max_hz=40");
  p = sim::study_preset("hydration");
  p.conditions[1].name = p.conditions[0].name;
  EXPECT_ERROR(sim::plan_study(p), "appears twice");
  p = sim::study_preset("hydration");
  p.conditions.clear();
  EXPECT_ERROR(sim::plan_study(p), "at least one condition");
  p = sim::study_preset("hydration");
  p.conditions[0].name = "eu hydrated";
  EXPECT_ERROR(sim::plan_study(p), "eu hydrated");
}

TEST(SimulateStudy, StudyFolderIsCompleteAndTheSameForAnyJobCount) {
  auto p = sim::study_preset("hydration");
  p.n_subjects = 3;
  p.session = short_session();
  const auto root = emg::test::scratch() / "study";
  std::filesystem::remove_all(root);
  const auto rep1 = sim::write_study((root / "j1").string(), p, 1);
  const auto rep2 = sim::write_study((root / "j2").string(), p, 2);
  EXPECT_EQ(rep1.n_sessions, 6u);
  EXPECT_EQ(rep1.n_recordings, 6u);
  EXPECT_EQ(rep1.bytes, rep2.bytes);
  auto slurp = [](const std::filesystem::path& f) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  for (const char* f : {"manifest.tsv", "study.ini", "simulate.ini", "truth/sessions.tsv", "truth/subjects.tsv"}) {
    EXPECT_TRUE(std::filesystem::exists(root / "j1" / f)) << f;
    EXPECT_EQ(slurp(root / "j1" / f), slurp(root / "j2" / f)) << f;
  }
  const std::string manifest = slurp(root / "j1" / "manifest.tsv");
  EXPECT_EQ(manifest.substr(0, manifest.find('\n')),
            "recording_id\tsubject\tsession\tcondition\tfile\torder\tbody_mass_change_pct\tusg");
  std::istringstream lines(manifest);
  std::string line;
  std::getline(lines, line);
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::vector<std::string> cols;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, '\t');) cols.push_back(c);
    ASSERT_EQ(cols.size(), 8u) << line;
    const auto file1 = root / "j1" / cols[4];
    const auto file2 = root / "j2" / cols[4];
    ASSERT_TRUE(std::filesystem::exists(file1)) << cols[4];
    const auto r1 = emg::io::read(file1.string());
    const auto r2 = emg::io::read(file2.string());
    EXPECT_EQ(r1.data(), r2.data()) << cols[4];
    EXPECT_EQ(r1.attributes().at("subject"), cols[1]);
    EXPECT_EQ(r1.attributes().at("condition"), cols[3]);
    const auto t = emg::io::read_truth(file1.string());
    EXPECT_EQ(t.attributes.at("subject"), cols[1]);
    EXPECT_FALSE(t.trains.empty());
  }
  EXPECT_EQ(rows, 6);
  // a non-empty folder is refused unless overwrite
  EXPECT_THROW(sim::write_study((root / "j1").string(), p, 1), emg::IoError);
  EXPECT_NO_THROW(sim::write_study((root / "j1").string(), p, 1, true));
}

TEST(SimulateBursts, FatigueCompressesTheSpectrumAlongTheTrial) {
  sim::BurstTrialParams p;
  p.duration_s = 62.0;
  p.lead_s = 1.0;
  p.burst_min_s = p.burst_max_s = 60.0;  // one sustained contraction
  p.rest_min_s = 0.5;
  p.snr_db = 40.0;
  p.fatigue_scale_end = 0.7;
  const auto r = sim::simulate_bursts(p, 12);
  ASSERT_EQ(r.truth.bursts.size(), 1u);
  const double fs = p.fs_hz;
  auto mdf_at = [&](double t0) {
    const emg::RowMatrixXd seg = r.recording.data().block(0, static_cast<long>(t0 * fs), 1, static_cast<long>(5.0 * fs));
    emg::spectral::WelchParams w;
    w.nperseg = 1024;
    const auto psd = emg::spectral::welch(seg, fs, w);
    return emg::spectral::median_frequency(psd.freqs_hz, psd.power, {20.0, 450.0})[0];
  };
  // The corner scale falls linearly 1 -> 0.7 over the 62 s; MDF(s) is close to linear in s
  // (SCIENCE.md §7.1: 95.7, 86.8, 77.9, 69.1 Hz at s = 1, 0.9, 0.8, 0.7): fit a line to the MDF of
  // 5-s windows and compare its ends with the model.
  std::vector<double> t, m;
  for (double t0 = 1.5; t0 < 57.0; t0 += 5.0) {
    t.push_back(t0 + 2.5);
    m.push_back(mdf_at(t0));
  }
  const auto fit = emg::spectral::linear_trend(Eigen::Map<Eigen::VectorXd>(t.data(), static_cast<long>(t.size())),
                                               Eigen::Map<Eigen::VectorXd>(m.data(), static_cast<long>(m.size())));
  auto model_mdf = [](double time_s) {
    const double s = 1.0 - 0.3 * time_s / 62.0;
    return 95.7 - 88.7 * (1.0 - s);
  };
  EXPECT_NEAR(fit.intercept + fit.slope * 4.0, model_mdf(4.0), 3.5);
  EXPECT_NEAR(fit.intercept + fit.slope * 59.0, model_mdf(59.0), 3.5);
  EXPECT_LT(fit.slope_ci_high, 0.0);
  p.fatigue_scale_end = 0.0;
  EXPECT_ERROR(sim::simulate_bursts(p, 1), "fatigue_scale_end=0");
}

TEST(SimulateSession, EveryCrampHasRoomAndAnOnsetInTheTruth) {
  sim::SessionParams p = short_session();
  p.post_s = 0.1;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "post_s=0.1", "so a cramp fits");
  p = short_session();
  p.ladder.stop_at_first_cramp = false;
  p.ladder.rest_s = 0.5;
  EXPECT_ERROR(sim::simulate_session(p, 10.0, 1), "ladder.rest_s=0.5", "when trains follow a cramp");
  // the tightest allowed room still gives every cramping train an onset and an offset
  p.ladder.rest_s = 1.3;
  p.ladder.max_hz = 16.0;
  p.post_s = 0.8;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    for (const auto layout : {sim::SessionLayout::session, sim::SessionLayout::per_train}) {
      p.layout = layout;
      for (const auto& r : sim::simulate_session(p, 9.0, seed)) {
        for (const auto& t : r.truth.trains) {
          if (!t.cramp) continue;
          EXPECT_GT(t.cramp_onset_sample, t.end_sample);
          EXPECT_GT(t.cramp_offset_sample, t.cramp_onset_sample);
          EXPECT_LT(t.cramp_offset_sample, r.recording.n_samples());
        }
      }
    }
  }
}
