// Mains removal: harmonic lists, leakage-free segment lengths, known-answer removal of synthetic
// hum from an EMG-like signal, the notch cascade against SciPy (golden file from
// tests/data/make_golden_amplitude.py), line-frequency detection and every bad input.
#include <emg/errors.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/filters/mains.hpp>
#include <emg/parallel.hpp>

#include <Eigen/LU>
#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using emg::RowMatrixXd;
namespace fl = emg::filters;
const double kPi = std::acos(-1.0);

using emg::test::error_of;

const std::vector<double> kAmps = {1.0, 0.5, 0.3, 0.2, 0.1};

/// Sum of sines at h * line_hz with amplitudes kAmps (phase 0.3 h).
RowMatrixXd hum(double fs, long n, double line_hz, double scale = 1.0) {
  RowMatrixXd x = RowMatrixXd::Zero(1, n);
  for (std::size_t h = 0; h < kAmps.size(); ++h) {
    const double f = line_hz * static_cast<double>(h + 1);
    if (f >= fs / 2) break;
    for (long i = 0; i < n; ++i) {
      x(0, i) += scale * kAmps[h] * std::sin(2 * kPi * f * static_cast<double>(i) / fs + 0.3 * static_cast<double>(h + 1));
    }
  }
  return x;
}

/// Seeded white noise band-passed 20-450 Hz (zero phase), scaled to the given RMS.
RowMatrixXd emg_like(double fs, long n, unsigned seed, double rms) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd;
  RowMatrixXd w(1, n);
  for (long i = 0; i < n; ++i) w(0, i) = nd(gen);
  const auto sos = fl::butter(4, {20.0, std::min(450.0, 0.45 * fs)}, fl::BType::bandpass, fs);
  RowMatrixXd s = fl::sosfiltfilt(sos, w);
  return s * (rms / std::sqrt(s.squaredNorm() / static_cast<double>(n)));
}

/// Power of the least-squares sinusoid at f_hz (the hum "at the harmonic").
double lockin_power(const RowMatrixXd& x, double fs, double f_hz) {
  Eigen::Matrix2d ata = Eigen::Matrix2d::Zero();
  Eigen::Vector2d atb = Eigen::Vector2d::Zero();
  for (long i = 0; i < x.cols(); ++i) {
    const double ph = 2 * kPi * f_hz * static_cast<double>(i) / fs;
    const Eigen::Vector2d a(std::cos(ph), std::sin(ph));
    ata += a * a.transpose();
    atb += a * x(0, i);
  }
  const Eigen::Vector2d c = ata.inverse() * atb;
  return c.squaredNorm() / 2.0;
}

double mean_square(const RowMatrixXd& x) { return x.squaredNorm() / static_cast<double>(x.size()); }

TEST(Mains, HarmonicsCoverEverythingBelowNyquist) {
  auto h = fl::mains_harmonics(50.0, 1000.0);
  ASSERT_EQ(h.size(), 9u);
  EXPECT_EQ(h.front(), 50.0);
  EXPECT_EQ(h.back(), 450.0);  // 500 Hz is Nyquist: excluded
  h = fl::mains_harmonics(50.0, 10000.0);
  ASSERT_EQ(h.size(), 99u);
  EXPECT_EQ(h.back(), 4950.0);
  h = fl::mains_harmonics(60.0, 1200.0);
  EXPECT_EQ(h.back(), 540.0);
  h = fl::mains_harmonics(60.0, 2048.0);
  EXPECT_EQ(h.back(), 1020.0);
  h = fl::mains_harmonics(50.0, 1000.0, 200.0);
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.back(), 200.0);
}

TEST(Mains, IntegerCycleLength) {
  EXPECT_EQ(fl::integer_cycle_length(2000, 1000.0, 50.0), 2000);
  EXPECT_EQ(fl::integer_cycle_length(2010, 1000.0, 50.0), 2000);
  EXPECT_EQ(fl::integer_cycle_length(4096, 2048.0, 50.0), 4096);
  EXPECT_EQ(fl::integer_cycle_length(4000, 2048.0, 50.0), 3072);  // 1024 samples = 25 cycles
  EXPECT_EQ(fl::integer_cycle_length(20026, 2000.0, 60.0), 20000);  // multiples of 100 samples = 3 cycles
  EXPECT_EQ(fl::integer_cycle_length(19999, 2000.0, 60.0), 19900);
  // fs with no short integer-cycle length: closest to a whole number of cycles within [N/2, N]
  const long m = fl::integer_cycle_length(3000, 1000.123, 50.0);
  const double cycles = static_cast<double>(m) * 50.0 / 1000.123;
  EXPECT_LT(std::abs(cycles - std::round(cycles)), 0.01);  // leakage below -30 dB
}

