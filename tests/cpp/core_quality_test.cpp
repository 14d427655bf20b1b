// quality_report: known answers on synthetic signals with injected defects (clipping, a flat
// segment, a dead channel, saturation at the ADC limits, 50/60 Hz hum at a known level) and the
// summary of a real recording.
#include <emg/errors.hpp>
#include <emg/io/text.hpp>
#include <emg/quality.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using emg::ChannelInfo;
using emg::QualityParams;
using emg::quality_report;
using emg::Recording;
using emg::RowMatrixXd;

const double kPi = std::acos(-1.0);

RowMatrixXd noise(long channels, long n, double sigma, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(0.0, sigma);
  RowMatrixXd x(channels, n);
  for (long c = 0; c < channels; ++c) {
    for (long i = 0; i < n; ++i) x(c, i) = dist(gen);
  }
  return x;
}

std::vector<ChannelInfo> named(long channels, const std::string& units = "mV") {
  std::vector<ChannelInfo> out(static_cast<std::size_t>(channels));
  for (long c = 0; c < channels; ++c) {
    out[static_cast<std::size_t>(c)].name = "ch" + std::to_string(c);
    out[static_cast<std::size_t>(c)].units = units;
  }
  return out;
}

TEST(QualityReport, AmplitudeStatisticsAndHeader) {
  RowMatrixXd x(1, 4);
  x << 1.0, -3.0, 2.0, 4.0;
  const auto r = quality_report(Recording(x, 2.0, named(1)));
  EXPECT_EQ(r.fs_hz, 2.0);
  EXPECT_EQ(r.n_samples, 4);
  EXPECT_EQ(r.duration_s, 2.0);
  ASSERT_EQ(r.channels.size(), 1u);
  const auto& q = r.channels[0];
  EXPECT_EQ(q.name, "ch0");
  EXPECT_EQ(q.units, "mV");
  EXPECT_EQ(q.min, -3.0);
  EXPECT_EQ(q.max, 4.0);
  EXPECT_DOUBLE_EQ(q.mean, 1.0);
  EXPECT_DOUBLE_EQ(q.rms, std::sqrt(30.0 / 4.0));
  EXPECT_EQ(q.clipped, 0);
  EXPECT_EQ(q.flat_fraction, 0.0);
  EXPECT_FALSE(q.dead);
  EXPECT_FALSE(q.saturation_known);
  EXPECT_EQ(q.saturated, 0);
  EXPECT_EQ(q.mains_hz, 0.0);  // fs far too low
  EXPECT_EQ(q.mains_db, 0.0);
}

TEST(QualityReport, InjectedClippingCountsEverySampleOfTheFlatTops) {
  const double fs = 1000.0;
  const long n = 5000;
  RowMatrixXd x(2, n);
  long expected = 0;
  for (long i = 0; i < n; ++i) {
    const double s = std::sin(2.0 * kPi * 7.0 * static_cast<double>(i) / fs);
    x(0, i) = std::clamp(s, -0.8, 0.8);
    expected += std::abs(s) >= 0.8 ? 1 : 0;
  }
  x.row(1) = noise(1, n, 1.0, 3);
  const auto r = quality_report(Recording(x, fs, named(2)));
  EXPECT_EQ(r.channels[0].clipped, expected);
  EXPECT_GT(expected, 1000);  // the sine spends ~40 % of its time beyond +-0.8
  EXPECT_EQ(r.channels[0].max, 0.8);
  EXPECT_EQ(r.channels[1].clipped, 0);  // the max of Gaussian noise is one sample
}

TEST(QualityReport, ClipRunLengthIsInclusive) {
  RowMatrixXd x(1, 8);
  x << 0.0, 1.0, 5.0, 5.0, 1.0, -2.0, -2.0, -2.0;
  const Recording rec(x, 1000.0, named(1));
  QualityParams p;
  EXPECT_EQ(quality_report(rec, p).channels[0].clipped, 3);  // the min run of 3, not the max run of 2
  p.clip_run_samples = 2;
  EXPECT_EQ(quality_report(rec, p).channels[0].clipped, 5);
  p.clip_run_samples = 4;
  EXPECT_EQ(quality_report(rec, p).channels[0].clipped, 0);
}

