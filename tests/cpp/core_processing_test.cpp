// Recording operations: parameter validation, equality with the kernels they wrap, channel
// metadata and history.
#include <emg/errors.hpp>
#include <emg/processing.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <functional>

#include <cmath>
#include <random>
#include <string>

namespace {

using emg::BandpassParams;
using emg::Recording;
using emg::RowMatrixXd;

std::string invalid_message(const std::function<void()>& f) { return emg::test::error_of(f); }

Recording noise_recording(long channels, long samples, double fs_hz, unsigned seed = 7) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  RowMatrixXd x(channels, samples);
  for (long c = 0; c < channels; ++c) {
    for (long n = 0; n < samples; ++n) {
      const double t = static_cast<double>(n) / fs_hz;
      x(c, n) = dist(gen) + 0.8 * std::sin(2.0 * M_PI * 50.0 * t) + 0.3 * std::sin(2.0 * M_PI * 150.0 * t);
    }
  }
  return Recording(std::move(x), fs_hz);
}

TEST(BandpassParams, TooSlowRecordingMessage) {
  const auto msg = invalid_message([] { BandpassParams{}.validate(500.0); });
  EXPECT_EQ(msg,
            "bandpass: high_hz=450 must be below Nyquist (250 Hz for fs_hz=500); the recording is sampled too slowly "
            "for this band — lower high_hz or use a recording sampled at > 900 Hz");
}

TEST(BandpassParams, EveryRule) {
  BandpassParams p;
  EXPECT_NO_THROW(p.validate(1000.0));
  EXPECT_HAS(invalid_message([&] { p.validate(0.0); }), "bandpass: fs_hz=0 must be finite and > 0");
  EXPECT_HAS(invalid_message([&] { p.validate(NAN); }), "bandpass: fs_hz=nan");
  p.order = 0;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: order=0 must be in 1..10");
  p.order = 11;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: order=11 must be in 1..10");
  p = {};
  p.low_hz = 0.0;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: low_hz=0 must be finite and > 0");
  p = {};
  p.high_hz = NAN;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: high_hz=nan must be finite and > 0");
  p = {};
  p.low_hz = 300.0;
  p.high_hz = 200.0;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: low_hz=300 must be < high_hz=200");
  p = {};
  p.low_hz = 600.0;
  p.high_hz = 700.0;
  EXPECT_HAS(invalid_message([&] { p.validate(1000.0); }), "bandpass: low_hz=600 must be below Nyquist (500 Hz");
}

TEST(BandpassParams, DescribeNamesEveryField) {
  const auto& t = BandpassParams::describe();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].name, "low_hz");
  EXPECT_EQ(t[0].unit, "Hz");
  EXPECT_EQ(t[0].default_value, "20");
  EXPECT_EQ(t[1].name, "high_hz");
  EXPECT_EQ(t[2].name, "order");
  EXPECT_EQ(t[3].name, "zero_phase");
  for (const auto& p : t) EXPECT_FALSE(p.help.empty()) << p.name;
}