TEST(Mains, HumAloneIsRemovedCompletelyWhateverTheRecordLength) {
  for (double fs : {1000.0, 2048.0, 2000.0}) {
    for (double dur : {2.0, 2.013, 3.37}) {
      for (double line : {50.0, 60.0}) {
        const long n = std::lround(dur * fs);
        const RowMatrixXd x = hum(fs, n, line);
        const auto r = fl::remove_mains(x, fs, {.line_hz = line});
        // -100 dB; the segment scheme reaches ~-250 dB, a single whole-record FFT only ~-7 dB
        EXPECT_LT(mean_square(r.data), 1e-10 * mean_square(x)) << fs << " Hz, " << dur << " s, " << line << " Hz";
      }
    }
  }
}

TEST(Mains, InterpolationRemovesHumAndKeepsTheEmg) {
  struct Case {
    double fs, dur, line;
  };
  for (const Case& k : {Case{1000.0, 20.0, 50.0}, Case{2000.0, 20.013, 60.0}, Case{2048.0, 20.0, 50.0}}) {
    const long n = std::lround(k.dur * k.fs);
    const RowMatrixXd s = emg_like(k.fs, n, 42, 0.1);
    const RowMatrixXd h = hum(k.fs, n, k.line);
    const RowMatrixXd x = s + h;
    const auto r = fl::remove_mains(x, k.fs, {.line_hz = k.line});
    for (std::size_t i = 0; i < kAmps.size(); ++i) {
      const double f = k.line * static_cast<double>(i + 1);
      const double drop_db = 10 * std::log10(lockin_power(x, k.fs, f) / lockin_power(r.data, k.fs, f));
      EXPECT_GT(drop_db, 30.0) << k.fs << " Hz, harmonic " << f;
    }
    const double corr = (r.data.array() - r.data.mean()).matrix().cwiseProduct((s.array() - s.mean()).matrix()).sum() /
                        std::sqrt((r.data.array() - r.data.mean()).square().sum() * (s.array() - s.mean()).square().sum());
    EXPECT_GT(corr, 0.99);
    EXPECT_NEAR(r.removed_power(0) / mean_square(h), 1.0, 0.03);
    EXPECT_NEAR(r.removed_fraction(0), r.removed_power(0) / mean_square(x), 1e-12);
    EXPECT_EQ(r.line_hz, k.line);
  }
}

TEST(Mains, NotchCascadeMatchesScipy) {
  const emg::test::Golden g("mains_notch.txt");
  struct Case {
    const char* name;
    double fs, line;
  };
  for (const Case& k : {Case{"fs1000_l50", 1000.0, 50.0}, Case{"fs2048_l60", 2048.0, 60.0}}) {
    const std::string name(k.name);
    const RowMatrixXd x = g.matrix("x_" + name);
    const auto r = fl::remove_mains(x, k.fs, {.line_hz = k.line, .method = fl::MainsMethod::notch, .q = g.scalar("q_" + name)});
    const Eigen::VectorXd want = g.vector("harmonics_" + name);
    ASSERT_EQ(static_cast<long>(r.harmonics_hz.size()), want.size());
    for (long i = 0; i < want.size(); ++i) EXPECT_EQ(r.harmonics_hz[static_cast<std::size_t>(i)], want(i));
    const double rms = std::sqrt(mean_square(x));
    EXPECT_LT(emg::test::max_abs_diff(r.data, g.matrix("y_" + name)), 1e-10 * rms) << name;
  }
}

TEST(Mains, NotchAttenuatesEveryHarmonic) {
  const double fs = 2000.0;
  const long n = 40000;
  const RowMatrixXd s = emg_like(fs, n, 8, 0.1);
  const RowMatrixXd h = hum(fs, n, 60.0);
  const auto r = fl::remove_mains(s + h, fs, {.line_hz = 60.0, .method = fl::MainsMethod::notch});
  for (std::size_t i = 0; i < kAmps.size(); ++i) {
    const double f = 60.0 * static_cast<double>(i + 1);
    EXPECT_GT(10 * std::log10(lockin_power(s + h, fs, f) / lockin_power(r.data, fs, f)), 30.0) << f;
  }
  EXPECT_EQ(r.harmonics_hz.size(), 16u);  // 60 ... 960 Hz
}