TEST(QualityReport, FlatSegmentFraction) {
  const double fs = 1000.0;
  const long n = 10000;
  RowMatrixXd x = noise(1, n, 1.0, 5);
  for (long i = 2000; i < 2300; ++i) x(0, i) = 0.25;  // held 0.3 s: flat with the default 0.1 s
  for (long i = 6000; i < 6050; ++i) x(0, i) = -0.5;  // 50 ms: too short to count
  const Recording rec(x, fs, named(1));
  const auto q = quality_report(rec).channels[0];
  EXPECT_DOUBLE_EQ(q.flat_fraction, 300.0 / n);
  EXPECT_EQ(q.clipped, 0);  // the held values are neither the min nor the max
  EXPECT_FALSE(q.dead);
  QualityParams p;
  p.flat_run_s = 0.05;  // now both runs count (50 samples = 0.05 s exactly)
  EXPECT_DOUBLE_EQ(quality_report(rec, p).channels[0].flat_fraction, 350.0 / n);
  p.flat_run_s = 0.301;
  EXPECT_EQ(quality_report(rec, p).channels[0].flat_fraction, 0.0);
}

TEST(QualityReport, FlatRunIsAtLeastTwoSamples) {
  RowMatrixXd x(1, 6);
  x << 1.0, 2.0, 3.0, 3.0, 4.0, 5.0;
  QualityParams p;
  p.flat_run_s = 0.1;  // 0.1 sample at 1 Hz
  EXPECT_DOUBLE_EQ(quality_report(Recording(x, 1.0, named(1)), p).channels[0].flat_fraction, 2.0 / 6.0);
}

TEST(QualityReport, DeadChannels) {
  const long n = 4000;
  RowMatrixXd x = noise(4, n, 1.0, 7);
  x.row(1) *= 1e-5;             // amplifier input shorted: 1e-5 of the others
  x.row(2).setConstant(0.125);  // constant
  const auto r = quality_report(Recording(x, 1000.0, named(4)));
  EXPECT_FALSE(r.channels[0].dead);
  EXPECT_TRUE(r.channels[1].dead);
  EXPECT_TRUE(r.channels[2].dead);
  EXPECT_FALSE(r.channels[3].dead);
  EXPECT_EQ(r.channels[2].flat_fraction, 1.0);
  EXPECT_EQ(r.channels[2].clipped, 0);  // constant: dead, not clipped
  EXPECT_EQ(r.channels[2].rms, 0.125);

  QualityParams p;
  p.dead_rms_ratio = 0.0;  // ratio rule off: only the constant channel
  const auto r0 = quality_report(Recording(x, 1000.0, named(4)), p);
  EXPECT_FALSE(r0.channels[1].dead);
  EXPECT_TRUE(r0.channels[2].dead);
}

TEST(QualityReport, DeadRatioOnlyAmongChannelsWithTheSameUnits) {
  const long n = 2000;
  RowMatrixXd x = noise(3, n, 1.0, 11);
  x.row(0) *= 1e-4;  // EMG in V ...
  x.row(1) *= 1e-4;
  x.row(2) *= 90.0;  // ... and a goniometer in degrees
  auto ch = named(3, "V");
  ch[2].units = "deg";
  const auto r = quality_report(Recording(x, 1000.0, ch));
  for (const auto& q : r.channels) EXPECT_FALSE(q.dead) << q.name;

  // A single quiet channel has nothing to be compared with.
  RowMatrixXd one = noise(1, n, 1e-9, 12);
  EXPECT_FALSE(quality_report(Recording(one, 1000.0, named(1))).channels[0].dead);
}

TEST(QualityReport, SaturationAtTheAdcLimits) {
  const long n = 1000;
  RowMatrixXd x(2, n);
  // 12-bit counts 0..4095 scaled to mV: value = count * 0.0025 - 5.12
  const double conv = 0.0025, off = -5.12;
  long at_limits = 0;
  for (long i = 0; i < n; ++i) {
    double count = std::round(2048.0 + 3000.0 * std::sin(2.0 * kPi * 3.0 * static_cast<double>(i) / 1000.0));
    count = std::clamp(count, 0.0, 4095.0);
    at_limits += (count == 0.0 || count == 4095.0) ? 1 : 0;
    x(0, i) = count * conv + off;
    x(1, i) = x(0, i);
  }
  auto ch = named(2);
  ch[0].conversion = conv;
  ch[0].offset = off;
  ch[0].digital_min = 0;
  ch[0].digital_max = 4095;
  const auto r = quality_report(Recording(x, 1000.0, ch));
  EXPECT_TRUE(r.channels[0].saturation_known);
  EXPECT_GT(at_limits, 100);
  EXPECT_EQ(r.channels[0].saturated, at_limits);
  EXPECT_EQ(r.channels[0].clipped, at_limits);  // here the flat tops are the ADC limits
  EXPECT_FALSE(r.channels[1].saturation_known);  // same data, limits unknown
  EXPECT_EQ(r.channels[1].saturated, 0);
  EXPECT_EQ(r.channels[1].clipped, at_limits);
}