TEST(Bandpass, EqualsButterSosfiltfiltAndUpdatesMetadata) {
  const Recording rec = noise_recording(3, 4000, 2000.0);
  const RowMatrixXd before = rec.data();
  const Recording y = emg::bandpass(rec);
  const auto sos = emg::filters::butter(4, {20.0, 450.0}, emg::filters::BType::bandpass, 2000.0);
  const RowMatrixXd expected = emg::filters::sosfiltfilt(sos, rec.data());
  EXPECT_EQ((y.data() - expected).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(rec.data(), before);  // input untouched
  for (const auto& ch : y.channels()) {
    EXPECT_EQ(ch.low_cutoff_hz, 20.0);
    EXPECT_EQ(ch.high_cutoff_hz, 450.0);
  }
  EXPECT_TRUE(std::isnan(rec.channels()[0].low_cutoff_hz));
  ASSERT_EQ(y.history().size(), rec.history().size() + 1);
  EXPECT_EQ(y.history().back(), "bandpass(low_hz=20, high_hz=450, order=4, zero_phase=true)");
}

TEST(Bandpass, CausalAndNarrowing) {
  const Recording rec = noise_recording(2, 3000, 1000.0);
  BandpassParams p;
  p.low_hz = 30.0;
  p.high_hz = 300.0;
  p.order = 2;
  p.zero_phase = false;
  const Recording y = emg::bandpass(rec, p);
  const auto sos = emg::filters::butter(2, {30.0, 300.0}, emg::filters::BType::bandpass, 1000.0);
  EXPECT_EQ((y.data() - emg::filters::sosfilt(sos, rec.data())).cwiseAbs().maxCoeff(), 0.0);
  BandpassParams q;
  q.low_hz = 10.0;
  q.high_hz = 200.0;
  const Recording z = emg::bandpass(y, q);
  EXPECT_EQ(z.channels()[1].low_cutoff_hz, 30.0);
  EXPECT_EQ(z.channels()[1].high_cutoff_hz, 200.0);
  EXPECT_EQ(z.history().size(), rec.history().size() + 2);
}

TEST(Bandpass, RejectsSlowRecordingBeforeFiltering) {
  const Recording rec = noise_recording(1, 2000, 500.0);
  EXPECT_HAS(invalid_message([&] { emg::bandpass(rec); }), "sampled too slowly");
}

TEST(RemoveMains, WrapsKernelAndSetsNotchMetadata) {
  const Recording rec = noise_recording(2, 8000, 2000.0);
  const emg::MainsRemoval out = emg::remove_mains(rec);
  const auto direct = emg::filters::remove_mains(rec.data(), rec.fs_hz());
  EXPECT_EQ((out.recording.data() - direct.data).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(out.report.data.size(), 0);
  EXPECT_EQ(out.report.line_hz, 50.0);
  ASSERT_EQ(out.report.removed_power.size(), 2);
  EXPECT_EQ(out.report.removed_power[1], direct.removed_power[1]);
  EXPECT_GT(out.report.removed_power[0], 0.0);
  for (const auto& ch : out.recording.channels()) EXPECT_EQ(ch.notch_hz, 50.0);
  EXPECT_HAS(out.recording.history().back(), "remove_mains(line_hz=50, method=interpolation");
}

TEST(RemoveMains, BadParamsAreRejected) {
  const Recording rec = noise_recording(1, 4000, 2000.0);
  emg::filters::MainsParams p;
  p.line_hz = -50.0;
  EXPECT_THROW(emg::remove_mains(rec, p), emg::InvalidArgument);
  p = {};
  p.bandwidth_hz = 0.0;
  EXPECT_THROW(emg::remove_mains(rec, p), emg::InvalidArgument);
}

TEST(ComputePsd, EqualsWelch) {
  const Recording rec = noise_recording(2, 5000, 1000.0);
  emg::spectral::WelchParams p;
  p.nperseg = 512;
  const auto a = emg::compute_psd(rec, p);
  const auto b = emg::spectral::welch(rec.data(), rec.fs_hz(), p);
  EXPECT_EQ(a.freqs_hz, b.freqs_hz);
  EXPECT_EQ(a.power, b.power);
  p.nperseg = 6000;
  EXPECT_THROW(emg::compute_psd(rec, p), emg::InvalidArgument);
}

TEST(ComputeFatigue, EqualsFatigueSeries) {
  const Recording rec = noise_recording(2, 10000, 1000.0);
  const auto a = emg::compute_fatigue(rec);
  const auto b = emg::spectral::fatigue_series(rec.data(), rec.fs_hz());
  EXPECT_EQ(a.times_s, b.times_s);
  EXPECT_EQ(a.mdf_hz, b.mdf_hz);
  EXPECT_EQ(a.rms, b.rms);
  ASSERT_EQ(a.mdf_trend.size(), 2u);
  EXPECT_EQ(a.mdf_trend[0].slope, b.mdf_trend[0].slope);
  emg::spectral::FatigueParams p;
  p.window_s = -1.0;
  EXPECT_THROW(emg::compute_fatigue(rec, p), emg::InvalidArgument);
}

}  // namespace