TEST(Mains, MultichannelEqualsChannelByChannelAndThreadCountDoesNotMatter) {
  const double fs = 1000.0;
  RowMatrixXd x(3, 3013);
  x.row(0) = emg_like(fs, 3013, 1, 1.0) + hum(fs, 3013, 50.0);
  x.row(1) = emg_like(fs, 3013, 2, 1.0);
  x.row(2).setZero();
  emg::set_num_threads(1);
  const auto one = fl::remove_mains(x, fs);
  emg::set_num_threads(2);
  const auto two = fl::remove_mains(x, fs);
  emg::set_num_threads(0);
  EXPECT_EQ(emg::test::max_abs_diff(one.data, two.data), 0.0);
  for (long c = 0; c < 3; ++c) {
    EXPECT_EQ(emg::test::max_abs_diff(fl::remove_mains(x.row(c), fs).data, one.data.row(c)), 0.0);
  }
  EXPECT_EQ(one.removed_power(2), 0.0);
  EXPECT_EQ(one.removed_fraction(2), 0.0);
  EXPECT_GT(one.removed_fraction(0), 0.3);
  EXPECT_LT(one.removed_fraction(1), 0.03);
}

TEST(Mains, DetectsFiftyAndSixtyHertz) {
  for (double fs : {1000.0, 2048.0}) {
    const long n = std::lround(5 * fs);
    const RowMatrixXd s = emg_like(fs, n, 3, 1.0);
    EXPECT_EQ(fl::detect_line_frequency(s + hum(fs, n, 50.0, 0.3), fs), 50.0);
    EXPECT_EQ(fl::detect_line_frequency(s + hum(fs, n, 60.0, 0.3), fs), 60.0);
    const auto r = fl::remove_mains(s + hum(fs, n, 60.0, 0.3), fs, {.line_hz = 0.0});
    EXPECT_EQ(r.line_hz, 60.0);
    EXPECT_ERROR(fl::detect_line_frequency(s, fs), "detect_line_frequency: x=", "no clear power-line peak");
  }
}

TEST(Mains, ParamsDescribeEveryField) {
  const auto& t = fl::MainsParams::describe();
  std::vector<std::string> names;
  for (const auto& p : t) {
    names.push_back(p.name);
    EXPECT_FALSE(p.help.empty());
    EXPECT_FALSE(p.default_value.empty());
    EXPECT_FALSE(p.range.empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"line_hz", "method", "max_hz", "bandwidth_hz", "q"}));
  EXPECT_EQ(fl::parse_mains_method("notch"), fl::MainsMethod::notch);
  EXPECT_EQ(fl::to_string(fl::parse_mains_method("interpolation")), "interpolation");
}

TEST(Mains, BadInputsNameFunctionParameterValueAndRule) {
  const double fs = 1000.0;
  const RowMatrixXd x = emg_like(fs, 4000, 4, 1.0);
  EXPECT_ERROR(fl::remove_mains(x, 0.0), "remove_mains: fs_hz=0");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.line_hz = -50.0}), "remove_mains: line_hz=-50", "0 (detect)");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.line_hz = 500.0}), "remove_mains: line_hz=500", "Nyquist");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.bandwidth_hz = 0.0}), "remove_mains: bandwidth_hz=0", "> 0");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.bandwidth_hz = 25.0}), "remove_mains: bandwidth_hz=25", "< 25");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.q = 0.0}), "remove_mains: q=0", "> 0");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.max_hz = 600.0}), "remove_mains: max_hz=600", "(0, 500]");
  EXPECT_ERROR(fl::remove_mains(x, fs, {.max_hz = 40.0}), "remove_mains: max_hz=40", ">= line_hz=50");
  EXPECT_ERROR(fl::remove_mains(x, 80.0, {.line_hz = 40.0}), "remove_mains: line_hz=40", "below Nyquist for fs_hz=80");
  RowMatrixXd bad = x;
  bad(0, 5) = std::nan("");
  EXPECT_ERROR(fl::remove_mains(bad, fs), "remove_mains: x=nan at channel 0, sample 5");
  EXPECT_ERROR(fl::remove_mains(RowMatrixXd(1, 0), fs), "remove_mains: x=", "empty");
  EXPECT_ERROR(fl::remove_mains(x.leftCols(60), fs), "remove_mains: x=60 samples", "4 line cycles", "method='notch'");
  EXPECT_ERROR(fl::remove_mains(x.leftCols(57), fs, {.method = fl::MainsMethod::notch}), "remove_mains: x=57 samples",
               "padlen=57");
  EXPECT_ERROR(fl::parse_mains_method("comb", "remove_mains"), "remove_mains: method='comb'", "'interpolation' or 'notch'");
  EXPECT_ERROR(fl::detect_line_frequency(x, 100.0), "detect_line_frequency: fs_hz=100", "> 136");
  EXPECT_ERROR(fl::detect_line_frequency(x.leftCols(999), fs), "detect_line_frequency: x=999 samples", "1 s");
}

}  // namespace