TEST(QualityReport, SaturationWithNegativeConversion) {
  RowMatrixXd x(1, 4);
  x << 1.0, 0.0, -1.0, 0.5;
  auto ch = named(1);
  ch[0].conversion = -0.01;
  ch[0].digital_min = -100;
  ch[0].digital_max = 100;
  EXPECT_EQ(quality_report(Recording(x, 10.0, ch)).channels[0].saturated, 2);
}

// 50 Hz hum of power A^2/2 in white noise of variance s^2 at fs: the one-sided noise density is
// 2 s^2 / fs, so the +-1 Hz line band (3 bins of 1 Hz) holds 6 s^2 / fs of noise.
double expected_db(double amplitude, double sigma, double fs) {
  return 10.0 * std::log10(1.0 + (amplitude * amplitude / 2.0) / (6.0 * sigma * sigma / fs));
}

Recording hum(double line_hz, double snr_db, double fs, long n, unsigned seed, double* amplitude) {
  const double sigma = 1.0;
  // Hum power / noise power in the line band = 10^(snr/10) - 1 gives mains_db = snr_db.
  const double a = std::sqrt(2.0 * (std::pow(10.0, snr_db / 10.0) - 1.0) * 6.0 * sigma * sigma / fs);
  RowMatrixXd x = noise(2, n, sigma, seed);
  for (long i = 0; i < n; ++i) x(0, i) += a * std::sin(2.0 * kPi * line_hz * static_cast<double>(i) / fs + 0.3);
  *amplitude = a;
  return Recording(x, fs, named(2));
}

TEST(QualityReport, MainsLevelOfKnownHum) {
  for (const double snr : {10.0, 20.0, 30.0}) {
    double a = 0.0;
    const Recording rec = hum(50.0, snr, 1000.0, 60000, 21, &a);
    ASSERT_NEAR(expected_db(a, 1.0, 1000.0), snr, 1e-9);
    const auto r = quality_report(rec);
    EXPECT_EQ(r.channels[0].mains_hz, 50.0);
    EXPECT_NEAR(r.channels[0].mains_db, snr, 1.0) << "snr " << snr;
    EXPECT_EQ(r.channels[0].mains_peak_hz, 50.0);
    // The clean channel gets the recording's line frequency and about 0 dB (max of 3 harmonics).
    EXPECT_EQ(r.channels[1].mains_hz, 50.0);
    EXPECT_LT(std::abs(r.channels[1].mains_db), 1.5);
  }
}

TEST(QualityReport, MainsSixtyHzOffBinRate) {
  double a = 0.0;
  const Recording rec = hum(60.0, 15.0, 2048.0, 2048 * 30, 22, &a);
  const auto q = quality_report(rec).channels[0];
  EXPECT_EQ(q.mains_hz, 60.0);
  EXPECT_NEAR(q.mains_db, 15.0, 1.0);
}

TEST(QualityReport, MainsHarmonicStrongerThanTheFundamental) {
  const double fs = 1000.0;
  const long n = 30000;
  RowMatrixXd x = noise(1, n, 1.0, 23);
  for (long i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    x(0, i) += 0.5 * std::sin(2.0 * kPi * 150.0 * t) + 0.05 * std::sin(2.0 * kPi * 50.0 * t);
  }
  const auto q = quality_report(Recording(x, fs, named(1))).channels[0];
  EXPECT_EQ(q.mains_hz, 50.0);
  EXPECT_EQ(q.mains_peak_hz, 150.0);
  EXPECT_NEAR(q.mains_db, expected_db(0.5, 1.0, fs), 1.0);
}

TEST(QualityReport, NoMainsWhenNoneCanBeFound) {
  // White noise: no line stands out.
  EXPECT_EQ(quality_report(Recording(noise(2, 20000, 1.0, 31), 1000.0, named(2))).channels[0].mains_hz, 0.0);
  // fs too low to tell 50 from 60 Hz (and 50 Hz barely below Nyquist).
  double a = 0.0;
  const auto slow = quality_report(hum(50.0, 30.0, 120.0, 12000, 32, &a));
  EXPECT_EQ(slow.channels[0].mains_hz, 0.0);
  EXPECT_EQ(slow.channels[0].mains_db, 0.0);
  // Shorter than the 1-s segment the detector needs.
  const auto short_rec = quality_report(hum(50.0, 30.0, 1000.0, 900, 33, &a));
  EXPECT_EQ(short_rec.channels[0].mains_hz, 0.0);
}

TEST(QualityReport, MainsOfAConstantChannelIsFinite) {
  double a = 0.0;
  Recording rec = hum(50.0, 30.0, 1000.0, 10000, 34, &a);
  RowMatrixXd x = rec.data();
  x.row(1).setZero();
  const auto r = quality_report(Recording(x, 1000.0, named(2)));
  EXPECT_EQ(r.channels[1].mains_hz, 50.0);
  EXPECT_TRUE(std::isfinite(r.channels[1].mains_db));
  EXPECT_TRUE(r.channels[1].dead);
}

TEST(QualityReport, ParamsValidation) {
  const Recording rec(noise(1, 100, 1.0, 41), 1000.0, named(1));
  QualityParams p;
  p.flat_run_s = 0.0;
  EXPECT_ERROR(quality_report(rec, p), "quality_report: flat_run_s=0 must be finite and > 0");
  p.flat_run_s = std::nan("");
  EXPECT_ERROR(quality_report(rec, p), "quality_report: flat_run_s=nan");
  p = {};
  p.dead_rms_ratio = 1.0;
  EXPECT_ERROR(quality_report(rec, p), "quality_report: dead_rms_ratio=1 must be finite and in [0, 1)");
  p.dead_rms_ratio = -0.1;
  EXPECT_ERROR(quality_report(rec, p), "dead_rms_ratio=-0.1");
  p = {};
  p.clip_run_samples = 1;
  EXPECT_ERROR(quality_report(rec, p), "quality_report: clip_run_samples=1 must be a whole number in [2, 1e9]");
  p.clip_run_samples = 2.5;
  EXPECT_ERROR(quality_report(rec, p), "clip_run_samples=2.5");
  p.clip_run_samples = HUGE_VAL;
  EXPECT_ERROR(quality_report(rec, p), "clip_run_samples=inf");
  EXPECT_ERROR(QualityParams{}.validate(0.0), "quality_report: fs_hz=0 must be finite and > 0");
  EXPECT_ERROR(QualityParams{}.validate(-1.0), "fs_hz=-1");
}

TEST(QualityReport, DescribeListsEveryParameter) {
  const auto& t = QualityParams::describe();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].name, "flat_run_s");
  EXPECT_EQ(t[1].name, "dead_rms_ratio");
  EXPECT_EQ(t[2].name, "clip_run_samples");
}

// UCI lower-limb 3Asen (Biometrics Datalog, 1 kHz, 4 EMG channels in mV and a goniometer in deg).
// Reference values from NumPy (np.loadtxt(..., skiprows=7)).
TEST(QualityReportReal, UciLowerLimb) {
  emg::io::TextReadOptions opt;
  opt.fs_hz = 1000.0;
  const Recording rec = emg::io::read_text(std::string(EMG_DATASETS_DIR) + "/real/uci-lower-limb/3Asen.txt", opt);
  const auto r = quality_report(rec);
  EXPECT_EQ(r.n_samples, 38971);
  EXPECT_DOUBLE_EQ(r.duration_s, 38.971);
  ASSERT_EQ(r.channels.size(), 5u);
  const double mins[] = {-0.0623, -0.021, -0.0443, -0.033, 9.9};
  const double maxs[] = {0.0615, 0.018, 0.042, 0.0232, 88.5};
  const double means[] = {-4.75168715e-04, 2.72515460e-04, -1.19029535e-04, 2.80449565e-04, 3.90387673e+01};
  const double rmss[] = {8.20203325e-03, 3.09752476e-03, 6.48550700e-03, 3.33139190e-03, 4.90448555e+01};
  for (std::size_t c = 0; c < 5; ++c) {
    const auto& q = r.channels[c];
    EXPECT_EQ(q.min, mins[c]) << c;
    EXPECT_EQ(q.max, maxs[c]) << c;
    EXPECT_NEAR(q.mean, means[c], 1e-8 * std::abs(means[c]) + 1e-12) << c;
    EXPECT_NEAR(q.rms, rmss[c], 1e-8 * rmss[c]) << c;
    EXPECT_EQ(q.clipped, 0) << c;       // longest run at the min or max: 1 or 2 samples
    EXPECT_EQ(q.flat_fraction, 0.0) << c;  // longest run of equal values: 15 samples
    EXPECT_FALSE(q.dead) << c;
    EXPECT_FALSE(q.saturation_known) << c;
    EXPECT_EQ(q.mains_hz, 0.0) << c;  // the Datalog's spectrum shows no line (all ratios within +-1 dB)
  }
  EXPECT_EQ(r.channels[0].units, "mV");
  EXPECT_EQ(r.channels[4].units, "deg");

  // The same recording with a lead that came off for 2 s and a clipped channel.
  RowMatrixXd x = rec.data();
  for (long i = 10000; i < 12000; ++i) x(1, i) = 0.0;
  x.row(0) = x.row(0).cwiseMax(-0.02).cwiseMin(0.02);
  const auto d = quality_report(Recording(x, rec.fs_hz(), rec.channels()));
  EXPECT_NEAR(d.channels[1].flat_fraction, 2000.0 / 38971.0, 1e-3);
  EXPECT_GE(d.channels[1].flat_fraction, 2000.0 / 38971.0);
  EXPECT_GT(d.channels[0].clipped, 100);
  EXPECT_EQ(d.channels[0].max, 0.02);
}

}  // namespace

namespace {

/// 20 s of white noise at 2 kHz; 20 Hz trains of 1-sample spikes (harmonics at every 20 Hz, so at
/// 60 Hz but not 50 Hz) from 2-7 s and 10-15 s, stored as /stimulation; optional 50 Hz hum.
Recording stimulated(double hum_amplitude, bool store) {
  const double fs = 2000.0;
  RowMatrixXd x = noise(1, 40000, 1.0, 31);
  emg::Stimulation st;
  for (const double t0 : {2.0, 10.0}) {
    emg::StimTrain t;
    t.train_id = static_cast<long>(st.trains.size()) + 1;
    t.frequency_hz = 20.0;
    t.start_sample = static_cast<std::int64_t>(t0 * fs);
    for (int k = 0; k < 100; ++k) {
      const auto p = static_cast<std::int64_t>(std::llround((t0 + k / 20.0) * fs));
      st.pulses.push_back(p);
      x(0, p) += 400.0;
      t.end_sample = p;
    }
    t.n_pulses = 100;
    st.trains.push_back(t);
  }
  for (long i = 0; i < x.cols(); ++i) x(0, i) += hum_amplitude * std::sin(2.0 * kPi * 50.0 * static_cast<double>(i) / fs);
  Recording rec(x, fs, named(1));
  if (store) rec.set_stimulation(st);
  return rec;
}

}  // namespace

TEST(QualityReport, MainsIgnoresStimulationHarmonics) {
  // without the stored stimulation the pulse harmonics look like 60 Hz hum (the detector is fooled)
  const auto fooled = quality_report(stimulated(0.0, false));
  EXPECT_EQ(fooled.channels[0].mains_hz, 60.0);
  EXPECT_EQ(fooled.mains_samples, 40000);
  // with it, the stimulated spans (train - 10 ms .. last pulse + 100 ms) are left out: no hum
  const auto clean = quality_report(stimulated(0.0, true));
  EXPECT_EQ(clean.channels[0].mains_hz, 0.0);
  const long excluded = 2 * (static_cast<long>(std::llround(99.0 / 20.0 * 2000.0)) + 20 + 200 + 1);
  EXPECT_EQ(clean.mains_samples, 40000 - excluded);
  // real 50 Hz hum under 20 Hz stimulation is still found as 50 Hz
  const auto hum = quality_report(stimulated(0.3, true));
  EXPECT_EQ(hum.channels[0].mains_hz, 50.0);
  EXPECT_GT(hum.channels[0].mains_db, 4.77);
}
